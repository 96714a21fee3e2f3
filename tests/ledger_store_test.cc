#include "engine/storage/ledger_store.h"

#include <doctest/doctest.h>

#include "engine/core/snapshot.h"
#include "engine/storage/migrations.h"
#include "tests/test_util.h"

using namespace yl;
using yl::testing::eth;

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
