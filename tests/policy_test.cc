// Worked examples of SPEC §9, one per rule, through the whole state machine; the expected wei
// are derived in the comments. The source is staking at 100% APR (apr_bps 10000) and reports are
// forced 31536 s (YEAR/1000) after the deposit, so 1000 ETH earns exactly
// floor(1000e18·10000·31536/(1e4·31536000)) = 1e18 wei. The price starts at 1e9 wei per share,
// so 1000 ETH is C = 1e12 shares with no remainder.
#include "engine/core/policy.h"

#include <doctest/doctest.h>

#include "engine/core/ledger.h"
#include "tests/random.h"
#include "tests/test_util.h"

using namespace yl;
using yl::testing::eth;
using yl::testing::ev;
using yl::testing::must_apply;
using yl::testing::wei;

namespace {

const Timestamp kStart = yl::testing::kBasicStart;  // 2024-03-01T00:00:00Z
constexpr std::int64_t kStep = 31'536;              // YEAR/1000

Timestamp plus(std::int64_t seconds) { return Timestamp{kStart.seconds + seconds}; }

// No scheduled report before end; insurance fee 0 unless a test sets it.
LedgerParams policy_params(const Policy& policy) {
  LedgerParams params = yl::testing::basic_params();
  params.report_every_s = 200 * 86'400;
  params.policy = policy;
  params.sources.push_back(SourceConfig{"src", Asset::eth, SourceKind::staking, 10'000, 10'000});
  return params;
}

Policy no_fees() {
  Policy policy;
  policy.insurance_fee_bps = 0;
  return policy;
}

Amount balance_of(const Ledger& ledger, const std::string& name, Asset asset = Asset::eth) {
  return ledger.balance(*ledger.find_account(name), asset);
}

ReportRecord force_eth_report(Ledger& ledger, Timestamp time) {
  ledger.take_reports();
  must_apply(ledger, ev(ForceReport{Asset::eth}, time));
  auto reports = ledger.take_reports();
  REQUIRE(reports.size() == 1);
  return reports[0];
}

void check_laws(const Ledger& ledger) {
  const auto violation = ledger.audit_invariants();
  INFO(violation.value_or(""));
  CHECK_FALSE(violation.has_value());
}

}  // namespace

TEST_CASE("Policy §9.1: lock, drip before events and reports, loss absorbed by the lock") {
  Policy policy = no_fees();
  policy.distribution = Distribution::streamed;
  policy.unlock_seconds = 1000;
  Ledger ledger(policy_params(policy));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));
  const Timestamp t1 = plus(kStep);
  // y = 1e18, T = 1e18 is locked, not added: left 0, total 1e18, period floor(1e18·1000/1e18)
  // = 1000, ρ = floor(1e18·1e12/1000) = 1e27, F = t1 + 1000, u = t1. The price does not move.
  ReportRecord r = force_eth_report(ledger, t1);
  CHECK(r.total.wei_string() == "1000000000000000000");
  CHECK(r.price_after == wei("1000000000"));
  CHECK(r.locked_after == eth("1"));
  const Stream& s = ledger.book(Asset::eth).stream;
  CHECK(s.total == eth("1"));
  CHECK(s.rate() == U512("1000000000000000000000000000"));
  CHECK(s.end == plus(kStep + 1000));
  CHECK(s.anchor == t1);
  must_apply(ledger, ev(SetRate{"src", 0}, t1));  // no more yield from here on
  // 250 s later any event drips first: released = floor(1e27·250/1e12) = 2.5e17, Q = 2.5e17,
  // P += floor(2.5e17/1e12) = 250000.
  must_apply(ledger, ev(OpenAccount{"bob", AccountKind::user}, plus(kStep + 250)));
  CHECK(ledger.book(Asset::eth).shares.price() == wei("1000250000"));
  CHECK(balance_of(ledger, "alice") == eth("1000.25"));
  CHECK(ledger.book(Asset::eth).stream.locked() == eth("0.75"));
  // A report drips at its start: price_before is after the drip (P = 1000500000); y = 0.
  r = force_eth_report(ledger, plus(kStep + 500));
  CHECK(r.price_before == wei("1000500000"));
  CHECK(r.locked_after == eth("0.5"));
  // A rejected event keeps its drip (SPEC §9.1): at +550 released 5.5e17, P = 1000550000.
  CHECK(ledger.apply(ev(Withdraw{"alice", Asset::eth, eth("2000")}, plus(kStep + 550))));
  CHECK(ledger.book(Asset::eth).shares.price() == wei("1000550000"));
  // A loss of 0.3 ETH at +600 (its drip: released 6e17, P = 1000600000), reported at once:
  // y = −3e17, T = −3e17; the lock absorbs k = min(3e17, S − R = 4e17) = 3e17, left = 1e17,
  // F − t = 400: S = 1e17, R = 0, ρ = floor(1e17·1e12/400) = 2.5e26, u = t, F unchanged; D = 0.
  must_apply(ledger, ev(Loss{"src", eth("0.3")}, plus(kStep + 600)));
  r = force_eth_report(ledger, plus(kStep + 600));
  CHECK(r.total.wei_string() == "-300000000000000000");
  CHECK(r.debt_after.is_zero());
  CHECK(r.socialized.is_zero());  // k is not socialized
  CHECK(r.locked_after == eth("0.1"));
  CHECK(ledger.book(Asset::eth).stream.rate() == U512("250000000000000000000000000"));
  CHECK(ledger.book(Asset::eth).stream.end == plus(kStep + 1000));
  // At F everything left is released: d = 1e17, P += 100000 = 1000700000; alice holds
  // 1000 + 1 − 0.3 = 1000.7 ETH, every wei of it.
  must_apply(ledger, ev(OpenAccount{"carol", AccountKind::user}, plus(kStep + 1000)));
  CHECK(ledger.book(Asset::eth).shares.price() == wei("1000700000"));
  CHECK(balance_of(ledger, "alice") == eth("1000.7"));
  CHECK(ledger.book(Asset::eth).stream.locked().is_zero());
  check_laws(ledger);
}

TEST_CASE("Policy §9.1: a new lock re-anchors with the weighted period, ρ may exceed 256 bits") {
  Stream s;
  s.end = s.anchor = kStart;
  s = stream_lock(s, kStart, eth("1"), 1000);  // period 1000, F = start + 1000
  // 500 s later: left = 5e17, total = 1.5e18, prev = 5e17·500 = 2.5e20, Y·U = 1e21;
  // period = floor(1.25e21/1.5e18) = 833; ρ = floor(1.5e30/833) = 1800720288115246098439375750.
  s.released = stream_released(s, plus(500));
  CHECK(s.released == eth("0.5"));
  const Stream next = stream_lock(s, plus(500), eth("1"), 1000);
  CHECK(next.total == eth("1.5"));
  CHECK(next.released.is_zero());
  CHECK(next.end == plus(500 + 833));
  CHECK(next.rate() == U512("1800720288115246098439375750"));
  // The rate misses a fraction of a wei per second: at F the whole of S is released anyway.
  CHECK(stream_released(next, plus(500 + 832)) < eth("1.5"));
  CHECK(stream_released(next, plus(500 + 833)) == eth("1.5"));
  // S = 2^255 over U = 1 s: ρ = 2^255·1e12 needs 296 bits, and released(t) still caps at S.
  Stream wide;
  wide.end = wide.anchor = kStart;
  const Amount half = Amount::from_u512(U512(1) << 255);
  wide = stream_lock(wide, kStart, half, 1);
  CHECK(wide.rate() == (U512(1) << 255) * kE12);
  CHECK(stream_released(wide, kStart).is_zero());
  CHECK(stream_released(wide, plus(1)) == half);
  // And S reaching 2^256 is an overflow, never a wrap.
  CHECK_THROWS_AS(stream_lock(wide, kStart, half, 1), OverflowError);
}

TEST_CASE("Policy §9.2: to_protocol gives the VOID balances' share of T to @fee_vault") {
  Policy policy = no_fees();
  policy.void_yield = VoidYield::to_protocol;
  Ledger ledger(policy_params(policy));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"dex", AccountKind::dapp}));  // ETH VOID
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));
  must_apply(ledger, ev(Deposit{"dex", DepositAsset::eth, eth("1000")}));
  // y = 2e18 = T. V = 1000e18 (dex's f; no remainders), P·C = 1e9·1e12 = 1e21:
  // x = floor(2e18·1e21/(1e21 + 1e21)) = 1e18 to @fee_vault; T − x = 1e18 → P += 1e6.
  const ReportRecord r = force_eth_report(ledger, plus(kStep));
  CHECK(r.void_share == eth("1"));
  CHECK(r.price_after == wei("1001000000"));
  CHECK(balance_of(ledger, "alice") == eth("1001"));
  CHECK(balance_of(ledger, "dex") == eth("1000"));
  CHECK(balance_of(ledger, "@fee_vault") == eth("1"));
  check_laws(ledger);
}

TEST_CASE("Policy §9.2: with C = 0 and V > 0 all of T goes to @fee_vault") {
  Policy policy = no_fees();
  policy.void_yield = VoidYield::to_protocol;
  Ledger ledger(policy_params(policy));
  must_apply(ledger, ev(OpenAccount{"dex", AccountKind::dapp}));
  must_apply(ledger, ev(Deposit{"dex", DepositAsset::eth, eth("1000")}));
  // x = floor(1e18·1e21/(0 + 1e21)) = T = 1e18; nothing waits in pending.
  const ReportRecord r = force_eth_report(ledger, plus(kStep));
  CHECK(r.void_share == eth("1"));
  CHECK(r.pending_after.is_zero());
  CHECK(balance_of(ledger, "@fee_vault") == eth("1"));
  check_laws(ledger);
}

TEST_CASE("Policy §9.3: socialize lowers the price, CLAIMABLE reads min(f, P·s + r)") {
  Policy policy = no_fees();
  policy.negative_yield = NegativeYield::socialize;
  Ledger ledger(policy_params(policy));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"bob", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));
  must_apply(ledger, ev(Deposit{"bob", DepositAsset::eth, eth("1000")}));
  must_apply(ledger, ev(Configure{"bob", Asset::eth, YieldMode::claimable}));
  // y = 2e18 over C = 2e12: P = 1001000000; bob's f = 1000e18, claimable 1e18.
  force_eth_report(ledger, plus(kStep));
  must_apply(ledger, ev(SetRate{"src", 0}, plus(kStep)));
  CHECK(ledger.claimable(*ledger.find_account("bob"), Asset::eth) == eth("1"));
  // A 4 ETH loss: T = −4e18; q = min(Q = 0, L) = 0; ΔP = min(P − 1, floor(4e18/2e12)) = 2e6,
  // P = 999000000, L = 0: no debt; socialized_wei = 4e18.
  must_apply(ledger, ev(Loss{"src", eth("4")}, plus(kStep)));
  const ReportRecord r = force_eth_report(ledger, plus(kStep));
  CHECK(r.price_before == wei("1001000000"));
  CHECK(r.price_after == wei("999000000"));
  CHECK(r.socialized == eth("4"));
  CHECK(r.debt_after.is_zero());
  CHECK(balance_of(ledger, "alice") == eth("999"));
  // bob: P·s + r = 999e18 < f = 1000e18, so balance 999e18 and claimable 0.
  CHECK(balance_of(ledger, "bob") == eth("999"));
  CHECK(ledger.claimable(*ledger.find_account("bob"), Asset::eth).is_zero());
  check_laws(ledger);
  // He can spend what he reads: f −= 999e18 (leaves 1e18 of f), re-split(0).
  must_apply(ledger, ev(Withdraw{"bob", Asset::eth, eth("999")}, plus(kStep)));
  CHECK(balance_of(ledger, "bob").is_zero());
  check_laws(ledger);
}

TEST_CASE("Policy §9.3: one share cannot carry below P = 1: the rest stays debt") {
  Policy policy = no_fees();
  policy.negative_yield = NegativeYield::socialize;
  LedgerParams params = policy_params(policy);
  params.initial_price = Amount::from_u64(10);
  params.sources[0].apr_bps = 0;
  Ledger ledger(params);
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, wei("100")}));  // s = 10, C = 10
  must_apply(ledger, ev(Loss{"src", wei("95")}));
  // T = −95; ΔP = min(10 − 1, floor(95/10)) = 9, P = 1, L = 95 − 90 = 5 = D.
  const ReportRecord r = force_eth_report(ledger, kStart);
  CHECK(r.price_after == wei("1"));
  CHECK(r.socialized == wei("90"));
  CHECK(r.debt_after == wei("5"));
  CHECK(balance_of(ledger, "alice") == wei("10"));
  check_laws(ledger);
}

TEST_CASE("Policy §9.4: the hurdle exempts yield from both fees, protocol fee into revenue") {
  Policy policy;
  policy.insurance_fee_bps = 1000;
  policy.protocol_fee_bps = 1000;
  policy.fee_hurdle_bps = 3000;
  Ledger ledger(policy_params(policy));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));
  // y = 1e18; h = floor(1000e18·3000·31536/(1e4·31536000)) = 3e17 (Δt since last_report =
  // start); e = 7e17; fee = pfee = floor(7e17·1000/1e4) = 7e16; c = 1e18 − 1.4e17 = 8.6e17;
  // P += floor(8.6e17/1e12) = 860000.
  ReportRecord r = force_eth_report(ledger, plus(kStep));
  CHECK(r.sources[0].hurdle == wei("300000000000000000"));
  CHECK(r.sources[0].fee == wei("70000000000000000"));
  CHECK(r.sources[0].protocol_fee == wei("70000000000000000"));
  CHECK(r.sources[0].committed.wei_string() == "860000000000000000");
  CHECK(r.price_after == wei("1000860000"));
  CHECK(ledger.book(Asset::eth).revenue == wei("70000000000000000"));
  CHECK(ledger.book(Asset::eth).insurance == wei("70000000000000000"));
  CHECK(ledger.book(Asset::eth).last_report == plus(kStep));
  check_laws(ledger);
}

TEST_CASE("Policy §9.4: a hurdle above the yield leaves it all fee-free") {
  Policy policy;
  policy.insurance_fee_bps = 5000;
  policy.protocol_fee_bps = 5000;
  policy.fee_hurdle_bps = 100'000;  // 1000% APR: h = 1e19 > y = 1e18
  Ledger ledger(policy_params(policy));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));
  const ReportRecord r = force_eth_report(ledger, plus(kStep));
  CHECK(r.sources[0].hurdle == eth("1"));
  CHECK(r.sources[0].fee.is_zero());
  CHECK(r.sources[0].protocol_fee.is_zero());
  CHECK(r.total.wei_string() == "1000000000000000000");
}

TEST_CASE("Policy §9.5: rebalance restores the weights after the report") {
  Policy policy = no_fees();
  policy.rebalance = true;
  LedgerParams params = policy_params(policy);
  params.sources = {SourceConfig{"a", Asset::eth, SourceKind::staking, 0, 6000},
                    SourceConfig{"b", Asset::eth, SourceKind::staking, 0, 4000}};
  Ledger ledger(params);
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));  // a 600, b 400
  must_apply(ledger, ev(Loss{"a", eth("100")}));
  // Step 1: a commits −100 (principal 500), D = 100. total = 0 + 500 + 400 = 900; targets
  // a 540, b 360: b gives 40 to the buffer, then a takes min(40, 40) = 40.
  const ReportRecord r = force_eth_report(ledger, kStart);
  CHECK(r.debt_after == eth("100"));
  CHECK(ledger.source_state(0).value == eth("540"));
  CHECK(ledger.source_state(0).principal == eth("540"));
  CHECK(ledger.source_state(1).value == eth("360"));
  CHECK(ledger.book(Asset::eth).buffer.is_zero());
  check_laws(ledger);
}

TEST_CASE("Policy §9.1: released(t) through ρ's split by E12 is min(S, floor(ρ·(t − u)/E12))") {
  // Stream::rate_whole and rate_fraction replace the long division before every event; checked
  // here against the SPEC's formula in 512-bit Boost arithmetic, on streams locked over periods
  // from 1 s to a year, S from 1 wei to near 2^256 (ρ up to 297 bits), at every offset class
  // inside the period.
  yl::testing::Random rng(919);
  int checked = 0;
  for (int trial = 0; trial < 20'000; ++trial) {
    Stream s;
    s.end = s.anchor = kStart;
    Amount total;
    switch (rng.below(4)) {
      case 0:
        total = Amount::from_u64(1 + rng.below(1000));
        break;
      case 1:
        total = Amount::from_u512((U512(rng.next()) << 192) | rng.next());
        break;
      case 2:
        total = Amount::max() - Amount::from_u64(rng.below(1000));
        break;
      default:
        total = Amount::from_u512(U512(rng.next()) * rng.next());
        break;
    }
    if (total.is_zero()) total = Amount::from_u64(1);
    const std::int64_t periods[] = {1, 2, 3600, 604'800, 31'536'000};
    const std::int64_t unlock = rng.chance(50)
                                    ? periods[rng.below(5)]
                                    : 1 + static_cast<std::int64_t>(rng.below(31'536'000));
    s = stream_lock(s, kStart, total, unlock);
    REQUIRE(s.rate_whole <= s.total);
    const std::int64_t span = s.end.seconds - s.anchor.seconds;
    for (const std::int64_t dt :
         {std::int64_t{0}, std::int64_t{1}, span / 2, span - 1, span,
          static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(span) + 1))}) {
      if (dt < 0) continue;
      const Timestamp t = plus(dt);
      U512 expected = s.rate() * U512(static_cast<std::uint64_t>(dt)) / kE12;
      if (t >= s.end || expected > s.total.wide()) expected = s.total.wide();
      REQUIRE(stream_released(s, t).wide() == expected);
      ++checked;
    }
  }
  CHECK(checked == 120'000);
}
