// The identity of a sweep's results file (RESULTS.db; the format is
// schema/results/RESULTS_SCHEMA.md, the schema schema/results/0001_results.sql) and its integer
// text: one definition for its writer (engine/lab, `sweep` and `merge`) and its reader
// (engine/compare).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/storage/database.h"

namespace yl::storage {

// 0x594C5442, "YLTB" (meant to spell "YLRB"; kept, so that every results file opens).
inline constexpr std::int32_t kResultsApplicationId = 1498174530;
// The version written. 2 added the `study` row `lab` (engine/lab/metrics.h, kLabVersion): a
// yieldledger that reads only version 1 refuses a file of version 2 whole, where it would have
// resumed it with runs of another lab version (helper-49's F9). Version 1 is read too.
inline constexpr std::int32_t kResultsVersion = 2;
inline constexpr std::int32_t kOldestResultsVersion = 1;

// Why the file open in `db` (at `path`) is not a results file this yieldledger reads, or nullopt
// when it is one. Reads two pragmas, writes nothing.
struct NotResults {
  enum class Kind { ledger, other_file, other_version } kind;
  std::string message;  // names the file: "'PATH' is a yieldledger ledger, not ..."
};
std::optional<NotResults> check_results_identity(Database& db, const std::string& path);

// The format's integer text (value_int, RESULTS_SCHEMA.md): a signed decimal integer of at most
// kMaxIntegerDigits digits, no leading zeros, no '+', no "-0". One rule for compare's reader and
// merge's check of a shard, which asks it in SQL as yl_integer_text(x) (1 or 0; 0 for NULL) once
// register_integer_text(db) is called. No metric comes near the bound (capital_time_wei_s, the
// largest, is below 2^256 wei × 10^12 s, 90 digits); past about 154 digits a value's square is no
// double, and compare's standard deviation failed as an internal error (helper-70's F1).
inline constexpr std::size_t kMaxIntegerDigits = 100;
bool is_integer_text(std::string_view text);
// A run's seed (runs.seed): integer text from 0 to 2^64 − 1 (yl_seed_text(x) in SQL). Another
// seed made no pair without a word (helper-70's F3).
bool is_seed_text(std::string_view text);
void register_integer_text(Database& db);
// The study's `runs` (runs per point) as compare and merge read it: integer text from 1 to
// 999,999,999, or nullopt.
std::optional<std::int64_t> runs_count(std::string_view text);
// The first `runs` row of a point not in `points`, or with a run outside 0 to `runs` − 1, as
// (point, run); nullopt when there is none.
std::optional<std::pair<std::int64_t, std::int64_t>> run_outside(Database& db, std::int64_t runs);

// A bad `metrics` row as merge's check of a shard and compare's reader name it:
// "metrics (point P, run R, 'NAME', cohort 'C', asset 'A')", and why it is refused; the file's
// texts quoted by input/input_error.h's bounded() (a NUL ended the message there: helper-70's F2).
std::string metric_row(std::int64_t point, std::int64_t run, std::string_view name,
                       std::string_view cohort, std::string_view asset);
inline constexpr std::string_view kNotInMetricInfo = "the metric is not in metric_info";
inline constexpr std::string_view kBadRealMetric =
    "a 'real' metric needs a finite value_real and no value_int";
std::string bad_int_metric(std::string_view value_int);
std::string bad_seed(std::string_view seed);  // "seed '…' is not a seed (…)"
// A bad `series` row as both name it: "series (point P, run R, t T, 'NAME')", and why.
std::string series_row(std::int64_t point, std::int64_t run, std::string_view t,
                       std::string_view name);
std::string bad_series_value(std::string_view value_int);

}  // namespace yl::storage
