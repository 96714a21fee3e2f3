// `yieldledger audit`: checks a stored ledger without trusting what `run` wrote.
//
// It recomputes the three hash chains (events, reports, appends) from the scenario's genesis
// hash; replays every stored event from scratch through the engine and compares, to the wei, each
// report row and each journal entry with what is stored; re-adds every stored journal entry's
// postings to check that debits equal credits per asset; compares the final state; checks the
// SPEC §6 invariants; and checks that each journal account equals the state quantity it mirrors.
// First it checks the rows a replay does not reproduce (audit_tables.h): the schema's views and
// triggers, journal_memos, the scenario's derived columns and appends; and each row's time_s.
// It only reads.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/input/input_error.h"
#include "engine/storage/ledger_store.h"

namespace yl {

// The first mismatch found: where (an event's file:line, seq and id, or a report or a row) and
// what differs, by how much.
// `what` quotes stored values, which a file changed by hand can fill with any bytes: its control
// characters are escaped here (escape_controls), where a NUL ended the message, and the reason
// after it was lost (helper-50's F4).
class AuditMismatch : public std::runtime_error {
 public:
  explicit AuditMismatch(std::string_view what) : std::runtime_error(escape_controls(what)) {}
};

struct AuditSummary {
  std::string scenario;
  std::int64_t events = 0;
  std::int64_t reports = 0;  // report records (one per asset per report)
  std::int64_t report_rows = 0;
  std::int64_t journal_entries = 0;
  std::int64_t postings = 0;
  std::int64_t journal_accounts = 0;  // accounts whose balance was checked against the state
  std::int64_t balance_rows = 0;      // final state rows compared
  std::string event_chain_head;
  std::string report_chain_head;
  std::int64_t appends = 0;       // rows of `appends`, one per `apply`
  std::string append_chain_head;  // their chain's head (the genesis link when there is none)
  // Per asset, SPEC §6: buffer + Σ principal + D, and Σ(balance + claimable) + Q + retained +
  // locked (of which locked, §9.1); and what L1 holds apart from user funds (insurance, revenue).
  struct Conservation {
    std::string asset, reserves_wei, owed_wei, locked_wei, insurance_wei, revenue_wei;
  };
  std::vector<Conservation> conservation;
};

// Throws AuditMismatch at the first difference; StorageError if the file cannot be read.
AuditSummary audit_ledger(storage::LedgerStore& store);

}  // namespace yl
