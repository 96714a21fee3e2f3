// `yieldledger sweep` (issue #11): every point × run of a study, simulated in memory on N threads
// and reduced to metrics in a results file by one writer. Resumable: runs already stored are
// skipped, and each run is committed whole, so a sweep killed at any moment and started again
// ends with exactly the results of an uninterrupted one. A task slice I/N takes the runs whose
// ordinal (point × runs + run) is I modulo N: N slices are disjoint and cover every run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/lab/study.h"

namespace yl::lab {

struct TaskSlice {
  std::int64_t index = 0;
  std::int64_t count = 1;
};

struct SweepOptions {
  std::string results;
  int jobs = 1;
  TaskSlice task;
  std::size_t max_run_events = kMaxRunEvents;  // a run that would generate more is refused
  // Told after each stored run: runs done in this invocation, runs it has to do.
  std::function<void(std::int64_t done, std::int64_t total)> on_progress;
};

struct SweepSummary {
  std::int64_t points = 0;
  std::int64_t runs_in_slice = 0;
  std::int64_t skipped = 0;  // already stored
  std::int64_t done = 0;
  std::int64_t events = 0;
  double seconds = 0;
  double generate_seconds = 0;  // summed over threads
  double simulate_seconds = 0;
};

// Checks every point (before any run starts; InputError naming the point and the rule), opens or
// creates the results file (UsageError if it is not this study's), then runs what is missing.
SweepSummary run_sweep(const Study& study, const SweepOptions& options);

}  // namespace yl::lab
