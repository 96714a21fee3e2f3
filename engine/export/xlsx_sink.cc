#include "engine/export/xlsx_sink.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "engine/core/assert.h"
#include "engine/core/timestamp.h"
#include "engine/export/xlsx_errors.h"
#include "engine/output/export_error.h"
#include "engine/output/output_file.h"
#include "engine/usage_error.h"

namespace yl {
namespace {

static_assert(XlsxSink::kRowsPerSheet == LXW_ROW_MAX);
constexpr std::size_t kCellCharacters = 32767;  // the most an Excel cell holds

// The characters of UTF-8 `text` as Excel counts them, in UTF-16 code units: one for each
// character, two for one past U+FFFF. (Its bytes were counted: a cell of 16,500 'ë' was refused
// as 33,000 characters; helper-63's F3.)
std::size_t excel_characters(const std::string& text) {
  std::size_t units = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) != 0x80) units += byte >= 0xF0 ? 2 : 1;  // a lead byte; 4-byte: 2 units
  }
  return units;
}

// Integers of at most 15 digits are exact as Excel numbers; longer ones stay text.
bool fits_excel_number(const std::string& digits) {
  const std::size_t length = digits.size() - (digits.starts_with('-') ? 1 : 0);
  return length <= 15;
}

// The width a column of each kind needs for typical cells (wei has up to 26 digits, an integer
// number up to 15: longer ones are text).
double base_width(CellKind kind) {
  switch (kind) {
    case CellKind::time:
      return 20;
    case CellKind::wei:
      return 26;
    case CellKind::decimal:
      return 18;
    case CellKind::integer:
      return 17;  // a number of 15 digits (shares) in General; at 12 it showed as ### (helper-71)
    case CellKind::real:
    case CellKind::literal:
    case CellKind::text:
      return 14;
  }
  return 14;
}

double width_of(const ColumnSpec& column) {
  // Long headers (chart_data's series names) widen a column, but to no more than 30.
  return std::clamp(static_cast<double>(column.name.size()) + 4, base_width(column.kind), 30.0);
}

class XlsxTableWriter : public TableWriter {
 public:
  XlsxTableWriter(lxw_worksheet* sheet, TableSpec spec, const XlsxSink::Formats& formats,
                  lxw_row_t rows_per_sheet)
      : sheet_(sheet), spec_(std::move(spec)), formats_(formats), rows_per_sheet_(rows_per_sheet) {
    for (std::size_t i = 0; i < spec_.columns.size(); ++i) {
      const auto col = static_cast<lxw_col_t>(i);
      check_xlsx(worksheet_set_column(sheet_, col, col, width_of(spec_.columns[i]), nullptr),
                 spec_.name);
      check_xlsx(
          worksheet_write_string(sheet_, 0, col, spec_.columns[i].name.c_str(), formats_.header),
          spec_.name);
    }
    worksheet_freeze_panes(sheet_, 1, 0);
  }

  void row(const std::vector<std::string>& cells) override {
    YL_ASSERT(cells.size() == spec_.columns.size());
    if (next_row_ >= rows_per_sheet_) {
      throw UsageError(too_many_rows_message(spec_, rows_per_sheet_ - 1));
    }
    for (std::size_t i = 0; i < cells.size(); ++i) write_cell(static_cast<lxw_col_t>(i), cells[i]);
    ++next_row_;
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    const auto last_col = static_cast<lxw_col_t>(spec_.columns.size() - 1);
    check_xlsx(worksheet_autofilter(sheet_, 0, 0, next_row_ - 1, last_col), spec_.name);
  }

 private:
  void write_cell(lxw_col_t col, const std::string& text) {
    if (text.empty()) return;
    const CellKind kind = spec_.columns[col].kind;
    if (kind == CellKind::time) {
      const auto time = parse_timestamp(text);
      YL_ASSERT(time.has_value());
      // A spreadsheet's dates begin at 1900-01-01: an earlier time is its text (it was a negative
      // day, shown as ####### or a day off: helper-43's F5).
      constexpr std::int64_t k1900 = -2'208'988'800;
      if (time->seconds >= k1900) {
        checked(worksheet_write_unixtime(sheet_, next_row_, col, time->seconds, formats_.time));
        return;
      }
    }
    const bool number = kind == CellKind::decimal || kind == CellKind::real ||
                        (kind == CellKind::integer && fits_excel_number(text));
    if (number) {
      // strtod rounds the exact decimal text to the nearest double: display only, the exact
      // text is in the table's `_wei` column or in the CSV export.
      lxw_format* format = kind == CellKind::integer   ? formats_.integer
                           : kind == CellKind::decimal ? formats_.decimal
                                                       : formats_.real;
      checked(worksheet_write_number(sheet_, next_row_, col, std::strtod(text.c_str(), nullptr),
                                     format));
      return;
    }
    const std::string cell = kind == CellKind::text ? defuse_formula(text) : text;
    // A UTF-16 unit takes at least one UTF-8 byte: only a cell of more bytes is counted.
    if (const std::size_t characters = cell.size() > kCellCharacters ? excel_characters(cell) : 0;
        characters > kCellCharacters) {
      throw UsageError(fmt::format(
          "{} column '{}' holds {} characters, more than the {} a spreadsheet cell holds; "
          "export it as --format csv",
          where(), spec_.columns[col].name, characters, kCellCharacters));
    }
    checked(worksheet_write_string(sheet_, next_row_, col, cell.c_str(), nullptr));
  }

  // Cells are many: the message naming one is built only when it is needed.
  std::string where() const { return fmt::format("'{}' row {}", spec_.name, next_row_ + 1); }
  void checked(lxw_error error) const {
    if (error != LXW_NO_ERROR) check_xlsx(error, where());
  }

  lxw_worksheet* sheet_;
  TableSpec spec_;
  const XlsxSink::Formats& formats_;
  lxw_row_t rows_per_sheet_;
  lxw_row_t next_row_ = 1;
  bool closed_ = false;
};

std::string column_letters(std::size_t index) {
  std::string letters;
  for (std::size_t n = index + 1; n > 0; n = (n - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return letters;
}

// libxlsxwriter writes the file only when the workbook closes: a path no file can be at is
// refused now, not after the work, and before its folder is made ("x.xlsx/" names one).
std::filesystem::path not_special(std::filesystem::path file) {
  refuse_special_file(file);
  return file;
}

}  // namespace

XlsxSink::XlsxSink(std::filesystem::path file, std::uint32_t rows_per_sheet)
    : file_(not_special(std::move(file))),
      partial_(partial_path(file_)),
      created_(file_.parent_path()),
      rows_per_sheet_(std::min(rows_per_sheet, kRowsPerSheet)) {
  YL_ASSERT(rows_per_sheet_ >= 2);
  std::FILE* probe = std::fopen(partial_.c_str(), "wb");
  if (probe == nullptr) {
    const int error = errno;
    throw ExportError(fmt::format("cannot create '{}': {}", file_.string(), std::strerror(error)),
                      error);
  }
  std::fclose(probe);
  removed_ = RemovedOnSignal(partial_, RemovedOnSignal::Kind::file);
  tmpdir_ = file_.parent_path().empty() ? "." : file_.parent_path().string();
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;  // rows go to disk as they are written
  options.use_zip64 = LXW_TRUE;
  options.tmpdir = tmpdir_.data();  // on the output's disk, so that a full one is seen
  StderrCapture said;
  workbook_ = workbook_new_opt(partial_.c_str(), &options);
  if (workbook_ == nullptr) {
    const std::string detail = said.take();
    throw ExportError(
        fmt::format("cannot create '{}'{}", file_.string(), detail.empty() ? "" : ": " + detail));
  }
  formats_.header = workbook_add_format(workbook_);
  format_set_bold(formats_.header);
  format_set_bottom(formats_.header, LXW_BORDER_THIN);
  formats_.time = workbook_add_format(workbook_);
  format_set_num_format(formats_.time, "yyyy-mm-dd hh:mm:ss");
  formats_.integer = workbook_add_format(workbook_);
  format_set_num_format(formats_.integer, "0");
  formats_.decimal = workbook_add_format(workbook_);
  format_set_num_format(formats_.decimal, "#,##0.000000");
  formats_.real = workbook_add_format(workbook_);
  format_set_num_format(formats_.real, "0.0000");
  formats_.general = workbook_add_format(workbook_);
  // The first two sheets, in tab order; they are filled by finish().
  summary_ = add_sheet("summary");
  charts_ = add_sheet("charts");
  // Printed (or converted to PDF), each of the two is one page wide.
  for (lxw_worksheet* sheet : {summary_, charts_}) {
    worksheet_set_landscape(sheet);
    worksheet_fit_to_pages(sheet, 1, 0);
  }
}

XlsxSink::~XlsxSink() {
  // An export that stopped: free the workbook without packaging it (workbook_close would first
  // compress every row written so far, only for the file to be discarded).
  if (workbook_ != nullptr) lxw_workbook_free(workbook_);
  if (!finished_) {
    std::error_code ec;
    std::filesystem::remove(partial_, ec);
  }
}

void XlsxSink::claim(const std::vector<std::string>&, const std::vector<KeptFile>& keep,
                     bool force) {
  const std::filesystem::path folder = file_.parent_path();
  lock_ = std::make_unique<OutputLock>(folder / (hidden_name(file_) + ".lock"), file_.string());
  remove_stale_partials(file_);
  check_target(file_, zip_is_marked, keep, force);
}

lxw_worksheet* XlsxSink::add_sheet(const std::string& name) {
  lxw_worksheet* sheet = workbook_add_worksheet(workbook_, name.c_str());
  if (sheet == nullptr) throw ExportError(fmt::format("cannot add the sheet '{}'", name));
  return sheet;
}

std::unique_ptr<TableWriter> XlsxSink::open_table(const TableSpec& spec) {
  YL_ASSERT(!finished_);
  YL_ASSERT(!spec.columns.empty());
  return std::make_unique<XlsxTableWriter>(add_sheet(spec.name), spec, formats_, rows_per_sheet_);
}

void XlsxSink::write_summary(const std::vector<SummaryRow>& summary) {
  // Counts, prices and amounts share the value column: Excel's General format shows each whole.
  Formats general = formats_;
  general.decimal = formats_.general;
  XlsxTableWriter writer(summary_,
                         TableSpec{"summary",
                                   {{"section"},
                                    {"item"},
                                    {"asset"},
                                    {"value", CellKind::decimal},
                                    {"value_text", CellKind::literal},
                                    {"value_wei", CellKind::wei}},
                                   ""},
                         general, rows_per_sheet_);
  for (const SummaryRow& r : summary) {
    // A number where the fact is one (amounts, percentages, counts), and always the exact text;
    // an integer of more than 15 digits (a price, shares) only as text, as in the tables (it was
    // a number, 75811576357845544025070 as 7.581157635784555E+22: helper-43's F2).
    const bool number =
        r.kind == CellKind::decimal || (r.kind == CellKind::integer && fits_excel_number(r.value));
    const std::string text = r.kind == CellKind::text ? defuse_formula(r.value) : r.value;
    writer.row({r.section, r.item, r.asset, number ? r.value : "", text, r.value_wei});
  }
  writer.close();
  worksheet_set_column(summary_, 1, 1, 30, nullptr);
  worksheet_set_column(summary_, 3, 3, 22, nullptr);
  worksheet_set_column(summary_, 4, 4, 30, nullptr);
  worksheet_set_column(summary_, 5, 5, 30, nullptr);
}

void XlsxSink::write_charts(const ChartData& charts) {
  lxw_worksheet* data = add_sheet("chart_data");
  std::vector<ColumnSpec> columns = {{"time", CellKind::time}};
  for (const ChartSpec& chart : charts.charts) {
    for (const ChartSeries& series : chart.series) {
      columns.push_back({chart.title + ": " + series.name, CellKind::real});
    }
  }
  XlsxTableWriter writer(data, TableSpec{"chart_data", columns, ""}, formats_, rows_per_sheet_);
  for (std::size_t i = 0; i < charts.times.size(); ++i) {
    std::vector<std::string> row = {format_timestamp(Timestamp{charts.times[i]})};
    for (const ChartSpec& chart : charts.charts) {
      for (const ChartSeries& series : chart.series)
        row.push_back(fmt::format("{}", series.values.at(i)));
    }
    writer.row(row);
  }
  writer.close();
  if (charts.times.empty()) {
    check_xlsx(worksheet_write_string(charts_, 0, 0, "No report ran, so there is nothing to plot.",
                                      nullptr),
               "charts");
    return;
  }
  const std::size_t last = charts.times.size() + 1;  // 1-based row of the last point
  const std::string categories = fmt::format("=chart_data!$A$2:$A${}", last);
  std::size_t column = 1;
  for (std::size_t c = 0; c < charts.charts.size(); ++c) {
    const ChartSpec& spec = charts.charts[c];
    const auto row = static_cast<lxw_row_t>((c / 2) * 22);
    const auto col = static_cast<lxw_col_t>((c % 2) * 11);
    if (spec.series.empty()) {  // e.g. the accounts' chart of a ledger with none: a chart
                                // without a series is not valid in a workbook
      check_xlsx(
          worksheet_write_string(charts_, row, col,
                                 fmt::format("{}: nothing to plot", spec.title).c_str(), nullptr),
          "charts");
      continue;
    }
    lxw_chart* chart = workbook_add_chart(workbook_, LXW_CHART_LINE);
    chart_title_set_name(chart, spec.title.c_str());
    for (const ChartSeries& series : spec.series) {
      const std::string letters = column_letters(column++);
      const std::string values = fmt::format("=chart_data!${}$2:${}${}", letters, letters, last);
      lxw_chart_series* line = chart_add_series(chart, categories.c_str(), values.c_str());
      chart_series_set_name(line, series.name.c_str());
    }
    chart_axis_set_num_format(chart->x_axis, "yyyy-mm-dd");
    chart_axis_set_name(chart->y_axis, spec.y_axis.c_str());
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options placement{};
    placement.x_scale = 1.4;
    placement.y_scale = 1.4;
    check_xlsx(worksheet_insert_chart_opt(charts_, row, col, chart, &placement), "charts");
  }
}

void XlsxSink::finish(const std::vector<SummaryRow>& summary, const ChartData& charts) {
  YL_ASSERT(!finished_);
  write_summary(summary);
  write_charts(charts);
  close_workbook();
  mark_zip(partial_, file_.string());
  std::error_code ec;
  std::filesystem::rename(partial_, file_, ec);
  if (ec) throw ExportError(fmt::format("cannot write '{}': {}", file_.string(), ec.message()));
  created_.keep();
  finished_ = true;
}

void XlsxSink::close_workbook() {
  const std::string what = fmt::format("'{}'", file_.string());
  // libxlsxwriter does not check its writes of rows to the sheets' temporary files: a failed
  // one is seen here, as the file's error flag, or not at all.
  lxw_worksheet* sheet = nullptr;
  LXW_FOREACH_WORKSHEET(sheet, workbook_) {
    std::FILE* rows = sheet->optimize_tmpfile;
    if (rows != nullptr && (std::fflush(rows) != 0 || std::ferror(rows) != 0)) {
      throw ExportError(fmt::format("could not write {}: {}", what, kCutShort));
    }
  }
  lxw_workbook* workbook = workbook_;
  workbook_ = nullptr;
  yl::close_workbook(workbook, what);
}

}  // namespace yl
