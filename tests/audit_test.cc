// `yieldledger audit`: OK on honest ledgers (the examples and synthetic random runs), and exit 3
// naming the row when a row was changed, deleted or inserted by hand.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <filesystem>

#include "bench/synthetic.h"
#include "engine/audit.h"
#include "engine/runner.h"
#include "tests/test_util.h"

using yl::testing::TempDir;

namespace {


void execute(const std::string& db, const char* sql) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(handle, sql, nullptr, nullptr, &error);
  INFO(sql << ": " << (error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(handle);
  REQUIRE(rc == SQLITE_OK);
}

// The first column of every row `sql` returns, as text.
std::vector<std::string> column(const std::string& db, const char* sql) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  std::vector<std::string> values;
  auto collect = [](void* out, int, char** row, char**) {
    static_cast<std::vector<std::string>*>(out)->push_back(row[0] ? row[0] : "NULL");
    return 0;
  };
  char* error = nullptr;
  const int rc = sqlite3_exec(handle, sql, collect, &values, &error);
  INFO(sql << ": " << (error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(handle);
  REQUIRE(rc == SQLITE_OK);
  return values;
}

}  // namespace

TEST_CASE("audit: the examples and synthetic random runs audit clean") {
  TempDir dir;
  for (const std::string name : {"blast-launch", "quickstart"}) {
    const std::string db = dir.path(name + ".db");
    yl::run_into_database(yl::testing::example_scenario(name), db);
    CHECK(yl::testing::audit_result(db) == "OK");
  }
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    const std::string folder = dir.path("synthetic" + std::to_string(seed));
    const std::string scenario = yl::bench::write_synthetic_scenario(
        folder, yl::bench::SyntheticOptions{seed, 60, 3000, 30});
    const std::string db = folder + "/ledger.db";
    yl::run_into_database(scenario, db);
    CHECK(yl::testing::audit_result(db) == "OK");
  }
}

TEST_CASE("audit: rows changed, deleted or inserted by hand are found and named") {
  TempDir dir;
  const std::string original = dir.path("original.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), original);
  struct Tamper {
    const char* sql;
    const char* expected;  // the start of the mismatch
  };
  const Tamper tampers[] = {
      {"UPDATE events SET amount = '1600' WHERE seq = 9",
       "event events.csv:10 (seq 9, id 'e009'): hash chain broken"},
      {"DELETE FROM events WHERE seq = 30",
       "event events.csv:32 (seq 31, id 'e031'): hash chain broken"},
      {"INSERT INTO events (seq, file, line, time_s, time, type, account, asset, amount, \"to\", "
       "value, hash) VALUES (1000, 'events.csv', 99, 0, '2024-06-01T00:00:00Z', 'open', 'mallory', "
       "'', '', '', 'user', 'x')",
       "event events.csv:99 (seq 1000): hash chain broken"},
      {"UPDATE reports SET fee_wei = '1' WHERE seq = 3 AND row = 1",
       "report 3 row 1 (2024-03-03T00:00:00Z ETH lido): hash chain broken"},
      {"DELETE FROM reports WHERE seq = 40",
       "report 41 row 1 (2024-03-22T00:00:00Z ETH lido): hash"},
      {"UPDATE journal SET postings = replace(postings, '\"D\"', '\"C\"') WHERE seq = 11",
       "journal entry 11 does not balance in ETH"},
      {"DELETE FROM journal WHERE seq = 5", "journal entry 6 (after event events.csv:"},
      {"INSERT INTO journal (event_seq, report_seq, postings) VALUES (NULL, NULL, '[]')",
       "journal entry 223 is in the database but the replay did not post it"},
      {"UPDATE final_balances SET balance_wei = '1' WHERE ord = 5",
       "final state of alice ETH: balance_wei is 1 in the database but 1803301673680829778987 in "
       "the replay (off by -1803301673680829778986)"},
      {"UPDATE scenario SET toml = replace(toml, 'apr_bps = 400', 'apr_bps = 500')",
       "event events.csv:2 (seq 1, id 'e001'): hash chain broken: this row or the stored scenario"},
  };
  for (const Tamper& t : tampers) {
    CAPTURE(t.sql);
    const std::string db = dir.path("tampered.db");
    std::filesystem::copy_file(original, db, std::filesystem::copy_options::overwrite_existing);
    execute(db, t.sql);
    const std::string found = yl::testing::audit_result(db);
    CHECK(found.substr(0, std::string(t.expected).size()) == t.expected);
  }
  CHECK(yl::testing::audit_result(original) == "OK");  // auditing never writes
}

TEST_CASE("audit: a streamed ledger stores each event's drip in the event's journal row") {
  // SPEC §9.1, unlocked over a day: the 2024-03-02 report locks the day's ETH yield, and the
  // transfer at 12:00 first drips half of it (runner.h journal_rows: one row, the drip first).
  TempDir dir;
  dir.write("events.csv",
            "time,type,account,asset,amount,to,value\n"
            "2024-03-01T00:00:00Z,open,alice,,,,user\n"
            "2024-03-01T00:00:00Z,open,bob,,,,user\n"
            "2024-03-01T00:00:00Z,deposit,alice,ETH,10,,\n"
            "2024-03-02T12:00:00Z,transfer,alice,ETH,1,bob,\n"
            "2024-03-02T18:00:00Z,transfer,bob,ETH,0.5,alice,\n");
  const std::string scenario = dir.write(
      "scenario.toml", yl::testing::small_scenario_toml() +
                           "\n[policy]\ndistribution = \"streamed\"\nunlock_seconds = 86400\n");
  const std::string db = dir.path("streamed.db");
  yl::run_into_database(scenario, db);
  CHECK(yl::testing::audit_result(db) == "OK");
  // No event has two rows of its own.
  CHECK(column(db, "SELECT count(*) FROM (SELECT event_seq FROM journal WHERE report_seq IS NULL "
                   "AND event_seq IS NOT NULL GROUP BY event_seq HAVING count(*) > 1)") ==
        std::vector<std::string>{"0"});
  // Each transfer's row: the drip's four postings (locked -> pending, the price step's fold
  // pending -> accrued), then the transfer's own.
  const char* memos =
      "SELECT group_concat(json_extract(p.value, '$[4]'), ' ') FROM journal j, events e, "
      "json_each(j.postings) p WHERE j.event_seq = e.seq AND e.type = 'transfer' "
      "AND j.report_seq IS NULL GROUP BY j.seq ORDER BY j.seq";
  const std::vector<std::string> rows = column(db, memos);
  REQUIRE(rows.size() == 2);
  for (const std::string& row : rows) {
    CAPTURE(row);
    CHECK(row.rfind("drip drip price_step price_step ", 0) == 0);
    CHECK(row.find("transfer") != std::string::npos);
  }
  // The drip is part of what audit replays and compares: dropping its two sides from the row
  // (which still balances) is found.
  execute(db, "UPDATE journal SET postings = json_remove(postings, '$[0]', '$[0]') WHERE seq = "
              "(SELECT j.seq FROM journal j, events e WHERE j.event_seq = e.seq AND "
              "e.type = 'transfer' AND j.report_seq IS NULL ORDER BY j.seq LIMIT 1)");
  CHECK(yl::testing::audit_result(db).rfind(
            "journal entry 3 (after event events.csv:5 (seq 4)): the database holds "
            "[[\"l2:pending:ETH\",\"ETH\",\"D\",\"443830000000000\",\"price_step\"]",
            0) == 0);
}
