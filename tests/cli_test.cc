// The command line as a user runs it: golden outputs of the examples, exit codes (SPEC §7.2),
// and replay determinism. Runs the built `yieldledger` binary.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <tuple>

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/test_util.h"

using yl::testing::CliResult;
using yl::testing::read_file;
using yl::testing::TempDir;

namespace {

CliResult cli(const std::vector<std::string>& args) { return yl::testing::run_cli(args); }

std::string golden(const std::string& path) {
  return read_file(std::string(YL_SOURCE_DIR) + "/tests/golden/" + path);
}

// A row of `reports --verbose --format csv` (no field holds a comma or a quote): its 26 fields,
// SPEC §7.1's 14 + 5 v1.2 columns, then the 7 verbose ones.
std::vector<std::string> verbose_fields(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream fields(line);
  for (std::string cell; std::getline(fields, cell, ',');) f.push_back(cell);
  if (line.back() == ',') f.push_back("");
  REQUIRE(f.size() == 26);
  return f;
}

// A verbose column's wei, an empty one (a share count left empty) as 0.
yl::Amount wei_or_zero(const std::string& text) {
  return yl::testing::wei(text.empty() ? "0" : text);
}

// The checks of every verbose row (f[13] pending_after, f[17] socialized, f[20] pending_before,
// f[21] into_pending, f[22] ΔP, f[23] C, f[24] paid, f[25] socialized from pending): pending
// before + into pending = paid + socialized from pending + after; where a socialized loss lowered
// the price, the rest of it is −ΔP·C, to the wei, C given. Returns whether the price fell.
bool check_verbose_row(const std::vector<std::string>& f) {
  CHECK(wei_or_zero(f[20]) + wei_or_zero(f[21]) ==
        wei_or_zero(f[24]) + wei_or_zero(f[25]) + wei_or_zero(f[13]));
  if (!f[22].starts_with("-")) return false;
  REQUIRE(!f[23].empty());
  CHECK(wei_or_zero(f[22].substr(1)) * wei_or_zero(f[23]) ==
        wei_or_zero(f[17]) - wei_or_zero(f[25]));
  return true;
}

}  // namespace

TEST_CASE("CLI: the examples reproduce their golden CSV outputs to the wei") {
  TempDir dir;
  for (const std::string name : {"blast-launch", "quickstart"}) {
    CAPTURE(name);
    const std::string db = dir.path(name + ".db");
    const CliResult run = cli({"run", yl::testing::example_scenario(name), "--db", db});
    REQUIRE(run.exit_code == 0);
    CHECK(run.err.empty());
    for (const std::string command : {"balances", "ledgers", "sources", "reports"}) {
      CAPTURE(command);
      const CliResult out = cli({command, "--db", db, "--format", "csv"});
      CHECK(out.exit_code == 0);
      CHECK(out.out == golden(name + "/" + command + ".csv"));
    }
  }
  const std::string db = dir.path("blast-launch.db");
  CHECK(cli({"balances", "--db", db, "--at", "2024-04-16T00:00:00Z", "--format", "csv"}).out ==
        golden("blast-launch/balances_at_2024-04-16.csv"));
  CHECK(cli({"ledgers", "--db", db, "--at", "2024-04-16T00:00:00Z", "--format", "csv"}).out ==
        golden("blast-launch/ledgers_at_2024-04-16.csv"));
}

TEST_CASE(
    "CLI: reports --verbose accounts for every wei of T (pending before + T = paid + after)") {
  TempDir dir;
  // Under §9.3 socialize a loss takes from pending and, through the price, from the holders: the
  // identity left pending's part out, and the share count was empty when the price fell.
  for (const auto& [scenario, expected_rows, expected_falls] :
       {std::tuple{yl::testing::example_scenario("blast-launch"), 281, 0},
        std::tuple{std::string(YL_SOURCE_DIR) + "/examples/policies/socialize.toml", 732, 1}}) {
    CAPTURE(scenario);
    const std::string db = dir.path(std::to_string(expected_rows) + ".db");
    REQUIRE(cli({"run", scenario, "--db", db}).exit_code == 0);
    std::istringstream csv(cli({"reports", "--db", db, "--verbose", "--format", "csv"}).out);
    std::string line;
    std::getline(csv, line);
    CHECK(line.ends_with(",debt_change_wei,pending_before_wei,into_pending_wei,price_delta,"
                         "total_shares,paid_to_holders_wei,socialized_pending_wei"));
    int rows = 0, price_moves = 0, falls = 0;
    while (std::getline(csv, line)) {
      const std::vector<std::string> f = verbose_fields(line);
      if (check_verbose_row(f)) {  // a socialized loss paid no one through the price
        CHECK(wei_or_zero(f[24]) == yl::Amount());
        ++falls;
      } else {
        CHECK(wei_or_zero(f[22]) * wei_or_zero(f[23]) == wei_or_zero(f[24]));
      }
      if (!f[10].starts_with("-") && f[10] != "0") {  // T > 0 went into pending
        CHECK(wei_or_zero(f[21]) == wei_or_zero(f[10]));
      }
      price_moves += f[22] != "0";
      ++rows;
    }
    CHECK(rows == expected_rows);
    CHECK(falls == expected_falls);
    CHECK(price_moves > 100);
  }
}

TEST_CASE("CLI: reports --verbose under streamed: the drip's part, and the identity to the wei") {
  // SPEC §9.1: a report steps no price of its own, its T goes to the lock; the drip posted in its
  // entry pays the holders. price_delta is the report's own step (0), and C is left empty, but
  // where a socialized loss (§9.3) lowered the price: C was empty there too, and the rest of the
  // loss, −ΔP·C, could not be checked from the row (helper-74's F4).
  TempDir dir;
  const std::string streamed =
      read_file(std::string(YL_SOURCE_DIR) + "/examples/policies/streamed.toml");
  const std::string socialized =
      dir.write("socialized.toml",
                std::regex_replace(streamed, std::regex("distribution = \"streamed\""),
                                   "distribution = \"streamed\"\nnegative_yield = \"socialize\""));
  dir.write("events.csv", read_file(std::string(YL_SOURCE_DIR) + "/examples/policies/events.csv"));
  for (const auto& [scenario, expected_falls] :
       {std::pair{std::string(YL_SOURCE_DIR) + "/examples/policies/streamed.toml", 0},
        std::pair{socialized, 1}}) {
    CAPTURE(scenario);
    const std::string db = dir.path(std::to_string(expected_falls) + ".db");
    REQUIRE(cli({"run", scenario, "--db", db}).exit_code == 0);
    const std::string csv = cli({"reports", "--db", db, "--verbose", "--format", "csv"}).out;
    CHECK(csv.find("\n2024-01-03T00:00:00Z,ETH,scheduled,lido,") != std::string::npos);
    CHECK(csv.find(",1000015225,1000015225,420645792563,0,0,0,0,118370904566817683,0,0,"
                   "9104970645792563,0,,9104550000000000,0\n") != std::string::npos);
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);
    int rows = 0, paid = 0, falls = 0;
    while (std::getline(lines, line)) {
      const std::vector<std::string> f = verbose_fields(line);
      if (check_verbose_row(f)) {
        ++falls;
      } else {
        CHECK(f[22] == "0");
        CHECK(f[23] == "");
      }
      paid += f[24] != "0";
      ++rows;
    }
    CHECK(rows > 700);
    CHECK(paid > 300);
    CHECK(falls == expected_falls);
  }
}

TEST_CASE("CLI: --at the end equals the stored final state, before start it is genesis") {
  TempDir dir;
  const std::string db = dir.path("b.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", db}).exit_code == 0);
  for (const std::string command : {"balances", "ledgers", "sources"}) {
    CHECK(cli({command, "--db", db, "--at", "2024-06-01T00:00:00Z", "--format", "csv"}).out ==
          cli({command, "--db", db, "--format", "csv"}).out);
    CHECK(cli({command, "--db", db, "--at", "2030-01-01T00:00:00Z", "--format", "csv"}).out ==
          cli({command, "--db", db, "--format", "csv"}).out);
  }
  const CliResult genesis =
      cli({"balances", "--db", db, "--at", "2024-02-01T00:00:00Z", "--format", "csv"});
  CHECK(genesis.out ==
        "account,kind,asset,mode,balance,balance_wei,claimable_wei,shares,remainder_wei\n"
        "@gas,system,ETH,VOID,0,0,0,0,0\n@gas,system,USDB,VOID,0,0,0,0,0\n"
        "@fee_vault,system,ETH,VOID,0,0,0,0,0\n@fee_vault,system,USDB,VOID,0,0,0,0,0\n");
}

TEST_CASE("CLI: the same scenario run into two databases gives identical outputs") {
  TempDir dir;
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", dir.path("one.db")})
              .exit_code == 0);
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", dir.path("two.db")})
              .exit_code == 0);
  for (const std::string command : {"balances", "ledgers", "sources", "reports"}) {
    for (const std::string format : {"csv", "table"}) {
      CHECK(cli({command, "--db", dir.path("one.db"), "--format", format}).out ==
            cli({command, "--db", dir.path("two.db"), "--format", format}).out);
    }
  }
}

TEST_CASE("CLI: an asset without sources reports one row with empty source fields (SPEC §7.1)") {
  TempDir dir;
  std::string scenario = yl::testing::small_scenario_toml();
  scenario = scenario.substr(0, scenario.find("[[source]]\nname = \"tbill\""));  // ETH source only
  const std::string path = dir.write("s.toml", scenario);
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n");
  REQUIRE(cli({"run", path, "--db", dir.path("s.db")}).exit_code == 0);
  const std::string reports = cli({"reports", "--db", dir.path("s.db"), "--format", "csv"}).out;
  // v1.2: hurdle_wei and protocol_fee_wei are source fields (empty here), then the report's
  // void_share_wei, socialized_wei and locked_after_wei.
  CHECK(reports.find("2024-03-02T00:00:00Z,USDB,scheduled,,,,,,0,0,0,1000000000,1000000000,0,"
                     ",,0,0,0\n") != std::string::npos);
  CHECK(reports.find("2024-03-02T00:00:00Z,ETH,scheduled,lido,0,0,0,0,0,0,0,1000000000,"
                     "1000000000,0,0,0,0,0,0\n") != std::string::npos);
}

// What a v1.1 ledger (schema 3) lacks: the columns of schema/0004_policies.sql.
constexpr const char* kDropV1_2Columns =
    "ALTER TABLE reports DROP COLUMN hurdle_wei; ALTER TABLE reports DROP COLUMN protocol_fee_wei;"
    "ALTER TABLE reports DROP COLUMN void_share_wei; ALTER TABLE reports DROP COLUMN "
    "socialized_wei; ALTER TABLE reports DROP COLUMN locked_after_wei; ALTER TABLE final_ledgers "
    "DROP COLUMN revenue_wei; ALTER TABLE final_ledgers DROP COLUMN locked_wei;";

TEST_CASE("CLI: a ledger of an older schema is refused by readers and upgraded by migrate") {
  TempDir dir;
  const std::string db = dir.path("old.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  // Make it what yieldledger wrote before migration 3 (apply), 4 (SPEC v1.2 policies), 5 (the
  // binary journal) and 6 (the drip schedule).
  yl::testing::write_json_journal(db);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, kDropV1_2Columns, nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle,
                       "DROP TABLE appends; ALTER TABLE scenario DROP COLUMN end_extended; "
                       "PRAGMA user_version = 2",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const CliResult refused = cli({"balances", "--db", db});
  CHECK(refused.exit_code == 2);
  CHECK(
      refused.err.find("older than this yieldledger's 11; upgrade it with `yieldledger migrate") !=
      std::string::npos);
  const CliResult migrated = cli({"migrate", "--db", db});
  CHECK(migrated.exit_code == 0);
  CHECK(migrated.out == db + ": schema version 2 -> 11\n");
  CHECK(cli({"balances", "--db", db, "--format", "csv"}).out == golden("quickstart/balances.csv"));
  CHECK(cli({"audit", "--db", db}).exit_code == 0);
}

TEST_CASE("CLI: migrate upgrades a v1.1 ledger (schema 3) to v1.2: new columns, chains intact") {
  TempDir dir;
  const std::string db = dir.path("v11.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", db}).exit_code == 0);
  yl::testing::write_json_journal(db);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, kDropV1_2Columns, nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "PRAGMA user_version = 3", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const CliResult migrated = cli({"migrate", "--db", db});
  CHECK(migrated.exit_code == 0);
  CHECK(migrated.out == db + ": schema version 3 -> 11\n");
  // Every v1.1 value, and the v1.2 columns at their default-policy values.
  CHECK(cli({"reports", "--db", db, "--format", "csv"}).out == golden("blast-launch/reports.csv"));
  CHECK(cli({"ledgers", "--db", db, "--format", "csv"}).out == golden("blast-launch/ledgers.csv"));
  // The hash chains written by v1.1 still verify: the report hash covers v1.2 columns only
  // when one of them is not at its v1.1 value.
  CHECK(cli({"audit", "--db", db}).exit_code == 0);
}

TEST_CASE("CLI: exit codes follow SPEC §7.2, and a rejected run changes nothing") {
  TempDir dir;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  const std::string before = cli({"balances", "--db", db, "--format", "csv"}).out;

  dir.write("events.csv", "time,type,account,asset,amount,to,value\n"
                          "2024-03-01T00:00:00Z,open,alice,,,,user\n"
                          "2024-03-01T00:00:00Z,withdraw,alice,ETH,1,,\n");
  const std::string bad = dir.write("bad.toml", yl::testing::small_scenario_toml());
  const CliResult rejected = cli({"run", bad, "--db", db});
  CHECK(rejected.exit_code == 2);
  CHECK(rejected.err ==
        "events.csv:3: withdraw: insufficient balance: alice holds 0 ETH, needs 1\n");
  CHECK(cli({"balances", "--db", db, "--format", "csv"}).out == before);

  CHECK(cli({"balances", "--db", dir.path("missing.db")}).exit_code == 2);
  CHECK(cli({"balances", "--db", db, "--format", "xml"}).exit_code == 2);
  CHECK(cli({"balances", "--db", db, "--at", "yesterday"}).err ==
        "yieldledger: --at: bad time 'yesterday' (expected YYYY-MM-DDTHH:MM:SSZ)\n");
  CHECK(cli({"balances", "--db", db, "--at", "yesterday"}).exit_code == 2);
  CHECK(cli({}).exit_code == 2);
  CHECK(cli({"frobnicate"}).exit_code == 2);
  CHECK(cli({"run", "--help"}).exit_code == 0);
  CHECK(cli({"run", dir.path("nope.toml"), "--db", dir.path("n.db")}).exit_code == 2);

  // A file that is not SQLite, and an SQLite file that is not a yieldledger ledger.
  const std::string text = dir.write("text.db", "hello, I am not a database\n");
  CHECK(cli({"balances", "--db", text}).exit_code == 2);
  const std::string other = dir.path("other.db");
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "CREATE TABLE t (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const CliResult foreign = cli({"balances", "--db", other});
  CHECK(foreign.exit_code == 2);
  CHECK(foreign.err.find("is not a yieldledger database") != std::string::npos);
  CHECK(cli({"run", yl::testing::example_scenario("quickstart"), "--db", other}).exit_code == 2);

  // audit: 0 when the ledger is honest, 3 when a row was changed, 2 when it is not a ledger.
  const CliResult clean = cli({"audit", "--db", db});
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.find("audit of " + db + ": OK") == 0);
  CHECK(cli({"audit", "--db", other}).exit_code == 2);
  const std::string empty = dir.write("empty.db", "");
  CHECK(cli({"audit", "--db", empty}).err.find("holds no ledger") != std::string::npos);
  CHECK(cli({"explain", "--db", empty, "--account", "a"}).exit_code == 2);
  CHECK(read_file(empty).empty());  // reading never writes, not even a schema
  CHECK(cli({"explain", "--db", db, "--account", "nobody"}).err ==
        "yieldledger: unknown account 'nobody'\n");
  CHECK(cli({"explain", "--db", db, "--source", "aave"}).exit_code == 2);
  CHECK(cli({"audit", "--db", dir.path("missing.db")}).exit_code == 2);
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "UPDATE events SET amount = '99' WHERE seq = 4", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const CliResult tampered = cli({"audit", "--db", db});
  CHECK(tampered.exit_code == 3);
  CHECK(tampered.out.find("MISMATCH") != std::string::npos);
  CHECK(tampered.out.find("(seq 4): hash chain broken") != std::string::npos);

  // A ledger written by a newer yieldledger is refused, not misread.
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const CliResult newer = cli({"balances", "--db", db});
  CHECK(newer.exit_code == 2);
  CHECK(newer.err.find("schema version 99, newer than") != std::string::npos);
}

TEST_CASE("CLI: journal prints the stored postings as rows, by event or report (schema 5)") {
  TempDir dir;
  const std::string db = dir.path("b.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("blast-launch"), "--db", db}).exit_code == 0);
  // Event 23 (events.csv line 24): alice's gas fee of 0.8 ETH, after her accrual since her last
  // move is settled to her (entry 14).
  const CliResult event = cli({"journal", "--db", db, "--event", "23", "--format", "csv"});
  CHECK(event.exit_code == 0);
  CHECK(event.out == "entry,event,report,account,asset,side,amount_wei,memo\n"
                     "14,23,,l2:accrued:ETH,ETH,D,130531948190509300,settlement\n"
                     "14,23,,l2:account:alice,ETH,C,130531948190509300,settlement\n"
                     "14,23,,l2:account:alice,ETH,D,800000000000000000,gas_fee\n"
                     "14,23,,l2:account:@gas,ETH,C,800000000000000000,gas_fee\n");
  // A seq past the last event or report is said so (it printed an empty table, exit 0).
  const CliResult past = cli({"journal", "--db", db, "--event", "60"});
  CHECK(past.exit_code == 2);
  CHECK(past.err == "yieldledger: --event 60: the ledger has 59 events\n");
  CHECK(past.out.empty());
  const CliResult no_report = cli({"journal", "--db", db, "--report", "188"});
  CHECK(no_report.exit_code == 2);
  CHECK(no_report.err == "yieldledger: --report 188: the ledger has 187 reports\n");
  CHECK(cli({"journal", "--db", db, "--report", "187"}).exit_code == 0);
  // An entry is an event's or a report's: both printed an empty table, exit 0 (helper-70's F11).
  const CliResult both = cli({"journal", "--db", db, "--event", "23", "--report", "1"});
  CHECK(both.exit_code == 2);
  CHECK(both.err.starts_with("yieldledger: --event excludes --report\n"));
  CHECK(both.out.empty());
  // Every posting, one line each: as many as `audit` counts (2,581).
  const CliResult all = cli({"journal", "--db", db, "--format", "csv"});
  CHECK(std::count(all.out.begin(), all.out.end(), '\n') == 1 + 2581);
  // A report's entry in the table format: amounts in units.
  const CliResult report = cli({"journal", "--db", db, "--report", "1"});
  CHECK(report.out.find("    5              1  l1:source:lido:unreported        ETH    D     "
                        "0.166210869666421318  accrual\n") != std::string::npos);
  const CliResult missing = cli({"journal", "--db", dir.path("none.db")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "yieldledger: database '" + dir.path("none.db") + "' not found\n");
  // A seq is base-10 digits: "023" is event 23, not octal 19; hex, blanks, overflow and 0 are
  // refused, not read as another event or clamped to the largest.
  CHECK(cli({"journal", "--db", db, "--event", "023", "--format", "csv"}).out == event.out);
  for (const char* bad : {"0x17", " 23", "99999999999999999999", "0", "-1"}) {
    for (const char* option : {"--event", "--report"}) {
      const CliResult refused = cli({"journal", "--db", db, option, bad});
      CHECK(refused.exit_code == 2);
      CHECK(refused.err == "yieldledger: " + std::string(option) + ": '" + bad +
                               "' is not an integer from 1 to 9223372036854775807\nRun with "
                               "--help for more information.\n");
    }
  }
}

TEST_CASE("CLI: explain refuses what no ledger holds before its replay, and empty times") {
  TempDir dir;
  dir.write("events.csv", "time,type,account,asset,amount,to,value\n"
                          "2024-03-01T00:00:00Z,open,alice,,,,user\n"
                          "2024-03-01T00:00:00Z,deposit,alice,ETH,10,,\n"
                          "2024-03-04T00:00:00Z,open,late,,,,user\n");
  const std::string scenario = dir.write("s.toml", yl::testing::small_scenario_toml());
  const std::string db = dir.path("s.db");
  REQUIRE(cli({"run", scenario, "--db", db}).exit_code == 0);
  auto err = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"explain", "--db", db});
    const CliResult r = cli(args);
    CHECK(r.exit_code == 2);
    return r.err;
  };
  // A megabyte of name came back whole, after the whole replay.
  CHECK(err({"--account", std::string(100000, 'a')}) ==
        "yieldledger: unknown account '" + std::string(64, 'a') +
            "... (100000 bytes in all)': a name is 1-64 of A-Z a-z 0-9 _ . -\n");
  // Given empty (a script's unset variable), it is an unknown name, not left out.
  CHECK(err({"--account", ""}) ==
        "yieldledger: unknown account '': a name is 1-64 of A-Z a-z 0-9 _ . -\n");
  CHECK(err({"--source", "a\tb"}) ==
        "yieldledger: unknown source 'a\\tb': a name is 1-64 of A-Z a-z 0-9 _ . -\n");
  // A source has one asset: --asset with it was ignored.
  CHECK(err({"--source", "lido", "--asset", "USDB"}) ==
        "yieldledger: --source excludes --asset\nRun with --help for more information.\n");
  // An account opened after --to is not unknown: it is not open yet.
  CHECK(err({"--account", "late", "--to", "2024-03-02T00:00:00Z"}) ==
        "yieldledger: no account 'late' is open at --to 2024-03-02T00:00:00Z\n");
  CHECK(cli({"explain", "--db", db, "--account", "late"}).exit_code == 0);
  // A window outside the run (it printed an opening dated after its closing, exit 0).
  CHECK(err({"--account", "alice", "--from", "2030-01-01T00:00:00Z"}) ==
        "yieldledger: --from 2030-01-01T00:00:00Z is after the ledger's end, "
        "2024-03-08T00:00:00Z\n");
  CHECK(err({"--account", "alice", "--to", "1990-05-01T00:00:00Z"}) ==
        "yieldledger: --to 1990-05-01T00:00:00Z is before the ledger's start, "
        "2024-03-01T00:00:00Z\n");
  // A time option given empty (a script's unset variable) is not taken as left out.
  CHECK(err({"--account", "alice", "--from", ""}) ==
        "yieldledger: --from: bad time '' (expected YYYY-MM-DDTHH:MM:SSZ)\n");
  const CliResult at = cli({"balances", "--db", db, "--at", ""});
  CHECK(at.exit_code == 2);
  CHECK(at.err == "yieldledger: --at: bad time '' (expected YYYY-MM-DDTHH:MM:SSZ)\n");
  const std::string more = dir.write("more.csv", "time,type,account,asset,amount,to,value\n");
  const CliResult until = cli({"apply", "--db", db, more, "--until", ""});
  CHECK(until.exit_code == 2);
  CHECK(until.err == "yieldledger: --until: bad time '' (expected YYYY-MM-DDTHH:MM:SSZ)\n");
}

TEST_CASE("CLI: explain's CSV defuses an events file name a spreadsheet would run as a formula") {
  // Its event column quotes the events file as the scenario names it: "=1+2.csv:3" was a live
  // formula, in a ledger that audits clean; export's CSV already defused the same name.
  TempDir dir;
  dir.write("=1+2.csv", "time,type,account,asset,amount,to,value\n"
                        "2024-03-01T00:00:00Z,open,alice,,,,user\n"
                        "2024-03-01T00:00:00Z,deposit,alice,ETH,10,,\n");
  const std::string db = dir.path("f.db");
  const std::string scenario = dir.write("s.toml", yl::testing::small_scenario_toml("=1+2.csv"));
  REQUIRE(cli({"run", scenario, "--db", db}).exit_code == 0);
  const CliResult csv =
      cli({"explain", "--db", db, "--account", "alice", "--asset", "ETH", "--format", "csv"});
  CHECK(csv.exit_code == 0);
  CHECK(csv.out.find("\n2024-03-01T00:00:00Z,ETH,movement,deposit,'=1+2.csv:3 (seq 2),"
                     "10000000000000000000,10000000000000000000,0,") != std::string::npos);
  CHECK(csv.out.find(",=1+2") == std::string::npos);
  // A table is for people: the name as it is.
  CHECK(cli({"explain", "--db", db, "--account", "alice"}).out.find(" =1+2.csv:3 (seq 2) ") !=
        std::string::npos);
}

TEST_CASE("CLI: run --drip-schedule: both schedules give the same outputs, --at included") {
  // SPEC §9.1 under `streamed`: `touched` (the default) drips before an event only the asset it
  // touches and settles the rest for every read; `every_event` drips both before every event.
  // Every output value must be the same, at the end and --at any time; only the journal differs.
  TempDir dir;
  const std::string scenario = std::string(YL_SOURCE_DIR) + "/examples/policies/streamed.toml";
  const std::string touched = dir.path("touched.db"), every = dir.path("every.db");
  REQUIRE(cli({"run", scenario, "--db", touched}).exit_code == 0);
  REQUIRE(cli({"run", scenario, "--db", every, "--drip-schedule", "every_event"}).exit_code == 0);
  for (const std::vector<std::string>& query :
       std::vector<std::vector<std::string>>{{"balances"},
                                             {"ledgers"},
                                             {"reports"},
                                             {"balances", "--at", "2024-03-17T13:00:00Z"},
                                             {"ledgers", "--at", "2024-07-02T05:30:00Z"},
                                             {"ledgers", "--at", "2024-11-30T23:59:59Z"}}) {
    std::vector<std::string> a = query, b = query;
    for (auto* args : {&a, &b}) args->insert(args->end(), {"--format", "csv"});
    a.insert(a.end(), {"--db", touched});
    b.insert(b.end(), {"--db", every});
    const CliResult lazy = cli(a), eager = cli(b);
    CAPTURE(query.front());
    CHECK(lazy.exit_code == 0);
    CHECK(lazy.out.size() > 100);
    CHECK(lazy.out == eager.out);
  }
  CHECK(cli({"audit", "--db", touched}).exit_code == 0);
  CHECK(cli({"audit", "--db", every}).exit_code == 0);
  const CliResult bad =
      cli({"run", scenario, "--db", dir.path("bad.db"), "--drip-schedule", "lazy"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--drip-schedule: lazy not in {touched,every_event}") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path("bad.db")));
}

TEST_CASE("CLI: a file argument given empty is refused by its name, exit 2") {
  // It was read as a file named '': ":1: scenario: cannot open the scenario file: No such file
  // or directory", the file missing from FILE:LINE (helper-45's F2); compare's --out '' printed
  // to standard output as if not given (F3).
  for (const auto& [args, name] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"run", "", "--db", "n.db"}, "scenario"},
           {{"apply", "--db", "n.db", ""}, "events"},
           {{"generate", "", "--seed", "1", "--out", "g"}, "study"},
           {{"sweep", "", "--out", "r.db"}, "study"},
           {{"compare", "a.db", ""}, "B.db"},
           {{"compare", ""}, "RESULTS.db|A.db"},
           {{"merge", "--out", "m.db", ""}, "shards"},
           {{"compare", "a.db", "--out", ""}, "--out"}}) {
    CAPTURE(args.front());
    const CliResult r = cli(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: " + name +
                       ": the name is empty: name a file\nRun with --help for more information.\n");
  }
}

TEST_CASE("CLI: --out - is refused: it would be a file or folder named '-', not standard output") {
  // helper-63's F11: `export --out -` made a folder named '-'.
  TempDir dir;
  const std::string db = dir.path("q.db");
  REQUIRE(cli({"run", yl::testing::example_scenario("quickstart"), "--db", db}).exit_code == 0);
  const std::string study = std::string(YL_SOURCE_DIR) + "/examples/lab/study.toml";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"export", "--db", db, "--out", "-"},
        {"compare", db, db, "--out", "-"},
        {"sweep", study, "--out", "-"},
        {"merge", "--out", "-", db},
        {"generate", study, "--out", "-"}}) {
    CAPTURE(args.front());
    const CliResult r = cli(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "yieldledger: --out: '-' is not standard output here: the output is written to "
                   "a file or folder by name (./- names one called '-')\nRun with --help for more "
                   "information.\n");
    CHECK_FALSE(std::filesystem::exists("-"));
  }
}
