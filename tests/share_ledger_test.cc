#include "engine/core/share_ledger.h"

#include <doctest/doctest.h>

#include "tests/test_util.h"

using yl::Amount;
using yl::OverflowError;
using yl::Position;
using yl::ShareLedger;
using yl::U512;
using yl::YieldMode;
using yl::testing::wei;

TEST_CASE("ShareLedger: credit splits a value exactly into shares and remainder (SPEC §3.2)") {
  ShareLedger ledger(wei("1000000000"));
  Position p{YieldMode::automatic, {}, {}, {}, {}};
  ledger.credit(p, wei("1500000000000000007"));
  CHECK(p.shares == wei("1500000000"));  // floor(1.5e18+7 / 1e9)
  CHECK(p.remainder == wei("7"));
  CHECK(ledger.balance(p) == wei("1500000000000000007"));
  CHECK(ledger.total_shares() == wei("1500000000"));
  ledger.debit(p, wei("500000000000000008"));  // 1e18 - 1 left: 999999999 shares, r = 999999999
  CHECK(p.shares == wei("999999999"));
  CHECK(p.remainder == wei("999999999"));
  CHECK(ledger.total_shares() == wei("999999999"));
}

TEST_CASE("ShareLedger: pending carries while Q < C, then folds (SPEC §3.4)") {
  ShareLedger ledger(wei("1000000000"));
  Position p{YieldMode::automatic, {}, {}, {}, {}};
  ledger.credit(p, wei("1500000000000000000"));          // C = 1.5e9 shares
  CHECK(ledger.add_value(wei("1000000000")).is_zero());  // Q = 1e9 < C: price stays
  CHECK(ledger.price() == wei("1000000000"));
  CHECK(ledger.pending() == wei("1000000000"));
  // Q = 1.6e9 >= C: P += 1, Q = 1.6e9 - 1.5e9; ΔP·C = 1.5e9 folded.
  CHECK(ledger.add_value(wei("600000000")) == wei("1500000000"));
  CHECK(ledger.price() == wei("1000000001"));
  CHECK(ledger.pending() == wei("100000000"));
  CHECK(ledger.balance(p) == wei("1500000001500000000"));  // 1.5e9 shares · (1e9 + 1)
}

TEST_CASE("ShareLedger: a price step at the edges of 64 bits (SPEC §3.4, native fast path)") {
  // add_value takes native integers while Q, Y, C, P, Q + Y and P + ΔP are below 2^64, else the
  // 256-bit steps: both must give the same P, Q and ΔP·C.
  SUBCASE("P + ΔP reaching 2^64 takes the 256-bit steps") {
    ShareLedger ledger(Amount::from_u64(1));
    Position p{YieldMode::automatic, {}, {}, {}, {}};
    ledger.credit(p, Amount::from_u64(3));         // C = 3 at P = 1
    const Amount y = wei("18446744073709551615");  // 2^64 - 1 = 3 · 6148914691236517205
    CHECK(ledger.add_value(y) == y);
    CHECK(ledger.price() == wei("6148914691236517206"));
    CHECK(ledger.add_value(y) == y);
    CHECK(ledger.price() == wei("12297829382473034411"));
    CHECK(ledger.add_value(y) == y);  // P = 1 + 3·ΔP = 2^64 exactly
    CHECK(ledger.price() == wei("18446744073709551616"));
    CHECK(ledger.peak_price() == wei("18446744073709551616"));
    CHECK(ledger.pending().is_zero());
    CHECK(ledger.balance(p) == wei("55340232221128654848"));  // 3 · 2^64
  }
  SUBCASE("Q + Y reaching 2^64 takes the 256-bit steps") {
    ShareLedger ledger(Amount::from_u64(1));
    const Amount half = wei("9223372036854775808");  // 2^63
    CHECK(ledger.add_value(half).is_zero());         // no shares: Q = 2^63
    Position p{YieldMode::automatic, {}, {}, {}, {}};
    ledger.credit(p, Amount::from_u64(5));  // C = 5
    // Q + Y = 2^64 = 5 · 3689348814741910323 + 1: ΔP·C = 2^64 - 1 folded, 1 stays pending.
    CHECK(ledger.add_value(half) == wei("18446744073709551615"));
    CHECK(ledger.price() == wei("3689348814741910324"));
    CHECK(ledger.pending() == Amount::from_u64(1));
    // Below 2^64 again, natively: Q + Y = 1 + 9 = 10, ΔP = 2, nothing pending.
    CHECK(ledger.add_value(Amount::from_u64(9)) == Amount::from_u64(10));
    CHECK(ledger.price() == wei("3689348814741910326"));
    CHECK(ledger.pending().is_zero());
  }
}

TEST_CASE("ShareLedger: yield before any share exists waits in pending (blast-mechanics §6.1)") {
  ShareLedger ledger(wei("1000000000"));
  ledger.add_value(wei("5000"));
  CHECK(ledger.pending() == wei("5000"));
  CHECK(ledger.price() == wei("1000000000"));
}

TEST_CASE("ShareLedger: CLAIMABLE keeps f and accrues claimable, configure folds it (SPEC §3.6)") {
  ShareLedger ledger(wei("1000000000"));
  Position p{YieldMode::claimable, {}, {}, {}, {}};
  ledger.credit(p, wei("2000000000000000000"));  // 2e9 shares
  CHECK(p.fixed == wei("2000000000000000000"));
  ledger.add_value(wei("2000000000"));  // P += 1
  CHECK(ledger.balance(p) == wei("2000000000000000000"));
  CHECK(ledger.claimable(p) == wei("2000000000"));
  ledger.take_claim(p, wei("500000000"));
  CHECK(ledger.claimable(p) == wei("1500000000"));
  CHECK(p.fixed == wei("2000000000000000000"));
  SUBCASE("CLAIMABLE to CLAIMABLE turns claimable into fixed balance") {
    ledger.configure(p, YieldMode::claimable);
    CHECK(ledger.balance(p) == wei("2000000001500000000"));
    CHECK(ledger.claimable(p).is_zero());
  }
  SUBCASE("CLAIMABLE to VOID folds claimable and holds no shares") {
    ledger.configure(p, YieldMode::void_mode);
    CHECK(p.fixed == wei("2000000001500000000"));
    CHECK(p.shares.is_zero());
    CHECK(ledger.total_shares().is_zero());
    CHECK(ledger.void_fixed_sum() == wei("2000000001500000000"));
  }
}

TEST_CASE("ShareLedger: a CLAIMABLE debit spends only f (SPEC §3.5)") {
  ShareLedger ledger(wei("1000000000"));
  Position p{YieldMode::claimable, {}, {}, {}, {}};
  ledger.credit(p, wei("1000000000000"));
  ledger.add_value(wei("1000"));  // C = 1000 shares: P += 1
  CHECK(ledger.claimable(p) == wei("1000"));
  ledger.debit(p, wei("1000000000000"));
  CHECK(ledger.balance(p).is_zero());
  CHECK(ledger.claimable(p) == wei("1000"));  // the yield stays claimable
}

TEST_CASE("ShareLedger: a fold that would take P·C + Σr to 2^256 throws and changes nothing") {
  // P = 2^200, one AUTOMATIC balance of 2^255: C = 2^55 shares, r = 0, P·C = 2^255. The bound is
  // checked by multiplying here (P >= 2^64), not by the shortcut.
  const Amount p200 = Amount::from_u512(U512(1) << 200);
  ShareLedger ledger(p200);
  Position p{YieldMode::automatic, {}, {}, {}, {}};
  ledger.credit(p, Amount::from_u512(U512(1) << 255));
  REQUIRE(ledger.total_shares() == Amount::from_u512(U512(1) << 55));
  // Y = 2^55: P += 1, so P·C = 2^255 + 2^55 still fits; ΔP·C = 2^55 folded.
  CHECK(ledger.add_value(Amount::from_u512(U512(1) << 55)) == Amount::from_u512(U512(1) << 55));
  CHECK(ledger.price() == p200 + Amount::from_u64(1));
  // Y = 2^255: P += 2^200 would make P·C = 2^256 + 2^55: an overflow, with P and Q as they were.
  CHECK_THROWS_AS(ledger.add_value(Amount::from_u512(U512(1) << 255)), OverflowError);
  CHECK(ledger.price() == p200 + Amount::from_u64(1));
  CHECK(ledger.pending().is_zero());
}
