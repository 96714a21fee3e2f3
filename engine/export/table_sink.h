// Where an export's tables go: a folder of CSV files or one XLSX workbook. A table is a header
// and rows of text cells; each column's kind tells a spreadsheet writer how to type its cells.
//
// Every cell arrives as exact text (wei as integer text, amounts as exact decimal text, times as
// YYYY-MM-DDTHH:MM:SSZ). CSV writes it as it is. XLSX keeps `wei` cells as text, because Excel
// holds 15 significant digits and would silently round a wei amount, and writes `decimal` and
// `real` cells as numbers for charts, beside the exact text column they come from.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/export/output_guard.h"

namespace yl {

enum class CellKind {
  text,     // free text: names, enumerations, memos
  time,     // YYYY-MM-DDTHH:MM:SSZ; a date-time cell in XLSX
  integer,  // an exact integer that is not money (seq, line, shares, price, seconds)
  wei,      // exact integer wei, signed or not; always text in XLSX
  decimal,  // exact decimal text in asset units or percent; a number in XLSX
  real,     // a floating-point value for charts only, labelled `_float`
  literal,  // exact text that may hold a number (the summary's value_text): text, never defused
};

struct ColumnSpec {
  std::string name;
  CellKind kind = CellKind::text;
};

struct TableSpec {
  std::string name;  // `accounts`, `balance_history`, ...: the file or sheet name
  std::vector<ColumnSpec> columns;
  // How a user makes the table shorter when it is too long for a format, as the start of a
  // sentence ("thin it with --every ..., "); empty when only leaving it out helps.
  std::string shorten_hint;
};

// Where an output is written until it is complete: `.NAME.MARK-N.partial` beside `final_path`,
// with this process's mark (`PID@HOST`, process_mark()) and a count of the names it made, so that
// no two exports (and no two sinks of one) share one. Sinks rename it into place when they finish,
// and remove it when they do not.
std::filesystem::path partial_path(const std::filesystem::path& final_path);

// A text cell as a spreadsheet may safely open it (OWASP's CSV injection rule): a cell that
// begins with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`, so that it is shown as text and
// never run as a formula. For `text` columns (names, ids, memos) only; numbers are left exact.
std::string defuse_formula(const std::string& text);
// Whether a text cell begins like a formula (one of `=`, `+`, `-`, `@`, TAB, CR).
bool formula_like(const std::string& text);

// The message of a table that has more rows than a format holds (`rows_max`, header excluded).
std::string too_many_rows_message(const TableSpec& spec, std::int64_t rows_max);

// One open table. Rows are written in order; the table is complete when the writer is closed.
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  // REQUIRES: cells.size() == the table's column count. Throws ExportError when a limit of the
  // format is reached (e.g. XLSX's 1,048,576 rows) or the write fails.
  virtual void row(const std::vector<std::string>& cells) = 0;
  virtual void close() = 0;
};

// A summary line (the `summary` sheet or file): one fact, its asset if any, exact value.
struct SummaryRow {
  std::string section;  // scenario, source, totals, realized_apy
  std::string item;
  std::string asset;  // empty when the fact is not one asset's
  CellKind kind = CellKind::text;
  std::string value;      // exact: text, decimal units, or percent
  std::string value_wei;  // exact wei, for amounts only
};

// What the charts plot, one point per sampled report time. Floating point, for display only:
// every value is converted from an exact figure that the tables also carry.
struct ChartSeries {
  std::string name;
  std::vector<double> values;
};
struct ChartSpec {
  std::string title;
  std::string y_axis;
  std::vector<ChartSeries> series;
};
struct ChartData {
  std::vector<std::int64_t> times;  // unix seconds, the x axis of every chart
  std::vector<ChartSpec> charts;
};

class ExportSink {
 public:
  virtual ~ExportSink() = default;
  // The most data rows a table may have, if the format limits it.
  virtual std::optional<std::int64_t> rows_max() const { return std::nullopt; }
  // Takes the output's lock, then checks every file an export of `tables` (and the summary)
  // would write against `keep` and --force (output_guard.h). Before the first open_table.
  // Throws UsageError or ExportError.
  virtual void claim(const std::vector<std::string>& tables, const std::vector<KeptFile>& keep,
                     bool force) = 0;
  // Opens a table. Several may be open at once (the history tables fill in one replay).
  virtual std::unique_ptr<TableWriter> open_table(const TableSpec& spec) = 0;
  // Writes the summary and the charts (XLSX; CSV writes the summary only), then makes the
  // output visible at its final path. Until then nothing is at that path.
  virtual void finish(const std::vector<SummaryRow>& summary, const ChartData& charts) = 0;
};

}  // namespace yl
