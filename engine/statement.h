// `yieldledger explain`: statements for an auditor, rebuilt by replaying the stored events.
//
// An account's statement lists, between two times, every movement of its balance + claimable
// (deposits, transfers, claims, gas, withdrawals; mode changes, which move nothing) and every
// report's accrual to it, computed independently as shares held × the report's price step. Its
// check: opening + movements + accruals = closing, to the wei, where closing is the replayed
// state. A source's statement does the same for its value and principal, from the memos of the
// journal postings (routing, accrual, loss, fee, cover, commit, payout).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/core/amount.h"
#include "engine/core/asset.h"
#include "engine/core/timestamp.h"
#include "engine/storage/ledger_store.h"
#include "engine/usage_error.h"

namespace yl {

struct StatementLine {
  std::string time;
  std::string what;  // "deposit", "transfer to bob", "report (scheduled)", "mode VOID -> AUTOMATIC"
  std::string event;  // "events.csv:12 (id e012)"; empty for scheduled reports
  bool accrual = false;
  SignedAmount change;  // of balance + claimable
  Amount balance;       // after the line
  Amount claimable;
  Amount shares;        // held after a movement; held through a report for an accrual
  Amount price_before;  // reports only
  Amount price_after;
  // A withdrawal's discount: what its debit did not pay out, X − payout (§5.5: the debt it
  // repaid and what was retained); nullopt for any other line.
  std::optional<Amount> discount;
};

struct AccountStatement {
  std::string account;
  Asset asset = Asset::eth;
  std::string from, to;
  Amount opening_balance, opening_claimable;
  std::vector<StatementLine> lines;
  SignedAmount movements, accruals;
  Amount discounts;  // Σ the withdrawals' discounts: inside `movements` (a debit is X, paid out
                     // or not)
  Amount closing_balance, closing_claimable;
  // opening + movements + accruals − closing (balance + claimable); zero when the books agree.
  SignedAmount check_difference;
};

struct SourceLine {
  std::string time;
  std::string what;   // the memo: route, accrual, loss, fee, cover, commit, payout, hurdle
  std::string event;  // empty for reports
  SignedAmount value_change, principal_change;
  Amount value, principal;  // after the line
  Amount exempt;  // a hurdle line's hurdle_wei (SPEC §9.4): yield no fee was taken of; else 0
};

struct SourceStatement {
  std::string source;
  Asset asset = Asset::eth;
  std::string from, to;
  Amount opening_value, opening_principal;
  std::vector<SourceLine> lines;
  SignedAmount value_changes, principal_changes;
  Amount closing_value, closing_principal;
  SignedAmount value_check_difference, principal_check_difference;
};

// Throws UsageError for an account never opened in the ledger.
AccountStatement explain_account(storage::LedgerStore& store, const std::string& account,
                                 Asset asset, std::optional<Timestamp> from,
                                 std::optional<Timestamp> to);
// Throws UsageError for an unknown source.
SourceStatement explain_source(storage::LedgerStore& store, const std::string& source,
                               std::optional<Timestamp> from, std::optional<Timestamp> to);

}  // namespace yl
