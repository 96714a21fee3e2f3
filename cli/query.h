// What the read-only commands share: --db, --at and --format, opening a database for reading,
// and the state they print.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/render.h"
#include "engine/core/snapshot.h"
#include "engine/storage/database.h"

namespace yl::cli {

struct QueryOptions {
  std::string db;
  std::string at;  // empty: the end of the run
  std::string format = "table";
};

void add_query_options(CLI::App& command, QueryOptions& options, bool with_at);
Format output_format(const QueryOptions& options);

// Opens an existing yieldledger database read-only. Throws StorageError (bad_database) for a
// missing file, another application's file or a newer schema.
storage::Database open_for_reading(const std::string& path);

// The state at --at (replayed) or after the run (as stored).
Snapshot state_for(const QueryOptions& options);

}  // namespace yl::cli
