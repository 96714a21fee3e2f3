// A study (issue #11): a base scenario (SPEC §1.1, passed through as TOML), a population model,
// per-source rate and slashing models, and an optional [sweep] of parameters. One study and one
// seed give one events file; a sweep gives points × runs of them. The format is documented in the
// README ("Policy lab") and in examples/lab/.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "engine/input/scenario.h"

namespace yl::lab {

// Log-normal deposit sizes in an asset's units: exp(ln(median) + spread · N(0, 1)).
struct DepositModel {
  double median_units = 1;
  double spread = 1;
};

struct Population {
  std::int64_t users = 100;
  std::int64_t dapps = 0;
  std::int64_t arrival_s = 0;  // accounts open uniformly over [start, start + arrival]
  std::array<double, 3> mode_weights{1, 0, 0};      // AUTOMATIC, VOID, CLAIMABLE
  std::array<double, 4> asset_weights{1, 0, 0, 0};  // L1 ETH, USDC, USDT, DAI
  DepositModel eth{1, 1};
  DepositModel usd{1000, 1};
  double transfers_per_day = 0;
  double withdrawals_per_day = 0;
  double claims_per_day = 0;
  double gas_per_day = 0;
  double gas_fee_eth = 0.0001;  // median, log-normal with spread 0.5
  double churn_per_year = 0;
  std::int64_t dapp_claim_every_s = 7 * 86400;
};

enum class StrategyKind : std::uint8_t { passive, churner, sniper, whale, claimer };
std::string_view strategy_name(StrategyKind kind);

struct Strategy {
  StrategyKind kind = StrategyKind::passive;
  double share = 1;
  // sniper
  bool via_configure = false;  // "configure": hold VOID, switch to AUTOMATIC; else deposit/withdraw
  std::int64_t lead_s = 60;
  std::int64_t lag_s = 60;
  std::int64_t every = 1;  // every Nth scheduled report
  // whale
  double size = 100;  // × the drawn deposit
  // claimer
  std::int64_t claim_every_s = 7 * 86400;
  // churner: mean seconds in and out (exponential)
  std::int64_t stay_s = 10 * 86400;
  std::int64_t away_s = 5 * 86400;
};

// A file by what it is, not how it was named: "x.csv" from the study's folder and its absolute
// path are one schedule (their rows were hashed twice or once as the study was named, so a resumed
// sweep or a merge was refused for a path typed otherwise: helper-54's R7). Symlinks followed; a
// path that names no file is itself.
std::filesystem::path file_identity(const std::filesystem::path& path);

// A schedule file's rows, by its file_identity: each row's time, apr_bps and line in the file (an
// error of the row names it: helper-70's F4).
struct ScheduleRow {
  Timestamp time;
  std::uint32_t apr_bps = 0;
  std::uint64_t line = 0;
  friend bool operator==(const ScheduleRow&, const ScheduleRow&) = default;
};
using Schedule = std::vector<ScheduleRow>;
using Schedules = std::map<std::filesystem::path, std::shared_ptr<const Schedule>>;

enum class RateModel : std::uint8_t { constant, schedule, walk };

struct SourceModel {
  std::string name;  // a [[scenario.source]]'s name
  RateModel rate = RateModel::constant;
  // time, apr_bps: rate = schedule's rows, shared by every point's study that reads the file
  std::shared_ptr<const Schedule> schedule;
  std::filesystem::path schedule_path;  // where it was read, if any
  double mean_bps = 0;
  double reversion = 1;       // per year
  double volatility_bps = 0;  // per sqrt(year)
  double min_bps = 0;
  double max_bps = 100'000;
  std::int64_t step_s = 86400;
  double slashes_per_year = 0;         // Poisson arrivals
  std::int64_t slash_min_ppm = 1000;   // a loss is this fraction (ppm) of a lower bound of the
  std::int64_t slash_max_ppm = 10000;  // source's value, drawn uniformly between min and max
};

// One axis of a sweep: one key (product), several keys moving together (zip), or the points
// listed one by one ([[sweep.points]]), where a point may leave a key out.
struct Axis {
  std::vector<std::string> keys;
  std::vector<std::uint64_t> lines;  // where each key is listed (first given, for points)
  // Product and zip: values[key][i], as written; every key has a value at every point.
  std::vector<toml::array> values;
  // [[sweep.points]]: each point's table, the values it gives (by key index, increasing) and
  // where. A key a point leaves out keeps the study's value, or its absence. Held as written, so
  // that the memory is the file's, whatever the keys and points.
  struct Listed {
    std::uint64_t line = 0;         // the table's
    std::vector<std::size_t> keys;  // indexes into Axis::keys
    std::vector<std::uint64_t> lines;
    toml::array values;
  };
  std::vector<Listed> listed;

  std::size_t size() const { return listed.empty() ? values.front().size() : listed.size(); }
  // Calls f(key index, value, line) for each value point i gives, in key order.
  template <class F>
  void each(std::size_t i, F&& f) const {
    if (listed.empty()) {
      for (std::size_t k = 0; k < keys.size(); ++k) f(k, *values[k].get(i), lines[k]);
      return;
    }
    const Listed& point = listed[i];
    for (std::size_t j = 0; j < point.keys.size(); ++j) {
      f(point.keys[j], *point.values.get(j), point.lines[j]);
    }
  }
};

// The most points a sweep may have, and points × runs.
inline constexpr std::int64_t kMaxPoints = 10'000;
inline constexpr std::int64_t kMaxSweepRuns = 10'000'000;
// The most events a run's population may generate: a run is held in memory while it is made
// (128 bytes an event, twice while sorted: about 2.6 GB at the bound, which a sweep's worker keeps
// for its next run: GeneratorMemory). Without it, claim_every = "1s" grew past 12 GB with no end.
inline constexpr std::size_t kMaxRunEvents = 10'000'000;
// The most samples a run's series may take ((end − start) / series_every): hourly over two
// years. A run holds its series in memory, about 8 rows a sample; "1s" over a quarter ran out of
// memory (bad_alloc, exit 1).
inline constexpr std::int64_t kMaxSeriesSamples = 20'000;
// The longest duration a study may give (100 years of 365 days): longer ones overflowed the
// generator's time steps (bad_alloc, or minutes of CPU a run).
inline constexpr std::int64_t kMaxStudyDuration = 100LL * 365 * 86400;

struct Sweep {
  std::int64_t runs = 1;
  std::string series_every;  // "" or a duration like 7d
  std::int64_t series_every_s = 0;
  std::uint64_t series_every_line = 0;
  std::vector<Axis> axes;   // product keys in file order, then the zip group, then the points
  std::int64_t points = 1;  // the product of the axes' lengths, at most kMaxPoints
  std::uint64_t line = 1;
};

struct Study {
  std::string file;           // as given, for messages
  std::filesystem::path dir;  // relative paths resolve here
  std::string text;           // the file's bytes
  std::string spec_hash;      // hex SHA-256 of `text`, then the rows of each schedule it reads
  // Every schedule file the study or a point reads, once each (a point's study: empty).
  std::vector<std::filesystem::path> schedule_paths;
  // Their rows, read once when the study is read: a point's study takes them from here, so every
  // run uses the rows spec_hash was made of, and a sweep of 10,000 points reads a file once, not
  // twice a point (helper-44's F20). Shared by the points' studies.
  std::shared_ptr<const Schedules> schedules;
  std::string name;
  std::uint64_t seed = 0;
  toml::table root;           // the whole study, for substitution
  Scenario scenario;          // the [scenario] table, checked by the ordinary loader
  std::string scenario_toml;  // what `generate` writes as scenario.toml (events.csv)
  Population population;
  std::vector<Strategy> strategies;
  std::vector<SourceModel> sources;
  Sweep sweep;
};

// Reads and checks a study file (at most 1 MiB; a schedule file at most 16 MiB). Throws
// InputError (FILE:LINE: study|scenario|sweep|csv: reason).
Study load_study(const std::string& path);
Study parse_study(const std::string& text, const std::string& file,
                  const std::filesystem::path& dir);

// One point of a sweep: an assignment of a value to each swept key.
struct Point {
  std::int64_t index = 0;
  std::string label;   // "k=v, k=v"
  std::string params;  // JSON object: key -> value as written in TOML
  struct Assignment {
    std::string key;
    const toml::node* value = nullptr;
    std::uint64_t line = 0;  // where the study file gives it
  };
  std::vector<Assignment> assignments;
  std::uint64_t line = 0;  // its [[sweep.points]] table's, if it has one
};

// The points in expansion order (the first axis varies slowest). One point when nothing is swept.
std::vector<Point> expand_points(const Study& study);
// The study with `point`'s values substituted, checked like a file. Throws InputError naming the
// point and the rule it breaks.
Study study_at(const Study& study, const Point& point);

// Hex SHA-256 of `bytes` (OpenSSL), the study's spec_hash and the tests' pinned hashes.
std::string sha256_hex(std::string_view bytes);

// The seed of run `run` of every point: from the study seed and the run (common random numbers).
// Each user, dapp and source draws from its own stream of it (generator.h), and a user's strategy,
// mode and asset are one uniform draw each, so run k of two points draws alike (the same users,
// arrivals, size draws and rate and slash draws) and differs by what the points change (README
// "Seeds"), and compare pairs them (lab version 5; before, a point that changed more than policy
// or gas keys had runs of its own, and a strategy counterfactual could not be paired: helper-62's
// F1).
std::uint64_t run_seed(const Study& study, std::int64_t run);

}  // namespace yl::lab
