// `yieldledger migrate` (issue #9 defect 6): a real schema-1 ledger, built the way schema-1
// yieldledger wrote one, migrates into a ledger that passes `audit`, with the same hash chains
// and journal a fresh `run` writes; a schema-1 ledger whose rows do not replay is left as it was.
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "engine/runner.h"
#include "engine/storage/database.h"
#include "engine/storage/migrations.h"
#include "tests/test_util.h"

using yl::testing::run_cli;
using yl::testing::TempDir;

namespace {

// Schema 1's columns of the tables it had (schema/0001_init.sql): what its `run` wrote.
const std::vector<std::pair<std::string, std::string>> kSchema1Tables = {
    {"scenario", "id, name, file, events_file, toml, start_time, end_time, report_every"},
    {"events", "seq, file, line, id, time_s, time, type, account, asset, amount, \"to\", value"},
    {"reports", "seq, row, time_s, time, asset, trigger, source, yield_wei, fee_wei, cover_wei, "
                "committed_wei, debt_before_wei, debt_after_wei, t_wei, price_before, price_after, "
                "pending_after_wei"},
    {"final_balances", "*"},
    {"final_ledgers",
     "asset, ord, price, pending_wei, total_shares, buffer_wei, debt_wei, insurance_wei, "
     "retained_wei"},
    {"final_sources", "*"}};

// A schema-1 ledger at `path`: only the first migration applied, as schema-1 yieldledger did,
// and filled with the rows its `run` wrote: the scenario, events, reports and final state, with
// no hash chains and no journal (those came with schema 2). The rows are those of a current run
// of the same scenario (`source`), which writes them with the same values.
void write_schema1_ledger(const std::string& path, const std::string& source) {
  yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
  db.exec(fmt::format("PRAGMA application_id = {}", yl::storage::kApplicationId));
  db.exec(yl::storage::embedded_migrations().at(0));
  db.exec("PRAGMA user_version = 1");
  db.exec("ATTACH DATABASE '" + source + "' AS current");
  for (const auto& [table, columns] : kSchema1Tables) {
    db.exec(fmt::format("INSERT INTO main.{0} SELECT {1} FROM current.{0}", table, columns));
  }
  db.exec("DETACH DATABASE current");
}

std::vector<std::string> column(const std::string& path, const std::string& sql) {
  yl::storage::Database db(path, yl::storage::Database::Mode::read_only);
  yl::storage::Statement s = db.prepare(sql);
  std::vector<std::string> values;
  while (s.step()) values.push_back(s.column_text(0));
  return values;
}

}  // namespace

TEST_CASE("Migrate: a schema-1 ledger is rebuilt by replay and passes audit") {
  TempDir dir;
  const std::string fresh = dir.path("fresh.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), fresh);
  const std::string old = dir.path("old.db");
  write_schema1_ledger(old, fresh);
  CHECK(column(old, "PRAGMA user_version") == std::vector<std::string>{"1"});
  CHECK(column(old, "SELECT name FROM pragma_table_info('events') WHERE name = 'hash'").empty());

  // apply upgrades a ledger of schema 2 or later itself, but not one that needs the replay: it
  // stopped on an assertion (exit 134) and had changed the file's header (helper-45's F13).
  const std::string before = yl::testing::read_file(old);
  const std::string more = dir.write(
      "more.csv", "time,type,account,asset,amount,to,value\n2024-06-01T00:00:00Z,deposit,alice,ETH,"
                  "1,,\n");
  const auto applied = run_cli({"apply", "--db", old, more});
  CHECK(applied.exit_code == 2);
  CHECK(applied.err ==
        "yieldledger: '" + old + "' has schema version 1, older than this yieldledger's " +
            std::to_string(yl::storage::current_schema_version()) +
            "; upgrade it with `yieldledger migrate --db " + old +
            "` first (it replays the ledger's events to build its hash chains and journal)\n");
  CHECK(yl::testing::read_file(old) == before);
  CHECK_FALSE(std::filesystem::exists(old + "-wal"));

  const auto migrated = run_cli({"migrate", "--db", old});
  CHECK(migrated.exit_code == 0);
  CHECK(migrated.err == "");
  // blast-launch has 59 events (events.csv's 60 lines less the header).
  CHECK(migrated.out == old + ": schema version 1 -> " +
                            std::to_string(yl::storage::current_schema_version()) +
                            "\nrebuilt the hash chains and the journal by replaying 59 events; "
                            "the replay reproduced every stored report and the final state\n");
  CHECK(yl::testing::audit_result(old) == "OK");
  const auto audit = run_cli({"audit", "--db", old});
  CHECK(audit.exit_code == 0);
  // The same chains and journal as a ledger that current yieldledger ran.
  for (const char* sql :
       {"SELECT hash FROM events ORDER BY seq", "SELECT hash FROM reports ORDER BY seq, row",
        "SELECT postings FROM journal ORDER BY seq",
        "SELECT coalesce(event_seq, '-') || '/' || coalesce(report_seq, '-') "
        "FROM journal ORDER BY seq"}) {
    CAPTURE(sql);
    const auto rebuilt = column(old, sql);
    CHECK_FALSE(rebuilt.empty());
    CHECK(rebuilt == column(fresh, sql));
  }
  // Migrated once: a second migrate has nothing to do.
  const auto again = run_cli({"migrate", "--db", old});
  CHECK(again.exit_code == 0);
  CHECK(again.out == old + ": schema version " +
                         std::to_string(yl::storage::current_schema_version()) + " -> " +
                         std::to_string(yl::storage::current_schema_version()) + "\n");
}

TEST_CASE("Migrate: a schema-1 ledger whose rows do not replay is refused and left as it was") {
  TempDir dir;
  const std::string fresh = dir.path("fresh.db");
  yl::run_into_database(yl::testing::example_scenario("quickstart"), fresh);
  // A schema-1 ledger with one stored row changed by `sql`.
  auto tampered = [&](const std::string& name, const std::string& sql) {
    const std::string path = dir.path(name);
    write_schema1_ledger(path, fresh);
    yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
    db.exec(sql);
    return path;
  };
  const std::string report = tampered("report.db", "UPDATE reports SET t_wei = '1' WHERE seq = 3");
  const std::string balance =
      tampered("balance.db", "UPDATE final_balances SET balance_wei = '7' WHERE account = 'alice'");
  // A row that no longer parses is the ledger's, not the events file's (helper-84's F1).
  const std::string type = tampered("type.db", "UPDATE events SET type = 'teleport' WHERE seq = 4");
  const std::string moved = tampered("moved.db", "UPDATE events SET time_s = 7 WHERE seq = 2");
  const std::string extra = tampered(
      "extra.db", "INSERT INTO reports SELECT 99, row, time_s, time, asset, trigger, source, "
                  "yield_wei, fee_wei, cover_wei, committed_wei, debt_before_wei, debt_after_wei, "
                  "t_wei, price_before, price_after, pending_after_wei FROM reports WHERE seq = 3 "
                  "AND row = 1");
  for (const auto& [path, what] :
       // The first row that differs, and how (helper-84's F4: the refusal named none).
       {std::pair{report, "replaying its events does not reproduce its stored reports (report 3 "
                          "row 1: t_wei is '1' stored, '8877587840120097' replayed)"},
        std::pair{moved, "replaying its events does not reproduce its stored events (event 2: "
                         "time_s is '7' stored, '1709251200' replayed)"},
        std::pair{extra, "replaying its events does not reproduce its stored reports (report 99 "
                         "row 1: stored, not replayed)"},
        std::pair{balance, "replaying its events does not reproduce its stored final state"},
        std::pair{type, "stored event events.csv:5 no longer parses: csv: unknown event type "
                        "'teleport'"}}) {
    const auto result = run_cli({"migrate", "--db", path});
    CHECK(result.exit_code == 2);
    CHECK(result.out == "");
    CHECK(result.err == "yieldledger: '" + path + "': " + what + "; it was not migrated\n");
    CHECK(column(path, "PRAGMA user_version") == std::vector<std::string>{"1"});
    CHECK(column(path, "SELECT name FROM sqlite_schema WHERE name = 'journal'").empty());
  }
}

namespace {

// A schema-4 copy of `fresh` at `path`: its journal as JSON rows, schema version 4.
void write_schema4_ledger(const std::string& path, const std::string& fresh) {
  std::filesystem::copy_file(fresh, path);
  yl::testing::write_json_journal(path);
  yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
  db.exec("PRAGMA user_version = 4");
}

}  // namespace

TEST_CASE("Migrate: a schema-4 ledger's JSON journal becomes the binary rows a run writes") {
  // Streamed (SPEC §9.1): rows that hold a drip and its event, and every memo a policy adds;
  // dripped every event, as every ledger before schema 6 was.
  TempDir dir;
  const std::string fresh = dir.path("fresh.db");
  yl::RunOptions every_event;
  every_event.drip = yl::DripSchedule::every_event;
  yl::run_into_database(std::string(YL_SOURCE_DIR) + "/examples/policies/streamed.toml", fresh,
                        every_event);
  const std::string old = dir.path("old.db");
  write_schema4_ledger(old, fresh);
  CHECK(column(old, "SELECT typeof(postings) FROM journal LIMIT 1") ==
        std::vector<std::string>{"text"});

  const auto migrated = run_cli({"migrate", "--db", old});
  CHECK(migrated.exit_code == 0);
  CHECK(migrated.err == "");
  CHECK(migrated.out == old + ": schema version 4 -> 11\n");
  // Byte for byte what a run writes: rows, origins and the names' numbering.
  for (const char* sql :
       {"SELECT seq || ' ' || coalesce(event_seq, '-') || ' ' || coalesce(report_seq, '-') || ' ' "
        "|| hex(postings) FROM journal ORDER BY seq",
        "SELECT id || ' ' || name FROM journal_accounts ORDER BY id",
        "SELECT name FROM sqlite_schema WHERE name LIKE 'journal%' ORDER BY name",
        // The events table rebuilt with its partial index on id; nothing of schema 4 left.
        "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema "
        "ORDER BY name",
        "SELECT seq || ' ' || coalesce(id, '-') || ' ' || hash FROM events ORDER BY seq"}) {
    CAPTURE(sql);
    const auto converted = column(old, sql);
    CHECK(converted.size() > 2);
    CHECK(converted == column(fresh, sql));
  }
  CHECK(yl::testing::audit_result(old) == "OK");
}

TEST_CASE("Migrate: a schema-4 journal row changed by hand is refused, or found by audit") {
  TempDir dir;
  const std::string fresh = dir.path("fresh.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), fresh);
  // Not JSON of the schema-4 format: not converted, the file left at schema 4.
  const std::string broken = dir.path("broken.db");
  write_schema4_ledger(broken, fresh);
  {
    yl::storage::Database db(broken, yl::storage::Database::Mode::read_write_create);
    db.exec("UPDATE journal SET postings = '[[\"l1:buffer:ETH\"]]' WHERE seq = 12");
  }
  const auto refused = run_cli({"migrate", "--db", broken});
  CHECK(refused.exit_code == 2);
  CHECK(refused.out == "");
  CHECK(refused.err == "yieldledger: '" + broken +
                           "': journal entry 12 is malformed, so the journal cannot be "
                           "converted to schema 5; it was not migrated\n");
  CHECK(column(broken, "PRAGMA user_version") == std::vector<std::string>{"4"});
  CHECK(column(broken, "SELECT typeof(postings) FROM journal WHERE seq = 12") ==
        std::vector<std::string>{"text"});
  // Well-formed but changed: converted as it stands, and `audit` then finds the change, as it
  // would have before the migration.
  const std::string changed = dir.path("changed.db");
  write_schema4_ledger(changed, fresh);
  {
    yl::storage::Database db(changed, yl::storage::Database::Mode::read_write_create);
    db.exec("UPDATE journal SET postings = replace(postings, '\"1500000000000000000000\"', "
            "'\"1500000000000000000001\"') WHERE seq = 1");
  }
  CHECK(run_cli({"migrate", "--db", changed}).exit_code == 0);
  // Both sides of the deposit were changed, so the row still balances: the replay finds it.
  const std::string found = yl::testing::audit_result(changed);
  CAPTURE(found);
  CHECK(
      found.rfind(
          "journal entry 1 (replaying event events.csv:10 (seq 9, id 'e009')): posting 1 of 6: the "
          "database holds [l1:buffer:ETH ETH D 1500000000000000000001 deposit] but the replay "
          "posts [l1:buffer:ETH ETH D 1500000000000000000000 deposit]",
          0) == 0);
}

TEST_CASE("Migrate: a schema-5 streamed ledger keeps its drip schedule, which audit holds it to") {
  // Schema 6 pins the schedule (schema/0006_drip_schedule.sql): a ledger written before it
  // dripped every asset before every event, and its journal still audits as written.
  TempDir dir;
  yl::RunOptions every_event;
  every_event.drip = yl::DripSchedule::every_event;
  const std::string scenario = std::string(YL_SOURCE_DIR) + "/examples/policies/streamed.toml";
  const std::string old = dir.path("old.db");
  yl::run_into_database(scenario, old, every_event);
  {
    yl::storage::Database db(old, yl::storage::Database::Mode::read_write_create);
    db.exec("ALTER TABLE scenario DROP COLUMN drip_schedule; PRAGMA user_version = 5");
  }
  yl::testing::write_hex_hashes(old);
  const auto migrated = run_cli({"migrate", "--db", old});
  CHECK(migrated.out == old + ": schema version 5 -> 11\n");
  CHECK(column(old, "SELECT drip_schedule FROM scenario") ==
        std::vector<std::string>{"every_event"});
  CHECK(yl::testing::audit_result(old) == "OK");

  // A new ledger drips only what an event touches: fewer journal postings, the same state and
  // the same reports, to the wei.
  const std::string fresh = dir.path("fresh.db");
  yl::run_into_database(scenario, fresh);
  CHECK(column(fresh, "SELECT drip_schedule FROM scenario") == std::vector<std::string>{"touched"});
  CHECK(yl::testing::audit_result(fresh) == "OK");
  for (const char* command : {"balances", "ledgers", "reports", "sources"}) {
    CAPTURE(command);
    const auto replayed = run_cli({command, "--db", fresh, "--format", "csv"});
    CHECK(replayed.out.size() > 100);
    CHECK(replayed.out == run_cli({command, "--db", old, "--format", "csv"}).out);
  }
  CHECK(column(fresh, "SELECT hash FROM events") == column(old, "SELECT hash FROM events"));
  const auto journal_bytes = [&](const std::string& path) {
    return std::stoll(column(path, "SELECT sum(length(postings)) FROM journal").at(0));
  };
  CHECK(journal_bytes(fresh) < journal_bytes(old));
  // Flipped by hand, the schedule makes the replay post other journal rows: audit finds it.
  {
    yl::storage::Database db(fresh, yl::storage::Database::Mode::read_write_create);
    db.exec("UPDATE scenario SET drip_schedule = 'every_event'");
  }
  CHECK(yl::testing::audit_result(fresh).find("but the replay posts") != std::string::npos);
}

namespace {

// A schema-6 copy of `fresh` at `path`: every journal row unpaired, schema version 6.
void write_schema6_ledger(const std::string& path, const std::string& fresh) {
  std::filesystem::copy_file(fresh, path);
  yl::testing::write_hex_hashes(path);
  const auto seqs = column(path, "SELECT seq FROM journal ORDER BY seq");
  for (const std::string& seq : seqs) {
    yl::testing::rewrite_journal_row(path, std::stoll(seq), [](std::string& postings) {
      postings = yl::testing::split_pairs(postings);
    });
  }
  yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
  db.exec("PRAGMA user_version = 6");
}

}  // namespace

TEST_CASE("Migrate: a schema-6 journal is written again with its pairs paired, as a run writes") {
  TempDir dir;
  const std::string fresh = dir.path("fresh.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), fresh);
  const std::string old = dir.path("old.db");
  write_schema6_ledger(old, fresh);
  const auto bytes = [&](const std::string& path) {
    return column(path, "SELECT sum(length(postings)) || ' ' || count(*) FROM journal").at(0);
  };
  // blast-launch's 222 rows hold 2,581 postings: 1,051 pairs and 479 alone, 1,530 records.
  CHECK(bytes(old) == "31174 222");
  CHECK(bytes(fresh) == "19566 222");
  std::size_t records = 0;
  {
    yl::storage::Database db(fresh, yl::storage::Database::Mode::read_only);
    yl::storage::Statement rows = db.prepare("SELECT postings FROM journal");
    while (rows.step()) records += yl::testing::record_bounds(rows.column_blob(0)).size() - 1;
  }
  CHECK(records == 1530);
  // A schema-6 row is read as it was: the same postings.
  CHECK(yl::testing::journal_row(old, 11) == yl::testing::journal_row(fresh, 11));

  const auto migrated = run_cli({"migrate", "--db", old});
  CHECK(migrated.exit_code == 0);
  CHECK(migrated.err == "");
  CHECK(migrated.out == old + ": schema version 6 -> 11\n");
  const char* rows =
      "SELECT seq || ' ' || coalesce(event_seq, '-') || ' ' || coalesce(report_seq, '-') || ' ' || "
      "hex(postings) FROM journal ORDER BY seq";
  CHECK(column(old, rows) == column(fresh, rows));
  CHECK(yl::testing::audit_result(old) == "OK");

  // A row outside the format: refused, the file left at schema 6.
  const std::string broken = dir.path("broken.db");
  write_schema6_ledger(broken, fresh);
  {
    yl::storage::Database db(broken, yl::storage::Database::Mode::read_write_create);
    db.exec("UPDATE journal SET postings = X'0100' WHERE seq = 12");
  }
  const char* all = "SELECT hex(postings) FROM journal ORDER BY seq";
  const std::vector<std::string> unpaired = column(broken, all);
  const auto refused = run_cli({"migrate", "--db", broken});
  CHECK(refused.exit_code == 2);
  CHECK(refused.out == "");
  CHECK(refused.err == "yieldledger: '" + broken +
                           "': journal entry 12 is not in the stored format, so the journal "
                           "cannot be converted to schema 7; it was not migrated\n");
  CHECK(column(broken, "PRAGMA user_version") == std::vector<std::string>{"6"});
  CHECK(column(broken, all) == unpaired);  // rows 1-11 too: the migration rolled back whole
}

TEST_CASE("Migrate: a schema-7 ledger's hex links become their 32 bytes, the chains unchanged") {
  TempDir dir;
  const std::string fresh = dir.path("fresh.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), fresh);
  const std::string old = dir.path("old.db");
  std::filesystem::copy_file(fresh, old);
  yl::testing::write_hex_hashes(old);
  {
    yl::storage::Database db(old, yl::storage::Database::Mode::read_write_create);
    db.exec("PRAGMA user_version = 7");
  }
  const char* links[] = {"SELECT typeof(hash) || ' ' || length(hash) FROM events WHERE seq = 9",
                         "SELECT lower(hex(hash)) FROM events ORDER BY seq",
                         "SELECT lower(hex(hash)) FROM reports ORDER BY seq, row"};
  CHECK(column(old, links[0]) == std::vector<std::string>{"text 64"});
  CHECK(column(fresh, links[0]) == std::vector<std::string>{"blob 32"});
  // Event 9's link, as hex text in the old ledger and as bytes in the new.
  const std::string link9 = column(old, "SELECT hash FROM events WHERE seq = 9").at(0);
  CHECK(column(fresh, "SELECT lower(hex(hash)) FROM events WHERE seq = 9").at(0) == link9);

  const auto migrated = run_cli({"migrate", "--db", old});
  CHECK(migrated.exit_code == 0);
  CHECK(migrated.out == old + ": schema version 7 -> 11\n");
  for (const char* sql : links) {
    CAPTURE(sql);
    CHECK(column(old, sql) == column(fresh, sql));
  }
  CHECK(yl::testing::audit_result(old) == "OK");
  // The journal, copied with the events table it refers to: the same rows, the reference intact.
  const char* journal = "SELECT seq || ' ' || coalesce(event_seq, '-') || ' ' || hex(postings) "
                        "FROM journal ORDER BY seq";
  CHECK(column(old, journal) == column(fresh, journal));
  CHECK(column(old, "SELECT sql FROM sqlite_schema WHERE name = 'journal_other'")
            .at(0)
            .find("REFERENCES events (seq)") != std::string::npos);
  CHECK(column(old, "SELECT count(*) FROM pragma_foreign_key_check") ==
        std::vector<std::string>{"0"});

  // A link changed by hand, not hex: kept as its bytes, and audit still names its row.
  const std::string changed = dir.path("changed.db");
  std::filesystem::copy_file(fresh, changed);
  yl::testing::write_hex_hashes(changed);
  {
    yl::storage::Database db(changed, yl::storage::Database::Mode::read_write_create);
    db.exec("UPDATE events SET hash = 'forged' WHERE seq = 9; PRAGMA user_version = 7");
  }
  CHECK(run_cli({"migrate", "--db", changed}).exit_code == 0);
  CHECK(column(changed, "SELECT hash FROM events WHERE seq = 9") ==
        std::vector<std::string>{"forged"});
  CHECK(yl::testing::audit_result(changed).rfind(
            "event events.csv:10 (seq 9, id 'e009'): hash chain broken", 0) == 0);
}

TEST_CASE("Migrate: a schema-8 ledger's final_balances is rebuilt with checks of no IN lists") {
  TempDir dir;
  const std::string fresh = dir.path("fresh.db");
  yl::run_into_database(yl::testing::example_scenario("blast-launch"), fresh);
  const std::string old = dir.path("old.db");
  std::filesystem::copy_file(fresh, old);
  yl::testing::write_one_journal_table(old);
  {
    // Schema 8's final_balances is schema 1's: no migration between them touched it.
    const std::string init(yl::storage::embedded_migrations().at(0));
    const std::size_t begin = init.find("CREATE TABLE final_balances");
    const std::size_t end = init.find(") STRICT;", begin);
    REQUIRE(end != std::string::npos);
    yl::storage::Database db(old, yl::storage::Database::Mode::read_write_create);
    db.exec("ALTER TABLE final_balances RENAME TO final_balances_v9");
    db.exec(init.substr(begin, end + 9 - begin));
    db.exec("INSERT INTO final_balances SELECT * FROM final_balances_v9");
    db.exec("DROP TABLE final_balances_v9; PRAGMA user_version = 8");
  }
  const char* definition = "SELECT sql FROM sqlite_schema WHERE name = 'final_balances'";
  CHECK(column(old, definition).at(0).find("kind IN ('user', 'dapp', 'system')") !=
        std::string::npos);
  const char* rows = "SELECT ord || ' ' || account || ' ' || kind || ' ' || asset || ' ' || mode "
                     "|| ' ' || balance_wei || ' ' || claimable_wei || ' ' || shares || ' ' || "
                     "remainder_wei FROM final_balances ORDER BY ord";
  const auto expected = column(fresh, rows);
  CHECK(expected.size() == 20);
  CHECK(column(old, rows) == expected);

  const auto migrated = run_cli({"migrate", "--db", old});
  CHECK(migrated.exit_code == 0);
  CHECK(migrated.out == old + ": schema version 8 -> 11\n");
  CHECK(column(old, definition) == column(fresh, definition));
  CHECK(column(old, definition).at(0).find("kind = 'user' OR kind = 'dapp' OR kind = 'system'") !=
        std::string::npos);
  CHECK(column(old, rows) == expected);
  CHECK(column(old, "SELECT name FROM sqlite_schema WHERE tbl_name = 'final_balances' ORDER BY "
                    "name") ==
        std::vector<std::string>{"final_balances", "sqlite_autoindex_final_balances_1"});
  CHECK(yl::testing::audit_result(old) == "OK");
}

TEST_CASE("Migrate: a schema-9 journal's event rows move into their events rows, as a run writes") {
  TempDir dir;
  int n = 0;
  for (const std::string& scenario :
       {yl::testing::example_scenario("blast-launch"),
        std::string(YL_SOURCE_DIR) + "/examples/policies/streamed.toml"}) {
    CAPTURE(scenario);
    const std::string fresh = dir.path("fresh" + std::to_string(n) + ".db");
    const std::string old = dir.path("old" + std::to_string(n++) + ".db");
    yl::run_into_database(scenario, fresh);
    std::filesystem::copy_file(fresh, old);
    yl::testing::write_one_journal_table(old);
    {
      yl::storage::Database db(old, yl::storage::Database::Mode::read_write_create);
      db.exec("PRAGMA user_version = 9");
    }
    const char* journal = "SELECT seq || ' ' || coalesce(event_seq, '-') || ' ' || "
                          "coalesce(report_seq, '-') || ' ' || hex(postings) FROM journal "
                          "ORDER BY seq";
    CHECK(column(old, "SELECT type FROM sqlite_schema WHERE name = 'journal'") ==
          std::vector<std::string>{"table"});
    CHECK(column(old, journal) == column(fresh, journal));

    const auto migrated = run_cli({"migrate", "--db", old});
    CHECK(migrated.exit_code == 0);
    CHECK(migrated.out == old + ": schema version 9 -> 11\n");
    CHECK(column(old, "SELECT type FROM sqlite_schema WHERE name = 'journal'") ==
          std::vector<std::string>{"view"});
    // Where each row is kept, byte for byte as a run keeps it.
    for (const char* sql :
         {"SELECT seq || ' ' || coalesce(journal_seq, '-') || ' ' || coalesce(hex(postings), '-') "
          "FROM events ORDER BY seq",
          "SELECT seq || ' ' || coalesce(event_seq, '-') || ' ' || coalesce(report_seq, '-') || "
          "' ' || hex(postings) FROM journal_other ORDER BY seq",
          journal}) {
      CAPTURE(sql);
      CHECK(column(old, sql) == column(fresh, sql));
    }
    CHECK(column(old, "SELECT count(*) FROM pragma_foreign_key_check") ==
          std::vector<std::string>{"0"});
    CHECK(yl::testing::audit_result(old) == "OK");
  }
  // blast-launch: 37 of its 222 rows are events' own; the others are its reports'.
  const std::string blast = dir.path("fresh0.db");
  CHECK(column(blast, "SELECT count(*) FROM events WHERE journal_seq IS NOT NULL") ==
        std::vector<std::string>{"37"});
  CHECK(column(blast, "SELECT count(*) FROM journal_other") == std::vector<std::string>{"185"});
}

TEST_CASE("Migrate: a schema-10 ledger's appends rows are chained, as apply chains them") {
  TempDir dir;
  const std::string fresh = dir.path("fresh.db");
  yl::run_into_database(yl::testing::example_scenario("quickstart"), fresh);
  // Two applies: one with an event, one that only moves the end.
  const std::string header = "time,type,account,asset,amount,to,value\n";
  const std::string more =
      dir.write("more.csv", header + "2024-03-09T00:00:00Z,deposit,alice,ETH,1,,\n");
  const std::string later = dir.write("later.csv", header);
  for (const auto& [file, until] :
       {std::pair{more, "2024-03-10T00:00:00Z"}, std::pair{later, "2024-03-12T00:00:00Z"}}) {
    REQUIRE(run_cli({"apply", "--db", fresh, file, "--until", until}).exit_code == 0);
  }
  const std::string old = dir.path("old.db");
  std::filesystem::copy_file(fresh, old);
  yl::testing::write_unchained_appends(old);
  {
    yl::storage::Database db(old, yl::storage::Database::Mode::read_write_create);
    db.exec("PRAGMA user_version = 10");
  }
  CHECK(column(old, "SELECT count(*) FROM pragma_table_info('appends') WHERE name = 'hash'") ==
        std::vector<std::string>{"0"});
  const auto migrated = run_cli({"migrate", "--db", old});
  CHECK(migrated.exit_code == 0);
  CHECK(migrated.out == old + ": schema version 10 -> 11\n");
  const char* links = "SELECT seq || ' ' || lower(hex(hash)) FROM appends ORDER BY seq";
  CHECK(column(old, links).size() == 2);
  CHECK(column(old, links) == column(fresh, links));
  CHECK(yl::testing::audit_result(old) == "OK");
  // The chain goes on from the migrated rows as from those apply wrote.
  const std::string again = dir.write("again.csv", header);
  for (const std::string& db : {fresh, old}) {
    REQUIRE(run_cli({"apply", "--db", db, again, "--until", "2024-03-13T00:00:00Z"}).exit_code ==
            0);
  }
  CHECK(column(old, links).size() == 3);
  CHECK(column(old, links) == column(fresh, links));
  CHECK(yl::testing::audit_result(old) == "OK");
}

TEST_CASE(
    "Migrate: a ledger whose user_version was lowered by hand is refused, and left as it was") {
  TempDir dir;
  const std::string path = dir.path("lowered.db");
  yl::run_into_database(yl::testing::example_scenario("quickstart"), path);
  {
    yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
    db.exec("PRAGMA user_version = 7");  // its tables stay version 11's: journal is a view
  }
  const std::string before = yl::testing::read_file(path);

  // Readers and migrate say what it is. Migrate was SQLite error 1 ("view journal may not be
  // altered", exit 1); then readers sent the user to migrate, which said the file did not match
  // its version 7 (helper-39's F4).
  const std::string lowered = "yieldledger: '" + path +
                              "' has schema version 7, but its tables are those of this "
                              "yieldledger's version 11: its user_version was lowered by hand (no "
                              "migration applies to it; `PRAGMA user_version = 11` puts it back, "
                              "and `yieldledger audit` checks the rest)\n";
  for (const char* command : {"audit", "balances", "migrate"}) {
    CAPTURE(command);
    const auto refused = run_cli({command, "--db", path});
    CHECK(refused.exit_code == 2);
    CHECK(refused.out.empty());
    CHECK(refused.err == lowered);
  }
  CHECK(column(path, "PRAGMA user_version") == std::vector<std::string>{"7"});
  CHECK(yl::testing::read_file(path) == before);
  // A version whose tables are not the current ones' still goes to migrate, which names what it
  // found.
  {
    yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
    db.exec("CREATE TABLE extra (x); PRAGMA user_version = 7");
  }
  const std::string changed = yl::testing::read_file(path);
  const auto audit = run_cli({"audit", "--db", path});
  CHECK(audit.exit_code == 2);
  CHECK(audit.err.find("upgrade it with `yieldledger migrate --db " + path + "`") !=
        std::string::npos);
  const auto migrated = run_cli({"migrate", "--db", path});
  CHECK(migrated.exit_code == 2);
  CHECK(migrated.out.empty());
  CHECK(migrated.err == "yieldledger: '" + path +
                            "' does not match its schema version 7: migration 8 cannot apply to "
                            "it (view journal may not be altered); it was changed by hand, or is "
                            "damaged\n");
  CHECK(yl::testing::read_file(path) == changed);

  // A version below 0: readers and migrate sent the user to each other.
  {
    yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
    db.exec("PRAGMA user_version = -1");
  }
  for (const char* command : {"migrate", "balances"}) {
    const auto refused = run_cli({command, "--db", path});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err == "yieldledger: '" + path +
                             "' has schema version -1, which no yieldledger writes: it was "
                             "changed by hand\n");
  }
  // A folder is named as one (it was "database '.' not found").
  const auto folder = run_cli({"migrate", "--db", dir.path(".")});
  CHECK(folder.exit_code == 2);
  CHECK(folder.err == "yieldledger: '" + dir.path(".") + "' is a folder, not a ledger file\n");
}

TEST_CASE(
    "Migrate: a current ledger with a column dropped by hand is refused, and left as it was") {
  // It was reported as upgraded ("schema version 10 -> 10", exit 0) when no statement of migrate's
  // named the column, or failed with SQLite error 1 (exit 1) when one did.
  TempDir dir;
  for (const auto& [table, column_name, number] :
       {std::tuple{"scenario", "drip_schedule", 10}, std::tuple{"events", "time_s", 5}}) {
    const std::string path = dir.path(std::string(table) + ".db");
    yl::run_into_database(yl::testing::example_scenario("quickstart"), path);
    {
      yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
      db.exec(fmt::format("ALTER TABLE {} DROP COLUMN {}", table, column_name));
      // In the rollback journal mode, which opening it to migrate switched to WAL (helper-84's F4).
      db.exec("PRAGMA journal_mode = DELETE");
    }
    const std::string dropped = yl::testing::read_file(path);
    REQUIRE(static_cast<int>(dropped[18]) == 1);
    const auto refused = run_cli({"migrate", "--db", path});
    CHECK(refused.exit_code == 2);
    CHECK(refused.out.empty());
    CHECK(refused.err.starts_with(fmt::format(
        "yieldledger: '{}' does not match its schema version 11: sqlite_schema: table {}, column "
        "{} ({} ",
        path, table, number, column_name)));
    CHECK(refused.err.ends_with(", which the schema's migrations create, is not in the database "
                                "(dropped?); it was not migrated\n"));
    CHECK(yl::testing::read_file(path) == dropped);
  }
  // audit's statements name time_s: SQLite's "has no column named" was exit 1.
  const auto audit = run_cli({"audit", "--db", dir.path("events.db")});
  CHECK(audit.exit_code == 2);
  CHECK(audit.err == "yieldledger: '" + dir.path("events.db") +
                         "' does not match its schema version (table events has no column named "
                         "time_s): it was changed by hand, or is damaged\n");
}

TEST_CASE("Migrate and apply refuse a newer ledger without touching it, journal mode included") {
  TempDir dir;
  // A file in the rollback journal mode: opening it for writing switched it to WAL (and wrote
  // its header) before the version was read.
  const std::string path = dir.path("newer.db");
  {
    yl::storage::Database db(path, yl::storage::Database::Mode::read_write_create);
    db.exec(fmt::format("PRAGMA journal_mode = DELETE; PRAGMA application_id = {}; CREATE TABLE "
                        "scenario (x); PRAGMA user_version = 12",
                        yl::storage::kApplicationId));
  }
  const std::string before = yl::testing::read_file(path);
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"migrate", "--db", path},
        std::vector<std::string>{"apply", "--db", path,
                                 std::string(YL_SOURCE_DIR) + "/examples/quickstart/events.csv"}}) {
    CAPTURE(command.front());
    const auto refused = run_cli(command);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err == "yieldledger: '" + path +
                             "' has schema version 12, newer than this yieldledger's 11; use a "
                             "newer yieldledger\n");
    CHECK(yl::testing::read_file(path) == before);
    CHECK(column(path, "PRAGMA journal_mode") == std::vector<std::string>{"delete"});
  }
}
