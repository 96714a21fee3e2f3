// The application layer between inputs, the pure Ledger and the store: `run` a scenario into a
// database, and `replay` a stored ledger to any moment. The CLI is a thin shell around these.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>

#include "engine/core/ledger.h"
#include "engine/core/snapshot.h"
#include "engine/input/scenario.h"
#include "engine/storage/ledger_store.h"

namespace yl {

struct RunSummary {
  std::string name;  // the scenario's
  Timestamp start;
  Timestamp end;
  std::int64_t events = 0;
  std::int64_t reports = 0;  // report records, one per asset per report
  std::int64_t journal_entries = 0;
};

// How `run` writes. The defaults are what every user gets; the switch exists so that the
// benchmark can measure what the journal costs (a ledger without it fails `audit`).
struct RunOptions {
  bool write_journal = true;
  // Told, every few thousand events, how many are done and how far into the events file the
  // reader is (for a progress bar; bytes_total is 0 when unknown). Default: nothing.
  std::function<void(std::int64_t events, std::uint64_t bytes_read, std::uint64_t bytes_total)>
      on_progress;
};

// Simulates `scenario` from start to end with the events read from `events`, writing everything
// to `store` (the caller owns the transaction, so a rejection leaves the database as it was).
// Throws InputError at the first rejected row; storage failures throw StorageError.
// `events_bytes`, the events file's size if known, only feeds options.on_progress.
RunSummary run_scenario(const Scenario& scenario, const std::string& scenario_file,
                        std::istream& events, storage::LedgerStore& store,
                        const RunOptions& options = {}, std::uint64_t events_bytes = 0);

// `yieldledger run`: loads the scenario at `scenario_path`, and simulates it into the database at
// `db_path` in one transaction, replacing any ledger the file held. On any failure the file is
// left as it was, and removed if this call created it. Throws InputError or StorageError.
RunSummary run_into_database(const std::string& scenario_path, const std::string& db_path,
                             const RunOptions& options = {});

// What `yieldledger apply` did.
struct ApplySummary {
  std::int64_t events = 0;
  std::int64_t duplicates = 0;  // rows whose id was already in the ledger with the same content
  std::int64_t reports = 0;
  Timestamp end;  // the ledger's end after the apply
};

// `yieldledger apply`: appends the events of `events_path` to the ledger in `db_path`, continuing
// the simulation where it stopped (SPEC §8.3: an id already in the ledger with the same content is
// a duplicate and skipped; with different content it is rejected). `until` moves the end later.
// All or nothing, like `run`. Throws InputError, UsageError or StorageError.
ApplySummary apply_into_database(const std::string& db_path, const std::string& events_path,
                                 std::optional<Timestamp> until);

// Where a journal entry is filed: the event that caused it (none for a scheduled report) and the
// report it belongs to (none for an event's own movements). `reports` and `report_seqs` are the
// batch the entry came with (Ledger::take_reports) and their stored seqs.
struct JournalOrigin {
  std::optional<std::int64_t> event_seq;
  std::optional<std::int64_t> report_seq;
};
JournalOrigin journal_origin(const JournalEntry& entry, std::optional<std::int64_t> event_seq,
                             const std::vector<ReportRecord>& reports,
                             const std::vector<std::int64_t>& report_seqs);

// The stored scenario, with the end that `apply --until` may have extended.
Scenario scenario_from(const storage::StoredScenario& stored);
Scenario load_stored_scenario(storage::LedgerStore& store);

// Rebuilds the ledger from the stored scenario and events: the state after every scheduled report
// and event stamped at or before `at` (SPEC §7.1 --at), or after the whole run when `at` is
// nullopt. Throws StorageError if the stored events no longer apply.
Ledger replay(storage::LedgerStore& store, std::optional<Timestamp> at);

}  // namespace yl
