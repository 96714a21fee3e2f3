// `yieldledger audit --db FILE`: verify a stored ledger (engine/audit.h). Exit 0 when everything
// agrees, 3 at the first mismatch (SPEC §7.2). It never writes.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/query.h"
#include "engine/audit.h"
#include "engine/input/input_error.h"

namespace yl::cli {
namespace {

struct AuditOptions {
  std::string db;
};

void audit(const AuditOptions& options) {
  LedgerReader reader(options.db);
  AuditSummary summary;
  try {
    summary = audit_ledger(reader.store);
  } catch (const AuditMismatch& error) {
    fmt::print("audit of {}: MISMATCH\n  {}\n", escape_controls(options.db),
               escape_controls(error.what()));
    flush_stdout();
    throw MismatchPrinted{};
  }
  fmt::print("audit of {}: OK (scenario '{}')\n", escape_controls(options.db),
             escape_controls(summary.scenario));
  fmt::print("  events          {} replayed from scratch; hash chain intact, head {}\n",
             summary.events, summary.event_chain_head);
  fmt::print("  reports         {} ({} rows) equal to the replay to the wei; hash chain intact, "
             "head {}\n",
             summary.reports, summary.report_rows, summary.report_chain_head);
  if (summary.appends > 0) {
    fmt::print("  appends         {} (one per apply); hash chain intact, head {}\n",
               summary.appends, summary.append_chain_head);
  }
  fmt::print("  journal         {} entries, {} postings, each balanced per asset; {} journal "
             "accounts equal to the state they mirror\n",
             summary.journal_entries, summary.postings, summary.journal_accounts);
  fmt::print("  final state     {} balance rows, the ledgers and the sources equal to the replay\n",
             summary.balance_rows);
  fmt::print("  invariants      SPEC §6 hold; conservation per asset:\n");
  for (const auto& c : summary.conservation) {
    fmt::print("    {:<4}  buffer + principal + debt = {}\n", c.asset, c.reserves_wei);
    fmt::print("          balances + claimable + pending + retained + locked = {} (locked {})\n",
               c.owed_wei, c.locked_wei);
    fmt::print("          apart from user funds: insurance {}, revenue {}\n", c.insurance_wei,
               c.revenue_wei);
  }
}

}  // namespace

void add_audit_command(CLI::App& app) {
  auto options = std::make_shared<AuditOptions>();
  CLI::App* command = app.add_subcommand(
      "audit", "Replay the ledger from scratch and check reports, journal, state and hash chains");
  command->add_option("--db", options->db, "the ledger database written by `run`")->required();
  command->callback([options] { audit(*options); });
}

}  // namespace yl::cli
