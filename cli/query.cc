#include "cli/query.h"

#include <filesystem>

#include <fmt/format.h>

#include "cli/integer_option.h"
#include "engine/input/input_error.h"
#include "engine/replay/replay.h"
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
  storage::require_existing_ledger(path);
  storage::Database db(path, storage::Database::Mode::read_only);
  storage::verify_schema(db);
  return db;
}

namespace {

// The schema is checked inside the snapshot, so that it is the snapshot's schema.
storage::Database& verified(storage::Database& db) {
  storage::verify_schema(db);
  return db;
}

}  // namespace

LedgerReader::LedgerReader(const std::string& path)
    : db(open_for_reading(path)), snapshot(db), store(verified(db)) {}

Timestamp time_option(const std::string& flag, const std::string& text) {
  const auto time = parse_timestamp(text);
  if (!time) throw UsageError(fmt::format("{}: {}", flag, bad_time_message(text)));
  return *time;
}

std::optional<Timestamp> optional_time(const std::string& flag,
                                       const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return time_option(flag, *text);
}

void add_max_reports_option(CLI::App& command, std::int64_t& max_reports) {
  command
      .add_option("--max-reports", max_reports,
                  fmt::format("refuse a ledger of more scheduled reports than this (default {})",
                              kDefaultMaxReports))
      ->transform(integer_check<std::int64_t>(1));
}

Snapshot state_for(const QueryOptions& options) {
  // Usage errors first, before the file is opened.
  const std::optional<Timestamp> at = optional_time("--at", options.at);
  LedgerReader reader(options.db);
  if (!at) return reader.store.read_snapshot();
  Ledger ledger = replay(reader.store, *at);
  ledger.settle();  // the state as of the last event at or before --at
  return take_snapshot(ledger);
}

}  // namespace yl::cli
