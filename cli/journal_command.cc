// `yieldledger journal --db FILE [--event SEQ] [--report SEQ] [--format table|csv]`: the stored
// journal (schema/0005_binary_journal.sql, schema/0007_paired_postings.sql) as rows, a posting a
// line: the entry, the event or report it belongs to, the account, asset, side, amount (exact
// wei in CSV) and memo.
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/integer_option.h"
#include "cli/query.h"
#include "engine/core/asset.h"
#include "engine/usage_error.h"

namespace yl::cli {
namespace {

struct JournalOptions {
  QueryOptions query;
  std::optional<std::int64_t> event;
  std::optional<std::int64_t> report;
};

void journal(const JournalOptions& options) {
  LedgerReader reader(options.query.db);
  // A seq past the last prints no row, as an event without postings does: said, not left empty.
  if (options.event) {
    const std::int64_t events = reader.store.event_count();
    if (*options.event > events) {
      throw UsageError(fmt::format("--event {}: the ledger has {} events", *options.event, events));
    }
  }
  if (options.report) {
    const std::int64_t reports = reader.store.report_count();
    if (*options.report > reports) {
      throw UsageError(
          fmt::format("--report {}: the ledger has {} reports", *options.report, reports));
    }
  }
  const Format format = output_format(options.query);
  const bool csv = format == Format::csv;
  const std::vector<std::string> names = reader.store.journal_account_names();
  const std::vector<Column> columns = {{"entry", true},
                                       {"event", true},
                                       {"report", true},
                                       {"account"},
                                       {"asset"},
                                       {"side"},
                                       {csv ? "amount_wei" : "amount", true},
                                       {"memo"}};
  auto text = [](std::optional<std::int64_t> seq) { return seq ? std::to_string(*seq) : ""; };
  // Streamed (a million-event journal has millions of postings): read again for each pass.
  print_rows(std::cout, columns, format, [&](const RowSink& sink) {
    auto cursor = reader.store.journal_in_order();
    storage::StoredJournalEntry entry;
    std::vector<std::string> row;
    while (cursor.next(entry)) {
      if ((options.event && entry.event_seq != options.event) ||
          (options.report && entry.report_seq != options.report)) {
        continue;
      }
      for (const storage::StoredPosting& p : storage::LedgerStore::postings_of(entry, names)) {
        row = {std::to_string(entry.seq),
               text(entry.event_seq),
               text(entry.report_seq),
               p.account,
               std::string(asset_name(p.asset)),
               p.debit ? "D" : "C",
               csv ? p.amount.wei_string() : units(p.amount),
               p.memo};
        sink(row);
      }
    }
  });
}

}  // namespace

void add_journal_command(CLI::App& app) {
  auto options = std::make_shared<JournalOptions>();
  CLI::App* command = app.add_subcommand(
      "journal", "The double-entry journal as rows: a posting a line (schema/0005_*.sql)");
  command->add_option("--db", options->query.db, "the ledger database written by `run`")
      ->required();
  CLI::Option* event =
      command->add_option("--event", options->event, "only the entries of this event (its seq)")
          ->transform(integer_check<std::int64_t>(1));
  // An entry is an event's or a report's: both printed an empty table (helper-70's F11).
  command->add_option("--report", options->report, "only the entries of this report (its seq)")
      ->transform(integer_check<std::int64_t>(1))
      ->excludes(event);
  command
      ->add_option("--format", options->query.format,
                   "table (for people) or csv (for spreadsheets)")
      ->check(CLI::IsMember({"table", "csv"}));
  command->callback([options] { journal(*options); });
}

}  // namespace yl::cli
