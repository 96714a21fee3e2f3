// `yieldledger migrate`: a ledger of an older schema brought up to this yieldledger's, in one
// transaction (SPEC §8.2). The SQL migrations add what later schemas store; what later schemas
// *derive* (the hash chains and the journal of schema 2) cannot come from SQL, so a ledger older
// than kDerivedSince is rebuilt by replaying its stored events into the current schema: the
// same code that `run` writes with fills every column the current schema has. The replay must
// reproduce the stored reports and final state exactly, or nothing is changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/storage/database.h"

namespace yl {

// The first schema version whose ledgers hold every derived row (hashes, journal): ledgers
// older than it are rebuilt by replay. Raise it when a migration adds a derived column.
inline constexpr std::int64_t kDerivedSince = 2;

struct MigrateSummary {
  std::int64_t before = 0;  // the schema version found
  std::int64_t after = 0;   // this yieldledger's
  bool rebuilt = false;     // the derived rows were rebuilt by replay
  std::int64_t events = 0;  // events replayed when rebuilt
};

// Migrates the ledger at `path` (which must exist). All or nothing. Throws StorageError
// (bad_database when the file is no ledger, or its events do not replay to what it stored).
MigrateSummary migrate_database(const std::string& path);

// The rebuild step alone, inside the caller's write transaction on a database already migrated
// to the current schema. Returns the number of events replayed, nullopt for a file that holds no
// ledger yet.
std::optional<std::int64_t> rebuild_derived_rows(storage::Database& db);

}  // namespace yl
