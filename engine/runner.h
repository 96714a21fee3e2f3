// The application layer between inputs, the pure Ledger and the store: `run` a scenario into a
// database and `apply` events to it (replaying a stored ledger is engine/replay's). The CLI is a
// thin shell around these.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <span>
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

// The most scheduled reports a ledger may have (from start to end, or to `apply --until`)
// unless the caller raises it (`--max-reports`): a cadence of 1s over a year would be 31,536,000
// reports and hours of work, most likely a mistake.
inline constexpr std::int64_t kDefaultMaxReports = 1'000'000;

// How `run` and `apply` write. The defaults are what every user gets; write_journal exists so
// that the benchmark can measure what the journal costs (a ledger without it fails `audit`).
struct RunOptions {
  bool write_journal = true;
  // A new ledger's drip schedule (Ledger's DripSchedule), which the ledger keeps; `apply`
  // continues a ledger under the one it has.
  DripSchedule drip = DripSchedule::touched;
  std::int64_t max_reports = kDefaultMaxReports;
  // Told, every few thousand events or reports, how many are done and how far the simulation's
  // clock is from start to end, in seconds (for a progress bar). Default: nothing.
  std::function<void(std::int64_t events, std::int64_t reports, std::int64_t seconds_done,
                     std::int64_t seconds_total)>
      on_progress;
};

// How many scheduled reports run from `start` to `end` every `every_s` seconds (SPEC §5.4).
std::int64_t scheduled_report_count(Timestamp start, Timestamp end, std::int64_t every_s);

// Simulates `scenario` from start to end with the events read from `events`, writing everything
// to `store` (the caller owns the transaction, so a rejection leaves the database as it was).
// Throws InputError at the first rejected row; storage failures throw StorageError. Reports are
// stored in batches as they run, so memory stays flat however many fall between two events.
RunSummary run_scenario(const Scenario& scenario, const std::string& scenario_file,
                        std::istream& events, storage::LedgerStore& store,
                        const RunOptions& options = {});

// `yieldledger run`: loads the scenario at `scenario_path` and simulates it into the database at
// `db_path`. A new file is built under a temporary name unique to this process in the same
// folder, then renamed into place (fsynced), so a failed run removes only its own temporary
// file and never a ledger another process wrote. An existing ledger is replaced in one
// transaction, and left as it was on any failure. Throws InputError, UsageError (more scheduled
// reports than options.max_reports) or StorageError.
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
                                 std::optional<Timestamp> until, const RunOptions& options = {});

// The rows the ledger's journal is stored as, in order: one per entry, except that an event's own
// entries (report_ordinal < 0) that follow each other share a row, their postings in order. That
// is SPEC §9.1's drip and the event after it: one row where a streamed ledger would otherwise
// write two for every event. `reports` and `report_seqs` are the batch the entries came with
// (Ledger::take_reports) and their stored seqs; `event_seq` the event that caused them, if any.
// Both `run` (store_outputs) and `audit` (which compares) file the journal through this.
using storage::JournalOrigin;
using storage::JournalRow;
std::vector<JournalRow> journal_rows(const Ledger& ledger, std::optional<std::int64_t> event_seq,
                                     const std::vector<ReportRecord>& reports,
                                     const std::vector<std::int64_t>& report_seqs);

// Stores the reports and journal entries the ledger produced since the last call (and clears its
// journal): the reports, then the journal_rows of `event`, the event that caused them, stored
// with them (LedgerStore::append_event), or of no event for scheduled reports. The one store loop
// of run, apply and migrate.
struct EventToStore {
  const RawEvent& raw;
  const std::string& file;
  Timestamp time;
};
struct StoredOutputs {
  std::optional<std::int64_t> event_seq;  // the event's, when one was stored
  std::int64_t reports = 0;
  std::int64_t journal_entries = 0;  // rows
};
StoredOutputs store_outputs(Ledger& ledger, storage::LedgerStore& store,
                            const std::optional<EventToStore>& event, bool write_journal = true);

}  // namespace yl
