#include "engine/compare/results.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in <fmt/format.h> before fmt 11)

#include "engine/compare/point_names.h"
#include "engine/input/input_file.h"
#include "engine/storage/database.h"
#include "engine/storage/results_identity.h"
#include "engine/storage/storage_error.h"
#include "engine/usage_error.h"

namespace yl::compare {
namespace {

using storage::Database;
using storage::is_integer_text;
using storage::Statement;

class Reader {
 public:
  // Reads what out.selection selects.
  Reader(Database& db, Results& out) : db_(db), out_(out), only_(out.selection) {}

  void read() {
    read_study();
    read_points();
    read_metric_info();
    read_metrics();
    read_series();
  }

 private:
  [[noreturn]] void bad(const std::string& where, const std::string& reason) const {
    throw UsageError(fmt::format("{}: {}: {}", out_.path, where, reason));
  }

  void read_study() {
    Statement s = db_.prepare("SELECT key, value FROM study");
    while (s.step()) out_.study[s.column_text(0)] = s.column_text(1);
    const auto runs = out_.study.find("runs");
    if (runs == out_.study.end()) bad("study", "no 'runs' row");
    const auto count = storage::runs_count(runs->second);
    if (!count) bad("study 'runs'", fmt::format("'{}' is not a count of runs", runs->second));
    out_.runs_per_point = *count;
  }

  void read_points() {
    Statement s = db_.prepare(
        "SELECT p.point, p.label, p.params, (SELECT count(*) FROM runs r WHERE r.point = p.point) "
        "FROM points p ORDER BY p.point");
    while (s.step()) {
      Point p{s.column_int(0), s.column_text(1), s.column_text(2), s.column_int(3), {}};
      known_.insert(p.index);
      (p.runs == out_.runs_per_point ? out_.points : out_.incomplete).push_back(std::move(p));
    }
    if (const auto run = storage::run_outside(db_, out_.runs_per_point)) {
      bad(fmt::format("runs (point {}, run {})", run->first, run->second),
          fmt::format("no such point, or a run outside 0..{}", out_.runs_per_point - 1));
    }
    if (out_.points.empty()) {
      bad("runs", fmt::format("no point has all its {} runs: there is nothing to compare",
                              out_.runs_per_point));
    }
    for (std::size_t i = 0; i < out_.points.size(); ++i) position_[out_.points[i].index] = i;
    // A complete point has runs 0 .. runs_per_point − 1 (run_outside above), in order here.
    Statement seeds = db_.prepare("SELECT point, run, seed FROM runs ORDER BY point, run");
    while (seeds.step()) {
      std::string seed = seeds.column_text(2);
      if (!storage::is_seed_text(seed)) {
        bad(fmt::format("runs (point {}, run {})", seeds.column_int(0), seeds.column_int(1)),
            storage::bad_seed(seed));
      }
      const auto pos = position_.find(seeds.column_int(0));
      if (pos != position_.end()) out_.points[pos->second].seeds.push_back(std::move(seed));
    }
  }

  void read_metric_info() {
    Statement s = db_.prepare("SELECT name, kind, unit, description FROM metric_info");
    while (s.step()) {
      MetricInfo m{s.column_text(0), s.column_text(1) == "int", s.column_text(2), s.column_text(3)};
      if (!m.exact && s.column_text(1) != "real") {
        bad(fmt::format("metric_info '{}'", m.name),
            fmt::format("kind '{}' is neither 'int' nor 'real'", s.column_text(1)));
      }
      out_.metrics[m.name] = std::move(m);
    }
  }

  void read_metrics() {
    Statement s = db_.prepare(
        "SELECT point, run, name, cohort, asset, value_int, value_real IS NULL, "
        "printf('%!.17g', value_real) FROM metrics ORDER BY point, run, name, cohort, asset");
    while (s.step()) {
      const std::int64_t point = s.column_int(0);
      const std::int64_t run = s.column_int(1);
      MetricKey key{s.column_text(2), s.column_text(4), s.column_text(3)};
      const auto where = [&] {  // made only for a row refused
        return storage::metric_row(point, run, key.name, key.cohort, key.asset);
      };
      const auto info = out_.metrics.find(key.name);
      if (info == out_.metrics.end()) bad(where(), std::string(storage::kNotInMetricInfo));
      // A row of no point was left out without a word, where one of no run was refused
      // (helper-70's F8).
      if (!known_.contains(point)) bad(where(), "no such point");
      const auto pos = position_.find(point);
      if (pos == position_.end()) continue;  // an incomplete point: left out
      if (run < 0 || run >= out_.runs_per_point) bad(where(), "no such run");
      Value value;
      if (info->second.exact) {
        const std::string text = s.column_text(5);
        if (s.column_is_null(5) || s.column_int(6) == 0 || !is_integer_text(text)) {
          bad(where(), storage::bad_int_metric(text));
        }
        value = Value::of_int(BigInt(text));
      } else {
        // 17 significant digits: the double exactly (SQLite's printf round-trips doubles of
        // ordinary magnitude, checked from 1e-30 to 1e30).
        const std::string real = s.column_text(7);
        char* end = nullptr;
        const double parsed = std::strtod(real.c_str(), &end);
        if (s.column_int(6) == 1 || !s.column_is_null(5) || *end != '\0' ||
            !std::isfinite(parsed)) {
          bad(where(), std::string(storage::kBadRealMetric));
        }
        value = Value::of_real(parsed);
      }
      out_.cohorts.insert(key.cohort);
      if (!key.asset.empty()) out_.assets.insert(key.asset);
      if (only_.cohorts && !only_.cohorts->contains(key.cohort)) continue;
      if (only_.names && !only_.names->contains(key.name)) continue;
      auto& per_point = out_.values[key];
      per_point.resize(out_.points.size());
      per_point[pos->second][run] = std::move(value);
    }
  }

  void read_series() {
    Statement s = db_.prepare("SELECT point, run, t, asset, name, value_int FROM series");
    while (s.step()) {
      const std::int64_t point = s.column_int(0);
      const std::int64_t run = s.column_int(1);
      // Made only for a row refused (it cost 3% of reading a file of 1.5 M rows: helper-73's R12).
      const auto where = [&] {
        return storage::series_row(point, run, s.column_text(2), s.column_text(4));
      };
      if (!known_.contains(point)) bad(where(), "no such point");
      const auto pos = position_.find(point);
      if (pos == position_.end()) continue;
      const std::string text = s.column_text(5);
      if (!is_integer_text(text) || run < 0 || run >= out_.runs_per_point) {
        bad(where(), storage::bad_series_value(text) + ", or no such run");
      }
      std::string name = s.column_text(4);
      out_.series_names.insert(name);
      if (only_.names && !only_.names->contains(name)) continue;
      auto& per_point = out_.series[SeriesKey{std::move(name), s.column_text(3)}];
      per_point.resize(out_.points.size());
      per_point[pos->second][s.column_text(2)][run] = BigInt(text);
    }
  }

  Database& db_;
  Results& out_;
  const Selection& only_;
  std::map<std::int64_t, std::size_t> position_;  // point index -> position in out_.points
  std::set<std::int64_t> known_;                  // every point of `points`, complete or not
};

}  // namespace

Results read_results(const std::string& path, const Selection& only) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    const auto kind = special_file_kind(path);
    throw UsageError(kind ? fmt::format("results file '{}' is {}, not a file", path, *kind)
                          : fmt::format("results file '{}' not found", path));
  }
  Results results;
  results.path = path;
  results.selection = only;
  try {
    Database db(path, Database::Mode::read_only);
    if (const auto problem = storage::check_results_identity(db, path)) {
      using Kind = storage::NotResults::Kind;
      throw UsageError(problem->message +
                       (problem->kind == Kind::ledger ? "; to compare two ledgers, give both: "
                                                        "compare A.db B.db"
                        : problem->kind == Kind::other_file ? "; `sweep` writes results files"
                                                            : ""));
    }
    Reader(db, results).read();
  } catch (const storage::StorageError& error) {
    // A fault of the machine (a full disk, a file size limit) is not the file's: said as it is.
    if (error.kind() == storage::StorageError::Kind::machine) throw;
    throw UsageError(
        fmt::format("'{}' is not a readable yieldledger results file: {}", path, error.what()));
  }
  return results;
}

std::size_t find_point(const Results& results, const std::string& spec, std::string_view option) {
  // An index first: it names one point, whatever the labels (helper-73's R2).
  for (std::size_t i = 0; i < results.points.size(); ++i) {
    if (std::to_string(results.points[i].index) == spec) return i;
  }
  std::vector<std::size_t> named;  // the complete points of label `spec`
  for (std::size_t i = 0; i < results.points.size(); ++i) {
    if (results.points[i].label == spec) named.push_back(i);
  }
  // Else its label as the table and the charts show it, short ("1000, true, 75, 0": helper-77's
  // F3 typed what it saw, and was told it named no point).
  if (named.empty()) {
    const std::vector<std::string> shown = point_names(results).label;
    for (std::size_t i = 0; i < shown.size(); ++i) {
      if (shown[i] == spec) named.push_back(i);
    }
  }
  // Two points of one label: the first was taken without a word (helper-70's F9).
  if (named.size() > 1) {
    std::vector<std::int64_t> indexes;
    for (const std::size_t i : named) indexes.push_back(results.points[i].index);
    throw UsageError(fmt::format("{} '{}' names points {} of '{}'; name one by its index", option,
                                 spec, fmt::join(indexes, ", "), results.path));
  }
  if (named.size() == 1) return named[0];
  std::vector<std::string> known;
  for (const Point& p : results.points) known.push_back(fmt::format("{} '{}'", p.index, p.label));
  for (const Point& p : results.incomplete) {
    if (std::to_string(p.index) == spec || p.label == spec) {
      throw UsageError(fmt::format(
          "{}, point {} '{}', has {} of {} runs in '{}' and is left out; sweep or merge its "
          "missing runs, or name a complete point as {}: {}",
          option == "--baseline" ? "the baseline" : option, p.index, p.label, p.runs,
          results.runs_per_point, results.path, option, fmt::join(known, ", ")));
    }
  }
  throw UsageError(fmt::format("{} '{}' names no point of '{}' (by index or label); its "
                               "complete points: {}",
                               option, spec, results.path, fmt::join(known, ", ")));
}

}  // namespace yl::compare
