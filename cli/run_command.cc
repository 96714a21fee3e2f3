// `yieldledger run SCENARIO.toml --db FILE` (SPEC §7.1): simulate start to end, all or nothing.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "engine/input/input_error.h"
#include "engine/runner.h"
#include "engine/storage/migrations.h"

namespace yl::cli {
namespace {

struct RunOptions {
  std::string scenario;
  std::string db;
};

// Removes a database file that this run created, so a rejected run leaves no trace.
void remove_created(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, ec);
  }
}

void run(const RunOptions& options) {
  const Scenario scenario = load_scenario(options.scenario);
  std::ifstream events(scenario.events_path, std::ios::binary);
  if (!events) {
    throw InputError(options.scenario, scenario.events_line, "scenario",
                     fmt::format("cannot open events file '{}'", scenario.events_as_written));
  }
  std::error_code ec;
  const bool existed = std::filesystem::exists(options.db, ec);
  try {
    storage::Database db(options.db, storage::Database::Mode::read_write_create);
    storage::Transaction txn(db);
    storage::migrate(db);
    storage::LedgerStore store(db);
    const RunSummary summary = run_scenario(scenario, options.scenario, events, store);
    txn.commit();
    fmt::print("ran '{}': {} events, {} asset reports, {} to {}; ledger written to {}\n",
               scenario.name, summary.events, summary.reports,
               format_timestamp(scenario.params.start), format_timestamp(scenario.params.end),
               options.db);
  } catch (...) {
    if (!existed) remove_created(options.db);
    throw;
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "Simulate a scenario from start to end into a ledger database (replaces its ledger)");
  command->add_option("scenario", options->scenario, "the scenario TOML file")->required();
  command->add_option("--db", options->db, "the SQLite database to write")->required();
  command->callback([options] { run(*options); });
}

}  // namespace yl::cli
