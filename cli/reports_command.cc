// `yieldledger reports --db FILE [--format table|csv] [--verbose]` (SPEC §7.1): one row per report,
// asset and source, in the order they ran. --verbose adds, per report, where every wei of T went:
// the debt it repaid or grew, and how it split into the price step (ΔP·C, paid to the holders of
// the C shares) and the pending carried to the next report.
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/query.h"
#include "engine/storage/journal_codec.h"
#include "engine/storage/ledger_store.h"
#include "engine/storage/storage_error.h"

namespace yl::cli {
namespace {

struct ReportsOptions {
  QueryOptions query;
  bool verbose = false;
};

// How one report's T reached the L2 ledger, read back from its journal entry (journal.h: Cr
// l2:pending T, then Dr l2:pending ΔP·C).
struct Split {
  Amount into_pending;        // T when positive (and a streamed report's drip)
  Amount paid;                // ΔP·C of the price steps
  Amount socialized_pending;  // q: what a socialized loss took from pending (SPEC §9.3)
  Amount socialized_price;    // ΔP·C: what it took from the holders through the price
  Amount pending_before;
  std::string price_delta;  // signed: a socialized loss lowers the price (SPEC §9.3)
  // C, known when the price rose by the report's own step alone, or fell by a socialized loss
  // (under streamed distribution too: the drip is before price_before, helper-74's F4).
  std::string shares;
};

Split split_of(const storage::StoredReportRow& row, const std::string& stored_postings,
               const std::vector<std::string>& account_names) {
  Split split;
  // A report that moved nothing (no yield, no debt) posted no entry.
  const auto postings = stored_postings.empty()
                            ? std::optional(std::vector<storage::StoredPosting>{})
                            : storage::read_postings(stored_postings, account_names);
  if (!postings) {
    throw storage::StorageError(storage::StorageError::Kind::bad_database,
                                "a report's journal entry is malformed (run `yieldledger audit`)");
  }
  Amount taken;  // every debit of pending: price steps and a socialized loss
  bool dripped = false;
  for (const storage::StoredPosting& p : *postings) {
    if (p.memo == "socialized" && p.debit && p.account.starts_with("l2:accrued:")) {
      split.socialized_price += p.amount;
    }
    if (!p.account.starts_with("l2:pending:")) continue;
    dripped = dripped || p.memo == "drip";
    if (p.debit) {
      taken += p.amount;
      if (p.memo == "price_step") split.paid += p.amount;
      if (p.memo == "socialized") split.socialized_pending += p.amount;
    } else {
      split.into_pending += p.amount;
    }
  }
  const Amount after = storage::stored_wei(row.pending_after_wei, "reports.pending_after_wei");
  if (after + taken < split.into_pending) {
    throw storage::StorageError(
        storage::StorageError::Kind::bad_database,
        fmt::format("the report of {} at {}: its pending_after_wei {} and its journal entry do not "
                    "add up to a pending before it: the ledger was changed by hand, or is damaged "
                    "(`yieldledger audit` names the row)",
                    row.asset, row.time, row.pending_after_wei));
  }
  split.pending_before = after + taken - split.into_pending;
  const Amount price_before = storage::stored_wei(row.price_before, "reports.price_before");
  const Amount price_after = storage::stored_wei(row.price_after, "reports.price_after");
  split.price_delta = SignedAmount::difference(price_after, price_before).wei_string();
  if (price_after > price_before && !dripped) {
    split.shares = div_floor(split.paid, price_after - price_before).wei_string();
  } else if (price_after < price_before) {
    split.shares = div_floor(split.socialized_price, price_before - price_after).wei_string();
  }
  return split;
}

// The postings of each report's journal entry, read beside the reports: both come in report
// seq order, so only the current report's are held.
class ReportPostings {
 public:
  explicit ReportPostings(storage::LedgerStore& store)
      : cursor_(store.report_postings_in_order()), more_(cursor_.next(next_)) {}
  // The stored postings of report `seq` ("" when it posted none); `seq` never decreases.
  const std::string& of(std::int64_t seq) {
    if (seq == seq_) return postings_;
    seq_ = seq;
    postings_.clear();
    for (; more_ && next_.first <= seq; more_ = cursor_.next(next_)) {
      if (next_.first == seq) postings_ = std::move(next_.second);
    }
    return postings_;
  }

 private:
  storage::RowCursor<std::pair<std::int64_t, std::string>> cursor_;
  std::pair<std::int64_t, std::string> next_;
  bool more_;
  std::int64_t seq_ = -1;
  std::string postings_;
};

std::string signed_text(const Amount& before, const Amount& after) {
  return SignedAmount::difference(after, before).wei_string();
}

void reports(const ReportsOptions& options) {
  LedgerReader reader(options.query.db);
  storage::LedgerStore& store = reader.store;
  const Format format = output_format(options.query);
  const bool csv = format == Format::csv;
  std::vector<std::string> account_names;
  if (options.verbose) account_names = store.journal_account_names();
  std::vector<Column> columns;
  std::vector<std::string> names;
  for (const storage::ReportColumn& c : storage::report_columns()) names.emplace_back(c.name);
  if (options.verbose) {
    names.insert(names.end(),
                 {"debt_change_wei", "pending_before_wei", "into_pending_wei", "price_delta",
                  "total_shares", "paid_to_holders_wei", "socialized_pending_wei"});
  }
  for (std::string column : names) {
    if (!csv && column.ends_with("_wei")) column.resize(column.size() - 4);
    const bool numeric =
        column != "time" && column != "asset" && column != "trigger" && column != "source";
    columns.push_back({column, numeric});
  }
  auto amount = [&](const std::string& wei) { return csv ? wei : signed_units(wei); };
  // Streamed (a ledger may hold a million reports): read again for each pass.
  print_rows(std::cout, columns, format, [&](const RowSink& sink) {
    auto cursor = store.reports_in_order();
    std::optional<ReportPostings> postings;
    if (options.verbose) postings.emplace(store);
    storage::StoredReport stored;
    std::vector<std::string> row;
    while (cursor.next(stored)) {
      storage::check_report_row(stored);
      const storage::StoredReportRow& r = stored.fields;
      row.clear();
      for (const storage::ReportColumn& c : storage::report_columns()) {
        const bool wei =
            c.kind == storage::ColumnKind::amount || c.kind == storage::ColumnKind::signed_amount;
        row.push_back(wei ? amount(r.*c.field) : r.*c.field);
      }
      if (options.verbose) {
        const Split s = split_of(r, postings->of(stored.seq), account_names);
        const Amount debt_before =
            storage::stored_wei(r.debt_before_wei, "reports.debt_before_wei");
        const Amount debt_after = storage::stored_wei(r.debt_after_wei, "reports.debt_after_wei");
        row.insert(
            row.end(),
            {amount(signed_text(debt_before, debt_after)), amount(s.pending_before.wei_string()),
             amount(s.into_pending.wei_string()), s.price_delta, s.shares,
             amount(s.paid.wei_string()), amount(s.socialized_pending.wei_string())});
      }
      sink(row);
    }
  });
  if (options.verbose && !csv) {
    std::cout << "\nEach report: T = Σ committed − debt_before; a positive T goes into pending, "
                 "and pending_before + into_pending = paid_to_holders + socialized_pending + "
                 "pending_after, where paid_to_holders = price_delta × total_shares when the "
                 "price rose; a socialized loss (SPEC §9.3) takes socialized_pending from "
                 "pending and the rest of it, −price_delta × total_shares, from the holders. "
                 "Under streamed distribution, into_pending and paid_to_holders are the drip's "
                 "(price_before is after it), and total_shares is left empty but where a "
                 "socialized loss lowered the price.\n";
  }
}

}  // namespace

void add_reports_command(CLI::App& app) {
  auto options = std::make_shared<ReportsOptions>();
  CLI::App* command = app.add_subcommand("reports", "Every yield report, per asset and source");
  command->add_option("--db", options->query.db, "the ledger database written by `run`")
      ->required();
  command
      ->add_option("--format", options->query.format,
                   "table (for people) or csv (for spreadsheets)")
      ->check(CLI::IsMember({"table", "csv"}));
  command->add_flag("--verbose", options->verbose,
                    "add where each report's yield went: debt change, pending before, the price "
                    "step (delta x shares) and what stayed pending");
  command->callback([options] { reports(*options); });
}

}  // namespace yl::cli
