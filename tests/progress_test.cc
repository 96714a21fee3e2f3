// The progress bar's line (cli/progress.h): what is done, the rate and the time left.
#include "cli/progress.h"

#include <doctest/doctest.h>

TEST_CASE("Progress: a known total shows a bar, the percent, the rate and the time left") {
  CHECK(yl::cli::progress_line("replaying events", 250000, "events", 0.25, 2.0) ==
        "replaying events  [######------------------]  25%  250,000 events  125,000/s  6 s left");
  CHECK(yl::cli::progress_line("running", 1234567, "events", 0.5, 150.0) ==
        "running  [############------------]  50%  1,234,567 events  8,230/s  2 min 30 s left");
}

TEST_CASE("Progress: an unknown total shows the count and the rate only") {
  CHECK(yl::cli::progress_line("running", 999, "events", std::nullopt, 0.5) ==
        "running  999 events  1,998/s");
  // Nothing counted: the phase alone (a workbook's compression, helper-85's F8: "finishing the
  // output  0 tables  0/s" for 9.5 s).
  CHECK(yl::cli::progress_line("finishing the output", 0, "tables", std::nullopt, 9.2) ==
        "finishing the output");
}

TEST_CASE("Progress: a phase just begun shows no rate nor time left") {
  // helper-85's F8: "writing events  0%  1 events  0/s  1 h 24 min left", the rate of the
  // phase's first event over the command's whole time.
  CHECK(yl::cli::progress_line("writing events", 1, "events", 1e-6, 0.001) ==
        "writing events  [------------------------]   0%  1 events");
  CHECK(yl::cli::progress_line("writing events", 600000, "events", 0.6, 0.5) ==
        "writing events  [##############----------]  60%  600,000 events  1,200,000/s  1 s left");
}

TEST_CASE("Progress: a bar that is not enabled never draws") {
  yl::cli::ProgressBar bar(/*enabled=*/false);
  bar.update("running", 1, "events", 0.5);  // would write to stderr if enabled; nothing to see
  bar.clear();
  CHECK(yl::cli::progress_line("x", 10, "rows", 1.0, 1.0) ==
        "x  [########################] 100%  10 rows  10/s");
}

TEST_CASE(
    "Progress: the first phase counts from the command's start, a later from the last update") {
  // helper-88's F1: a sweep's first update comes after its first run; counted from that update,
  // "12%  2 runs  1/s  8 s left" was half the time left.
  using namespace std::chrono_literals;
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  const auto t0 = yl::cli::ProgressBar::Clock::time_point{} + 1h;
  {
    yl::cli::ProgressBar bar(/*enabled=*/true, out, t0);
    bar.update_at(t0 + 500ms, "sweeping", 1, "runs", 1.0 / 16);  // within the first second: quiet
    bar.update_at(t0 + 2s, "sweeping", 2, "runs", 2.0 / 16);
    bar.update_at(t0 + 4s, "merging", 4, "rows", 0.5);  // counted from t0 + 2 s
  }
  std::rewind(out);
  std::string drawn(4096, '\0');
  drawn.resize(std::fread(drawn.data(), 1, drawn.size(), out));
  std::fclose(out);
  CHECK(drawn == "\rsweeping  [###---------------------]  12%  2 runs  1/s  14 s left\033[K"
                 "\rmerging  [############------------]  50%  4 rows  2/s  2 s left\033[K\r\033[K");
}
