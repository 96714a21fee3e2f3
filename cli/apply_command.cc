// `yieldledger apply --db FILE EVENTS.csv [--until TIME]`: append events to a stored ledger and
// continue the simulation (engine/runner.h apply_into_database). All or nothing per file;
// re-applying a file with ids changes nothing and counts the duplicates (SPEC §8.3).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/query.h"
#include "engine/input/input_error.h"
#include "engine/runner.h"
#include "engine/statement.h"

namespace yl::cli {
namespace {

struct ApplyOptions {
  std::string db, events;
  std::optional<std::string> until;
  std::int64_t max_reports = kDefaultMaxReports;
};

void apply(const ApplyOptions& options) {
  const std::optional<Timestamp> until = optional_time("--until", options.until);
  RunOptions run_options;
  run_options.max_reports = options.max_reports;
  const ApplySummary s = apply_into_database(options.db, options.events, until, run_options);
  fmt::print("applied {}: {} events, {} duplicates skipped, {} asset reports; the ledger now ends "
             "at {}\n",
             escape_controls(options.events), s.events, s.duplicates, s.reports,
             format_timestamp(s.end));
}

}  // namespace

void add_apply_command(CLI::App& app) {
  auto options = std::make_shared<ApplyOptions>();
  CLI::App* command = app.add_subcommand(
      "apply", "Append events to a ledger and continue the simulation (idempotent by event id)");
  command->add_option("events", options->events, "the events CSV to append")
      ->required()
      ->check(file_named())
      ->type_name("FILE");
  command->add_option("--db", options->db, "the ledger database written by `run`")->required();
  command->add_option("--until", options->until,
                      "move the simulation's end to this time (YYYY-MM-DDTHH:MM:SSZ)");
  add_max_reports_option(*command, options->max_reports);
  command->callback([options] { apply(*options); });
}

}  // namespace yl::cli
