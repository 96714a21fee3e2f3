#include "engine/audit_tables.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "engine/core/journal.h"
#include "engine/core/timestamp.h"
#include "engine/storage/migrations.h"

namespace yl {
namespace {

std::string seq_or_null(const std::optional<std::int64_t>& seq) {
  return seq ? std::to_string(*seq) : "NULL";
}

}  // namespace

std::string describe(const storage::StoredEvent& e) {
  std::string where = fmt::format("event {}:{} (seq {}", e.file, e.raw.line, e.seq);
  if (!e.raw.id.empty()) where += fmt::format(", id '{}'", e.raw.id);
  return where + ")";
}

void check_schema_code(storage::Database& db) {
  if (const auto difference = storage::schema_difference(db)) mismatch(*difference);
}

void check_journal_memos(const std::vector<std::pair<std::int64_t, std::string>>& rows) {
  std::size_t code = 0;  // the next code of the engine's table
  for (const auto& [stored_code, name] : rows) {
    if (stored_code < 0 || static_cast<std::size_t>(stored_code) >= kMemoCount ||
        static_cast<std::size_t>(stored_code) < code) {
      mismatch(fmt::format("journal_memos: code {} ('{}') is in the database but not in the "
                           "engine's memo table (inserted?)",
                           stored_code, name));
    }
    if (static_cast<std::size_t>(stored_code) > code) break;  // `code` is missing
    const std::string_view expected = memo_name(static_cast<Memo>(code));
    if (name != expected) {
      mismatch(fmt::format("journal_memos: code {}: name is '{}' in the database but '{}' in the "
                           "engine's memo table",
                           stored_code, name, expected));
    }
    ++code;
  }
  if (code < kMemoCount) {
    mismatch(fmt::format("journal_memos: code {} ('{}') of the engine's memo table is not in the "
                         "database (deleted?)",
                         code, memo_name(static_cast<Memo>(code))));
  }
}

void check_scenario_row(const storage::StoredScenario& stored, const Scenario& as_written) {
  const std::pair<const char*, std::pair<const std::string&, std::string>> columns[] = {
      {"name", {stored.name, as_written.name}},
      {"events_file", {stored.events_file, as_written.events_as_written}},
      {"start_time", {stored.start_time, format_timestamp(as_written.params.start)}},
      {"end_time", {stored.end_time, format_timestamp(as_written.params.end)}},
      {"report_every", {stored.report_every, as_written.report_every}}};
  for (const auto& [column, values] : columns) {
    if (values.first != values.second) {
      mismatch(fmt::format("scenario: {} is '{}' in the database but '{}' in its toml", column,
                           values.first, values.second));
    }
  }
}

AppendsCheck::AppendsCheck(const std::vector<storage::StoredAppend>& rows,
                           const storage::StoredScenario& stored, const Scenario& as_written,
                           const std::string& genesis)
    : run_file_(stored.events_file), rows_(static_cast<std::int64_t>(rows.size())), head_(genesis) {
  const Timestamp ledger_end = stored.end_extended.value_or(as_written.params.end);
  Timestamp previous_end = as_written.params.end;
  std::string previous = "the scenario's end_time";
  std::optional<std::int64_t> last_event;  // of the rows so far
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const storage::StoredAppend& row = rows[i];
    const std::string at = fmt::format("appends row {}", row.seq);
    const storage::Digest link = storage::append_hash(head_, row);
    if (storage::bytes_of(link) != row.hash) {
      mismatch(at + (i == 0 ? ": hash chain broken: this row or the stored scenario was changed"
                            : ": hash chain broken: this row was changed, or a row before it was "
                              "deleted or inserted"));
    }
    storage::to_hex(link, head_);
    if (row.seq != static_cast<std::int64_t>(i + 1)) {
      mismatch(fmt::format("{}: expected row {} here: a row was deleted or inserted", at, i + 1));
    }
    if (row.events < 0 || row.duplicates < 0) {
      mismatch(fmt::format("{}: events is {} and duplicates {}, but neither counts below 0", at,
                           row.events, row.duplicates));
    }
    if (row.first_event.has_value() != (row.events > 0)) {
      mismatch(fmt::format("{}: first_event is {} but events is {}", at,
                           seq_or_null(row.first_event), row.events));
    }
    const auto end = parse_timestamp(row.end_time);
    if (!end || format_timestamp(*end) != row.end_time) {
      mismatch(
          fmt::format("{}: end_time '{}' is not a time as `apply` writes it", at, row.end_time));
    }
    if (*end < previous_end) {
      mismatch(fmt::format("{}: end_time is {}, before {} {}: the end never moves back", at,
                           row.end_time, previous, format_timestamp(previous_end)));
    }
    previous_end = *end;
    previous = fmt::format("row {}'s", row.seq);
    if (!row.first_event) continue;
    if (*row.first_event < 1) {
      mismatch(fmt::format("{}: first_event is {}, not an event's seq", at, *row.first_event));
    }
    if (last_event && *row.first_event != *last_event + 1) {
      mismatch(fmt::format("{}: first_event is {} but the rows before it end at event {}: an "
                           "apply's events follow the last one stored",
                           at, *row.first_event, *last_event));
    }
    last_event = *row.first_event + row.events - 1;
    applied_.push_back({row.seq, *row.first_event, *last_event, row.file, *end});
  }
  if (!rows.empty() && previous_end != ledger_end) {
    mismatch(fmt::format("appends row {}: end_time is {} but the ledger's end is {} ({})",
                         rows.back().seq, format_timestamp(previous_end),
                         format_timestamp(ledger_end),
                         stored.end_extended ? "scenario.end_extended" : "scenario.end_time"));
  }
  if (rows.empty() && stored.end_extended) {
    mismatch(fmt::format("scenario: end_extended is {} but appends has no row of the `apply "
                         "--until` that set it (deleted?)",
                         format_timestamp(*stored.end_extended)));
  }
}

void AppendsCheck::check_event(const storage::StoredEvent& e, Timestamp time) {
  if (next_ < applied_.size() && e.seq >= applied_[next_].first_event) {
    const Applied& row = applied_[next_];
    if (e.file != row.file) {
      mismatch(fmt::format("appends row {}: file is '{}' but its {} is from '{}'", row.seq,
                           row.file, describe(e), e.file));
    }
    if (row.end < time) {
      mismatch(fmt::format("appends row {}: end_time is {} but its {} is at {}, after it", row.seq,
                           format_timestamp(row.end), describe(e), format_timestamp(time)));
    }
    if (e.seq == row.last_event) ++next_;
  } else if (next_ > 0) {
    mismatch(fmt::format("{}: after the events of appends row {}, but no appends row lists it "
                         "(deleted?)",
                         describe(e), applied_[next_ - 1].seq));
  } else if (e.file != run_file_) {
    mismatch(fmt::format("{}: its file is not the scenario's events_file '{}', but no appends "
                         "row lists it (deleted?)",
                         describe(e), run_file_));
  }
}

void AppendsCheck::check_end(std::int64_t last_seq) const {
  if (next_ < applied_.size()) {
    const Applied& row = applied_[next_];
    mismatch(fmt::format("appends row {}: first_event {} and events {} list events up to {}, but "
                         "the last event is seq {} (deleted?)",
                         row.seq, row.first_event, row.last_event - row.first_event + 1,
                         row.last_event, last_seq));
  }
}

}  // namespace yl
