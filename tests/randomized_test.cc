// Seeded randomized test (VOPR-lite): random events, valid and invalid, against random scenario
// parameters; after each event every SPEC §6 law is recomputed from scratch, the price never
// falls, and a rejected event leaves the ledger exactly as it was. A failure prints its seed.
#include <cstdint>

#include <doctest/doctest.h>

#include "engine/core/journal_balances.h"
#include "engine/core/ledger.h"
#include "engine/core/snapshot.h"
#include "tests/ledger_state.h"
#include "tests/random.h"
#include "tests/test_util.h"

using namespace yl;

namespace {

using yl::testing::Random;

LedgerParams random_params(Random& rng) {
  LedgerParams params = testing::basic_params();
  params.end = Timestamp{params.start.seconds + 2000 * 86400};
  params.report_every_s = static_cast<std::int64_t>(3600 * (6 + rng.below(43)));
  const std::uint64_t prices[] = {1, 7, 1'000'000'000, 1'000'000'000'000'000'000ULL};
  params.initial_price = Amount::from_u64(prices[rng.below(4)]);
  params.policy.insurance_fee_bps = static_cast<std::uint32_t>(rng.below(10'001));
  std::uint32_t left[2] = {10'000, 10'000};
  const int count = 1 + static_cast<int>(rng.below(4));
  for (int i = 0; i < count; ++i) {
    const Asset asset = rng.chance(50) ? Asset::eth : Asset::usdb;
    const auto weight = static_cast<std::uint32_t>(rng.below(left[index_of(asset)] + 1));
    left[index_of(asset)] -= weight;
    params.sources.push_back(SourceConfig{
        "s" + std::to_string(i), asset, rng.chance(50) ? SourceKind::staking : SourceKind::treasury,
        static_cast<std::uint32_t>(rng.below(3000)), weight});
  }
  params.gas.ceil_gas_seconds = static_cast<std::int64_t>(10 + rng.below(3'000'000));
  params.gas.base_gas_seconds = 1 + static_cast<std::int64_t>(rng.below(5));
  return params;
}

// Amounts across the scale: dust, everyday sizes, and (rarely) huge ones near 2^256.
Amount random_amount(Random& rng) {
  switch (rng.below(200)) {
    case 0:
      return Amount::max();  // overflows unless the ledger is empty
    case 1:
      return Amount::from_u512(U512(1) << 200);
    default:
      break;
  }
  switch (rng.below(10)) {
    case 0:
      return Amount::from_u64(rng.below(1000));
    case 1:
      return Amount::from_u64(rng.below(2'000'000'000));
    default:
      return Amount::from_u64(rng.next() % 5'000'000'000'000'000'000ULL);
  }
}

class Generator {
 public:
  // `same_second_pct`: how often an event shares the previous one's second.
  Generator(Random& rng, const LedgerParams& params, unsigned same_second_pct = 90)
      : rng_(rng), params_(params), same_second_pct_(same_second_pct) {}

  Event next(const Ledger& ledger) {
    time_ += static_cast<std::int64_t>(rng_.chance(same_second_pct_) ? 0 : rng_.below(86400));
    const Timestamp t{params_.start.seconds + time_};
    const Asset asset = rng_.chance(50) ? Asset::eth : Asset::usdb;
    const std::string a = account(ledger), b = account(ledger);
    switch (rng_.below(16)) {
      case 0:
      case 1: {
        if (ledger.account_count() > 32) return {t, ForceReport{asset}};  // keep audits cheap
        const bool dapp = rng_.chance(30);
        return {t, OpenAccount{"acct" + std::to_string(opened_++),
                               dapp ? AccountKind::dapp : AccountKind::user}};
      }
      case 2:
      case 3: {
        const DepositAsset kinds[] = {DepositAsset::eth, DepositAsset::usdb, DepositAsset::usdc,
                                      DepositAsset::usdt, DepositAsset::dai};
        return {t, Deposit{a, kinds[rng_.below(5)], random_amount(rng_)}};
      }
      case 4:
        return {t, Withdraw{a, asset, some_of_balance(ledger, a, asset)}};
      case 5:
      case 6:
        return {t, Transfer{a, b, asset, some_of_balance(ledger, a, asset)}};
      case 7: {
        const YieldMode modes[] = {YieldMode::automatic, YieldMode::void_mode,
                                   YieldMode::claimable};
        return {t, Configure{a, asset, modes[rng_.below(3)]}};
      }
      case 8: {
        std::optional<Amount> amount;
        if (rng_.chance(50)) amount = Amount::from_u64(rng_.below(1'000'000'000'000ULL));
        return {t, Claim{a, asset, amount, rng_.chance(50) ? std::string() : b}};
      }
      case 9:
        return {t, SetGasMode{a, rng_.chance(70) ? GasMode::claimable : GasMode::void_mode}};
      case 10:
      case 11:
        return {t, PayGas{a, b, Amount::from_u64(1 + rng_.below(10'000'000'000'000'000ULL))}};
      case 12:
        return {t, ClaimGas{a}};
      case 13: {
        std::optional<Asset> which;
        if (rng_.chance(66)) which = asset;
        return {t, ForceReport{which}};
      }
      case 14: {
        const std::string source = params_.sources[rng_.below(params_.sources.size())].name;
        return {t, SetRate{source, static_cast<std::uint32_t>(rng_.below(100'001))}};
      }
      default: {
        const std::size_t i = rng_.below(params_.sources.size());
        const Amount value = ledger.source_state(i).value;
        const Amount loss =
            value.is_zero()
                ? Amount::from_u64(1)
                : mul_div_floor(value, Amount::from_u64(rng_.below(120)), Amount::from_u64(100));
        return {t, Loss{params_.sources[i].name, loss.is_zero() ? Amount::from_u64(1) : loss}};
      }
    }
  }

 private:
  std::string account(const Ledger& ledger) {
    if (ledger.account_count() <= 2 || rng_.chance(3)) return "nobody";
    const auto id = static_cast<AccountId>(2 + rng_.below(ledger.account_count() - 2));
    return std::string(ledger.info(id).name);
  }
  // Usually all or part of the balance; sometimes one wei too much, to be rejected.
  Amount some_of_balance(const Ledger& ledger, const std::string& name, Asset asset) {
    const auto id = ledger.find_account(name);
    if (!id) return Amount::from_u64(1);
    const Amount held = ledger.balance(*id, asset);
    switch (rng_.below(4)) {
      case 0:
        return held.is_zero() ? Amount::from_u64(1) : held;
      case 1:
        return held == Amount::max() ? held : held + Amount::from_u64(1);
      default: {
        const Amount part =
            mul_div_floor(held, Amount::from_u64(rng_.below(100)), Amount::from_u64(100));
        return part.is_zero() ? Amount::from_u64(1) : part;
      }
    }
  }

  Random& rng_;
  const LedgerParams& params_;
  unsigned same_second_pct_;
  std::int64_t time_ = 0;
  int opened_ = 0;
};

struct Outcome {
  int applied = 0;
  int rejected = 0;
  int stuck = 0;
  // Reports where a §9 rule moved something, so that the policy test cannot pass vacuously.
  int void_shares = 0, socialized = 0, locked = 0, hurdles = 0, protocol_fees = 0, price_falls = 0;
};

void count_policy_effects(const std::vector<ReportRecord>& reports, Outcome& outcome) {
  for (const ReportRecord& r : reports) {
    outcome.void_shares += !r.void_share.is_zero();
    outcome.socialized += !r.socialized.is_zero();
    outcome.locked += !r.locked_after.is_zero();
    outcome.price_falls += r.price_after < r.price_before;
    for (const SourceYield& line : r.sources) {
      outcome.hurdles += !line.hurdle.is_zero();
      outcome.protocol_fees += !line.protocol_fee.is_zero();
    }
  }
}

// A SPEC §9 policy for the combination `combo` (bit 0 streamed, 1 to_protocol, 2 socialize,
// 3 rebalance), with random fees and hurdle when `fees`.
Policy random_policy(Random& rng, unsigned combo, bool fees) {
  Policy policy;
  if (combo & 1U) {
    policy.distribution = Distribution::streamed;
    const std::int64_t periods[] = {1, 3600, 86'400, 604'800, 31'536'000};
    policy.unlock_seconds = rng.chance(50) ? periods[rng.below(5)]
                                           : 1 + static_cast<std::int64_t>(rng.below(31'536'000));
  }
  if (combo & 2U) policy.void_yield = VoidYield::to_protocol;
  if (combo & 4U) policy.negative_yield = NegativeYield::socialize;
  policy.rebalance = (combo & 8U) != 0;
  policy.insurance_fee_bps = 0;
  if (fees) {
    policy.insurance_fee_bps = static_cast<std::uint32_t>(rng.below(10'001));
    policy.protocol_fee_bps =
        static_cast<std::uint32_t>(rng.below(10'001 - policy.insurance_fee_bps));
    policy.fee_hurdle_bps =
        static_cast<std::uint32_t>(rng.chance(50) ? rng.below(100'001) : rng.below(1000));
  }
  return policy;
}

Outcome run_seed(std::uint64_t seed, int events, std::optional<Policy> policy = std::nullopt) {
  Random rng(seed);
  LedgerParams params = random_params(rng);
  if (policy) params.policy = *policy;
  Ledger ledger(params);
  Generator generator(rng, params);
  JournalBalances journal;
  Outcome outcome;
  std::array<Amount, 2> prices = {ledger.book(Asset::eth).shares.price(),
                                  ledger.book(Asset::usdb).shares.price()};
  for (int i = 0; i < events; ++i) {
    const Event event = generator.next(ledger);
    if (event.time > params.end) break;
    INFO("seed " << seed << ", event " << i << " (" << event_type_name(event.body) << ")");
    // Reports due, and under `streamed` the drip before the event (SPEC §9.1), which stays even
    // when the event is rejected: `before` is taken after them.
    const auto stuck = ledger.prepare_for(event.time);
    journal.add_all(ledger.journal());
    ledger.clear_journal();
    if (stuck) {
      // A source near 2^256 cannot accrue further: every later report would overflow, so the
      // simulation ends here, as a run would (SPEC §6). Nothing else may fail this way.
      REQUIRE(stuck->code == RejectCode::overflow);
      ++outcome.stuck;
      break;
    }
    const Ledger before = ledger;
    const auto rejected = ledger.apply(event);
    if (rejected) {
      ++outcome.rejected;
      INFO("rejected: " << rejected->reason);
      REQUIRE(yl::testing::same_state(before, ledger));
    } else {
      ++outcome.applied;
    }
    const auto violation = ledger.audit_invariants();
    INFO("invariant: " << violation.value_or(""));
    REQUIRE_FALSE(violation.has_value());
    // Every entry balanced when it closed (Journal asserts it); here each journal account must
    // also equal the state it mirrors.
    journal.add_all(ledger.journal());
    ledger.clear_journal();
    const auto journal_mismatch = journal.check_against(ledger);
    INFO("journal: " << journal_mismatch.value_or(""));
    REQUIRE_FALSE(journal_mismatch.has_value());
    for (Asset asset : kAssets) {
      // The price never falls, except by §9.3's socialize.
      if (params.policy.negative_yield == NegativeYield::debt) {
        REQUIRE(ledger.book(asset).shares.price() >= prices[index_of(asset)]);
      }
      prices[index_of(asset)] = ledger.book(asset).shares.price();
      const Stream& stream = ledger.book(asset).stream;
      REQUIRE(stream.released <= stream.total);
      if (params.policy.distribution == Distribution::snapshot) REQUIRE(stream.total.is_zero());
    }
    count_policy_effects(ledger.take_reports(), outcome);
  }
  return outcome;
}

}  // namespace

TEST_CASE("Randomized: over 100,000 events in 10 seeds keep every SPEC §6 law after each event") {
  int applied = 0, rejected = 0, stuck = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const Outcome outcome = run_seed(seed, 15'000);
    applied += outcome.applied;
    rejected += outcome.rejected;
    stuck += outcome.stuck;
  }
  MESSAGE("applied " << applied << ", rejected " << rejected << ", seeds ended by overflow "
                     << stuck);
  CHECK(applied + rejected >= 100'000);
  CHECK(applied > 50'000);  // the generator must mostly produce valid events...
  CHECK(rejected > 5'000);  // ...and still exercise the rejection paths
  // A fingerprint of the engine's decisions: the generator reads balances, so any change in what
  // the engine accepts or computes changes these counts. (They caught a spurious overflow once.)
  // If a change is meant to alter results, update them and say why in the commit.
  // Since SPEC §6's sum limit is enforced (buffer + Σ value + D < 2^256), no seed reaches a state
  // where every event overflows: all 10 × 15,000 events are tried (before it, 3 seeds stopped
  // early, at 73,740 applied and 41,782 rejected).
  CHECK(applied == 95'767);
  CHECK(rejected == 54'233);
  CHECK(stuck == 0);
}

TEST_CASE("Randomized: every 2x2x2x2 policy combination, with and without fees, keeps §6 after "
          "each event (SPEC §9)") {
  // distribution × void_yield × negative_yield × rebalance, each with and without fees: the same
  // checks as above (audit_invariants recount, journal accounts against the state, a rejected
  // event changes nothing) after every event.
  int applied = 0, rejected = 0;
  Outcome effects;
  for (unsigned combo = 0; combo < 16; ++combo) {
    for (bool fees : {false, true}) {
      const std::uint64_t seed = 1000 + combo * 2 + (fees ? 1 : 0);
      Random policy_rng(seed * 7919);
      const Policy policy = random_policy(policy_rng, combo, fees);
      INFO("combo " << combo << " fees " << fees << " seed " << seed);
      const Outcome outcome = run_seed(seed, 4'000, policy);
      applied += outcome.applied;
      rejected += outcome.rejected;
      effects.void_shares += outcome.void_shares;
      effects.socialized += outcome.socialized;
      effects.locked += outcome.locked;
      effects.hurdles += outcome.hurdles;
      effects.protocol_fees += outcome.protocol_fees;
      effects.price_falls += outcome.price_falls;
    }
  }
  MESSAGE("policies: applied " << applied << ", rejected " << rejected
                               << "; reports with a void share " << effects.void_shares
                               << ", socialized " << effects.socialized << ", locked "
                               << effects.locked << ", price falls " << effects.price_falls
                               << "; source rows with a hurdle " << effects.hurdles
                               << ", protocol fee " << effects.protocol_fees);
  CHECK(effects.void_shares > 100);
  CHECK(effects.socialized > 10);
  CHECK(effects.price_falls > 10);
  CHECK(effects.locked > 100);
  CHECK(effects.hurdles > 100);
  CHECK(effects.protocol_fees > 100);
  CHECK(applied > 60'000);
  CHECK(rejected > 5'000);
}

TEST_CASE("Randomized: under the touched drip schedule a reader sees what every_event gives, "
          "after every event, under every policy combination (SPEC §9.1)") {
  // Three ledgers take the same events: `eager` drips every asset before every event (the SPEC's
  // wording), `lazy` only the asset an event touches and is never settled, and `read` is settled
  // at random points as the replay's observers, snapshots and the lab do. After every event a
  // settled copy of either must hold the eager state exactly (every account, book, stream, source
  // and P̂), their reports must be equal, and the lazy journal must mirror the lazy state.
  int lazy_events = 0, applied = 0;
  for (unsigned combo = 1; combo < 16; combo += 2) {  // every combination with `streamed`
    for (bool fees : {false, true}) {
      const std::uint64_t seed = 2000 + combo * 2 + (fees ? 1 : 0);
      INFO("combo " << combo << " fees " << fees << " seed " << seed);
      Random rng(seed);
      Random policy_rng(seed * 7919);
      LedgerParams params = random_params(rng);
      params.policy = random_policy(policy_rng, combo, fees);
      // Streams that outlast the time between events, so that a stream is still dripping.
      params.policy.unlock_seconds =
          604'800 + static_cast<std::int64_t>(policy_rng.below(31'536'000 - 604'800 + 1));
      params.drip = DripSchedule::every_event;
      Ledger eager(params);
      params.drip = DripSchedule::touched;
      Ledger lazy(params);
      Ledger read(params);
      Generator generator(rng, params, /*same_second_pct=*/20);
      JournalBalances lazy_journal;
      const auto settled = [](Ledger ledger) {
        ledger.settle();
        return ledger;
      };
      for (int i = 0; i < 6'000; ++i) {
        const Event event = generator.next(eager);
        if (event.time > params.end) break;
        INFO("event " << i << " (" << event_type_name(event.body) << ")");
        const auto rejected = eager.apply(event);
        const auto lazy_rejected = lazy.apply(event);
        const auto read_rejected = read.apply(event);
        REQUIRE(rejected.has_value() == lazy_rejected.has_value());
        REQUIRE(rejected.has_value() == read_rejected.has_value());
        if (rejected) {
          REQUIRE(rejected->reason == lazy_rejected->reason);
          REQUIRE(rejected->reason == read_rejected->reason);
          // A source near 2^256: every later report overflows, so the seed ends (as above).
          if (rejected->code == RejectCode::overflow) break;
        } else {
          ++applied;
        }
        const std::vector<ReportRecord> reports = eager.take_reports();
        REQUIRE(lazy.take_reports() == reports);
        REQUIRE(read.take_reports() == reports);
        lazy_journal.add_all(lazy.journal());
        lazy.clear_journal();
        const auto journal_mismatch = lazy_journal.check_against(lazy);
        INFO("lazy journal: " << journal_mismatch.value_or(""));
        REQUIRE_FALSE(journal_mismatch.has_value());
        lazy_events += lazy.settled() ? 0 : 1;
        REQUIRE(yl::testing::same_state(settled(lazy), eager));
        if (rng.chance(30)) read.settle();
        read.clear_journal();
        REQUIRE(yl::testing::same_state(settled(read), eager));
        eager.clear_journal();
      }
      const auto stuck = eager.advance_to(params.end);
      REQUIRE(lazy.advance_to(params.end).has_value() == stuck.has_value());
      REQUIRE(lazy.take_reports() == eager.take_reports());
      REQUIRE(yl::testing::same_state(settled(lazy), eager));
    }
  }
  MESSAGE("touched vs every_event: " << applied << " events applied, " << lazy_events
                                     << " of them left a stream behind until a reader settled it");
  CHECK(applied > 9'000);
  CHECK(lazy_events > 1'000);  // the lazy ledger was behind, and still read the same
}

TEST_CASE("Simulation: over 1,000,000 valid and invalid events, seed after seed") {
  // The deterministic simulation of the reliability issue: the same checks after every event,
  // at scale. A failure names its seed and event; rerun it alone with run_seed(seed, 15'000).
  int total = 0;
  std::uint64_t seed = 11;
  for (; total < 1'000'000 && seed < 200; ++seed) {
    const Outcome outcome = run_seed(seed, 15'000);
    total += outcome.applied + outcome.rejected;
  }
  MESSAGE("simulated " << total << " events with seeds 11 to " << seed - 1);
  CHECK(total >= 1'000'000);
}
