#include "engine/storage/ledger_store.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/input/input_error.h"
#include "engine/input/names.h"
#include "engine/storage/hash_chain.h"
#include "engine/storage/storage_error.h"

namespace yl::storage {

namespace {

// A stored value no ledger holds at `origin` ("table.column"): `what` says why ("not a time").
[[noreturn]] void changed_by_hand(std::string_view origin, std::string_view text,
                                  std::string_view what) {
  throw StorageError(StorageError::Kind::bad_database,
                     fmt::format("{} holds '{}', {}: the ledger was changed by hand, or is damaged",
                                 origin, bounded(text, 64), what));
}

}  // namespace

Amount stored_wei(const std::string& text, std::string_view origin) {
  const auto amount = Amount::parse_wei(text);
  if (!amount) changed_by_hand(origin, text, "not a canonical wei integer");
  return *amount;
}

namespace {

Amount read_amount(Statement& s, int column) {
  return stored_wei(s.column_text(column), s.column_origin(column));
}

template <typename T, typename Parse>
T read_enum(Statement& s, int column, Parse parse) {
  const std::string text = s.column_text(column);
  const auto value = parse(text);
  if (!value) changed_by_hand(s.column_origin(column), text, "which no ledger stores");
  return *value;
}

Timestamp read_time(Statement& s, int column) {
  const std::string text = s.column_text(column);
  const auto time = parse_timestamp(text);
  if (!time) changed_by_hand(s.column_origin(column), text, "not a time (YYYY-MM-DDTHH:MM:SSZ)");
  return *time;
}

// An account's or a source's name as stored (SPEC §1.1, §1.2): 1-64 of A-Z a-z 0-9 _ . -, or a
// system account's `@` and such a name (`system`). A name edited by hand (a spreadsheet formula)
// went out in `balances` and `sources` as it was.
std::string read_name(Statement& s, int column, bool system = false) {
  std::string name = s.column_text(column);
  const std::string_view bare =
      system && name.starts_with('@') ? std::string_view(name).substr(1) : name;
  if (!is_valid_name(bare))
    changed_by_hand(s.column_origin(column), name, "which no ledger stores");
  return name;
}

std::optional<AccountKind> parse_kind(std::string_view text) {
  if (text == "user") return AccountKind::user;
  if (text == "dapp") return AccountKind::dapp;
  if (text == "system") return AccountKind::system;
  return std::nullopt;
}

std::string sql_name(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// "a, b, c": the SQL names of a column table (report_columns() or ledger_columns()).
template <typename Columns>
std::string column_list(const Columns& columns) {
  std::string list;
  for (const auto& c : columns) {
    if (!list.empty()) list += ", ";
    list += sql_name(c.name);
  }
  return list;
}

std::string report_column_list() { return column_list(report_columns()); }
std::string ledger_column_list() { return column_list(ledger_columns()); }

std::string placeholders(int first, std::size_t count) {
  std::string list;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) list += ", ";
    list += fmt::format("?{}", first + static_cast<int>(i));
  }
  return list;
}

}  // namespace

const std::vector<ReportColumn>& report_columns() {
  using R = StoredReportRow;
  static const std::vector<ReportColumn> columns = {
      {"time", ColumnKind::time, &R::time, false},
      {"asset", ColumnKind::text, &R::asset, false},
      {"trigger", ColumnKind::text, &R::trigger, false},
      {"source", ColumnKind::text, &R::source, false},
      {"yield_wei", ColumnKind::signed_amount, &R::yield_wei, false},
      {"fee_wei", ColumnKind::amount, &R::fee_wei, false},
      {"cover_wei", ColumnKind::amount, &R::cover_wei, false},
      {"committed_wei", ColumnKind::signed_amount, &R::committed_wei, false},
      {"debt_before_wei", ColumnKind::amount, &R::debt_before_wei, false},
      {"debt_after_wei", ColumnKind::amount, &R::debt_after_wei, false},
      {"T_wei", ColumnKind::signed_amount, &R::t_wei, false},
      {"price_before", ColumnKind::integer, &R::price_before, false},
      {"price_after", ColumnKind::integer, &R::price_after, false},
      {"pending_after_wei", ColumnKind::amount, &R::pending_after_wei, false},
      {"hurdle_wei", ColumnKind::amount, &R::hurdle_wei, true},
      {"protocol_fee_wei", ColumnKind::amount, &R::protocol_fee_wei, true},
      {"void_share_wei", ColumnKind::amount, &R::void_share_wei, true},
      {"socialized_wei", ColumnKind::amount, &R::socialized_wei, true},
      {"locked_after_wei", ColumnKind::amount, &R::locked_after_wei, true}};
  return columns;
}

const std::vector<LedgerColumn>& ledger_columns() {
  using L = LedgerRow;
  static const std::vector<LedgerColumn> columns = {
      {"asset", ColumnKind::text, nullptr},
      {"price", ColumnKind::integer, &L::price},
      {"pending_wei", ColumnKind::amount, &L::pending},
      {"total_shares", ColumnKind::integer, &L::total_shares},
      {"buffer_wei", ColumnKind::amount, &L::buffer},
      {"debt_wei", ColumnKind::amount, &L::debt},
      {"insurance_wei", ColumnKind::amount, &L::insurance},
      {"retained_wei", ColumnKind::amount, &L::retained},
      {"revenue_wei", ColumnKind::amount, &L::revenue},
      {"locked_wei", ColumnKind::amount, &L::locked}};
  return columns;
}

std::vector<StoredReportRow> report_rows(const ReportRecord& report) {
  StoredReportRow base;
  base.time = format_timestamp(report.time);
  base.asset = asset_name(report.asset);
  base.trigger = report_trigger_name(report.trigger);
  base.debt_before_wei = report.debt_before.wei_string();
  base.debt_after_wei = report.debt_after.wei_string();
  base.t_wei = report.total.wei_string();
  base.price_before = report.price_before.wei_string();
  base.price_after = report.price_after.wei_string();
  base.pending_after_wei = report.pending_after.wei_string();
  base.void_share_wei = report.void_share.wei_string();
  base.socialized_wei = report.socialized.wei_string();
  base.locked_after_wei = report.locked_after.wei_string();
  if (report.sources.empty()) return {base};  // source fields stay empty
  std::vector<StoredReportRow> rows;
  for (const SourceYield& line : report.sources) {
    StoredReportRow row = base;
    row.source = line.source;
    row.yield_wei = line.yield.wei_string();
    row.fee_wei = line.fee.wei_string();
    row.cover_wei = line.cover.wei_string();
    row.committed_wei = line.committed.wei_string();
    row.hurdle_wei = line.hurdle.wei_string();
    row.protocol_fee_wei = line.protocol_fee.wei_string();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string genesis_hash(const std::string& file, const std::string& events_file,
                         const std::string& toml) {
  return chain_hash("yieldledger genesis", {file, events_file, toml});
}

std::optional<std::string> stored_genesis_hash(Database& db) {
  Statement scenario = db.prepare("SELECT file, events_file, toml FROM scenario WHERE id = 1");
  if (!scenario.step()) return std::nullopt;
  return genesis_hash(scenario.column_text(0), scenario.column_text(1), scenario.column_text(2));
}

Digest event_hash(const std::string& previous, std::int64_t seq, const std::string& file,
                  const RawEvent& raw) {
  const std::string seq_text = std::to_string(seq), line = std::to_string(raw.line);
  const std::string_view fields[] = {seq_text,    file,      line,       raw.id, raw.time, raw.type,
                                     raw.account, raw.asset, raw.amount, raw.to, raw.value};
  return chain_digest(previous, fields);
}

Digest report_hash(const std::string& previous, std::int64_t seq, std::int64_t row,
                   const StoredReportRow& r) {
  // The v1.2 columns join the hash only when one of them is not at its v1.1 value (0, or empty
  // on a row without source): a v1.1 ledger, and any ledger under the default policy, keeps its
  // v1.1 chain byte for byte, and a v1.2 value changed to or from that state still breaks it.
  const std::string seq_text = std::to_string(seq), row_text = std::to_string(row);
  std::vector<std::string_view> fields = {seq_text, row_text};
  bool v1_2_values = false;
  for (const ReportColumn& c : report_columns()) {
    const std::string& value = r.*c.field;
    if (!c.v1_2) {
      fields.push_back(value);
    } else if (value != "0" && !(r.source.empty() && value.empty())) {
      v1_2_values = true;
    }
  }
  if (v1_2_values) {
    for (const ReportColumn& c : report_columns()) {
      if (c.v1_2) fields.push_back(r.*c.field);
    }
  }
  return chain_digest(previous, fields);
}

Digest append_hash(const std::string& previous, const StoredAppend& row) {
  const std::string seq = std::to_string(row.seq), events = std::to_string(row.events),
                    duplicates = std::to_string(row.duplicates),
                    first = row.first_event ? std::to_string(*row.first_event) : std::string();
  const std::string_view fields[] = {"append", seq,        row.file,    first,
                                     events,   duplicates, row.end_time};
  return chain_digest(previous, fields);
}

LedgerStore::LedgerStore(Database& db)
    : db_(db),
      insert_event_(db.prepare(
          "INSERT INTO events (seq, file, line, id, time_s, time, type, account, asset, amount, "
          "\"to\", value, hash, journal_seq, postings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
          "?10, ?11, ?12, ?13, ?14, ?15)")),
      insert_report_(db.prepare(fmt::format(
          "INSERT INTO reports (seq, row, time_s, hash, {}) VALUES (?1, ?2, ?3, ?4, {})",
          report_column_list(), placeholders(5, report_columns().size())))),
      insert_journal_(db.prepare("INSERT INTO journal_other (seq, event_seq, report_seq, postings) "
                                 "VALUES (?1, ?2, ?3, ?4)")),
      insert_journal_account_(db.prepare(kInsertJournalAccount)) {
  next_event_seq_ = db.query_int("SELECT coalesce(max(seq), 0) FROM events") + 1;
  next_report_seq_ = db.query_int("SELECT coalesce(max(seq), 0) FROM reports") + 1;
  // The journal's rows are numbered across both tables; the events' own rows are numbered in the
  // order of the events, so the last one holding a row has the largest of them.
  const char* last_journal_seq =
      "SELECT max((SELECT coalesce(max(seq), 0) FROM journal_other), coalesce((SELECT journal_seq "
      "FROM events WHERE journal_seq IS NOT NULL ORDER BY seq DESC LIMIT 1), 0))";
  next_journal_seq_ = db.query_int(last_journal_seq) + 1;
  // Continue the chains of a ledger that already holds rows.
  if (const auto genesis = stored_genesis_hash(db)) {
    last_event_hash_ = last_report_hash_ = *genesis;
    Statement last_event =
        db.prepare("SELECT lower(hex(hash)) FROM events ORDER BY seq DESC LIMIT 1");
    if (last_event.step()) last_event_hash_ = last_event.column_text(0);
    Statement last_report =
        db.prepare("SELECT lower(hex(hash)) FROM reports ORDER BY seq DESC, row DESC LIMIT 1");
    if (last_report.step()) last_report_hash_ = last_report.column_text(0);
  }
}

bool LedgerStore::has_ledger() { return db_.query_int("SELECT count(*) FROM scenario") > 0; }

void LedgerStore::refuse_no_ledger() {
  // The rows a run writes beside it, where the events were deleted too (helper-51's F4).
  const std::int64_t events = db_.query_int("SELECT count(*) FROM events");
  const std::int64_t others = db_.query_int(
      "SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM final_balances)");
  if (events + others > 0) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}' holds {} events and {} rows of reports and balances, but "
                                   "no scenario row (deleted by hand?), so it cannot be read as a "
                                   "ledger",
                                   db_.path(), events, others));
  }
  throw StorageError(
      StorageError::Kind::bad_database,
      fmt::format("'{}' holds no ledger (run a scenario into it first)", db_.path()));
}

void LedgerStore::clear() {
  for (const char* table : {"journal_other", "journal_accounts", "appends", "scenario", "events",
                            "reports", "final_balances", "final_ledgers", "final_sources"}) {
    db_.exec(fmt::format("DELETE FROM {}", table));
  }
  journal_names_.reset();
  next_event_seq_ = 1;
  next_report_seq_ = 1;
  next_journal_seq_ = 1;
}

void LedgerStore::write_scenario(const std::string& file, const std::string& events_file,
                                 const std::string& name, const std::string& toml, Timestamp start,
                                 Timestamp end, const std::string& report_every,
                                 DripSchedule drip) {
  db_.prepare("INSERT INTO scenario (id, name, file, events_file, toml, start_time, end_time, "
              "report_every, drip_schedule) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
      .bind(1, name)
      .bind(2, file)
      .bind(3, events_file)
      .bind(4, toml)
      .bind(5, format_timestamp(start))
      .bind(6, format_timestamp(end))
      .bind(7, report_every)
      .bind(8, std::string(drip_schedule_name(drip)))
      .run();
  last_event_hash_ = last_report_hash_ = genesis_hash(file, events_file, toml);
}

std::int64_t LedgerStore::append_event(const RawEvent& raw, const std::string& file, Timestamp time,
                                       const Ledger& ledger, std::span<const JournalRow> rows) {
  YL_ASSERT(!last_event_hash_.empty());  // write_scenario starts the chain
  const std::int64_t seq = next_event_seq_++;
  const Digest link = event_hash(last_event_hash_, seq, file, raw);
  to_hex(link, last_event_hash_);
  // Encoded in order, as the names they use for the first time are numbered in that order.
  std::size_t own = rows.size();  // the first of the event's own rows, if any
  if (rows_.size() < rows.size()) rows_.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const JournalOrigin& origin = rows[i].origin;
    YL_ASSERT(!origin.event_seq || *origin.event_seq == seq);  // none: a scheduled report's
    if (own == rows.size() && origin.event_seq && !origin.report_seq) own = i;
    encode_row(ledger, rows[i], rows_[i]);
  }
  writes_.begin(insert_event_).integer(seq).text(file).integer(static_cast<std::int64_t>(raw.line));
  if (raw.id.empty()) {
    writes_.null();
  } else {
    writes_.text(raw.id);
  }
  writes_.integer(time.seconds)
      .text(raw.time)
      .text(raw.type)
      .text(raw.account)
      .text(raw.asset)
      .text(raw.amount)
      .text(raw.to)
      .text(raw.value)
      .blob(bytes_of(link));
  if (own < rows.size()) {
    writes_.integer(next_journal_seq_ + static_cast<std::int64_t>(own)).blob(rows_[own]);
  } else {
    writes_.null().null();
  }
  writes_.end();
  // The other rows after the event's (journal_other.event_seq refers to it), numbered in order.
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i != own) {
      insert_other(rows[i], next_journal_seq_ + static_cast<std::int64_t>(i), rows_[i]);
    }
  }
  next_journal_seq_ += static_cast<std::int64_t>(rows.size());
  return seq;
}

std::int64_t LedgerStore::append_report(const ReportRecord& report) {
  YL_ASSERT(!last_report_hash_.empty());
  const std::int64_t seq = next_report_seq_++;
  std::int64_t row = 0;
  for (const StoredReportRow& r : report_rows(report)) {
    ++row;
    const Digest link = report_hash(last_report_hash_, seq, row, r);
    to_hex(link, last_report_hash_);
    writes_.begin(insert_report_)
        .integer(seq)
        .integer(row)
        .integer(report.time.seconds)
        .blob(bytes_of(link));
    for (const ReportColumn& c : report_columns()) writes_.text(r.*c.field);
    writes_.end();
  }
  return seq;
}

void LedgerStore::append_journal_row(const Ledger& ledger, const JournalRow& row) {
  YL_ASSERT(!row.origin.event_seq);  // an event's rows are stored with it (append_event)
  if (rows_.empty()) rows_.resize(1);
  encode_row(ledger, row, rows_[0]);
  insert_other(row, next_journal_seq_++, rows_[0]);
}

void LedgerStore::encode_row(const Ledger& ledger, const JournalRow& row, std::string& bytes) {
  if (!journal_names_) {
    YL_ASSERT(!writes_.started());  // start_write_behind read them: no query while rows queue
    journal_names_.emplace(journal_account_names());
  }
  bytes.clear();
  encode_postings(bytes, ledger, row.entries, *journal_names_);
  store_added_names(*journal_names_, insert_journal_account_, writes_);
}

void LedgerStore::insert_other(const JournalRow& row, std::int64_t seq, const std::string& bytes) {
  writes_.begin(insert_journal_).integer(seq);
  if (row.origin.event_seq) {
    writes_.integer(*row.origin.event_seq);
  } else {
    writes_.null();
  }
  if (row.origin.report_seq) {
    writes_.integer(*row.origin.report_seq);
  } else {
    writes_.null();
  }
  writes_.blob(bytes).end();
}

void LedgerStore::start_write_behind() {
  // The names are read now: while rows are queued, this thread must not use the connection
  // (it is opened SQLITE_OPEN_NOMUTEX), and encode_row would read them at the first row.
  if (!journal_names_) journal_names_.emplace(journal_account_names());
  writes_.start();
}

void LedgerStore::flush_writes() { writes_.drain(); }

void LedgerStore::write_snapshot(const Snapshot& snapshot) {
  std::size_t i = 0;
  write_snapshot(snapshot, [&](BalanceRow& row) {
    if (i == snapshot.balances.size()) return false;
    row = snapshot.balances[i++];
    return true;
  });
}

void LedgerStore::write_snapshot(const Ledger& ledger) {
  BalanceRows rows(ledger);
  write_snapshot(take_snapshot_totals(ledger), [&](BalanceRow& row) { return rows.next(row); });
}

void LedgerStore::write_snapshot(const Snapshot& totals,
                                 const std::function<bool(BalanceRow&)>& next_balance) {
  writes_.drain();
  Statement balance = db_.prepare(
      "INSERT INTO final_balances (ord, account, kind, asset, mode, balance_wei, claimable_wei, "
      "shares, remainder_wei) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  std::int64_t ord = 0;
  for (BalanceRow r; next_balance(r);) {
    balance.bind(1, ++ord)
        .bind(2, r.account)
        .bind(3, account_kind_name(r.kind))
        .bind(4, asset_name(r.asset))
        .bind(5, yield_mode_name(r.mode))
        .bind(6, r.balance.wei_string())
        .bind(7, r.claimable.wei_string())
        .bind(8, r.shares.wei_string())
        .bind(9, r.remainder.wei_string())
        .run();
  }
  Statement ledger =
      db_.prepare(fmt::format("INSERT INTO final_ledgers (ord, {}) VALUES (?1, {})",
                              ledger_column_list(), placeholders(2, ledger_columns().size())));
  ord = 0;
  for (const LedgerRow& r : totals.ledgers) {
    ledger.bind(1, ++ord);
    int column = 2;
    for (const LedgerColumn& c : ledger_columns()) {
      ledger.bind(column++, c.field ? (r.*c.field).wei_string() : std::string(asset_name(r.asset)));
    }
    ledger.run();
  }
  Statement source = db_.prepare(
      "INSERT INTO final_sources (ord, source, asset, kind, apr_bps, value_wei, principal_wei, "
      "last) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  ord = 0;
  for (const SourceRow& r : totals.sources) {
    source.bind(1, ++ord)
        .bind(2, r.source)
        .bind(3, asset_name(r.asset))
        .bind(4, source_kind_name(r.kind))
        .bind(5, static_cast<std::int64_t>(r.apr_bps))
        .bind(6, r.value.wei_string())
        .bind(7, r.principal.wei_string())
        .bind(8, format_timestamp(r.last))
        .run();
  }
}

StoredScenario LedgerStore::read_scenario() {
  Statement s =
      db_.prepare("SELECT file, events_file, toml, end_extended, drip_schedule, name, start_time, "
                  "end_time, report_every FROM scenario WHERE id = 1");
  if (!s.step()) refuse_no_ledger();
  StoredScenario stored;
  stored.file = s.column_text(0);
  stored.events_file = s.column_text(1);
  stored.toml = s.column_text(2);
  if (!s.column_is_null(3)) {
    stored.end_extended = read_time(s, 3);
  }
  const auto drip = parse_drip_schedule(s.column_text(4));  // the schema's CHECK allows no other
  if (!drip) {
    throw StorageError(StorageError::Kind::bad_database, "the stored drip schedule is malformed");
  }
  stored.drip = *drip;
  stored.name = s.column_text(5);
  stored.start_time = s.column_text(6);
  stored.end_time = s.column_text(7);
  stored.report_every = s.column_text(8);
  return stored;
}

void LedgerStore::replace_snapshot(const Ledger& ledger) {
  for (const char* table : {"final_balances", "final_ledgers", "final_sources"}) {
    db_.exec(fmt::format("DELETE FROM {}", table));
  }
  write_snapshot(ledger);
}

void LedgerStore::set_end_extended(Timestamp end) {
  db_.prepare("UPDATE scenario SET end_extended = ?1 WHERE id = 1")
      .bind(1, format_timestamp(end))
      .run();
}

std::vector<std::string> LedgerStore::appended_files() {
  std::vector<std::string> files;
  for (StoredAppend& row : read_appends()) files.push_back(std::move(row.file));
  return files;
}

std::vector<StoredAppend> LedgerStore::read_appends() { return storage::read_appends(db_); }

std::vector<StoredAppend> read_appends(Database& db) {
  Statement s = db.prepare(
      "SELECT seq, file, first_event, events, duplicates, end_time, hash FROM appends ORDER BY "
      "seq");
  std::vector<StoredAppend> rows;
  while (s.step()) {
    StoredAppend& row = rows.emplace_back();
    row.seq = s.column_int(0);
    row.file = s.column_text(1);
    if (!s.column_is_null(2)) row.first_event = s.column_int(2);
    row.events = s.column_int(3);
    row.duplicates = s.column_int(4);
    row.end_time = s.column_text(5);
    if (!s.column_is_null(6)) row.hash = s.column_blob(6);
  }
  return rows;
}

std::vector<std::pair<std::int64_t, std::string>> LedgerStore::read_journal_memos() {
  Statement s = db_.prepare("SELECT code, name FROM journal_memos ORDER BY code");
  std::vector<std::pair<std::int64_t, std::string>> rows;
  while (s.step()) rows.emplace_back(s.column_int(0), s.column_text(1));
  return rows;
}

std::optional<StoredEvent> LedgerStore::find_event_by_id(const std::string& id) {
  Statement s = db_.prepare(
      "SELECT seq, file, line, id, time, type, account, asset, amount, \"to\", value, hash "
      "FROM events WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  StoredEvent e;
  e.seq = s.column_int(0);
  e.file = s.column_text(1);
  e.raw = RawEvent{static_cast<std::uint64_t>(s.column_int(2)),
                   s.column_text(3),
                   s.column_text(4),
                   s.column_text(5),
                   s.column_text(6),
                   s.column_text(7),
                   s.column_text(8),
                   s.column_text(9),
                   s.column_text(10)};
  e.hash = s.column_blob(11);
  return e;
}

void LedgerStore::record_append(const std::string& file, std::optional<std::int64_t> first_event,
                                std::int64_t events, std::int64_t duplicates, Timestamp end) {
  const StoredAppend row{db_.query_int("SELECT coalesce(max(seq), 0) + 1 FROM appends"),
                         file,
                         first_event,
                         events,
                         duplicates,
                         format_timestamp(end),
                         {}};
  Statement s = db_.prepare("INSERT INTO appends (seq, file, first_event, events, duplicates, "
                            "end_time, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, row.seq).bind(2, row.file);
  if (first_event) {
    s.bind(3, *first_event);
  } else {
    s.bind_null(3);
  }
  const Digest link = append_hash(last_append_link(), row);
  s.bind(4, events).bind(5, duplicates).bind(6, row.end_time).bind_blob(7, bytes_of(link)).run();
}

std::string LedgerStore::last_append_link() {
  Statement last = db_.prepare("SELECT seq, hash FROM appends ORDER BY seq DESC LIMIT 1");
  if (!last.step()) {
    const auto genesis = stored_genesis_hash(db_);
    YL_ASSERT(genesis.has_value());  // apply continues a ledger
    return *genesis;
  }
  // The column takes any value (migration 11 added it to a table that held rows): a link that
  // is not one was put there by hand, and the chain cannot go on from it.
  const std::string link = last.column_is_null(1) ? std::string() : last.column_blob(1);
  if (link.size() != std::tuple_size_v<Digest>) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}': appends row {} holds no hash link (32 bytes), so the "
                                   "chain cannot go on from it: the ledger was changed by hand, "
                                   "or is damaged (run `yieldledger audit`)",
                                   db_.path(), last.column_int(0)));
  }
  Digest digest;
  std::copy(link.begin(), link.end(), digest.begin());
  return to_hex(digest);
}

Snapshot LedgerStore::read_snapshot() {
  Snapshot snapshot = read_snapshot_totals();
  for_each_final_balance([&](const BalanceRow& row) { snapshot.balances.push_back(row); });
  return snapshot;
}

std::int64_t LedgerStore::for_each_final_balance(const std::function<void(const BalanceRow&)>& f) {
  Statement b = db_.prepare(
      "SELECT account, kind, asset, mode, balance_wei, claimable_wei, shares, remainder_wei "
      "FROM final_balances ORDER BY ord");
  std::int64_t rows = 0;
  BalanceRow row;
  while (b.step()) {
    row.account = read_name(b, 0, /*system=*/true);
    row.kind = read_enum<AccountKind>(b, 1, parse_kind);
    row.asset = read_enum<Asset>(b, 2, parse_asset);
    row.mode = read_enum<YieldMode>(b, 3, parse_yield_mode);
    row.balance = read_amount(b, 4);
    row.claimable = read_amount(b, 5);
    row.shares = read_amount(b, 6);
    row.remainder = read_amount(b, 7);
    f(row);
    ++rows;
  }
  return rows;
}

std::int64_t LedgerStore::final_balance_count() {
  return db_.query_int("SELECT count(*) FROM final_balances");
}

Snapshot LedgerStore::read_snapshot_totals() {
  Snapshot snapshot;
  Statement l =
      db_.prepare(fmt::format("SELECT {} FROM final_ledgers ORDER BY ord", ledger_column_list()));
  while (l.step()) {
    LedgerRow row;
    int column = 0;
    for (const LedgerColumn& c : ledger_columns()) {
      if (c.field) {
        row.*c.field = read_amount(l, column);
      } else {
        row.asset = read_enum<Asset>(l, column, parse_asset);
      }
      ++column;
    }
    snapshot.ledgers.push_back(std::move(row));
  }
  Statement s = db_.prepare(
      "SELECT source, asset, kind, apr_bps, value_wei, principal_wei, last FROM final_sources "
      "ORDER BY ord");
  while (s.step()) {
    const Timestamp last = read_time(s, 6);
    snapshot.sources.push_back(SourceRow{read_name(s, 0), read_enum<Asset>(s, 1, parse_asset),
                                         read_enum<SourceKind>(s, 2, parse_source_kind),
                                         static_cast<std::uint32_t>(s.column_int(3)),
                                         read_amount(s, 4), read_amount(s, 5), last});
  }
  return snapshot;
}

std::vector<StoredReportRow> LedgerStore::read_reports() {
  auto cursor = reports_in_order();
  std::vector<StoredReportRow> rows;
  StoredReport r;
  while (cursor.next(r)) rows.push_back(std::move(r.fields));
  return rows;
}

RowCursor<StoredEvent> LedgerStore::events_in_order() {
  return RowCursor<StoredEvent>(
      db_.prepare("SELECT seq, file, line, coalesce(id, ''), time, type, account, asset, amount, "
                  "\"to\", value, hash, journal_seq, postings, time_s FROM events ORDER BY seq"),
      [](Statement& s, StoredEvent& e) {
        // Assigned in place: a reader walking a million rows with one StoredEvent allocates
        // nothing per row.
        e.seq = s.column_int(0);
        e.file.assign(s.column_view(1));
        e.raw.line = static_cast<std::uint64_t>(s.column_int(2));
        e.raw.id.assign(s.column_view(3));
        e.raw.time.assign(s.column_view(4));
        e.raw.type.assign(s.column_view(5));
        e.raw.account.assign(s.column_view(6));
        e.raw.asset.assign(s.column_view(7));
        e.raw.amount.assign(s.column_view(8));
        e.raw.to.assign(s.column_view(9));
        e.raw.value.assign(s.column_view(10));
        e.hash.assign(s.column_blob_view(11));
        e.time_s = s.column_int(14);
        e.postings_without_entry = s.column_is_null(12) && !s.column_is_null(13);
        if (s.column_is_null(12)) {
          e.own_entry.reset();
        } else {
          StoredJournalEntry& own = e.own_entry ? *e.own_entry : e.own_entry.emplace();
          own.seq = s.column_int(12);
          own.event_seq = e.seq;
          own.report_seq.reset();
          own.postings.assign(s.column_blob_view(13));
        }
        return true;
      });
}

RowCursor<StoredReport> LedgerStore::reports_in_order() {
  return RowCursor<StoredReport>(
      db_.prepare(fmt::format("SELECT seq, row, hash, time_s, {} FROM reports ORDER BY seq, row",
                              report_column_list())),
      [](Statement& s, StoredReport& r) {
        r.seq = s.column_int(0);
        r.row = s.column_int(1);
        r.hash = s.column_blob(2);
        r.time_s = s.column_int(3);
        int column = 4;
        for (const ReportColumn& c : report_columns()) r.fields.*c.field = s.column_text(column++);
        return true;
      });
}

JournalCursor::JournalCursor(std::optional<RowCursor<StoredJournalEntry>> own, OtherRows other)
    : own_rows_(std::move(own)), fed_(!own_rows_), other_rows_(std::move(other)) {
  has_other_ = other_rows_(other_);
}

void JournalCursor::feed(StoredJournalEntry own) {
  YL_ASSERT(fed_);
  own_.push_back(std::move(own));
}

bool JournalCursor::next(StoredJournalEntry& entry) {
  if (own_.empty() && own_rows_) {
    // A finished statement would start again if stepped, so the cursor is dropped at its end.
    if (own_rows_->next(entry)) {
      own_.push_back(std::move(entry));
    } else {
      own_rows_.reset();
    }
  }
  if (!own_.empty() && (!has_other_ || own_.front().seq <= other_.seq)) {
    entry = std::move(own_.front());
    own_.pop_front();
    return true;
  }
  if (!has_other_) return false;
  entry = std::move(other_);
  has_other_ = other_rows_(other_);  // other_rows_ is not stepped again once done
  return true;
}

namespace {

constexpr const char* kJournalOtherInOrder =
    "SELECT seq, event_seq, report_seq, postings FROM journal_other ORDER BY seq";

bool read_journal_entry(Statement& s, StoredJournalEntry& j) {
  j.seq = s.column_int(0);
  j.event_seq = s.column_is_null(1) ? std::nullopt : std::optional(s.column_int(1));
  j.report_seq = s.column_is_null(2) ? std::nullopt : std::optional(s.column_int(2));
  j.postings = s.column_blob(3);
  return true;
}

// A cursor as JournalCursor takes its other rows (a std::function is copied, a cursor moved).
JournalCursor::OtherRows rows_of(RowCursor<StoredJournalEntry> cursor) {
  return [shared = std::make_shared<RowCursor<StoredJournalEntry>>(std::move(cursor))](
             StoredJournalEntry& entry) { return shared->next(entry); };
}

}  // namespace

JournalCursor LedgerStore::journal_in_order() {
  Statement own = db_.prepare(
      "SELECT journal_seq, seq, NULL, postings FROM events WHERE journal_seq IS NOT NULL "
      "ORDER BY seq");
  return JournalCursor(RowCursor<StoredJournalEntry>(std::move(own), read_journal_entry),
                       rows_of(journal_other_in_order()));
}

RowCursor<StoredJournalEntry> LedgerStore::journal_other_in_order() {
  return RowCursor<StoredJournalEntry>(db_.prepare(kJournalOtherInOrder), read_journal_entry);
}

RowCursor<std::pair<std::int64_t, std::string>> LedgerStore::report_postings_in_order() {
  return RowCursor<std::pair<std::int64_t, std::string>>(
      db_.prepare("SELECT report_seq, postings FROM journal_other WHERE report_seq IS NOT NULL "
                  "ORDER BY report_seq, seq"),
      [](Statement& s, std::pair<std::int64_t, std::string>& row) {
        row.first = s.column_int(0);
        row.second = s.column_blob(1);
        return true;
      });
}

RowCursor<std::pair<std::int64_t, std::string>> LedgerStore::journal_accounts_in_order() {
  return RowCursor<std::pair<std::int64_t, std::string>>(
      db_.prepare("SELECT id, name FROM journal_accounts ORDER BY id"),
      [](Statement& s, std::pair<std::int64_t, std::string>& row) {
        row = {s.column_int(0), s.column_text(1)};
        return true;
      });
}

std::vector<std::string> LedgerStore::journal_account_names() {
  auto rows = journal_accounts_in_order();
  std::vector<std::string> names;
  std::pair<std::int64_t, std::string> row;
  while (rows.next(row)) {
    if (row.first != static_cast<std::int64_t>(names.size()) + 1) {
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("journal_accounts: expected id {} but found {} (run "
                                     "`yieldledger audit`)",
                                     names.size() + 1, row.first));
    }
    // "l1:buffer:ETH", "l2:account:@gas": a lower-case word, then names and assets. A name edited
    // by hand into a spreadsheet formula went out in `journal --format csv` as it was.
    const std::string& name = row.second;
    const bool ledger_made = !name.empty() && name.front() >= 'a' && name.front() <= 'z' &&
                             name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                                                    "TUVWXYZ0123456789_.:@-") == std::string::npos;
    if (!ledger_made) {
      throw StorageError(StorageError::Kind::bad_database,
                         fmt::format("journal_accounts: id {} holds the name '{}', which no ledger "
                                     "stores (run `yieldledger audit`)",
                                     row.first, bounded(name, 64)));
    }
    names.push_back(std::move(row.second));
  }
  return names;
}

std::vector<StoredPosting> LedgerStore::postings_of(const StoredJournalEntry& entry,
                                                    const std::vector<std::string>& names) {
  auto postings = read_postings(entry.postings, names);
  if (!postings) {
    throw StorageError(
        StorageError::Kind::bad_database,
        fmt::format("journal entry {} is malformed (run `yieldledger audit`)", entry.seq));
  }
  return std::move(*postings);
}

std::int64_t LedgerStore::event_count() { return db_.query_int("SELECT count(*) FROM events"); }

std::int64_t LedgerStore::journal_posting_count() {
  JournalCursor cursor = journal_in_order();
  StoredJournalEntry entry;
  std::int64_t count = 0;
  while (cursor.next(entry)) {
    const auto postings = decode_postings(entry.postings);
    if (!postings) {
      throw StorageError(
          StorageError::Kind::bad_database,
          fmt::format("journal entry {} is malformed (run `yieldledger audit`)", entry.seq));
    }
    count += static_cast<std::int64_t>(postings->size());
  }
  return count;
}

std::int64_t LedgerStore::report_row_count() {
  return db_.query_int("SELECT count(*) FROM reports");
}

std::int64_t LedgerStore::report_count() {
  return db_.query_int("SELECT coalesce(max(seq), 0) FROM reports");
}

void check_report_row(const StoredReport& report) {
  using R = StoredReportRow;
  const R& r = report.fields;
  // SPEC §7.1: a row of an asset without sources leaves its source's fields empty.
  const auto source_field = [](std::string R::*field) {
    return field == &R::yield_wei || field == &R::fee_wei || field == &R::cover_wei ||
           field == &R::committed_wei || field == &R::hurdle_wei || field == &R::protocol_fee_wei;
  };
  for (const ReportColumn& c : report_columns()) {
    const std::string& text = r.*c.field;
    bool stored_by_a_report = false;
    if (c.field == &R::time) {
      stored_by_a_report = parse_timestamp(text).has_value();
    } else if (c.field == &R::asset) {
      stored_by_a_report = parse_asset(text).has_value();
    } else if (c.field == &R::trigger) {
      stored_by_a_report = text == "event" || text == "scheduled";
    } else if (c.field == &R::source) {
      stored_by_a_report = text.empty() || is_valid_name(text);
    } else if (r.source.empty() && source_field(c.field)) {
      stored_by_a_report = text.empty();
    } else {  // a canonical integer, negative only where SPEC §7.1 signs the column
      const bool negative = c.kind == ColumnKind::signed_amount && text.starts_with('-');
      const std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
      stored_by_a_report = Amount::parse_wei(digits).has_value() && !(negative && digits == "0");
    }
    if (!stored_by_a_report) {
      changed_by_hand(fmt::format("reports, report {} ({}): {}", report.seq, bounded(r.asset, 8),
                                  sql_name(c.name)),
                      text, "which no report stores");
    }
  }
}

}  // namespace yl::storage
