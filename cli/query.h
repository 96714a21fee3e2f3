// What the read-only commands share: --db, --at and --format, opening a database for reading,
// and the state they print.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/render.h"
#include "engine/core/snapshot.h"
#include "engine/storage/database.h"
#include "engine/storage/ledger_store.h"

namespace yl::cli {

struct QueryOptions {
  std::string db;
  std::optional<std::string> at;  // absent: the end of the run
  std::string format = "table";
};

// Registers a read-only subcommand with --db, --format and (when `with_at`) --at, whose callback
// runs `body` with the parsed options.
void add_query_command(CLI::App& app, const std::string& name, const std::string& description,
                       bool with_at, std::function<void(const QueryOptions&)> body);
Format output_format(const QueryOptions& options);

// Opens an existing yieldledger database read-only. Throws StorageError (bad_database) for a
// missing file, another application's file or a newer schema.
storage::Database open_for_reading(const std::string& path);

// A ledger opened for reading, inside one read transaction for as long as it lives, so that
// everything a command reads comes from one snapshot even while `run` or `apply` commits.
struct LedgerReader {
  explicit LedgerReader(const std::string& path);
  storage::Database db;
  storage::ReadTransaction snapshot;
  storage::LedgerStore store;
};

// The time given to option `flag` (--at, --from, --to, --until). Throws UsageError.
Timestamp time_option(const std::string& flag, const std::string& text);
// The same for an option that may be left out (nullopt); given, even empty, it must be a time.
std::optional<Timestamp> optional_time(const std::string& flag,
                                       const std::optional<std::string>& text);

// --max-reports N for `run` and `apply` (engine/runner.h kDefaultMaxReports).
void add_max_reports_option(CLI::App& command, std::int64_t& max_reports);

// The state at --at (replayed) or after the run (as stored).
Snapshot state_for(const QueryOptions& options);

}  // namespace yl::cli
