// `yieldledger run SCENARIO.toml --db FILE` (SPEC §7.1): simulate start to end, all or nothing.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/query.h"
#include "engine/input/input_error.h"
#include "engine/runner.h"

namespace yl::cli {
namespace {

struct RunOptions {
  std::string scenario;
  std::string db;
  std::int64_t max_reports = kDefaultMaxReports;
  std::string drip_schedule = "touched";
};

void run(const RunOptions& options) {
  ProgressBar bar(ProgressBar::stderr_is_terminal());
  yl::RunOptions run_options;
  run_options.max_reports = options.max_reports;
  run_options.drip = *parse_drip_schedule(options.drip_schedule);  // CLI checked the word
  run_options.on_progress = [&](std::int64_t events, std::int64_t reports,
                                std::int64_t seconds_done, std::int64_t seconds_total) {
    bar.update("running", events + reports, "reports and events",
               fraction_of(static_cast<std::uint64_t>(seconds_done),
                           static_cast<std::uint64_t>(seconds_total)));
  };
  const RunSummary summary = run_into_database(options.scenario, options.db, run_options);
  bar.clear();
  fmt::print("ran '{}': {} events, {} asset reports, {} to {}; ledger written to {}\n",
             escape_controls(summary.name), summary.events, summary.reports,
             format_timestamp(summary.start), format_timestamp(summary.end),
             escape_controls(options.db));
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "Simulate a scenario from start to end into a ledger database (replaces its ledger)");
  command->add_option("scenario", options->scenario, "the scenario TOML file")
      ->required()
      ->check(file_named())
      ->type_name("FILE");
  command->add_option("--db", options->db, "the SQLite database to write")->required();
  add_max_reports_option(*command, options->max_reports);
  command
      ->add_option("--drip-schedule", options->drip_schedule,
                   "when a streamed ledger's journal posts SPEC §9.1's drips: 'touched' (the "
                   "default; before an event, the asset it touches) or 'every_event' (every "
                   "asset before every event, the SPEC's wording, slower). The state and every "
                   "balance, price and report row are the same; the journal's drip postings and "
                   "the drip columns of reports --verbose differ; the ledger keeps it for apply "
                   "and audit")
      ->check(CLI::IsMember({"touched", "every_event"}));
  command->callback([options] { run(*options); });
}

}  // namespace yl::cli
