// `yieldledger ledgers --db FILE [--at TIME] [--format table|csv]` (SPEC §7.1).
#include <iostream>

#include "cli/commands.h"
#include "cli/query.h"
#include "engine/storage/ledger_store.h"

namespace yl::cli {
namespace {

void ledgers(const QueryOptions& options) {
  const Snapshot state = state_for(options);
  const Format format = output_format(options);
  const bool csv = format == Format::csv;
  Table table;
  for (const storage::LedgerColumn& c : storage::ledger_columns()) {
    std::string column(c.name);
    // Tables show amounts in asset units, so they drop the _wei suffix; price stays wei/share.
    if (!csv && c.kind == storage::ColumnKind::amount) column.resize(column.size() - 4);
    table.columns.push_back({column, c.kind != storage::ColumnKind::text});
  }
  for (const LedgerRow& r : state.ledgers) {
    std::vector<std::string> row;
    for (const storage::LedgerColumn& c : storage::ledger_columns()) {
      if (c.field == nullptr) {
        row.emplace_back(asset_name(r.asset));
      } else if (c.kind == storage::ColumnKind::amount && !csv) {
        row.push_back(units(r.*c.field));
      } else {
        row.push_back((r.*c.field).wei_string());
      }
    }
    table.rows.push_back(std::move(row));
  }
  print(std::cout, table, format);
}

}  // namespace

void add_ledgers_command(CLI::App& app) {
  add_query_command(app, "ledgers", "Per asset: share price, pending, L1 reserves",
                    /*with_at=*/true, ledgers);
}

}  // namespace yl::cli
