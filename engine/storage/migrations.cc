#include "engine/storage/migrations.h"

#include <fmt/format.h>

#include "engine/storage/database.h"
#include "engine/storage/storage_error.h"

namespace yl::storage {
namespace {

std::int64_t application_id(Database& db) {
  Statement s = db.prepare("PRAGMA application_id");
  s.step();
  return s.column_int(0);
}

bool is_empty(Database& db) {
  Statement s = db.prepare("SELECT count(*) FROM sqlite_schema");
  s.step();
  return s.column_int(0) == 0;
}

void check_identity(Database& db) {
  const std::int64_t version = db.user_version();
  if (application_id(db) != kApplicationId) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}' is not a yieldledger database", db.path()));
  }
  if (version > current_schema_version()) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}' has schema version {}, newer than this yieldledger's {}; "
                                   "use a newer yieldledger",
                                   db.path(), version, current_schema_version()));
  }
}

}  // namespace

void migrate(Database& db) {
  if (is_empty(db)) {
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
  } else {
    check_identity(db);
  }
  const auto& migrations = embedded_migrations();
  for (auto v = static_cast<std::size_t>(db.user_version()); v < migrations.size(); ++v) {
    db.exec(migrations[v]);
    db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
  }
}

void verify_schema(Database& db) {
  if (is_empty(db)) {
    throw StorageError(
        StorageError::Kind::bad_database,
        fmt::format("'{}' holds no ledger (run a scenario into it first)", db.path()));
  }
  check_identity(db);
  if (db.user_version() < current_schema_version()) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}' has schema version {}, older than this yieldledger's {}; "
                                   "upgrade it with `yieldledger migrate --db {}` (reading "
                                   "commands never write)",
                                   db.path(), db.user_version(), current_schema_version(),
                                   db.path()));
  }
}

}  // namespace yl::storage
