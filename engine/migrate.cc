#include "engine/migrate.h"

#include <filesystem>

#include <fmt/format.h>

#include "engine/input/event_parser.h"
#include "engine/input/input_error.h"
#include "engine/replay/replay.h"
#include "engine/runner.h"
#include "engine/storage/ledger_store.h"
#include "engine/storage/migrations.h"
#include "engine/storage/storage_error.h"

namespace yl {
namespace {

using storage::StorageError;

// The stored ledger's own columns, which a rebuild must reproduce exactly (schema 1's).
constexpr const char* kEventColumns =
    "seq, file, line, id, time_s, time, type, account, asset, amount, \"to\", value";
constexpr const char* kReportColumns =
    "seq, row, time_s, time, asset, trigger, source, yield_wei, fee_wei, cover_wei, "
    "committed_wei, debt_before_wei, debt_after_wei, t_wei, price_before, price_after, "
    "pending_after_wei";

// A table the rebuild writes again and compares with its stored copy: its columns, key first
// (`seq`, then a report's `row`).
struct Table {
  const char* name;      // in main, its stored copy in temp.yl_old_NAME
  const char* singular;  // for messages: "report 3 row 1"
  const char* columns;
  int keys;  // how many of the first columns make a row's key
};
constexpr Table kEvents{"events", "event", kEventColumns, 1};
constexpr Table kReports{"reports", "report", kReportColumns, 2};

[[noreturn]] void refuse(storage::Database& db, const std::string& what) {
  throw StorageError(StorageError::Kind::bad_database,
                     fmt::format("'{}': replaying its events does not reproduce its stored {}; "
                                 "it was not migrated",
                                 db.path(), what));
}

// Whether `table` holds exactly the rows of its stashed copy `temp.yl_old_TABLE`.
bool same_rows(storage::Database& db, const Table& table) {
  storage::Statement s = db.prepare(fmt::format(
      "SELECT (SELECT count(*) FROM main.{0}) = (SELECT count(*) FROM temp.yl_old_{0}) AND "
      "NOT EXISTS (SELECT {1} FROM temp.yl_old_{0} EXCEPT SELECT {1} FROM main.{0})",
      table.name, table.columns));
  s.step();
  return s.column_int(0) == 1;
}

// The first row, by key, where `table` and its stored copy differ, and how: "report 3 row 1:
// t_wei is '1' stored, '1234' replayed" (helper-84's F4: the refusal named no row).
std::string first_difference(storage::Database& db, const Table& table) {
  const std::string key = table.keys == 1 ? "seq" : "seq, row";
  storage::Statement first = db.prepare(fmt::format(
      "SELECT {2} FROM (SELECT {1} FROM temp.yl_old_{0} EXCEPT SELECT {1} FROM main.{0}) UNION "
      "SELECT {2} FROM (SELECT {1} FROM main.{0} EXCEPT SELECT {1} FROM temp.yl_old_{0}) "
      "ORDER BY {2} LIMIT 1",
      table.name, table.columns, key));
  // None only of rows stored twice, which the tables' primary keys refuse.
  if (!first.step()) return "the same rows, counted otherwise";
  const std::int64_t seq = first.column_int(0);
  const std::int64_t row = table.keys == 1 ? 0 : first.column_int(1);
  const std::string which = table.keys == 1 ? fmt::format("{} {}", table.singular, seq)
                                            : fmt::format("{} {} row {}", table.singular, seq, row);
  std::vector<std::string> names;  // the columns', unquoted
  for (std::string_view rest = table.columns; !rest.empty();) {
    const std::size_t comma = rest.find(", ");
    std::string_view name = rest.substr(0, comma);
    if (name.starts_with('"')) name = name.substr(1, name.size() - 2);
    names.emplace_back(name);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  // Each copy's row of that key, its cells quoted ('1', or NULL), or none.
  auto read = [&](const std::string& source) {
    storage::Statement s =
        db.prepare(fmt::format("SELECT {} FROM {} WHERE seq = ?1{} LIMIT 1", table.columns, source,
                               table.keys == 1 ? "" : " AND row = ?2"));
    s.bind(1, seq);
    if (table.keys == 2) s.bind(2, row);
    std::vector<std::string> cells;
    if (!s.step()) return cells;
    for (int i = 0; i < static_cast<int>(names.size()); ++i) {
      cells.push_back(s.column_is_null(i) ? "NULL" : "'" + s.column_text(i) + "'");
    }
    return cells;
  };
  const auto stored = read(fmt::format("temp.yl_old_{}", table.name));
  const auto replayed = read(fmt::format("main.{}", table.name));
  if (replayed.empty()) return which + ": stored, not replayed";
  if (stored.empty()) return which + ": replayed, not stored";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (stored[i] == replayed[i]) continue;
    return fmt::format("{}: {} is {} stored, {} replayed", which, names[i], stored[i], replayed[i]);
  }
  return which;  // a value of another type, the same text
}

}  // namespace

std::optional<std::int64_t> rebuild_derived_rows(storage::Database& db) {
  Snapshot stored_final;
  Scenario scenario;
  {
    storage::LedgerStore stored(db);
    if (!stored.has_ledger()) return std::nullopt;
    scenario = load_stored_scenario(stored);
    stored_final = stored.read_snapshot();
  }
  // The input rows are kept aside; every derived row is deleted and written again by replay.
  db.exec("CREATE TEMP TABLE yl_old_events AS SELECT * FROM main.events;"
          "CREATE TEMP TABLE yl_old_reports AS SELECT * FROM main.reports;"
          "DELETE FROM main.journal_other; DELETE FROM main.reports; DELETE FROM main.events;"
          "DELETE FROM main.final_balances; DELETE FROM main.final_ledgers;"
          "DELETE FROM main.final_sources;");
  storage::LedgerStore store(db);  // chains start again from the scenario's genesis hash
  Ledger ledger(scenario.params);
  storage::Statement events = db.prepare(
      "SELECT file, line, coalesce(id, ''), time, type, account, asset, amount, \"to\", value "
      "FROM temp.yl_old_events ORDER BY seq");
  std::int64_t replayed = 0;
  while (events.step()) {
    const std::string file = events.column_text(0);
    RawEvent raw;
    raw.line = static_cast<std::uint64_t>(events.column_int(1));
    std::string* fields[] = {&raw.id,    &raw.time,   &raw.type, &raw.account,
                             &raw.asset, &raw.amount, &raw.to,   &raw.value};
    for (int i = 0; i < 8; ++i) *fields[i] = events.column_text(i + 2);
    Event event;
    try {
      event = parse_event(raw, file);
    } catch (const InputError& error) {  // said as the ledger's, not the file's (helper-84's F1)
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("'{}': stored event {}:{} no longer parses: {}: {}; it was "
                                     "not migrated",
                                     db.path(), file, raw.line, error.type(), error.reason()));
    }
    if (const auto rejected = ledger.apply(event)) {
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("'{}': stored event {}:{} no longer applies: {}; it was not "
                                     "migrated",
                                     db.path(), file, raw.line, rejected->reason));
    }
    store_outputs(ledger, store, EventToStore{raw, file, event.time});
    ++replayed;
  }
  if (const auto rejected = ledger.advance_to(scenario.params.end)) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}': its reports no longer run to its end: {}; it was not "
                                   "migrated",
                                   db.path(), rejected->reason));
  }
  store_outputs(ledger, store, std::nullopt);
  ledger.settle();  // after the last stored journal row: the state as of the last event
  store.write_snapshot(ledger);
  for (const Table& table : {kEvents, kReports}) {
    if (!same_rows(db, table)) {
      refuse(db, fmt::format("{} ({})", table.name, first_difference(db, table)));
    }
  }
  if (store.read_snapshot() != stored_final) refuse(db, "final state");
  db.exec("DROP TABLE temp.yl_old_events; DROP TABLE temp.yl_old_reports;");
  return replayed;
}

MigrateSummary migrate_database(const std::string& path) {
  storage::require_existing_ledger(path);  // a folder, FIFO or device named as such
  storage::require_ledger_file(path);      // before the writable open, which would change it
  storage::Database db(path, storage::Database::Mode::read_write_create);
  MigrateSummary summary;
  summary.before = db.user_version();
  summary.after = storage::current_schema_version();
  storage::Transaction txn(db);
  storage::migrate(db);
  storage::verify_schema(db);
  // A ledger changed by hand (a column dropped, a view rewritten) is refused, not reported as
  // upgraded.
  if (const auto difference = storage::schema_difference(db)) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}' does not match its schema version {}: {}; it was not "
                                   "migrated",
                                   path, summary.before, *difference));
  }
  if (summary.before < kDerivedSince) {
    const auto replayed = rebuild_derived_rows(db);
    summary.rebuilt = replayed.has_value();
    summary.events = replayed.value_or(0);
  }
  txn.commit();
  db.fold_log();
  return summary;
}

}  // namespace yl
