#include "engine/storage/ledger_store.h"

#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/storage/storage_error.h"

namespace yl::storage {
namespace {

Amount read_amount(Statement& s, int column) {
  const std::string text = s.column_text(column);
  const auto amount = Amount::parse_wei(text);
  if (!amount) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("stored amount '{}' is not a canonical wei integer", text));
  }
  return *amount;
}

template <typename T, typename Parse>
T read_enum(Statement& s, int column, Parse parse) {
  const std::string text = s.column_text(column);
  const auto value = parse(text);
  if (!value) {
    throw StorageError(StorageError::Kind::bad_database, fmt::format("stored value '{}' is unknown", text));
  }
  return *value;
}

std::optional<AccountKind> parse_kind(std::string_view text) {
  if (text == "user") return AccountKind::user;
  if (text == "dapp") return AccountKind::dapp;
  if (text == "system") return AccountKind::system;
  return std::nullopt;
}

}  // namespace

LedgerStore::LedgerStore(Database& db)
    : db_(db),
      insert_event_(db.prepare(
          "INSERT INTO events (seq, file, line, id, time_s, time, type, account, asset, amount, "
          "\"to\", value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")),
      insert_report_(db.prepare(
          "INSERT INTO reports (seq, row, time_s, time, asset, trigger, source, yield_wei, "
          "fee_wei, cover_wei, committed_wei, debt_before_wei, debt_after_wei, t_wei, "
          "price_before, price_after, pending_after_wei) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
          "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)")) {
  Statement events = db.prepare("SELECT coalesce(max(seq), 0) FROM events");
  events.step();
  next_event_seq_ = events.column_int(0) + 1;
  Statement reports = db.prepare("SELECT coalesce(max(seq), 0) FROM reports");
  reports.step();
  next_report_seq_ = reports.column_int(0) + 1;
}

bool LedgerStore::has_ledger() {
  Statement s = db_.prepare("SELECT count(*) FROM scenario");
  s.step();
  return s.column_int(0) > 0;
}

void LedgerStore::clear() {
  for (const char* table : {"scenario", "events", "reports", "final_balances", "final_ledgers",
                            "final_sources"}) {
    db_.exec(fmt::format("DELETE FROM {}", table));
  }
  next_event_seq_ = 1;
  next_report_seq_ = 1;
}

void LedgerStore::write_scenario(const std::string& file, const std::string& events_file,
                                 const std::string& name, const std::string& toml,
                                 Timestamp start, Timestamp end, const std::string& report_every) {
  db_.prepare(
         "INSERT INTO scenario (id, name, file, events_file, toml, start_time, end_time, "
         "report_every) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, name)
      .bind(2, file)
      .bind(3, events_file)
      .bind(4, toml)
      .bind(5, format_timestamp(start))
      .bind(6, format_timestamp(end))
      .bind(7, report_every)
      .run();
}

void LedgerStore::append_event(const RawEvent& raw, const std::string& file, Timestamp time) {
  insert_event_.bind(1, next_event_seq_++)
      .bind(2, file)
      .bind(3, static_cast<std::int64_t>(raw.line));
  if (raw.id.empty()) {
    insert_event_.bind_null(4);
  } else {
    insert_event_.bind(4, raw.id);
  }
  insert_event_.bind(5, time.seconds)
      .bind(6, raw.time)
      .bind(7, raw.type)
      .bind(8, raw.account)
      .bind(9, raw.asset)
      .bind(10, raw.amount)
      .bind(11, raw.to)
      .bind(12, raw.value)
      .run();
}

void LedgerStore::append_report(const ReportRecord& report) {
  const std::int64_t seq = next_report_seq_++;
  // SPEC §7.1: an asset without sources gets one row whose source fields are empty.
  auto write_row = [&](std::int64_t row, const SourceYield* line) {
    const std::string zero;
    insert_report_.bind(1, seq)
        .bind(2, row)
        .bind(3, report.time.seconds)
        .bind(4, format_timestamp(report.time))
        .bind(5, asset_name(report.asset))
        .bind(6, report_trigger_name(report.trigger))
        .bind(7, line ? line->source : std::string())
        .bind(8, line ? line->yield.wei_string() : zero)
        .bind(9, line ? line->fee.wei_string() : zero)
        .bind(10, line ? line->cover.wei_string() : zero)
        .bind(11, line ? line->committed.wei_string() : zero)
        .bind(12, report.debt_before.wei_string())
        .bind(13, report.debt_after.wei_string())
        .bind(14, report.total.wei_string())
        .bind(15, report.price_before.wei_string())
        .bind(16, report.price_after.wei_string())
        .bind(17, report.pending_after.wei_string())
        .run();
  };
  if (report.sources.empty()) {
    write_row(1, nullptr);
    return;
  }
  for (std::size_t i = 0; i < report.sources.size(); ++i) {
    write_row(static_cast<std::int64_t>(i + 1), &report.sources[i]);
  }
}

void LedgerStore::write_snapshot(const Snapshot& snapshot) {
  Statement balance = db_.prepare(
      "INSERT INTO final_balances (ord, account, kind, asset, mode, balance_wei, claimable_wei, "
      "shares, remainder_wei) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  std::int64_t ord = 0;
  for (const BalanceRow& r : snapshot.balances) {
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
  Statement ledger = db_.prepare(
      "INSERT INTO final_ledgers (asset, ord, price, pending_wei, total_shares, buffer_wei, "
      "debt_wei, insurance_wei, retained_wei) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  ord = 0;
  for (const LedgerRow& r : snapshot.ledgers) {
    ledger.bind(1, asset_name(r.asset))
        .bind(2, ++ord)
        .bind(3, r.price.wei_string())
        .bind(4, r.pending.wei_string())
        .bind(5, r.total_shares.wei_string())
        .bind(6, r.buffer.wei_string())
        .bind(7, r.debt.wei_string())
        .bind(8, r.insurance.wei_string())
        .bind(9, r.retained.wei_string())
        .run();
  }
  Statement source = db_.prepare(
      "INSERT INTO final_sources (ord, source, asset, kind, apr_bps, value_wei, principal_wei, "
      "last) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  ord = 0;
  for (const SourceRow& r : snapshot.sources) {
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
  Statement s = db_.prepare("SELECT file, events_file, toml FROM scenario WHERE id = 1");
  if (!s.step()) {
    throw StorageError(StorageError::Kind::bad_database,
                       fmt::format("'{}' holds no ledger (run a scenario into it first)", db_.path()));
  }
  return StoredScenario{s.column_text(0), s.column_text(1), s.column_text(2)};
}

void LedgerStore::for_each_event(
    const std::function<bool(const RawEvent&, const std::string& file)>& visit) {
  Statement s = db_.prepare(
      "SELECT line, coalesce(id, ''), time, type, account, asset, amount, \"to\", value, file "
      "FROM events ORDER BY seq");
  RawEvent raw;
  while (s.step()) {
    raw.line = static_cast<std::uint64_t>(s.column_int(0));
    raw.id = s.column_text(1);
    raw.time = s.column_text(2);
    raw.type = s.column_text(3);
    raw.account = s.column_text(4);
    raw.asset = s.column_text(5);
    raw.amount = s.column_text(6);
    raw.to = s.column_text(7);
    raw.value = s.column_text(8);
    if (!visit(raw, s.column_text(9))) return;
  }
}

Snapshot LedgerStore::read_snapshot() {
  Snapshot snapshot;
  Statement b = db_.prepare(
      "SELECT account, kind, asset, mode, balance_wei, claimable_wei, shares, remainder_wei "
      "FROM final_balances ORDER BY ord");
  while (b.step()) {
    snapshot.balances.push_back(BalanceRow{
        b.column_text(0), read_enum<AccountKind>(b, 1, parse_kind),
        read_enum<Asset>(b, 2, parse_asset), read_enum<YieldMode>(b, 3, parse_yield_mode),
        read_amount(b, 4), read_amount(b, 5), read_amount(b, 6), read_amount(b, 7)});
  }
  Statement l = db_.prepare(
      "SELECT asset, price, pending_wei, total_shares, buffer_wei, debt_wei, insurance_wei, "
      "retained_wei FROM final_ledgers ORDER BY ord");
  while (l.step()) {
    snapshot.ledgers.push_back(LedgerRow{read_enum<Asset>(l, 0, parse_asset), read_amount(l, 1),
                                         read_amount(l, 2), read_amount(l, 3), read_amount(l, 4),
                                         read_amount(l, 5), read_amount(l, 6), read_amount(l, 7)});
  }
  Statement s = db_.prepare(
      "SELECT source, asset, kind, apr_bps, value_wei, principal_wei, last FROM final_sources "
      "ORDER BY ord");
  while (s.step()) {
    const auto last = parse_timestamp(s.column_text(6));
    if (!last) throw StorageError(StorageError::Kind::bad_database, "stored source time is malformed");
    snapshot.sources.push_back(SourceRow{
        s.column_text(0), read_enum<Asset>(s, 1, parse_asset),
        read_enum<SourceKind>(s, 2, parse_source_kind), static_cast<std::uint32_t>(s.column_int(3)),
        read_amount(s, 4), read_amount(s, 5), *last});
  }
  return snapshot;
}

std::vector<StoredReportRow> LedgerStore::read_reports() {
  Statement s = db_.prepare(
      "SELECT time, asset, trigger, source, yield_wei, fee_wei, cover_wei, committed_wei, "
      "debt_before_wei, debt_after_wei, t_wei, price_before, price_after, pending_after_wei "
      "FROM reports ORDER BY seq, row");
  std::vector<StoredReportRow> rows;
  while (s.step()) {
    StoredReportRow r;
    std::string* fields[] = {&r.time, &r.asset, &r.trigger, &r.source, &r.yield_wei, &r.fee_wei,
                             &r.cover_wei, &r.committed_wei, &r.debt_before_wei,
                             &r.debt_after_wei, &r.t_wei, &r.price_before, &r.price_after,
                             &r.pending_after_wei};
    for (int i = 0; i < 14; ++i) *fields[i] = s.column_text(i);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::int64_t LedgerStore::event_count() {
  Statement s = db_.prepare("SELECT count(*) FROM events");
  s.step();
  return s.column_int(0);
}

}  // namespace yl::storage
