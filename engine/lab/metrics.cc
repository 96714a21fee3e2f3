#include "engine/lab/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/core/ledger.h"

namespace yl::lab {
namespace {

constexpr std::int64_t kYear = 31'536'000;

// floor(a / b) for b > 0 (boost divides toward zero).
S512 floor_div(const S512& a, const S512& b) {
  S512 q = a / b;
  if (a < 0 && q * b != a) q -= 1;
  return q;
}

std::string text(const S512& v) { return v.str(); }

// One account's flows of one asset: what came in from outside its own yield, what went out, and
// ∫ max(0, in − out) dt, its capital-time (wei·seconds). Exact: in signed 128-bit integers while
// every step fits (each checked), in S512 for good from the first step that would not. A real
// population never leaves 128 bits; S512 arithmetic on every event was a hot spot of the lab.
struct Flow {
  __extension__ using I128 = __int128;
  I128 in = 0, out = 0, capital_time = 0;
  std::int64_t last = 0;
  bool touched = false;
  // {in, out, capital_time}, once widened. Held apart, so that a Flow is 80 bytes, not 320: the
  // run touches an account's flows at random, and 10,000 accounts' flows then fit in cache.
  std::unique_ptr<std::array<S512, 3>> wide;

  S512 in_wei() const { return wide ? (*wide)[0] : S512(in); }
  S512 out_wei() const { return wide ? (*wide)[1] : S512(out); }
  S512 capital_time_wei_s() const { return wide ? (*wide)[2] : S512(capital_time); }

  void to(std::int64_t t) {
    if (touched && !wide) {
      I128 net = 0, step = 0, sum = 0;
      if (__builtin_sub_overflow(in, out, &net) ||
          (net > 0 && (__builtin_mul_overflow(net, I128{t - last}, &step) ||
                       __builtin_add_overflow(capital_time, step, &sum)))) {
        widen();  // nothing was changed: the S512 path below takes the step
      } else if (net > 0) {
        capital_time = sum;
      }
    }
    if (touched && wide) {
      const S512 net = (*wide)[0] - (*wide)[1];
      if (net > 0) (*wide)[2] += net * (t - last);
    }
    last = t;
  }
  void add(std::int64_t t, const Amount& wei, bool incoming) {
    to(t);
    touched = true;
    if (!wide) {
      I128& total = incoming ? in : out;
      const auto value = wei.as_u128();
      I128 sum = 0;
      if (value && *value >> 126 == 0 &&
          !__builtin_add_overflow(total, static_cast<I128>(*value), &sum)) {
        total = sum;
        return;
      }
      widen();
    }
    (*wide)[incoming ? 0 : 1] += wei.signed_wide();
  }
  void add_in(std::int64_t t, const Amount& wei) { add(t, wei, true); }
  void add_out(std::int64_t t, const Amount& wei) { add(t, wei, false); }
  // The gas a dapp claimed: its value after the claim less before (never negative).
  void add_in(std::int64_t t, const S512& wei) {
    YL_ASSERT(wei >= 0);
    add(t, Amount::from_u512(wei.convert_to<U512>()), true);
  }

 private:
  void widen() {
    if (!wide) {
      wide = std::make_unique<std::array<S512, 3>>(
          std::array<S512, 3>{S512(in), S512(out), S512(capital_time)});
    }
  }
};

struct Aggregate {
  S512 yield = 0;
  S512 discount = 0;
  S512 exit_discount = 0;
  S512 capital_time = 0;
  std::int64_t accounts = 0;
};

struct AssetWatch {
  Amount insurance_min;
  bool insurance_seen = false;
  Amount insurance_peak;
  Amount insurance_drawdown;
  Amount debt_max;
  std::int64_t debt_seconds = 0;
  std::int64_t last = 0;
  bool in_debt = false;
  std::int64_t discounted = 0;
  Amount discount;
  // Σ over the run's reports (SPEC §7.1's columns), in 512 bits: where the sources' yield went
  // (helper-72's F3: a results file could not say what the sources earned, nor what of
  // protocol_revenue_wei was §9.4's fee).
  S512 source_yield = 0;  // Σ yield_wei (a loss negative)
  S512 fee = 0;           // Σ fee_wei, to insurance
  S512 cover = 0;         // Σ cover_wei, from insurance
  S512 protocol_fee = 0;  // Σ protocol_fee_wei, to revenue (§9.4)
  S512 void_share = 0;    // Σ void_share_wei, to @fee_vault (§9.2)
  S512 socialized = 0;    // Σ socialized_wei (§9.3)
};

class Simulation {
 public:
  Simulation(const Study& study, const Generated& generated, std::int64_t series_every_s)
      : study_(study),
        generated_(generated),
        ledger_(study.scenario.params),
        series_every_s_(series_every_s),
        flows_(generated.accounts.size()),
        rejected_by_plan_(generated.accounts.size()),
        cut_by_plan_(generated.accounts.size()) {
    const std::int64_t start = study.scenario.params.start.seconds;
    for (AssetWatch& w : watch_) w.last = start;
    next_sample_ = series_every_s > 0 ? start + series_every_s : INT64_MAX;
  }

  RunMetrics run() {
    // No prefetch of the accounts ahead (as `run` has): at a lab run's size it measured slower.
    for (const Event& event : generated_.events) {
      sample_until(event.time.seconds - 1);
      reports_until(event.time);
      step(event);
      ledger_.clear_journal();
      if ((++applied_ & 1023) == 0) tally_reports();
    }
    const Timestamp end = ledger_.params().end;
    sample_until(end.seconds);
    reports_until(end);
    observe(end.seconds);
    tally_reports();
    ledger_.settle();
    return reduce();
  }

 private:
  std::size_t plan_of(std::string_view name) const {
    // The generator's names: u<number> for users, d<number> for dapps.
    std::size_t number = 0;
    const char* end = name.data() + name.size();
    const auto [ptr, error] = std::from_chars(name.data() + 1, end, number);
    YL_ASSERT(name.size() > 1 && error == std::errc() && ptr == end);
    return name[0] == 'u' ? number : static_cast<std::size_t>(study_.population.users) + number;
  }

  // The reports made since the last tally, added to their asset's sums and let go.
  void tally_reports() {
    for (const ReportRecord& report : ledger_.take_reports()) {
      AssetWatch& w = watch_[index_of(report.asset)];
      for (const SourceYield& s : report.sources) {
        w.source_yield += s.yield.signed_wide();
        w.fee += s.fee.signed_wide();
        w.cover += s.cover.signed_wide();
        w.protocol_fee += s.protocol_fee.signed_wide();
      }
      w.void_share += report.void_share.signed_wide();
      w.socialized += report.socialized.signed_wide();
    }
  }

  // A scheduled report that overflows is rolled back and stays due (Ledger::advance_to): the
  // ledger can go no further, so every later event is rejected and counted by step(). It is not
  // an event, so not counted itself, and it is tried once here, not again and again.
  void reports_until(Timestamp t) {
    while (const auto next = ledger_.next_scheduled_report()) {
      if (*next > t || ledger_.advance_to(*next)) break;
      observe(next->seconds);
    }
  }

  void sample_until(std::int64_t t) {
    while (next_sample_ <= t && next_sample_ <= ledger_.params().end.seconds) {
      reports_until(Timestamp{next_sample_});
      ledger_.settle();  // SPEC §9.1's state as of the last event (Ledger::settle)
      for (const Asset asset : kAssets) {
        const AssetBook& book = ledger_.book(asset);
        const Timestamp at{next_sample_};
        metrics_.series.push_back({at, asset, "price", book.shares.price().wei_string()});
        metrics_.series.push_back({at, asset, "debt_wei", book.debt.wei_string()});
        metrics_.series.push_back({at, asset, "insurance_wei", book.insurance.wei_string()});
        metrics_.series.push_back({at, asset, "locked_wei", book.stream.locked().wei_string()});
      }
      next_sample_ += series_every_s_;
    }
  }

  void observe(std::int64_t t) {
    for (const Asset asset : kAssets) {
      AssetWatch& w = watch_[index_of(asset)];
      const AssetBook& book = ledger_.book(asset);
      if (w.in_debt) w.debt_seconds += t - w.last;
      w.last = t;
      w.in_debt = !book.debt.is_zero();
      w.debt_max = std::max(w.debt_max, book.debt);
      if (!book.insurance.is_zero() || w.insurance_seen) {
        w.insurance_min =
            w.insurance_seen ? std::min(w.insurance_min, book.insurance) : book.insurance;
        w.insurance_seen = true;
        w.insurance_peak = std::max(w.insurance_peak, book.insurance);
        w.insurance_drawdown = std::max(w.insurance_drawdown, w.insurance_peak - book.insurance);
      }
    }
  }

  Flow& flow(const std::string& account, Asset asset) {
    return flows_[plan_of(account)][index_of(asset)];
  }

  S512 value_of(const std::string& account, Asset asset) const {
    const AccountId id = *ledger_.find_account(account);
    return ledger_.balance(id, asset).signed_wide() + ledger_.claimable(id, asset).signed_wide();
  }

  void step(const Event& event) {
    const std::int64_t t = event.time.seconds;
    std::optional<Asset> withdrawn;
    Amount debt_before, retained_before;
    S512 gas_before = 0;
    if (const auto* w = std::get_if<Withdraw>(&event.body)) {
      withdrawn = w->asset;
      debt_before = ledger_.book(w->asset).debt;
      retained_before = ledger_.book(w->asset).retained;
    } else if (const auto* c = std::get_if<ClaimGas>(&event.body)) {
      ledger_.settle();  // the balance as of the last event, as the claim's own drip leaves it
      gas_before = value_of(c->dapp, Asset::eth);
    }
    // A withdrawal a socialized loss left short leaves with what the account holds (generate
    // writes it so, generator.h); any other rejected event is skipped.
    const Applied outcome = apply_generated(ledger_, event);
    if (outcome.rejected) {
      ++rejected_;
      if (const auto account = actor_of(event.body)) ++rejected_by_plan_[plan_of(*account)];
      return;
    }
    if (outcome.cut) ++cut_by_plan_[plan_of(std::get<Withdraw>(outcome.cut->body).account)];
    const Event& applied = outcome.cut ? *outcome.cut : event;
    ++metrics_.events;
    std::visit(
        [&](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, Deposit>) {
            flow(e.account, credited_asset(e.asset)).add_in(t, to_l2_wei(e.asset, e.amount));
          } else if constexpr (std::is_same_v<T, Withdraw>) {
            flow(e.account, e.asset).add_out(t, e.amount);  // capital leaves at the amount debited
          } else if constexpr (std::is_same_v<T, Transfer>) {
            flow(e.from, e.asset).add_out(t, e.amount);
            flow(e.to, e.asset).add_in(t, e.amount);
          } else if constexpr (std::is_same_v<T, PayGas>) {
            flow(e.payer, Asset::eth).add_out(t, e.amount);
          } else if constexpr (std::is_same_v<T, ClaimGas>) {
            flow(e.dapp, Asset::eth).add_in(t, value_of(e.dapp, Asset::eth) - gas_before);
          }
        },
        applied.body);
    if (withdrawn) {
      // SPEC §5.5: the discount X − payout is the debt it repaid plus what was retained. The
      // account paid it: its yield counts the payout, what reached L1, not the amount debited.
      const AssetBook& book = ledger_.book(*withdrawn);
      const Amount discount = (debt_before - book.debt) + (book.retained - retained_before);
      if (!discount.is_zero()) {
        AssetWatch& w = watch_[index_of(*withdrawn)];
        ++w.discounted;
        w.discount += discount;
        const auto& account = std::get<Withdraw>(applied.body).account;
        discounts_[plan_of(account) * 2 + index_of(*withdrawn)] += discount.signed_wide();
      }
    }
    observe(t);
  }

  void put_int(std::string name, std::string cohort, std::string asset, std::string value) {
    metrics_.metrics.push_back(
        {std::move(name), std::move(cohort), std::move(asset), std::move(value), std::nullopt});
  }
  void put_real(std::string name, std::string cohort, std::string asset, double value) {
    metrics_.metrics.push_back(
        {std::move(name), std::move(cohort), std::move(asset), std::nullopt, value});
  }

  // A count of events, the run's and by the cohorts of the account whose event it was (users,
  // dapps and strategies: a socialized loss acts on the strategies' exits, helper-48's F7), asset
  // '' for each.
  void put_counts(const std::string& name, std::int64_t total,
                  const std::vector<std::int64_t>& by_plan) {
    put_int(name, "", "", std::to_string(total));
    std::map<std::string, std::int64_t> by_cohort;
    for (std::size_t i = 0; i < by_plan.size(); ++i) {
      for (const std::string& cohort : group_and_strategy(generated_.accounts[i])) {
        by_cohort[cohort] += by_plan[i];
      }
    }
    for (const auto& [cohort, count] : by_cohort) put_int(name, cohort, "", std::to_string(count));
  }

  // The cohorts an account is in, whatever the asset: its kind's (`users`, `dapps`) and its
  // strategy's (a dapp's is `dapp`); per asset also strategy/kind/MODE (reduce()).
  static std::array<std::string, 2> group_and_strategy(const AccountPlan& plan) {
    const bool user = plan.kind == AccountKind::user;
    return {user ? "users" : "dapps", std::string(user ? strategy_name(plan.strategy) : "dapp")};
  }

  RunMetrics reduce() {
    const std::int64_t end = ledger_.params().end.seconds;
    put_int("events", "", "", std::to_string(metrics_.events));
    put_counts("rejected_events", rejected_, rejected_by_plan_);
    put_counts("withdrawals_cut",
               std::accumulate(cut_by_plan_.begin(), cut_by_plan_.end(), std::int64_t{0}),
               cut_by_plan_);
    std::map<std::string, std::array<Aggregate, 2>> cohorts;
    std::array<std::vector<double>, 2> per_capital_time;
    // What a withdrawal at end would be paid per RAY (§5.5), its sources accrued to end (the
    // ledger stands at its last event or report: helper-61's R1): below RAY while debt is owed.
    const Timestamp end_time = ledger_.params().end;
    const std::array<Amount, 2> exit_price_ray = {
        ledger_.withdrawal_price_ray(Asset::eth, end_time),
        ledger_.withdrawal_price_ray(Asset::usdb, end_time)};
    for (std::size_t i = 0; i < flows_.size(); ++i) {
      const AccountPlan& plan = generated_.accounts[i];
      const auto id = ledger_.find_account(plan.name);
      if (!id) continue;
      for (const Asset asset : kAssets) {
        Flow& f = flows_[i][index_of(asset)];
        if (!f.touched) continue;
        f.to(end);
        const Amount held = ledger_.balance(*id, asset) + ledger_.claimable(*id, asset);
        const S512 value = held.signed_wide();
        // The discount its holding would pay withdrawn at end, alone (floor: the payout's).
        const S512 exit_discount =
            (held - mul_div_floor(held, exit_price_ray[index_of(asset)], ray())).signed_wide();
        const auto paid = discounts_.find(i * 2 + index_of(asset));
        const S512 discount = paid == discounts_.end() ? S512(0) : paid->second;
        const S512 yield = value + f.out_wei() - discount - f.in_wei();
        const YieldMode mode =
            plan.asset == asset ? plan.mode : initial_yield_mode(plan.kind, asset);
        const auto [group, strategy] = group_and_strategy(plan);
        for (const std::string& cohort :
             {std::string(), group, strategy,
              fmt::format("{}/{}/{}", strategy, account_kind_name(plan.kind),
                          yield_mode_name(mode))}) {
          Aggregate& a = cohorts[cohort][index_of(asset)];
          a.yield += yield;
          a.discount += discount;
          a.exit_discount += exit_discount;
          a.capital_time += f.capital_time_wei_s();
          ++a.accounts;
        }
        if (f.capital_time_wei_s() > 0) {
          per_capital_time[index_of(asset)].push_back(yield.convert_to<double>() /
                                                      f.capital_time_wei_s().convert_to<double>());
        }
      }
    }
    for (const Asset asset : kAssets) {
      const std::string a(asset_name(asset));
      std::map<std::string, S512> apy;
      for (const auto& [cohort, by_asset] : cohorts) {
        const Aggregate& g = by_asset[index_of(asset)];
        if (g.accounts == 0) continue;
        put_int("accounts", cohort, a, std::to_string(g.accounts));
        put_int("yield_wei", cohort, a, text(g.yield));
        put_int("exit_discount_wei", cohort, a, text(g.exit_discount));
        put_int("exit_yield_wei", cohort, a, text(g.yield - g.exit_discount));
        // The whole run's is written below, with or without accounts; the same sum.
        if (cohort.empty()) {
          YL_ASSERT(g.discount == watch_[index_of(asset)].discount.signed_wide());
        } else {
          put_int("discount_wei", cohort, a, text(g.discount));
        }
        put_int("capital_time_wei_s", cohort, a, text(g.capital_time));
        if (g.capital_time > 0) {
          apy[cohort] = floor_div(g.yield * kYear * 1'000'000, g.capital_time);
          put_int("apy_ppm", cohort, a, text(apy[cohort]));
        }
      }
      if (apy.contains("sniper") && apy.contains("passive")) {
        put_int("sniper_excess_ppm", "", a, text(apy["sniper"] - apy["passive"]));
      }
      std::vector<double>& x = per_capital_time[index_of(asset)];
      std::sort(x.begin(), x.end());
      double sum = 0, weighted = 0;
      const auto n = static_cast<double>(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        sum += x[i];
        weighted += (2.0 * static_cast<double>(i + 1) - n - 1) * x[i];
      }
      if (x.size() >= 2 && sum > 0) put_real("gini", "", a, weighted / (n * sum));
      const AssetBook& book = ledger_.book(asset);
      const AssetWatch& w = watch_[index_of(asset)];
      YL_ASSERT(all_yield(cohorts, asset) == yield_budget(asset));
      // @fee_vault starts empty, so its balance is what it gained; revenue is §9.4's. Their sum
      // may pass 2^256 only in 512 bits, where it is exact.
      put_int("protocol_revenue_wei", "", a,
              (ledger_.balance(kFeeVaultAccount, asset).wide() + book.revenue.wide()).str());
      put_int("fee_vault_end_wei", "", a, ledger_.balance(kFeeVaultAccount, asset).wei_string());
      put_int("revenue_end_wei", "", a, book.revenue.wei_string());
      put_int("source_yield_wei", "", a, text(w.source_yield));
      put_int("insurance_fee_wei", "", a, text(w.fee));
      put_int("insurance_cover_wei", "", a, text(w.cover));
      put_int("protocol_fee_wei", "", a, text(w.protocol_fee));
      put_int("void_share_wei", "", a, text(w.void_share));
      put_int("socialized_wei", "", a, text(w.socialized));
      put_int("insurance_end_wei", "", a, book.insurance.wei_string());
      put_int("insurance_min_wei", "", a, w.insurance_seen ? w.insurance_min.wei_string() : "0");
      put_int("insurance_drawdown_wei", "", a, w.insurance_drawdown.wei_string());
      put_int("debt_max_wei", "", a, w.debt_max.wei_string());
      put_int("debt_seconds", "", a, std::to_string(w.debt_seconds));
      put_int("debt_end_wei", "", a, book.debt.wei_string());
      put_int("locked_end_wei", "", a, book.stream.locked().wei_string());
      put_int("dust_wei", "", a,
              (book.shares.remainder_sum() + book.shares.pending()).wei_string());
      put_int("pending_end_wei", "", a, book.shares.pending().wei_string());
      put_int("retained_end_wei", "", a, book.retained.wei_string());
      put_int("discounted_withdrawals", "", a, std::to_string(w.discounted));
      put_int("discount_wei", "", a, w.discount.wei_string());
      put_int("price_end", "", a, book.shares.price().wei_string());
    }
    return std::move(metrics_);
  }

  static S512 all_yield(const std::map<std::string, std::array<Aggregate, 2>>& cohorts,
                        Asset asset) {
    const auto all = cohorts.find("");
    return all == cohorts.end() ? S512(0) : all->second[index_of(asset)].yield;
  }

  // What the generated accounts' yield_wei must add up to, from the books alone (helper-72's F4):
  // what the sources reported, less insurance's fee and plus its cover, less the protocol's fee
  // and the void shares, plus the debt still owed (balances at face value), less what is still
  // pending, retained or locked. It follows from SPEC §6 at end: the deposits and payouts cancel
  // against the flows, and the gas paid less the gas claimed is what @gas and @fee_vault hold
  // beside the void shares. Exact, so a flow the lab counted wrong cannot hide.
  S512 yield_budget(Asset asset) const {
    const AssetBook& book = ledger_.book(asset);
    const AssetWatch& w = watch_[index_of(asset)];
    return w.source_yield - w.fee + w.cover - w.protocol_fee - w.void_share +
           book.debt.signed_wide() - book.shares.pending().signed_wide() -
           book.retained.signed_wide() - book.stream.locked().signed_wide();
  }

  const Study& study_;
  const Generated& generated_;
  Ledger ledger_;
  std::int64_t series_every_s_;
  std::int64_t next_sample_;
  std::vector<std::array<Flow, 2>> flows_;
  // The §5.5 discounts an account's withdrawals paid, by flow (plan × 2 + asset); few accounts
  // withdraw in debt, so apart from the flows.
  std::unordered_map<std::size_t, S512> discounts_;
  std::array<AssetWatch, 2> watch_;
  std::int64_t rejected_ = 0;
  std::vector<std::int64_t> rejected_by_plan_;  // by plan (generated_.accounts)
  std::vector<std::int64_t> cut_by_plan_;       // withdrawals cut (apply_generated), by plan
  std::uint64_t applied_ = 0;
  RunMetrics metrics_;
};

}  // namespace

const std::vector<MetricInfo>& metric_infos() {
  static const std::vector<MetricInfo> kInfos = {
      {"events", "int", "count", "events applied"},
      {"rejected_events", "int", "count",
       "generated events the ledger rejected, skipped (0 unless a loss came first: a withdrawal "
       "between a slash and its report that the buffer and sources cannot pay, SPEC §5.5, or "
       "under §9.3 socialize a transfer or gas payment of more than is left; README \"Valid by "
       "construction, but for losses\"; not the withdrawals cut: withdrawals_cut); per "
       "users/dapps and strategy cohort: those of its accounts"},
      {"withdrawals_cut", "int", "count",
       "generated withdrawals for more than the account held after a socialized loss (SPEC "
       "§9.3), made for what it held; per users/dapps and strategy cohort: those of its accounts"},
      {"accounts", "int", "count", "accounts of the cohort that held the asset"},
      {"yield_wei", "int", "wei",
       "Σ (balance + claimable at end + what left − what came in): yield earned; a withdrawal "
       "left at its payout (less its §5.5 discount); balances at end at face value (debt_end_wei "
       "not taken from them)"},
      {"exit_discount_wei", "int", "wei",
       "Σ (x − ⌊x·π/RAY⌋), x = balance + claimable at end, π the §5.5 withdrawal price at end: "
       "what the holdings would pay the debt still owed, each withdrawn alone at end (0 without "
       "debt)"},
      {"exit_yield_wei", "int", "wei",
       "yield_wei − exit_discount_wei: the yield with the balances at end valued at what a "
       "withdrawal would pay"},
      {"capital_time_wei_s", "int", "wei·s",
       "Σ ∫ max(0, in − out) dt: capital-time (a withdrawal out at the amount debited)"},
      {"apy_ppm", "int", "ppm",
       "realized APY per unit capital-time: floor(yield × YEAR × 10^6 / capital-time)"},
      {"sniper_excess_ppm", "int", "ppm",
       "apy_ppm of snipers − apy_ppm of the passive cohort (every mode, VOID holders too)"},
      {"gini", "real", "ratio",
       "Gini of yield per unit capital-time over accounts (sorted: Σ(2i − n − 1)x / (n Σx))"},
      {"protocol_revenue_wei", "int", "wei",
       "@fee_vault's balance at end + revenue (§9.4): fee_vault_end_wei + revenue_end_wei"},
      {"fee_vault_end_wei", "int", "wei",
       "@fee_vault's balance at end: gas penalties (§4.3) and void shares (§9.2)"},
      {"revenue_end_wei", "int", "wei", "revenue at end: the protocol fees of §9.4"},
      {"source_yield_wei", "int", "wei",
       "Σ yield_wei of the reports: what the sources earned, before any fee (a loss negative)"},
      {"insurance_fee_wei", "int", "wei", "Σ fee_wei of the reports: to insurance"},
      {"insurance_cover_wei", "int", "wei",
       "Σ cover_wei of the reports: from insurance, against losses"},
      {"protocol_fee_wei", "int", "wei", "Σ protocol_fee_wei of the reports: to revenue (§9.4)"},
      {"void_share_wei", "int", "wei",
       "Σ void_share_wei of the reports: the VOID balances' share, to @fee_vault (§9.2)"},
      {"socialized_wei", "int", "wei",
       "Σ socialized_wei of the reports: losses taken from pending and the price (§9.3)"},
      {"insurance_end_wei", "int", "wei", "insurance at end"},
      {"insurance_min_wei", "int", "wei", "lowest insurance after it first became positive"},
      {"insurance_drawdown_wei", "int", "wei", "largest fall of insurance from its running peak"},
      {"debt_max_wei", "int", "wei", "largest debt D"},
      {"debt_seconds", "int", "seconds", "time with D > 0"},
      {"debt_end_wei", "int", "wei", "debt at end"},
      {"locked_end_wei", "int", "wei", "profit still locked at end (§9.1)"},
      {"dust_wei", "int", "wei", "Σ share remainders + pending at end"},
      {"pending_end_wei", "int", "wei",
       "Q at end (SPEC §3.4): yield added but not yet a whole step of the share price"},
      {"retained_end_wei", "int", "wei",
       "retained at end: the §5.5 discounts beyond the debt they repaid"},
      {"discounted_withdrawals", "int", "count", "withdrawals paid at a discount (§5.5)"},
      {"discount_wei", "int", "wei",
       "Σ (amount − payout) of those withdrawals (per cohort: of the cohort's withdrawals)"},
      {"price_end", "int", "wei/share", "share price at end (wei per share)"},
  };
  return kInfos;
}

RunMetrics simulate(const Study& study, const Generated& generated, std::int64_t series_every_s) {
  return Simulation(study, generated, series_every_s).run();
}

}  // namespace yl::lab
