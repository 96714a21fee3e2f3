#include "engine/export/history.h"

#include <limits>

#include "engine/core/assert.h"

namespace yl {
namespace {

// The chart indexes: see the constructor.
enum ChartIndex : std::size_t {
  kPrice = 0,
  kApy = 1,
  kReserves = 2,
  kHolders = 4,
  kStream = 6,  // dropped at the end when no sample had a locked profit (SPEC §9.1)
};
constexpr const char* kReleased = "released (cumulative)";

// start + every·k for the smallest k ≥ 1 with a result after `time`, saturating.
Timestamp next_multiple_after(Timestamp start, std::int64_t every_s, Timestamp time) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t k = (time.seconds - start.seconds) / every_s + 1;
  if (every_s > (kMax - start.seconds) / k) return Timestamp{kMax};
  return Timestamp{start.seconds + every_s * k};
}

}  // namespace

TableSpec HistorySampler::ledger_history_spec() {
  return {"ledger_history",
          {{"time", CellKind::time},
           {"asset"},
           {"price", CellKind::integer},
           {"pending_wei", CellKind::wei},
           {"total_shares", CellKind::integer},
           {"buffer_wei", CellKind::wei},
           {"buffer", CellKind::decimal},
           {"debt_wei", CellKind::wei},
           {"debt", CellKind::decimal},
           {"insurance_wei", CellKind::wei},
           {"insurance", CellKind::decimal},
           {"retained_wei", CellKind::wei},
           {"retained", CellKind::decimal},
           {"revenue_wei", CellKind::wei},  // SPEC §9.4
           {"revenue", CellKind::decimal},
           {"locked_wei", CellKind::wei},  // SPEC §9.1: S − R of the stream
           {"locked", CellKind::decimal},
           {"balances_wei", CellKind::wei},
           {"balances", CellKind::decimal},
           {"claimable_wei", CellKind::wei},
           {"claimable", CellKind::decimal},
           {"period_s", CellKind::integer},
           // Exact text in XLSX too: no `_wei` column holds it exactly (it was only a number
           // there, 9E+26 for 900000000000000000000021000.000000000: helper-43's F1).
           {"realized_apy_pct", CellKind::literal},
           {"realized_apy_pct_float", CellKind::real}},
          "thin it with --every (e.g. --every 7d), "};
}

TableSpec HistorySampler::balance_history_spec() {
  return {"balance_history",
          {{"time", CellKind::time},
           {"account"},
           {"kind"},
           {"asset"},
           {"mode"},
           {"balance_wei", CellKind::wei},
           {"balance", CellKind::decimal},
           {"claimable_wei", CellKind::wei},
           {"claimable", CellKind::decimal},
           {"shares", CellKind::integer},
           {"accrued_wei", CellKind::wei},
           {"accrued", CellKind::decimal}},
          "thin it with --every (e.g. --every 7d) or --accounts (e.g. --accounts top:1000), "};
}

HistorySampler::HistorySampler(std::optional<std::int64_t> every_s,
                               const SelectedAccounts& selected,
                               std::array<std::vector<std::string>, 2> chart_accounts,
                               Outputs outputs, std::function<void(std::int64_t)> on_event)
    : every_s_(every_s),
      selected_(selected),
      chart_accounts_(std::move(chart_accounts)),
      outputs_(outputs),
      on_event_(std::move(on_event)) {
  YL_ASSERT(!every_s_ || *every_s_ > 0);
  charts_.charts = {
      {"Share price", "wei per share", {{"ETH", {}}, {"USDB", {}}}},
      {"Realized APY per period", "% a year", {{"ETH", {}}, {"USDB", {}}}},
      {"ETH insurance fund and debt", "ETH", {{"insurance", {}}, {"debt", {}}}},
      {"USDB insurance fund and debt", "USDB", {{"insurance", {}}, {"debt", {}}}},
      {"Top ETH holders (balance + claimable)", "ETH", {}},
      {"Top USDB holders (balance + claimable)", "USDB", {}},
      {"ETH locked vs released yield", "ETH", {{"locked", {}}, {kReleased, {}}}},
      {"USDB locked vs released yield", "USDB", {{"locked", {}}, {kReleased, {}}}},
  };
  for (Asset asset : kAssets) {
    for (const std::string& name : chart_accounts_[index_of(asset)]) {
      charts_.charts[kHolders + index_of(asset)].series.push_back({name, {}});
    }
    chart_ids_[index_of(asset)].resize(chart_accounts_[index_of(asset)].size());
  }
}

void HistorySampler::opening(const Ledger& ledger) {
  start_ = ledger.params().start;
  last_sample_ = start_;
  last_report_ = {start_, start_};
  if (every_s_) next_due_ = next_multiple_after(start_, *every_s_, start_);
  for (Asset asset : kAssets) {
    last_sample_price_[index_of(asset)] = ledger.book(asset).shares.price();
    price_[index_of(asset)] = ledger.book(asset).shares.price();
  }
  track_new_accounts(ledger);  // the system accounts
}

void HistorySampler::before(const Ledger& ledger, Timestamp until) {
  // Nothing the coming step does is stamped before `until`, so if that is past the unsampled
  // report time, the ledger is now exactly as it was at that time.
  if (unsampled_ && until > *unsampled_) sample_if_due(ledger, *std::exchange(unsampled_, {}));
}

void HistorySampler::after(const Ledger& ledger, const std::vector<ReportRecord>& reports,
                           const storage::StoredEvent* event) {
  // A step is either the scheduled reports of one time, or one event; of events, only `report`
  // runs reports, and it changes no position. So reports see the holdings as they stood.
  YL_ASSERT(event == nullptr || reports.empty() || event->raw.type == "report");
  for (Asset asset : kAssets) account_for_price_step(ledger, asset);
  for (const ReportRecord& report : reports) account_for_report(report);
  // What the stream released in this step (its drips, before the event and in each report).
  for (const Posting& posting : ledger.journal().postings()) {
    if (posting.memo == Memo::drip && posting.debit) {
      released_[index_of(posting.asset)] += big(posting.amount);
    }
  }
  track_new_accounts(ledger);
  if (event != nullptr) {
    // The event changed at most the accounts it names, and the system accounts, which are VOID
    // for good (no event may name them), so their shares stay 0 and they belong to no group.
    for (const std::string* name : {&event->raw.account, &event->raw.to}) {
      if (const auto id = ledger.find_account(*name)) refresh(ledger, *id);
    }
    if (on_event_) on_event_(++events_);
  }
  if (!reports.empty()) unsampled_ = reports.back().time;
}

void HistorySampler::closing(const Ledger& ledger) {
  // The ledger is at the end of the run. A report at that very time is sampled whatever
  // every_s says, and so is the end itself when the last sample is earlier.
  unsampled_.reset();
  // A run of no length has its one row too (it had none: helper-43's F6).
  if (ledger.params().end > last_sample_ || samples_ == 0) sample(ledger, ledger.params().end);
  if (!any_locked_) charts_.charts.resize(kStream);
  check_totals(ledger);
}

void HistorySampler::track_new_accounts(const Ledger& ledger) {
  for (auto id = static_cast<AccountId>(holdings_.size()); id < ledger.account_count(); ++id) {
    const std::string_view name = ledger.info(id).name;
    holdings_.emplace_back();
    for (Asset asset : kAssets) {
      holdings_[id][index_of(asset)].price_settled = ledger.book(asset).shares.price();
    }
    is_selected_.push_back(
        {selected_.contains(name, Asset::eth), selected_.contains(name, Asset::usdb)});
    if (is_selected_[id][0] || is_selected_[id][1]) selected_ids_.push_back(id);
    for (Asset asset : kAssets) {
      const auto& names = chart_accounts_[index_of(asset)];
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) chart_ids_[index_of(asset)][i] = id;
      }
    }
    refresh(ledger, id);
  }
}

void HistorySampler::settle(const Ledger& ledger, AccountId id, Asset asset) {
  Holding& h = holdings_[id][index_of(asset)];
  const Amount& price = ledger.book(asset).shares.price();
  // The shares were constant since price_settled. The price may fall under SPEC §9.3
  // (socialize): the accrual is then negative, exact in unbounded integers.
  if (!h.shares.is_zero()) h.accrued += big(h.shares) * (big(price) - big(h.price_settled));
  h.price_settled = price;
}

void HistorySampler::refresh(const Ledger& ledger, AccountId id) {
  const AccountKind kind = ledger.info(id).kind;
  for (Asset asset : kAssets) {
    const std::size_t a = index_of(asset);
    settle(ledger, id, asset);
    Holding& h = holdings_[id][a];
    const Position p = ledger.position_of(id, asset);
    subtract(totals_, kind, a, h);
    h.mode = p.mode;
    h.shares = p.shares;
    h.remainder = p.remainder;
    h.fixed = p.fixed;
    add(totals_, kind, a, h);
  }
}

namespace {

std::size_t group_of(AccountKind kind) {
  YL_ASSERT(kind != AccountKind::system);
  return static_cast<std::size_t>(kind == AccountKind::user ? AccountGroup::users
                                                            : AccountGroup::dapps);
}

}  // namespace

void HistorySampler::add(Totals& totals, AccountKind kind, std::size_t a, const Holding& h) {
  if (kind != AccountKind::system) {
    const std::size_t g = group_of(kind);
    totals.group_shares[g][a] += h.shares;
    totals.group_rest[g][a] += h.mode == YieldMode::void_mode ? h.fixed : h.remainder;
  }
  if (h.mode == YieldMode::claimable) {
    totals.claimable_shares[a] += h.shares;
    totals.claimable_remainders[a] += h.remainder;
    totals.claimable_fixed[a] += h.fixed;
  }
}

void HistorySampler::subtract(Totals& totals, AccountKind kind, std::size_t a, const Holding& h) {
  if (kind != AccountKind::system) {
    const std::size_t g = group_of(kind);
    totals.group_shares[g][a] -= h.shares;
    totals.group_rest[g][a] -= h.mode == YieldMode::void_mode ? h.fixed : h.remainder;
  }
  if (h.mode == YieldMode::claimable) {
    totals.claimable_shares[a] -= h.shares;
    totals.claimable_remainders[a] -= h.remainder;
    totals.claimable_fixed[a] -= h.fixed;
  }
}

// The groups' yield in this step: the price's steps in it (a report's under the snapshot
// distribution, the drips' under SPEC §9.1's streamed one, a fall under §9.3) times the groups'
// shares, which stood as they were through the step (the event, which alone changes them, comes
// last and is not counted yet). Counted from reports alone, a streamed ledger's was 0.
void HistorySampler::account_for_price_step(const Ledger& ledger, Asset asset) {
  const std::size_t a = index_of(asset);
  const Amount& price = ledger.book(asset).shares.price();
  if (price == price_[a]) return;  // most steps: no report, no drip (unbounded products cost)
  const BigInt step = big(price) - big(price_[a]);
  for (std::size_t g = 0; g < 2; ++g)
    groups_[g][a].yield_wei += step * big(totals_.group_shares[g][a]);
  price_[a] = price;
}

void HistorySampler::account_for_report(const ReportRecord& report) {
  const std::size_t a = index_of(report.asset);
  const std::int64_t interval_s = report.time.seconds - last_report_[a].seconds;
  YL_ASSERT(interval_s >= 0);
  last_report_[a] = report.time;
  if (report.price_after < report.price_before) price_fell_[a] = true;  // SPEC §9.3
  for (std::size_t g = 0; g < 2; ++g) {
    const BigInt shares = big(totals_.group_shares[g][a]);
    // Held just before the price step: P_before·S + Σr + Σf(VOID) (SPEC §3.3).
    const BigInt held = big(report.price_before) * shares + big(totals_.group_rest[g][a]);
    groups_[g][a].capital_wei_seconds += held * interval_s;
  }
}

void HistorySampler::check_totals(const Ledger& ledger) const {
  Totals recount;
  for (AccountId id = 0; id < ledger.account_count(); ++id) {
    for (Asset asset : kAssets) {
      const Position p = ledger.position_of(id, asset);
      add(recount, ledger.info(id).kind, index_of(asset),
          Holding{p.mode, p.shares, p.remainder, p.fixed, Amount(), BigInt(0)});
    }
  }
  YL_ASSERT(recount == totals_);
}

// Σ claimable over the CLAIMABLE positions in `asset`. SPEC §3.3: each is P·s + r − f while the
// price has only risen since its split (P·s + r = f then), so the sum is P·Σs + Σr − Σf, from the
// totals, in O(1). Once a report has lowered the price (SPEC §9.3), a position may hold less than
// f: its balance is then P·s + r and its claimable 0, not the negative P·s + r − f, so from then
// on the positions are summed one by one.
BigInt HistorySampler::claimable_sum(const Ledger& ledger, Asset asset) const {
  const std::size_t a = index_of(asset);
  if (!price_fell_[a]) {
    return big(ledger.book(asset).shares.price()) * big(totals_.claimable_shares[a]) +
           big(totals_.claimable_remainders[a]) - big(totals_.claimable_fixed[a]);
  }
  BigInt sum = 0;
  for (AccountId id = 0; id < ledger.account_count(); ++id) sum += big(ledger.claimable(id, asset));
  return sum;
}

void HistorySampler::sample_if_due(const Ledger& ledger, Timestamp time) {
  if (every_s_ && time < next_due_) return;  // thinned: its accruals go to the next sample
  sample(ledger, time);
}

void HistorySampler::sample(const Ledger& ledger, Timestamp time) {
  YL_ASSERT(time >= last_sample_);
  const std::int64_t period_s = time.seconds - last_sample_.seconds;
  PeriodApys apys;
  for (Asset asset : kAssets) {
    apys[index_of(asset)] = price_apy_percent(last_sample_price_[index_of(asset)],
                                              ledger.book(asset).shares.price(), period_s);
  }
  write_ledger_rows(ledger, time, period_s, apys);
  write_balance_rows(ledger, time);
  add_chart_point(ledger, time, apys);
  for (Asset asset : kAssets) {
    last_sample_price_[index_of(asset)] = ledger.book(asset).shares.price();
  }
  last_sample_ = time;
  if (every_s_) next_due_ = next_multiple_after(start_, *every_s_, time);
  ++samples_;
}

void HistorySampler::write_ledger_rows(const Ledger& ledger, Timestamp time, std::int64_t period_s,
                                       const PeriodApys& apys) {
  if (outputs_.ledger_history == nullptr) return;
  for (Asset asset : kAssets) {
    const std::size_t a = index_of(asset);
    const AssetBook& book = ledger.book(asset);
    // Balances are the rest of Σ(balance + claimable) = P·C + Σr + Σf(VOID) (SPEC §3.3). Each
    // position is below 2^256 but their sum need not be (SPEC §6 bounds what is stored, not sums
    // of it): unbounded integers.
    const BigInt price = big(book.shares.price());
    const BigInt claimable = claimable_sum(ledger, asset);
    const BigInt balances = price * big(book.shares.total_shares()) +
                            big(book.shares.remainder_sum()) + big(book.shares.void_fixed_sum()) -
                            claimable;
    const std::string apy = apys[a].value_or("");
    outputs_.ledger_history->row({format_timestamp(time),
                                  std::string(asset_name(asset)),
                                  book.shares.price().wei_string(),
                                  book.shares.pending().wei_string(),
                                  book.shares.total_shares().wei_string(),
                                  book.buffer.wei_string(),
                                  units(book.buffer),
                                  book.debt.wei_string(),
                                  units(book.debt),
                                  book.insurance.wei_string(),
                                  units(book.insurance),
                                  book.retained.wei_string(),
                                  units(book.retained),
                                  book.revenue.wei_string(),
                                  units(book.revenue),
                                  book.stream.locked().wei_string(),
                                  units(book.stream.locked()),
                                  balances.str(),
                                  wide_units(balances),
                                  claimable.str(),
                                  wide_units(claimable),
                                  std::to_string(period_s),
                                  apy,
                                  float_text(apy)});
  }
}

void HistorySampler::write_balance_rows(const Ledger& ledger, Timestamp time) {
  const std::string when = format_timestamp(time);
  for (const AccountId id : selected_ids_) {
    const AccountInfo& info = ledger.info(id);
    for (Asset asset : kAssets) {
      const std::size_t a = index_of(asset);
      if (!is_selected_[id][a]) continue;
      settle(ledger, id, asset);
      const Position p = ledger.position_of(id, asset);
      // The pair of refresh(): a position that changed unseen would make `accrued` wrong.
      YL_ASSERT(holdings_[id][a].shares == p.shares);
      const BigInt accrued = std::exchange(holdings_[id][a].accrued, BigInt(0));
      if (outputs_.balance_history == nullptr) continue;
      const Amount balance = ledger.balance(id, asset);
      const Amount claimable = ledger.claimable(id, asset);
      outputs_.balance_history->row(
          {when, std::string(info.name), std::string(account_kind_name(info.kind)),
           std::string(asset_name(asset)), std::string(yield_mode_name(p.mode)),
           balance.wei_string(), units(balance), claimable.wei_string(), units(claimable),
           p.shares.wei_string(), accrued.str(), wide_units(accrued)});
      ++balance_rows_;
    }
  }
}

void HistorySampler::add_chart_point(const Ledger& ledger, Timestamp time, const PeriodApys& apys) {
  charts_.times.push_back(time.seconds);
  for (Asset asset : kAssets) {
    const std::size_t a = index_of(asset);
    const AssetBook& book = ledger.book(asset);
    charts_.charts[kPrice].series[a].values.push_back(to_double(book.shares.price().wei_string()));
    charts_.charts[kApy].series[a].values.push_back(apys[a] ? to_double(*apys[a]) : 0.0);
    ChartSpec& reserves = charts_.charts[kReserves + a];
    reserves.series[0].values.push_back(to_double(units(book.insurance)));
    reserves.series[1].values.push_back(to_double(units(book.debt)));
    // SPEC §9.1: S − R is locked now; the drips of the window so far are released.
    ChartSpec& stream = charts_.charts[kStream + a];
    stream.series[0].values.push_back(to_double(units(book.stream.locked())));
    stream.series[1].values.push_back(to_double(wide_units(released_[a])));
    any_locked_ = any_locked_ || !book.stream.locked().is_zero();
    ChartSpec& holders = charts_.charts[kHolders + a];
    for (std::size_t i = 0; i < holders.series.size(); ++i) {
      const auto id = chart_ids_[a][i];
      const Amount held = id && *id < ledger.account_count()
                              ? ledger.balance(*id, asset) + ledger.claimable(*id, asset)
                              : Amount();
      holders.series[i].values.push_back(to_double(units(held)));
    }
  }
}

}  // namespace yl
