#include "engine/replay/replay.h"

#include <fmt/format.h>

#include "engine/input/event_parser.h"
#include "engine/input/input_error.h"
#include "engine/storage/read_ahead.h"
#include "engine/storage/storage_error.h"

namespace yl {
namespace {

constexpr std::size_t kReplayBatch = 256;  // events the reader thread reads at a time

// A stored row that no longer parses was changed in the ledger: said so, not as an error of the
// events file of that name (helper-84's F1: `apply --db L more.csv` blamed 'events.csv:13').
Event parse_stored(const storage::StoredEvent& stored) {
  try {
    return parse_event(stored.raw, stored.file);
  } catch (const InputError& error) {
    throw storage::StorageError(
        storage::StorageError::Kind::bad_database,
        fmt::format("stored event {}:{} no longer parses: {}: {} (run `yieldledger audit`)",
                    stored.file, stored.raw.line, error.type(), error.reason()));
  }
}

void apply_stored(Ledger& ledger, const storage::StoredEvent& stored, const Event& event) {
  if (const auto rejected = ledger.apply(event)) {
    throw storage::StorageError(
        storage::StorageError::Kind::bad_database,
        fmt::format("stored event {}:{} no longer applies: {} (run `yieldledger audit`)",
                    stored.file, stored.raw.line, rejected->reason));
  }
}

// A stored ledger's scheduled reports all ran when it was written (SPEC §1.3: a run is all or
// nothing). One that overflows now was tampered with; it would stay due, so it must stop here.
void advance_stored(Ledger& ledger, Timestamp time) {
  if (const auto rejected = ledger.advance_to(time)) {
    throw storage::StorageError(
        storage::StorageError::Kind::bad_database,
        fmt::format("stored ledger no longer replays: {} (run `yieldledger audit`)",
                    rejected->reason));
  }
}

}  // namespace

std::optional<std::string> too_many_report_times(storage::LedgerStore& store,
                                                 const LedgerParams& p) {
  const std::int64_t times = (p.end.seconds - p.start.seconds) / p.report_every_s;
  // Its rows, not the last report's seq: one edited seq would let a replay run again.
  const std::int64_t stored = store.report_row_count();
  // An intact ledger stores a row or more for each asset at every time. The bound keeps a
  // replay's work within what is stored, with room for a few deleted rows, which the replay's
  // own checks name precisely (a deleted row blamed on the scenario told the auditor less).
  if (times <= stored) return std::nullopt;
  return fmt::format("stored scenario: it makes {} scheduled report times (one every {} s from {} "
                     "to {}), but the ledger stores {} report rows: the ledger was changed by "
                     "hand, or is damaged",
                     times, p.report_every_s, format_timestamp(p.start), format_timestamp(p.end),
                     stored);
}

std::string unloadable_stored_scenario(const storage::StoredScenario& stored,
                                       const InputError& error) {
  // `run` stored the text it loaded, so one that no longer loads was changed in the ledger; said
  // so, not as an error of the file of that name (as it is on disk, it may well load).
  return fmt::format("stored scenario: the copy of '{}' kept in the ledger no longer loads (its "
                     "line {}: {}: {}): the ledger was changed by hand, or is damaged",
                     stored.file, error.line(), error.type(), error.reason());
}

Scenario parse_stored_scenario(const storage::StoredScenario& stored) {
  try {
    return parse_scenario(stored.toml, stored.file, {});
  } catch (const InputError& error) {
    throw storage::StorageError(storage::StorageError::Kind::bad_database,
                                unloadable_stored_scenario(stored, error));
  }
}

Scenario scenario_from(const storage::StoredScenario& stored, Scenario as_written) {
  Scenario scenario = std::move(as_written);
  if (stored.end_extended && *stored.end_extended < scenario.params.end) {
    throw storage::StorageError(
        storage::StorageError::Kind::bad_database,
        fmt::format("stored scenario: end_extended {} is before the scenario's end {}, which "
                    "`apply --until` only moves later: the ledger was changed by hand, or is "
                    "damaged (run `yieldledger audit`)",
                    format_timestamp(*stored.end_extended), format_timestamp(scenario.params.end)));
  }
  if (stored.end_extended) scenario.params.end = *stored.end_extended;
  scenario.params.drip = stored.drip;  // the schedule it was written with (schema 6)
  return scenario;
}

Scenario scenario_from(const storage::StoredScenario& stored) {
  return scenario_from(stored, parse_stored_scenario(stored));
}

Scenario load_stored_scenario(storage::LedgerStore& store) {
  return scenario_from(store.read_scenario());
}

Ledger replay(storage::LedgerStore& store, std::optional<Timestamp> at) {
  return replay_window(store, std::nullopt, at, /*observer=*/nullptr);
}

Ledger replay_window(storage::LedgerStore& store, std::optional<Timestamp> from,
                     std::optional<Timestamp> to, ReplayObserver* observer, ReplayWindow* window) {
  const Scenario scenario = load_stored_scenario(store);
  // Refused first, with one query, before the replay runs them.
  if (const auto refusal = too_many_report_times(store, scenario.params)) {
    throw storage::StorageError(storage::StorageError::Kind::bad_database,
                                *refusal + " (run `yieldledger audit`)");
  }
  Ledger ledger(scenario.params);
  const Timestamp first = std::max(from.value_or(scenario.params.start), scenario.params.start);
  const Timestamp last = std::min(to.value_or(scenario.params.end), scenario.params.end);
  if (window != nullptr) *window = ReplayWindow{first, last};
  // The window is (from, to]: what is stamped at `from` is history, in the opening state, so that
  // windows chained end to start count nothing twice. Without `from` (or before the start), the
  // opening is the genesis, before anything the run stamped.
  const Timestamp genesis{scenario.params.start.seconds - 1};
  const Timestamp history_end = from && *from > genesis ? *from : genesis;
  auto discard_outputs = [&] {
    ledger.take_reports();
    ledger.clear_journal();
  };
  bool opened = false;
  auto open = [&] {
    if (opened) return;
    // Everything stamped up to the window's start is history: its reports run unobserved.
    advance_stored(ledger, history_end);
    // Observers read the state as SPEC §9.1 has it after every event (Ledger::settle); a replay
    // without one (`apply`'s) leaves the stream as the run left it, so that what it appends
    // journals exactly as an uninterrupted run would.
    if (observer != nullptr) ledger.settle();
    discard_outputs();
    if (observer != nullptr) observer->opening(ledger);
    opened = true;
  };
  auto step = [&](const storage::StoredEvent* stored, const Event* event, Timestamp until) {
    if (observer != nullptr) observer->before(ledger, until);
    if (event != nullptr) {
      apply_stored(ledger, *stored, *event);
    } else {
      advance_stored(ledger, until);
    }
    const std::vector<ReportRecord> reports = ledger.take_reports();
    if (observer != nullptr && (event != nullptr || !reports.empty())) {
      ledger.settle();  // its drip, if any, is in the journal the observer reads with the step's
      observer->after(ledger, reports, stored);
    }
    ledger.clear_journal();
  };
  // Scheduled reports one time at a time, so that observers see the state after each of them.
  auto advance = [&](Timestamp until) {
    for (auto due = ledger.next_scheduled_report(); due && *due < until;
         due = ledger.next_scheduled_report()) {
      step(nullptr, nullptr, *due);
    }
    step(nullptr, nullptr, until);
  };
  // The stored events are read and parsed by a second thread, a few batches ahead
  // (storage/read_ahead.h); nothing below touches the connection while it runs. A row that no
  // longer parses throws here, after the rows before it.
  struct ParsedEvent {
    storage::StoredEvent stored;
    Event event;
  };
  storage::ReadAhead reader;
  auto& events = reader.add<ParsedEvent>(
      [cursor = store.events_in_order()](ParsedEvent& row) mutable {
        if (!cursor.next(row.stored)) return false;
        row.event = parse_stored(row.stored);
        return true;
      },
      kReplayBatch);
  reader.start();
  while (const ParsedEvent* row = events.next()) {
    const storage::StoredEvent& stored = row->stored;
    const Event& event = row->event;
    ledger.prefetch([&events](std::size_t k) -> const Event* {
      const ParsedEvent* ahead = events.peek(k);
      return ahead != nullptr ? &ahead->event : nullptr;
    });
    if (event.time <= history_end) {
      // The reports due first, as in the window: one that fails is named as such, not as the
      // event after it.
      advance_stored(ledger, event.time);
      apply_stored(ledger, stored, event);
      discard_outputs();
      continue;
    }
    open();
    if (event.time > last) break;
    advance(event.time);  // scheduled reports due up to the event
    step(&stored, &event, event.time);
  }
  reader.stop();
  open();
  if (last >= ledger.now()) advance(last);
  if (observer != nullptr) {
    ledger.settle();
    observer->closing(ledger);
  }
  return ledger;
}

}  // namespace yl
