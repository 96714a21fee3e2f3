#include "engine/html/report.h"

#include <array>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "engine/core/assert.h"
#include "engine/core/timestamp.h"
#include "engine/input/input_error.h"

namespace yl::html {
namespace {

// Saturated colours only: the browser test counts pixels whose channels differ by more than 60
// as data ink, and the axes, grid and text Chart.js draws are greys.
// Sixteen, so that a study's page (22 cohorts, 12 points) repeats few (helper-60's F2); past them,
// another dash (palette_dash).
constexpr std::array<std::array<int, 3>, 16> kPalette = {{{31, 119, 180},
                                                          {214, 39, 40},
                                                          {44, 160, 44},
                                                          {255, 127, 14},
                                                          {148, 103, 189},
                                                          {23, 190, 207},
                                                          {227, 119, 194},
                                                          {188, 189, 34},
                                                          {140, 86, 75},
                                                          {0, 82, 0},
                                                          {128, 0, 128},
                                                          {0, 128, 128},
                                                          {200, 160, 0},
                                                          {0, 0, 160},
                                                          {128, 0, 0},
                                                          {75, 0, 130}}};

// No network at all: inline script and style only, images only as data: URLs (Chart.js needs
// none). A page that tried to fetch anything would be blocked, and the browser test would see it.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

constexpr std::string_view kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       margin: 24px auto; max-width: 1400px; padding: 0 16px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
p.subtitle { color: #555; margin: 0 0 12px; }
p.note { color: #444; margin: 4px 0 10px; max-width: 900px; }
.row { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.chart { border: 1px solid #e3e3e3; border-radius: 4px; padding: 6px; background: #fff; }
.numbers { max-height: 372px; overflow: auto; border: 1px solid #e3e3e3; border-radius: 4px; }
table { border-collapse: collapse; font-size: 12.5px; }
caption { text-align: left; font-weight: 600; padding: 4px 6px; }
th, td { padding: 2px 8px; border-bottom: 1px solid #eee; white-space: nowrap; }
th { position: sticky; top: 0; background: #f6f6f6; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
)css";

void write_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", value);
}

}  // namespace

Json& Json::push(Json item) {
  if (std::holds_alternative<std::nullptr_t>(value_)) value_ = Array{};
  YL_ASSERT(std::holds_alternative<Array>(value_));
  std::get<Array>(value_).push_back(std::move(item));
  return *this;
}

Json& Json::set(const std::string& key, Json value) {
  if (std::holds_alternative<std::nullptr_t>(value_)) value_ = Object{};
  YL_ASSERT(std::holds_alternative<Object>(value_));
  for (auto& [name, member] : std::get<Object>(value_)) {
    if (name == key) {
      member = std::move(value);
      return *this;
    }
  }
  std::get<Object>(value_).emplace_back(key, std::move(value));
  return *this;
}

std::string Json::text() const {
  std::string out;
  write(out);
  return out;
}

void Json::write(std::string& out) const {
  if (std::holds_alternative<std::nullptr_t>(value_)) {
    out += "null";
  } else if (const bool* b = std::get_if<bool>(&value_)) {
    out += *b ? "true" : "false";
  } else if (const double* d = std::get_if<double>(&value_)) {
    write_number(out, *d);
  } else if (const std::string* s = std::get_if<std::string>(&value_)) {
    out += json_string(*s);
  } else if (const Array* items = std::get_if<Array>(&value_)) {
    out += '[';
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (i) out += ',';
      (*items)[i].write(out);
    }
    out += ']';
  } else {
    const Object& members = std::get<Object>(value_);
    out += '{';
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i) out += ',';
      out += json_string(members[i].first);
      out += ':';
      members[i].second.write(out);
    }
    out += '}';
  }
}

std::string html_escape(std::string_view text) {
  // A control but whitespace is no text HTML allows: a label's ESC went raw into the page
  // (helper-70's F10). Shown as the text table and messages show it (\x1b, \u0085), by the one
  // rule of controls (input/input_error.h), then HTML's five characters.
  const std::string shown = escape_controls(text, Keep::page_text);
  std::string out;
  out.reserve(shown.size());
  for (const char c : shown) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // U+2028 and U+2029 (E2 80 A8/A9) end a line in older JavaScript parsers.
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8) {
      out += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

std::string palette_color(std::size_t n, std::optional<double> alpha) {
  const auto& [r, g, b] = kPalette[n % kPalette.size()];
  if (alpha) return fmt::format("rgba({}, {}, {}, {})", r, g, b, *alpha);
  return fmt::format("rgb({}, {}, {})", r, g, b);
}

std::size_t palette_round(std::size_t n) { return n / kPalette.size(); }

Json palette_dash(std::size_t n) {
  // Solid, dashed, dotted, dash-dot: with the sixteen colours, 64 lines told apart (helper-61's
  // R2: colours 16-23 looked as 0-7 did).
  static constexpr std::array<std::array<int, 4>, 4> kDashes = {
      {{0, 0, 0, 0}, {6, 4, 0, 0}, {2, 3, 0, 0}, {8, 3, 2, 3}}};
  Json dash = Json::array();
  for (const int length : kDashes[palette_round(n) % kDashes.size()]) {
    if (length != 0) dash.push(length);
  }
  return dash;
}

Json line_chart(std::vector<std::string> labels, Json datasets, const std::string& y_title) {
  Json label_list = Json::array();
  for (std::string& label : labels) label_list.push(std::move(label));
  Json y_axis = Json::object({{"title", Json::object({{"display", true}, {"text", y_title}})}});
  return Json::object(
      {{"type", "line"},
       {"data",
        Json::object({{"labels", std::move(label_list)}, {"datasets", std::move(datasets)}})},
       {"options",
        Json::object(
            {{"scales",
              Json::object({{"x", Json::object({{"ticks", Json::object({{"maxTicksLimit", 12}})}})},
                            {"y", std::move(y_axis)}})},
             {"plugins", Json::object({{"legend", Json::object({{"position", "bottom"}})}})}})}});
}

Json line_dataset(const std::string& label, const std::vector<std::optional<double>>& values,
                  std::size_t color) {
  Json data = Json::array();
  for (const auto& value : values) data.push(Json(value));
  Json line = Json::object({{"label", label},
                            {"data", std::move(data)},
                            {"borderColor", palette_color(color)},
                            {"backgroundColor", palette_color(color)},
                            {"borderWidth", 2},
                            {"pointRadius", 0},
                            {"spanGaps", false}});
  if (palette_round(color) != 0) line.set("borderDash", palette_dash(color));
  return line;
}

std::string time_label(std::int64_t unix_seconds) {
  std::string text = format_timestamp(Timestamp{unix_seconds});  // YYYY-MM-DDTHH:MM:SSZ
  if (unix_seconds % 86400 == 0) return text.substr(0, 10);
  return text.substr(0, 10) + " " + text.substr(11, 5);
}

namespace {

std::string generator_tag(std::string_view generator) {
  return fmt::format("<meta name=\"generator\" content=\"{}\">",
                     html_escape(std::string(generator)));
}

}  // namespace

bool is_export_page(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head.starts_with("<!DOCTYPE html>") &&
         head.find(generator_tag(kExportGenerator)) != std::string::npos;
}

std::size_t chart_count(const Page& page) {
  std::size_t count = 0;
  for (const Section& section : page.sections) count += section.charts.size();
  return count;
}

namespace {

void render_table(std::string& out, const Table& table) {
  auto numeric = [&](std::size_t i) { return i < table.numeric.size() && table.numeric[i]; };
  out += "<div class=\"numbers\"><table>";
  if (!table.caption.empty()) out += "<caption>" + html_escape(table.caption) + "</caption>";
  out += "<thead><tr>";
  for (const std::string& column : table.columns) out += "<th>" + html_escape(column) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& row : table.rows) {
    YL_ASSERT(row.size() == table.columns.size());
    out += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += numeric(i) ? "<td class=\"n\">" : "<td>";
      out += html_escape(row[i]);
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
}

}  // namespace

std::string render(const Page& page) {
  const std::size_t charts = chart_count(page);
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
                     kContentSecurityPolicy);
  YL_ASSERT(!page.generator.empty());
  out += generator_tag(page.generator);
  out += "\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + html_escape(page.title) + "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n";
  out +=
      fmt::format("<body data-charts=\"{}\" data-charts-drawn=\"0\" data-errors=\"0\">\n", charts);
  // First, so that an error anywhere later (Chart.js included) is counted.
  out += "<script>window.ylErrors = 0; window.onerror = function () { "
         "document.body.setAttribute('data-errors', String(++window.ylErrors)); };</script>\n";
  out += "<h1>" + html_escape(page.title) + "</h1>\n";
  if (!page.subtitle.empty()) {
    out += "<p class=\"subtitle\">" + html_escape(page.subtitle) + "</p>\n";
  }
  Json specs = Json::array();
  std::size_t index = 0;
  for (const Section& section : page.sections) {
    out += "<section>\n<h2>" + html_escape(section.title) + "</h2>\n";
    if (!section.note.empty()) out += "<p class=\"note\">" + html_escape(section.note) + "</p>\n";
    out += "<div class=\"row\">\n";
    for (const Chart& chart : section.charts) {
      out +=
          fmt::format("<div class=\"chart\"><canvas id=\"chart-{}\" width=\"640\" height=\"340\" "
                      "aria-label=\"{}\" role=\"img\"></canvas></div>\n",
                      index++, html_escape(chart.title));
      Json labels = Json::array();
      for (const std::string& label : chart.x_labels) labels.push(label);
      specs.push(Json::object(
          {{"title", chart.title}, {"config", chart.config}, {"x_labels", std::move(labels)}}));
    }
    for (const Table& table : section.tables) render_table(out, table);
    out += "</div>\n</section>\n";
  }
  out += "<script type=\"application/json\" id=\"yl-charts\">" + specs.text() + "</script>\n";
  out += "<script>";
  out += chart_js();
  out += "</script>\n<script>";
  out += report_js();
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace yl::html
