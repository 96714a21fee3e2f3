#include "engine/storage/ledger_store.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "engine/core/snapshot.h"
#include "engine/storage/migrations.h"
#include "tests/test_util.h"

using namespace yl;

namespace {

// A fresh file per call (a ledger path must be a file: SQLite's ":memory:" is refused).
storage::Database migrated_memory_db() {
  static const testing::TempDir dir;
  static int count = 0;
  storage::Database db(dir.path("store" + std::to_string(count++) + ".db"),
                       storage::Database::Mode::read_write_create);
  storage::Transaction txn(db);
  storage::migrate(db);
  txn.commit();
  return db;
}

}  // namespace

TEST_CASE("Storage: migrations stamp the schema version and the application id (SPEC §8.2)") {
  storage::Database db = migrated_memory_db();
  CHECK(db.user_version() == storage::current_schema_version());
  CHECK_NOTHROW(storage::verify_schema(db));
  storage::Transaction txn(db);
  CHECK_NOTHROW(storage::migrate(db));  // idempotent: nothing left to apply
  txn.commit();
}

TEST_CASE("Storage: a snapshot and reports read back exactly, amounts as decimal text") {
  storage::Database db = migrated_memory_db();
  storage::LedgerStore store(db);
  store.write_scenario("s.toml", "e.csv", "n", "toml", Timestamp{0}, Timestamp{1}, "1d",
                       DripSchedule::touched);
  LedgerParams params = testing::basic_params();
  params.sources.push_back(SourceConfig{"lido", Asset::eth, SourceKind::staking, 400, 9000});
  Ledger ledger(params);
  testing::must_apply(ledger, Event{params.start, OpenAccount{"alice", AccountKind::user}});
  testing::must_apply(ledger, Event{params.start, Deposit{"alice", DepositAsset::eth,
                                                          Amount::from_u512(U512(1) << 200)}});
  REQUIRE_FALSE(ledger.advance_to(testing::at("2024-03-03T00:00:00Z")).has_value());
  const Snapshot snapshot = take_snapshot(ledger);
  store.write_snapshot(snapshot);
  CHECK(store.read_snapshot() == snapshot);
  // Far past 2^64: stored and read back as exact text (2^200 wei plus two days of yield).
  CHECK(store.read_snapshot().balances[4].account == "alice");
  CHECK(store.read_snapshot().balances[4].balance.wei_string().size() == 61);

  const auto reports = ledger.take_reports();
  REQUIRE(reports.size() == 4);
  for (const ReportRecord& r : reports) store.append_report(r);
  const auto rows = store.read_reports();
  REQUIRE(rows.size() == 4);  // ETH with one source, USDB without: one row each, two days
  CHECK(rows[0].asset == "ETH");
  CHECK(rows[0].source == "lido");
  CHECK(rows[0].yield_wei == reports[0].sources[0].yield.wei_string());
  CHECK(rows[1].asset == "USDB");
  CHECK(rows[1].source.empty());
  CHECK(rows[1].yield_wei.empty());
  CHECK(rows[1].t_wei == "0");
}

TEST_CASE("Storage: a transaction that is not committed rolls back") {
  storage::Database db = migrated_memory_db();
  {
    storage::LedgerStore store(db);
    storage::Transaction txn(db);
    store.write_scenario("s.toml", "e.csv", "n", "toml", Timestamp{0}, Timestamp{1}, "1d",
                         DripSchedule::touched);
    CHECK(store.has_ledger());
  }
  storage::LedgerStore store(db);
  CHECK_FALSE(store.has_ledger());
}

TEST_CASE("Storage: the schema refuses amounts that are not canonical decimal text") {
  storage::Database db = migrated_memory_db();
  for (const char* bad : {"01", "-1", "1.0", " 1", ""}) {
    CAPTURE(bad);
    auto insert = db.prepare(
        "INSERT INTO final_balances (ord, account, kind, asset, mode, balance_wei, claimable_wei, "
        "shares, remainder_wei) VALUES (1, 'a', 'user', 'ETH', 'VOID', ?1, '0', '0', '0')");
    insert.bind(1, std::string_view(bad));
    CHECK_THROWS(insert.run());
  }
}

TEST_CASE("Storage: final_balances accepts exactly the three kinds and the three modes") {
  storage::Database db = migrated_memory_db();
  auto insert = [&](std::string_view kind, std::string_view mode) {
    auto s = db.prepare(
        "INSERT INTO final_balances (ord, account, kind, asset, mode, balance_wei, claimable_wei, "
        "shares, remainder_wei) VALUES (NULL, ?1, ?2, 'ETH', ?3, '0', '0', '0', '0')");
    s.bind(1, std::string(kind) + "/" + std::string(mode)).bind(2, kind).bind(3, mode);
    s.run();
  };
  for (const char* kind : {"user", "dapp", "system"}) {
    for (const char* mode : {"AUTOMATIC", "VOID", "CLAIMABLE"}) CHECK_NOTHROW(insert(kind, mode));
  }
  for (const char* kind : {"User", "", "admin", "user "}) CHECK_THROWS(insert(kind, "VOID"));
  for (const char* mode : {"void", "", "AUTO", "VOID "}) CHECK_THROWS(insert("user", mode));
}

// SQLite 3.40 compiles a CHECK of `x IN (three or more values)` into a temporary b-tree built by
// every execution of an INSERT (schema/0009_final_balances_checks.sql): 86,000 instructions a
// final balance. No table a run writes may need one.
TEST_CASE("Storage: no table's INSERT builds a temporary b-tree for each row") {
  storage::Database db = migrated_memory_db();
  std::vector<std::string> tables;
  {
    auto s = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    while (s.step()) tables.push_back(s.column_text(0));
  }
  CHECK(tables.size() >= 10);
  for (const std::string& table : tables) {
    CAPTURE(table);
    auto columns = db.prepare("SELECT count(*) FROM pragma_table_info(?1)");
    columns.bind(1, std::string_view(table));
    REQUIRE(columns.step());
    std::string values = "NULL";
    for (std::int64_t i = 1; i < columns.column_int(0); ++i) values += ", NULL";
    auto plan = db.prepare(fmt::format("EXPLAIN INSERT INTO \"{}\" VALUES ({})", table, values));
    int ephemeral = 0;
    while (plan.step()) ephemeral += plan.column_text(1) == "OpenEphemeral" ? 1 : 0;
    CHECK(ephemeral == 0);
  }
}
