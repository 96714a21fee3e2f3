// A progress bar on stderr for commands that take more than about a second (`run`, `export`):
// what is done of how much, the rate and the time left. Shown only when stderr is a terminal, so
// logs, pipes and tests never see it; the line is erased when the work ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace yl::cli {

// One line of the bar: "replaying events  [######------------------]  25%  250,000 events
// 125,000/s  6 s left". `fraction` is how much is done, when known; `unit` names what `done`
// counts; `elapsed_s` is the phase's own time (its rate and time left are of the phase alone).
// Nothing counted of an unknown total shows the phase alone ("finishing the output").
std::string progress_line(std::string_view phase, std::int64_t done, std::string_view unit,
                          std::optional<double> fraction, double elapsed_s);

// part / whole, or nothing when the whole is unknown (0).
std::optional<double> fraction_of(std::uint64_t part, std::uint64_t whole);

class ProgressBar {
 public:
  // Shows nothing unless `enabled` (the CLI passes: stderr is a terminal).
  using Clock = std::chrono::steady_clock;
  // Draws on `out` (stderr; a test's file), counting time from `started`.
  explicit ProgressBar(bool enabled, std::FILE* out = stderr,
                       Clock::time_point started = Clock::now());
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws at most ten times a second (at once when the phase changes), and only once a second
  // has passed since the start.
  void update(std::string_view phase, std::int64_t done, std::string_view unit,
              std::optional<double> fraction);
  // The same at `now` (for tests).
  void update_at(Clock::time_point now, std::string_view phase, std::int64_t done,
                 std::string_view unit, std::optional<double> fraction);
  // Erases the line, if one was drawn.
  void clear();

  static bool stderr_is_terminal();

 private:
  bool enabled_;
  std::FILE* out_;
  Clock::time_point started_;
  Clock::time_point drawn_;
  Clock::time_point phase_started_;
  Clock::time_point last_update_;
  std::string phase_;
  bool shown_ = false;
};

}  // namespace yl::cli
