#include "engine/runner.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include "engine/input/event_lookahead.h"
#include "engine/input/input_error.h"
#include "engine/input/input_file.h"
#include "engine/migrate.h"
#include "engine/replay/replay.h"
#include "engine/storage/migrations.h"
#include "engine/storage/new_database.h"
#include "engine/storage/storage_error.h"
#include "engine/usage_error.h"

namespace yl {

std::vector<JournalRow> journal_rows(const Ledger& ledger, std::optional<std::int64_t> event_seq,
                                     const std::vector<ReportRecord>& reports,
                                     const std::vector<std::int64_t>& report_seqs) {
  std::vector<JournalRow> rows;
  const std::vector<JournalEntry>& entries = ledger.journal().entries();
  for (std::size_t first = 0, last = 0; first < entries.size(); first = last) {
    const std::int64_t ordinal = entries[first].report_ordinal;
    last = first + 1;
    if (ordinal < 0) {
      while (last < entries.size() && entries[last].report_ordinal < 0) ++last;
    }
    JournalOrigin origin{event_seq, std::nullopt};
    if (ordinal >= 0) {
      const auto index = static_cast<std::size_t>(ordinal);
      const bool scheduled = reports.at(index).trigger == ReportTrigger::scheduled;
      origin = JournalOrigin{scheduled ? std::nullopt : event_seq, report_seqs.at(index)};
    }
    rows.push_back(JournalRow{origin, {entries.data() + first, last - first}});
  }
  return rows;
}

StoredOutputs store_outputs(Ledger& ledger, storage::LedgerStore& store,
                            const std::optional<EventToStore>& event, bool write_journal) {
  StoredOutputs stored;
  const std::vector<ReportRecord> reports = ledger.take_reports();
  std::vector<std::int64_t> report_seqs;
  for (const ReportRecord& report : reports) report_seqs.push_back(store.append_report(report));
  stored.reports = static_cast<std::int64_t>(reports.size());
  std::vector<JournalRow> rows;
  if (write_journal) {
    const auto event_seq = event ? std::optional(store.next_event_seq()) : std::nullopt;
    rows = journal_rows(ledger, event_seq, reports, report_seqs);
  }
  if (event) {
    stored.event_seq = store.append_event(event->raw, event->file, event->time, ledger, rows);
  } else {
    for (const JournalRow& row : rows) store.append_journal_row(ledger, row);
  }
  stored.journal_entries = static_cast<std::int64_t>(rows.size());
  ledger.clear_journal();
  return stored;
}

namespace {

// Stores what the ledger produced and counts it into `summary`. Returns the event's seq, if any.
std::optional<std::int64_t> store_outputs(Ledger& ledger, storage::LedgerStore& store,
                                          const std::optional<EventToStore>& event,
                                          const RunOptions& options, RunSummary& summary) {
  const StoredOutputs stored = store_outputs(ledger, store, event, options.write_journal);
  summary.reports += stored.reports;
  summary.journal_entries += stored.journal_entries;
  return stored.event_seq;
}

}  // namespace

std::int64_t scheduled_report_count(Timestamp start, Timestamp end, std::int64_t every_s) {
  return end < start || every_s <= 0 ? 0 : (end.seconds - start.seconds) / every_s;
}

namespace {

// Runs the scheduled reports due before `time` (at most the end), storing them every
// kReportBatch report times, so that memory stays flat however many fall between two events.
std::optional<Rejection> advance_in_batches(Ledger& ledger, storage::LedgerStore& store,
                                            Timestamp time, const RunOptions& options,
                                            RunSummary& summary) {
  constexpr int kReportBatch = 1024;
  const Timestamp until = std::min(time, ledger.params().end);
  for (;;) {
    for (int i = 0; i < kReportBatch; ++i) {
      const auto due = ledger.next_scheduled_report();
      if (!due || *due >= until) break;
      if (auto rejected = ledger.advance_to(*due)) return rejected;
    }
    const std::int64_t before = summary.reports;
    store_outputs(ledger, store, std::nullopt, options, summary);
    if (summary.reports == before) return std::nullopt;
    if (options.on_progress) {
      const LedgerParams& p = ledger.params();
      options.on_progress(summary.events, summary.reports, ledger.now().seconds - p.start.seconds,
                          p.end.seconds - p.start.seconds);
    }
  }
}

// After the last event: the reports due to the ledger's end, stored, then the ledger settled as
// of its last event (after the last stored journal row), ready for its snapshot.
std::optional<Rejection> finish(Ledger& ledger, storage::LedgerStore& store,
                                const RunOptions& options, RunSummary& summary) {
  const Timestamp end = ledger.params().end;
  auto rejected = advance_in_batches(ledger, store, end, options, summary);
  if (!rejected) rejected = ledger.advance_to(end);
  if (rejected) return rejected;
  store_outputs(ledger, store, std::nullopt, options, summary);
  store.flush_writes();
  ledger.settle();
  return std::nullopt;
}

// Why a run from `start` to `end` with a report every `every_s` is refused under
// options.max_reports ("would run N scheduled reports (...), more than ..."), if it is.
std::optional<std::string> too_many_reports(Timestamp start, Timestamp end, std::int64_t every_s,
                                            const RunOptions& options) {
  const std::int64_t count = scheduled_report_count(start, end, every_s);
  if (count <= options.max_reports) return std::nullopt;
  return fmt::format(
      "would run {} scheduled reports (one every {} s from {} to {}), more than the limit of {}; "
      "report less often, or raise the limit with --max-reports N",
      count, every_s, format_timestamp(start), format_timestamp(end), options.max_reports);
}

}  // namespace

RunSummary run_scenario(const Scenario& scenario, const std::string& scenario_file,
                        std::istream& events, storage::LedgerStore& store,
                        const RunOptions& options) {
  // Often enough for a smooth bar, rarely enough that it costs nothing.
  constexpr std::int64_t kProgressEvery = 4096;
  RunSummary summary{scenario.name, scenario.params.start, scenario.params.end, 0, 0, 0};
  store.clear();
  store.write_scenario(scenario_file, scenario.events_as_written, scenario.name, scenario.toml_text,
                       scenario.params.start, scenario.params.end, scenario.report_every,
                       options.drip);
  LedgerParams params = scenario.params;
  params.drip = options.drip;
  Ledger ledger(std::move(params));
  // The rows are written by a second thread while the next events are computed; an error of
  // either stops the run, and the caller's transaction rolls back all of it.
  store.start_write_behind();
  EventReader reader(events, scenario.events_as_written);
  EventLookahead rows(reader);  // for the prefetch: a row's error is thrown when it is reached
  while (const EventLookahead::Row* row = rows.next()) {
    const RawEvent& raw = row->raw;
    const Event& event = row->event;
    ledger.prefetch([&](std::size_t k) { return rows.ahead(k); });
    auto rejected = advance_in_batches(ledger, store, event.time, options, summary);
    if (!rejected) rejected = ledger.apply(event);
    if (rejected) throw InputError(reader.file_name(), raw.line, raw.type, rejected->reason);
    store_outputs(ledger, store, EventToStore{raw, reader.file_name(), event.time}, options,
                  summary);
    ++summary.events;
    if (options.on_progress && summary.events % kProgressEvery == 0) {
      options.on_progress(summary.events, summary.reports,
                          ledger.now().seconds - scenario.params.start.seconds,
                          scenario.params.end.seconds - scenario.params.start.seconds);
    }
  }
  if (const auto rejected = finish(ledger, store, options, summary)) {
    throw InputError(scenario_file, scenario.report_every_line, "scenario", rejected->reason);
  }
  store.write_snapshot(ledger);
  return summary;
}

namespace {

// Simulates into the database at `path`, in one transaction: all or nothing.
// `mode`: read_write_create for a ledger replaced in place, build_new for a new one's temporary.
RunSummary run_in(const std::string& path, const Scenario& scenario,
                  const std::string& scenario_path, const RunOptions& options,
                  storage::Database::Mode mode) {
  std::ifstream events =
      open_input_file(scenario.events_path.string(), scenario_path, scenario.events_line,
                      "scenario", fmt::format("events file '{}'", scenario.events_as_written));
  storage::Database db(path, mode);
  storage::Transaction txn(db);
  storage::migrate(db);
  RunSummary summary;
  {
    storage::LedgerStore store(db);
    summary = run_scenario(scenario, scenario_path, events, store, options);
  }
  txn.commit();
  if (mode == storage::Database::Mode::build_new) db.finish_build();
  db.fold_log();
  return summary;
}

}  // namespace

RunSummary run_into_database(const std::string& scenario_path, const std::string& db_path,
                             const RunOptions& options) {
  storage::check_ledger_path(db_path);
  const Scenario scenario = load_scenario(scenario_path);
  if (const auto why = too_many_reports(scenario.params.start, scenario.params.end,
                                        scenario.params.report_every_s, options)) {
    throw InputError(scenario_path, scenario.report_every_line, "scenario",
                     fmt::format("report_every = \"{}\" {}", scenario.report_every, *why));
  }
  storage::refuse_companion_input(scenario_path, "the scenario", db_path);
  storage::refuse_companion_input(scenario.events_path, "the events file", db_path);
  std::error_code ec;
  if (std::filesystem::exists(db_path, ec)) {
    storage::require_ledger_or_empty_file(db_path);  // before the writable open, which changes it
    return run_in(db_path, scenario, scenario_path, options,
                  storage::Database::Mode::read_write_create);
  }
  // A new ledger: built under a name of this process's own, then renamed into place. If another
  // process created the file meanwhile, its ledger is replaced like any existing one.
  RunSummary summary;
  if (storage::build_new_database(db_path, "yl-run", [&](const std::string& temporary) {
        summary =
            run_in(temporary, scenario, scenario_path, options, storage::Database::Mode::build_new);
      })) {
    return summary;
  }
  return run_in(db_path, scenario, scenario_path, options,
                storage::Database::Mode::read_write_create);
}

namespace {

// SPEC §8.3: a row whose id the ledger already holds with the same content is a duplicate (true);
// with other content it is rejected; a row without id, or with a new one, is not (false).
bool is_duplicate(storage::LedgerStore& store, const RawEvent& raw, const std::string& file) {
  if (raw.id.empty()) return false;
  const auto stored = store.find_event_by_id(raw.id);
  if (!stored) return false;
  const RawEvent& s = stored->raw;
  const bool same = s.time == raw.time && s.type == raw.type && s.account == raw.account &&
                    s.asset == raw.asset && s.amount == raw.amount && s.to == raw.to &&
                    s.value == raw.value;
  if (!same) {
    throw InputError(file, raw.line, raw.type.empty() ? "csv" : raw.type,
                     fmt::format("id '{}' is already in the ledger with other content ({}:{})",
                                 raw.id, stored->file, s.line));
  }
  return true;
}

}  // namespace

ApplySummary apply_into_database(const std::string& db_path, const std::string& events_path,
                                 std::optional<Timestamp> until, const RunOptions& options) {
  storage::check_ledger_path(db_path);
  std::ifstream in = open_input_file(events_path, events_path, 1, "csv", "the events file");
  storage::refuse_companion_input(events_path, "the events file", db_path);
  storage::require_existing_ledger(db_path);
  // Before the writable open, which would change it. A ledger older than its hash chains and
  // journal gets them from `migrate`'s replay, which apply's own upgrade (storage::migrate) does
  // not do: apply stopped on an assertion, the file's header changed (helper-45's F13).
  if (const std::int64_t version = storage::require_ledger_file(db_path); version < kDerivedSince) {
    throw storage::StorageError(
        storage::StorageError::Kind::bad_database,
        fmt::format("'{}' has schema version {}, older than this yieldledger's {}; upgrade it with "
                    "`yieldledger migrate --db {}` first (it replays the ledger's events to build "
                    "its hash chains and journal)",
                    db_path, version, storage::current_schema_version(), db_path));
  }
  storage::Database db(db_path, storage::Database::Mode::read_write_create);
  storage::Transaction txn(db);
  storage::migrate(db);
  storage::LedgerStore store(db);
  if (!store.has_ledger()) store.refuse_no_ledger();
  // Before the replay, which would run them; an --until at the ledger's end runs no new report.
  if (until) {
    const LedgerParams params = load_stored_scenario(store).params;
    if (*until > params.end)
      if (const auto why = too_many_reports(params.start, *until, params.report_every_s, options))
        throw UsageError(fmt::format("--until {} {}", format_timestamp(*until), *why));
  }
  Ledger ledger = replay(store, std::nullopt);
  if (until) {
    if (*until < ledger.params().end) {
      throw UsageError(fmt::format("--until {} is before the ledger's end {}",
                                   format_timestamp(*until),
                                   format_timestamp(ledger.params().end)));
    }
    ledger.extend_end(*until);
    store.set_end_extended(*until);
  }
  ApplySummary summary;
  RunSummary outputs;
  std::optional<std::int64_t> first_event;
  EventReader reader(in, events_path);
  RawEvent raw;
  // SPEC §1.2: a row's time never decreases from the row before, a skipped duplicate's included
  // (a file that went back in time through its duplicates was taken without a word).
  std::optional<Timestamp> previous_row;
  const auto check_row_time = [&](Timestamp time) {
    if (previous_row && time < *previous_row) {
      throw InputError(events_path, raw.line, raw.type,
                       fmt::format("time {} is before the previous event's time {}", raw.time,
                                   format_timestamp(*previous_row)));
    }
    previous_row = time;
  };
  while (reader.next_raw(raw)) {
    if (is_duplicate(store, raw, events_path)) {
      // Its content is a stored row's, whose time was parsed when it was stored.
      if (const auto time = parse_timestamp(raw.time)) check_row_time(*time);
      ++summary.duplicates;
      continue;
    }
    const Event event = parse_event(raw, events_path);
    check_row_time(event.time);
    // The ledger has run its reports up to where it stopped; an earlier event would land
    // before reports already stored, and a replay could not reproduce the ledger.
    if (event.time < ledger.now()) {
      throw InputError(events_path, raw.line, raw.type,
                       fmt::format("time {} is before {}, where the ledger stopped (append "
                                   "events at or after it)",
                                   raw.time, format_timestamp(ledger.now())));
    }
    auto rejected = advance_in_batches(ledger, store, event.time, options, outputs);
    if (!rejected) rejected = ledger.apply(event);
    if (rejected) throw InputError(events_path, raw.line, raw.type, rejected->reason);
    const auto seq =
        store_outputs(ledger, store, EventToStore{raw, events_path, event.time}, options, outputs);
    if (!first_event) first_event = seq;
    ++summary.events;
  }
  if (const auto rejected = finish(ledger, store, options, outputs)) {
    throw InputError(events_path, 1, "csv", rejected->reason);
  }
  store.replace_snapshot(ledger);
  summary.reports = outputs.reports;
  summary.end = ledger.params().end;
  store.record_append(events_path, first_event, summary.events, summary.duplicates, summary.end);
  txn.commit();
  db.fold_log();
  return summary;
}

}  // namespace yl
