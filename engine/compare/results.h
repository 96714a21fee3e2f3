// Reading a sweep's results file (RESULTS.db, the format in schema/results/RESULTS_SCHEMA.md;
// its identity in engine/storage/results_identity.h). Read-only; everything is checked before
// compare uses it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/compare/stats.h"

namespace yl::compare {

struct Point {
  std::int64_t index = 0;
  std::string label;
  std::string params;     // JSON object text, as stored
  std::int64_t runs = 0;  // rows in `runs`
  // A complete point's seeds, by run: run k of two points is a pair (common random numbers) only
  // when both have one seed (README "Seeds": a sweep of lab version 5 gives run k of every point
  // one; before, a point that changed more than policy or gas keys had its own).
  std::vector<std::string> seeds;
};

struct MetricInfo {
  std::string name;
  bool exact = true;  // kind 'int'; false: 'real'
  std::string unit;
  std::string description;
};

// One metric of one run, for a cohort and an asset ('' when the metric is the whole run's or
// holds no asset).
struct MetricKey {
  std::string name;
  std::string asset;
  std::string cohort;
  friend auto operator<=>(const MetricKey&, const MetricKey&) = default;
};

struct SeriesKey {
  std::string name;
  std::string asset;
  friend auto operator<=>(const SeriesKey&, const SeriesKey&) = default;
};

// What read_results keeps in memory (a study's values take about 110 bytes each).
struct Selection {
  std::optional<std::set<std::string>> cohorts;  // nullopt: every cohort
  std::optional<std::set<std::string>> names;    // metrics and series; nullopt: every one
};

struct Results {
  std::string path;
  Selection selection;                       // what was read
  std::map<std::string, std::string> study;  // key -> value
  std::int64_t runs_per_point = 0;
  std::vector<Point> points;      // by index; only points whose runs are complete
  std::vector<Point> incomplete;  // points with fewer than runs_per_point runs (left out)
  std::map<std::string, MetricInfo> metrics;
  // Every cohort a metric row names ('' the whole run's), every asset, and every series name,
  // read or not.
  std::set<std::string> cohorts;
  std::set<std::string> assets;
  std::set<std::string> series_names;
  // values[key][point position in `points`][run] (every complete point has every run; a run
  // without a value of the key is simply absent from its map).
  std::map<MetricKey, std::vector<std::map<std::int64_t, Value>>> values;
  // series[key][point position][t] -> run -> value (exact integers).
  std::map<SeriesKey, std::vector<std::map<std::string, std::map<std::int64_t, BigInt>>>> series;
};

// Reads and checks `path`: every row is checked, and the values `only` selects are kept. Throws
// UsageError (exit 2) for a missing file, a file of another program or another version, an empty
// results file (no complete point), or a malformed row (naming the table, the row's key and the
// field).
Results read_results(const std::string& path, const Selection& only = {});

// The position in `points` of the point `spec` names: its index ("0", "3"), else its label
// exactly, else its short label as the table and charts show it (point_names.h). Throws UsageError
// listing the points when none matches, and when two labels do, in the words of `option`, the
// command-line option that named it ("--contrast's C": which of the four, helper-76's F10).
std::size_t find_point(const Results& results, const std::string& spec,
                       std::string_view option = "--baseline");

}  // namespace yl::compare
