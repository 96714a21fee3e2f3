#include "engine/compare/compare_xlsx.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "engine/compare/point_names.h"
#include "engine/core/assert.h"
#include "engine/export/xlsx_errors.h"
#include "engine/output/export_error.h"
#include "engine/usage_error.h"

namespace yl::compare {
namespace {

// A cell of rows_table(): a number when the text is one Excel holds exactly enough (at most 15
// significant digits), else the exact text.
void write_cell(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, const std::string& text,
                bool numeric, const char* what) {
  if (text.empty()) return;
  std::size_t digits = 0;
  for (char ch : text) digits += ch >= '0' && ch <= '9';
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (numeric && end != nullptr && *end == '\0' && digits <= 15) {
    check_xlsx(worksheet_write_number(sheet, row, col, value, nullptr), what);
  } else {
    check_xlsx(worksheet_write_string(sheet, row, col, text.c_str(), nullptr), what);
  }
}

class Workbook {
 public:
  explicit Workbook(const std::string& path) : workbook_(workbook_new(path.c_str())) {
    if (workbook_ == nullptr) throw ExportError(fmt::format("cannot create '{}'", path));
    bold_ = workbook_add_format(workbook_);
    format_set_bold(bold_);
  }
  ~Workbook() {
    if (workbook_ != nullptr) lxw_workbook_free(workbook_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_worksheet* sheet(const char* name) {
    lxw_worksheet* s = workbook_add_worksheet(workbook_, name);
    if (s == nullptr) throw ExportError(fmt::format("cannot add the sheet '{}'", name));
    return s;
  }
  lxw_workbook* get() { return workbook_; }
  lxw_format* bold() { return bold_; }
  void close(const std::string& what) {
    lxw_workbook* w = workbook_;
    workbook_ = nullptr;
    close_workbook(w, what);
  }

 private:
  lxw_workbook* workbook_;
  lxw_format* bold_ = nullptr;
};

// Each column as wide as its widest text (header or cell) and 2 more, from 10 to 40 characters,
// one range a column: a wei-sized text cut at a narrow column's edge read as another number (p5
// `205975288053162` of 2059752880531622916093775846: helper-71's F4). Then the header frozen and
// filtered, as export's table sheets are. The header is row `header`, the last row `last`.
void lay_out(lxw_worksheet* sheet, const std::vector<std::size_t>& widest, lxw_row_t last,
             lxw_row_t header = 0) {
  for (std::size_t c = 0; c < widest.size(); ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    worksheet_set_column(sheet, col, col,
                         static_cast<double>(std::clamp<std::size_t>(widest[c] + 2, 10, 40)),
                         nullptr);
  }
  worksheet_freeze_panes(sheet, header + 1, 0);
  if (last > header && !widest.empty()) {
    worksheet_autofilter(sheet, header, 0, last, static_cast<lxw_col_t>(widest.size() - 1));
  }
}

// The table's header at row `header` (the rows above it are the caller's), its rows under it.
void write_rows(lxw_worksheet* sheet, const html::Table& table, lxw_format* bold, const char* what,
                lxw_row_t header = 0) {
  std::vector<std::size_t> widest(table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    check_xlsx(worksheet_write_string(sheet, header, static_cast<lxw_col_t>(c),
                                      table.columns[c].c_str(), bold),
               what);
    widest[c] = table.columns[c].size();
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      write_cell(sheet, static_cast<lxw_row_t>(header + 1 + r), static_cast<lxw_col_t>(c),
                 table.rows[r][c], table.numeric[c], what);
      widest[c] = std::max(widest[c], table.rows[r][c].size());
    }
  }
  lay_out(sheet, widest, static_cast<lxw_row_t>(header + table.rows.size()), header);
}

// chart_data: one row per comparison row, in the same order (so a group's rows are a range):
// group, point, p5, p50, mean, p95, diff_mean, diff_ci95_low, diff_ci95_high (floats, wei
// scaled to asset units).
constexpr const char* kDataColumns[] = {
    "group", "point", "p5", "p50", "mean", "p95", "diff_mean", "diff_ci95_low", "diff_ci95_high"};

void write_chart_data(lxw_worksheet* data, const Comparison& c, lxw_format* bold) {
  // A number's widest General text is 15 characters (1.921377597E+27).
  std::vector<std::size_t> widest(std::size(kDataColumns), 15);
  for (std::size_t i = 0; i < std::size(kDataColumns); ++i) {
    worksheet_write_string(data, 0, static_cast<lxw_col_t>(i), kDataColumns[i], bold);
  }
  // A point by its short name (as the HTML page's charts): a whole label of six policy keys
  // left a chart's category axis no room (helper-60's F3).
  const PointNames names = point_names(*c.results);
  for (std::size_t r = 0; r < c.rows.size(); ++r) {
    const Row& row = c.rows[r];
    const double scale = chart_scale(row.info->name);
    const auto at = static_cast<lxw_row_t>(r + 1);
    // Its parts that are there: "accounts ETH ", of the whole run's cohort, was found by no
    // filter on "accounts ETH" (helper-71's F5).
    std::string group = row.key.name;
    for (const std::string* part : {&row.key.asset, &row.key.cohort}) {
      if (!part->empty()) group += " " + *part;
    }
    check_xlsx(worksheet_write_string(data, at, 0, group.c_str(), nullptr), "chart_data");
    check_xlsx(worksheet_write_string(data, at, 1, names.chart[row.point].c_str(), nullptr),
               "chart_data");
    widest[0] = std::max(widest[0], group.size());
    widest[1] = std::max(widest[1], names.chart[row.point].size());
    const double values[] = {row.summary.p5.to_double(), row.summary.p50.to_double(),
                             row.summary.mean_float, row.summary.p95.to_double()};
    for (std::size_t i = 0; i < 4; ++i) {
      worksheet_write_number(data, at, static_cast<lxw_col_t>(2 + i), values[i] * scale, nullptr);
    }
    if (row.diff) {
      worksheet_write_number(data, at, 6, row.diff->mean_float * scale, nullptr);
      if (row.diff->ci95_float) {
        worksheet_write_number(data, at, 7, row.diff->ci95_float->first * scale, nullptr);
        worksheet_write_number(data, at, 8, row.diff->ci95_float->second * scale, nullptr);
      }
    }
  }
  lay_out(data, widest, static_cast<lxw_row_t>(c.rows.size()));
}

// A series of a marker chart: its name, its column of chart_data, and its marker. Bounds are
// triangles, centres a diamond or a circle: libxlsxwriter 1.1.4 writes its dash markers as
// `long_dash` and `short_dash`, which are not OOXML marker symbols (a spreadsheet may repair the
// file, or draw squares for all four: helper-71's F1).
struct MarkerSeries {
  const char* name;
  std::size_t column;
  std::uint8_t marker;  // an lxw_chart_marker_type
};

lxw_chart* marker_chart(lxw_workbook* workbook, const std::string& title,
                        const std::string& y_title, const std::string& categories,
                        std::size_t first, std::size_t last,
                        std::initializer_list<MarkerSeries> series) {
  lxw_chart* chart = workbook_add_chart(workbook, LXW_CHART_LINE);
  chart_title_set_name(chart, title.c_str());
  lxw_chart_line no_line{};
  no_line.none = LXW_TRUE;
  for (const auto& [name, column, marker] : series) {
    const char letter = static_cast<char>('A' + column);
    const std::string values =
        fmt::format("=chart_data!${}${}:${}${}", letter, first, letter, last);
    lxw_chart_series* s = chart_add_series(chart, categories.c_str(), values.c_str());
    chart_series_set_name(s, name);
    chart_series_set_line(s, &no_line);
    chart_series_set_marker_type(s, marker);
    chart_series_set_marker_size(s, 10);
  }
  chart_set_high_low_lines(chart, nullptr);
  chart_axis_set_name(chart->y_axis, y_title.c_str());
  chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
  return chart;
}

void write_charts(Workbook& workbook, lxw_worksheet* charts, const Comparison& c) {
  std::size_t placed = 0;
  std::size_t i = 0;
  while (i < c.rows.size()) {
    std::size_t end = i;
    while (end < c.rows.size() && c.rows[end].key == c.rows[i].key) ++end;
    const Row& row = c.rows[i];
    const std::size_t first = i + 2;  // 1-based sheet rows, after the header
    const std::size_t last = end + 1;
    const std::string categories = fmt::format("=chart_data!$B${}:$B${}", first, last);
    const std::string name =
        fmt::format("{}{}{}", row.key.name, row.key.asset.empty() ? "" : " " + row.key.asset,
                    row.key.cohort.empty() ? "" : " (" + row.key.cohort + ")");
    const std::string unit = chart_unit(*row.info);
    lxw_chart* spread =
        marker_chart(workbook.get(), name + ": over runs", unit, categories, first, last,
                     {{"p5", 2, LXW_CHART_MARKER_TRIANGLE},
                      {"p50", 3, LXW_CHART_MARKER_DIAMOND},
                      {"mean", 4, LXW_CHART_MARKER_CIRCLE},
                      {"p95", 5, LXW_CHART_MARKER_TRIANGLE}});
    const Point& base = c.results->points[c.baseline];
    lxw_chart* diff =
        marker_chart(workbook.get(), fmt::format("{}: − point {} (95% interval)", name, base.index),
                     unit, categories, first, last,
                     {{"ci95 low", 7, LXW_CHART_MARKER_TRIANGLE},
                      {"mean difference", 6, LXW_CHART_MARKER_CIRCLE},
                      {"ci95 high", 8, LXW_CHART_MARKER_TRIANGLE}});
    lxw_chart_options placement{};
    placement.x_scale = 1.2;
    placement.y_scale = 1.2;
    const auto at = static_cast<lxw_row_t>(placed * 20);
    check_xlsx(worksheet_insert_chart_opt(charts, at, 0, spread, &placement), "charts");
    check_xlsx(worksheet_insert_chart_opt(charts, at, 10, diff, &placement), "charts");
    ++placed;
    i = end;
  }
}

}  // namespace

void write_comparison_xlsx(const Comparison& comparison, OutputFile& out, const Contrast* contrast,
                           std::size_t rows_per_sheet) {
  // Before the workbook is written: it was exit 1 after it all, in libxlsxwriter's words
  // (helper-44's F16).
  if (comparison.rows.size() >= rows_per_sheet) {
    throw UsageError(fmt::format("'{}': the comparison has {} rows, more than the {} a spreadsheet "
                                 "sheet holds; compare it as --format csv or html",
                                 out.path().string(), comparison.rows.size(), rows_per_sheet - 1));
  }
  Workbook workbook(out.temp_path().string());
  lxw_worksheet* rows = workbook.sheet("compare");
  if (contrast != nullptr) {
    // What it is of in its first row, its notes under it (rows left out: helper-76's F7), then
    // the table, which holds no point's label: the statement names them.
    lxw_worksheet* sheet = workbook.sheet("contrast");
    std::vector<std::string> lines = {contrast_statement(*contrast)};
    lines.insert(lines.end(), contrast->notes.begin(), contrast->notes.end());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      check_xlsx(
          worksheet_write_string(sheet, static_cast<lxw_row_t>(i), 0, lines[i].c_str(), nullptr),
          "the contrast sheet");
    }
    write_rows(sheet, contrast_table(*contrast), workbook.bold(), "the contrast sheet",
               static_cast<lxw_row_t>(lines.size()));
  }
  lxw_worksheet* charts = workbook.sheet("charts");
  lxw_worksheet* data = workbook.sheet("chart_data");
  write_rows(rows, rows_table(comparison), workbook.bold(), "the compare sheet");
  write_chart_data(data, comparison, workbook.bold());
  write_charts(workbook, charts, comparison);
  workbook.close(fmt::format("'{}'", out.path().string()));
  out.commit();
}

}  // namespace yl::compare
