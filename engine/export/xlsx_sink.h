// Exports as one XLSX workbook (libxlsxwriter): a `summary` sheet first, a `charts` sheet of
// native Excel line charts, one sheet per table, and `chart_data`, the points the charts plot.
//
// Every table sheet has a bold, frozen header row, an autofilter and column widths by kind.
// `wei` cells stay text: Excel keeps 15 significant digits, and a wei amount written as a number
// would be rounded without a word. `decimal` cells (asset units, percent) are numbers, beside the
// exact wei text they come from; `time` cells are date-times.
//
// Limits: a sheet holds at most 1,048,576 rows (header included) and a cell 32,767 characters;
// past either the export stops with a UsageError that says how to thin it, and nothing is left at
// the output path. The workbook is streamed (libxlsxwriter's constant_memory mode, its temporary
// files in the output's folder), so memory stays flat however many rows there are.
//
// Every write is checked: libxlsxwriter's return codes, its temporary files' write errors
// (ferror), and the finished ZIP's last record; any failure (a full disk, a file size limit) is
// an ExportError and nothing is left at the output path. What libxlsxwriter prints on stderr
// while it packages the workbook is captured and folded into that one message. A finished
// workbook carries the ZIP comment `yieldledger export` (output_guard.h), and its text cells are
// defused like CSV's (defuse_formula).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/export/table_sink.h"
#include "engine/input/removed_on_signal.h"
#include "engine/output/output_file.h"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace yl {

class XlsxSink : public ExportSink {
 public:
  static constexpr std::uint32_t kRowsPerSheet = 1'048'576;  // Excel's limit, header included

  // `file` is written under a temporary name beside it and renamed into place by finish().
  // `rows_per_sheet` is Excel's limit; tests lower it to reach it quickly.
  explicit XlsxSink(std::filesystem::path file, std::uint32_t rows_per_sheet = kRowsPerSheet);
  ~XlsxSink() override;
  XlsxSink(const XlsxSink&) = delete;
  XlsxSink& operator=(const XlsxSink&) = delete;

  std::optional<std::int64_t> rows_max() const override { return rows_per_sheet_ - 1; }
  void claim(const std::vector<std::string>& tables, const std::vector<KeptFile>& keep,
             bool force) override;
  std::unique_ptr<TableWriter> open_table(const TableSpec& spec) override;
  void finish(const std::vector<SummaryRow>& summary, const ChartData& charts) override;

  // The formats cells of each kind are written with.
  struct Formats {
    lxw_format* header = nullptr;
    lxw_format* time = nullptr;
    lxw_format* integer = nullptr;
    lxw_format* decimal = nullptr;
    lxw_format* real = nullptr;
    lxw_format* general = nullptr;  // Excel's default number format
  };

 private:
  lxw_worksheet* add_sheet(const std::string& name);
  void write_summary(const std::vector<SummaryRow>& summary);
  void write_charts(const ChartData& charts);
  // Packages the workbook into partial_ (workbook_close), checking every step.
  void close_workbook();

  std::filesystem::path file_;
  std::filesystem::path partial_;
  CreatedFolders created_;   // the workbook's folder, if the export created it
  RemovedOnSignal removed_;  // partial_, were Ctrl-C to end the process
  std::string tmpdir_;       // where libxlsxwriter keeps its temporary files: the output's folder
  std::unique_ptr<OutputLock> lock_;
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* summary_ = nullptr;
  lxw_worksheet* charts_ = nullptr;
  Formats formats_;
  std::uint32_t rows_per_sheet_;
  bool finished_ = false;
};

}  // namespace yl
