// What `yieldledger export` writes: which tables, how thin the history, which accounts.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/asset.h"
#include "engine/core/snapshot.h"

namespace yl {

// Every table an export can hold, in the order they are written (sheets after `summary` and
// `charts` in a workbook). The summary is always written.
inline const std::vector<std::string> kExportTables = {
    "accounts", "ledger_history", "balance_history", "reports", "events", "journal"};

// --accounts: which accounts the per-account tables (`accounts`, `balance_history`) list.
struct AccountSelection {
  bool all = true;
  std::vector<std::string> names;  // listed by name: both assets
  std::size_t top = 0;             // top:N, the N largest final balance + claimable per asset
};

// Which (account, asset) pairs a selection picks, resolved against the final state.
struct SelectedAccounts {
  bool all = true;
  std::array<std::set<std::string, std::less<>>, 2> names;  // per asset, indexed by Asset

  bool contains(std::string_view account, Asset asset) const {
    return all || names[index_of(asset)].contains(account);
  }
};

struct ExportOptions {
  std::vector<std::string> tables = kExportTables;  // a subset of kExportTables, in any order
  std::optional<std::int64_t> every_s;  // the history's sampling interval; nullopt: every report
  AccountSelection accounts;
};

// Parsers for the command line's words. Each throws UsageError naming the option.
// "accounts,events" (a subset of kExportTables, no repeats).
std::vector<std::string> parse_export_tables(std::string_view text);
// "1d", "7d", "12h" (SPEC §1.1 report_every's format).
std::int64_t parse_every(std::string_view text);
// "top:1000", "alice,bob", "top:10,@fee_vault".
AccountSelection parse_account_selection(std::string_view text);

// Resolves a selection against the final state (`balances` order). Ranking: balance + claimable
// of the asset, largest first; ties in the order the accounts were opened. Throws UsageError for
// a name that is no account of the ledger.
SelectedAccounts resolve_selection(const AccountSelection& selection,
                                   const std::vector<BalanceRow>& final_balances);

// The `count` accounts with the largest final balance + claimable of `asset`, ties in the order
// opened; system accounts only when asked (top:N ranks them, the charts leave them out).
std::vector<std::string> top_accounts(const std::vector<BalanceRow>& final_balances, Asset asset,
                                      std::size_t count, bool with_system_accounts);

}  // namespace yl
