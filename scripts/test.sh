#!/usr/bin/env bash
# Builds yieldledger and runs the whole test suite (doctest via CTest), then the same suite built
# with AddressSanitizer and UndefinedBehaviorSanitizer, and the tests of its threads built with
# ThreadSanitizer. `.ci/run` calls this.
#   YL_SANITIZERS=0 scripts/test.sh    skips the sanitizer pass (quicker, while developing)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh clang-format  # tidy checks the layout with it (scripts/tidy.sh, 7)
ctest --test-dir build --output-on-failure -j "$(nproc)"
scripts/full_stdout_check.sh
# The HTML reports in a real browser (headless Chromium): charts drawn, no script error.
scripts/browser_test.sh build
echo "== the lab's sweep on a one-node Slurm cluster (scripts/slurm_test.sh)"
scripts/slurm_test.sh build/cli/yieldledger

if [ "${YL_SANITIZERS:-1}" != 0 ]; then
  echo "== the suite again under ASan + UBSan (build-asan/)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DYL_SANITIZE=address,undefined \
        -DYL_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j "$(nproc)"
  # The million-event simulation runs in the plain build above; under ASan it would take minutes
  # and find nothing the 115k-event randomized test does not also cover.
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -E "^Simulation"
  # The two second threads (run's write-behind, audit's read-ahead), and the commands that start
  # them, under ThreadSanitizer: a data race fails the pass.
  echo "== the threaded parts under ThreadSanitizer (build-tsan/)"
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DYL_SANITIZE=thread \
        -DYL_BUILD_BENCH=OFF >/dev/null
  cmake --build build-tsan -j "$(nproc)" --target yl_tests
  TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/yl_tests -tc='ReadAhead*,WriteBehind*,audit*,replay*'
fi
