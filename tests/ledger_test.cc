// Worked examples through the whole state machine; expected wei are derived in the comments.
#include "engine/core/ledger.h"

#include <doctest/doctest.h>

#include "tests/test_util.h"

using namespace yl;
using yl::testing::at;
using yl::testing::basic_params;
using yl::testing::eth;
using yl::testing::ev;
using yl::testing::must_apply;
using yl::testing::must_reject;
using yl::testing::wei;

namespace {

const Timestamp kStart = yl::testing::kBasicStart;  // 2024-03-01T00:00:00Z

LedgerParams with_source(SourceKind kind, Asset asset, std::uint32_t apr, std::uint32_t weight) {
  LedgerParams params = basic_params();
  params.sources.push_back(SourceConfig{"src", asset, kind, apr, weight});
  return params;
}

}  // namespace

TEST_CASE("Ledger: genesis holds the two system accounts, VOID, and nothing else") {
  Ledger ledger(basic_params());
  CHECK(ledger.account_count() == 2);
  CHECK(ledger.info(kGasAccount).name == "@gas");
  CHECK(ledger.info(kFeeVaultAccount).name == "@fee_vault");
  CHECK(ledger.state(kGasAccount).positions[0].mode == YieldMode::void_mode);
  CHECK(ledger.book(Asset::eth).shares.price() == wei("1000000000"));
  CHECK_FALSE(ledger.audit_invariants().has_value());
}

TEST_CASE("Ledger: open sets the SPEC §2.2 default modes, duplicates and @ names are rejected") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"dex", AccountKind::dapp}));
  const AccountId alice = *ledger.find_account("alice");
  const AccountId dex = *ledger.find_account("dex");
  CHECK(ledger.state(alice).positions[0].mode == YieldMode::automatic);
  CHECK(ledger.state(dex).positions[0].mode == YieldMode::void_mode);
  CHECK(ledger.state(dex).positions[1].mode == YieldMode::automatic);
  CHECK(must_reject(ledger, ev(OpenAccount{"alice", AccountKind::dapp}),
                    RejectCode::account_exists) == "account 'alice' already exists");
  CHECK(must_reject(ledger, ev(OpenAccount{"@gas", AccountKind::user}),
                    RejectCode::account_name_reserved) ==
        "account name '@gas' is reserved for system accounts");
  CHECK(ledger.account_count() == 4);
}

TEST_CASE("Ledger: deposit routes by weight, the buffer takes the rest (SPEC §5.2)") {
  Ledger ledger(with_source(SourceKind::staking, Asset::eth, 400, 9000));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  // 10 ETH + 1 wei: source takes floor((1e19 + 1)·9000/10000) = 9e18 (the 0.9 wei floors away).
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, wei("10000000000000000001")}));
  CHECK(ledger.source_state(0).value == wei("9000000000000000000"));
  CHECK(ledger.source_state(0).principal == wei("9000000000000000000"));
  CHECK(ledger.book(Asset::eth).buffer == wei("1000000000000000001"));
  CHECK(ledger.balance(*ledger.find_account("alice"), Asset::eth) == wei("10000000000000000001"));
}

TEST_CASE("Ledger: the buffer takes only what routing leaves, up to the §6 sum limit (SPEC §5.2)") {
  // Weight 5000: alice's 2^255 leaves 2^254 in the buffer and 2^254 at the source. bob's 2^256 - 1
  // would bring buffer + Σ value to 2^255 + 2^256 - 1: SPEC §6 rejects it as overflow. bob's
  // 2^255 - 1 routes floor((2^255 - 1)/2) = 2^254 - 1 and leaves 2^254 in the buffer, which then
  // holds 2^255: the sums are 2^256 - 1 and fit.
  Ledger ledger(with_source(SourceKind::staking, Asset::eth, 0, 5000));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"bob", AccountKind::user}));
  const Amount half = Amount::from_u512(U512(1) << 255);
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, half}));
  CHECK(must_reject(ledger, ev(Deposit{"bob", DepositAsset::eth, Amount::max()}),
                    RejectCode::overflow) ==
        "overflow: ETH's buffer, sources and debt would reach 2^256");
  must_apply(ledger, ev(Deposit{"bob", DepositAsset::eth, half - wei("1")}));
  CHECK(ledger.balance(*ledger.find_account("bob"), Asset::eth) == half - wei("1"));
  CHECK(ledger.book(Asset::eth).buffer == half);
  CHECK(ledger.source_state(0).value == Amount::from_u512((U512(1) << 254) + (U512(1) << 254) - 1));
}

TEST_CASE("Ledger: USDC deposits credit USDB at 10^12 wei per base unit (SPEC §2.1)") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"bob", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"bob", DepositAsset::usdc, wei("2500000")}));  // 2.5 USDC
  CHECK(ledger.balance(*ledger.find_account("bob"), Asset::usdb) == eth("2.5"));
  CHECK(ledger.book(Asset::usdb).buffer == eth("2.5"));
}

TEST_CASE("Ledger: a daily report pays staking yield less the insurance fee (SPEC §5.4)") {
  Ledger ledger(with_source(SourceKind::staking, Asset::eth, 400, 10000));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));
  REQUIRE_FALSE(ledger.advance_to(at("2024-03-02T00:00:00Z")).has_value());
  const auto reports = ledger.take_reports();
  REQUIRE(reports.size() == 2);  // ETH then USDB
  const ReportRecord& r = reports[0];
  // y = floor(1000e18·400·86400/(1e4·31536000)) = 109589041095890410 wei.
  CHECK(r.sources[0].yield.wei_string() == "109589041095890410");
  CHECK(r.sources[0].fee == wei("10958904109589041"));  // floor(y·1000/10000)
  CHECK(r.sources[0].committed.wei_string() == "98630136986301369");
  // T = c = 98630136986301369; C = 1e12 shares: P += floor(T/C) = 98630, Q = 136986301369.
  CHECK(r.price_after == wei("1000098630"));
  CHECK(r.pending_after == wei("136986301369"));
  CHECK(ledger.balance(*ledger.find_account("alice"), Asset::eth) == wei("1000098630000000000000"));
  CHECK(ledger.book(Asset::eth).insurance == wei("10958904109589041"));
  CHECK(reports[1].asset == Asset::usdb);
  CHECK(reports[1].sources.empty());
}

namespace {

// alice's 1000 ETH all at one staking source at `apr` bps, which lost 10 ETH: a report made the
// loss D = 10 ETH (no insurance), principal 990.
Ledger in_debt(std::uint32_t apr) {
  Ledger ledger(with_source(SourceKind::staking, Asset::eth, apr, 10000));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));
  must_apply(ledger, ev(Loss{"src", eth("10")}));
  must_apply(ledger, ev(ForceReport{Asset::eth}));
  return ledger;
}

}  // namespace

TEST_CASE("Ledger: a loss becomes debt, and a withdrawal pays at π = 0.99e27 (SPEC §5.5)") {
  Ledger ledger = in_debt(0);
  // y = −10 ETH, insurance 0: cover 0, c = −10, T = −10, so D = 10 and principal = 990.
  CHECK(ledger.book(Asset::eth).debt == eth("10"));
  CHECK(ledger.source_state(0).principal == eth("990"));
  // TV = 990, D = 10: π = floor(990·RAY/1000) = 0.99e27. 10 ETH pays 9.9; D falls by 0.1.
  must_apply(ledger, ev(Withdraw{"alice", Asset::eth, eth("10")}));
  CHECK(ledger.book(Asset::eth).debt == eth("9.9"));
  CHECK(ledger.book(Asset::eth).retained.is_zero());
  CHECK(ledger.source_state(0).value == eth("980.1"));
  CHECK(ledger.balance(*ledger.find_account("alice"), Asset::eth) == eth("990"));
}

TEST_CASE("Ledger: the withdrawal price at a later time accrues the sources to it (SPEC §5.5)") {
  // The lab's exit metrics price holdings at the run's end, which may be after the last event
  // and report: the price at the last event was used (helper-61's R1).
  const Ledger ledger = in_debt(3650);
  REQUIRE(ledger.book(Asset::eth).debt == eth("10"));
  // Now: TV = 990, D = 10, π = floor(990·RAY/1000).
  CHECK(ledger.withdrawal_price_ray(Asset::eth, ledger.now()) ==
        wei("990000000000000000000000000"));
  // A day later at 36.5%: value += floor(990e18 · 3650 · 86400 / (10^4 · 31536000)) = 0.99 ETH,
  // so TV = 990.99 and π = floor(990.99e18 · RAY / 1000.99e18).
  const Timestamp later{ledger.now().seconds + 86400};
  CHECK(ledger.withdrawal_price_ray(Asset::eth, later) == wei("990009890208693393540395008"));
  CHECK(ledger.source_state(0).value == eth("990"));  // nothing changed
  CHECK(ledger.withdrawal_price_ray(Asset::usdb, later) == wei("1000000000000000000000000000"));
}

TEST_CASE("Ledger: insurance covers a later loss before any debt forms") {
  LedgerParams params = with_source(SourceKind::staking, Asset::eth, 0, 10000);
  Ledger ledger(params);
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("100")}));
  must_apply(ledger, ev(SetRate{"src", 3650}));
  // One day at 36.5%: y = 100e18·3650·86400/(1e4·31536000) = 0.1 ETH; fee 0.01 ETH.
  REQUIRE_FALSE(ledger.advance_to(at("2024-03-02T00:00:00Z")).has_value());
  CHECK(ledger.book(Asset::eth).insurance == eth("0.01"));
  must_apply(ledger, ev(Loss{"src", eth("0.004")}, at("2024-03-02T00:00:00Z")));
  must_apply(ledger, ev(ForceReport{Asset::eth}, at("2024-03-02T00:00:00Z")));
  const auto reports = ledger.take_reports();
  const ReportRecord& forced = reports.back();
  CHECK(forced.trigger == ReportTrigger::event);
  CHECK(forced.sources[0].yield.wei_string() == "-4000000000000000");
  CHECK(forced.sources[0].cover == eth("0.004"));
  CHECK(forced.sources[0].committed.is_zero());
  CHECK(ledger.book(Asset::eth).insurance == eth("0.006"));
  CHECK(ledger.book(Asset::eth).debt.is_zero());
}

TEST_CASE("Ledger: gas fees in CLAIMABLE mode claim at 7499 bps after 15 days (SPEC §4)") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"dex", AccountKind::dapp}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("2")}));
  must_apply(ledger, ev(SetGasMode{"dex", GasMode::claimable}));
  must_apply(ledger, ev(PayGas{"alice", "dex", eth("1")}));
  CHECK(ledger.balance(kGasAccount, Asset::eth) == eth("1"));
  must_apply(ledger, ev(ClaimGas{"dex"}, at("2024-03-16T00:00:00Z")));
  const AccountId dex = *ledger.find_account("dex");
  CHECK(ledger.balance(dex, Asset::eth) == eth("0.7499"));
  CHECK(ledger.balance(kFeeVaultAccount, Asset::eth) == eth("0.2501"));
  CHECK(ledger.balance(kGasAccount, Asset::eth).is_zero());
  CHECK(ledger.gas(dex)->age_wei_seconds.is_zero());
  must_reject(ledger, ev(ClaimGas{"dex"}, at("2024-03-16T00:00:00Z")), RejectCode::no_gas_to_claim);
}

TEST_CASE("Ledger: gas in VOID gas mode goes to the fee vault") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"dex", AccountKind::dapp}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1")}));
  must_apply(ledger, ev(PayGas{"alice", "dex", eth("0.25")}));
  CHECK(ledger.balance(kFeeVaultAccount, Asset::eth) == eth("0.25"));
  CHECK(must_reject(ledger, ev(SetGasMode{"alice", GasMode::claimable}), RejectCode::not_a_dapp) ==
        "alice is a user, not a dapp");
}

TEST_CASE("Ledger: claims need CLAIMABLE and at most the claimable amount (SPEC §3.7)") {
  Ledger ledger(with_source(SourceKind::staking, Asset::eth, 0, 0));
  must_apply(ledger, ev(OpenAccount{"carol", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"dave", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"carol", DepositAsset::eth, eth("1")}));
  CHECK(must_reject(ledger, ev(Claim{"carol", Asset::eth, std::nullopt, ""}),
                    RejectCode::not_claimable) ==
        "carol's ETH yield mode is AUTOMATIC, not CLAIMABLE");
  must_apply(ledger, ev(Configure{"carol", Asset::eth, YieldMode::claimable}));
  must_apply(ledger, ev(Claim{"carol", Asset::eth, wei("0"), ""}));  // 0 is allowed
  CHECK(must_reject(ledger, ev(Claim{"carol", Asset::eth, wei("1"), ""}),
                    RejectCode::claim_exceeds_claimable) ==
        "claim exceeds claimable: carol can claim 0 ETH, asked 0.000000000000000001");
  // A donation-free way to create yield: pending from a report over carol's 1e9 shares.
  must_apply(ledger, ev(Loss{"src", wei("0")}));
  must_reject(ledger, ev(Transfer{"carol", "carol", Asset::eth, wei("1")}),
              RejectCode::transfer_to_self);
  CHECK(must_reject(ledger, ev(Transfer{"carol", "dave", Asset::eth, eth("1.5")}),
                    RejectCode::insufficient_balance) ==
        "insufficient balance: carol holds 1 ETH, needs 1.5");
}

TEST_CASE("Ledger: a rejected event changes nothing, including source accrual") {
  Ledger ledger(with_source(SourceKind::treasury, Asset::usdb, 500, 10000));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::usdb, eth("100")}));
  const SourceState before = ledger.source_state(0);
  const Timestamp later = at("2024-03-01T12:00:00Z");
  must_reject(ledger, ev(Withdraw{"alice", Asset::usdb, eth("101")}, later),
              RejectCode::insufficient_balance);
  CHECK(ledger.source_state(0) == before);
  must_reject(ledger, ev(Deposit{"alice", DepositAsset::usdb, Amount::max()}, later),
              RejectCode::overflow);
  CHECK(ledger.source_state(0) == before);
  CHECK(ledger.balance(*ledger.find_account("alice"), Asset::usdb) == eth("100"));
}

TEST_CASE("Ledger: times must stay within [start, end] and never go back") {
  Ledger ledger(basic_params());
  must_reject(ledger, ev(OpenAccount{"a", AccountKind::user}, at("2024-02-29T23:59:59Z")),
              RejectCode::time_before_start);
  must_reject(ledger, ev(OpenAccount{"a", AccountKind::user}, at("2024-06-01T00:00:01Z")),
              RejectCode::time_after_end);
  must_apply(ledger, ev(OpenAccount{"a", AccountKind::user}, at("2024-03-05T00:00:00Z")));
  must_reject(ledger, ev(OpenAccount{"b", AccountKind::user}, at("2024-03-04T00:00:00Z")),
              RejectCode::time_goes_backwards);
  // Scheduled reports ran for 2024-03-02 .. 2024-03-05, two assets each.
  CHECK(ledger.take_reports().size() == 8);
}

TEST_CASE("Ledger: a forced report at a scheduled second runs after it and sees Δt = 0") {
  Ledger ledger(with_source(SourceKind::staking, Asset::eth, 400, 10000));
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("1000")}));
  must_apply(ledger, ev(ForceReport{std::nullopt}, at("2024-03-02T00:00:00Z")));
  const auto reports = ledger.take_reports();
  REQUIRE(reports.size() == 4);
  CHECK(reports[0].trigger == ReportTrigger::scheduled);
  CHECK(reports[2].trigger == ReportTrigger::event);
  CHECK(reports[2].asset == Asset::eth);
  CHECK(reports[2].sources[0].yield.is_zero());
  CHECK(reports[3].asset == Asset::usdb);
}

TEST_CASE(
    "Ledger: an event after which an asset's sums would reach 2^256 is an overflow (SPEC §6)") {
  // Two USDB sources of weight 5000. Each deposit of 2^255 wei puts 2^254 into each source, so
  // after the second every stored value still fits (each source holds 2^255) but
  // buffer + Σ value + D = buffer + Σ principal + D = 2^256: SPEC §6 rejects that event.
  LedgerParams params = basic_params();
  params.sources.push_back(SourceConfig{"a", Asset::usdb, SourceKind::staking, 0, 5000});
  params.sources.push_back(SourceConfig{"b", Asset::usdb, SourceKind::staking, 0, 5000});
  Ledger ledger(params);
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"bob", AccountKind::user}));
  const Amount half = wei(
      "57896044618658097711785492504343953926634992332820282019728792003956564819968");  // 2^255
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::usdb, half}));
  const AccountState bob_before = ledger.state(*ledger.find_account("bob"));
  CHECK(must_reject(ledger, ev(Deposit{"bob", DepositAsset::usdb, half}), RejectCode::overflow) ==
        "overflow: USDB's buffer, sources and debt would reach 2^256");
  // Nothing changed: the sources still hold alice's deposit only, bob still holds nothing.
  CHECK(ledger.source_state(0).value.wei_string() ==
        "28948022309329048855892746252171976963317496166410141009864396001978282409984");  // 2^254
  CHECK(ledger.state(*ledger.find_account("bob")) == bob_before);
  // One wei less fits: the sum is then 2^256 − 1.
  must_apply(ledger, ev(Deposit{"bob", DepositAsset::usdb, half - wei("1")}));
  CHECK_FALSE(ledger.audit_invariants().has_value());
}
