#include "engine/runner.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "engine/input/input_error.h"
#include "engine/replay.h"
#include "engine/storage/journal_json.h"
#include "engine/storage/migrations.h"
#include "engine/storage/storage_error.h"

namespace yl {

JournalOrigin journal_origin(const JournalEntry& entry, std::optional<std::int64_t> event_seq,
                             const std::vector<ReportRecord>& reports,
                             const std::vector<std::int64_t>& report_seqs) {
  if (entry.report_ordinal < 0) return JournalOrigin{event_seq, std::nullopt};
  const auto ordinal = static_cast<std::size_t>(entry.report_ordinal);
  const bool scheduled = reports.at(ordinal).trigger == ReportTrigger::scheduled;
  return JournalOrigin{scheduled ? std::nullopt : event_seq, report_seqs.at(ordinal)};
}

namespace {

// Stores the reports and journal entries the ledger produced since the last call. `event_seq`
// is the event that caused them; scheduled reports have no cause.
void store_outputs(Ledger& ledger, storage::LedgerStore& store,
                   std::optional<std::int64_t> event_seq, const RunOptions& options,
                   RunSummary& summary) {
  const std::vector<ReportRecord> reports = ledger.take_reports();
  std::vector<std::int64_t> report_seqs;
  for (const ReportRecord& report : reports) report_seqs.push_back(store.append_report(report));
  summary.reports += static_cast<std::int64_t>(reports.size());
  for (const JournalEntry& entry : ledger.journal().entries()) {
    if (!options.write_journal) break;
    const JournalOrigin origin = journal_origin(entry, event_seq, reports, report_seqs);
    store.append_journal_entry(origin.event_seq, origin.report_seq,
                               storage::journal_entry_json(ledger, entry));
    ++summary.journal_entries;
  }
  ledger.clear_journal();
}

}  // namespace

RunSummary run_scenario(const Scenario& scenario, const std::string& scenario_file,
                        std::istream& events, storage::LedgerStore& store,
                        const RunOptions& options, std::uint64_t events_bytes) {
  // Often enough for a smooth bar, rarely enough that tellg() costs nothing.
  constexpr std::int64_t kProgressEvery = 4096;
  RunSummary summary{scenario.name, scenario.params.start, scenario.params.end, 0, 0, 0};
  store.clear();
  store.write_scenario(scenario_file, scenario.events_as_written, scenario.name,
                       scenario.toml_text, scenario.params.start, scenario.params.end,
                       scenario.report_every);
  Ledger ledger(scenario.params);
  EventReader reader(events, scenario.events_as_written);
  while (const auto raw = reader.next_raw()) {
    const Event event = parse_event(*raw, reader.file_name());
    if (const auto rejected = ledger.apply(event)) {
      throw InputError(reader.file_name(), raw->line, raw->type, rejected->reason);
    }
    const std::int64_t seq = store.append_event(*raw, reader.file_name(), event.time);
    store_outputs(ledger, store, seq, options, summary);
    ++summary.events;
    if (options.on_progress && summary.events % kProgressEvery == 0) {
      const auto position = events.tellg();
      options.on_progress(summary.events, position < 0 ? 0 : static_cast<std::uint64_t>(position),
                          events_bytes);
    }
  }
  if (const auto rejected = ledger.advance_to(scenario.params.end)) {
    throw InputError(scenario_file, 1, "scenario", rejected->reason);
  }
  store_outputs(ledger, store, std::nullopt, options, summary);
  store.write_snapshot(take_snapshot(ledger));
  return summary;
}

namespace {

void remove_database_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, ec);
  }
}

}  // namespace

RunSummary run_into_database(const std::string& scenario_path, const std::string& db_path,
                             const RunOptions& options) {
  const Scenario scenario = load_scenario(scenario_path);
  std::ifstream events(scenario.events_path, std::ios::binary);
  if (!events) {
    throw InputError(scenario_path, scenario.events_line, "scenario",
                     fmt::format("cannot open events file '{}'", scenario.events_as_written));
  }
  std::error_code ec;
  const bool existed = std::filesystem::exists(db_path, ec);
  try {
    storage::Database db(db_path, storage::Database::Mode::read_write_create);
    storage::Transaction txn(db);
    storage::migrate(db);
    storage::LedgerStore store(db);
    const std::uintmax_t size = std::filesystem::file_size(scenario.events_path, ec);
    const RunSummary summary =
        run_scenario(scenario, scenario_path, events, store, options, ec ? 0 : size);
    txn.commit();
    return summary;
  } catch (...) {
    if (!existed) remove_database_files(db_path);
    throw;
  }
}

Scenario scenario_from(const storage::StoredScenario& stored) {
  Scenario scenario = parse_scenario(stored.toml, stored.file, {});
  if (stored.end_extended) scenario.params.end = *stored.end_extended;
  return scenario;
}

Scenario load_stored_scenario(storage::LedgerStore& store) {
  return scenario_from(store.read_scenario());
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
                                 std::optional<Timestamp> until) {
  std::ifstream in(events_path, std::ios::binary);
  if (!in) throw InputError(events_path, 1, "csv", "cannot open the events file");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) {
    throw storage::StorageError(storage::StorageError::Kind::bad_database,
                                fmt::format("database '{}' not found", db_path));
  }
  storage::Database db(db_path, storage::Database::Mode::read_write_create);
  storage::Transaction txn(db);
  storage::migrate(db);
  storage::LedgerStore store(db);
  if (!store.has_ledger()) {
    throw storage::StorageError(storage::StorageError::Kind::bad_database,
                                fmt::format("'{}' holds no ledger (run a scenario into it first)",
                                            db_path));
  }
  Ledger ledger = replay(store, std::nullopt);
  if (until) {
    if (*until < ledger.params().end) {
      throw InputError("--until", 1, "usage",
                       fmt::format("{} is before the ledger's end {}", format_timestamp(*until),
                                   format_timestamp(ledger.params().end)));
    }
    ledger.extend_end(*until);
    store.set_end_extended(*until);
  }
  ApplySummary summary;
  RunSummary outputs;
  std::optional<std::int64_t> first_event;
  EventReader reader(in, events_path);
  while (const auto raw = reader.next_raw()) {
    if (is_duplicate(store, *raw, events_path)) {
      ++summary.duplicates;
      continue;
    }
    const Event event = parse_event(*raw, events_path);
    // The ledger has run its reports up to where it stopped; an earlier event would land
    // before reports already stored, and a replay could not reproduce the ledger.
    if (event.time < ledger.now()) {
      throw InputError(events_path, raw->line, raw->type,
                       fmt::format("time {} is before {}, where the ledger stopped (append "
                                   "events at or after it)",
                                   raw->time, format_timestamp(ledger.now())));
    }
    if (const auto rejected = ledger.apply(event)) {
      throw InputError(events_path, raw->line, raw->type, rejected->reason);
    }
    const std::int64_t seq = store.append_event(*raw, events_path, event.time);
    if (!first_event) first_event = seq;
    store_outputs(ledger, store, seq, RunOptions{}, outputs);
    ++summary.events;
  }
  if (const auto rejected = ledger.advance_to(ledger.params().end)) {
    throw InputError(events_path, 1, "csv", rejected->reason);
  }
  store_outputs(ledger, store, std::nullopt, RunOptions{}, outputs);
  store.replace_snapshot(take_snapshot(ledger));
  summary.reports = outputs.reports;
  summary.end = ledger.params().end;
  store.record_append(events_path, first_event, summary.events, summary.duplicates, summary.end);
  txn.commit();
  return summary;
}

Ledger replay(storage::LedgerStore& store, std::optional<Timestamp> at) {
  return replay_window(store, std::nullopt, at, /*observer=*/nullptr);
}

}  // namespace yl
