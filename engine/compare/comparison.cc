#include "engine/compare/comparison.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join

#include "engine/compare/point_names.h"
#include "engine/core/assert.h"

namespace yl::compare {
namespace {

// Names joined by ", ", the first 12 of more with "… (N in all)": a sweep of 10,000 points makes
// one line still.
std::string named_list(std::vector<std::string> names) {
  constexpr std::size_t kNamed = 12;
  const std::size_t n = names.size();
  if (n > kNamed) names.resize(kNamed);
  return fmt::format("{}{}", fmt::join(names, ", "),
                     n > kNamed ? fmt::format(", … ({} in all)", n) : "");
}

// Whether a swept key decides which strategy a user follows, or its mode: a strategy's `share` or
// `kind`, or a whole strategy (README "Seeds": a user's strategy is the band its one draw falls
// in); a strategy's `via` and the population's `modes` (the MODE parts, `sniper/user/VOID`:
// helper-73's R4).
bool sorts_users(std::string_view key) {
  if (key == "strategy" || key.starts_with("population.modes")) return true;
  if (!key.starts_with("strategy.")) return false;
  const std::string_view rest = key.substr(std::string_view("strategy.").size());
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return true;
  const std::string_view leaf = rest.substr(dot + 1);
  return leaf == "share" || leaf == "kind" || leaf == "via";
}

// Whether a swept key draws other accounts into `all` and `users`: the number of users (another
// number adds or drops accounts) or the assets they hold (a user's asset is the band its one draw
// falls in: README "Seeds"). Not `dapps`: `users` keeps its accounts (helper-88's F4).
bool repopulates(std::string_view key) {
  return key == "population" || key == "population.users" || key == "population.assets" ||
         key.starts_with("population.assets.");
}

// Whether a cohort is named by a strategy users are sorted into (`passive`, `sniper/user/VOID`):
// not the whole run's, `users`, `dapps`, nor a dapp's (`dapp`, `dapp/dapp/VOID`), whose accounts
// no strategy key moves.
bool strategy_cohort(std::string_view cohort) {
  return !cohort.empty() && cohort != "users" && cohort != "dapps" && cohort != "dapp" &&
         !cohort.starts_with("dapp/");
}

// The pairs of a point's label whose key passes `keep`.
template <typename Keep>
std::set<std::pair<std::string_view, std::string_view>> pairs_of(const Point& point, Keep keep) {
  std::set<std::pair<std::string_view, std::string_view>> pairs;
  for (const auto& pair : label_pairs(point.label)) {
    if (keep(pair.first)) pairs.insert(pair);
  }
  return pairs;
}

// The keys whose pairs differ between `a` and `b`.
std::set<std::string_view> differing_keys(
    const std::set<std::pair<std::string_view, std::string_view>>& a,
    const std::set<std::pair<std::string_view, std::string_view>>& b) {
  std::vector<std::pair<std::string_view, std::string_view>> differ;
  std::ranges::set_symmetric_difference(a, b, std::back_inserter(differ));
  std::set<std::string_view> keys;
  for (const auto& [key, value] : differ) keys.insert(key);
  return keys;
}

// Of `points`, those that sort users into strategies or modes otherwise than `reference` (called
// `reference_name`): a cohort named by strategy holds other accounts there, so a sum over it
// differs by whom it holds (helper-66's F3: a control point whose snipers never act showed 70% of
// the passive cohort's USDB `yield_wei` "difference"). A note naming them and the keys, or none.
// Of those, the points that draw other users too are named where the note advises `all` and
// `users`, which hold other accounts there (helper-83).
std::optional<std::string> resorting_note(const Results& results,
                                          const std::set<std::size_t>& points,
                                          std::size_t reference, std::string_view reference_name) {
  std::set<std::string> by_strategy;  // the strategies of such cohorts compared
  bool parts = false;                 // and some strategy/kind/MODE part of one
  for (const auto& [key, per_point] : results.values) {
    if (!strategy_cohort(key.cohort)) continue;
    const std::size_t slash = key.cohort.find('/');
    by_strategy.insert(key.cohort.substr(0, slash));
    parts = parts || slash != std::string::npos;
  }
  const Point& ref = results.points[reference];
  const auto reference_sorting = pairs_of(ref, sorts_users);
  const auto reference_population = pairs_of(ref, repopulates);
  std::vector<std::string> resorted, repopulated;
  std::set<std::string_view> keys, population_keys;
  for (const std::size_t p : points) {
    const Point& point = results.points[p];
    const auto sorting = differing_keys(pairs_of(point, sorts_users), reference_sorting);
    if (sorting.empty()) continue;
    resorted.push_back(std::to_string(point.index));
    keys.insert(sorting.begin(), sorting.end());
    const auto population = differing_keys(pairs_of(point, repopulates), reference_population);
    if (population.empty()) continue;
    repopulated.push_back(std::to_string(point.index));
    population_keys.insert(population.begin(), population.end());
  }
  if (by_strategy.empty() || resorted.empty()) return std::nullopt;
  const std::size_t n = resorted.size();
  const std::size_t m = repopulated.size();
  const std::string not_there =
      m == 0 ? std::string()
             : fmt::format("; not at point{} {}, where {} differ{} too", m == 1 ? "" : "s",
                           named_list(std::move(repopulated)),
                           named_list({population_keys.begin(), population_keys.end()}),
                           population_keys.size() == 1 ? "s" : "");
  return fmt::format(
      "point{} {} sort{} users into strategies or modes otherwise than {}, point {} ({}): the "
      "cohorts named by strategy ({}{}) may hold other accounts there, and a sum such as "
      "yield_wei differs by whom a cohort holds; compare a ratio (apy_ppm) or a cohort that keeps "
      "its accounts (all, users{}): README \"Seeds\"",
      n == 1 ? "" : "s", named_list(std::move(resorted)), n == 1 ? "s" : "", reference_name,
      ref.index, named_list({keys.begin(), keys.end()}),
      named_list({by_strategy.begin(), by_strategy.end()}),
      parts ? ", and their kind/MODE parts" : "", not_there);
}

// The values a point has, in the order of its runs.
std::vector<Value> values_of(const std::map<std::int64_t, Value>& by_run) {
  std::vector<Value> values;
  for (const auto& [run, value] : by_run) values.push_back(value);
  return values;
}

// Whether run k of points a and b is a pair: both ran on one seed (common random numbers).
bool paired(const Point& a, const Point& b, std::int64_t run) {
  const auto k = static_cast<std::size_t>(run);
  return k < a.seeds.size() && k < b.seeds.size() && a.seeds[k] == b.seeds[k];
}

std::optional<PairedDifference> difference(const std::map<std::int64_t, Value>& point,
                                           const std::map<std::int64_t, Value>& baseline,
                                           const Point& p, const Point& base) {
  std::vector<Value> x, b;
  for (const auto& [run, value] : point) {
    const auto it = baseline.find(run);
    // A run only one of them has is not a pair, nor two runs of other seeds (helper-56's F5: a
    // point that changes the history was differenced run by run against unrelated runs).
    if (it == baseline.end() || !paired(p, base, run)) continue;
    x.push_back(value);
    b.push_back(it->second);
  }
  if (x.empty()) return std::nullopt;
  return paired_difference(x, b);
}

Fan fan_of(const SeriesKey& key, const Results& results,
           const std::vector<std::map<std::string, std::map<std::int64_t, BigInt>>>& per_point) {
  Fan fan{key, {}, {}};
  std::set<std::string> times;  // SPEC §1.2 time text sorts in time order
  for (const auto& by_time : per_point) {
    for (const auto& [t, runs] : by_time) times.insert(t);
  }
  fan.times.assign(times.begin(), times.end());
  fan.bands.resize(results.points.size());
  for (std::size_t p = 0; p < per_point.size(); ++p) {
    for (const std::string& t : fan.times) {
      const auto it = per_point[p].find(t);
      if (it == per_point[p].end()) {
        fan.bands[p].push_back(std::nullopt);
        continue;
      }
      std::vector<Value> values;
      for (const auto& [run, v] : it->second) values.push_back(Value::of_int(v));
      fan.bands[p].push_back(summarize(values));
    }
  }
  fan.bands.resize(results.points.size(), std::vector<std::optional<Summary>>(fan.times.size()));
  return fan;
}

}  // namespace

std::string unpaired_reason(const Results& results) {
  const auto lab = results.study.find("lab");
  const std::string version = lab == results.study.end() ? "1" : lab->second;
  const bool old = version.size() == 1 && version[0] >= '1' && version[0] <= '4';
  return old ? fmt::format("the file's runs are of lab version {}, where a point that changes "
                           "more than policy or gas keys has runs of its own; a sweep of version "
                           "5 or later pairs every point",
                           version)
             : "their runs have other seeds";
}

Comparison compare_results(const Results& results, std::size_t baseline) {
  YL_ASSERT(baseline < results.points.size());
  Comparison c;
  c.results = &results;
  c.baseline = baseline;
  for (const Point& p : results.incomplete) {
    c.notes.push_back(fmt::format("point {} '{}' has {} of {} runs and is left out", p.index,
                                  p.label, p.runs, results.runs_per_point));
  }
  // Points none of whose runs pairs with the baseline's. A sweep of lab version 5 or later gives
  // run k of every point one seed; before, a point that changed more than policy or gas keys had
  // runs of its own (helper-66's F1: the note said "strategy keys share seeds" of such a file).
  auto shares_a_seed = [&](const Point& a, const Point& b) {
    return std::ranges::any_of(
        a.seeds, [&](const std::string& seed) { return paired(a, b, &seed - a.seeds.data()); });
  };
  // How many points ran run k on a seed: one pass, not every point against every other (a file
  // of 10,000 points of seeds of their own took 58 s: helper-68's F1).
  std::map<std::pair<std::size_t, std::string_view>, int> points_on;
  for (const Point& point : results.points) {
    for (std::size_t k = 0; k < point.seeds.size(); ++k) ++points_on[{k, point.seeds[k]}];
  }
  std::vector<std::string> unpaired;
  bool other_baseline = false;  // an unpaired point shares seeds with another point
  for (const Point& point : results.points) {
    if (shares_a_seed(point, results.points[baseline])) continue;
    unpaired.push_back(std::to_string(point.index));
    for (std::size_t k = 0; k < point.seeds.size(); ++k) {
      other_baseline = other_baseline || points_on.at({k, point.seeds[k]}) > 1;
    }
  }
  if (!unpaired.empty()) {
    const std::size_t n = unpaired.size();
    c.notes.push_back(fmt::format(
        "point{} {} share{} no run's seed with the baseline, point {}: no paired difference "
        "({}){}",
        n == 1 ? "" : "s", named_list(std::move(unpaired)), n == 1 ? "s" : "",
        results.points[baseline].index, unpaired_reason(results),
        other_baseline ? "; name a baseline of the same seeds with --baseline" : ""));
  }
  // A metric of one asset and of no run for another (gini where every run's Σx ≤ 0): its
  // section was absent from the page without a word (helper-60's F9).
  // Against every asset of the file, not of the metrics read (--metrics gini hid it: helper-61's
  // R3).
  std::map<std::string, std::set<std::string>> assets_of;
  for (const auto& [key, per_point] : results.values) {
    if (!key.asset.empty()) assets_of[key.name].insert(key.asset);
  }
  const char* among = results.selection.cohorts ? " in the cohorts compared" : "";
  for (const auto& [name, present] : assets_of) {
    std::vector<std::string> missing;
    std::ranges::set_difference(results.assets, present, std::back_inserter(missing));
    if (missing.empty()) continue;
    c.notes.push_back(fmt::format("no run has a value of {} for {}{} (undefined there: README "
                                  "\"Metrics\")",
                                  name, fmt::join(missing, ", "), among));
  }
  std::size_t rows = 0;  // reserved: a vector grown by doubling held up to twice its rows
  for (const auto& [key, per_point] : results.values) {
    rows += static_cast<std::size_t>(std::count_if(per_point.begin(), per_point.end(),
                                                   [](const auto& runs) { return !runs.empty(); }));
  }
  c.rows.reserve(rows);
  std::set<std::string> no_baseline;  // cohorts with a row of no value at the baseline
  for (const auto& [key, per_point] : results.values) {
    const MetricInfo& info = results.metrics.at(key.name);
    for (std::size_t p = 0; p < per_point.size(); ++p) {
      if (per_point[p].empty()) continue;
      Row row{key, &info, p, summarize(values_of(per_point[p])), &per_point[p], {}};
      if (p != baseline) {
        row.diff = difference(per_point[p], per_point[baseline], results.points[p],
                              results.points[baseline]);
        if (per_point[baseline].empty())
          no_baseline.insert(key.cohort.empty() ? "all" : key.cohort);
      }
      c.rows.push_back(std::move(row));
    }
  }
  // A cohort no account of the baseline is in (snipers, against a baseline of none), or a metric
  // undefined there: its rows' difference columns were blank without a word (helper-66's F6).
  if (!no_baseline.empty()) {
    c.notes.push_back(fmt::format(
        "the baseline, point {}, has no value of some metrics of cohort{} {} (no account of the "
        "cohort there, or the metric undefined: README \"Metrics\"): those rows have no "
        "difference",
        results.points[baseline].index, no_baseline.size() == 1 ? "" : "s",
        named_list({no_baseline.begin(), no_baseline.end()})));
  }
  std::set<std::size_t> all_points;
  for (std::size_t p = 0; p < results.points.size(); ++p) all_points.insert(p);
  if (auto note = resorting_note(results, all_points, baseline, "the baseline")) {
    c.notes.push_back(std::move(*note));
  }
  for (const auto& [key, per_point] : results.series)
    c.fans.push_back(fan_of(key, results, per_point));
  return c;
}

Contrast contrast_results(const Results& results, const std::array<std::size_t, 4>& points) {
  for (const std::size_t p : points) YL_ASSERT(p < results.points.size());
  Contrast c{&results, points, {}, false, {}, {}};
  const Point& a = results.points[points[0]];
  // Run k is in the contrast where all four points ran it on one seed: a's with each other's.
  std::vector<std::int64_t> runs;
  for (std::int64_t k = 0; k < results.runs_per_point; ++k) {
    if (std::ranges::all_of(points, [&](std::size_t p) { return paired(a, results.points[p], k); }))
      runs.push_back(k);
  }
  c.seeds_shared = !runs.empty();
  for (const auto& [key, per_point] : results.values) {
    std::array<std::vector<Value>, 4> x;  // the values of A, B, C, D, run by run
    std::string missing;                  // the points of no value in any of those runs
    for (std::size_t i = 0; i < 4; ++i) {
      const auto& by_run = per_point[points[i]];
      if (std::ranges::none_of(runs, [&](std::int64_t k) { return by_run.contains(k); })) {
        missing += missing.empty() ? "" : ", ";
        missing += contrast_role(i);
      }
    }
    for (const std::int64_t k : runs) {
      std::array<const Value*, 4> at{};
      for (std::size_t i = 0; i < 4; ++i) {
        const auto it = per_point[points[i]].find(k);
        if (it != per_point[points[i]].end()) at[i] = &it->second;
      }
      if (std::ranges::find(at, nullptr) != at.end()) continue;
      for (std::size_t i = 0; i < 4; ++i) x[i].push_back(*at[i]);
    }
    if (x[0].empty()) {
      if (c.seeds_shared) {
        c.left_out.push_back(
            fmt::format("{}{} of {} ({})", key.name, key.asset.empty() ? "" : " " + key.asset,
                        key.cohort.empty() ? "all" : key.cohort,
                        missing.empty() ? "no run with all four" : "none at " + missing));
      }
      continue;
    }
    std::vector<Value> first, second;  // a_k − b_k and c_k − d_k
    for (std::size_t k = 0; k < x[0].size(); ++k) {
      first.push_back(minus(x[0][k], x[1][k]));
      second.push_back(minus(x[2][k], x[3][k]));
    }
    c.rows.push_back({key, &results.metrics.at(key.name), paired_difference(x[0], x[1]),
                      paired_difference(x[2], x[3]), paired_difference(first, second)});
  }
  // Which rows, and at which points (a cohort none of whose accounts held the asset there, or a
  // metric undefined there): the note named the cohorts alone (helper-77's F5).
  if (!c.left_out.empty()) c.notes.push_back(left_out_note(c));
  // Each difference compares points that sort users alike, or its cohorts named by strategy hold
  // other accounts at its two points (helper-76: B and D against A flagged a consistent pair).
  for (const auto& [first, second, name] :
       {std::tuple{points[0], points[1], "A"}, std::tuple{points[2], points[3], "C"}}) {
    if (auto note = resorting_note(results, {second}, first, name)) {
      c.notes.push_back(std::move(*note));
    }
  }
  return c;
}

std::string left_out_note(const Contrast& contrast) {
  const std::size_t n = contrast.left_out.size();
  YL_ASSERT(n > 0);
  return fmt::format("{} row{} of no value at some of the four points, in the runs they ran on "
                     "one seed, {} left out: {}",
                     n, n == 1 ? "" : "s", n == 1 ? "is" : "are", named_list(contrast.left_out));
}

char contrast_role(std::size_t i) {
  YL_ASSERT(i < 4);
  return "ABCD"[i];
}

std::string contrast_statement(const Contrast& contrast) {
  std::vector<std::string> named;
  for (std::size_t i = 0; i < 4; ++i) {
    const Point& p = contrast.results->points[contrast.points[i]];
    named.push_back(fmt::format("{} = point {} '{}'", contrast_role(i), p.index, p.label));
  }
  return fmt::format("(A − B) − (C − D), {}", fmt::join(named, ", "));
}

html::Table contrast_table(const Contrast& contrast, bool all_cohort) {
  html::Table table{"",
                    {"metric", "unit", "asset", "cohort", "n", "a_minus_b_mean", "c_minus_d_mean",
                     "contrast_mean", "contrast_sd_float", "contrast_ci95_half_float",
                     "contrast_ci95_low", "contrast_ci95_high"},
                    {false, false, false, false, true, true, true, true, true, true, true, true},
                    {}};
  YL_ASSERT(table.columns.size() == table.numeric.size());
  for (const ContrastRow& row : contrast.rows) {
    const PairedDifference& d = row.contrast;
    table.rows.push_back({row.key.name, row.info->unit, row.key.asset,
                          all_cohort && row.key.cohort.empty() ? "all" : row.key.cohort,
                          std::to_string(d.n), row.first.mean, row.second.mean, d.mean,
                          float_text(d.sd), float_text(d.ci95_half), d.ci95 ? d.ci95->first : "",
                          d.ci95 ? d.ci95->second : ""});
  }
  return table;
}

double chart_scale(std::string_view name) { return name.ends_with("_wei") ? 1e-18 : 1.0; }

std::string chart_unit(const MetricInfo& info) {
  return chart_scale(info.name) != 1.0 ? "asset units" : info.unit;
}

std::string float_text(std::optional<double> value) {
  return value ? fmt::format("{:.6g}", *value) : "";
}

html::Table rows_table(const Comparison& comparison, const std::vector<std::string>* labels) {
  html::Table table{"",
                    {"metric", "unit", "asset", "cohort", "point", "label", "n", "mean", "sd_float",
                     "p5", "p50", "p95", "diff_n", "diff_mean", "diff_sd_float",
                     "diff_ci95_half_float", "diff_ci95_low", "diff_ci95_high"},
                    {false, false, false, false, true, false, true, true, true, true, true, true,
                     true, true, true, true, true, true},
                    {}};
  YL_ASSERT(table.columns.size() == table.numeric.size());
  for (const Row& row : comparison.rows) {
    const Point& point = comparison.results->points[row.point];
    const Summary& s = row.summary;
    std::vector<std::string> cells = {row.key.name,
                                      row.info->unit,
                                      row.key.asset,
                                      labels && row.key.cohort.empty() ? "all" : row.key.cohort,
                                      std::to_string(point.index),
                                      labels ? labels->at(row.point) : point.label,
                                      std::to_string(s.n),
                                      s.mean,
                                      float_text(s.sd),
                                      s.p5.text(),
                                      s.p50.text(),
                                      s.p95.text()};
    if (row.diff) {
      const PairedDifference& d = *row.diff;
      cells.insert(cells.end(),
                   {std::to_string(d.n), d.mean, float_text(d.sd), float_text(d.ci95_half),
                    d.ci95 ? d.ci95->first : "", d.ci95 ? d.ci95->second : ""});
    } else {
      cells.insert(cells.end(), 6, "");
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

}  // namespace yl::compare
