// The Ledger's compact account layout (issue 13): gas records for dapps only, kept apart from the
// positions, and what the one checkpoint saves and restores of them; positions in 64-byte slots
// with a side table for the wide ones (engine/core/position_store.h).
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "engine/core/ledger.h"
#include "engine/core/position_store.h"
#include "tests/ledger_state.h"
#include "tests/test_util.h"

using namespace yl;
using yl::testing::at;
using yl::testing::basic_params;
using yl::testing::eth;
using yl::testing::ev;
using yl::testing::must_apply;
using yl::testing::must_reject;
using yl::testing::same_state;

namespace {

const Timestamp kStart = yl::testing::kBasicStart;  // 2024-03-01T00:00:00Z

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

TEST_CASE("Account layout: names live in one arena, info and find_account agree for every id") {
  Ledger ledger(basic_params());
  // Short names (decided in the name index's slot), long ones sharing their first 7 bytes and
  // more (keyed by a hash, confirmed against the arena), and one of 300 bytes; enough of them
  // that the arena and the tables reallocate several times.
  std::vector<std::string> names;
  for (int i = 0; i < 600; ++i) {
    names.push_back(i % 3 == 0   ? "u" + std::to_string(i)
                    : i % 3 == 1 ? "account-with-a-long-name-" + std::to_string(i)
                                 : std::string(static_cast<std::size_t>(8 + i % 40), 'x') +
                                       std::to_string(i));
  }
  names.push_back(std::string(300, 'n'));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const AccountKind kind = i % 5 == 0 ? AccountKind::dapp : AccountKind::user;
    must_apply(ledger, ev(OpenAccount{names[i], kind}, Timestamp{kStart.seconds + 60 * int(i)}));
  }
  REQUIRE(ledger.account_count() == names.size() + 2);
  CHECK(ledger.info(kGasAccount).name == "@gas");
  CHECK(ledger.info(kFeeVaultAccount).name == "@fee_vault");
  CHECK(ledger.info(kFeeVaultAccount).kind == AccountKind::system);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto id = static_cast<AccountId>(i + 2);
    const AccountInfo info = ledger.info(id);
    CHECK(info.name == names[i]);
    CHECK(info.kind == (i % 5 == 0 ? AccountKind::dapp : AccountKind::user));
    CHECK(info.opened == Timestamp{kStart.seconds + 60 * int(i)});
    CHECK((ledger.gas(id) != nullptr) == (i % 5 == 0));
    CHECK(ledger.find_account(names[i]) == std::optional<AccountId>(id));
  }
  // A prefix or an extension of a stored name is another name.
  CHECK_FALSE(ledger.find_account("account-with-a-long-name-").has_value());
  CHECK_FALSE(ledger.find_account("account-with-a-long-name-12").has_value());  // 12 is "u12"
  CHECK(ledger.find_account("account-with-a-long-name-1").has_value());
  CHECK_FALSE(ledger.find_account(std::string(299, 'n')).has_value());
  CHECK_FALSE(ledger.find_account(std::string(301, 'n')).has_value());
  CHECK_FALSE(ledger.audit_invariants().has_value());
}

// The account record packs the time opened in 40 bits: the first and the last second a
// timestamp can name (years 0000 and 9999) come back whole, the first one negative.
TEST_CASE("Account layout: the time opened keeps its sign and every bit, years 0000 to 9999") {
  LedgerParams params = basic_params();
  params.start = at("0000-01-01T00:00:00Z");
  params.end = at("9999-12-31T23:59:59Z");
  params.report_every_s = params.end.seconds - params.start.seconds + 1;  // no scheduled report
  Ledger ledger(params);
  must_apply(ledger, ev(OpenAccount{"first", AccountKind::dapp}, params.start));
  must_apply(ledger, ev(OpenAccount{"last", AccountKind::user}, params.end));
  CHECK(params.start.seconds == -62'167'219'200);
  CHECK(ledger.info(*ledger.find_account("first")).opened == params.start);
  CHECK(ledger.info(*ledger.find_account("first")).kind == AccountKind::dapp);
  CHECK(ledger.info(*ledger.find_account("last")).opened == Timestamp{253'402'300'799});
  CHECK(ledger.info(*ledger.find_account("last")).kind == AccountKind::user);
}

TEST_CASE("Account layout: a rejected open leaves the names as they were, a copy owns its names") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"a-rather-long-account-name", AccountKind::user}));
  const Ledger before = ledger;
  must_reject(ledger, ev(OpenAccount{"a-rather-long-account-name", AccountKind::dapp}),
              RejectCode::account_exists);
  must_reject(ledger, ev(OpenAccount{"@a-rather-long-account-name", AccountKind::user}),
              RejectCode::account_name_reserved);
  CHECK(same_state(ledger, before));
  CHECK(ledger.account_count() == 3);
  CHECK(ledger.info(2).name == "a-rather-long-account-name");
  CHECK(ledger.info(2).kind == AccountKind::user);
  // Opening more in the original reallocates its arena; the copy still reads its own.
  for (int i = 0; i < 100; ++i) {
    must_apply(ledger, ev(OpenAccount{"another-long-account-name-" + std::to_string(i),
                                      AccountKind::user}));
  }
  CHECK(before.account_count() == 3);
  CHECK(before.info(2).name == "a-rather-long-account-name");
  CHECK(before.find_account("a-rather-long-account-name") == std::optional<AccountId>(2));
  CHECK_FALSE(before.find_account("another-long-account-name-0").has_value());
  CHECK(ledger.info(102).name == "another-long-account-name-99");
}

namespace {

// 2^bit (bit < 256).
Amount power_of_two(int bit) {
  Amount::Limbs limbs{};
  limbs[static_cast<std::size_t>(bit / 64)] = std::uint64_t{1} << (bit % 64);
  return Amount::from_limbs(limbs);
}

Position filled(YieldMode mode, const Amount& shares, const Amount& remainder, const Amount& fixed,
                const Amount& price_posted) {
  Position p;
  p.mode = mode;
  p.shares = shares;
  p.remainder = remainder;
  p.fixed = fixed;
  p.price_posted = price_posted;
  return p;
}

}  // namespace

TEST_CASE("Position store: 128-bit amounts pack in a slot, wider ones go whole to a side table") {
  const Amount one = Amount::from_u64(1);
  const Amount max128 = power_of_two(128) - one, max125 = power_of_two(125) - one;
  PositionStore store;
  for (int i = 0; i < 3; ++i) store.add_account();
  REQUIRE(store.account_count() == 3);
  CHECK(store.get(2, Asset::usdb) == Position{});  // AUTOMATIC, all zero

  // The largest values a slot holds: shares below 2^125 (three bits hold the mode and the flag),
  // the rest below 2^128. Every mode survives with them.
  for (YieldMode mode : {YieldMode::automatic, YieldMode::void_mode, YieldMode::claimable}) {
    const Position edge = filled(mode, max125, max128, max128, max128);
    store.edit(1, Asset::eth) = edge;
    store.commit();
    CHECK(store.get(1, Asset::eth) == edge);
    CHECK(store.get(1, Asset::usdb) == Position{});  // the other asset's slot is apart
    CHECK(store.wide_count() == 0);
  }
  // One bit more in any amount, and the position is kept whole, exactly.
  const std::array<Position, 4> wide = {
      filled(YieldMode::claimable, power_of_two(125), one, one, one),
      filled(YieldMode::automatic, one, power_of_two(128), one, one),
      filled(YieldMode::void_mode, Amount(), Amount(), power_of_two(255), one),
      filled(YieldMode::automatic, one, one, one, power_of_two(200) + max128)};
  for (std::size_t i = 0; i < wide.size(); ++i) {
    const auto id = static_cast<std::uint32_t>(i % 3);
    const Asset asset = i < 2 ? Asset::eth : Asset::usdb;
    store.edit(id, asset) = wide[i];
    store.commit();
    CHECK(store.get(id, asset) == wide[i]);
    CHECK(store.wide_count() == i + 1);
  }
  // A wide position that narrows again keeps its side-table entry; its value is what counts.
  const Position small = filled(YieldMode::void_mode, Amount(), Amount(), one, one);
  store.edit(0, Asset::eth) = small;
  store.commit();
  CHECK(store.get(0, Asset::eth) == small);
  CHECK(store.wide_count() == 4);
}

TEST_CASE("Position store: the working set aliases, reads through, and is dropped by discard") {
  PositionStore store;
  for (int i = 0; i < 4; ++i) store.add_account();
  const Position committed = filled(YieldMode::automatic, Amount::from_u64(7), Amount::from_u64(3),
                                    {}, Amount::from_u64(9));
  store.edit(3, Asset::eth) = committed;
  store.commit();
  CHECK(store.working_set_empty());

  Position& a = store.edit(3, Asset::eth);
  Position& b = store.edit(3, Asset::eth);
  CHECK(&a == &b);  // one position, one slot: changes through either are seen by both
  Position& other = store.edit(3, Asset::usdb);
  CHECK(&other != &a);
  a.shares = Amount::from_u64(8);
  CHECK(store.get(3, Asset::eth).shares == Amount::from_u64(8));  // reads see the event's change
  // References stay valid while the working set fills up (it never reallocates).
  for (std::uint32_t id = 0; id < 3; ++id) store.edit(id, Asset::usdb).fixed = Amount::from_u64(id);
  CHECK(b.shares == Amount::from_u64(8));
  store.discard();
  CHECK(store.working_set_empty());
  CHECK(store.get(3, Asset::eth) == committed);
  for (std::uint32_t id = 0; id < 3; ++id) CHECK(store.get(id, Asset::usdb) == Position{});

  // A removed account's slots are reused zeroed by the next one.
  store.edit(3, Asset::usdb).fixed = Amount::from_u64(5);
  store.commit();
  store.remove_last_account();
  store.add_account();
  CHECK(store.get(3, Asset::usdb) == Position{});
  CHECK(store.get(3, Asset::eth) == Position{});
}

TEST_CASE("Position store: accounts across many chunks keep their own positions") {
  PositionStore store;
  // Three chunks of 32,768 slots and part of a fourth: the first grows as a vector (and is
  // copied as it does), the later ones are mapped whole, in huge pages where the kernel has them.
  constexpr std::uint32_t kCount = 3 * 32768 + 5;
  for (std::uint32_t id = 0; id < kCount; ++id) {
    store.add_account();
    store.edit(id, id % 2 == 0 ? Asset::eth : Asset::usdb).shares = Amount::from_u64(id + 1);
    store.commit();
  }
  const auto wrong = [](const PositionStore& s, std::uint32_t count) {
    std::uint32_t found = 0;
    for (std::uint32_t id = 0; id < count; ++id) {
      const Asset mine = id % 2 == 0 ? Asset::eth : Asset::usdb;
      const Asset other = id % 2 == 0 ? Asset::usdb : Asset::eth;
      const bool mine_right = s.get(id, mine).shares == Amount::from_u64(id + 1);
      if (!mine_right || !s.get(id, other).shares.is_zero()) ++found;
    }
    return found;
  };
  CHECK(wrong(store, kCount) == 0);
  PositionStore copy = store;  // a copy holds its own chunks
  copy.edit(kCount - 1, Asset::eth).shares = Amount::from_u64(7);
  copy.commit();
  copy.add_account();  // into a copied chunk of less capacity
  CHECK(copy.get(kCount, Asset::usdb) == Position{});
  CHECK(store.get(kCount - 1, Asset::eth).shares == Amount::from_u64(kCount));
  CHECK(copy.get(kCount - 1, Asset::eth).shares == Amount::from_u64(7));
  CHECK(wrong(copy, kCount - 1) == 0);
  for (std::uint32_t id = kCount; id-- > 1;) store.remove_last_account();
  CHECK(store.account_count() == 1);
  CHECK(store.get(0, Asset::eth).shares == Amount::from_u64(1));
  store.add_account();
  CHECK(store.get(1, Asset::usdb) == Position{});
}

TEST_CASE("Account layout: positions beyond 128 bits keep every wei, roll back, and copy apart") {
  Ledger ledger(basic_params());
  must_apply(ledger, ev(OpenAccount{"alice", AccountKind::user}));
  must_apply(ledger, ev(OpenAccount{"bob", AccountKind::user}));
  const AccountId alice = *ledger.find_account("alice"), bob = *ledger.find_account("bob");
  // 2^200 + 12345 wei: at the genesis price of 10^9 wei a share, about 1.6·10^51 shares, beyond
  // a slot's 125 bits.
  const Amount huge = power_of_two(200) + Amount::from_u64(12345);
  must_apply(ledger, ev(Deposit{"alice", DepositAsset::eth, huge}));
  CHECK(ledger.balance(alice, Asset::eth) == huge);
  CHECK(ledger.position_of(alice, Asset::eth).shares > power_of_two(128));
  const Ledger before = ledger;
  // More than alice holds: rejected, and nothing moved.
  must_reject(ledger, ev(Transfer{"alice", "bob", Asset::eth, huge + Amount::from_u64(1)}),
              RejectCode::insufficient_balance);
  CHECK(same_state(ledger, before));
  // Half to bob: both exact, and the copy taken before still holds it all with alice.
  const Amount half = power_of_two(199);
  must_apply(ledger, ev(Transfer{"alice", "bob", Asset::eth, half}));
  CHECK(ledger.balance(bob, Asset::eth) == half);
  CHECK(ledger.balance(alice, Asset::eth) == huge - half);
  CHECK(before.balance(alice, Asset::eth) == huge);
  CHECK(before.balance(bob, Asset::eth).is_zero());
  // Back down to a few wei: the position reads the same whichever way it is stored.
  must_apply(ledger, ev(Withdraw{"alice", Asset::eth, huge - half - Amount::from_u64(5)}));
  CHECK(ledger.balance(alice, Asset::eth) == Amount::from_u64(5));
  CHECK_FALSE(ledger.audit_invariants().has_value());
}

namespace {

// Every posting of the ledger's journal, as text.
std::string postings_text(const Ledger& ledger) {
  std::string text;
  for (const Posting& p : ledger.journal().postings()) {
    text +=
        fmt::format("{} {} {} {} {} {}\n", static_cast<int>(p.memo), static_cast<int>(p.account),
                    p.index, index_of(p.asset), p.debit, p.amount.wei_string());
  }
  return text;
}

}  // namespace

TEST_CASE("Ledger::prefetch: the hints change nothing, whatever events they are shown") {
  std::vector<Event> events;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "holder-with-a-long-name-" + std::to_string(i);
    events.push_back(ev(OpenAccount{name, i % 5 == 0 ? AccountKind::dapp : AccountKind::user}));
    events.push_back(ev(Deposit{name, DepositAsset::eth, eth("2")}));
    if (i > 0) {
      events.push_back(ev(Transfer{name, "holder-with-a-long-name-" + std::to_string(i - 1),
                                   Asset::eth, eth("0.5")}));
    }
    events.push_back(ev(Deposit{"nobody-" + std::to_string(i), DepositAsset::usdb, eth("1")}));
    events.push_back(ev(PayGas{name, "holder-with-a-long-name-0", eth("0.01")}));
  }
  const std::vector<Event> strangers = {
      ev(Deposit{"@gas", DepositAsset::eth, eth("1")}),
      ev(Claim{"holder-with-a-long-name-3", Asset::usdb, std::nullopt, "nobody"}),
      ev(ForceReport{std::nullopt}), ev(ClaimGas{""})};
  Ledger hinted(basic_params());
  Ledger plain(basic_params());
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    // The events to come, and events that never come (of no account, or system accounts).
    hinted.prefetch([&](std::size_t k) -> const Event* {
      if (k % 2 == 0) return &strangers[(i + k) % strangers.size()];
      return i + k < events.size() ? &events[i + k] : nullptr;
    });
    const auto a = hinted.apply(events[i]);
    const auto b = plain.apply(events[i]);
    REQUIRE(a.has_value() == b.has_value());
    if (a) ++rejected;
    REQUIRE(postings_text(hinted) == postings_text(plain));
    hinted.clear_journal();
    plain.clear_journal();
    REQUIRE(same_state(hinted, plain));
  }
  CHECK(rejected == 40);  // the deposits of nobody
  CHECK(hinted.account_count() == 42);
}
