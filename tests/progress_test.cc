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
  CHECK(yl::cli::progress_line("running", 0, "events", std::nullopt, 0.0) == "running  0 events");
}

TEST_CASE("Progress: a bar that is not enabled never draws") {
  yl::cli::ProgressBar bar(/*enabled=*/false);
  bar.update("running", 1, "events", 0.5);  // would write to stderr if enabled; nothing to see
  bar.clear();
  CHECK(yl::cli::progress_line("x", 10, "rows", 1.0, 1.0) ==
        "x  [########################] 100%  10 rows  10/s");
}
