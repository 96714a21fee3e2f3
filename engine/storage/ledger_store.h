// The ledger's rows in SQLite (SPEC §8): the scenario, every event as given, every report, and the
// final state. It owns its prepared statements; all of the project's SQL text lives here and in
// schema/. It never decides anything: it writes what the runner hands it and reads it back.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/report.h"
#include "engine/core/snapshot.h"
#include "engine/input/event_parser.h"
#include "engine/storage/database.h"
#include "engine/storage/hash_chain.h"
#include "engine/storage/journal_codec.h"
#include "engine/storage/write_behind.h"

namespace yl::storage {

struct StoredScenario {
  std::string file;         // the scenario path as given to `run`
  std::string events_file;  // the `events` value as written
  std::string toml;
  std::optional<Timestamp> end_extended;          // a later end set by `apply --until`
  DripSchedule drip = DripSchedule::every_event;  // schema 6; earlier ledgers every_event
  // Columns `run` derived from the TOML, as stored (`audit` checks them against it).
  std::string name, start_time, end_time, report_every;
};

// A stored amount's text as wei; throws StorageError (bad_database) naming `origin` (a
// "table.column") when it is not canonical: only a hand edit or damage makes it so.
Amount stored_wei(const std::string& text, std::string_view origin);

// A report row as stored: canonical decimal text, signed where SPEC §7.1 says so.
struct StoredReportRow {
  std::string time, asset, trigger, source;
  std::string yield_wei, fee_wei, cover_wei, committed_wei, debt_before_wei, debt_after_wei, t_wei,
      price_before, price_after, pending_after_wei;
  // v1.2 (SPEC §9): per source, then per report. Empty source fields for an asset without
  // sources, like the v1.1 source columns.
  std::string hurdle_wei, protocol_fee_wei, void_share_wei, socialized_wei, locked_after_wei;
  friend bool operator==(const StoredReportRow&, const StoredReportRow&) = default;
};

// How a column is shown: as is (text, a time, a price or a share count), or an amount in wei that
// tables show in asset units (signed where SPEC §7.1 says so).
enum class ColumnKind : std::uint8_t { text, time, integer, amount, signed_amount };

// The one description of the `reports` columns (SPEC §7.1 order), read by the store, the hash
// chain, `audit` and the CLI. `name` is the CSV header; the SQL column is its lower case.
struct ReportColumn {
  std::string_view name;
  ColumnKind kind;
  std::string StoredReportRow::*field;
  bool v1_2;  // added by SPEC v1.2 (hashed only when not at its v1.1 value, see report_hash)
};
const std::vector<ReportColumn>& report_columns();

// The same for the `ledgers` columns (SPEC §7.1).
struct LedgerColumn {
  std::string_view name;
  ColumnKind kind;
  Amount LedgerRow::*field;  // null for `asset`
};
const std::vector<LedgerColumn>& ledger_columns();

// The rows one report record is stored as: one per source, or one with empty source fields for
// an asset without sources (SPEC §7.1).
std::vector<StoredReportRow> report_rows(const ReportRecord& report);

// Rows as `audit` reads them back, with their place in the chain.
struct StoredJournalEntry {
  std::int64_t seq = 0;
  std::optional<std::int64_t> event_seq;
  std::optional<std::int64_t> report_seq;
  std::string postings;  // the stored format, see journal_codec.h and schema/0005_*.sql
};
struct StoredEvent {
  std::int64_t seq = 0;
  std::string file;
  RawEvent raw;
  std::int64_t time_s = 0;  // raw.time parsed, as stored
  std::string hash;         // the link as stored: 32 bytes (bytes_of a Digest)
  // The journal row kept in the event's row (schema/0010_event_postings.sql), if any.
  std::optional<StoredJournalEntry> own_entry;
  // Postings in a row of no entry (journal_seq NULL): `run` never writes them, and no output
  // shows them, so audit names them (helper-74's F1: any bytes there passed).
  bool postings_without_entry = false;
};
struct StoredReport {
  std::int64_t seq = 0;
  std::int64_t row = 0;
  std::int64_t time_s = 0;  // fields.time parsed, as stored
  StoredReportRow fields;
  std::string hash;  // the link as stored: 32 bytes (bytes_of a Digest)
};
// Throws StorageError (bad_database) at the first of `report`'s stored cells that no report writes:
// an amount or price that is not canonical (empty only where a row has no source), a time, asset,
// trigger or source name that is not one. What prints or exports the rows as stored calls it
// (`reports`, `export`): a cell changed by hand printed as it was ("abc", or a spreadsheet
// formula), with exit 0. `audit` reads the rows unchecked, to name every difference from the
// replay.
void check_report_row(const StoredReport& report);

// A row of `appends`, one per `apply` (schema/0003_apply.sql), as stored.
struct StoredAppend {
  std::int64_t seq = 0;
  std::string file;
  std::optional<std::int64_t> first_event;
  std::int64_t events = 0;
  std::int64_t duplicates = 0;
  std::string end_time;
  std::string hash;  // its link, 32 bytes (schema/0011_appends_chain.sql); empty when NULL
};
// Walks one table in order, a row at a time (memory stays flat however long the ledger is).
template <typename Row>
class RowCursor {
 public:
  RowCursor(Statement statement, bool (*read)(Statement&, Row&))
      : statement_(std::move(statement)), read_(read) {}
  // Reads the next row into `row`; false at the end.
  bool next(Row& row) { return statement_.step() && read_(statement_, row); }

 private:
  Statement statement_;
  bool (*read_)(Statement&, Row&);
};

// Where a journal row is filed: the event that caused it (none for a scheduled report) and the
// report it belongs to (none for an event's own movements).
struct JournalOrigin {
  std::optional<std::int64_t> event_seq;
  std::optional<std::int64_t> report_seq;
};
// A journal row to store: consecutive entries of a ledger's journal (runner.h, journal_rows).
struct JournalRow {
  JournalOrigin origin;
  std::span<const JournalEntry> entries;  // of ledger.journal(), valid until it changes
};

// The journal in order, as the view `journal` shows it (schema/0010_event_postings.sql): the
// events' own rows and journal_other's, merged by their numbers. Rows with one number in both
// come out both, the event's first, for `audit` to find. The events' rows are read by the cursor
// itself, or fed to it by a caller that reads the events anyway (`audit`): then next() merges
// what was fed so far.
class JournalCursor {
 public:
  // journal_other's rows in order, from its own RowCursor or from a reader thread's lane
  // (read_ahead.h).
  using OtherRows = std::function<bool(StoredJournalEntry&)>;
  JournalCursor(std::optional<RowCursor<StoredJournalEntry>> own, OtherRows other);
  // The next event's own row (fed mode).
  void feed(StoredJournalEntry own);
  bool next(StoredJournalEntry& entry);

 private:
  std::optional<RowCursor<StoredJournalEntry>> own_rows_;  // none: fed, or read to its end
  bool fed_ = false;
  std::deque<StoredJournalEntry> own_;  // read or fed, not yet taken
  OtherRows other_rows_;
  StoredJournalEntry other_;
  bool has_other_ = false;
};

// The chain's first link: a hash of the scenario the ledger was run from.
std::string genesis_hash(const std::string& file, const std::string& events_file,
                         const std::string& toml);
// The same of the scenario row `db` holds, or nullopt when it holds none (no ledger yet).
std::optional<std::string> stored_genesis_hash(Database& db);
// The link of an event row, or of a report row, given the previous row's link in hex (as stored:
// to_hex gives the next row's `previous`).
Digest event_hash(const std::string& previous, std::int64_t seq, const std::string& file,
                  const RawEvent& raw);
Digest report_hash(const std::string& previous, std::int64_t seq, std::int64_t row,
                   const StoredReportRow& fields);
// The link of an `appends` row (its `hash` aside), given the previous row's link in hex (row 1:
// the genesis link).
Digest append_hash(const std::string& previous, const StoredAppend& row);
// The rows of `appends`, by seq (schema 11 on: `migrate` reads them too).
std::vector<StoredAppend> read_appends(Database& db);

class LedgerStore {
 public:
  // REQUIRES: `db` is migrated to the current schema and outlives the store.
  explicit LedgerStore(Database& db);

  bool has_ledger();
  // Throws StorageError (bad_database) for a file whose scenario row is missing: "holds no ledger
  // (run a scenario into it first)", or, where events, reports or balances are stored all the same
  // (the row deleted by hand), says that: running a scenario into it would replace what is left
  // (helper-50's F6).
  [[noreturn]] void refuse_no_ledger();
  // Deletes every row, so that a new run replaces the old ledger (inside the caller's
  // transaction, so a failed run leaves the old one in place).
  void clear();
  void write_scenario(const std::string& file, const std::string& events_file,
                      const std::string& name, const std::string& toml, Timestamp start,
                      Timestamp end, const std::string& report_every, DripSchedule drip);
  // The seq the next append_event stores.
  std::int64_t next_event_seq() const { return next_event_seq_; }
  // Appends an event row, chained to the previous one, with the journal rows the event caused
  // (`rows`, in order; their event_seq is next_event_seq(), or none for a scheduled report's): the
  // first of its own rows (no report) is stored in the event's row, any other in journal_other
  // (schema/0010_event_postings.sql).
  // Returns the event's seq.
  std::int64_t append_event(const RawEvent& raw, const std::string& file, Timestamp time,
                            const Ledger& ledger, std::span<const JournalRow> rows);
  // Appends a report's rows, chained. Returns the report's seq.
  std::int64_t append_report(const ReportRecord& report);
  // Appends a journal row of no event being stored (a scheduled report's) to journal_other.
  void append_journal_row(const Ledger& ledger, const JournalRow& row);
  // From now on the append_* methods queue their rows for a second thread (WriteBehind), for
  // `run`. Until flush_writes(), only they and next_event_seq() may be called; write_snapshot
  // flushes first. flush_writes() throws the first error of a queued row (StorageError).
  void start_write_behind();
  void flush_writes();
  void write_snapshot(const Snapshot& snapshot);
  // The same for take_snapshot(ledger), its balance rows written one at a time (BalanceRows: at
  // a million accounts they are never all held at once). REQUIRES: ledger.settled().
  void write_snapshot(const Ledger& ledger);
  // Replaces the stored final state with the ledger's (after an `apply`), as write_snapshot.
  void replace_snapshot(const Ledger& ledger);
  void set_end_extended(Timestamp end);
  // The stored event with this id, if any (SPEC §8.3).
  std::optional<StoredEvent> find_event_by_id(const std::string& id);
  void record_append(const std::string& file, std::optional<std::int64_t> first_event,
                     std::int64_t events, std::int64_t duplicates, Timestamp end);

  StoredScenario read_scenario();
  // The events files `apply` appended, as given to it, in order.
  std::vector<std::string> appended_files();
  // The rows of `appends`, by seq.
  std::vector<StoredAppend> read_appends();
  // The rows of `journal_memos` as (code, name), by code.
  std::vector<std::pair<std::int64_t, std::string>> read_journal_memos();
  Snapshot read_snapshot();
  // The stored final state's ledgers and sources, without its balance rows.
  Snapshot read_snapshot_totals();
  // Calls `f` with each of the stored final state's balance rows in order, one at a time: a
  // million accounts' rows are never held at once. Returns how many there were.
  std::int64_t for_each_final_balance(const std::function<void(const BalanceRow&)>& f);
  std::int64_t final_balance_count();  // the stored final state's balance rows
  std::vector<StoredReportRow> read_reports();
  std::int64_t event_count();
  std::int64_t report_row_count();  // one per report, asset and source (SPEC §7.1)
  std::int64_t report_count();      // reports are numbered 1, 2, ...: the last one's seq
  std::int64_t journal_posting_count();

  RowCursor<StoredEvent> events_in_order();
  RowCursor<StoredReport> reports_in_order();
  JournalCursor journal_in_order();
  // journal_other's rows in order. A caller that reads the events anyway (`audit`) makes of them
  // a JournalCursor without the events' rows, and feeds it each event's own row
  // (StoredEvent::own_entry).
  RowCursor<StoredJournalEntry> journal_other_in_order();
  // journal_accounts' names, id i + 1 at [i]. Throws StorageError (bad_database) when the ids
  // are not 1, 2, ... (`audit` reads the rows as stored, with journal_accounts_in_order).
  std::vector<std::string> journal_account_names();
  RowCursor<std::pair<std::int64_t, std::string>> journal_accounts_in_order();
  // A stored journal row's postings, named with `names` (journal_account_names). Throws
  // StorageError (bad_database) when the row is outside the format or names an unknown id.
  static std::vector<StoredPosting> postings_of(const StoredJournalEntry& entry,
                                                const std::vector<std::string>& names);
  // The journal entries of reports as (report seq, postings in the stored format), by report
  // seq (one per report of one asset).
  RowCursor<std::pair<std::int64_t, std::string>> report_postings_in_order();

  Database& database() { return db_; }

 private:
  // The last `appends` row's link in hex (the genesis link when there is none), for the next.
  // Throws StorageError when that row's link is not 32 bytes.
  std::string last_append_link();
  // `totals`' ledgers and sources (its balances are not read), and the balance rows
  // `next_balance` gives until it returns false.
  void write_snapshot(const Snapshot& totals, const std::function<bool(BalanceRow&)>& next_balance);
  Database& db_;
  Statement insert_event_;
  Statement insert_report_;
  Statement insert_journal_;
  Statement insert_journal_account_;
  // The postings of `row` into `bytes`, numbering the account names it uses for the first time.
  void encode_row(const Ledger& ledger, const JournalRow& row, std::string& bytes);
  void insert_other(const JournalRow& row, std::int64_t seq, const std::string& bytes);

  std::optional<JournalNames> journal_names_;  // loaded at the first journal row written
  // The rows being encoded: an event's, or a scheduled report's in the first (capacities reused).
  std::vector<std::string> rows_;
  std::int64_t next_event_seq_ = 1;
  std::int64_t next_journal_seq_ = 1;
  std::int64_t next_report_seq_ = 1;
  std::string last_event_hash_;  // the chains' heads, in hex
  std::string last_report_hash_;
  // Last: it stops its thread before the statements it runs are finalized.
  WriteBehind writes_;
};

}  // namespace yl::storage
