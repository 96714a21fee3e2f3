// `yieldledger compare RESULTS.db`: per metric (and asset and cohort) and point, the statistics
// over runs (stats.h), and the paired difference against a baseline point; per series, the
// p5/p50/p95 band over runs at each time. Every output format (table, CSV, XLSX, HTML) shows the
// same numbers: they all come from rows_table().
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/compare/results.h"
#include "engine/compare/stats.h"
#include "engine/html/report.h"

namespace yl::compare {

struct Row {
  MetricKey key;
  const MetricInfo* info = nullptr;
  std::size_t point = 0;  // position in results.points
  Summary summary;
  const std::map<std::int64_t, Value>* runs = nullptr;  // run -> value, in the results
  std::optional<PairedDifference> diff;                 // none for the baseline itself
};

// A series (price, debt_wei, ...) of one asset: at each time, per point, percentiles over runs.
struct Fan {
  SeriesKey key;
  std::vector<std::string> times;
  // bands[point][time]: nullopt where the point has no value at that time.
  std::vector<std::vector<std::optional<Summary>>> bands;
};

struct Comparison {
  const Results* results = nullptr;
  std::size_t baseline = 0;  // position in results->points
  std::vector<Row> rows;     // by metric, asset, cohort, then point
  std::vector<Fan> fans;
  std::vector<std::string> notes;  // e.g. points left out for missing runs
};

// REQUIRES: baseline < results.points.size(). `results` must outlive the comparison.
Comparison compare_results(const Results& results, std::size_t baseline);
// Why points share no run's seed: a results file of lab version 4 or older gave some points runs
// of their own; else "their runs have other seeds".
std::string unpaired_reason(const Results& results);

// `--contrast A B C D`: the difference-in-differences (A − B) − (C − D) of each metric, asset and
// cohort, paired by run: over the runs k all four points ran on one seed, the mean of
// (a_k − b_k) − (c_k − d_k) and its 95% paired t interval, as a paired difference (stats.h). Does
// the fee cost holders more with rebalancing than without? A = the fee with rebalancing, B =
// rebalancing alone, C = the fee alone, D = neither: each run's noise, common to the four, drops
// out.
struct ContrastRow {
  MetricKey key;
  const MetricInfo* info = nullptr;
  PairedDifference first;     // A − B over the runs paired
  PairedDifference second;    // C − D over the same runs
  PairedDifference contrast;  // (A − B) − (C − D)
};

struct Contrast {
  const Results* results = nullptr;
  std::array<std::size_t, 4> points{};  // A, B, C, D: positions in results->points
  std::vector<ContrastRow> rows;        // by metric, asset, cohort
  bool seeds_shared = false;            // some run k ran on one seed at all four points
  // The rows of no value at some of the four points: "apy_ppm ETH of sniper (none at B, C)".
  std::vector<std::string> left_out;
  std::vector<std::string> notes;  // rows left out, points that sort users otherwise
};

// The note naming the rows left out: "1 row of no value … is left out: apy_ppm of sniper (none
// at B, C)". REQUIRES: some row left out.
std::string left_out_note(const Contrast& contrast);
// The name of the contrast's point i: 'A', 'B', 'C' or 'D'. REQUIRES: i < 4.
char contrast_role(std::size_t i);

// REQUIRES: every point < results.points.size(). Rows of no run that all four points ran on one
// seed are left out, and named in a note. `results` must outlive the contrast.
Contrast contrast_results(const Results& results, const std::array<std::size_t, 4>& points);

// The contrast's rows as text: metric, unit, asset, cohort, n, a_minus_b_mean, c_minus_d_mean,
// contrast_mean, contrast_sd_float, contrast_ci95_half_float, contrast_ci95_low,
// contrast_ci95_high. `all` for the whole run's cohort where `all_cohort` (the page and the text
// table), '' otherwise (CSV), as rows_table.
html::Table contrast_table(const Contrast& contrast, bool all_cohort = false);
// "(A − B) − (C − D), A = point 3 'fee, rebalance', B = …": what the contrast is of.
std::string contrast_statement(const Contrast& contrast);

// The numbers of every row, as text: the one table all formats print.
//   metric, unit, asset, cohort, point, label, n, mean, sd_float, p5, p50, p95,
//   diff_n, diff_mean, diff_sd_float, diff_ci95_half_float, diff_ci95_low, diff_ci95_high
// `labels`, if given, by position in results.points, in place of the points' whole labels (the
// short ones of point_names.h: the HTML page's metric tables and the text table, for people, where
// the whole-run cohort '' is shown as `all`, as --cohorts and the charts' legends name it).
html::Table rows_table(const Comparison& comparison,
                       const std::vector<std::string>* labels = nullptr);
// A float statistic as text: 6 significant digits (sd, intervals); empty when absent.
std::string float_text(std::optional<double> value);

// What a chart multiplies a metric's or a series' values by, from its name: an amount (a name
// ending in `_wei`) is drawn in asset units, 10^18 wei a unit; anything else as it is. A price is
// no amount (helper-56's F6 saw `price_end` drawn as 1.0085e-09); by name, not by the unit a
// results file stores, since one made before 2026-12-06 gives `price_end` the unit `wei`
// (helper-58's R3). HTML and XLSX.
double chart_scale(std::string_view name);
// A chart's unit for a metric: "asset units" where chart_scale converts it, else its own.
std::string chart_unit(const MetricInfo& info);

}  // namespace yl::compare
