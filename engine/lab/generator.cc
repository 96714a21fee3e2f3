#include "engine/lab/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/core/ledger.h"
#include "engine/core/rejection.h"
#include "engine/input/input_error.h"
#include "engine/lab/prng.h"
#include "engine/output/output_file.h"
#include "engine/usage_error.h"

namespace yl::lab {
namespace {

__extension__ typedef unsigned __int128 u128;  // GCC and Clang; exact sums of wei
constexpr std::int64_t kYear = 31'536'000;     // SPEC: YEAR
constexpr std::int64_t kDay = 86'400;

Amount amount_of(u128 x) {
  const Amount two32 = Amount::from_u64(1ULL << 32);
  return Amount::from_u64(static_cast<std::uint64_t>(x >> 64)) * two32 * two32 +
         Amount::from_u64(static_cast<std::uint64_t>(x));
}

// A draw of a log-normal size, floored to micro-units, at least 1 and at most 10^15 (10^9 units).
std::uint64_t draw_micro(Rng& rng, const DepositModel& model, double scale) {
  const double units = model.median_units * scale * det_exp(model.spread * rng.normal());
  const double micro = std::floor(units * 1e6);
  if (!(micro >= 1)) return 1;
  if (micro > 1e15) return 1'000'000'000'000'000ULL;
  return static_cast<std::uint64_t>(micro);
}

// Wei of an 18-decimal asset for micro-units (10^12 each).
Amount wei_of_micro(std::uint64_t micro) {
  return Amount::from_u64(micro) * Amount::from_u64(1'000'000'000'000ULL);
}

// Base units of `asset` for micro-units (USDC and USDT have 6 decimals, the others 18).
Amount base_units(DepositAsset asset, std::uint64_t micro) {
  return decimals_of(asset) == 6 ? Amount::from_u64(micro) : wei_of_micro(micro);
}

template <std::size_t N>
std::size_t pick(Rng& rng, const std::array<double, N>& weights) {
  double total = 0;
  for (const double w : weights) total += w;
  const double x = rng.uniform() * total;
  double at = 0;
  for (std::size_t i = 0; i < N; ++i) {
    at += weights[i];
    if (x < at && weights[i] > 0) return i;
  }
  for (std::size_t i = N; i-- > 0;) {
    if (weights[i] > 0) return i;
  }
  return 0;
}

std::size_t pick_strategy(Rng& rng, const std::vector<Strategy>& strategies) {
  double total = 0;
  for (const Strategy& s : strategies) total += s.share;
  const double x = rng.uniform() * total;
  double at = 0;
  for (std::size_t i = 0; i < strategies.size(); ++i) {
    at += strategies[i].share;
    if (x < at && strategies[i].share > 0) return i;
  }
  for (std::size_t i = strategies.size(); i-- > 0;) {
    if (strategies[i].share > 0) return i;
  }
  return 0;
}

// Stable by time (time_order), moving each Event once.
void sort_by_time(std::vector<Event>& events) {
  std::vector<Event> sorted;
  sorted.reserve(events.size());
  for (const std::size_t i : time_order(events)) sorted.push_back(std::move(events[i]));
  events.swap(sorted);
}

// An exponential gap of mean 1/rate days, in whole seconds (floor), at least 1.
std::int64_t gap_seconds(Rng& rng, double rate_per_day) {
  const double s = std::floor(rng.exponential(rate_per_day) * kDay);
  return s >= 1e15 ? 1'000'000'000'000'000LL
                   : std::max<std::int64_t>(1, static_cast<std::int64_t>(s));
}

struct UserPlan {
  Timestamp arrival;
  const Strategy* strategy = nullptr;
  YieldMode mode = YieldMode::automatic;
  DepositAsset l1 = DepositAsset::eth;
  Asset l2 = Asset::eth;
  std::uint64_t size_micro = 0;
};

class Builder {
 public:
  Builder(const Study& study, std::uint64_t seed, std::size_t max_events, GeneratorMemory& memory)
      : study_(study),
        seed_(seed),
        max_events_(max_events),
        events_(memory.drawn),
        out_(memory.generated) {
    events_.clear();
    out_.events.clear();
    out_.accounts.clear();
    const LedgerParams& p = study.scenario.params;
    // The report times in (start, end]; stepped so that t never overflows, whatever
    // report_every (as the ledger's own schedule: a step is taken only while it fits).
    if (p.report_every_s > 0 && p.report_every_s <= p.end.seconds - p.start.seconds) {
      for (std::int64_t t = p.start.seconds + p.report_every_s;; t += p.report_every_s) {
        reports_.push_back(Timestamp{t});
        if (p.report_every_s > p.end.seconds - t) break;
      }
    }
  }

  void build() {
    const Population& pop = study_.population;
    const Timestamp start = study_.scenario.params.start;
    for (std::int64_t j = 0; j < pop.dapps; ++j) {
      const std::string name = fmt::format("d{}", j);
      emit(start, OpenAccount{name, AccountKind::dapp});
      emit(start, SetGasMode{name, GasMode::claimable});
    }
    gas_times_.resize(static_cast<std::size_t>(pop.dapps));
    plan_users();
    for (std::int64_t j = 0; j < pop.dapps; ++j) {  // accounts: users, then dapps
      out_.accounts.push_back({fmt::format("d{}", j), AccountKind::dapp, StrategyKind::passive,
                               Asset::eth, YieldMode::void_mode});
    }
    for (std::size_t i = 0; i < plans_.size(); ++i) user_events(i);
    dapp_claims();
    std::vector<Event> source_events = rate_events();
    std::vector<std::pair<Timestamp, std::pair<std::size_t, std::int64_t>>> slashes = slash_draws();
    merge_with_l1_model(std::move(source_events), std::move(slashes));
  }

 private:
  void emit(Timestamp t, EventBody body) {
    if (events_.size() + drawn_ == max_events_) too_many_events();
    events_.push_back(Event{t, std::move(body)});
  }

  // A rate change or a slash, drawn apart from the population's events: they count against the
  // bound too (helper-44's F1: a walk of step "1s" made 10.6 M events in 2.75 GB, unrefused).
  void count_drawn() {
    if (events_.size() + drawn_ == max_events_) too_many_events();
    ++drawn_;
  }

  [[noreturn, gnu::cold]] void too_many_events() const {
    throw UsageError(fmt::format(
        "{}: a run of this study generates more than {} events (seed {}); lower [population]'s "
        "users or rates, or lengthen the strategies' periods (claim_every, stay, away) or the "
        "sources' rate steps",
        study_.file, max_events_, seed_));
  }

  void plan_users() {
    const Population& pop = study_.population;
    const LedgerParams& p = study_.scenario.params;
    for (std::int64_t i = 0; i < pop.users; ++i) {
      Rng rng(derive_seed(seed_, "user", static_cast<std::uint64_t>(i)));
      UserPlan plan;
      const auto window =
          static_cast<std::uint64_t>(std::min(pop.arrival_s, p.end.seconds - p.start.seconds));
      plan.arrival = Timestamp{p.start.seconds + static_cast<std::int64_t>(rng.below(window + 1))};
      plan.strategy = &study_.strategies[pick_strategy(rng, study_.strategies)];
      plan.l1 = static_cast<DepositAsset>(
          std::array{DepositAsset::eth, DepositAsset::usdc, DepositAsset::usdt,
                     DepositAsset::dai}[pick(rng, pop.asset_weights)]);
      plan.l2 = credited_asset(plan.l1);
      plan.mode = static_cast<YieldMode>(pick(rng, pop.mode_weights));
      if (plan.strategy->kind == StrategyKind::claimer) plan.mode = YieldMode::claimable;
      if (plan.strategy->kind == StrategyKind::sniper) {
        plan.mode = plan.strategy->via_configure ? YieldMode::void_mode : YieldMode::automatic;
      }
      const double scale = plan.strategy->kind == StrategyKind::whale ? plan.strategy->size : 1;
      plan.size_micro = draw_micro(rng, plan.l2 == Asset::eth ? pop.eth : pop.usd, scale);
      plans_.push_back(plan);
      out_.accounts.push_back(
          {fmt::format("u{}", i), AccountKind::user, plan.strategy->kind, plan.l2, plan.mode});
    }
  }

  // A user other than `self`, open before `t`, that is no sniper (a sniper holds nothing
  // between reports): the first of four draws that is one, or nullopt. Always four draws, so that
  // what the user does next is drawn alike whoever is a sniper (common random numbers across
  // points, study.h's run_seed).
  std::optional<std::size_t> recipient(Rng& rng, std::size_t self, Timestamp t) {
    std::optional<std::size_t> found;
    for (int attempt = 0; attempt < 4; ++attempt) {
      const auto j = static_cast<std::size_t>(rng.below(plans_.size()));
      if (!found && j != self && plans_[j].arrival < t &&
          plans_[j].strategy->kind != StrategyKind::sniper) {
        found = j;
      }
    }
    return found;
  }

  void user_events(std::size_t i) {
    const UserPlan& plan = plans_[i];
    const Population& pop = study_.population;
    const Strategy& strategy = *plan.strategy;
    const Timestamp end = study_.scenario.params.end;
    const std::string name = fmt::format("u{}", i);
    Rng rng(derive_seed(seed_, "activity", i));
    std::uint64_t held = 0;  // lower bound of the balance, micro-units of plan.l2
    auto deposit = [&](Timestamp t, std::uint64_t micro) {
      emit(t, Deposit{name, plan.l1, base_units(plan.l1, micro)});
      held += micro;
    };
    auto withdraw = [&](Timestamp t, std::uint64_t micro) {
      if (micro == 0) return;
      emit(t, Withdraw{name, plan.l2, wei_of_micro(micro)});
      held -= micro;
    };
    emit(plan.arrival, OpenAccount{name, AccountKind::user});
    if (plan.mode != YieldMode::automatic) emit(plan.arrival, Configure{name, plan.l2, plan.mode});
    switch (strategy.kind) {
      case StrategyKind::sniper: {
        if (strategy.via_configure) deposit(plan.arrival, plan.size_micro);
        // Windows that overlap (lead + lag longer than the reports sniped are apart) are one:
        // the VOID of one after the next one's AUTOMATIC left the sniper VOID at every report
        // after the first (helper-44's F14). Deposits that overlap add up, and need no merging.
        std::optional<Timestamp> void_at;  // the open window's end (configure only)
        for (std::size_t k = 0; k < reports_.size(); ++k) {
          if ((k + 1) % static_cast<std::size_t>(strategy.every) != 0) continue;
          const Timestamp in{reports_[k].seconds - strategy.lead_s};
          const Timestamp out{reports_[k].seconds + strategy.lag_s};
          if (in < plan.arrival || out > end) continue;
          if (!strategy.via_configure) {
            deposit(in, plan.size_micro);
            withdraw(out, plan.size_micro);
          } else if (void_at && in < *void_at) {
            void_at = out;
          } else {
            if (void_at) emit(*void_at, Configure{name, plan.l2, YieldMode::void_mode});
            emit(in, Configure{name, plan.l2, YieldMode::automatic});
            void_at = out;
          }
        }
        if (void_at) emit(*void_at, Configure{name, plan.l2, YieldMode::void_mode});
        return;
      }
      case StrategyKind::claimer: {
        deposit(plan.arrival, plan.size_micro);
        for (std::int64_t t = plan.arrival.seconds + strategy.claim_every_s; t <= end.seconds;
             t += strategy.claim_every_s) {
          emit(Timestamp{t}, Claim{name, plan.l2, std::nullopt, ""});
        }
        return;
      }
      case StrategyKind::churner: {
        deposit(plan.arrival, plan.size_micro);
        std::int64_t t = plan.arrival.seconds;
        for (;;) {
          t += std::max<std::int64_t>(
              1, static_cast<std::int64_t>(
                     std::floor(rng.exponential(1.0) * static_cast<double>(strategy.stay_s))));
          if (t > end.seconds) break;
          withdraw(Timestamp{t}, held);
          t += std::max<std::int64_t>(
              1, static_cast<std::int64_t>(
                     std::floor(rng.exponential(1.0) * static_cast<double>(strategy.away_s))));
          if (t > end.seconds) break;
          deposit(Timestamp{t}, draw_micro(rng, plan.l2 == Asset::eth ? pop.eth : pop.usd, 1));
        }
        return;
      }
      case StrategyKind::passive:
      case StrategyKind::whale:
        break;
    }
    deposit(plan.arrival, plan.size_micro);
    const bool claims = plan.mode == YieldMode::claimable;
    const bool gas = plan.l2 == Asset::eth && pop.dapps > 0;
    const std::array<double, 4> rates = {pop.transfers_per_day, pop.withdrawals_per_day,
                                         claims ? pop.claims_per_day : 0,
                                         gas ? pop.gas_per_day : 0};
    const double total = rates[0] + rates[1] + rates[2] + rates[3];
    std::int64_t exit_at = end.seconds + 1;
    // Drawn whatever the rate, so that a point of churn 0 and one of churn > 0 draw the rest of a
    // holder's moves alike and pair (helper-83's F1: the draw only at a rate > 0 shifted every
    // later move). exponential(1) / rate is exponential(rate) bit for bit (÷ 1.0 is exact), so
    // a study with churn draws as before.
    const double churn_draw = rng.exponential(1.0);
    if (pop.churn_per_year > 0) {
      const double years = churn_draw / pop.churn_per_year;
      if (years * kYear < static_cast<double>(end.seconds - plan.arrival.seconds)) {
        exit_at = plan.arrival.seconds + static_cast<std::int64_t>(std::floor(years * kYear));
      }
    }
    std::int64_t t = plan.arrival.seconds;
    while (total > 0) {
      t += gap_seconds(rng, total);
      if (t > end.seconds || t >= exit_at) break;
      const Timestamp now{t};
      const std::size_t kind = pick(rng, rates);
      const std::uint64_t permille = 50 + rng.below(451);  // 5% to 50% of what it holds
      const std::uint64_t part =
          static_cast<std::uint64_t>(static_cast<u128>(held) * permille / 1000);
      if (kind == 0) {
        const auto to = recipient(rng, i, now);
        if (!to || part == 0) continue;
        emit(now, Transfer{name, fmt::format("u{}", *to), plan.l2, wei_of_micro(part)});
        held -= part;
      } else if (kind == 1) {
        withdraw(now, part);
      } else if (kind == 2) {
        emit(now, Claim{name, plan.l2, std::nullopt, ""});
      } else {
        const auto dapp = rng.below(static_cast<std::uint64_t>(pop.dapps));
        const std::uint64_t fee = draw_micro(rng, DepositModel{pop.gas_fee_eth, 0.5}, 1);
        if (fee > held) continue;
        emit(now, PayGas{name, fmt::format("d{}", dapp), wei_of_micro(fee)});
        held -= fee;
        gas_times_[dapp].push_back(now);
      }
    }
    if (exit_at <= end.seconds) withdraw(Timestamp{exit_at}, held);
  }

  // Each dapp claims its gas fees at its interval, when some were paid since its last claim
  // (claim_gas needs B > 0, SPEC §4.3).
  void dapp_claims() {
    const Population& pop = study_.population;
    const LedgerParams& p = study_.scenario.params;
    for (std::size_t j = 0; j < gas_times_.size(); ++j) {
      std::vector<Timestamp>& times = gas_times_[j];
      std::sort(times.begin(), times.end());
      // A dapp claims at the first tick start + k·every (k ≥ 1) at or after each payment, once a
      // tick: found from the payments, not by walking the clock (a tick of 1 s over a year took
      // 11 s for 100 dapps; helper-44's F12).
      const std::int64_t every = pop.dapp_claim_every_s;
      std::optional<std::int64_t> claimed;
      for (const Timestamp paid : times) {
        const std::int64_t since = paid.seconds - p.start.seconds;
        const std::int64_t tick =
            p.start.seconds + std::max<std::int64_t>(1, (since + every - 1) / every) * every;
        if (tick > p.end.seconds) break;  // and so are the later payments'
        if (tick == claimed) continue;
        emit(Timestamp{tick}, ClaimGas{fmt::format("d{}", j)});
        claimed = tick;
      }
    }
  }

  std::vector<Event> rate_events() {
    std::vector<Event> out;
    const LedgerParams& p = study_.scenario.params;
    for (const SourceModel& model : study_.sources) {
      if (model.rate == RateModel::schedule) {
        for (const ScheduleRow& row : *model.schedule) {
          count_drawn();
          out.push_back({row.time, SetRate{model.name, row.apr_bps}});
        }
      } else if (model.rate == RateModel::walk) {
        Rng rng(derive_seed(seed_, "rate:" + model.name, 0));
        const auto source =
            std::find_if(p.sources.begin(), p.sources.end(),
                         [&](const SourceConfig& s) { return s.name == model.name; });
        double x = source->apr_bps;
        std::uint32_t last = source->apr_bps;
        const double dt = static_cast<double>(model.step_s) / kYear;
        const double root_dt = std::sqrt(dt);
        for (std::int64_t t = p.start.seconds + model.step_s; t <= p.end.seconds;
             t += model.step_s) {
          x += model.reversion * (model.mean_bps - x) * dt +
               model.volatility_bps * root_dt * rng.normal();
          x = std::clamp(x, model.min_bps, model.max_bps);
          const auto bps = static_cast<std::uint32_t>(std::floor(x + 0.5));
          if (bps != last) {
            count_drawn();
            out.push_back({Timestamp{t}, SetRate{model.name, bps}});
          }
          last = bps;
        }
      }
    }
    sort_by_time(out);
    return out;
  }

  // Slash arrival times and sizes (ppm of the bound), per source: (time, (source index, ppm)).
  std::vector<std::pair<Timestamp, std::pair<std::size_t, std::int64_t>>> slash_draws() {
    std::vector<std::pair<Timestamp, std::pair<std::size_t, std::int64_t>>> out;
    const LedgerParams& p = study_.scenario.params;
    for (const SourceModel& model : study_.sources) {
      if (model.slashes_per_year <= 0) continue;
      const auto index = static_cast<std::size_t>(
          std::find_if(p.sources.begin(), p.sources.end(),
                       [&](const SourceConfig& s) { return s.name == model.name; }) -
          p.sources.begin());
      Rng rng(derive_seed(seed_, "slash:" + model.name, 0));
      double t = static_cast<double>(p.start.seconds);
      for (;;) {
        t += std::floor(rng.exponential(model.slashes_per_year) * kYear);
        if (t > static_cast<double>(p.end.seconds)) break;
        const auto span = static_cast<std::uint64_t>(model.slash_max_ppm - model.slash_min_ppm);
        const auto ppm = model.slash_min_ppm + static_cast<std::int64_t>(rng.below(span + 1));
        count_drawn();
        out.push_back({Timestamp{static_cast<std::int64_t>(t)}, {index, ppm}});
      }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }

  // Lower bounds of one asset's L1 reserves under both §9.5 settings (see the file comment).
  struct L1Bound {
    u128 buffer = 0;
    std::vector<u128> value;  // per source of the scenario (0 for other assets' sources)
  };

  // Moves the population's events (events_, in the order they were generated) into out_ in time
  // order, with the rate changes and the slashes (each sorted by time) merged in.
  void merge_with_l1_model(
      std::vector<Event> sources,
      std::vector<std::pair<Timestamp, std::pair<std::size_t, std::int64_t>>> slashes) {
    const LedgerParams& p = study_.scenario.params;
    const std::size_t n = p.sources.size();
    std::array<std::array<L1Bound, 2>, 2> bound;  // [rebalance][asset]
    for (auto& by_asset : bound) {
      for (L1Bound& b : by_asset) b.value.assign(n, 0);
    }
    std::array<std::uint32_t, 2> weight_sum{0, 0};
    for (const SourceConfig& s : p.sources) weight_sum[index_of(s.asset)] += s.weight_bps;
    std::size_t next_report = 0;
    auto reports_until = [&](Timestamp t) {
      for (; next_report < reports_.size() && reports_[next_report] <= t; ++next_report) {
        for (const Asset asset : kAssets) {  // §9.5: every source of A at its target
          L1Bound& b = bound[1][index_of(asset)];
          u128 total = b.buffer;
          for (std::size_t i = 0; i < n; ++i) {
            if (p.sources[i].asset == asset) total += b.value[i];
          }
          for (std::size_t i = 0; i < n; ++i) {
            if (p.sources[i].asset == asset) b.value[i] = total * p.sources[i].weight_bps / kBps;
          }
          b.buffer = total * (kBps - weight_sum[index_of(asset)]) / kBps;
        }
      }
    };
    auto apply_deposit = [&](Asset asset, u128 wei) {
      for (auto& by_asset : bound) {
        L1Bound& b = by_asset[index_of(asset)];
        u128 routed = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (p.sources[i].asset != asset) continue;
          const u128 x = wei * p.sources[i].weight_bps / kBps;
          b.value[i] += x;
          routed += x;
        }
        b.buffer += wei - routed;
      }
    };
    auto apply_withdrawal = [&](Asset asset, u128 wei) {
      for (auto& by_asset : bound) {
        L1Bound& b = by_asset[index_of(asset)];
        const u128 beyond = wei > b.buffer ? wei - b.buffer : 0;
        b.buffer = wei > b.buffer ? 0 : b.buffer - wei;
        for (std::size_t i = 0; i < n; ++i) {
          if (p.sources[i].asset == asset)
            b.value[i] = b.value[i] > beyond ? b.value[i] - beyond : 0;
        }
      }
    };
    std::vector<Event>& out = out_.events;
    out.reserve(events_.size() + sources.size() + slashes.size());
    std::size_t s = 0, l = 0;
    auto flush_sources = [&](std::optional<Timestamp> before) {
      // Source events at a time run after the population's events of that time.
      for (;;) {
        const bool rate = s < sources.size() && (!before || sources[s].time < *before);
        const bool slash = l < slashes.size() && (!before || slashes[l].first < *before);
        if (!rate && !slash) return;
        if (rate && (!slash || sources[s].time <= slashes[l].first)) {
          reports_until(sources[s].time);
          out.push_back(std::move(sources[s++]));
          continue;
        }
        const auto& [time, draw] = slashes[l++];
        reports_until(time);
        const auto& [index, ppm] = draw;
        const Asset asset = p.sources[index].asset;
        const u128 lower = std::min(bound[0][index_of(asset)].value[index],
                                    bound[1][index_of(asset)].value[index]);
        const u128 loss = lower * static_cast<u128>(ppm) / 1'000'000;
        if (loss == 0) continue;
        for (auto& by_asset : bound) by_asset[index_of(asset)].value[index] -= loss;
        out.push_back({time, Loss{p.sources[index].name, amount_of(loss)}});
      }
    };
    // The population's events in time order, each moved once, straight into `out`.
    for (const std::size_t i : time_order(events_)) {
      Event& event = events_[i];
      flush_sources(event.time);
      reports_until(event.time);
      if (const auto* d = std::get_if<Deposit>(&event.body)) {
        const Amount wei = to_l2_wei(d->asset, d->amount);
        apply_deposit(credited_asset(d->asset), static_cast<u128>(wei.raw()));
      } else if (const auto* w = std::get_if<Withdraw>(&event.body)) {
        apply_withdrawal(w->asset, static_cast<u128>(w->amount.raw()));
      }
      out.push_back(std::move(event));
    }
    flush_sources(std::nullopt);
    events_.clear();
  }

  const Study& study_;
  std::uint64_t seed_;
  std::size_t max_events_;
  std::size_t drawn_ = 0;  // rate changes and slashes drawn (count_drawn)
  std::vector<Timestamp> reports_;
  std::vector<UserPlan> plans_;
  std::vector<std::vector<Timestamp>> gas_times_;
  std::vector<Event>& events_;  // the population's, as drawn (memory.drawn)
  Generated& out_;
};

std::string_view deposit_asset_name(DepositAsset asset) {
  switch (asset) {
    case DepositAsset::eth:
      return "ETH";
    case DepositAsset::usdb:
      return "USDB";
    case DepositAsset::usdc:
      return "USDC";
    case DepositAsset::usdt:
      return "USDT";
    case DepositAsset::dai:
      return "DAI";
  }
  return "?";
}

struct CsvRow {
  std::string_view account, asset, to, value;
  std::string amount;
};

CsvRow row_of(const EventBody& body) {
  return std::visit(
      [](const auto& e) -> CsvRow {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, OpenAccount>) {
          return {e.account, "", "", account_kind_name(e.kind), ""};
        } else if constexpr (std::is_same_v<T, Deposit>) {
          return {e.account, deposit_asset_name(e.asset), "", "",
                  e.amount.units_string(decimals_of(e.asset))};
        } else if constexpr (std::is_same_v<T, Withdraw>) {
          return {e.account, asset_name(e.asset), "", "", units(e.amount)};
        } else if constexpr (std::is_same_v<T, Transfer>) {
          return {e.from, asset_name(e.asset), e.to, "", units(e.amount)};
        } else if constexpr (std::is_same_v<T, Configure>) {
          return {e.account, asset_name(e.asset), "", yield_mode_name(e.mode), ""};
        } else if constexpr (std::is_same_v<T, Claim>) {
          return {e.account, asset_name(e.asset), e.to, "", e.amount ? units(*e.amount) : ""};
        } else if constexpr (std::is_same_v<T, SetGasMode>) {
          return {e.dapp, "", "", gas_mode_name(e.mode), ""};
        } else if constexpr (std::is_same_v<T, PayGas>) {
          return {e.payer, "ETH", e.dapp, "", units(e.amount)};
        } else if constexpr (std::is_same_v<T, ClaimGas>) {
          return {e.dapp, "ETH", "", "", ""};
        } else if constexpr (std::is_same_v<T, ForceReport>) {
          return {"", e.asset ? asset_name(*e.asset) : "", "", "", ""};
        } else if constexpr (std::is_same_v<T, SetRate>) {
          return {e.source, "", "", "", ""};
        } else {
          static_assert(std::is_same_v<T, Loss>);
          return {e.source, "", "", "", units(e.amount)};
        }
      },
      body);
}

}  // namespace

// On (time offset, index) keys alone: a least-significant-digit radix sort of the times' offsets
// from the earliest, 11 bits a pass. Each pass is stable, so the order is the one sorting the
// (time, index) pairs gives, several times faster than std::sort on a run's 100,000 events.
std::vector<std::size_t> time_order(const std::vector<Event>& events) {
  if (events.empty()) return {};
  const auto [earliest, latest] = std::ranges::minmax_element(
      events, [](const Event& a, const Event& b) { return a.time < b.time; });
  // Offsets in unsigned arithmetic: modulo 2^64, exact for any two int64 times.
  const auto offset = [base = earliest->time.seconds](const Event& e) {
    return static_cast<std::uint64_t>(e.time.seconds) - static_cast<std::uint64_t>(base);
  };
  const std::uint64_t span = offset(*latest);
  struct Key {
    std::uint64_t offset;
    std::size_t index;
  };
  std::vector<Key> keys(events.size()), scratch(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) keys[i] = {offset(events[i]), i};
  constexpr unsigned kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  for (unsigned shift = 0; shift < 64 && (span >> shift) != 0; shift += kBits) {
    std::array<std::size_t, kBuckets> start{};
    for (const Key& k : keys) ++start[(k.offset >> shift) & (kBuckets - 1)];
    std::size_t sum = 0;
    for (std::size_t& first : start) sum += std::exchange(first, sum);
    for (const Key& k : keys) scratch[start[(k.offset >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(scratch);
  }
  std::vector<std::size_t> order(events.size());
  for (std::size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].index;
  return order;
}

const Generated& generate(const Study& study, std::uint64_t seed, GeneratorMemory& memory,
                          std::size_t max_events) {
  Builder(study, seed, max_events, memory).build();
  return memory.generated;
}

Generated generate(const Study& study, std::uint64_t seed, std::size_t max_events) {
  GeneratorMemory memory;
  generate(study, seed, memory, max_events);
  return std::move(memory.generated);
}

Applied apply_generated(Ledger& ledger, const Event& event) {
  const auto rejection = ledger.apply(event);
  if (!rejection) return {false, std::nullopt};
  const Applied rejected{true, std::nullopt};
  const auto* withdraw = std::get_if<Withdraw>(&event.body);
  if (withdraw == nullptr || rejection->code != RejectCode::insufficient_balance) return rejected;
  const auto id = ledger.find_account(withdraw->account);
  if (!id) return rejected;
  const Amount held = ledger.balance(*id, withdraw->asset);
  if (held.is_zero() || held >= withdraw->amount) return rejected;
  Event cut = event;
  std::get<Withdraw>(cut.body).amount = held;
  if (ledger.apply(cut)) return rejected;
  return {false, std::move(cut)};
}

void write_accounts_csv(const std::vector<AccountPlan>& accounts, std::ostream& out) {
  out << "account,kind,strategy,asset,mode\n";
  for (const AccountPlan& a : accounts) {
    const bool user = a.kind == AccountKind::user;
    out << a.name << ',' << account_kind_name(a.kind) << ','
        << (user ? strategy_name(a.strategy) : "dapp") << ',' << asset_name(a.asset) << ','
        << yield_mode_name(a.mode) << '\n';
  }
}

void write_events_csv(const std::vector<Event>& events, std::ostream& out) {
  out << "time,type,account,asset,amount,to,value\n";
  for (const Event& event : events) {
    const CsvRow row = row_of(event.body);
    std::string value(row.value);
    if (const auto* rate = std::get_if<SetRate>(&event.body)) value = std::to_string(rate->apr_bps);
    out << format_timestamp(event.time) << ',' << event_type_name(event.body) << ',' << row.account
        << ',' << row.asset << ',' << row.amount << ',' << row.to << ',' << value << '\n';
  }
}

namespace {

// Under streamed distribution a rejected event's drip stays (SPEC §9.1): from that second on, the
// sweep's state holds it. The next row of its asset drips the same amount (a function of the
// time, folded into the price whole), but the end or a series sample can come first, and a run
// of the file without it ended at another price, pending and locked profit (helper-91's F1). So
// the event is written as a row of its time, for its asset, that moves nothing and drips as the
// sweep did: a configure to the mode it has of a position whose value re-encodes exactly (SPEC
// §3.6), or, for a CLAIMABLE one, whose configure would fold its claimable yield in, a claim of 0
// to itself (§3.7). Exactly: VOID keeps f; otherwise the re-split of P·s + r gives s and r back
// only if r < P, and after §9.3 lowered the price r can reach the peak price (a configure of such
// a holder moved shares: the run then ended 10^7 wei of debt away). The event's own account if
// its position will do, else the first account's that will; nullopt if none will (the event is
// then left out).
std::optional<Event> stand_in(const Ledger& ledger, const Event& rejected) {
  const Asset asset = asset_touched(rejected.body).value_or(Asset::eth);
  const Amount& price = ledger.book(asset).shares.price();
  const auto row = [&](AccountId id) -> std::optional<Event> {
    const AccountInfo info = ledger.info(id);
    const Position position = ledger.position_of(id, asset);
    if (info.kind == AccountKind::system ||
        (position.mode != YieldMode::void_mode && position.remainder >= price)) {
      return std::nullopt;
    }
    std::string name(info.name);
    if (position.mode == YieldMode::claimable) {
      return Event{rejected.time, Claim{std::move(name), asset, Amount{}, std::string()}};
    }
    return Event{rejected.time, Configure{std::move(name), asset, position.mode}};
  };
  if (const auto account = actor_of(rejected.body)) {
    if (const auto id = ledger.find_account(*account)) {
      if (auto own = row(*id)) return own;
    }
  }
  for (AccountId id = 0; id < ledger.account_count(); ++id) {
    if (auto other = row(id)) return other;
  }
  return std::nullopt;
}

struct Pass {
  std::int64_t rejected = 0;   // events the ledger rejected: left out, or replaced
  std::int64_t stand_ins = 0;  // of them, written as a stand_in() row
};

// Applies `events` in order as a sweep applies them (apply_generated; Ledger::apply runs the
// scheduled reports due before each first): a withdrawal cut to what the account holds is
// written so and marked in `cut` (one flag an event, moved with it), a rejected event is left
// out, or under streamed distribution replaced by its stand_in().
Pass cut_or_leave_out(const Study& study, std::vector<Event>& events, std::vector<bool>& cut) {
  Ledger ledger(study.scenario.params);
  const bool streamed = study.scenario.params.policy.distribution == Distribution::streamed;
  Pass pass;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    Applied applied = apply_generated(ledger, events[i]);
    if (applied.cut) {
      events[i] = std::move(*applied.cut);
      cut[i] = true;
    }
    if (applied.rejected) {
      ++pass.rejected;
      std::optional<Event> row = streamed ? stand_in(ledger, events[i]) : std::nullopt;
      if (row && !ledger.apply(*row)) {
        events[i] = std::move(*row);
        ++pass.stand_ins;
        applied.rejected = false;
      }
    }
    ledger.clear_journal();
    if ((i & 1023) == 0) (void)ledger.take_reports();
    if (applied.rejected) continue;
    if (kept != i) {
      events[kept] = std::move(events[i]);
      cut[kept] = cut[i];
    }
    ++kept;
  }
  events.resize(kept);
  cut.resize(kept);
  return pass;
}

}  // namespace

GeneratedFiles generate_into(const Study& base, const Point& point, std::uint64_t seed,
                             const std::string& dir, bool replace) {
  const Study study = study_at(base, point);
  const std::filesystem::path folder(dir);
  if (dir.empty()) throw UsageError("the output folder's name is empty");
  CreatedFolders folders(folder);  // removed again unless both files are written
  // Each file is written under a name of this process's own (two generates into one folder never
  // share one) and moved into place once both are whole; checked before the work. Without
  // `replace` a file that appeared meanwhile is not replaced either (helper-44's F3: a user's
  // events.csv written during the work was).
  const auto existing = replace ? OutputFile::Existing::replace : OutputFile::Existing::refuse;
  OutputFile events_file(folder / "events.csv", existing);
  OutputFile scenario_file(folder / "scenario.toml", existing);
  OutputFile accounts_file(folder / "accounts.csv", existing);
  Generated generated = generate(study, seed);
  GeneratedFiles files;
  // Under every policy: a withdrawal between a slash and its report can find too little in the
  // buffer and the sources (SPEC §5.5), whatever negative_yield says (helper-79: under `debt` the
  // sweep skipped it and `run` of the file stopped there, exit 2). Again until nothing is left
  // out, so that the file runs whole; under streamed distribution it is replaced by a row that
  // moves nothing and drips as it did (stand_in), so a later pass meets the same state
  // (tests/lab_cli_test.cc: the file's run ends at the sweep's prices, and its series are the
  // sweep's). Were a withdrawal cut again, it would be counted once, as the sweep does.
  // Where no account could stand in (every holder of the asset with a remainder the lowered price
  // would re-encode: helper-94's F1, two AUTOMATIC users after a deep socialized loss), the event
  // was left out, and its drip with it; so all again from the events generated anew, with an
  // account that holds nothing, opened at the start (nothing is locked then, so nothing drips), to
  // stand in wherever no holder can.
  const bool streamed = study.scenario.params.policy.distribution == Distribution::streamed;
  std::vector<bool> cut;
  const auto replay_all = [&] {
    cut.assign(generated.events.size(), false);
    files.rejected = files.stand_ins = 0;
    Pass pass;
    do {
      pass = cut_or_leave_out(study, generated.events, cut);
      files.rejected += pass.rejected;
      files.stand_ins += pass.stand_ins;
    } while (pass.rejected > 0);
  };
  replay_all();
  if (streamed && files.stand_ins < files.rejected) {
    generated.events = generate(study, seed).events;  // as generated: the same seed, the same run
    generated.events.insert(generated.events.begin(),
                            Event{study.scenario.params.start,
                                  OpenAccount{std::string(kStandInAccount), AccountKind::user}});
    files.stand_in_account = true;
    replay_all();
  }
  files.cut = std::count(cut.begin(), cut.end(), true);
  files.events = static_cast<std::int64_t>(generated.events.size());
  std::ostringstream events;
  write_events_csv(generated.events, events);
  events_file.write(events.view());
  // Which point and seed it is, so that the file says what replays it (helper-75's F2: seed 1 of
  // point 0 read as the study's own values). Controls escaped: a newline in a name or a label
  // would end the comment, and the rest would be read as TOML.
  scenario_file.write(
      fmt::format("# Generated by `yieldledger generate` from study '{}', point "
                  "{}{}, seed {}.\n{}",
                  escape_controls(study.name), point.index,
                  point.label.empty() ? "" : " '" + escape_controls(point.label) + "'", seed,
                  study.scenario_toml));
  std::ostringstream accounts;
  write_accounts_csv(generated.accounts, accounts);
  accounts_file.write(accounts.view());
  // All or none: the files put in place go again, and those they replaced (--force) come back
  // (helper-44's F3: events.csv stayed, without its scenario; helper-46's F2: with --force, the
  // old scenario.toml was left without its events.csv).
  std::vector<OutputFile*> committed;
  const HeldSignals held;  // Ctrl-C acts once the three are in place, or none
  try {
    for (OutputFile* file : {&events_file, &scenario_file, &accounts_file}) {
      file->commit();
      committed.push_back(file);
    }
  } catch (...) {
    for (OutputFile* file : committed) file->revert();
    throw;
  }
  folders.keep();
  return files;
}

}  // namespace yl::lab
