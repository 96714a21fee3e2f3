// `yieldledger migrate --db FILE`: brings a ledger written by an older yieldledger up to this
// one's schema (schema/NNNN_*.sql), in one transaction; a ledger older than the hash chains and
// the journal gets them by replay (engine/migrate.h). Reading commands never write, so they ask
// for this instead of upgrading a file behind the user's back.
#include <fmt/format.h>

#include "cli/commands.h"
#include "engine/input/input_error.h"
#include "engine/migrate.h"

namespace yl::cli {
namespace {

void migrate(const std::string& path) {
  const MigrateSummary summary = migrate_database(path);
  fmt::print("{}: schema version {} -> {}\n", escape_controls(path), summary.before, summary.after);
  if (summary.rebuilt) {
    fmt::print("rebuilt the hash chains and the journal by replaying {} events; the replay "
               "reproduced every stored report and the final state\n",
               summary.events);
  }
}

}  // namespace

void add_migrate_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "migrate", "Upgrade a ledger written by an older yieldledger to this one's schema");
  command->add_option("--db", *path, "the ledger database")->required();
  command->callback([path] { migrate(*path); });
}

}  // namespace yl::cli
