// `yieldledger balances --db FILE [--at TIME] [--format table|csv]` (SPEC §7.1).
#include <iostream>

#include "cli/commands.h"
#include "cli/query.h"

namespace yl::cli {
namespace {

void balances(const QueryOptions& options) {
  const Snapshot state = state_for(options);
  const Format format = output_format(options);
  Table table;
  if (format == Format::csv) {
    table.columns = {{"account"},     {"kind"},          {"asset"},  {"mode"},         {"balance"},
                     {"balance_wei"}, {"claimable_wei"}, {"shares"}, {"remainder_wei"}};
  } else {
    table.columns = {{"account"},       {"kind"},
                     {"asset"},         {"mode"},
                     {"balance", true}, {"claimable", true},
                     {"shares", true},  {"remainder_wei", true}};
  }
  for (const BalanceRow& r : state.balances) {
    std::vector<std::string> row = {r.account, std::string(account_kind_name(r.kind)),
                                    std::string(asset_name(r.asset)),
                                    std::string(yield_mode_name(r.mode)), units(r.balance)};
    if (format == Format::csv) {
      row.insert(row.end(), {r.balance.wei_string(), r.claimable.wei_string()});
    } else {
      row.push_back(units(r.claimable));
    }
    row.insert(row.end(), {r.shares.wei_string(), r.remainder.wei_string()});
    table.rows.push_back(std::move(row));
  }
  print(std::cout, table, format);
}

}  // namespace

void add_balances_command(CLI::App& app) {
  add_query_command(app, "balances", "One row per account and asset", /*with_at=*/true, balances);
}

}  // namespace yl::cli
