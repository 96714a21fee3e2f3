#include "engine/storage/migrations.h"

#include <algorithm>

#include <fmt/format.h>
#include <sqlite3.h>

#include "engine/storage/database.h"
#include "engine/storage/journal_codec.h"
#include "engine/storage/ledger_store.h"
#include "engine/storage/storage_error.h"

namespace yl::storage {
namespace {

void check_identity(Database& db) {
  const std::int64_t version = db.user_version();
  db.require_application_id();
  if (version < 0) {
    throw StorageError(
        StorageError::Kind::bad_database,
        fmt::format("'{}' has schema version {}, which no yieldledger writes: it was "
                    "changed by hand",
                    db.path(), version));
  }
  if (version > current_schema_version()) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}' has schema version {}, newer than this yieldledger's {}; "
                                   "use a newer yieldledger",
                                   db.path(), version, current_schema_version()));
  }
}

// Migration 5's second half (schema/0005_binary_journal.sql): the JSON rows it renamed to
// `journal_json` are written again in the binary format, in order, with the same seq, origin,
// postings and names, and the old table is dropped. A row that is not in the JSON format stops
// the migration (the caller's transaction then leaves the file as it was).
void convert_json_journal(Database& db) {
  JournalNames names;
  Statement read =
      db.prepare("SELECT seq, event_seq, report_seq, postings FROM journal_json ORDER BY seq");
  Statement write = db.prepare(
      "INSERT INTO journal (seq, event_seq, report_seq, postings) VALUES (?1, ?2, ?3, ?4)");
  Statement write_name = db.prepare(kInsertJournalAccount);
  WriteBehind now;  // not started: each name is written at once
  std::string row;
  while (read.step()) {
    const std::int64_t seq = read.column_int(0);
    const auto postings = parse_json_postings(read.column_text(3));
    row.clear();
    bool ok = postings.has_value();
    for (std::size_t i = 0; ok && i < postings->size(); ++i) {
      ok = encode_stored_posting(row, (*postings)[i], names);
    }
    if (!ok) {
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("'{}': journal entry {} is malformed, so the journal cannot "
                                     "be converted to schema 5; it was not migrated",
                                     db.path(), seq));
    }
    store_added_names(names, write_name, now);
    write.bind(1, seq);
    for (int column : {1, 2}) {
      if (read.column_is_null(column)) {
        write.bind_null(column + 1);
      } else {
        write.bind(column + 1, read.column_int(column));
      }
    }
    write.bind_blob(4, row).run();
  }
  // The old journal first: it refers to the old events table, which goes with it.
  db.exec("DROP TABLE journal_json; DROP TABLE events_v4;");
}

// Migration 7 (schema/0007_paired_postings.sql): every journal row written again with its pairs
// paired, in place. A row outside the format stops the migration, as in convert_json_journal.
void pair_journal_postings(Database& db) {
  Statement read = db.prepare("SELECT seq, postings FROM journal ORDER BY seq");
  Statement write = db.prepare("UPDATE journal SET postings = ?2 WHERE seq = ?1");
  std::string row;
  while (read.step()) {
    const std::int64_t seq = read.column_int(0);
    const auto postings = decode_postings(read.column_blob(1));
    if (!postings) {
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("'{}': journal entry {} is not in the stored format, so the "
                                     "journal cannot be converted to schema 7; it was not migrated",
                                     db.path(), seq));
    }
    row.clear();
    encode_decoded(row, *postings);
    write.bind(1, seq).bind_blob(2, row).run();
  }
}

// yl_unhex(text), for migration 8 (schema/0008_binary_hashes.sql): a chain link of 64 lowercase
// hex digits as its 32 bytes; any other value as the bytes of its text, unchanged, so that a link
// changed by hand stays changed and `audit` names its row.
void unhex_link(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const int size = sqlite3_value_bytes(argv[0]);
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  unsigned char bytes[32];
  bool hex = text != nullptr && size == 64;
  for (int i = 0; hex && i < 32; ++i) {
    const int high = digit(text[2 * i]), low = digit(text[2 * i + 1]);
    hex = high >= 0 && low >= 0;
    bytes[i] = static_cast<unsigned char>(high * 16 + low);
  }
  if (hex) {
    sqlite3_result_blob(context, bytes, 32, SQLITE_TRANSIENT);
  } else {
    sqlite3_result_blob(context, text != nullptr ? text : "", size, SQLITE_TRANSIENT);
  }
}

void register_unhex(Database& db) {
  if (sqlite3_create_function_v2(db.handle(), "yl_unhex", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                                 unhex_link, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StorageError(StorageError::Kind::internal, "cannot register yl_unhex with SQLite");
  }
}

}  // namespace

void chain_appends(Database& db) {
  const auto genesis = stored_genesis_hash(db);
  if (!genesis) return;  // no ledger yet, so no rows
  std::string previous = *genesis;
  Statement write = db.prepare("UPDATE appends SET hash = ?2 WHERE seq = ?1");
  for (const StoredAppend& row : read_appends(db)) {
    const Digest link = append_hash(previous, row);
    write.bind(1, row.seq).bind_blob(2, bytes_of(link)).run();
    to_hex(link, previous);
  }
}

namespace {

// Refuses a ledger whose user_version is below the current one but whose tables are exactly the
// current version's: its version was lowered by hand, so readers would send the user to `migrate`,
// whose first migration fails on those tables.
void refuse_lowered_version(Database& db) {
  if (db.user_version() >= current_schema_version() || schema_difference(db)) return;
  throw StorageError(StorageError::Kind::bad_database,
                     fmt::format("'{}' has schema version {}, but its tables are those of this "
                                 "yieldledger's version {}: its user_version was lowered by hand "
                                 "(no migration applies to it; `PRAGMA user_version = {}` puts it "
                                 "back, and `yieldledger audit` checks the rest)",
                                 db.path(), db.user_version(), current_schema_version(),
                                 current_schema_version()));
}

}  // namespace

void migrate(Database& db) {
  if (db.is_empty()) {
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
  } else {
    check_identity(db);
    refuse_lowered_version(db);
  }
  const auto& migrations = embedded_migrations();
  for (auto v = static_cast<std::size_t>(db.user_version()); v < migrations.size(); ++v) {
    if (v + 1 == 8) register_unhex(db);
    try {
      db.exec(migrations[v]);
    } catch (const StorageError& e) {
      // The migration's SQL names only what version v has ("view journal may not be altered",
      // "table ... already exists"): the file holds something else, e.g. its user_version was
      // lowered by hand. A machine fault (a full disk) stays what it is.
      if (e.kind() != StorageError::Kind::internal) throw;
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("'{}' does not match its schema version {}: migration {} "
                                     "cannot apply to it ({}); it was changed by hand, or is "
                                     "damaged",
                                     db.path(), v, v + 1, sqlite3_errmsg(db.handle())));
    }
    if (v + 1 == 5) convert_json_journal(db);
    if (v + 1 == 7) pair_journal_postings(db);
    if (v + 1 == 11) chain_appends(db);
    db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
  }
}

std::string sql_without_comments(std::string_view sql) {
  std::string out;
  bool space = false;  // white space (or a comment) since the last character kept
  const auto keep = [&](char c) {
    if (space && !out.empty() && out.back() != '(' && c != ',' && c != ')') out += ' ';
    space = false;
    out += c;
  };
  for (std::size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {  // a quoted literal or name, kept whole
      const char close = c == '[' ? ']' : c;
      std::size_t end = sql.find(close, i + 1);
      end = end == std::string_view::npos ? sql.size() : end + 1;
      for (std::size_t k = i; k < end; ++k) keep(sql[k]);
      i = end;  // '' inside a literal: the next quote opens again, and is kept the same way
    } else if (sql.substr(i, 2) == "--") {
      const std::size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end;
      space = true;
    } else if (sql.substr(i, 2) == "/*") {
      const std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
      space = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      ++i;
    } else {
      keep(c);
      ++i;
    }
  }
  return out;
}

std::vector<SchemaCode> schema_code(Database& db) {
  // A table is described by its columns, and its CREATE text without comments: that text keeps
  // the comments of the SQL file that made it, which a later yieldledger may reword. SQLite's own
  // tables (sqlite_sequence, and sqlite_stat1 and sqlite_stat4 after an ANALYZE) and the indexes
  // it makes for UNIQUE and PRIMARY KEY columns (sqlite_autoindex_*, which have no CREATE text)
  // are not the schema's; the schema's own indexes are (events_by_id is what refuses an id stored
  // twice, SPEC §8.3). Anything else named sqlite_* is: a trigger, table or view so named by hand
  // (writable_schema) is loaded and fired by SQLite like any other (helper-50's F3: it was
  // skipped). SQLite reads an object's type without regard to case ('TRIGGER' is loaded and fired
  // as 'trigger' is), so every row is listed, by its type in lower case (helper-92's F1: a
  // 'TRIGGER', 'VIEW' or 'Table' written by hand was not listed, and passed).
  Statement s = db.prepare(
      "SELECT type, name, CASE type WHEN 'table' THEN (SELECT group_concat(name || ' ' || type || "
      "iif(\"notnull\", ' NOT NULL', '') || iif(pk > 0, ' PRIMARY KEY', '') || "
      "iif(dflt_value IS NULL, '', ' DEFAULT ' || dflt_value), ', ') FROM "
      "pragma_table_info(o.name)) ELSE sql END, iif(type = 'table', sql, '') FROM (SELECT "
      "lower(type) AS type, name, sql FROM sqlite_schema) AS o WHERE NOT (type = 'table' AND "
      "name IN ('sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4')) AND NOT (type = 'index' AND "
      "sql IS NULL AND name LIKE 'sqlite\\_autoindex\\_%' ESCAPE '\\') ORDER BY type, name");
  std::vector<SchemaCode> code;
  while (s.step()) {
    code.push_back({s.column_text(0), s.column_text(1), s.column_text(2),
                    sql_without_comments(s.column_text(3))});
  }
  return code;
}

std::vector<SchemaCode> migrated_schema_code() {
  Database fresh("the schema the migrations create", Database::Mode::in_memory);
  Transaction txn(fresh);
  migrate(fresh);
  return schema_code(fresh);
}

namespace {

// The first column of `stored` (a table's SchemaCode) that differs from the migrations' `expected`.
std::string column_difference(const SchemaCode& stored, const SchemaCode& expected) {
  const auto columns = [](const std::string& list) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at <= list.size();) {
      const std::size_t comma = std::min(list.find(", ", at), list.size());
      out.push_back(list.substr(at, comma - at));
      at = comma + 2;
    }
    return out;
  };
  const std::vector<std::string> have = columns(stored.sql), want = columns(expected.sql);
  std::size_t i = 0;
  while (i < have.size() && i < want.size() && have[i] == want[i]) ++i;
  const std::string where = fmt::format("sqlite_schema: table {}, column {}", stored.name, i + 1);
  const auto lacks = [](const std::vector<std::string>& list, const std::string& column) {
    const std::string name = column.substr(0, column.find(' '));
    return std::none_of(list.begin(), list.end(),
                        [&](const std::string& c) { return c.substr(0, c.find(' ')) == name; });
  };
  if (i < want.size() && lacks(have, want[i])) {
    return fmt::format("{} ({}), which the schema's migrations create, is not in the database "
                       "(dropped?)",
                       where, want[i]);
  }
  if (i < have.size() && lacks(want, have[i])) {
    return fmt::format("{} ({}) is not one the schema's migrations create (added by hand?)", where,
                       have[i]);
  }
  return fmt::format("{} is ({}), not the ({}) the schema's migrations create (changed by hand?)",
                     where, have[i], want[i]);
}

// The clauses of a table's CREATE text (sql_without_comments): the columns and constraints
// between its outer parentheses, split at their commas, then what follows them (") STRICT").
std::vector<std::string> clauses(const std::string& definition) {
  std::vector<std::string> out;
  int depth = 0;
  std::size_t from = 0;
  char quote = 0;
  for (std::size_t i = 0; i < definition.size(); ++i) {
    const char c = definition[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
      quote = c == '[' ? ']' : c;
    } else if (c == '(' && depth++ == 0) {
      from = i + 1;
    } else if ((c == ',' && depth == 1) || (c == ')' && --depth == 0)) {
      out.push_back(definition.substr(from, i - from));
      from = c == ',' ? i + 2 : i;  // after ", "; the ')' starts the tail
    }
  }
  out.push_back(definition.substr(std::min(from, definition.size())));
  return out;
}

// How a table whose columns agree differs in its constraints (a CHECK taken out, STRICT
// dropped): the first clause of its CREATE text that is not the migrations'.
std::string definition_difference(const SchemaCode& stored, const SchemaCode& expected) {
  const std::vector<std::string> have = clauses(stored.definition);
  const std::vector<std::string> want = clauses(expected.definition);
  std::size_t i = 0;
  while (i + 1 < have.size() && i + 1 < want.size() && have[i] == want[i]) ++i;
  const bool tail = i + 1 == have.size() || i + 1 == want.size();
  if (tail && have.size() == want.size()) {
    return fmt::format("sqlite_schema: table {} ends '{}', not the '{}' the schema's migrations "
                       "create (changed by hand?)",
                       stored.name, have[i], want[i]);
  }
  return fmt::format("sqlite_schema: table {}, clause {} is '{}', not the '{}' the schema's "
                     "migrations create (changed by hand?)",
                     stored.name, i + 1, tail && i + 1 == have.size() ? "" : have[i],
                     tail && i + 1 == want.size() ? "" : want[i]);
}

}  // namespace

std::optional<std::string> schema_difference(Database& db) {
  const std::vector<SchemaCode> stored = schema_code(db);
  const std::vector<SchemaCode> migrated = migrated_schema_code();
  for (const SchemaCode& object : stored) {
    const auto expected = std::find_if(migrated.begin(), migrated.end(), [&](const auto& m) {
      return m.type == object.type && m.name == object.name;
    });
    if (expected == migrated.end()) {
      return fmt::format("sqlite_schema: {} {} is not one the schema's migrations create (added "
                         "by hand?)",
                         object.type, object.name);
    }
    if (expected->sql != object.sql) {
      if (object.type == "table") return column_difference(object, *expected);
      return fmt::format("sqlite_schema: {} {}: sql is not the one the schema's migrations create "
                         "(changed by hand?)",
                         object.type, object.name);
    }
    if (expected->definition != object.definition) {
      return definition_difference(object, *expected);
    }
  }
  for (const SchemaCode& object : migrated) {
    if (std::find(stored.begin(), stored.end(), object) == stored.end()) {
      return fmt::format("sqlite_schema: {} {}, which the schema's migrations create, is not in "
                         "the database (dropped?)",
                         object.type, object.name);
    }
  }
  return std::nullopt;
}

namespace {

[[noreturn]] void no_ledger(const std::string& path) {
  throw StorageError(StorageError::Kind::bad_database,
                     fmt::format("'{}' holds no ledger (run a scenario into it first)", path));
}

}  // namespace

void verify_schema(Database& db) {
  if (db.is_empty()) no_ledger(db.path());
  check_identity(db);
  refuse_lowered_version(db);
  if (db.user_version() < current_schema_version()) {
    throw StorageError(
        StorageError::Kind::bad_database,
        fmt::format("'{}' has schema version {}, older than this yieldledger's {}; "
                    "upgrade it with `yieldledger migrate --db {}` (reading "
                    "commands never write)",
                    db.path(), db.user_version(), current_schema_version(), db.path()));
  }
}

std::int64_t require_ledger_file(const std::string& path) {
  Database db(path, Database::Mode::read_only);
  if (db.is_empty()) no_ledger(path);
  check_identity(db);
  return db.user_version();
}

void require_ledger_or_empty_file(const std::string& path) {
  Database db(path, Database::Mode::read_only);
  if (!db.is_empty()) check_identity(db);
}

}  // namespace yl::storage
