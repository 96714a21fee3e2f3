// yl_lab_bench: the policy lab's throughput (issue #11; run on demand, never in CI).
//
//   build/bench/yl_lab_bench [--study examples/lab/bench.toml] [--jobs 2] [--runs R]
//                            [--baseline-runs B] [--dir DIR]
//
// In one process, on the same study: (1) the generator alone over a few runs (its share of a
// run's time); (2) a sweep of the first B runs of every point with 1 job, the baseline; (3) the
// whole sweep (or its first R runs per point) with --jobs N. Prints total time, runs/s, events/s,
// the parallel efficiency (runs/s with N jobs ÷ (N × runs/s with 1)), and the peak resident
// memory of the process (getrusage), which stays bounded whatever the number of runs.
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <sys/resource.h>

#include "engine/lab/generator.h"
#include "engine/lab/study.h"
#include "engine/lab/sweep.h"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

yl::lab::SweepSummary sweep(yl::lab::Study study, std::int64_t runs, int jobs,
                            const std::string& db) {
  std::filesystem::remove(db);
  study.sweep.runs = runs;
  yl::lab::SweepOptions options;
  options.results = db;
  options.jobs = jobs;
  return yl::lab::run_sweep(study, options);
}

}  // namespace

int main(int argc, char** argv) {
  std::string study_path = std::string(YL_SOURCE_DIR) + "/examples/lab/bench.toml";
  std::string dir = std::filesystem::temp_directory_path().string() + "/yl_lab_bench";
  int jobs = 2;
  std::int64_t runs = 0, baseline_runs = 20;
  // As yl_bench: flags come in pairs, and anything else (--help among them) is the usage, exit 2;
  // an unknown flag was skipped, and the whole benchmark ran (helper-93's F5).
  const auto usage = [] {
    fmt::print(stderr, "usage: yl_lab_bench [--study STUDY.toml] [--jobs N] [--runs R] "
                       "[--baseline-runs B] [--dir DIR]\n");
    return 2;
  };
  if (argc % 2 == 0) return usage();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    try {
      if (flag == "--study")
        study_path = value;
      else if (flag == "--dir")
        dir = value;
      else if (flag == "--jobs")
        jobs = std::stoi(value);
      else if (flag == "--runs")
        runs = std::stoll(value);
      else if (flag == "--baseline-runs")
        baseline_runs = std::stoll(value);
      else
        return usage();
    } catch (const std::logic_error&) {  // stoi and stoll: not a number, or out of range
      return usage();
    }
  }
  std::filesystem::create_directories(dir);
  const yl::lab::Study study = yl::lab::load_study(study_path);
  if (runs == 0) runs = study.sweep.runs;
  const auto points = yl::lab::expand_points(study);
  fmt::print("study '{}': {} points × {} runs, {} accounts per run\n", study.name, points.size(),
             runs, study.population.users + study.population.dapps);

  auto t0 = Clock::now();
  std::size_t events = 0;
  constexpr int kGenerated = 5;
  for (int r = 0; r < kGenerated; ++r) {
    events += yl::lab::generate(study, yl::lab::run_seed(study, r)).events.size();
  }
  const double generate_s = since(t0) / kGenerated;
  fmt::print("generator alone: {:.3f} s a run, {} events a run\n", generate_s, events / kGenerated);

  const auto one = sweep(study, baseline_runs, 1, dir + "/one.db");
  const double one_rate = static_cast<double>(one.done) / one.seconds;
  fmt::print("1 job,  {} runs: {:.1f} s, {:.2f} runs/s, {:.0f} events/s\n", one.done, one.seconds,
             one_rate, static_cast<double>(one.events) / one.seconds);

  const auto many = sweep(study, runs, jobs, dir + "/many.db");
  const double many_rate = static_cast<double>(many.done) / many.seconds;
  fmt::print("{} jobs, {} runs: {:.1f} s, {:.2f} runs/s, {:.0f} events/s\n", jobs, many.done,
             many.seconds, many_rate, static_cast<double>(many.events) / many.seconds);
  fmt::print("parallel efficiency: {:.2f} (runs/s with {} jobs ÷ ({} × runs/s with 1))\n",
             many_rate / (jobs * one_rate), jobs, jobs);
  fmt::print("generator's share of the work: {:.0f}% (generate {:.1f} s, simulate {:.1f} s, "
             "summed over threads)\n",
             100 * many.generate_seconds / (many.generate_seconds + many.simulate_seconds),
             many.generate_seconds, many.simulate_seconds);
  fmt::print("peak resident memory: {} MB\n", peak_rss_mb());
  std::filesystem::remove_all(dir);
  return 0;
}
