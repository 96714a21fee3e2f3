#include "engine/lab/sweep.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <latch>
#include <map>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "engine/lab/generator.h"
#include "engine/lab/metrics.h"
#include "engine/lab/results.h"
#include "engine/usage_error.h"

namespace yl::lab {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A run done, and its place in the sweep's order (its index in the to-do list).
struct Done {
  std::size_t order = 0;
  RunRecord record;
};

// A bounded queue from the workers to the one writer, so memory stays bounded whatever the
// number of runs.
class Queue {
 public:
  explicit Queue(std::size_t capacity) : capacity_(capacity) {}
  void push(Done record) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
    items_.push_back(std::move(record));
    not_empty_.notify_one();
  }
  // Waits for a record; nullopt once every producer has finished and the queue is empty.
  std::optional<Done> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || producers_ == 0; });
    if (items_.empty()) return std::nullopt;
    Done record = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return record;
  }
  void set_producers(int n) { producers_ = n; }
  void producer_done() {
    std::lock_guard lock(mutex_);
    --producers_;
    not_empty_.notify_all();
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Done> items_;
  std::size_t capacity_;
  int producers_ = 0;
  bool closed_ = false;
};

// How far the workers may run ahead of the writer, which stores runs in the sweep's order (so
// that a results file is byte for byte the same whatever --jobs): run i starts only once fewer
// than `capacity` runs before it are still unwritten, which bounds the runs held waiting.
class Window {
 public:
  explicit Window(std::size_t capacity) : capacity_(capacity) {}
  // Waits until run `order` may start; false once closed (the sweep is stopping).
  bool wait_for(std::size_t order) {
    std::unique_lock lock(mutex_);
    moved_.wait(lock, [&] { return order < written_ + capacity_ || closed_; });
    return !closed_;
  }
  void written() {
    std::lock_guard lock(mutex_);
    ++written_;
    moved_.notify_all();
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    moved_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable moved_;
  std::size_t capacity_;
  std::size_t written_ = 0;
  bool closed_ = false;
};

}  // namespace

SweepSummary run_sweep(const Study& study, const SweepOptions& options) {
  const auto started = Clock::now();
  const std::vector<Point> points = expand_points(study);
  std::vector<Study> studies;
  studies.reserve(points.size());
  for (const Point& point : points) studies.push_back(study_at(study, point));
  ResultsFile results(options.results, study, points);
  const auto stored = results.stored_runs();

  SweepSummary summary;
  summary.points = static_cast<std::int64_t>(points.size());
  std::vector<std::pair<std::int64_t, std::int64_t>> todo;
  const std::int64_t runs = study.sweep.runs;
  for (std::int64_t p = 0; p < summary.points; ++p) {
    for (std::int64_t r = 0; r < runs; ++r) {
      if ((p * runs + r) % options.task.count != options.task.index) continue;
      ++summary.runs_in_slice;
      if (stored.contains({p, r})) {
        ++summary.skipped;
      } else {
        todo.emplace_back(p, r);
      }
    }
  }

  const int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(todo.size())));
  Queue queue(static_cast<std::size_t>(2 * jobs));
  queue.set_producers(jobs);
  Window window(static_cast<std::size_t>(4 * jobs));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  std::atomic<std::int64_t> generate_ns{0}, simulate_ns{0};
  std::vector<std::thread> workers;
  // The workers start their runs only once all of them are started: a sweep that cannot start
  // them all has run nothing, and what ran out (threads, or memory for their stacks) is the
  // threads', not a worker's run allocating meanwhile (that was an "out of memory" at times, or a
  // std::bad_alloc from std::thread itself, uncaught: SIGABRT).
  std::latch all_started(1);
  bool released = false;  // all_started counted down (once: its count may not go below 0)
  auto release = [&] {
    if (!std::exchange(released, true)) all_started.count_down();
  };
  auto stop_workers = [&] {
    stop = true;
    queue.close();
    window.close();
    release();
    for (std::thread& t : workers) t.join();
  };
  auto work = [&] {
    all_started.wait();
    GeneratorMemory memory;  // this worker's, reused run after run
    try {
      for (std::size_t i; !stop && (i = next++) < todo.size() && window.wait_for(i);) {
        // Not a structured binding: clang 14 (Debian 12's, the fuzz build's) cannot capture one in
        // the lambda below.
        const std::int64_t p = todo[i].first;
        const std::int64_t r = todo[i].second;
        const auto up = static_cast<std::size_t>(p);
        RunRecord record{p, r, run_seed(study, r), {}};
        const auto t0 = Clock::now();
        const Generated& generated = [&]() -> const Generated& {
          try {
            return generate(studies[up], record.seed, memory, options.max_run_events);
          } catch (const UsageError& bound) {  // over the event bound: name the point and run
            throw UsageError(fmt::format(
                "{} (point {}{}, run {})", bound.what(), p,
                points[up].label.empty() ? "" : fmt::format(" ({})", points[up].label), r));
          }
        }();
        const auto t1 = Clock::now();
        record.metrics = simulate(studies[up], generated, study.sweep.series_every_s);
        const auto t2 = Clock::now();
        generate_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
        simulate_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(t2 - t1).count();
        queue.push({i, std::move(record)});
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      stop = true;
      window.close();  // the runs after this one wait for it no more
    }
    queue.producer_done();
  };
  workers.reserve(static_cast<std::size_t>(jobs));
  for (int w = 0; w < jobs; ++w) {
    // Out of threads or memory for their stacks: the ones started stop, nothing is lost.
    std::error_code why;
    try {
      workers.emplace_back(work);
      continue;
    } catch (const std::system_error& e) {
      why = e.code();
    } catch (const std::bad_alloc&) {
      why = std::make_error_code(std::errc::not_enough_memory);
    }
    stop_workers();
    throw std::system_error(why, fmt::format("cannot start worker {} of --jobs {} (the runs "
                                             "stored so far are kept); try fewer",
                                             w + 1, jobs));
  }
  release();
  // The one writer: commits about twice a second, so a kill loses at most that much work.
  auto committed = Clock::now();
  std::map<std::size_t, RunRecord> waiting;  // done, behind a run still running
  try {
    while (auto done = queue.pop()) {
      waiting.emplace(done->order, std::move(done->record));
      for (auto it = waiting.begin();
           it != waiting.end() && it->first == static_cast<std::size_t>(summary.done);
           it = waiting.erase(it)) {
        results.add(it->second);
        summary.events += it->second.metrics.events;
        ++summary.done;
        window.written();
      }
      if (since(committed) > 0.5) {
        results.commit();
        committed = Clock::now();
      }
      if (options.on_progress)
        options.on_progress(summary.done, static_cast<std::int64_t>(todo.size()));
    }
  } catch (...) {
    stop_workers();
    throw;
  }
  for (std::thread& t : workers) t.join();
  results.commit();  // the runs that finished before a worker failed are kept too
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const UsageError& bad) {
      // Found only as a run is generated (the event bound): what finished before it is kept, a
      // results file of this study that a sweep of it resumes.
      if (summary.done == 0) throw;
      throw UsageError(fmt::format("{}; the {} run(s) finished before it are stored in '{}'",
                                   bad.what(), summary.done, options.results));
    }
  }
  results.open();  // a slice with nothing to run still leaves its results file
  summary.seconds = since(started);
  summary.generate_seconds = static_cast<double>(generate_ns) / 1e9;
  summary.simulate_seconds = static_cast<double>(simulate_ns) / 1e9;
  return summary;
}

}  // namespace yl::lab
