// `explain`: every statement checks itself, and its closing line equals `balances` / `sources`.
#include "engine/statement.h"

#include <doctest/doctest.h>

#include "engine/replay/replay.h"
#include "engine/runner.h"
#include "tests/test_util.h"

using yl::testing::TempDir;

namespace {}  // namespace

TEST_CASE("explain: every account of the examples closes at its `balances` row, to the wei") {
  TempDir dir;
  for (const std::string name : {"blast-launch", "quickstart"}) {
    const std::string path = dir.path(name + ".db");
    yl::run_into_database(yl::testing::example_scenario(name), path);
    yl::storage::Database db(path, yl::storage::Database::Mode::read_only);
    yl::storage::LedgerStore store(db);
    int statements = 0;
    for (const yl::BalanceRow& row : store.read_snapshot().balances) {
      CAPTURE(row.account);
      const auto s = yl::explain_account(store, row.account, row.asset, std::nullopt, std::nullopt);
      CHECK(s.check_difference.is_zero());
      CHECK(s.closing_balance == row.balance);
      CHECK(s.closing_claimable == row.claimable);
      ++statements;
    }
    CHECK(statements == static_cast<int>(store.read_snapshot().balances.size()));
    for (const yl::SourceRow& row : store.read_snapshot().sources) {
      CAPTURE(row.source);
      const auto s = yl::explain_source(store, row.source, std::nullopt, std::nullopt);
      CHECK(s.value_check_difference.is_zero());
      CHECK(s.principal_check_difference.is_zero());
      CHECK(s.closing_value == row.value);
      CHECK(s.closing_principal == row.principal);
    }
  }
}

TEST_CASE("explain: a window opens and closes at the state --at shows") {
  TempDir dir;
  const std::string path = dir.path("b.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), path);
  yl::storage::Database db(path, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(db);
  const auto from = yl::testing::at("2024-04-15T00:00:00Z");
  const auto to = yl::testing::at("2024-04-20T00:00:00Z");
  const auto s = yl::explain_account(store, "erin", yl::Asset::eth, from, to);
  CHECK(s.from == "2024-04-15T00:00:00Z");
  CHECK(s.to == "2024-04-20T00:00:00Z");
  CHECK(s.check_difference.is_zero());
  // Opening = the state after everything stamped before the window; closing = --at the end.
  const auto before = yl::take_snapshot(yl::replay(store, yl::testing::at("2024-04-14T23:59:59Z")));
  const auto after = yl::take_snapshot(yl::replay(store, to));
  auto row = [](const yl::Snapshot& snap) {
    for (const auto& r : snap.balances) {
      if (r.account == "erin" && r.asset == yl::Asset::eth) return r;
    }
    FAIL("erin not found");
    return yl::BalanceRow{};
  };
  CHECK(s.opening_balance + s.opening_claimable == row(before).balance + row(before).claimable);
  CHECK(s.closing_balance == row(after).balance);
  CHECK(s.closing_claimable == row(after).claimable);
  bool withdrew = false, claimed = false;
  for (const auto& line : s.lines) {
    withdrew |= line.what == "withdraw" && line.change.wei_string() == "-100000000000000000000";
    claimed |= line.what == "claim to itself" && line.change.is_zero();
  }
  CHECK(withdrew);
  CHECK(claimed);
  CHECK_THROWS_AS(yl::explain_account(store, "nobody", yl::Asset::eth, std::nullopt, std::nullopt),
                  yl::UsageError);
  CHECK_THROWS_AS(yl::explain_source(store, "aave", std::nullopt, std::nullopt), yl::UsageError);
}
