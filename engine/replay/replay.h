// Replaying a stored ledger from scratch: the one loop behind `--at`, `apply` (to resume),
// `audit` and `explain` (which watches a time window of it), and the loading of the stored
// scenario it starts from. It sits on core, input and storage; the runner uses it, never the
// other way round.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/core/ledger.h"
#include "engine/input/input_error.h"
#include "engine/input/scenario.h"
#include "engine/storage/ledger_store.h"

namespace yl {

// The stored scenario, with the end that `apply --until` may have extended. Throws StorageError
// (bad_database) for an extended end before the scenario's own: `apply` only moves it later.
Scenario scenario_from(const storage::StoredScenario& stored);
// The same from `as_written`, the stored TOML already parsed (its own end: `audit` checks the
// stored columns against it first).
Scenario scenario_from(const storage::StoredScenario& stored, Scenario as_written);
// The stored TOML, parsed as `run` read it. Throws StorageError (bad_database) when it no longer
// loads: the ledger was changed (unloadable_stored_scenario says so).
Scenario parse_stored_scenario(const storage::StoredScenario& stored);
// Why the stored TOML does not load, `error` being its parser's: a message that names the
// ledger's copy of the file, not the file on disk.
std::string unloadable_stored_scenario(const storage::StoredScenario& stored,
                                       const InputError& error);
Scenario load_stored_scenario(storage::LedgerStore& store);
// Why a ledger under `params` cannot be the one `store` holds, by its count of report rows:
// every scheduled report time stored a report (one row or more) for each asset, so a stored
// scenario edited to make more (report_every = "1s" over a century) would replay for hours. nullopt
// when the count allows it.
std::optional<std::string> too_many_report_times(storage::LedgerStore& store,
                                                 const LedgerParams& params);

// Rebuilds the ledger from the stored scenario and events: the state after every scheduled report
// and event stamped at or before `at` (SPEC §7.1 --at), or after the whole run when `at` is
// nullopt. Throws StorageError if the stored events no longer apply. The ledger is not settled
// (Ledger::settle): `apply` continues it as the run left it; a reader settles it first.
Ledger replay(storage::LedgerStore& store, std::optional<Timestamp> at);

// Sees a replay's window: the state when it opens, around each step (the scheduled reports of
// one time, or one event with any report it forces), and when it closes. Every hook sees a
// settled ledger (Ledger::settle), whose drip, if the settling dripped, is among the step's
// journal entries.
class ReplayObserver {
 public:
  virtual ~ReplayObserver() = default;
  virtual void opening(const Ledger& ledger) = 0;
  // `until`: the time the step brings the ledger to (the event's time, or the window's end for
  // the last batch of scheduled reports); nothing in the step is stamped later.
  virtual void before(const Ledger& ledger, Timestamp until) = 0;
  // `event` is null for scheduled reports. The ledger's journal holds the step's entries.
  virtual void after(const Ledger& ledger, const std::vector<ReportRecord>& reports,
                     const storage::StoredEvent* event) = 0;
  virtual void closing(const Ledger& ledger) = 0;
};

struct ReplayWindow {
  Timestamp first, last;
};

// Rebuilds the ledger from the stored scenario and events, up to `to` (the state after every
// scheduled report and event stamped at or before it; the end of the run when nullopt; genesis
// before the start). `observer`, if any, opens on the state at `from` (as replayed to `from`;
// genesis without it) and is shown what is stamped after it, up to `to`: the window (from, to],
// so that two windows chained end to start see nothing twice. `window`, if any, receives the
// window clamped to the run. Throws StorageError if a stored event no
// longer applies. With an observer, the ledger returned is settled.
Ledger replay_window(storage::LedgerStore& store, std::optional<Timestamp> from,
                     std::optional<Timestamp> to, ReplayObserver* observer,
                     ReplayWindow* window = nullptr);

}  // namespace yl
