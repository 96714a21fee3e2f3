// `yieldledger reports --db FILE [--format table|csv]` (SPEC §7.1): one row per report, asset
// and source, in the order they ran.
#include "cli/commands.h"
#include "cli/query.h"

#include <iostream>

#include "engine/storage/ledger_store.h"

namespace yl::cli {
namespace {

void reports(const QueryOptions& options) {
  storage::Database db = open_for_reading(options.db);
  storage::LedgerStore store(db);
  const Format format = output_format(options);
  const bool csv = format == Format::csv;
  Table table;
  for (const char* name : {"time", "asset", "trigger", "source", "yield_wei", "fee_wei",
                           "cover_wei", "committed_wei", "debt_before_wei", "debt_after_wei",
                           "T_wei", "price_before", "price_after", "pending_after_wei"}) {
    std::string column = name;
    if (!csv && column.ends_with("_wei")) column.resize(column.size() - 4);
    const bool numeric = column != "time" && column != "asset" && column != "trigger" &&
                         column != "source";
    table.columns.push_back({column, numeric});
  }
  auto amount = [&](const std::string& wei) { return csv ? wei : signed_units(wei); };
  for (const storage::StoredReportRow& r : store.read_reports()) {
    table.rows.push_back({r.time, r.asset, r.trigger, r.source, amount(r.yield_wei),
                          amount(r.fee_wei), amount(r.cover_wei), amount(r.committed_wei),
                          amount(r.debt_before_wei), amount(r.debt_after_wei), amount(r.t_wei),
                          r.price_before, r.price_after, amount(r.pending_after_wei)});
  }
  print(std::cout, table, format);
}

}  // namespace

void add_reports_command(CLI::App& app) {
  add_query_command(app, "reports", "Every yield report, per asset and source", /*with_at=*/false, reports);
}

}  // namespace yl::cli
