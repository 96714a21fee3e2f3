#include "engine/export/summary.h"

namespace yl {
namespace {

class SummaryBuilder {
 public:
  void text(const std::string& section, const std::string& item, const std::string& value,
            const std::string& asset = "") {
    rows_.push_back({section, item, asset, CellKind::text, value, ""});
  }
  void integer(const std::string& section, const std::string& item, const std::string& value,
               const std::string& asset = "") {
    rows_.push_back({section, item, asset, CellKind::integer, value, ""});
  }
  // Totals may pass 2^256 (each amount is below it, their sum need not be): unbounded.
  void amount(const std::string& section, const std::string& item, Asset asset, const BigInt& wei) {
    rows_.push_back({section, item, std::string(asset_name(asset)), CellKind::decimal,
                     wide_units(wei), wei.str()});
  }
  void amount(const std::string& section, const std::string& item, Asset asset, const Amount& wei) {
    amount(section, item, asset, big(wei));
  }
  void percent(const std::string& section, const std::string& item, Asset asset,
               const std::optional<std::string>& value) {
    rows_.push_back({section, item, std::string(asset_name(asset)),
                     value ? CellKind::decimal : CellKind::text, value.value_or(""), ""});
  }
  std::vector<SummaryRow> take() { return std::move(rows_); }

 private:
  std::vector<SummaryRow> rows_;
};

void add_scenario(SummaryBuilder& s, const Scenario& scenario, const SummaryCounts& counts,
                  std::int64_t samples) {
  const LedgerParams& p = scenario.params;
  s.text("scenario", "name", scenario.name);
  s.text("scenario", "events_file", scenario.events_as_written);
  s.text("scenario", "start", format_timestamp(p.start));
  s.text("scenario", "end", format_timestamp(p.end));
  s.text("scenario", "report_every", scenario.report_every);
  s.integer("scenario", "initial_price", p.initial_price.wei_string());
  s.integer("scenario", "insurance_fee_bps", std::to_string(p.policy.insurance_fee_bps));
  // The distribution policy (SPEC §9), each key as the scenario file spells it, so that two
  // policies' summaries differ where their ledgers do.
  s.integer("scenario", "protocol_fee_bps", std::to_string(p.policy.protocol_fee_bps));
  s.integer("scenario", "fee_hurdle_bps", std::to_string(p.policy.fee_hurdle_bps));
  s.text("scenario", "distribution", std::string(distribution_name(p.policy.distribution)));
  s.integer("scenario", "unlock_seconds", std::to_string(p.policy.unlock_seconds));
  s.text("scenario", "void_yield", std::string(void_yield_name(p.policy.void_yield)));
  s.text("scenario", "negative_yield", std::string(negative_yield_name(p.policy.negative_yield)));
  s.text("scenario", "rebalance", p.policy.rebalance ? "true" : "false");
  s.integer("scenario", "gas.zero_claim_rate_bps", std::to_string(p.gas.zero_claim_rate_bps));
  s.integer("scenario", "gas.base_claim_rate_bps", std::to_string(p.gas.base_claim_rate_bps));
  s.integer("scenario", "gas.ceil_claim_rate_bps", std::to_string(p.gas.ceil_claim_rate_bps));
  s.integer("scenario", "gas.base_gas_seconds", std::to_string(p.gas.base_gas_seconds));
  s.integer("scenario", "gas.ceil_gas_seconds", std::to_string(p.gas.ceil_gas_seconds));
  s.integer("scenario", "events", std::to_string(counts.events));
  s.integer("scenario", "report_rows", std::to_string(counts.report_rows));
  s.integer("scenario", "history_samples", std::to_string(samples));
}

void add_sources(SummaryBuilder& s, const Ledger& ledger) {
  for (std::size_t i = 0; i < ledger.source_count(); ++i) {
    const SourceConfig& config = ledger.source_config(i);
    const SourceState& state = ledger.source_state(i);
    const std::string asset(asset_name(config.asset));
    s.text("source", config.name + ".kind", std::string(source_kind_name(config.kind)), asset);
    s.integer("source", config.name + ".weight_bps", std::to_string(config.weight_bps), asset);
    s.integer("source", config.name + ".apr_bps_initial", std::to_string(config.apr_bps), asset);
    s.integer("source", config.name + ".apr_bps_final", std::to_string(state.apr_bps), asset);
    s.amount("source", config.name + ".value", config.asset, state.value);
    s.amount("source", config.name + ".principal", config.asset, state.principal);
  }
}

void add_totals(SummaryBuilder& s, const Ledger& ledger) {
  for (Asset asset : kAssets) {
    const AssetBook& book = ledger.book(asset);
    BigInt balances = 0, claimable = 0, principal = 0;
    for (AccountId id = 0; id < ledger.account_count(); ++id) {
      balances += big(ledger.balance(id, asset));
      claimable += big(ledger.claimable(id, asset));
    }
    for (std::size_t i = 0; i < ledger.source_count(); ++i) {
      if (ledger.source_config(i).asset == asset) {
        principal += big(ledger.source_state(i).principal);
      }
    }
    const std::string name(asset_name(asset));
    s.integer("end", "price", book.shares.price().wei_string(), name);
    s.integer("end", "total_shares", book.shares.total_shares().wei_string(), name);
    s.amount("end", "balances", asset, balances);
    s.amount("end", "claimable", asset, claimable);
    s.amount("end", "pending", asset, book.shares.pending());
    s.amount("end", "retained", asset, book.retained);
    s.amount("end", "buffer", asset, book.buffer);
    s.amount("end", "principal", asset, principal);
    s.amount("end", "debt", asset, book.debt);
    s.amount("end", "insurance", asset, book.insurance);
    s.amount("end", "revenue", asset, book.revenue);         // the protocol's fees (§9.4)
    s.amount("end", "locked", asset, book.stream.locked());  // S − R of the stream (§9.1)
  }
}

void add_apys(SummaryBuilder& s, const Scenario& scenario, const Ledger& ledger,
              const HistorySampler& history) {
  const std::int64_t run_s = scenario.params.end.seconds - scenario.params.start.seconds;
  for (Asset asset : kAssets) {
    s.percent(
        "realized_apy_pct", "share_price", asset,
        price_apy_percent(scenario.params.initial_price, ledger.book(asset).shares.price(), run_s));
  }
  for (Asset asset : kAssets) {
    for (const auto& [group, name] :
         {std::pair{AccountGroup::users, "users"}, std::pair{AccountGroup::dapps, "dapps"}}) {
      const GroupYield& g = history.group_yield(group, asset);
      s.percent("realized_apy_pct", name, asset,
                annualized_percent(g.yield_wei, g.capital_wei_seconds));
    }
  }
}

}  // namespace

std::vector<SummaryRow> build_summary(const Scenario& scenario, const Ledger& final_ledger,
                                      const HistorySampler& history, const SummaryCounts& counts) {
  SummaryBuilder s;
  add_scenario(s, scenario, counts, history.samples());
  add_sources(s, final_ledger);
  add_totals(s, final_ledger);
  add_apys(s, scenario, final_ledger, history);
  return s.take();
}

}  // namespace yl
