#include "engine/export/ledger_tables.h"

#include <fmt/format.h>

#include "engine/storage/journal_codec.h"

namespace yl {
namespace {

// The wei of its L2 asset that an event moves: a deposit's credit (a USDC deposit counts in USDB
// wei), a transfer's or withdrawal's amount; empty for events without an amount.
std::string amount_wei(const Event& event) {
  return std::visit(
      [](const auto& body) -> std::string {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, Deposit>) {
          return to_l2_wei(body.asset, body.amount).wei_string();
        } else if constexpr (std::is_same_v<Body, Claim>) {
          return body.amount ? body.amount->wei_string() : "";
        } else if constexpr (requires { body.amount; }) {
          return body.amount.wei_string();
        } else {
          return "";
        }
      },
      event.body);
}

}  // namespace

TableSpec accounts_spec() {
  return {"accounts",
          {{"account"},
           {"kind"},
           {"opened", CellKind::time},
           {"eth_mode"},
           {"usdb_mode"},
           {"gas_mode"}},
          "pick fewer with --accounts (e.g. --accounts top:1000), "};
}

TableSpec events_spec() {
  return {"events",
          {{"seq", CellKind::integer},
           {"id"},
           {"file"},
           {"line", CellKind::integer},
           {"time", CellKind::time},
           {"type"},
           {"account"},
           {"asset"},
           {"amount"},
           {"amount_wei", CellKind::wei},
           {"to"},
           {"value"}},
          ""};
}

TableSpec reports_spec() {
  // The store's one description of the columns (storage::report_columns, SPEC §7.1).
  TableSpec spec{"reports", {}, ""};
  for (const storage::ReportColumn& c : storage::report_columns()) {
    CellKind kind = CellKind::wei;  // amount, signed_amount
    if (c.kind == storage::ColumnKind::text) kind = CellKind::text;
    if (c.kind == storage::ColumnKind::time) kind = CellKind::time;
    if (c.kind == storage::ColumnKind::integer) kind = CellKind::integer;
    spec.columns.push_back({std::string(c.name), kind});
  }
  return spec;
}

TableSpec journal_spec() {
  return {"journal",
          {{"entry", CellKind::integer},
           {"event_seq", CellKind::integer},
           {"report_seq", CellKind::integer},
           {"posting", CellKind::integer},
           {"account"},
           {"asset"},
           {"side"},
           {"amount_wei", CellKind::wei},
           {"amount", CellKind::decimal},
           {"memo"}},
          ""};
}

std::int64_t write_accounts(const Ledger& final_ledger, const SelectedAccounts& selected,
                            TableWriter& out) {
  std::int64_t rows = 0;
  for (AccountId id = 0; id < final_ledger.account_count(); ++id) {
    const AccountInfo& info = final_ledger.info(id);
    if (!selected.contains(info.name, Asset::eth) && !selected.contains(info.name, Asset::usdb)) {
      continue;
    }
    const AccountState state = final_ledger.state(id);
    out.row({std::string(info.name), std::string(account_kind_name(info.kind)),
             format_timestamp(info.opened),
             std::string(yield_mode_name(state.positions[index_of(Asset::eth)].mode)),
             std::string(yield_mode_name(state.positions[index_of(Asset::usdb)].mode)),
             info.kind == AccountKind::dapp ? std::string(gas_mode_name(final_ledger.gas(id)->mode))
                                            : ""});
    ++rows;
  }
  return rows;
}

std::int64_t write_events(storage::LedgerStore& store, TableWriter& out,
                          const std::function<void(std::int64_t)>& on_row) {
  std::int64_t rows = 0;
  auto cursor = store.events_in_order();
  storage::StoredEvent stored;
  while (cursor.next(stored)) {
    const RawEvent& r = stored.raw;
    const Event event = parse_event(r, stored.file);
    out.row({std::to_string(stored.seq), r.id, stored.file, std::to_string(r.line), r.time, r.type,
             r.account, r.asset, r.amount, amount_wei(event), r.to, r.value});
    if (on_row) on_row(++rows);
  }
  return rows;
}

std::int64_t write_reports(storage::LedgerStore& store, TableWriter& out) {
  std::int64_t rows = 0;
  auto cursor = store.reports_in_order();
  storage::StoredReport stored;
  std::vector<std::string> cells;
  while (cursor.next(stored)) {
    storage::check_report_row(stored);
    cells.clear();
    for (const storage::ReportColumn& c : storage::report_columns()) {
      cells.push_back(stored.fields.*c.field);
    }
    out.row(cells);
    ++rows;
  }
  return rows;
}

std::int64_t write_journal(storage::LedgerStore& store, TableWriter& out,
                           const std::function<void(std::int64_t)>& on_row) {
  std::int64_t rows = 0;
  const std::vector<std::string> names = store.journal_account_names();
  auto cursor = store.journal_in_order();
  storage::StoredJournalEntry entry;
  auto optional_text = [](std::optional<std::int64_t> seq) {
    return seq ? std::to_string(*seq) : std::string();
  };
  while (cursor.next(entry)) {
    const std::vector<storage::StoredPosting> postings =
        storage::LedgerStore::postings_of(entry, names);
    for (std::size_t i = 0; i < postings.size(); ++i) {
      const storage::StoredPosting& p = postings[i];
      out.row({std::to_string(entry.seq), optional_text(entry.event_seq),
               optional_text(entry.report_seq), std::to_string(i + 1), p.account,
               std::string(asset_name(p.asset)), p.debit ? "debit" : "credit",
               p.amount.wei_string(), units(p.amount), p.memo});
      if (on_row) on_row(++rows);
    }
  }
  return rows;
}

}  // namespace yl
