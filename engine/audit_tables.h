// `audit`'s checks of the rows a replay does not reproduce: the schema's views and triggers, the
// names of the journal's memos, the scenario's columns derived from its TOML, and the log of
// applies. Each throws AuditMismatch (audit.h) at the first difference, naming the table, the
// row and the column.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/audit.h"
#include "engine/input/scenario.h"
#include "engine/storage/database.h"
#include "engine/storage/ledger_store.h"

namespace yl {

// Stops the audit at a difference, named in `what` (AuditMismatch, exit 3).
[[noreturn]] inline void mismatch(const std::string& what) { throw AuditMismatch(what); }

// An event row for a message: "event FILE:LINE (seq N, id 'ID')".
std::string describe(const storage::StoredEvent& e);

// Every table, column, index, view and trigger of `db` is one the migrations create, and none is
// missing (storage::schema_difference): a view's SQL is what `journal` and the exports read.
void check_schema_code(storage::Database& db);

// journal_memos, the names of the codes the journal's rows store, holds exactly the engine's memo
// table (engine/core/journal.h): no row renamed, swapped, deleted or added.
void check_journal_memos(const std::vector<std::pair<std::int64_t, std::string>>& rows);

// The scenario row's name, events_file, start_time, end_time and report_every are what its TOML
// says (`as_written`: the stored TOML parsed, with its own end; end_extended is AppendsCheck's).
void check_scenario_row(const storage::StoredScenario& stored, const Scenario& as_written);

// The `appends` rows against the events they log. `apply` (engine/runner.cc) stores its new
// events after every stored one, each with its file as `file`, after moving the end to --until;
// then it writes one row: its file, the seq of its first new event (NULL when there is none), how
// many it stored, how many duplicates it skipped, and the ledger's end after it.
//
// Checked: each row's link of the rows' hash chain (schema/0011_appends_chain.sql), so a row
// changed, deleted or inserted before the last breaks it; the rows are numbered 1, 2, ...;
// first_event is NULL exactly when events is 0; the rows' events follow one another without a gap
// and end at the last event; every event before them has the scenario's events_file, and every
// event of a row has the row's file and a time at or before its end_time; end_time is a time as
// `apply` writes it, never moves back, starts at or after the scenario's end_time, and the last
// row's is the ledger's end (end_extended, else the scenario's end); without a row, end_extended
// is not set.
// Not checkable but by a head kept elsewhere (the links are unkeyed SHA-256): the last rows
// deleted, with end_extended moved back to the end of the last one kept, when they added no
// events; rows linked again by hand, or by migration 11 from a file made to look like schema 10
// (it links the rows it finds).
class AppendsCheck {
 public:
  // Checks the rows and their hash chain from `genesis` (the genesis link in hex).
  // `as_written`: the stored TOML parsed (its own end).
  AppendsCheck(const std::vector<storage::StoredAppend>& rows,
               const storage::StoredScenario& stored, const Scenario& as_written,
               const std::string& genesis);
  // REQUIRES: called for the events in order of seq, 1, 2, ...; `time` is the event's, parsed.
  void check_event(const storage::StoredEvent& e, Timestamp time);
  // After the last event (`last_seq`, 0 for none): no row lists an event past it.
  void check_end(std::int64_t last_seq) const;
  std::int64_t rows() const { return rows_; }
  // The last row's link in hex (the genesis link when there is no row).
  const std::string& head() const { return head_; }

 private:
  struct Applied {  // a row with events
    std::int64_t seq, first_event, last_event;
    std::string file;
    Timestamp end;
  };
  std::vector<Applied> applied_;
  std::string run_file_;  // the scenario's events_file
  std::size_t next_ = 0;  // the row of the next event, or the first row after it
  std::int64_t rows_ = 0;
  std::string head_;
};

}  // namespace yl
