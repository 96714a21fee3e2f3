// The Ledger's compact account layout (issue 13, lever 4): gas records for dapps only, kept apart
// from the positions, and what the one checkpoint saves and restores of them.
#include <doctest/doctest.h>

#include "engine/core/ledger.h"
#include "tests/ledger_state.h"
#include "tests/test_util.h"

using namespace yl;
using yl::testing::at;
using yl::testing::basic_params;
using yl::testing::eth;
using yl::testing::must_apply;
using yl::testing::must_reject;
using yl::testing::same_state;

namespace {

const Timestamp kStart{1709251200};  // 2024-03-01T00:00:00Z

Event ev(EventBody body, Timestamp time = kStart) { return Event{time, std::move(body)}; }

}  // namespace

TEST_CASE("Account layout: only dapps have a gas record, from the time they were opened") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"dex", AccountKind::dapp}, at("2024-03-02T00:00:00Z")));
  CHECK(ledger.gas(kGasAccount) == nullptr);
  CHECK(ledger.gas(kFeeVaultAccount) == nullptr);
  CHECK(ledger.gas(*ledger.find_account("alice")) == nullptr);
  const GasRecord* dex = ledger.gas(*ledger.find_account("dex"));
  REQUIRE(dex != nullptr);
  // SPEC §4: B = S = 0, VOID, t = the open's time.
  CHECK(*dex == GasRecord{GasMode::void_mode, {}, {}, at("2024-03-02T00:00:00Z")});
  CHECK_THROWS(ledger.gas(static_cast<AccountId>(ledger.account_count())));  // no such account
}

TEST_CASE("Account layout: a rejected gas event restores the dapp's gas record it aged") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"dex", AccountKind::dapp}));
  must_apply(ledger, ev(OpenAccount{"amm", AccountKind::dapp}));
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, eth("3")}));
  must_apply(ledger, ev(SetGasMode{"amm", GasMode::claimable}));
  must_apply(ledger, ev(PayGas{"alice", "amm", eth("1")}, at("2024-03-01T00:00:10Z")));
  const AccountId amm = *ledger.find_account("amm");
  // B = 1 ETH since t = 10 s: S = 0 (B was 0 before).
  CHECK(*ledger.gas(amm) ==
        GasRecord{GasMode::claimable, eth("1"), {}, at("2024-03-01T00:00:10Z")});
  // The reports due before the events below run first and stay (ledger.h): run them now.
  REQUIRE_FALSE(ledger.prepare_for(at("2024-03-05T00:00:00Z")).has_value());
  const Ledger before = ledger;
  // ClaimGas ages dex's record (S += 0·Δt, t = now) before it finds B = 0 and rejects: the
  // rollback must put t back, and leave amm's record (B = 1 ETH) and every position as they were.
  must_reject(ledger, ev(ClaimGas{"dex"}, at("2024-03-05T00:00:00Z")), RejectCode::no_gas_to_claim);
  CHECK(ledger.gas(*ledger.find_account("dex"))->updated == kStart);
  CHECK(same_state(ledger, before));
  // A payment that fails its balance check changes nothing either.
  must_reject(ledger, ev(PayGas{"alice", "amm", eth("5")}, at("2024-03-05T00:00:00Z")),
              RejectCode::insufficient_balance);
  CHECK(same_state(ledger, before));
  // The same ClaimGas on amm succeeds: its S was kept, aged 1 ETH · (4 days − 10 s).
  must_apply(ledger, ev(ClaimGas{"amm"}, at("2024-03-05T00:00:00Z")));
  CHECK(ledger.gas(amm)->balance_wei.is_zero());
  CHECK(ledger.gas(amm)->updated == at("2024-03-05T00:00:00Z"));
  CHECK_FALSE(ledger.audit_invariants().has_value());
}

TEST_CASE("Account layout: a copied Ledger keeps its own gas records") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"dex", AccountKind::dapp}));
  const Ledger copy = ledger;
  must_apply(ledger, ev(SetGasMode{"dex", GasMode::claimable}));
  CHECK(ledger.gas(*ledger.find_account("dex"))->mode == GasMode::claimable);
  CHECK(copy.gas(*copy.find_account("dex"))->mode == GasMode::void_mode);
  CHECK_FALSE(same_state(ledger, copy));
}
