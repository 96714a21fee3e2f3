// Exports as one self-contained HTML page (README "HTML reports"): the summary, the charts the
// XLSX workbook has (Chart.js, drawn by the browser), each beside a table of the values it plots,
// and, when the `ledger_history` table is exported, that table's exact figures.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/export/output_guard.h"
#include "engine/export/table_sink.h"
#include "engine/output/output_file.h"

namespace yl {

class HtmlSink : public ExportSink {
 public:
  // Checks `file`'s folder before any work (OutputFile); the page appears there only when
  // finish() has written it whole.
  explicit HtmlSink(std::filesystem::path file);

  // As XlsxSink: the output's lock, then check_target (output_guard.h): a page this tool wrote
  // (html::is_export_page) is replaced, any other file only with --force, kept files never.
  void claim(const std::vector<std::string>& tables, const std::vector<KeptFile>& keep,
             bool force) override;

  // Keeps the rows of `ledger_history`; the other tables are not part of the page.
  std::unique_ptr<TableWriter> open_table(const TableSpec& spec) override;
  void finish(const std::vector<SummaryRow>& summary, const ChartData& charts) override;

  // The page itself, for tests.
  static std::string page(const std::vector<SummaryRow>& summary, const ChartData& charts,
                          const TableSpec* history_spec,
                          const std::vector<std::vector<std::string>>& history_rows);

 private:
  CreatedFolders created_;  // the page's folder, if the export created it
  OutputFile out_;
  std::unique_ptr<OutputLock> lock_;
  std::unique_ptr<TableSpec> history_spec_;
  std::vector<std::vector<std::string>> history_rows_;
};

}  // namespace yl
