// `yieldledger audit`: OK on honest ledgers (the examples and synthetic random runs), and exit 3
// naming the row when a row was changed, deleted or inserted by hand.
#include "engine/audit.h"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include "bench/synthetic.h"
#include "engine/replay/replay.h"
#include "engine/runner.h"
#include "engine/storage/migrations.h"
#include "engine/storage/storage_error.h"
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

// A synthetic ledger of 3,000 events, in `dir`: rows far past the reader thread's first batches
// (engine/storage/read_ahead.h reads 256 events at a time, four batches ahead). Returns its path.
std::string late_rows_ledger(TempDir& dir) {
  const std::string folder = dir.path("synthetic");
  const std::string scenario =
      yl::bench::write_synthetic_scenario(folder, yl::bench::SyntheticOptions{4, 60, 3000, 30});
  const std::string db = folder + "/ledger.db";
  yl::run_into_database(scenario, db);
  return db;
}

// A change by hand and the one line `yieldledger audit` must find it with.
struct Finding {
  std::string sql, expected;
};

// Whether check_findings links `appends` again after the change, as one who forges the rows
// would: what audit finds then is more than a broken chain.
enum class Appends { as_changed, chained_again };

// Audits with the CLI a copy of `original` changed by each finding's SQL: exit 3 and exactly that
// line. Then `original` itself, which passes (exit 0).
void check_findings(const TempDir& dir, const std::string& original,
                    const std::vector<Finding>& findings, Appends appends = Appends::as_changed) {
  const std::string db = dir.path("tampered.db");
  for (const Finding& f : findings) {
    CAPTURE(f.sql);
    std::filesystem::copy_file(original, db, std::filesystem::copy_options::overwrite_existing);
    execute(db, f.sql.c_str());
    if (appends == Appends::chained_again) {
      yl::storage::Database changed(db, yl::storage::Database::Mode::read_write_create);
      yl::storage::chain_appends(changed);
    }
    const yl::testing::CliResult audit = yl::testing::run_cli({"audit", "--db", db});
    CHECK(audit.exit_code == 3);
    CHECK(audit.out == "audit of " + db + ": MISMATCH\n  " + f.expected + "\n");
  }
  CHECK(yl::testing::run_cli({"audit", "--db", original}).exit_code == 0);
}

// examples/blast-launch in `dir`, as `run` writes it. Returns its path.
std::string blast_launch(const TempDir& dir) {
  const std::string db = dir.path("blast-launch.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), db);
  return db;
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

TEST_CASE("audit: its summary counts what it checked") {
  // The counts `yieldledger audit` prints for examples/blast-launch. The journal accounts are those
  // the replay posted to, the final drip's included (journal_balances.h): 31 here.
  TempDir dir;
  const std::string db = dir.path("blast-launch.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), db);
  const yl::AuditSummary summary = yl::testing::audit_summary(db);
  CHECK(summary.events == 59);
  CHECK(summary.reports == 187);
  CHECK(summary.report_rows == 281);
  CHECK(summary.journal_entries == 222);
  CHECK(summary.postings == 2581);
  CHECK(summary.journal_accounts == 31);
  CHECK(summary.balance_rows == 20);
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
       "'', '', '', 'user', X'78')",
       "event events.csv:99 (seq 1000): hash chain broken"},
      {"UPDATE reports SET fee_wei = '1' WHERE seq = 3 AND row = 1",
       "report 3 row 1 (2024-03-03T00:00:00Z ETH lido): hash chain broken"},
      {"DELETE FROM reports WHERE seq = 40",
       "report 41 row 1 (2024-03-22T00:00:00Z ETH lido): hash"},
      // The journal: entry 5 is a report's (journal_other), 7 an event's own (in its events row,
      // schema/0010_event_postings.sql).
      {"DELETE FROM journal_other WHERE seq = 5",
       "journal entry 6 of event - / report 2 (replaying event events.csv:21 (seq 20, id "
       "'e020')): expected entry 5 of event - / report 1 here"},
      // An event's own entry taken out of its row, or one put in the row of an event that posts
      // none of its own (the last event): both were named as entries out of place ("journal
      // entry 9 (replaying event ...): expected entry 7 of event 20 / report - here", and "journal
      // entry 400 ... (inserted?)"; helper-39).
      {"UPDATE events SET journal_seq = NULL, postings = NULL WHERE journal_seq = 7",
       "event events.csv:21 (seq 20, id 'e020'): the replay posts journal entry 7 of the event's "
       "own, but its row holds none (journal_seq and postings deleted?)"},
      // Entry 7 renumbered 6: two entries 6, the event's first (JournalCursor).
      {"UPDATE events SET journal_seq = 6 WHERE journal_seq = 7",
       "journal entry 6 of event 20 / report - (replaying event events.csv:21 (seq 20, id "
       "'e020')): expected entry 6 of event - / report 2 here: an entry was deleted, inserted or "
       "moved, or its event or report changed"},
      // A report's entry given another report: the stored side was not shown (helper-92's F2).
      {"UPDATE journal_other SET report_seq = 99 WHERE seq = 5",
       "journal entry 5 of event - / report 99 (replaying event events.csv:21 (seq 20, id "
       "'e020')): expected entry 5 of event - / report 1 here: an entry was deleted, inserted or "
       "moved, or its event or report changed"},
      {"UPDATE events SET journal_seq = 400, postings = X'' WHERE seq = 59",
       "event events.csv:60 (seq 59, id 'e059'): its row holds journal entry 400 of its own, but "
       "the replay posts none for the event (added by hand?)"},
      // Postings in the row of an event that posts none of its own: any bytes passed, shown by
      // no output (helper-74's F1).
      {"UPDATE events SET postings = CAST('1000 ETH to mallory' AS BLOB) WHERE seq = 59",
       "event events.csv:60 (seq 59, id 'e059'): its row holds postings but no journal entry "
       "(journal_seq is NULL), and the replay posts none for the event: added by hand?"},
      // Its number deleted, the postings kept: deleted, not added (helper-76's F4).
      {"UPDATE events SET journal_seq = NULL WHERE journal_seq = 7",
       "event events.csv:21 (seq 20, id 'e020'): the replay posts journal entry 7 of the event's "
       "own, but its row holds none (its journal_seq deleted?)"},
      {"INSERT INTO journal_other (seq, event_seq, report_seq, postings) VALUES (223, NULL, NULL, "
       "X'')",
       "journal entry 223 is in the database but the replay did not post it"},
      // A byte outside the stored format (flag bit 3): schema/0007_paired_postings.sql.
      {"UPDATE events SET postings = X'0800010101' WHERE journal_seq = 7",
       "journal entry 7: its postings are not in the stored format"},
      // The names rows: an account's postings made to name another, a name dropped or added.
      {"UPDATE journal_accounts SET name = 'l2:account:mallory' WHERE id = 2",
       "journal account 2 is 'l2:account:mallory' in the database but the replay numbers "
       "'l2:account:alice' 2 (first posted while replaying event events.csv:10 (seq 9, id "
       "'e009'))"},
      {"DELETE FROM journal_accounts WHERE id = 3",
       "journal account 4 is 'l1:source:rocketpool' in the database but the replay numbers "
       "'l1:source:lido' 3"},
      {"INSERT INTO journal_accounts (name) VALUES ('l2:account:mallory')",
       "journal account 29 ('l2:account:mallory') is in the database but the replay never posts "
       "to it (inserted?)"},
      {"UPDATE final_balances SET balance_wei = '1' WHERE ord = 5",
       "final state of alice ETH: balance_wei is 1 in the database but 1803301673680829778987 in "
       "the replay (off by -1803301673680829778986)"},
      // The final state is compared a row at a time; a count that differs is named first.
      {"UPDATE final_balances SET kind = 'dapp' WHERE ord = 5",
       "final state of alice ETH: kind is dapp in the database but user in the replay"},
      {"DELETE FROM final_balances WHERE ord = 5",
       "final state: the database lists 19 balance rows, the replay 20"},
      {"INSERT INTO final_balances SELECT ord + 1000, 'mallory', kind, asset, mode, balance_wei, "
       "claimable_wei, shares, remainder_wei FROM final_balances WHERE ord = 5",
       "final state: the database lists 21 balance rows, the replay 20"},
      // final_ledgers and final_sources by row and column (they were "the ledgers differ").
      {"UPDATE final_ledgers SET revenue_wei = '5' WHERE asset = 'USDB'",
       "final_ledgers USDB: revenue_wei is 5 in the database but 0 in the replay (off by 5)"},
      {"UPDATE final_sources SET apr_bps = 401 WHERE source = 'lido'",
       "final_sources lido: apr_bps is 401 in the database but 420 in the replay (off by -19)"},
      {"DELETE FROM final_sources WHERE source = 'lido'",
       "final state: the database lists 2 ledger and 2 source rows, the replay 2 and 3"},
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
  // Row 11's first pair cut to its debit (the row's bytes stay in the format): it no longer
  // balances, which audit finds before comparing it with the replay.
  const std::string db = dir.path("tampered.db");
  std::filesystem::copy_file(original, db, std::filesystem::copy_options::overwrite_existing);
  CHECK(yl::testing::journal_row(original, 11).front() ==
        "l2:accrued:ETH ETH D 255081000000000000 settlement");
  yl::testing::rewrite_journal_row(
      db, 11, [](std::string& postings) { yl::testing::unpair_record(postings, 0); });
  CHECK(yl::testing::audit_result(db) ==
        "journal entry 11 does not balance in ETH: debits 300255081000000000000 but credits "
        "300000000000000000000");
  CHECK(yl::testing::audit_result(original) == "OK");  // auditing never writes

  // A stored amount that is not canonical is named by its table and column (the message named
  // neither), by every reader; to audit it is a mismatch like any other change by hand (exit 3:
  // it was exit 2, as if the file could not be read).
  std::filesystem::copy_file(original, db, std::filesystem::copy_options::overwrite_existing);
  execute(db, "UPDATE final_ledgers SET price = '0' || price WHERE asset = 'ETH'");
  const yl::testing::CliResult read = yl::testing::run_cli({"ledgers", "--db", db});
  CHECK(read.exit_code == 2);
  CHECK(read.err.starts_with("yieldledger: final_ledgers.price holds '0"));
  CHECK(read.err.ends_with("', not a canonical wei integer: the ledger was changed by hand, or "
                           "is damaged\n"));
  const std::string price = read.err.substr(13, read.err.size() - 14);
  yl::testing::CliResult audit = yl::testing::run_cli({"audit", "--db", db});
  CHECK(audit.exit_code == 3);
  CHECK(audit.out == "audit of " + db + ": MISMATCH\n  " + price + "\n");
  for (const auto& [sql, expected] : std::vector<std::pair<const char*, std::string>>{
           {"UPDATE final_sources SET last = '2024-06-01T00:00:00+00:00' WHERE ord = 1",
            "final_sources.last holds '2024-06-01T00:00:00+00:00', not a time "
            "(YYYY-MM-DDTHH:MM:SSZ): the ledger was changed by hand, or is damaged"},
           {"UPDATE scenario SET end_extended = 'bad'",
            "scenario.end_extended holds 'bad', not a time (YYYY-MM-DDTHH:MM:SSZ): the ledger was "
            "changed by hand, or is damaged"},
           {"UPDATE final_sources SET value_wei = '-0' WHERE ord = 1",
            "final_sources.value_wei holds '-0', not a canonical wei integer: the ledger was "
            "changed by hand, or is damaged"},
           // Two rows swapped: named by the key, not by a balance that "is 0 in the database".
           {"UPDATE final_balances SET ord = -1 WHERE ord = 5; UPDATE final_balances SET ord = 5 "
            "WHERE ord = 6; UPDATE final_balances SET ord = 6 WHERE ord = -1",
            "final state of alice ETH: asset is USDB in the database but ETH in the replay"}}) {
    CAPTURE(sql);
    std::filesystem::copy_file(original, db, std::filesystem::copy_options::overwrite_existing);
    execute(db, sql);
    audit = yl::testing::run_cli({"audit", "--db", db});
    CHECK(audit.exit_code == 3);
    CHECK(audit.out == "audit of " + db + ": MISMATCH\n  " + expected + "\n");
  }
}

TEST_CASE("audit: a deleted report row of a one-source ledger is named as the report it was") {
  // With one row an asset and time, any deleted row tripped the bound that keeps a replay from
  // running without end, which blamed the stored scenario (untouched).
  TempDir dir;
  const std::string db = dir.path("q.db");
  yl::run_into_database(yl::testing::example_scenario("quickstart"), db);
  execute(db, "DELETE FROM reports WHERE seq = 14");
  CHECK(yl::testing::audit_result(db) ==
        "the scheduled reports after the last event: the replay produced report 14 "
        "(2024-03-08T00:00:00Z USDB) but the database has no more report rows (deleted?)");
  execute(db, "DELETE FROM reports WHERE seq = 3");
  CHECK(yl::testing::audit_result(db) ==
        "report 4 row 1 (2024-03-03T00:00:00Z USDB tbill): hash chain broken: this row was "
        "changed, or a row before it was deleted or inserted");
}

TEST_CASE("audit: rows far past the reader thread's first batches are named as the first") {
  // The stored rows are read by a second thread, 256 events at a time and a few batches ahead
  // (engine/storage/read_ahead.h): a row in a late batch fails the audit there, as row 9 does.
  TempDir dir;
  const std::string original = late_rows_ledger(dir);
  REQUIRE(yl::testing::audit_result(original) == "OK");
  const std::string line = column(original, "SELECT line FROM events WHERE seq = 2600").at(0);
  const std::string last_report = column(original, "SELECT max(seq) FROM reports").at(0);
  REQUIRE(std::stoi(last_report) > 20);
  const std::string last_report_at =
      column(original, ("SELECT time || ' ' || asset || ' ' || coalesce(nullif(source, ''), '-') "
                        "FROM reports WHERE row = 1 AND seq = " +
                        last_report)
                           .c_str())
          .at(0);
  struct Tamper {
    std::string sql, expected;
  };
  const Tamper tampers[] = {
      {"UPDATE events SET account = account || 'x' WHERE seq = 2600",
       "event events.csv:" + line + " (seq 2600): hash chain broken: this row was changed"},
      {"DELETE FROM events WHERE seq = 2600",
       "event events.csv:" + std::to_string(std::stoi(line) + 1) +
           " (seq 2601): hash chain "
           "broken: this row was changed, or a row before it was deleted or inserted"},
      {"UPDATE reports SET fee_wei = '1' WHERE seq = " + last_report + " AND row = 1",
       "report " + last_report + " row 1 (" + last_report_at +
           "): hash chain broken: this row was changed"},
  };
  for (const Tamper& t : tampers) {
    CAPTURE(t.sql);
    const std::string db = dir.path("tampered.db");
    std::filesystem::copy_file(original, db, std::filesystem::copy_options::overwrite_existing);
    execute(db, t.sql.c_str());
    const std::string found = yl::testing::audit_result(db);
    CHECK(found.substr(0, t.expected.size()) == t.expected);
  }
}

TEST_CASE("replay: a stored row that no longer parses fails it there, after the rows before it") {
  // replay() reads and parses the events on a second thread too (engine/replay/replay.cc): the
  // parse error of a late row comes out when the replay reaches it, as it did on one thread.
  TempDir dir;
  const std::string db = late_rows_ledger(dir);
  const std::string line = column(db, "SELECT line FROM events WHERE seq = 2600").at(0);
  const std::string type = column(db, "SELECT type FROM events WHERE seq = 2600").at(0);
  const std::string time = column(db, "SELECT time FROM events WHERE seq = 2000").at(0);
  execute(db, "UPDATE events SET time = 'noon' WHERE seq = 2600");
  yl::storage::Database database(db, yl::storage::Database::Mode::read_only);
  yl::storage::LedgerStore store(database);
  // A replay that stops before the row never reaches it, though its reader thread has read past
  // it (four batches of 256 ahead of row 2,000).
  const yl::Snapshot before = yl::take_snapshot(yl::replay(store, yl::testing::at(time)));
  CHECK_FALSE(before.balances.empty());
  CHECK_THROWS_WITH_AS(yl::replay(store, std::nullopt),
                       ("stored event events.csv:" + line + " no longer parses: " + type +
                        ": bad time 'noon' (expected YYYY-MM-DDTHH:MM:SSZ) (run `yieldledger "
                        "audit`)")
                           .c_str(),
                       yl::storage::StorageError);
}

TEST_CASE("audit: a streamed ledger stores each event's drip in the event's journal row") {
  // SPEC §9.1, unlocked over a day: the 2024-03-02 report locks the day's ETH yield, and the
  // transfer at 12:00 first drips half of it (runner.h journal_rows: one row, the drip first).
  TempDir dir;
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n"
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
  const std::vector<std::string> rows =
      column(db, "SELECT j.seq FROM journal j, events e WHERE j.event_seq = e.seq AND "
                 "e.type = 'transfer' AND j.report_seq IS NULL ORDER BY j.seq");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == "3");
  for (const std::string& row : rows) {
    CAPTURE(row);
    std::string memos;
    for (const std::string& posting : yl::testing::journal_row(db, std::stoll(row))) {
      memos += posting.substr(posting.rfind(' ') + 1) + " ";
    }
    CHECK(memos.rfind("drip drip price_step price_step ", 0) == 0);
    CHECK(memos.find("transfer") != std::string::npos);
  }
  // The drip is part of what audit replays and compares: dropping its pair (its two sides, one
  // record) from the row, which still balances, is found.
  yl::testing::rewrite_journal_row(db, 3, [](std::string& postings) {
    postings.erase(0, yl::testing::record_bounds(postings)[1]);
  });
  const std::string found = yl::testing::audit_result(db);
  CAPTURE(found);
  CHECK(
      found.rfind(
          "journal entry 3 (replaying event events.csv:5 (seq 4)): it holds 6 postings, the replay "
          "8; the first that differs, posting 1: the database holds [l2:pending:ETH ETH D "
          "443830000000000 price_step] but the replay posts [l2:locked:ETH ETH D "
          "443835616438355 drip]",
          0) == 0);
}

TEST_CASE("audit: a row of the replay's postings in other bytes is named so") {
  // Its pairs stored as their two postings each, as schemas 5 and 6 wrote them: the same postings,
  // other bytes. The message named a posting past the end, "posting 5 of 4: the database holds
  // none but the replay posts none" (helper-76's F5).
  TempDir dir;
  const std::string db = blast_launch(dir);
  std::size_t postings = 0;
  yl::testing::rewrite_journal_row(db, 7, [&](std::string& row) {
    row = yl::testing::split_pairs(row);
    postings = yl::testing::record_bounds(row).size() - 1;
  });
  CHECK(yl::testing::audit_result(db) ==
        "journal entry 7 (replaying event events.csv:21 (seq 20, id 'e020')): the database holds "
        "the replay's " +
            std::to_string(postings) +
            " postings in other bytes than the replay writes (a pair stored as two records?)");
}

TEST_CASE("audit: a time_s that is not the seconds of its row's time is found and named") {
  TempDir dir;
  check_findings(
      dir, blast_launch(dir),
      {{"UPDATE events SET time_s = 0",
        "event events.csv:2 (seq 1, id 'e001'): time_s is 0 in the database but its time "
        "2024-03-01T00:00:00Z is 1709251200"},
       {"UPDATE events SET time_s = time_s - 1 WHERE seq = 9",
        "event events.csv:10 (seq 9, id 'e009'): time_s is 1709283599 in the database but its "
        "time 2024-03-01T09:00:00Z is 1709283600"},
       {"UPDATE reports SET time_s = time_s + 1 WHERE seq = 1",
        "report 1 row 1 (2024-03-02T00:00:00Z ETH lido): time_s is 1709337601 in the database "
        "but its time 2024-03-02T00:00:00Z is 1709337600"},
       {"UPDATE reports SET time_s = 0 WHERE seq = 3 AND row = 2",
        "report 3 row 2 (2024-03-03T00:00:00Z ETH rocketpool): time_s is 0 in the database but "
        "its time 2024-03-03T00:00:00Z is 1709424000"}});
}

TEST_CASE("audit: scenario columns that are not what its stored toml says are found and named") {
  TempDir dir;
  check_findings(
      dir, blast_launch(dir),
      {{"UPDATE scenario SET name = 'evil', start_time = '2024-01-01T00:00:00Z', end_time = "
        "'2024-12-01T00:00:00Z', report_every = '7d'",
        "scenario: name is 'evil' in the database but 'blast-launch' in its toml"},
       {"UPDATE scenario SET start_time = '2024-01-01T00:00:00Z'",
        "scenario: start_time is '2024-01-01T00:00:00Z' in the database but "
        "'2024-03-01T00:00:00Z' in its toml"},
       {"UPDATE scenario SET end_time = '2024-12-01T00:00:00Z'",
        "scenario: end_time is '2024-12-01T00:00:00Z' in the database but "
        "'2024-06-01T00:00:00Z' in its toml"},
       {"UPDATE scenario SET report_every = '24h'",
        "scenario: report_every is '24h' in the database but '1d' in its toml"},
       {"UPDATE scenario SET events_file = 'other.csv'",
        "scenario: events_file is 'other.csv' in the database but 'events.csv' in its toml"}});
}

TEST_CASE("audit: journal_memos rows renamed, swapped, deleted or added are found and named") {
  TempDir dir;
  check_findings(
      dir, blast_launch(dir),
      {{"UPDATE journal_memos SET name = 'evil' WHERE code = 3",
        "journal_memos: code 3: name is 'evil' in the database but 'loss' in the engine's memo "
        "table"},
       {"UPDATE journal_memos SET name = 'x' WHERE code = 3",
        "journal_memos: code 3: name is 'x' in the database but 'loss' in the engine's memo "
        "table"},
       // A NUL ended the message there (helper-50's F4): "name is 'lo".
       {"UPDATE journal_memos SET name = 'lo' || char(0) || 'ss' WHERE code = 3",
        "journal_memos: code 3: name is 'lo\\x00ss' in the database but 'loss' in the engine's "
        "memo table"},
       // Swapped: fee's postings would read as losses.
       {"UPDATE journal_memos SET name = 'x' WHERE code = 3; UPDATE journal_memos SET name = "
        "'loss' WHERE code = 4; UPDATE journal_memos SET name = 'fee' WHERE code = 3",
        "journal_memos: code 3: name is 'fee' in the database but 'loss' in the engine's memo "
        "table"},
       {"DELETE FROM journal_memos WHERE code = 5",
        "journal_memos: code 5 ('cover') of the engine's memo table is not in the database "
        "(deleted?)"},
       {"DELETE FROM journal_memos WHERE code = 26",
        "journal_memos: code 26 ('rebalance') of the engine's memo table is not in the database "
        "(deleted?)"},
       {"INSERT INTO journal_memos (code, name) VALUES (27, 'evil')",
        "journal_memos: code 27 ('evil') is in the database but not in the engine's memo table "
        "(inserted?)"},
       {"INSERT INTO journal_memos (code, name) VALUES (-1, 'evil')",
        "journal_memos: code -1 ('evil') is in the database but not in the engine's memo table "
        "(inserted?)"}});
}

TEST_CASE("audit: tables, views and triggers that are not the ones the migrations create are "
          "found") {
  TempDir dir;
  check_findings(
      dir, blast_launch(dir),
      {{"DROP VIEW journal; CREATE VIEW journal(seq,event_seq,report_seq,postings) AS SELECT "
        "1,1,1,x'00'",
        "sqlite_schema: view journal: sql is not the one the schema's migrations create "
        "(changed by hand?)"},
       {"DROP VIEW journal",
        "sqlite_schema: view journal, which the schema's migrations create, is not in the "
        "database (dropped?)"},
       {"CREATE VIEW evil AS SELECT 1",
        "sqlite_schema: view evil is not one the schema's migrations create (added by hand?)"},
       {"CREATE TRIGGER evil AFTER INSERT ON events BEGIN SELECT 1; END",
        "sqlite_schema: trigger evil is not one the schema's migrations create (added by "
        "hand?)"},
       // Named as SQLite's own objects are, through writable_schema: SQLite fires such a trigger
       // all the same, and they were skipped (helper-50's F3).
       {"PRAGMA writable_schema = ON; CREATE TRIGGER sqlite_autoindex_evil AFTER INSERT ON "
        "appends BEGIN UPDATE final_balances SET balance_wei = '1'; END",
        "sqlite_schema: trigger sqlite_autoindex_evil is not one the schema's migrations create "
        "(added by hand?)"},
       {"PRAGMA writable_schema = ON; CREATE VIEW sqlite_stat1 AS SELECT 1",
        "sqlite_schema: view sqlite_stat1 is not one the schema's migrations create (added by "
        "hand?)"},
       {"PRAGMA writable_schema = ON; CREATE TABLE sqlite_hidden (x)",
        "sqlite_schema: table sqlite_hidden is not one the schema's migrations create (added by "
        "hand?)"},
       // A type in capitals: SQLite loads and fires the trigger all the same, and they were not
       // listed (helper-92's F1: a trigger that dropped alice's final balances passed).
       {"CREATE TRIGGER evil BEFORE INSERT ON final_balances BEGIN SELECT RAISE(IGNORE); END; "
        "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET type = 'TRIGGER' WHERE name = "
        "'evil'",
        "sqlite_schema: trigger evil is not one the schema's migrations create (added by "
        "hand?)"},
       {"CREATE VIEW evil AS SELECT 1; PRAGMA writable_schema = ON; UPDATE sqlite_schema SET "
        "type = 'VIEW' WHERE name = 'evil'",
        "sqlite_schema: view evil is not one the schema's migrations create (added by hand?)"},
       {"CREATE TABLE evil (x); PRAGMA writable_schema = ON; UPDATE sqlite_schema SET type = "
        "'Table' WHERE name = 'evil'",
        "sqlite_schema: table evil is not one the schema's migrations create (added by hand?)"},
       // A column no reading statement names: the file looked like a ledger of its version.
       {"ALTER TABLE appends DROP COLUMN duplicates",
        "sqlite_schema: table appends, column 5 (duplicates INTEGER NOT NULL), which the "
        "schema's migrations create, is not in the database (dropped?)"},
       {"ALTER TABLE events ADD COLUMN note TEXT",
        "sqlite_schema: table events, column 16 (note TEXT) is not one the schema's migrations "
        "create (added by hand?)"},
       {"CREATE TABLE evil (x)",
        "sqlite_schema: table evil is not one the schema's migrations create (added by hand?)"},
       // The unique index behind SPEC §8.3's ids, and one of the user's own.
       {"DROP INDEX events_by_id",
        "sqlite_schema: index events_by_id, which the schema's migrations create, is not in the "
        "database (dropped?)"},
       {"CREATE INDEX evil ON events (account)",
        "sqlite_schema: index evil is not one the schema's migrations create (added by hand?)"},
       // Constraints the columns do not show, taken out through writable_schema: they passed.
       {"PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, ') STRICT', "
        "')') WHERE name = 'events'",
        "sqlite_schema: table events ends ')', not the ') STRICT' the schema's migrations create "
        "(changed by hand?)"},
       {"PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, ' CHECK (asset "
        "IN (''ETH'', ''USDB''))', '') WHERE name = 'final_ledgers'",
        "sqlite_schema: table final_ledgers, clause 1 is 'asset TEXT PRIMARY KEY', not the "
        "'asset TEXT PRIMARY KEY CHECK (asset IN ('ETH', 'USDB'))' the schema's migrations create "
        "(changed by hand?)"},
       {"PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'kind = "
        "''system'')', 'kind = ''system'' OR 1)') WHERE name = 'final_balances'",
        "sqlite_schema: table final_balances, clause 3 is 'kind TEXT NOT NULL CHECK (kind = "
        "'user' OR kind = 'dapp' OR kind = 'system' OR 1)', not the 'kind TEXT NOT NULL CHECK "
        "(kind = 'user' OR kind = 'dapp' OR kind = 'system')' the schema's migrations create "
        "(changed by hand?)"},
       // A comment reworded or white space changed is not a difference.
       {"PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(replace(sql, "
        "'-- output row order (SPEC §7.1)', '/* reworded, with a ( */'), '  UNIQUE', '  UNIQUE  ') "
        "WHERE name = 'final_balances'; UPDATE final_ledgers SET price = '7'",
        "final_ledgers ETH: price is 7 in the database but 1004405189 in the replay (off by "
        "-1004405182)"}});
}

TEST_CASE("audit: an index that does not hold its table's rows is found") {
  // events_by_id emptied by hand, its CREATE text as it was: quick_check does not compare an index
  // with its table, so audit said OK, and the next apply of the same file stored the id again, a
  // second deposit (helper-50's F2; F5 hid a forged report row from the primary key's index).
  TempDir dir;
  const std::string db = dir.path("q.db");
  yl::run_into_database(yl::testing::example_scenario("quickstart"), db);
  const std::string events = dir.write("a.csv", "time,type,account,asset,amount,to,value,id\n"
                                                "2024-03-08T00:00:00Z,deposit,alice,ETH,1,,,x1\n");
  REQUIRE(yl::testing::run_cli({"apply", "--db", db, events}).exit_code == 0);
  REQUIRE(yl::testing::run_cli({"audit", "--db", db}).exit_code == 0);
  const std::string index = "CREATE UNIQUE INDEX events_by_id ON events (id) WHERE id IS NOT NULL";
  execute(db, ("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = '" + index +
               " AND seq < 0' WHERE name = 'events_by_id'")
                  .c_str());
  execute(db, "REINDEX events_by_id");  // rebuilt empty: no row has seq < 0
  execute(db, ("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = '" + index +
               "' WHERE name = 'events_by_id'")
                  .c_str());
  const yl::testing::CliResult audit = yl::testing::run_cli({"audit", "--db", db});
  CHECK(audit.exit_code == 3);
  CHECK(audit.out == "audit of " + db +
                         ": MISMATCH\n  the file is damaged (SQLite's integrity_check: row 13 "
                         "missing from index events_by_id)\n");
}

TEST_CASE("audit: a ledger whose scenario row was deleted is said to be one") {
  // It read "holds no ledger (run a scenario into it first)": advice to replace the evidence
  // (helper-50's F6). apply refuses it alike.
  TempDir dir;
  const std::string db = dir.path("q.db");
  yl::run_into_database(yl::testing::example_scenario("quickstart"), db);
  execute(db, "DELETE FROM scenario");
  auto said = [&](const char* events) {
    return "'" + db + "' holds " + events +
           " events and 24 rows of reports and balances, but no scenario row (deleted by hand?), "
           "so it cannot be read as a ledger";
  };
  const yl::testing::CliResult audit = yl::testing::run_cli({"audit", "--db", db});
  CHECK(audit.exit_code == 3);
  CHECK(audit.out == "audit of " + db + ": MISMATCH\n  " + said("12") + "\n");
  const std::string events = dir.write("a.csv", "time,type,account,asset,amount,to,value\n");
  const yl::testing::CliResult apply = yl::testing::run_cli({"apply", "--db", db, events});
  CHECK(apply.exit_code == 2);
  CHECK(apply.err == "yieldledger: " + said("12") + "\n");
  // The events deleted too: the rows left say it all the same (helper-51's F4).
  execute(db, "DELETE FROM events");
  CHECK(yl::testing::run_cli({"audit", "--db", db}).out ==
        "audit of " + db + ": MISMATCH\n  " + said("0") + "\n");
}

TEST_CASE("sql_without_comments: what a CREATE statement says, without its comments") {
  using yl::storage::sql_without_comments;
  CHECK(sql_without_comments("CREATE TABLE t (\n  a TEXT NOT NULL,  -- a note, with a (\n"
                             "  b TEXT CHECK (b GLOB '-[1-9]*' OR b = '--x' OR b = 'it''s' OR "
                             "\"c  d\" = 1) /* c ) */\n) STRICT") ==
        "CREATE TABLE t (a TEXT NOT NULL, b TEXT CHECK (b GLOB '-[1-9]*' OR b = '--x' OR "
        "b = 'it''s' OR \"c  d\" = 1)) STRICT");
  CHECK(sql_without_comments("  x\t\r\n( y ,z )  ") == "x (y,z)");
  CHECK(sql_without_comments("x -- to the end") == "x");
  CHECK(sql_without_comments("x /* never closed") == "x");
  CHECK(sql_without_comments("x 'never closed") == "x 'never closed");
}

TEST_CASE("audit: a file SQLite finds damaged is not certified, though every row it reads agrees") {
  // One byte of an index page's header (the count of its cells) changed: every row still reads,
  // the replay agreed and audit said OK, while `apply` refused the file as malformed.
  TempDir dir;
  const std::string db = blast_launch(dir);
  const std::vector<std::string> page = column(db, "PRAGMA page_size");
  const std::vector<std::string> root = column(
      db, "SELECT rootpage FROM sqlite_schema WHERE name = 'sqlite_autoindex_final_balances_1'");
  REQUIRE(page.size() == 1);
  REQUIRE(root.size() == 1);
  const long at = (std::stol(root[0]) - 1) * std::stol(page[0]) + 3;
  {
    std::fstream file(db, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(at);
    const char byte = static_cast<char>(file.get() ^ 0x5a);
    file.seekp(at);
    file.put(byte);
  }
  const yl::testing::CliResult audit = yl::testing::run_cli({"audit", "--db", db});
  CHECK(audit.exit_code == 3);
  CHECK(audit.out.starts_with("audit of " + db +
                              ": MISMATCH\n  the file is damaged (SQLite's "
                              "integrity_check: "));
}

TEST_CASE("audit: a stored scenario that no longer loads is a mismatch of the ledger's") {
  // It was exit 2 with the error of a file on disk ("examples/.../scenario.toml:20: scenario:
  // ..."), whose line 20 reads `apr_bps = 400` (helper-39's F2).
  TempDir dir;
  const std::string db = blast_launch(dir);
  execute(db, "UPDATE scenario SET toml = replace(toml, 'apr_bps = 400', 'apr_bps = 100001')");
  const std::string expected =
      "stored scenario: the copy of '" + yl::testing::example_scenario("blast-launch") +
      "' kept in the ledger no longer loads (its line 20: scenario: 'apr_bps' must be between 0 "
      "and 100000 (got 100001)): the ledger was changed by hand, or is damaged";
  const yl::testing::CliResult audit = yl::testing::run_cli({"audit", "--db", db});
  CHECK(audit.exit_code == 3);
  CHECK(audit.out == "audit of " + db + ": MISMATCH\n  " + expected + "\n");
  // The commands that replay refuse it in the same words.
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"explain", "--db", db, "--account", "alice"},
        std::vector<std::string>{"balances", "--db", db, "--at", "2024-03-02T00:00:00Z"}}) {
    const yl::testing::CliResult refused = yl::testing::run_cli(command);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err == "yieldledger: " + expected + "\n");
  }
}

TEST_CASE("audit: appends rows that disagree with the events they log are found and named") {
  // examples/blast-launch, then two applies: more.csv (2 events, the end moved to 2024-06-10) and
  // next.csv (1 event, and more.csv's m2 again, a duplicate).
  TempDir dir;
  const std::string db = blast_launch(dir);
  const std::string more =
      dir.write("more.csv", "id,time,type,account,asset,amount,to,value\n"
                            "m1,2024-06-02T00:00:00Z,deposit,alice,ETH,1,,\n"
                            "m2,2024-06-03T12:00:00Z,transfer,alice,ETH,1,bob,\n");
  const std::string next =
      dir.write("next.csv", "id,time,type,account,asset,amount,to,value\n"
                            "m2,2024-06-03T12:00:00Z,transfer,alice,ETH,1,bob,\n"
                            "n1,2024-06-10T00:00:00Z,deposit,bob,ETH,2,,\n");
  yl::apply_into_database(db, more, yl::testing::at("2024-06-10T00:00:00Z"));
  yl::apply_into_database(db, next, std::nullopt);
  REQUIRE(
      column(db, "SELECT seq || ' ' || coalesce(first_event, '-') || ' ' || events || ' ' || "
                 "duplicates || ' ' || end_time FROM appends ORDER BY seq") ==
      std::vector<std::string>{"1 60 2 0 2024-06-10T00:00:00Z", "2 62 1 1 2024-06-10T00:00:00Z"});
  const std::string m1 = "event " + more + ":2 (seq 60, id 'm1')";
  const std::string n1 = "event " + next + ":3 (seq 62, id 'n1')";
  // As changed, each row breaks the rows' chain (schema 11). Before it, a row without events
  // inserted with a later end, and end_extended moved to it, passed (helper-39's F1): the end that
  // `explain` and the exports' realized APY use.
  const std::string broken = "hash chain broken: this row was changed, or a row before it was "
                             "deleted or inserted";
  check_findings(
      dir, db,
      {{"INSERT INTO appends (file, first_event, events, duplicates, end_time) VALUES ('x.csv', "
        "NULL, 0, 0, '2024-06-10T12:00:00Z'); UPDATE scenario SET end_extended = "
        "'2024-06-10T12:00:00Z'",
        "appends row 3: " + broken},
       {"UPDATE appends SET end_time = '2024-06-10T12:00:00Z' WHERE seq = 2; UPDATE scenario SET "
        "end_extended = '2024-06-10T12:00:00Z'",
        "appends row 2: " + broken},
       {"UPDATE appends SET duplicates = 5 WHERE seq = 2", "appends row 2: " + broken},
       {"UPDATE appends SET hash = NULL WHERE seq = 2", "appends row 2: " + broken},
       {"UPDATE appends SET file = 'evil.csv' WHERE seq = 1",
        "appends row 1: hash chain broken: this row or the stored scenario was changed"},
       {"UPDATE appends SET hash = (SELECT hash FROM appends WHERE seq = 1) WHERE seq = 2",
        "appends row 2: " + broken}});
  // Chained again, what the rows say is checked against the events and the ledger's end.
  check_findings(
      dir, db,
      {{"DELETE FROM appends WHERE seq = 2",
        n1 + ": after the events of appends row 1, but no appends row lists it (deleted?)"},
       {"DELETE FROM appends WHERE seq = 1",
        "appends row 2: expected row 1 here: a row was deleted or inserted"},
       {"DELETE FROM appends",
        "scenario: end_extended is 2024-06-10T00:00:00Z but appends has no row of the `apply "
        "--until` that set it (deleted?)"},
       {"DELETE FROM appends; UPDATE scenario SET end_extended = NULL",
        m1 + ": its file is not the scenario's events_file 'events.csv', but no appends row "
             "lists it (deleted?)"},
       {"UPDATE appends SET events = 1 WHERE seq = 1",
        "appends row 2: first_event is 62 but the rows before it end at event 60: an apply's "
        "events follow the last one stored"},
       {"UPDATE appends SET first_event = 61 WHERE seq = 1",
        "appends row 2: first_event is 62 but the rows before it end at event 62: an apply's "
        "events follow the last one stored"},
       {"UPDATE appends SET first_event = NULL WHERE seq = 2",
        "appends row 2: first_event is NULL but events is 1"},
       {"UPDATE appends SET duplicates = -1 WHERE seq = 2",
        "appends row 2: events is 1 and duplicates -1, but neither counts below 0"},
       {"UPDATE appends SET file = 'evil.csv' WHERE seq = 1",
        "appends row 1: file is 'evil.csv' but its " + m1 + " is from '" + more + "'"},
       {"UPDATE appends SET end_time = '2024-06-01T00:00:00Z' WHERE seq = 1",
        "appends row 1: end_time is 2024-06-01T00:00:00Z but its " + m1 +
            " is at 2024-06-02T00:00:00Z, after it"},
       {"UPDATE appends SET end_time = '2024-05-01T00:00:00Z' WHERE seq = 1",
        "appends row 1: end_time is 2024-05-01T00:00:00Z, before the scenario's end_time "
        "2024-06-01T00:00:00Z: the end never moves back"},
       {"UPDATE appends SET end_time = '2024-06-11T00:00:00Z' WHERE seq = 1",
        "appends row 2: end_time is 2024-06-10T00:00:00Z, before row 1's 2024-06-11T00:00:00Z: "
        "the end never moves back"},
       {"UPDATE appends SET end_time = '2024-06-10' WHERE seq = 2",
        "appends row 2: end_time '2024-06-10' is not a time as `apply` writes it"},
       {"INSERT INTO appends (file, first_event, events, duplicates, end_time) VALUES ('x.csv', "
        "63, 1, 0, '2024-06-10T00:00:00Z')",
        "appends row 3: first_event 63 and events 1 list events up to 63, but the last event is "
        "seq 62 (deleted?)"},
       {"INSERT INTO appends (file, first_event, events, duplicates, end_time) VALUES ('x.csv', "
        "NULL, 0, 0, '2024-06-11T00:00:00Z')",
        "appends row 3: end_time is 2024-06-11T00:00:00Z but the ledger's end is "
        "2024-06-10T00:00:00Z (scenario.end_extended)"}},
      Appends::chained_again);
  // An apply onto a last row whose link is not one (the column takes any value) is refused, the
  // ledger unchanged: it was an internal error, SIGABRT (helper-41's F5).
  for (const char* link : {"NULL", "X''", "X'00'"}) {
    CAPTURE(link);
    const std::string unlinked = dir.path("unlinked.db");
    std::filesystem::copy_file(db, unlinked, std::filesystem::copy_options::overwrite_existing);
    execute(unlinked, fmt::format("UPDATE appends SET hash = {} WHERE seq = 2", link).c_str());
    const std::string before = yl::testing::read_file(unlinked);
    const yl::testing::CliResult refused =
        yl::testing::run_cli({"apply", "--db", unlinked, next, "--until", "2024-06-20T00:00:00Z"});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err == "yieldledger: '" + unlinked +
                             "': appends row 2 holds no hash link (32 bytes), so the chain cannot "
                             "go on from it: the ledger was changed by hand, or is damaged (run "
                             "`yieldledger audit`)\n");
    CHECK(yl::testing::read_file(unlinked) == before);
  }
  // The OK summary prints the rows' head, after the reports'.
  const yl::testing::CliResult ok = yl::testing::run_cli({"audit", "--db", db});
  CHECK(ok.out.find("\n  appends         2 (one per apply); hash chain intact, head " +
                    column(db, "SELECT lower(hex(hash)) FROM appends WHERE seq = 2").at(0) +
                    "\n  journal ") != std::string::npos);
  // The applied ledger passes after `migrate` from schema 7 (its links in hex) too.
  const std::string old = dir.path("old.db");
  std::filesystem::copy_file(db, old);
  yl::testing::write_hex_hashes(old);
  execute(old, "PRAGMA user_version = 7");
  CHECK(yl::testing::run_cli({"migrate", "--db", old}).exit_code == 0);
  CHECK(yl::testing::audit_result(old) == "OK");
}
