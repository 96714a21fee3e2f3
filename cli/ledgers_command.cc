// `yieldledger ledgers --db FILE [--at TIME] [--format table|csv]` (SPEC §7.1).
#include "cli/commands.h"
#include "cli/query.h"

#include <iostream>

namespace yl::cli {
namespace {

void ledgers(const QueryOptions& options) {
  const Snapshot state = state_for(options);
  const Format format = output_format(options);
  const bool csv = format == Format::csv;
  Table table;
  for (const char* name : {"asset", "price", "pending_wei", "total_shares", "buffer_wei",
                           "debt_wei", "insurance_wei", "retained_wei"}) {
    std::string column = name;
    // Tables show amounts in asset units, so they drop the _wei suffix; price stays wei/share.
    if (!csv && column.ends_with("_wei")) column.resize(column.size() - 4);
    table.columns.push_back({column, column != "asset"});
  }
  auto amount = [&](const Amount& wei) { return csv ? wei.wei_string() : units(wei); };
  for (const LedgerRow& r : state.ledgers) {
    table.rows.push_back({std::string(asset_name(r.asset)), r.price.wei_string(),
                          amount(r.pending), r.total_shares.wei_string(), amount(r.buffer),
                          amount(r.debt), amount(r.insurance), amount(r.retained)});
  }
  print(std::cout, table, format);
}

}  // namespace

void add_ledgers_command(CLI::App& app) {
  add_query_command(app, "ledgers", "Per asset: share price, pending, L1 reserves", /*with_at=*/true, ledgers);
}

}  // namespace yl::cli
