// `yieldledger sweep STUDY.toml --out RESULTS.db [--jobs N] [--task I/N]` (issue #11).
// Without --task, the slice comes from a scheduler's environment when there is one:
// SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN, divided by SLURM_ARRAY_TASK_STEP) of
// SLURM_ARRAY_TASK_COUNT; Kubernetes' JOB_COMPLETION_INDEX or AWS Batch's
// AWS_BATCH_JOB_ARRAY_INDEX, of --task-count.
#include <cstdlib>
#include <optional>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/integer_option.h"
#include "cli/progress.h"
#include "engine/input/input_error.h"
#include "engine/lab/sweep.h"
#include "engine/storage/storage_error.h"
#include "engine/usage_error.h"

namespace yl::cli {
namespace {

struct SweepOptions {
  std::string study;
  std::string out;
  int jobs = 1;
  std::optional<std::string> task;  // given, even as '' (refused: it ran the whole sweep)
  std::int64_t task_count = 0;
};

std::optional<std::int64_t> env_integer(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  const auto v = decimal<std::int64_t>(value);
  if (!v || *v < 0) throw UsageError(fmt::format("${} is not an index: '{}'", name, value));
  return v;
}

lab::TaskSlice parse_slice(std::int64_t index, std::int64_t count, const std::string& from) {
  if (count < 1) throw UsageError(fmt::format("{}: the task count must be at least 1", from));
  if (index < 0 || index >= count) {
    throw UsageError(fmt::format("{}: task {} is out of range 0..{}", from, index, count - 1));
  }
  return {index, count};
}

lab::TaskSlice resolve_slice(const SweepOptions& options) {
  // Without its index, N pods of a Job given --task-count N would each run the whole sweep.
  if (options.task_count > 0 && options.task) {
    throw UsageError("--task-count goes with $JOB_COMPLETION_INDEX or $AWS_BATCH_JOB_ARRAY_INDEX, "
                     "not with --task, which gives the count itself");
  }
  // Set but empty is not set: with --task-count N, it ran the whole sweep in each of N tasks
  // (helper-36's F6). Without it, an empty variable is no task of anything.
  const auto given = [](const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0';
  };
  if (options.task_count > 0 && !given("JOB_COMPLETION_INDEX") &&
      !given("AWS_BATCH_JOB_ARRAY_INDEX")) {
    throw UsageError(fmt::format("--task-count {} goes with $JOB_COMPLETION_INDEX or "
                                 "$AWS_BATCH_JOB_ARRAY_INDEX, and neither is set: each task would "
                                 "run the whole sweep; give its slice as --task I/{}",
                                 options.task_count, options.task_count));
  }
  if (options.task) {
    const std::string_view task = *options.task;
    const auto slash = task.find('/');
    const auto i = decimal<std::int64_t>(task.substr(0, slash));
    const auto n = slash == std::string_view::npos ? std::nullopt
                                                   : decimal<std::int64_t>(task.substr(slash + 1));
    if (!i || !n) {
      throw UsageError(fmt::format("--task must be I/N with 0 <= I < N (got '{}')", *options.task));
    }
    return parse_slice(*i, *n, "--task " + *options.task);
  }
  if (const auto id = env_integer("SLURM_ARRAY_TASK_ID")) {
    const auto count = env_integer("SLURM_ARRAY_TASK_COUNT");
    if (!count) throw UsageError("$SLURM_ARRAY_TASK_ID is set but $SLURM_ARRAY_TASK_COUNT is not");
    const std::int64_t min = env_integer("SLURM_ARRAY_TASK_MIN").value_or(0);
    // --array=0-12:4 numbers its tasks 0, 4, 8 and 12 (it was refused: task 4 out of range 0..3,
    // helper-44's F18). A list (--array=1,3,5) has no step to go by: use --task I/N.
    const std::int64_t step = env_integer("SLURM_ARRAY_TASK_STEP").value_or(1);
    if (step < 1 || (*id - min) % step != 0) {
      throw UsageError(
          fmt::format("$SLURM_ARRAY_TASK_ID {} is not $SLURM_ARRAY_TASK_MIN {} plus a multiple of "
                      "$SLURM_ARRAY_TASK_STEP {}: give each task its slice as --task I/N instead",
                      *id, min, step));
    }
    // The task is (ID − MIN) / STEP: a message of "task -4" named ID alone (helper-70's F12).
    return parse_slice(
        (*id - min) / step, *count,
        min == 0 && step == 1
            ? std::string("$SLURM_ARRAY_TASK_ID")
            : fmt::format("$SLURM_ARRAY_TASK_ID {} less $SLURM_ARRAY_TASK_MIN {}{}", *id, min,
                          step == 1 ? "" : fmt::format(", over $SLURM_ARRAY_TASK_STEP {}", step)));
  }
  for (const char* name : {"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"}) {
    if (const auto index = env_integer(name)) {
      if (options.task_count < 1) {
        throw UsageError(
            fmt::format("${} is set: give the number of tasks with --task-count", name));
      }
      return parse_slice(*index, options.task_count, fmt::format("${}", name));
    }
  }
  return {0, 1};
}

void sweep(const SweepOptions& options) {
  const lab::TaskSlice slice = resolve_slice(options);
  const lab::Study study = lab::load_study(options.study);
  ProgressBar bar(ProgressBar::stderr_is_terminal());
  lab::SweepOptions sweep_options;
  sweep_options.results = options.out;
  sweep_options.jobs = options.jobs;
  sweep_options.task = slice;
  sweep_options.on_progress = [&](std::int64_t done, std::int64_t total) {
    bar.update("sweeping", done, "runs",
               fraction_of(static_cast<std::uint64_t>(done), static_cast<std::uint64_t>(total)));
  };
  lab::SweepSummary s;
  try {
    s = lab::run_sweep(study, sweep_options);
  } catch (const storage::StorageError& error) {
    if (error.kind() != storage::StorageError::Kind::machine) throw;
    // Runs are committed about twice a second: those are kept, and a sweep again resumes.
    throw storage::StorageError(
        error.kind(), fmt::format("{}; the runs committed before it are kept: the same sweep "
                                  "again goes on from them",
                                  error.what()));
  }
  bar.clear();
  const std::string task =
      slice.count > 1 ? fmt::format(" (task {}/{})", slice.index, slice.count) : "";
  fmt::print("swept '{}'{}: {} points × {} runs; {} runs in this slice, {} already stored, {} run "
             "now ({} events) in {:.1f} s; results in {}\n",
             escape_controls(study.name), task, s.points, study.sweep.runs, s.runs_in_slice,
             s.skipped, s.done, s.events, s.seconds, escape_controls(options.out));
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* command = app.add_subcommand(
      "sweep", "Run every point × run of a study in memory and store the metrics (resumable)");
  command->add_option("study", options->study, "the study TOML file")
      ->required()
      ->check(file_named())
      ->type_name("FILE");
  command->add_option("--out", options->out, "the results SQLite file (created, or resumed)")
      ->check(not_standard_output())
      ->required();
  command->add_option("--jobs", options->jobs, "runs simulated at once (default 1)")
      ->transform(integer_check<int>(1));
  command->add_option("--task", options->task,
                      "I/N: run only the I-th of N disjoint slices (without it, a Slurm array "
                      "task's: from $SLURM_ARRAY_TASK_ID, _MIN, _STEP and _COUNT)");
  command
      ->add_option("--task-count", options->task_count,
                   "N, with $JOB_COMPLETION_INDEX or $AWS_BATCH_JOB_ARRAY_INDEX as I")
      ->transform(integer_check<std::int64_t>(1));
  // What the results file holds, where a user looks first (helper-75's F9).
  command->footer("The metrics stored, by cohort and asset, are listed in README \"Metrics\" and "
                  "in the results file's metric_info table (name, kind, unit, description); "
                  "`yieldledger compare RESULTS.db` compares the points.");
  command->callback([options] { sweep(*options); });
}

}  // namespace yl::cli
