#include "cli/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

namespace yl::cli {
namespace {

constexpr double kQuietSeconds = 1.0;  // work shorter than this shows no bar
constexpr double kRedrawSeconds = 0.1;
// A phase younger than this shows no rate nor time left: one event in its first millisecond made
// "1 events 0/s 1 h 24 min left" (helper-85's F8).
constexpr double kRateSeconds = 0.5;
constexpr int kBarWidth = 24;

std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

std::string duration(double seconds) {
  const auto s = static_cast<std::int64_t>(std::ceil(seconds));
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {} s", s / 60, s % 60);
  return fmt::format("{} h {} min", s / 3600, (s % 3600) / 60);
}

}  // namespace

std::string progress_line(std::string_view phase, std::int64_t done, std::string_view unit,
                          std::optional<double> fraction, double elapsed_s) {
  std::string line(phase);
  if (fraction) {
    const double f = std::clamp(*fraction, 0.0, 1.0);
    const int filled = static_cast<int>(f * kBarWidth);
    line += fmt::format("  [{}{}] {:3d}%", std::string(static_cast<std::size_t>(filled), '#'),
                        std::string(static_cast<std::size_t>(kBarWidth - filled), '-'),
                        static_cast<int>(f * 100));
  }
  // A wait that counts nothing (a workbook compressed as it closes, which draws no more) is named
  // alone: its "0 tables  0/s" stood for seconds (helper-85's F8).
  if (!fraction && done == 0) return line;
  line += fmt::format("  {} {}", grouped(done), unit);
  if (elapsed_s < kRateSeconds) return line;
  line += fmt::format("  {}/s",
                      grouped(static_cast<std::int64_t>(static_cast<double>(done) / elapsed_s)));
  if (fraction && *fraction > 0 && *fraction < 1) {
    line += fmt::format("  {} left", duration(elapsed_s * (1 - *fraction) / *fraction));
  }
  return line;
}

std::optional<double> fraction_of(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

ProgressBar::ProgressBar(bool enabled, std::FILE* out, Clock::time_point started)
    : enabled_(enabled), out_(out), started_(started) {}

ProgressBar::~ProgressBar() { clear(); }

bool ProgressBar::stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

void ProgressBar::update(std::string_view phase, std::int64_t done, std::string_view unit,
                         std::optional<double> fraction) {
  update_at(Clock::now(), phase, done, unit, fraction);
}

void ProgressBar::update_at(Clock::time_point now, std::string_view phase, std::int64_t done,
                            std::string_view unit, std::optional<double> fraction) {
  if (!enabled_) return;
  // The first phase starts with the command, a later one where the one before it last
  // reported: a phase's first update comes after some of its work (a sweep's after its first run,
  // helper-88's F1), and its rate and time left are of its own time.
  const bool same_phase = phase == phase_;
  if (!same_phase) {
    phase_started_ = phase_.empty() ? started_ : last_update_;
    phase_ = phase;
  }
  last_update_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  if (elapsed < kQuietSeconds) return;
  if (shown_ && same_phase &&
      std::chrono::duration<double>(now - drawn_).count() < kRedrawSeconds) {
    return;
  }
  drawn_ = now;
  shown_ = true;
  // \r and erase-to-end-of-line redraw in place.
  const double in_phase = std::chrono::duration<double>(now - phase_started_).count();
  std::fprintf(out_, "\r%s\033[K", progress_line(phase, done, unit, fraction, in_phase).c_str());
  std::fflush(out_);
}

void ProgressBar::clear() {
  if (!shown_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  shown_ = false;
}

}  // namespace yl::cli
