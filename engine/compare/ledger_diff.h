// `yieldledger compare A.db B.db`: two single-run ledgers over the same events (one scenario
// under two policies, say), side by side at their end: per account and asset, balance and
// claimable in each and the difference; per asset, the ledger's figures (price, pending, shares,
// buffer, debt, insurance, retained, revenue and locked: zeros for a ledger without them).
//
// The event streams must be the same: event k of A and of B have the same fields (time, type,
// account, asset, amount, to, value, id), whatever files and lines they came from. Otherwise
// compare refuses (UsageError, exit 2) and names the first difference.
#pragma once

#include <string>
#include <vector>

#include "engine/export/output_guard.h"
#include "engine/html/report.h"

namespace yl::compare {

struct LedgerDiff {
  std::string a_path, b_path;
  std::string a_scenario, b_scenario;  // scenario names
  std::int64_t events = 0;
  // What makes the two runs differ besides their policies: a start, end or report_every of one
  // scenario that is not the other's ("a ends at ..., b at ...").
  std::vector<std::string> notes;
  // section, account, asset, item, a, b, b_minus_a: exact (amounts in asset units, prices and
  // shares as integers).
  html::Table table;
};

// Opens both ledgers read-only. Throws UsageError (different events, not a ledger) or
// StorageError.
LedgerDiff diff_ledgers(const std::string& a_path, const std::string& b_path);

// The files the two ledgers were made from (export's ledger_sources), which a comparison never
// writes, --force or not. Throws as diff_ledgers does for a file that is no ledger.
std::vector<KeptFile> ledger_inputs(const std::string& a_path, const std::string& b_path);

html::Page ledger_diff_page(const LedgerDiff& diff);

}  // namespace yl::compare
