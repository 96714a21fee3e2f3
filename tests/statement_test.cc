// `explain`: every statement checks itself, and its closing line equals `balances` / `sources`.
#include "engine/statement.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <doctest/doctest.h>

#include "engine/replay/replay.h"
#include "engine/runner.h"
#include "tests/test_util.h"

using yl::testing::TempDir;

namespace {

const std::string& run_into(const std::string& scenario, const std::string& path) {
  yl::run_into_database(scenario, path);
  return path;
}

// A scenario run into a new ledger in a folder of its own, read as `explain` reads it.
struct Ran {
  explicit Ran(const std::string& scenario)
      : path(dir.path(std::filesystem::path(scenario).stem().string() + ".db")),
        db(run_into(scenario, path), yl::storage::Database::Mode::read_only),
        store(db) {}
  TempDir dir;
  std::string path;
  yl::storage::Database db;
  yl::storage::LedgerStore store;
};

std::string policy_example(const std::string& name) {
  return std::string(YL_SOURCE_DIR) + "/examples/policies/" + name + ".toml";
}

}  // namespace

TEST_CASE("explain: every account of the examples closes at its `balances` row, to the wei") {
  // Under every policy of SPEC §9: @fee_vault's void shares under to_protocol (§9.2) were left
  // out of its statement, which then missed by their sum (exit 3).
  for (const std::string& scenario :
       {yl::testing::example_scenario("blast-launch"), yl::testing::example_scenario("quickstart"),
        policy_example("blast"), policy_example("streamed"), policy_example("to_protocol"),
        policy_example("socialize"), policy_example("fee_hurdle_rebalance")}) {
    CAPTURE(scenario);
    Ran ran(scenario);
    yl::storage::LedgerStore& store = ran.store;
    const std::vector<yl::BalanceRow> balances = store.read_snapshot().balances;
    CHECK(balances.size() >= 10);
    for (const yl::BalanceRow& row : balances) {
      CAPTURE(row.account);
      const auto s = yl::explain_account(store, row.account, row.asset, std::nullopt, std::nullopt);
      CHECK(s.check_difference.is_zero());
      CHECK(s.closing_balance == row.balance);
      CHECK(s.closing_claimable == row.claimable);
    }
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

TEST_CASE("explain --source: a hurdle line gives what it exempted, as the reports' hurdle_wei") {
  // It showed 0 and 0, never the amount (helper-72's F6).
  Ran ran(policy_example("fee_hurdle_rebalance"));
  yl::storage::LedgerStore& store = ran.store;
  std::map<std::string, yl::Amount> reported;  // Σ hurdle_wei by source
  for (const yl::storage::StoredReportRow& row : store.read_reports()) {
    if (!row.hurdle_wei.empty())
      reported[row.source] =
          reported[row.source] + yl::storage::stored_wei(row.hurdle_wei, "hurdle_wei");
  }
  int lines = 0;
  for (const yl::SourceRow& row : store.read_snapshot().sources) {
    CAPTURE(row.source);
    yl::Amount exempt;
    for (const yl::SourceLine& line :
         yl::explain_source(store, row.source, std::nullopt, std::nullopt).lines) {
      if (line.what != "hurdle") {
        CHECK(line.exempt.is_zero());
        continue;
      }
      CHECK(line.value_change.is_zero());
      exempt = exempt + line.exempt;
      ++lines;
    }
    CHECK(exempt == reported[row.source]);
  }
  CHECK(lines > 0);
  CHECK(std::ranges::any_of(reported, [](const auto& r) { return !r.second.is_zero(); }));
  // The CLI gives it in a column of its own (exempt_wei in CSV), `what` staying the memo.
  const auto csv =
      yl::testing::run_cli({"explain", "--db", ran.path, "--source", "lido", "--format", "csv"});
  CHECK(csv.exit_code == 0);
  CHECK(csv.out.starts_with("time,kind,what,event,value_change_wei,principal_change_wei,value_wei,"
                            "principal_wei,exempt_wei\n"));
  CHECK(csv.out.find(",line,hurdle,,0,0,") != std::string::npos);
}

TEST_CASE("explain: a window opens and closes at the state --at shows") {
  Ran ran(yl::testing::example_scenario("blast-launch"));
  yl::storage::LedgerStore& store = ran.store;
  const auto from = yl::testing::at("2024-04-15T00:00:00Z");
  const auto to = yl::testing::at("2024-04-20T00:00:00Z");
  const auto s = yl::explain_account(store, "erin", yl::Asset::eth, from, to);
  CHECK(s.from == "2024-04-15T00:00:00Z");
  CHECK(s.to == "2024-04-20T00:00:00Z");
  CHECK(s.check_difference.is_zero());
  // The window is (from, to]: opening = the state --at its start, closing = --at its end.
  const auto before = yl::take_snapshot(yl::replay(store, from));
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

TEST_CASE("explain: under to_protocol, @fee_vault's statement has each report's void share") {
  Ran ran(policy_example("to_protocol"));
  yl::storage::Database& db = ran.db;
  yl::storage::LedgerStore& store = ran.store;
  const auto s =
      yl::explain_account(store, "@fee_vault", yl::Asset::eth, std::nullopt, std::nullopt);
  CHECK(s.check_difference.is_zero());
  CHECK(s.accruals.is_zero());  // VOID: it holds no shares
  // Every ETH report with a void share gives one line, dated at the report: 3.969086964801238213
  // ETH over the year, the rest of its 4.372080464801238213 being the dapps' gas claims.
  yl::SignedAmount void_shares;
  std::int64_t void_lines = 0;
  for (const yl::StatementLine& line : s.lines) {
    if (!line.what.starts_with("void share")) continue;
    CHECK(line.what == "void share (scheduled report)");
    CHECK(!line.accrual);
    CHECK(line.event.empty());
    void_shares = void_shares + line.change;
    ++void_lines;
  }
  CHECK(void_lines == 345);
  CHECK(db.query_int("SELECT count(*) FROM reports WHERE asset = 'ETH' AND "
                     "CAST(void_share_wei AS INTEGER) > 0") == void_lines);
  CHECK(void_shares == yl::SignedAmount::of(yl::Amount::from_u64(3969086964801238213ULL)));
  CHECK(db.query_int("SELECT sum(CAST(void_share_wei AS INTEGER)) FROM reports WHERE "
                     "asset = 'ETH'") == 3969086964801238213LL);
  CHECK(s.lines.front().time == "2024-01-02T00:00:00Z");
  CHECK(s.lines.front().change == yl::SignedAmount::of(yl::Amount::from_u64(10652054794520547)));
  CHECK(s.lines.front().balance == yl::Amount::from_u64(10652054794520547));
  CHECK(s.closing_balance == yl::Amount::from_u64(4372080464801238213ULL));
}

TEST_CASE("explain: a withdrawal's line gives its discount (SPEC §5.5), the statement their sum") {
  // helper-60's F4: the statement showed a withdrawal at what it debited and closed "OK, to the
  // wei", while 2.74 ETH of discounts over 47 withdrawals were visible only through `journal`.
  Ran ran(yl::testing::example_scenario("blast-launch"));
  yl::storage::LedgerStore& store = ran.store;
  const auto dave = yl::explain_account(store, "dave", yl::Asset::eth, std::nullopt, std::nullopt);
  int withdrawals = 0;
  for (const yl::StatementLine& line : dave.lines) {
    CAPTURE(line.what);
    REQUIRE((line.what == "withdraw") == line.discount.has_value());
    if (!line.discount) continue;
    ++withdrawals;
    // Debited 300 ETH; paid out 231.553515838382128430 from the buffer and
    // 67.269163539697099642 from lido; the rest repaid debt (journal entry 156).
    CHECK(line.change.wei_string() == "-300000000000000000000");
    CHECK(line.discount->wei_string() == "1177320621920771928");
  }
  CHECK(withdrawals == 1);
  CHECK(dave.discounts.wei_string() == "1177320621920771928");
  CHECK(dave.check_difference.is_zero());
  // Over every account, the sum of the journal's debt_repaid and retained postings (`journal`:
  // 1046379733302018045 + 507136105080110385 + 1177320621920771928 + 1026261382617229408 wei).
  yl::Amount eth, usdb;
  for (const yl::BalanceRow& row : store.read_snapshot().balances) {
    const auto s = yl::explain_account(store, row.account, row.asset, std::nullopt, std::nullopt);
    yl::Amount& sum = row.asset == yl::Asset::eth ? eth : usdb;
    sum = sum + s.discounts;
  }
  CHECK(eth.wei_string() == "3757097842920129766");
  CHECK(usdb.is_zero());
}

TEST_CASE("explain: statements of windows chained end to start add up to the whole, to the wei") {
  // helper-63's F2: windows were [from, to], so the report at 2024-04-01T00:00:00Z was in both
  // the March and the April statement, and three monthly statements held 90 accruals of 88.
  Ran ran(yl::testing::example_scenario("blast-launch"));
  for (const auto& [account, asset] :
       {std::pair{"alice", yl::Asset::usdb}, std::pair{"dex", yl::Asset::eth}}) {
    CAPTURE(account);
    const auto whole = yl::explain_account(ran.store, account, asset, std::nullopt, std::nullopt);
    const std::vector<std::optional<yl::Timestamp>> ends = {
        std::nullopt, yl::testing::at("2024-03-15T00:00:00Z"),
        yl::testing::at("2024-04-01T00:00:00Z"), yl::testing::at("2024-05-01T00:00:00Z"),
        std::nullopt};
    std::size_t lines = 0;
    yl::SignedAmount movements, accruals;
    std::optional<yl::Amount> closing;
    for (std::size_t i = 0; i + 1 < ends.size(); ++i) {
      const auto s = yl::explain_account(ran.store, account, asset, ends[i], ends[i + 1]);
      CHECK(s.check_difference.is_zero());
      if (closing) CHECK(s.opening_balance + s.opening_claimable == *closing);
      closing = s.closing_balance + s.closing_claimable;
      lines += s.lines.size();
      movements = movements + s.movements;
      accruals = accruals + s.accruals;
    }
    CHECK(lines == whole.lines.size());
    CHECK(movements == whole.movements);
    CHECK(accruals == whole.accruals);
    CHECK(*closing == whole.closing_balance + whole.closing_claimable);
  }
  // At the start: the events stamped at it are the opening, as `balances --at` it shows them.
  const auto at_start = yl::explain_account(ran.store, "alice", yl::Asset::eth,
                                            yl::testing::at("2024-03-01T00:00:00Z"), std::nullopt);
  const auto from_genesis =
      yl::explain_account(ran.store, "alice", yl::Asset::eth, std::nullopt, std::nullopt);
  CHECK(at_start.from == "2024-03-01T00:00:00Z");
  CHECK(from_genesis.from == "2024-03-01T00:00:00Z");
  CHECK(at_start.lines.size() < from_genesis.lines.size());
}
