#!/usr/bin/env bash
# Builds yieldledger and runs the whole test suite (doctest via CTest). `.ci/run` calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
