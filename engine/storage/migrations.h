// Schema migrations (SPEC §8.2): schema/NNNN_*.sql, embedded at build time, applied in order in
// one transaction, with PRAGMA user_version stamping how many have run and PRAGMA application_id
// marking the file as a yieldledger database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/storage/database.h"

namespace yl::storage {

inline constexpr std::int32_t kApplicationId = Database::kLedgerApplicationId;  // "YLDR"

const std::vector<std::string_view>& embedded_migrations();
inline std::int64_t current_schema_version() {
  return static_cast<std::int64_t>(embedded_migrations().size());
}

// Brings an empty or older database up to the current version. REQUIRES: the caller holds an
// open write transaction, so that the migration commits or rolls back with the caller's work.
// Throws StorageError (bad_database) for a file of another application or of a newer version.
// REQUIRES (both): `db` was opened with the ledger's application_id (Database's default), which
// is the one they check.
void migrate(Database& db);
// Migration 11 (schema/0011_appends_chain.sql): every row of `appends` linked again in seq order,
// from the genesis link, as `apply` links them from schema 11 on. The tests use it to forge a
// consistent chain over rows changed by hand.
void chain_appends(Database& db);
// A table, view or trigger of a database's schema: a view's or trigger's SQL as sqlite_schema
// holds it, a table's columns as "name TYPE [NOT NULL] [PRIMARY KEY] [DEFAULT x], ...", and its
// CREATE text without comments, its white space one space (sql_without_comments): the CHECK,
// UNIQUE and REFERENCES clauses and STRICT, which the columns do not show.
struct SchemaCode {
  std::string type;  // "table", "trigger" or "view"
  std::string name;
  std::string sql;
  std::string definition;  // a table's; empty for the others
  friend bool operator==(const SchemaCode&, const SchemaCode&) = default;
};
// `sql` without its comments (`-- ...` and `/* ... */`), each run of white space outside quotes
// one space, none after '(' or before ',' and ')': what a CREATE statement says, whatever the
// comments of the SQL file that made it (a later yieldledger may reword them).
std::string sql_without_comments(std::string_view sql);
// The tables, views and triggers of `db`, by type and name.
std::vector<SchemaCode> schema_code(Database& db);
// The same of a new database built in memory by the embedded migrations: what a ledger of the
// current version holds, however it was migrated. Throws StorageError.
std::vector<SchemaCode> migrated_schema_code();
// The first way in which `db`'s schema differs from migrated_schema_code(), named for a message
// ("sqlite_schema: table events, column 5 (time_s INTEGER NOT NULL), which ... is not in the
// database (dropped?)"); nullopt when it has exactly the tables, columns, views and triggers of
// the current version. `audit` and `migrate` refuse a ledger that differs.
std::optional<std::string> schema_difference(Database& db);

// Checks without writing that `db` is a yieldledger database of the current version.
void verify_schema(Database& db);
// Refuses (StorageError, bad_database) the existing file `path` when it holds no ledger at all
// (an empty file, or an SQLite database without tables), another application's database, or a
// ledger newer than this yieldledger, reading it only: a command that opens a ledger to change it
// calls this first, because opening for writing would change such a file (its journal mode).
// Returns its schema version (user_version).
std::int64_t require_ledger_file(const std::string& path);
// The same for `run`, which writes a ledger into an empty file too: another application's
// database is refused before the writable open, which would fold its journal or log into it.
void require_ledger_or_empty_file(const std::string& path);

}  // namespace yl::storage
