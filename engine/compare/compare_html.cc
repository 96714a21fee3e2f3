#include "engine/compare/compare_html.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join

#include "engine/compare/point_names.h"
#include "engine/core/timestamp.h"

namespace yl::compare {
namespace {

using html::Json;

// Wei are shown in asset units on chart axes (chart_scale); the tables keep exact wei.
std::string axis_title(const MetricInfo& info) {
  return chart_unit(info) + (chart_scale(info.name) != 1.0 ? " (wei ÷ 10^18)" : "");
}

Json linear_axis(const std::string& title) {
  return Json::object({{"type", "linear"},
                       {"title", Json::object({{"display", !title.empty()}, {"text", title}})}});
}

Json scatter_dataset(const std::string& label, Json points, std::size_t color, double alpha,
                     const std::string& style, int radius) {
  return Json::object({{"type", "scatter"},
                       {"label", label},
                       {"data", std::move(points)},
                       {"backgroundColor", html::palette_color(color, alpha)},
                       {"borderColor", html::palette_color(color)},
                       {"pointStyle", style},
                       {"pointRadius", radius},
                       {"borderWidth", style == "line" ? 3 : 1}});
}

Json xy(double x, double y) { return Json::object({{"x", x}, {"y", y}}); }

// Rows of one metric and asset, by cohort.
using Group = std::map<std::string, std::vector<const Row*>>;

// Each cohort's slot around a point on a strip chart's x axis: cohorts side by side.
double cohort_offset(std::size_t cohort, std::size_t cohorts) {
  const double width = 0.8 / static_cast<double>(cohorts);
  return (static_cast<double>(cohort) - static_cast<double>(cohorts - 1) / 2) * width;
}

// `from_zero`: the y axis holds 0, so that an interval's distance from it shows (a contrast's).
Json strip_config(Json datasets, const std::string& y_title, const std::string& x_title = "point",
                  bool from_zero = false) {
  Json y = linear_axis(y_title);
  if (from_zero) y.set("beginAtZero", true);
  return Json::object(
      {{"type", "scatter"},
       {"data", Json::object({{"datasets", std::move(datasets)}})},
       {"options",
        Json::object(
            {{"scales", Json::object({{"x", linear_axis(x_title)}, {"y", std::move(y)}})},
             // The legend draws each dataset's marker and dash: colours come round after
             // sixteen, and the runs' marker or the interval's dash tells them apart (helper-61's
             // R2).
             {"plugins",
              Json::object({{"legend", Json::object({{"position", "bottom"},
                                                     {"labels", Json::object({{"usePointStyle",
                                                                               true}})}})}})}})}});
}

html::Chart distribution_chart(const Group& group, const MetricInfo& info,
                               const PointNames& names) {
  const double scale = chart_scale(info.name);
  const double width = 0.8 / static_cast<double>(group.size());
  Json datasets = Json::array();
  std::size_t color = 0;
  for (const auto& [cohort, rows] : group) {
    const double offset = cohort_offset(color, group.size());
    Json dots = Json::array();
    Json marks = Json::array();
    for (const Row* row : rows) {
      const double x = static_cast<double>(row->point) + offset;
      const auto n = static_cast<double>(row->runs->size());
      std::size_t k = 0;
      for (const auto& [run, value] : *row->runs) {
        // Runs spread across 60% of the slot, in run order, so that equal values stay visible.
        const double spread = n > 1 ? (static_cast<double>(k++) / (n - 1) - 0.5) * 0.6 * width : 0;
        dots.push(xy(x + spread, value.to_double() * scale));
      }
      for (const Value* v : {&row->summary.p5, &row->summary.p50, &row->summary.p95}) {
        marks.push(xy(x, v->to_double() * scale));
      }
    }
    // The whole run's cohort by its --cohorts name (its entries read "runs" alone: helper-60's
    // F7); past the palette's colours, the runs another marker (F2).
    const std::string name = (cohort.empty() ? "all" : cohort) + ": ";
    static constexpr const char* kRunMarkers[] = {"circle", "triangle", "rect", "rectRot"};
    const char* marker = kRunMarkers[html::palette_round(color) % std::size(kRunMarkers)];
    datasets.push(scatter_dataset(name + "runs", std::move(dots), color, 0.45, marker, 2));
    datasets.push(scatter_dataset(name + "p5, p50, p95", std::move(marks), color, 1.0, "line", 9));
    ++color;
  }
  return {"Over runs, per point", strip_config(std::move(datasets), axis_title(info)), names.chart};
}

// Paired differences on a strip chart: each one's 95% interval a vertical segment, its mean a
// dash. Difference charts and contrast charts draw them alike.
class Intervals {
 public:
  explicit Intervals(double scale) : scale_(scale) {}
  void add(double x, const PairedDifference& d) {
    means_.push(xy(x, d.mean_float * scale_));
    if (const auto& ci = d.ci95_float) {
      segments_.push(xy(x, ci->first * scale_));
      segments_.push(xy(x, ci->second * scale_));
      segments_.push(Json::object({{"x", x}, {"y", Json()}}));  // a gap: the next is apart
    }
  }
  // Its two datasets, the intervals then the means, in palette colour `color` (past the palette's
  // colours, the intervals dashed), their legends `prefix` and these names.
  void push_to(Json& datasets, const std::string& prefix, const std::string& mean_name,
               std::size_t color) {
    Json interval =
        scatter_dataset(prefix + "95% interval", std::move(segments_), color, 1.0, "line", 0);
    interval.set("showLine", true).set("spanGaps", false).set("borderWidth", 3);
    if (html::palette_round(color) != 0) interval.set("borderDash", html::palette_dash(color));
    datasets.push(std::move(interval));
    datasets.push(scatter_dataset(prefix + mean_name, std::move(means_), color, 1.0, "line", 10));
  }

 private:
  double scale_;
  Json segments_ = Json::array();
  Json means_ = Json::array();
};

// Per point other than the baseline, per cohort: the 95% interval as a vertical segment and the
// mean difference as a dash, on the same x axis as the strip chart.
html::Chart difference_chart(const Comparison& c, const Group& group, const MetricInfo& info,
                             const PointNames& names) {
  const double scale = chart_scale(info.name);
  Json datasets = Json::array();
  std::size_t color = 0;
  for (const auto& [cohort, rows] : group) {
    const double offset = cohort_offset(color, group.size());
    Intervals intervals(scale);
    for (const Row* row : rows) {
      if (row->diff) intervals.add(static_cast<double>(row->point) + offset, *row->diff);
    }
    intervals.push_to(datasets, (cohort.empty() ? "all" : cohort) + ": ", "mean difference", color);
    ++color;
  }
  const Point& base = c.results->points[c.baseline];
  return {
      fmt::format("Paired difference against point {} (95% t interval)", base.index),
      // "asset units (wei ÷ 10^18) − point 0" was cut on the axis (helper-60's F7); the strip
      // chart beside it says what an asset unit is.
      strip_config(std::move(datasets), fmt::format("{} − point {}", chart_unit(info), base.index)),
      names.chart};
}

html::Section points_section(const Comparison& c, const PointNames& names,
                             const Contrast* contrast) {
  html::Table table{"", {"point", "label", "params", "runs"}, {true, false, false, true}, {}};
  for (std::size_t p = 0; p < c.results->points.size(); ++p) {
    const Point& point = c.results->points[p];
    // Its roles: the baseline, and A, B, C or D of a contrast (helper-77's F10).
    std::vector<std::string> roles;
    if (p == c.baseline) roles.emplace_back("baseline");
    for (std::size_t i = 0; contrast != nullptr && i < 4; ++i) {
      if (contrast->points[i] == p) roles.emplace_back(1, contrast_role(i));
    }
    table.rows.push_back(
        {std::to_string(point.index),
         point.label + (roles.empty() ? "" : fmt::format(" ({})", fmt::join(roles, ", "))),
         point.params, std::to_string(point.runs)});
  }
  std::string note =
      "Over the runs of each point: mean (exact for integer metrics, 3 decimals toward zero), "
      "sample standard deviation (float), p5, p50, p95 by nearest rank (the value at rank "
      "⌈p·n/100⌉ of the sorted runs). Differences are paired by run: run k of a point and of "
      "the baseline, where both ran on one seed (common random numbers: a sweep gives run k of "
      "every point one seed; a point of other seeds has no difference): mean of "
      "x_k − baseline_k and a 95% paired t interval (float).";
  if (!names.value_keys.empty()) {
    note += " A label longer than 32 bytes is shown on charts and in metric tables by its values "
            "alone, in the order of the keys " +
            fmt::format("{}", fmt::join(names.value_keys, ", ")) +
            (names.gaps ? fmt::format(" ({} where a point gives none)", kNoValue) : "") + ".";
  }
  for (const std::string& n : c.notes) note += " Note: " + n + ".";
  return {"Points", note, {}, {std::move(table)}};
}

html::Section fan_section(const Fan& fan, const Comparison& c, const PointNames& names) {
  const double scale = chart_scale(fan.key.name);
  std::vector<std::string> labels;
  for (const std::string& t : fan.times) {
    const auto time = parse_timestamp(t);
    labels.push_back(time ? html::time_label(time->seconds) : t);
  }
  Json datasets = Json::array();
  html::Table table{fmt::format("At {} (exact)", fan.times.empty() ? "" : labels.back()),
                    {"point", "label", "n", "p5", "p50", "p95"},
                    {true, false, true, true, true, true},
                    {}};
  for (std::size_t p = 0; p < fan.bands.size(); ++p) {
    std::vector<std::optional<double>> low, mid, high;
    for (const auto& band : fan.bands[p]) {
      if (!band) {
        low.emplace_back();
        mid.emplace_back();
        high.emplace_back();
        continue;
      }
      low.push_back(band->p5.to_double() * scale);
      mid.push_back(band->p50.to_double() * scale);
      high.push_back(band->p95.to_double() * scale);
    }
    const std::string& name = names.chart[p];
    Json band_low = html::line_dataset(name + " p5", low, p);
    // The p5 line only bounds the band: no legend entry of its own (report.js: ylNoLegend).
    band_low.set("borderWidth", 0).set("fill", false).set("ylNoLegend", true);
    Json band_high = html::line_dataset(name + " p5–p95", high, p);
    band_high.set("borderWidth", 0)
        .set("fill", "-1")
        .set("backgroundColor", html::palette_color(p, 0.18));
    datasets.push(std::move(band_low));
    datasets.push(std::move(band_high));
    datasets.push(html::line_dataset(name + " median", mid, p));
    if (!fan.bands[p].empty() && fan.bands[p].back()) {
      const Summary& last = *fan.bands[p].back();
      const Point& point = c.results->points[p];
      table.rows.push_back({std::to_string(point.index), names.label[p], std::to_string(last.n),
                            last.p5.text(), last.p50.text(), last.p95.text()});
    }
  }
  Json config = html::line_chart(labels, std::move(datasets),
                                 scale == 1.0 ? fan.key.name : fan.key.name + " ÷ 10^18");
  const std::string title = fmt::format("{} ({}) over time", fan.key.name, fan.key.asset);
  return {title,
          "The band is p5 to p95 over runs at each time (nearest rank), the line the median.",
          {html::Chart{title, std::move(config), {}}},
          {std::move(table)}};
}

// --contrast: per metric and asset, a chart of each cohort's (A − B) − (C − D), its 95% interval as
// a vertical segment and its mean as a dash (as difference_chart draws a point's); then the table.
html::Section contrast_section(const Contrast& contrast) {
  html::Section section{
      "Contrast",
      contrast_statement(contrast) +
          ". The difference-in-differences, paired by run: over the runs k that all four points "
          "ran on one seed, the mean of (a_k − b_k) − (c_k − d_k) and a 95% paired t interval "
          "(its bounds exact decimals for integer metrics, rounded outward); a_minus_b_mean and "
          "c_minus_d_mean are the two differences' means over the same runs. A positive contrast: "
          "A − B is larger than C − D; an interval that holds 0 does "
          "not tell the two differences apart. Each chart's axis holds 0.",
      {},
      {contrast_table(contrast, true)}};
  for (const std::string& n : contrast.notes) section.note += " Note: " + n + ".";
  std::size_t i = 0;
  while (i < contrast.rows.size()) {
    const ContrastRow& first = contrast.rows[i];
    Intervals intervals(chart_scale(first.key.name));
    std::vector<std::string> cohorts;
    for (; i < contrast.rows.size() && contrast.rows[i].key.name == first.key.name &&
           contrast.rows[i].key.asset == first.key.asset;
         ++i) {
      const ContrastRow& row = contrast.rows[i];
      intervals.add(static_cast<double>(cohorts.size()), row.contrast);
      cohorts.push_back(row.key.cohort.empty() ? "all" : row.key.cohort);
    }
    Json datasets = Json::array();
    intervals.push_to(datasets, "", "mean", 0);
    section.charts.push_back(
        {fmt::format("{}{}: (A − B) − (C − D)", first.key.name,
                     first.key.asset.empty() ? "" : " · " + first.key.asset),
         strip_config(std::move(datasets), axis_title(*first.info), "cohort", true),
         std::move(cohorts)});
  }
  return section;
}

}  // namespace

html::Page comparison_page(const Comparison& c, const Contrast* contrast) {
  const Results& r = *c.results;
  const auto name = r.study.find("name");
  html::Page page;
  page.generator = html::kCompareGenerator;
  page.title = "yieldledger compare: " + (name == r.study.end() ? r.path : name->second);
  const Point& base = r.points[c.baseline];
  page.subtitle = fmt::format("{} points × {} runs; baseline point {} '{}'.", r.points.size(),
                              r.runs_per_point, base.index, base.label);
  const PointNames names = point_names(r);
  page.sections.push_back(points_section(c, names, contrast));
  if (contrast != nullptr) page.sections.push_back(contrast_section(*contrast));

  // Rows are ordered by metric, asset, cohort, point: a group is a run of equal (metric, asset).
  const html::Table all = rows_table(c, &names.label);
  std::size_t i = 0;
  while (i < c.rows.size()) {
    std::size_t end = i;
    Group group;
    html::Table table{"", all.columns, all.numeric, {}};
    while (end < c.rows.size() && c.rows[end].key.name == c.rows[i].key.name &&
           c.rows[end].key.asset == c.rows[i].key.asset) {
      group[c.rows[end].key.cohort].push_back(&c.rows[end]);
      table.rows.push_back(all.rows[end]);
      ++end;
    }
    const MetricInfo& info = *c.rows[i].info;
    const std::string asset = c.rows[i].key.asset.empty() ? "" : " · " + c.rows[i].key.asset;
    html::Section section{fmt::format("{}{} ({})", info.name, asset, info.unit),
                          info.description,
                          {distribution_chart(group, info, names)},
                          {std::move(table)}};
    if (r.points.size() > 1) section.charts.push_back(difference_chart(c, group, info, names));
    page.sections.push_back(std::move(section));
    i = end;
  }
  for (const Fan& fan : c.fans) page.sections.push_back(fan_section(fan, c, names));
  return page;
}

}  // namespace yl::compare
