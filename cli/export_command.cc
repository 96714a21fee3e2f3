// `yieldledger export --db FILE --out PATH [--format csv|xlsx|html] [--tables LIST]
// [--accounts LIST] [--every PERIOD] [--force]`: the ledger as spreadsheet tables, a folder of CSV
// files or one workbook, or as one HTML report.
#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in <fmt/format.h> before fmt 11)

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/query.h"
#include "engine/export/exporter.h"
#include "engine/input/input_error.h"
#include "engine/usage_error.h"

namespace yl::cli {
namespace {

struct ExportCommandOptions {
  std::string db;
  std::string out;
  std::string format;                 // empty: xlsx when --out ends in .xlsx, else csv
  std::optional<std::string> tables;  // nullopt: not given (all); "" given is an error
  std::optional<std::string> accounts;
  std::optional<std::string> every;
  bool force = false;
};

std::string format_of(const ExportCommandOptions& options) {
  if (!options.format.empty()) return options.format;
  // "x.xlsx/" made a CSV folder named x.xlsx: the '/' says folder, the name says workbook.
  std::string trimmed = options.out;
  while (trimmed.size() > 1 && trimmed.ends_with('/')) trimmed.pop_back();
  if (trimmed != options.out) {
    const std::string named = lowercase_extension(trimmed);
    if (named == ".xlsx" || named == ".html") {
      throw UsageError(fmt::format("--out '{}' ends in '/', a folder, but is named like a {} ({}): "
                                   "leave out the '/' to write one, or pass --format csv for a "
                                   "folder of that name",
                                   options.out, named == ".xlsx" ? "workbook" : "page", named));
    }
  }
  const std::string extension = lowercase_extension(options.out);
  if (extension == ".html") return "html";
  return extension == ".xlsx" ? "xlsx" : "csv";
}

ExportOptions export_options(const ExportCommandOptions& options) {
  ExportOptions result;
  for (const auto& [flag, value] :
       {std::pair{"--tables", &options.tables}, std::pair{"--accounts", &options.accounts},
        std::pair{"--every", &options.every}}) {
    if (*value && (*value)->empty()) {
      throw UsageError(fmt::format("{} is empty: leave it out for the default", flag));
    }
  }
  // A page shows the summary, the charts and ledger_history's exact figures, and nothing else:
  // --tables with it was taken, counted in the closing line and left out of the page.
  if (format_of(options) == "html") {
    if (options.tables) {
      throw UsageError("--tables does not apply to a page (--format html): it always holds the "
                       "summary, the charts and ledger_history");
    }
    result.tables = {"ledger_history"};
  } else if (options.tables) {
    result.tables = parse_export_tables(*options.tables);
  }
  if (options.every) result.every_s = parse_every(*options.every);
  if (options.accounts) {
    // It picks rows of those two tables only: without them it was taken and did nothing
    // (helper-45's F15).
    const bool picks = std::ranges::any_of(result.tables, [](const std::string& table) {
      return table == "accounts" || table == "balance_history";
    });
    if (!picks) {
      throw UsageError(
          fmt::format("--accounts picks the rows of accounts and balance_history, which {}",
                      format_of(options) == "html" ? "a page (--format html) does not hold"
                                                   : "--tables leaves out"));
    }
    result.accounts = parse_account_selection(*options.accounts);
  }
  return result;
}

void run_export(const ExportCommandOptions& options) {
  if (options.out.empty()) throw UsageError("--out is empty: name the folder or file to write");
  const ExportOptions what = export_options(options);  // usage errors before any file is opened
  storage::Database db = open_for_reading(options.db);
  storage::LedgerStore store(db);
  const std::string format = format_of(options);
  const std::unique_ptr<ExportSink> sink = make_export_sink(format, options.out);
  sink->claim(what.tables, ledger_files(store, options.db), options.force);
  ProgressBar bar(ProgressBar::stderr_is_terminal());
  const ExportResult result = export_ledger(store, what, *sink, [&](const ExportProgress& p) {
    const auto done = static_cast<std::uint64_t>(p.done);
    bar.update(p.phase, p.done, p.unit, fraction_of(done, static_cast<std::uint64_t>(p.total)));
  });
  bar.clear();
  std::vector<std::string> counts;
  for (const auto& [table, rows] : result.rows) counts.push_back(fmt::format("{} {}", table, rows));
  // The samples are the history tables' rows and the charts' points: a CSV export of neither
  // has none to show (it said "93 history samples" beside only `accounts`).
  const bool sampled = format != "csv" || result.rows.contains("ledger_history") ||
                       result.rows.contains("balance_history");
  fmt::print("exported '{}' to {} ({}): {}rows: {}\n", escape_controls(result.scenario),
             escape_controls(options.out), format,
             sampled ? fmt::format("{} history samples; ", result.samples) : "",
             fmt::join(counts, ", "));
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto options = std::make_shared<ExportCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "export", "Export the ledger: a folder of CSV files, an XLSX workbook with a summary and "
                "charts, or one HTML report");
  command->add_option("--db", options->db, "the ledger database written by `run`")->required();
  command
      ->add_option("--out", options->out,
                   "the folder to write CSV files into, or the .xlsx or .html file to write")
      ->check(not_standard_output())
      ->required();
  command->add_flag("--force", options->force,
                    "replace existing files at --out that yieldledger export did not write "
                    "(files it wrote are replaced without it; the ledger, its -wal/-shm and the "
                    "scenario and events files it was built from never are)");
  command
      ->add_option("--format", options->format,
                   "csv, xlsx or html (default: by --out's extension in any case, .xlsx or "
                   ".html, else csv)")
      ->check(CLI::IsMember({"csv", "xlsx", "html"}));
  command->add_option("--tables", options->tables,
                      "comma-separated tables to write (default all): accounts, ledger_history, "
                      "balance_history, reports, events, journal");
  command->add_option("--accounts", options->accounts,
                      "accounts for the accounts and balance_history tables: names and/or top:N "
                      "(the N largest holders of each asset at the end), comma-separated "
                      "(default all)");
  command->add_option("--every", options->every,
                      "sample the history at most once per period, e.g. 1d or 7d (default: at "
                      "every report)");
  command->callback([options] { run_export(*options); });
}

}  // namespace yl::cli
