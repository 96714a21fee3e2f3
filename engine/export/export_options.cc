#include "engine/export/export_options.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in <fmt/format.h> before fmt 11)

#include "engine/core/timestamp.h"
#include "engine/usage_error.h"

namespace yl {
namespace {

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t comma = std::min(text.find(',', begin), text.size());
    items.emplace_back(text.substr(begin, comma - begin));
    begin = comma + 1;
  }
  return items;
}

}  // namespace

std::vector<std::string> parse_export_tables(std::string_view text) {
  std::vector<std::string> tables;
  for (const std::string& item : split_list(text)) {
    if (std::find(kExportTables.begin(), kExportTables.end(), item) == kExportTables.end()) {
      throw UsageError(fmt::format("--tables: unknown table '{}' (the tables are {})", item,
                                   fmt::join(kExportTables, ", ")));
    }
    if (std::find(tables.begin(), tables.end(), item) != tables.end()) {
      throw UsageError(fmt::format("--tables: '{}' is listed twice", item));
    }
    tables.push_back(item);
  }
  return tables;
}

std::int64_t parse_every(std::string_view text) {
  const auto seconds = parse_duration_seconds(text);
  if (!seconds) {
    throw UsageError(
        fmt::format("--every: expected a period like 1d, 7d, 12h, 30m or 90s (got '{}')", text));
  }
  return *seconds;
}

AccountSelection parse_account_selection(std::string_view text) {
  AccountSelection selection;
  selection.all = false;
  for (const std::string& item : split_list(text)) {
    if (item.starts_with("top:")) {
      const std::string_view digits = std::string_view(item).substr(4);
      std::size_t count = 0;
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), count);
      if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
          count == 0) {
        throw UsageError(
            fmt::format("--accounts: '{}' is not top:N with N a whole number of at least 1", item));
      }
      selection.top = std::max(selection.top, count);
    } else if (item.empty()) {
      throw UsageError("--accounts: an empty name in the list");
    } else {
      selection.names.push_back(item);
    }
  }
  return selection;
}

std::vector<std::string> top_accounts(const std::vector<BalanceRow>& final_balances, Asset asset,
                                      std::size_t count, bool with_system_accounts) {
  std::vector<const BalanceRow*> rows;
  for (const BalanceRow& row : final_balances) {
    if (row.asset == asset && (with_system_accounts || row.kind != AccountKind::system)) {
      rows.push_back(&row);
    }
  }
  // Stable: equal holdings keep `balances` order, the order the accounts were opened.
  std::stable_sort(rows.begin(), rows.end(), [](const BalanceRow* a, const BalanceRow* b) {
    return a->balance + a->claimable > b->balance + b->claimable;
  });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < rows.size() && i < count; ++i) names.push_back(rows[i]->account);
  return names;
}

SelectedAccounts resolve_selection(const AccountSelection& selection,
                                   const std::vector<BalanceRow>& final_balances) {
  SelectedAccounts selected;
  selected.all = selection.all;
  if (selection.all) return selected;
  for (const std::string& name : selection.names) {
    const bool known = std::any_of(final_balances.begin(), final_balances.end(),
                                   [&](const BalanceRow& row) { return row.account == name; });
    if (!known) throw UsageError(fmt::format("--accounts: no account '{}' in this ledger", name));
    for (Asset asset : kAssets) selected.names[index_of(asset)].insert(name);
  }
  for (Asset asset : kAssets) {
    for (const std::string& name :
         top_accounts(final_balances, asset, selection.top, /*with_system_accounts=*/true)) {
      selected.names[index_of(asset)].insert(name);
    }
  }
  return selected;
}

}  // namespace yl
