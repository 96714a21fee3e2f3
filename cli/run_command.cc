// `yieldledger run SCENARIO.toml --db FILE` (SPEC §7.1): simulate start to end, all or nothing.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "engine/runner.h"

namespace yl::cli {
namespace {

struct RunOptions {
  std::string scenario;
  std::string db;
};

void run(const RunOptions& options) {
  ProgressBar bar(ProgressBar::stderr_is_terminal());
  yl::RunOptions run_options;
  run_options.on_progress = [&](std::int64_t events, std::uint64_t bytes_read,
                                std::uint64_t bytes_total) {
    bar.update("running", events, "events", fraction_of(bytes_read, bytes_total));
  };
  const RunSummary summary = run_into_database(options.scenario, options.db, run_options);
  bar.clear();
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
