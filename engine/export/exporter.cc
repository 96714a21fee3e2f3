#include "engine/export/exporter.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "engine/core/assert.h"
#include "engine/export/csv_sink.h"
#include "engine/export/history.h"
#include "engine/export/html_sink.h"
#include "engine/export/ledger_tables.h"
#include "engine/export/summary.h"
#include "engine/export/xlsx_sink.h"
#include "engine/replay/replay.h"
#include "engine/usage_error.h"

namespace yl {
namespace {

// How many accounts per asset the "top holders" charts follow.
constexpr std::size_t kChartedHolders = 5;

bool wants(const ExportOptions& options, const std::string& table) {
  return std::find(options.tables.begin(), options.tables.end(), table) != options.tables.end();
}

std::map<std::string, TableSpec> table_specs() {
  return {{"accounts", accounts_spec()},
          {"ledger_history", HistorySampler::ledger_history_spec()},
          {"balance_history", HistorySampler::balance_history_spec()},
          {"reports", reports_spec()},
          {"events", events_spec()},
          {"journal", journal_spec()}};
}

// The tables whose length the store knows are checked against the format's limit before any
// work, so that a refusal comes at once. Throws UsageError.
void refuse_known_overflows(storage::LedgerStore& store, const ExportOptions& options,
                            const ExportSink& sink, const std::map<std::string, TableSpec>& specs,
                            const SummaryCounts& counts) {
  const auto rows_max = sink.rows_max();
  if (!rows_max) return;
  const std::map<std::string, std::int64_t> known_rows = {
      {"events", counts.events},
      {"reports", counts.report_rows},
      {"journal", wants(options, "journal") ? store.journal_posting_count() : 0}};
  for (const auto& [table, rows] : known_rows) {
    if (wants(options, table) && rows > *rows_max) {
      throw UsageError(too_many_rows_message(specs.at(table), *rows_max));
    }
  }
}

}  // namespace

std::vector<KeptFile> ledger_sources(storage::LedgerStore& store,
                                     const std::filesystem::path& db_path) {
  const storage::StoredScenario stored = store.read_scenario();
  const std::filesystem::path scenario(stored.file);
  const std::filesystem::path events(stored.events_file);
  std::vector<KeptFile> sources = {{scenario, "the scenario file the ledger was run from"},
                                   {events.is_absolute() ? events : scenario.parent_path() / events,
                                    "the events file the ledger was run from"}};
  for (const std::string& file : store.appended_files()) {
    sources.push_back({file, "an events file applied to the ledger"});
  }
  // A relative path was stored as given, from the folder `run` ran in, which export does not know:
  // this one, the ledger's, or a folder above either. The path from each of them is kept.
  std::error_code ec;
  std::set<std::filesystem::path> bases;
  for (const std::filesystem::path& start :
       {std::filesystem::weakly_canonical(std::filesystem::current_path(ec), ec),
        std::filesystem::weakly_canonical(db_path, ec).parent_path()}) {
    for (std::filesystem::path at = start; !at.empty(); at = at.parent_path()) {
      if (!bases.insert(at).second || at == at.root_path()) break;
    }
  }
  const std::size_t stored_count = sources.size();
  for (std::size_t i = 0; i < stored_count; ++i) {
    if (!sources[i].path.is_relative()) continue;
    for (const std::filesystem::path& base : bases) {
      sources.push_back({base / sources[i].path, sources[i].role});
    }
  }
  return sources;
}

std::vector<KeptFile> ledger_files(storage::LedgerStore& store,
                                   const std::filesystem::path& db_path) {
  return kept_files(db_path, ledger_sources(store, db_path));
}

std::unique_ptr<ExportSink> make_export_sink(std::string_view format,
                                             const std::filesystem::path& out) {
  YL_ASSERT(format == "csv" || format == "xlsx" || format == "html");
  if (format == "xlsx") return std::make_unique<XlsxSink>(out);
  if (format == "html") return std::make_unique<HtmlSink>(out);
  return std::make_unique<CsvSink>(out);
}

ExportResult export_ledger(storage::LedgerStore& store, const ExportOptions& options,
                           ExportSink& sink, const ExportProgressFn& progress) {
  const storage::ReadTransaction snapshot(store.database());  // one snapshot (issue #9)
  const Scenario scenario = load_stored_scenario(store);
  const Snapshot final_state = store.read_snapshot();
  const SelectedAccounts selected = resolve_selection(options.accounts, final_state.balances);
  const SummaryCounts counts{store.event_count(), store.report_row_count()};
  auto told = [&](std::string_view phase, std::string_view unit, std::int64_t total) {
    return [&progress, phase, unit, total](std::int64_t done) {
      if (progress) progress(ExportProgress{phase, unit, done, total});
    };
  };
  const std::map<std::string, TableSpec> specs = table_specs();
  refuse_known_overflows(store, options, sink, specs, counts);

  // Open every table first, in kExportTables order: that is the workbook's sheet order.
  std::map<std::string, std::unique_ptr<TableWriter>> writers;
  for (const std::string& table : kExportTables) {
    if (wants(options, table)) writers[table] = sink.open_table(specs.at(table));
  }
  auto writer = [&](const std::string& table) {
    const auto it = writers.find(table);
    return it == writers.end() ? nullptr : it->second.get();
  };

  // The history is replayed whatever the tables: the summary and the charts come from it.
  std::array<std::vector<std::string>, 2> chart_accounts;
  for (Asset asset : kAssets) {
    chart_accounts[index_of(asset)] = top_accounts(final_state.balances, asset, kChartedHolders,
                                                   /*with_system_accounts=*/false);
  }
  HistorySampler history(options.every_s, selected, chart_accounts,
                         {writer("ledger_history"), writer("balance_history")},
                         told("replaying events", "events", counts.events));
  const Ledger final_ledger = replay_window(store, std::nullopt, std::nullopt, &history);

  ExportResult result;
  result.scenario = scenario.name;
  result.samples = history.samples();
  result.rows["ledger_history"] = history.samples() * static_cast<std::int64_t>(kAssets.size());
  result.rows["balance_history"] = history.balance_rows();
  if (auto* out = writer("accounts")) {
    result.rows["accounts"] = write_accounts(final_ledger, selected, *out);
  }
  if (auto* out = writer("reports")) result.rows["reports"] = write_reports(store, *out);
  if (auto* out = writer("events")) {
    result.rows["events"] =
        write_events(store, *out, told("writing events", "events", counts.events));
  }
  if (auto* out = writer("journal")) {
    result.rows["journal"] = write_journal(store, *out, told("writing the journal", "postings", 0));
  }
  for (auto& [table, out] : writers) out->close();
  std::erase_if(result.rows, [&](const auto& entry) { return !writers.contains(entry.first); });

  const std::vector<SummaryRow> summary = build_summary(scenario, final_ledger, history, counts);
  result.rows["summary"] = static_cast<std::int64_t>(summary.size());
  told("finishing the output", "tables", 0)(0);  // a workbook is compressed now: the longest wait
  sink.finish(summary, history.charts());
  return result;
}

}  // namespace yl
