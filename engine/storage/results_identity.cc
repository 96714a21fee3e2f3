#include "engine/storage/results_identity.h"

#include <algorithm>

#include <fmt/format.h>
#include <sqlite3.h>

#include "engine/input/input_error.h"
#include "engine/storage/migrations.h"
#include "engine/storage/storage_error.h"

namespace yl::storage {

std::optional<NotResults> check_results_identity(Database& db, const std::string& path) {
  const std::int64_t id = db.query_int("PRAGMA application_id");
  if (id == kApplicationId) {
    return NotResults{
        NotResults::Kind::ledger,
        fmt::format("'{}' is a yieldledger ledger, not a sweep's results file", path)};
  }
  if (id != kResultsApplicationId) {
    return NotResults{NotResults::Kind::other_file,
                      fmt::format("'{}' is not a yieldledger results file (application_id {}, "
                                  "not {})",
                                  path, id, kResultsApplicationId)};
  }
  const std::int64_t version = db.user_version();
  if (version < kOldestResultsVersion || version > kResultsVersion) {
    return NotResults{NotResults::Kind::other_version,
                      fmt::format("'{}' is a results file of version {}; this yieldledger reads "
                                  "versions {} to {}",
                                  path, version, kOldestResultsVersion, kResultsVersion)};
  }
  return std::nullopt;
}

bool is_integer_text(std::string_view text) {
  if (text == "0") return true;
  if (text.starts_with('-')) text.remove_prefix(1);
  return !text.empty() && text.size() <= kMaxIntegerDigits && text.front() != '0' &&
         std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

bool is_seed_text(std::string_view text) {
  constexpr std::string_view kMost = "18446744073709551615";  // 2^64 − 1
  return is_integer_text(text) && !text.starts_with('-') &&
         (text.size() < kMost.size() || (text.size() == kMost.size() && text <= kMost));
}

std::optional<std::int64_t> runs_count(std::string_view text) {
  if (!is_integer_text(text) || text.starts_with('-') || text == "0" || text.size() > 9) {
    return std::nullopt;
  }
  std::int64_t count = 0;
  for (const char c : text) count = count * 10 + (c - '0');
  return count;
}

std::optional<std::pair<std::int64_t, std::int64_t>> run_outside(Database& db, std::int64_t runs) {
  Statement s = db.prepare("SELECT point, run FROM runs WHERE run < 0 OR run >= ?1 OR point NOT IN "
                           "(SELECT point FROM points) LIMIT 1");
  s.bind(1, runs);
  if (!s.step()) return std::nullopt;
  return std::pair{s.column_int(0), s.column_int(1)};
}

namespace {

template <bool (*Rule)(std::string_view)>
void text_rule_function(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const bool holds =
      text != nullptr &&
      Rule(std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_int(context, holds ? 1 : 0);
}

}  // namespace

void register_integer_text(Database& db) {
  const auto add = [&](const char* name, void (*function)(sqlite3_context*, int, sqlite3_value**)) {
    if (sqlite3_create_function_v2(db.handle(), name, 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                                   function, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw StorageError(StorageError::Kind::internal,
                         fmt::format("cannot register {} with SQLite", name));
    }
  };
  add("yl_integer_text", text_rule_function<is_integer_text>);
  add("yl_seed_text", text_rule_function<is_seed_text>);
}

std::string metric_row(std::int64_t point, std::int64_t run, std::string_view name,
                       std::string_view cohort, std::string_view asset) {
  return fmt::format("metrics (point {}, run {}, '{}', cohort '{}', asset '{}')", point, run,
                     bounded(name, 80), bounded(cohort, 80), bounded(asset, 80));
}

std::string bad_int_metric(std::string_view value_int) {
  return fmt::format("an 'int' metric needs value_int, an integer of at most {} digits ('{}'), "
                     "and no value_real",
                     kMaxIntegerDigits, bounded(value_int, 120));
}

std::string series_row(std::int64_t point, std::int64_t run, std::string_view t,
                       std::string_view name) {
  return fmt::format("series (point {}, run {}, t {}, '{}')", point, run, bounded(t, 80),
                     bounded(name, 80));
}

std::string bad_series_value(std::string_view value_int) {
  return fmt::format("value_int '{}' is not an integer of at most {} digits",
                     bounded(value_int, 120), kMaxIntegerDigits);
}

std::string bad_seed(std::string_view seed) {
  return fmt::format("seed '{}' is not a seed (a decimal integer from 0 to 2^64 − 1)",
                     bounded(seed, 80));
}

}  // namespace yl::storage
