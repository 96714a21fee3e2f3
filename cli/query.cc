#include "cli/query.h"

#include <fmt/format.h>

#include <filesystem>

#include "engine/input/input_error.h"
#include "engine/runner.h"
#include "engine/statement.h"
#include "engine/storage/migrations.h"
#include "engine/storage/storage_error.h"

namespace yl::cli {

void add_query_command(CLI::App& app, const std::string& name, const std::string& description,
                       bool with_at, std::function<void(const QueryOptions&)> body) {
  auto options = std::make_shared<QueryOptions>();
  CLI::App* command = app.add_subcommand(name, description);
  command->add_option("--db", options->db, "the ledger database written by `run`")->required();
  if (with_at) {
    command->add_option("--at", options->at,
                        "show the state after everything stamped at or before this time "
                        "(YYYY-MM-DDTHH:MM:SSZ)");
  }
  command->add_option("--format", options->format, "table (for people) or csv (for spreadsheets)")
      ->check(CLI::IsMember({"table", "csv"}));
  command->callback([options, body = std::move(body)] { body(*options); });
}

Format output_format(const QueryOptions& options) {
  return options.format == "csv" ? Format::csv : Format::table;
}

storage::Database open_for_reading(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw storage::StorageError(storage::StorageError::Kind::bad_database,
                                fmt::format("database '{}' not found", path));
  }
  storage::Database db(path, storage::Database::Mode::read_only);
  storage::verify_schema(db);
  return db;
}

Snapshot state_for(const QueryOptions& options) {
  storage::Database db = open_for_reading(options.db);
  storage::LedgerStore store(db);
  if (options.at.empty()) return store.read_snapshot();
  const auto at = parse_timestamp(options.at);
  if (!at) {
    throw UsageError(
        fmt::format("--at: bad time '{}' (expected YYYY-MM-DDTHH:MM:SSZ)", options.at));
  }
  return take_snapshot(replay(store, *at));
}

}  // namespace yl::cli
