// One self-contained HTML page of charts and tables (README "HTML reports"): Chart.js (Debian's
// libjs-chart.js, embedded into the binary at build time), the page's own script and its CSS are
// inline, and a Content-Security-Policy forbids every network access, so the file works offline,
// from a USB stick. Every text from the inputs is escaped (html_escape, and json_string inside
// the page's chart data).
//
// The page's script draws each chart, then writes on <body> how it went, for a browser test:
//   data-charts       the number of charts on the page
//   data-charts-drawn how many canvases hold data ink (pixels in the palette's colours, not the
//                     greys of axes and text), measured with getImageData after drawing
//   data-errors       script errors caught by window.onerror (0 on a good page)
//   data-noisy-ticks  numeric axis ticks at 0 not labelled "0" (Chart.js's float steps made
//                     "-1.700000E-21"; the script snaps them to 0)
// and on each canvas data-ink, its count of coloured pixels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace yl::html {

// A JSON value, enough for Chart.js configurations. Doubles that are not finite are written as
// null (Chart.js leaves a gap).
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;  // keys in the order given

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool value) : value_(value) {}
  Json(double value) : value_(value) {}
  Json(int value) : value_(static_cast<double>(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(std::optional<double> value) {
    if (value) value_ = *value;
  }
  static Json array(Array items = {}) { return Json(std::move(items)); }
  static Json object(Object members = {}) { return Json(std::move(members)); }

  // Appends to an array, or sets a member of an object (replacing one of the same key).
  Json& push(Json item);
  Json& set(const std::string& key, Json value);

  // Compact JSON text, safe inside <script>: '<', '>' and '&' are written as \u escapes, and so
  // are U+2028 and U+2029.
  std::string text() const;

 private:
  explicit Json(Array items) : value_(std::move(items)) {}
  explicit Json(Object members) : value_(std::move(members)) {}
  void write(std::string& out) const;

  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> value_;
};

// Text for HTML content and attribute values: & < > " ' escaped, and controls but whitespace shown
// as escapes (\x1b; a C1 control \u0085): input/input_error.h's escape_controls with
// Keep::page_text, which leaves bytes that are not UTF-8 as they are (the page is UTF-8, and a
// browser shows each as U+FFFD; a message writes \xNN). A chart's labels go through json_string,
// whose \u001b a canvas draws as nothing visible.
std::string html_escape(std::string_view text);
// A JSON string literal of `text` (UTF-8 kept; controls, quotes, backslashes and < > & escaped).
std::string json_string(std::string_view text);

// The n-th colour of the page's palette (saturated, so the browser test can tell data from
// axes), as "rgb(r, g, b)" or with an alpha, "rgba(r, g, b, a)".
std::string palette_color(std::size_t n, std::optional<double> alpha = std::nullopt);
// How many times the palette has come round by colour n: a chart of more series than colours
// tells the n-th from the (n − 16)-th by a dashed line or another marker (helper-60's F2).
std::size_t palette_round(std::size_t n);
// The dash of colour n's lines ([] solid, then dashed, dotted, dash-dot, by palette_round).
Json palette_dash(std::size_t n);

// A table of numbers beside a chart. `numeric` columns are right-aligned.
struct Table {
  std::string caption;
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // per column; missing entries are text
  std::vector<std::vector<std::string>> rows;
};

// A chart: a Chart.js configuration ({type, data, options}); the page adds what every chart shares
// (no animation, a fixed size, the title). With `x_labels`, a linear x axis shows labels[i] at i
// (strip charts of points).
struct Chart {
  std::string title;
  Json config;
  std::vector<std::string> x_labels;
};

struct Section {
  std::string title;
  std::string note;  // a paragraph under the title; may be empty
  std::vector<Chart> charts;
  std::vector<Table> tables;  // shown beside the charts
};

struct Page {
  std::string title;
  std::string subtitle;  // one line under the title
  std::vector<Section> sections;
  // Who wrote it, for its <meta name="generator">: "yieldledger export" or "yieldledger compare".
  // Export replaces only a page of its own without --force (never compare's).
  std::string generator;
};

// Chart.js configurations the reports share.
// A line chart over categories (`labels`, e.g. dates): one dataset per series.
Json line_chart(std::vector<std::string> labels, Json datasets, const std::string& y_title);
// A line of `values` (a gap where nullopt) in palette colour `color`.
Json line_dataset(const std::string& label, const std::vector<std::optional<double>>& values,
                  std::size_t color);
// A time as a chart label: "2024-03-08" at midnight, else "2024-03-08 12:00" (UTC).
std::string time_label(std::int64_t unix_seconds);

// Whether the file at `path` is a page render() wrote for `yieldledger export` (its generator).
inline constexpr std::string_view kExportGenerator = "yieldledger export";
inline constexpr std::string_view kCompareGenerator = "yieldledger compare";
bool is_export_page(const std::string& path);

// The whole page, deterministic for the same input.
std::string render(const Page& page);
std::size_t chart_count(const Page& page);

// Chart.js (the UMD build, which defines window.Chart) and the page's script, embedded at build
// time (scripts/embed_text.cmake).
std::string_view chart_js();
std::string_view report_js();

}  // namespace yl::html
