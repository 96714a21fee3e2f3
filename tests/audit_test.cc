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
