// `yieldledger run SCENARIO.toml --db FILE` (SPEC §7.1): simulate start to end, all or nothing.
#include <fmt/format.h>

#include "cli/commands.h"
#include "engine/runner.h"

namespace yl::cli {
namespace {

struct RunOptions {
  std::string scenario;
  std::string db;
};

void run(const RunOptions& options) {
  const RunSummary summary = run_into_database(options.scenario, options.db);
  fmt::print("ran '{}': {} events, {} asset reports, {} to {}; ledger written to {}\n",
             summary.name, summary.events, summary.reports, format_timestamp(summary.start),
             format_timestamp(summary.end), options.db);
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
