#include "engine/audit.h"

#include <array>
#include <cstring>
#include <future>
#include <map>

#include <fmt/format.h>

#include "engine/audit_tables.h"
#include "engine/core/journal_balances.h"
#include "engine/input/input_error.h"
#include "engine/input/scenario.h"
#include "engine/replay/replay.h"
#include "engine/runner.h"
#include "engine/storage/journal_codec.h"
#include "engine/storage/read_ahead.h"
#include "engine/storage/storage_error.h"

namespace yl {
namespace {

// A row's time_s that is not its time in seconds: "AT: time_s is ... but its time ... is ...".
std::string time_s_differs(const std::string& at, std::int64_t time_s, const std::string& time,
                           Timestamp parsed) {
  return fmt::format("{}: time_s is {} in the database but its time {} is {}", at, time_s, time,
                     parsed.seconds);
}

// Where a mismatch was found: an event, or a phase of the replay. Described only when a mismatch
// is (formatting every event's description took a twentieth of the audit's instructions).
class Where {
 public:
  explicit Where(const storage::StoredEvent& event) : event_(&event) {}
  explicit Where(std::string_view phase) : phase_(phase) {}
  std::string text() const { return event_ != nullptr ? describe(*event_) : std::string(phase_); }

 private:
  const storage::StoredEvent* event_ = nullptr;
  std::string_view phase_;
};

// A stored or replayed value in a message: an empty one as '' (it printed as nothing, "is 0 in the
// database but  in the replay").
std::string shown(const std::string& value) { return value.empty() ? "''" : value; }

// "off by N" when both texts are signed integers, else empty.
std::string difference(const std::string& stored, const std::string& replayed) {
  auto parse = [](const std::string& text) -> std::optional<S512> {
    const bool negative = !text.empty() && text[0] == '-';
    const auto magnitude = Amount::parse_wei(negative ? text.substr(1) : text);
    if (!magnitude) return std::nullopt;
    return negative ? S512(-S512(magnitude->raw())) : S512(magnitude->raw());
  };
  const auto a = parse(stored), b = parse(replayed);
  if (!a || !b) return "";
  return fmt::format(" (off by {})", S512(*a - *b).str());
}

// Re-adds a stored entry's postings, independently of the engine, and checks that debits equal
// credits per asset.
void check_entry_balances(const storage::StoredJournalEntry& entry) {
  const auto postings = storage::decode_postings(entry.postings);
  if (!postings) {
    mismatch(fmt::format("journal entry {}: its postings are not in the stored format "
                         "(schema/0005_binary_journal.sql)",
                         entry.seq));
  }
  std::array<U512, 2> debits{0, 0}, credits{0, 0};
  for (const storage::DecodedPosting& p : *postings) {
    (p.debit ? debits : credits)[index_of(p.asset)] += p.amount.wide();
  }
  for (Asset asset : kAssets) {
    const std::size_t i = index_of(asset);
    if (debits[i] != credits[i]) {
      mismatch(fmt::format("journal entry {} does not balance in {}: debits {} but credits {}",
                           entry.seq, asset_name(asset), debits[i].str(), credits[i].str()));
    }
  }
}

// An event row as the reader thread leaves it: its link checked against the chain so far, and
// parsed. The auditor takes these in order and fails at the first row where anything is wrong,
// as if it had done each step itself.
struct ReadEvent {
  storage::StoredEvent stored;
  bool chained = false;  // its stored link is the one computed from the rows before it
  Event event;
  std::string parse_error;  // empty: `event` is parsed
};

// How many rows the reader thread reads at a time in each lane (storage/read_ahead.h).
constexpr std::size_t kEventBatch = 256;
constexpr std::size_t kRowBatch = 256;

// A lane of a cursor's rows as they are stored.
template <typename Row>
storage::ReadAhead::Lane<Row>& add_rows(storage::ReadAhead& reader,
                                        storage::RowCursor<Row> cursor) {
  return reader.add<Row>(
      [cursor = std::move(cursor)](Row& row) mutable { return cursor.next(row); }, kRowBatch);
}

class Auditor {
 public:
  explicit Auditor(storage::LedgerStore& store) : store_(store) {}

  // Every check, with the file's pages (SQLite's integrity_check, which reads every page: a third
  // of the replay's time at a million events) checked meanwhile on a connection of their own. A
  // damaged file is said before anything else found, which the damage may have caused.
  AuditSummary run() {
    std::future<std::optional<std::string>> pages =
        std::async(std::launch::async, [path = store_.database().path()] {
          storage::Database db(path, storage::Database::Mode::read_only);
          return db.damage();
        });
    const auto say_damage = [&pages] {
      if (const auto verdict = pages.get()) {
        mismatch(fmt::format("the file is damaged (SQLite's integrity_check: {})", *verdict));
      }
    };
    try {
      check_all();
    } catch (const AuditMismatch&) {
      say_damage();
      throw;
    } catch (const storage::StorageError&) {
      say_damage();
      throw;
    }
    say_damage();
    return summary_;
  }

 private:
  void check_all() {
    // The rows a replay does not reproduce first (audit_tables.h).
    check_schema_code(store_.database());
    check_journal_memos(store_.read_journal_memos());
    const storage::StoredScenario stored = stored_final([&] { return store_.read_scenario(); });
    Scenario as_written = [&] {
      try {
        return parse_scenario(stored.toml, stored.file, {});
      } catch (const InputError& error) {
        mismatch(unloadable_stored_scenario(stored, error));
      }
    }();
    check_scenario_row(stored, as_written);
    const std::string genesis = storage::genesis_hash(stored.file, stored.events_file, stored.toml);
    AppendsCheck appends(store_.read_appends(), stored, as_written, genesis);
    summary_.appends = appends.rows();
    summary_.append_chain_head = appends.head();
    const Scenario scenario = scenario_from(stored, std::move(as_written));
    summary_.scenario = scenario.name;
    // Before the replay, which would run them all (a ledger without events has no chain to
    // catch the edit first).
    if (const auto refusal = too_many_report_times(store_, scenario.params)) mismatch(*refusal);
    event_hash_ = report_hash_ = genesis;
    // Every table is read by one thread while this one replays (read_ahead.h), from the caller's
    // snapshot; the final state is read by this one after it stops.
    storage::ReadAhead reader;
    auto& events = reader.add<ReadEvent>(
        [cursor = store_.events_in_order(), previous = genesis](ReadEvent& row) mutable {
          if (!cursor.next(row.stored)) return false;
          const storage::StoredEvent& e = row.stored;
          const storage::Digest link = storage::event_hash(previous, e.seq, e.file, e.raw);
          row.chained = storage::bytes_of(link) == e.hash;
          storage::to_hex(link, previous);  // the stored link, if it equals it (else no row after
                                            // this one is audited)
          row.parse_error.clear();
          try {
            row.event = parse_event(e.raw, e.file);
          } catch (const InputError& error) {
            row.parse_error = error.what();
          }
          return true;
        },
        kEventBatch);
    reports_ = &add_rows(reader, store_.reports_in_order());
    auto& journal_other = add_rows(reader, store_.journal_other_in_order());
    journal_accounts_ = &add_rows(reader, store_.journal_accounts_in_order());
    reader.start();
    journal_.emplace(std::nullopt, [&journal_other](storage::StoredJournalEntry& row) {
      return journal_other.next(row);
    });

    Ledger ledger(scenario.params);
    std::int64_t expected_seq = 1;
    while (const ReadEvent* read = events.next()) {
      ledger.prefetch([&events](std::size_t k) -> const Event* {
        const ReadEvent* ahead = events.peek(k);
        return ahead != nullptr && ahead->parse_error.empty() ? &ahead->event : nullptr;
      });
      const ReadEvent& row = *read;
      const storage::StoredEvent& e = row.stored;
      const Where where(e);
      if (!row.chained) {
        mismatch(where.text() + (e.seq == 1 ? ": hash chain broken: this row or the stored "
                                              "scenario was changed"
                                            : ": hash chain broken: this row was changed, or a "
                                              "row before it was deleted or inserted"));
      }
      if (e.seq != expected_seq++) {
        mismatch(fmt::format("{}: expected event seq {}: a row was deleted or inserted",
                             where.text(), expected_seq - 1));
      }
      last_link_ = e.hash;  // the chain's head so far: 32 bytes, as it links
      // Its own journal row, read with it (schema/0010_event_postings.sql). Copied: the row's
      // buffers go back to the reader thread, so that each thread frees what it allocated.
      if (e.own_entry) journal_->feed(*e.own_entry);
      if (!row.parse_error.empty()) {
        mismatch(fmt::format("{}: no longer parses: {}", where.text(), row.parse_error));
      }
      if (e.time_s != row.event.time.seconds) {
        mismatch(time_s_differs(where.text(), e.time_s, e.raw.time, row.event.time));
      }
      appends.check_event(e, row.event.time);
      if (const auto rejected = ledger.apply(row.event)) {
        mismatch(fmt::format("{}: no longer applies: {}", where.text(), rejected->reason));
      }
      compare_outputs(ledger, e.seq, where, &e);
      ++summary_.events;
    }
    appends.check_end(summary_.events);
    if (const auto rejected = ledger.advance_to(scenario.params.end)) {
      mismatch("the scheduled reports after the last event fail: " + rejected->reason);
    }
    compare_outputs(ledger, std::nullopt, Where("the scheduled reports after the last event"));
    check_nothing_left();
    reader.stop();
    // As `run` did after its last stored row: the state as of the last event, its drip (if the
    // schedule left one) counted in the journal's balances but never stored.
    ledger.settle();
    balances_.add_all(ledger.journal());
    ledger.clear_journal();
    compare_final_state(ledger);
    if (const auto violation = ledger.audit_invariants()) mismatch("invariant: " + *violation);
    if (const auto wrong = balances_.check_against(ledger)) mismatch(*wrong);
    summary_.journal_accounts = static_cast<std::int64_t>(balances_.account_count());
    if (!last_link_.empty()) {
      storage::Digest head;
      std::memcpy(head.data(), last_link_.data(), head.size());
      storage::to_hex(head, event_hash_);
    }
    summary_.event_chain_head = event_hash_;
    summary_.report_chain_head = report_hash_;
    add_conservation(ledger);
  }

  // `event`: the stored row of the event (event_seq) whose outputs these are, which holds the
  // first journal row the event posts of its own (schema/0010_event_postings.sql), or none.
  void compare_outputs(Ledger& ledger, std::optional<std::int64_t> event_seq, const Where& where,
                       const storage::StoredEvent* event = nullptr) {
    const std::vector<ReportRecord> reports = ledger.take_reports();
    std::vector<std::int64_t> report_seqs;
    for (const ReportRecord& report : reports) {
      const std::int64_t seq = ++summary_.reports;
      report_seqs.push_back(seq);
      std::int64_t row = 0;
      for (const storage::StoredReportRow& replayed : storage::report_rows(report)) {
        ++row;
        compare_report_row(seq, row, replayed, report.time, where);
      }
    }
    bool posted_own = false;
    for (const JournalRow& row : journal_rows(ledger, event_seq, reports, report_seqs)) {
      if (event != nullptr && !posted_own && !row.origin.report_seq) {
        posted_own = true;
        if (!event->own_entry) {
          mismatch(fmt::format(
              "{}: the replay posts journal entry {} of the event's own, but "
              "its row holds none ({} deleted?)",
              where.text(), summary_.journal_entries + 1,
              event->postings_without_entry ? "its journal_seq" : "journal_seq and postings"));
        }
      }
      replayed_row_.clear();
      storage::encode_postings(replayed_row_, ledger, row.entries, names_);
      compare_journal_accounts(where);
      compare_journal_entry(row.origin.event_seq, row.origin.report_seq, replayed_row_, where);
    }
    // Postings in a row of no entry, where the replay posts none: any bytes passed, and no output
    // shows them (helper-74's F1).
    if (event != nullptr && event->postings_without_entry && !posted_own) {
      mismatch(fmt::format("{}: its row holds postings but no journal entry (journal_seq is NULL), "
                           "and the replay posts none for the event: added by hand?",
                           where.text()));
    }
    if (event != nullptr && event->own_entry && !posted_own) {
      mismatch(fmt::format("{}: its row holds journal entry {} of its own, but the replay posts "
                           "none for the event (added by hand?)",
                           where.text(), event->own_entry->seq));
    }
    balances_.add_all(ledger.journal());
    summary_.postings += static_cast<std::int64_t>(ledger.journal().posting_count());
    ledger.clear_journal();
  }

  void compare_report_row(std::int64_t seq, std::int64_t row,
                          const storage::StoredReportRow& replayed, Timestamp time,
                          const Where& where) {
    storage::StoredReport stored;
    if (!reports_->next(stored)) {
      mismatch(fmt::format("{}: the replay produced report {} ({} {}) but the database has no "
                           "more report rows (deleted?)",
                           where.text(), seq, replayed.time, replayed.asset));
    }
    const std::string at =
        fmt::format("report {} row {} ({} {} {})", stored.seq, stored.row, stored.fields.time,
                    stored.fields.asset, stored.fields.source.empty() ? "-" : stored.fields.source);
    const storage::Digest link =
        storage::report_hash(report_hash_, stored.seq, stored.row, stored.fields);
    if (storage::bytes_of(link) != stored.hash) {
      mismatch(at + ": hash chain broken: this row was changed, or a row before it was deleted "
                    "or inserted");
    }
    storage::to_hex(link, report_hash_);
    if (stored.seq != seq || stored.row != row) {
      mismatch(fmt::format("{}: expected report {} row {} here: a row was deleted or inserted", at,
                           seq, row));
    }
    ++summary_.report_rows;
    const storage::StoredReportRow& s = stored.fields;
    for (const storage::ReportColumn& column : storage::report_columns()) {
      const std::string& in_db = s.*column.field;
      const std::string& in_replay = replayed.*column.field;
      if (in_db != in_replay) {
        mismatch(fmt::format("{} (replaying {}): {} is {} in the database but {} in the replay{}",
                             at, where.text(), column.name, shown(in_db), shown(in_replay),
                             difference(in_db, in_replay)));
      }
    }
    if (stored.time_s != time.seconds) {
      mismatch(time_s_differs(at, stored.time_s, stored.fields.time, time));
    }
  }

  void compare_journal_entry(std::optional<std::int64_t> cause, std::optional<std::int64_t> report,
                             const std::string& postings, const Where& where) {
    storage::StoredJournalEntry stored;
    const std::int64_t seq = ++summary_.journal_entries;
    if (!journal_->next(stored)) {
      mismatch(fmt::format("{}: the replay posted journal entry {} but the database has no more "
                           "entries (deleted?)",
                           where.text(), seq));
    }
    // A row equal to the replay's balances: the replay's entries each do (Journal::close). Any
    // other row is re-added first, so that one that does not balance is named as such.
    const bool as_replayed = stored.postings == postings;
    if (!as_replayed) check_entry_balances(stored);
    if (stored.seq != seq || stored.event_seq != cause || stored.report_seq != report) {
      // Both sides, so that a changed event_seq or report_seq is seen (helper-92's F2).
      const auto of = [](std::optional<std::int64_t> event_seq,
                         std::optional<std::int64_t> report_seq) {
        return fmt::format("of event {} / report {}", event_seq ? std::to_string(*event_seq) : "-",
                           report_seq ? std::to_string(*report_seq) : "-");
      };
      mismatch(fmt::format("journal entry {} {} (replaying {}): expected entry {} {} here: an "
                           "entry was deleted, inserted or moved, or its event or report changed",
                           stored.seq, of(stored.event_seq, stored.report_seq), where.text(), seq,
                           of(cause, report)));
    }
    if (!as_replayed) {
      mismatch(fmt::format("journal entry {} (replaying {}): {}", stored.seq, where.text(),
                           entry_difference(stored.postings, postings)));
    }
  }

  // The account names the replay numbered for the row it just encoded must be the next rows of
  // journal_accounts, with the same ids: a stored row's account ids then name what they named.
  void compare_journal_accounts(const Where& where) {
    storage::JournalNames::Added added = names_.take_added();
    for (std::size_t i = 0; i < added.names.size(); ++i) {
      const auto id = static_cast<std::int64_t>(added.first + i);
      std::pair<std::int64_t, std::string> stored;
      if (!journal_accounts_->next(stored)) {
        mismatch(
            fmt::format("journal account {} ('{}', first posted while replaying {}) is not in the "
                        "database (deleted?)",
                        id, added.names[i], where.text()));
      }
      if (stored.first != id || stored.second != added.names[i]) {
        mismatch(fmt::format("journal account {} is '{}' in the database but the replay numbers "
                             "'{}' {} (first posted while replaying {})",
                             stored.first, stored.second, added.names[i], id, where.text()));
      }
      names_seen_.push_back(std::move(added.names[i]));
    }
  }

  // A posting for a mismatch message: [account asset D|C wei memo].
  std::string describe(const storage::DecodedPosting& p) const {
    const std::string account = p.account <= names_seen_.size() ? names_seen_[p.account - 1]
                                                                : fmt::format("#{}", p.account);
    return fmt::format("[{} {} {} {} {}]", account, asset_name(p.asset), p.debit ? "D" : "C",
                       p.amount.wei_string(), memo_name(p.memo));
  }

  // How a stored entry differs from the replay's: the first posting that differs, and the counts
  // where they differ. The two whole entries were printed, one line of 17,808 bytes for an entry
  // of 98 postings with one wei changed (helper-74's F2).
  std::string entry_difference(const std::string& stored, const std::string& replayed) const {
    const auto in_db = storage::decode_postings(stored);
    const auto in_replay = storage::decode_postings(replayed);
    YL_ASSERT(in_replay.has_value());
    if (!in_db) return "the database holds a row outside the stored format";
    std::size_t i = 0;
    while (i < in_db->size() && i < in_replay->size() && (*in_db)[i] == (*in_replay)[i]) ++i;
    // The same postings in other bytes: a pair stored as its two records, say (helper-76's F5:
    // "posting 5 of 4: the database holds none but the replay posts none").
    if (i == in_db->size() && i == in_replay->size()) {
      return fmt::format("the database holds the replay's {} postings in other bytes than the "
                         "replay writes (a pair stored as two records?)",
                         i);
    }
    const auto at = [&](const std::vector<storage::DecodedPosting>& postings) {
      return i < postings.size() ? describe(postings[i]) : std::string("none");
    };
    const std::string counts =
        in_db->size() == in_replay->size()
            ? fmt::format("posting {} of {}", i + 1, in_db->size())
            : fmt::format("it holds {} postings, the replay {}; the first that differs, posting {}",
                          in_db->size(), in_replay->size(), i + 1);
    return fmt::format("{}: the database holds {} but the replay posts {}", counts, at(*in_db),
                       at(*in_replay));
  }

  void check_nothing_left() {
    storage::StoredReport report;
    if (reports_->next(report)) {
      mismatch(fmt::format("report {} row {} ({} {}) is in the database but the replay did not "
                           "produce it (inserted?)",
                           report.seq, report.row, report.fields.time, report.fields.asset));
    }
    storage::StoredJournalEntry entry;
    if (journal_->next(entry)) {
      mismatch(fmt::format("journal entry {} is in the database but the replay did not post it "
                           "(inserted?)",
                           entry.seq));
    }
    std::pair<std::int64_t, std::string> account;
    if (journal_accounts_->next(account)) {
      mismatch(fmt::format("journal account {} ('{}') is in the database but the replay never "
                           "posts to it (inserted?)",
                           account.first, account.second));
    }
  }

  // A final-state row's columns, stored and replayed, by name.
  using Columns = std::vector<std::pair<std::string_view, std::pair<std::string, std::string>>>;

  // The first column of two rows that differ: "AT: COLUMN is X in the database but Y in the
  // replay (off by N)".
  [[noreturn]] static void report_difference(const std::string& at, const Columns& columns) {
    for (const auto& [name, values] : columns) {
      if (values.first != values.second) {
        mismatch(fmt::format("{}: {} is {} in the database but {} in the replay{}", at, name,
                             shown(values.first), shown(values.second),
                             difference(values.first, values.second)));
      }
    }
    YL_ASSERT(false);  // rows that differ differ in a column
  }

  [[noreturn]] static void report_balance_difference(const BalanceRow& s, const BalanceRow& r) {
    report_difference(
        fmt::format("final state of {} {}", r.account, asset_name(r.asset)),
        // The row's key first: a row in another's place is named as such, not by its balance.
        {{"account", {s.account, r.account}},
         {"asset", {std::string(asset_name(s.asset)), std::string(asset_name(r.asset))}},
         {"kind", {std::string(account_kind_name(s.kind)), std::string(account_kind_name(r.kind))}},
         {"mode", {std::string(yield_mode_name(s.mode)), std::string(yield_mode_name(r.mode))}},
         {"balance_wei", {s.balance.wei_string(), r.balance.wei_string()}},
         {"claimable_wei", {s.claimable.wei_string(), r.claimable.wei_string()}},
         {"shares", {s.shares.wei_string(), r.shares.wei_string()}},
         {"remainder_wei", {s.remainder.wei_string(), r.remainder.wei_string()}}});
  }

  // final_ledgers and final_sources against the replay, row by row (they were reported only as
  // "the ledgers differ", naming neither the row nor the column).
  static void compare_final_totals(const Snapshot& stored, const Snapshot& replayed) {
    if (stored.ledgers.size() != replayed.ledgers.size() ||
        stored.sources.size() != replayed.sources.size()) {
      mismatch(fmt::format("final state: the database lists {} ledger and {} source rows, the "
                           "replay {} and {}",
                           stored.ledgers.size(), stored.sources.size(), replayed.ledgers.size(),
                           replayed.sources.size()));
    }
    auto asset = [](Asset a) { return std::string(asset_name(a)); };
    for (std::size_t i = 0; i < stored.ledgers.size(); ++i) {
      const LedgerRow& s = stored.ledgers[i];
      const LedgerRow& r = replayed.ledgers[i];
      if (s == r) continue;
      Columns columns;  // the `ledgers` columns (storage::ledger_columns), `asset` first
      for (const storage::LedgerColumn& c : storage::ledger_columns()) {
        columns.push_back({c.name, c.field == nullptr ? std::pair{asset(s.asset), asset(r.asset)}
                                                      : std::pair{(s.*c.field).wei_string(),
                                                                  (r.*c.field).wei_string()}});
      }
      report_difference(fmt::format("final_ledgers {}", asset(r.asset)), columns);
    }
    for (std::size_t i = 0; i < stored.sources.size(); ++i) {
      const SourceRow& s = stored.sources[i];
      const SourceRow& r = replayed.sources[i];
      if (s == r) continue;
      report_difference(
          fmt::format("final_sources {}", r.source),
          {{"source", {s.source, r.source}},
           {"asset", {asset(s.asset), asset(r.asset)}},
           {"kind", {std::string(source_kind_name(s.kind)), std::string(source_kind_name(r.kind))}},
           {"apr_bps", {std::to_string(s.apr_bps), std::to_string(r.apr_bps)}},
           {"value_wei", {s.value.wei_string(), r.value.wei_string()}},
           {"principal_wei", {s.principal.wei_string(), r.principal.wei_string()}},
           {"last", {format_timestamp(s.last), format_timestamp(r.last)}}});
    }
  }

  // What `read` returns of the stored scenario or final state; a value no ledger stores there (a
  // wei amount that is not canonical, an unknown mode, a malformed time) is a mismatch, exit 3,
  // like any other change by hand, not an unreadable file (exit 2).
  template <typename Read>
  static auto stored_final(Read read) -> decltype(read()) {
    try {
      return read();
    } catch (const storage::StorageError& error) {
      if (error.kind() != storage::StorageError::Kind::bad_database) throw;
      mismatch(error.what());
    }
  }

  // The stored final state against the replay's, one balance row at a time (at a million
  // accounts, two whole snapshots were 672 MB). Equal rows cost one comparison; the text of
  // a difference is built only for the first one.
  void compare_final_state(const Ledger& ledger) {
    BalanceRows replayed_balances(ledger);
    const auto replayed_rows = static_cast<std::int64_t>(replayed_balances.count());
    const auto count_mismatch = [&](std::int64_t stored_rows) {
      mismatch(fmt::format("final state: the database lists {} balance rows, the replay {}",
                           stored_rows, replayed_rows));
    };
    BalanceRow r;
    const std::int64_t stored_rows = stored_final([&] {
      return store_.for_each_final_balance([&](const BalanceRow& s) {
        if (!replayed_balances.next(r)) count_mismatch(store_.final_balance_count());
        if (!(s == r)) {
          // A count that differs is the first thing to say, as when the snapshots were whole.
          const std::int64_t stored_count = store_.final_balance_count();
          if (stored_count != replayed_rows) count_mismatch(stored_count);
          report_balance_difference(s, r);
        }
      });
    });
    if (stored_rows != replayed_rows) count_mismatch(stored_rows);
    summary_.balance_rows += stored_rows;
    const Snapshot stored = stored_final([&] { return store_.read_snapshot_totals(); });
    const Snapshot replayed = take_snapshot_totals(ledger);
    compare_final_totals(stored, replayed);
  }

  void add_conservation(const Ledger& ledger) {
    for (Asset asset : kAssets) {
      const AssetBook& b = ledger.book(asset);
      const U512 reserves = ledger.reserves_wei(asset);
      U512 owed = b.shares.pending().wide() + b.retained.wide() + b.stream.locked().wide();
      for (AccountId id = 0; id < ledger.account_count(); ++id) {
        owed += ledger.balance(id, asset).wide() + ledger.claimable(id, asset).wide();
      }
      summary_.conservation.push_back({std::string(asset_name(asset)), reserves.str(), owed.str(),
                                       b.stream.locked().wei_string(), b.insurance.wei_string(),
                                       b.revenue.wei_string()});
    }
  }

  storage::LedgerStore& store_;
  // Read ahead by run()'s reader thread, while it runs.
  storage::ReadAhead::Lane<storage::StoredReport>* reports_ = nullptr;
  std::optional<storage::JournalCursor> journal_;
  storage::ReadAhead::Lane<std::pair<std::int64_t, std::string>>* journal_accounts_ = nullptr;
  storage::JournalNames names_;          // numbered as the replay posts, like `run` did
  std::vector<std::string> names_seen_;  // every name numbered so far, id i + 1 at [i]
  std::string replayed_row_;
  std::string event_hash_;  // the genesis, then the last event's link in hex
  std::string last_link_;   // the last event's link as stored
  std::string report_hash_;
  JournalBalances balances_;
  AuditSummary summary_;
};

}  // namespace

AuditSummary audit_ledger(storage::LedgerStore& store) { return Auditor(store).run(); }

}  // namespace yl
