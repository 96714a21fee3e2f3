// Fuzz target: the lab's study loader on arbitrary text, then what a sweep does with a study it
// accepts. Loading must succeed or throw InputError; a study that loads must expand into the
// points it counted, each point must load or throw InputError naming the rule it breaks, and a
// loaded point must generate (or throw UsageError past kMaxEvents events here; past kMaxReports
// report times it is not run, so that an input cannot be slow only by being big) and simulate
// without any other exception, assertion or sanitizer report. Schedule files are read beside
// examples/lab/study.toml (tbill_rates.csv).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/input/input_error.h"
#include "engine/lab/generator.h"
#include "engine/lab/metrics.h"
#include "engine/lab/study.h"
#include "engine/runner.h"
#include "engine/usage_error.h"

namespace {

constexpr std::size_t kMaxEvents = 20'000;
constexpr std::int64_t kMaxReports = 20'000;  // scheduled report times a run, likewise

void run_point(const yl::lab::Study& study, const yl::lab::Point& point) {
  yl::lab::Study at;
  try {
    at = yl::lab::study_at(study, point);
  } catch (const yl::InputError&) {
    return;  // a point that breaks a rule: the sweep refuses it with that message
  }
  const yl::LedgerParams& p = at.scenario.params;
  if (yl::scheduled_report_count(p.start, p.end, p.report_every_s) > kMaxReports) return;
  yl::lab::Generated generated;
  try {
    generated = yl::lab::generate(at, yl::lab::run_seed(at, 0), kMaxEvents);
  } catch (const yl::UsageError&) {
    return;  // too many events for this target's bound (or the study's own)
  }
  // The generator's promise: events in time order.
  const bool in_order = std::is_sorted(
      generated.events.begin(), generated.events.end(),
      [](const yl::Event& a, const yl::Event& b) { return a.time.seconds < b.time.seconds; });
  if (!in_order) __builtin_trap();
  const yl::lab::RunMetrics metrics = yl::lab::simulate(at, generated, at.sweep.series_every_s);
  if (metrics.events < 0 || static_cast<std::size_t>(metrics.events) > generated.events.size()) {
    __builtin_trap();  // it applies each generated event at most once
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  yl::lab::Study study;
  try {
    study = yl::lab::parse_study(text, "fuzz.toml", YL_FUZZ_STUDY_DIR);
  } catch (const yl::InputError&) {
    return 0;
  }
  const std::vector<yl::lab::Point> points = yl::lab::expand_points(study);
  if (points.empty() || static_cast<std::int64_t>(points.size()) != study.sweep.points) {
    __builtin_trap();  // the loader counted the points it promises
  }
  run_point(study, points.front());
  if (points.size() > 1) run_point(study, points.back());
  return 0;
}
