#!/usr/bin/env bash
# Makes the README's pictures of the HTML reports, after checking them in the browser
# (scripts/browser_test.sh): examples/reports/export.png (the blast-launch export) and
# examples/reports/compare.png (the comparison of tests/data/results_small.sql), the top of each
# page in headless Chromium, 1100 px wide. Run after a build (build/ by default).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/browser_test.sh "$build" "$work" >/dev/null 2>&1 || {
  echo "report_screenshots: the reports fail scripts/browser_test.sh; fix them first" >&2
  exit 1
}
mkdir -p examples/reports
shoot() {  # PAGE HEIGHT
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$work/profile-$1" --virtual-time-budget=10000 --window-size="1100,$2" \
    --screenshot="examples/reports/$1.png" "file://$work/$1.html" >/dev/null 2>&1
  echo "wrote examples/reports/$1.png ($(stat -c %s "examples/reports/$1.png") bytes)"
}
shoot export 1500
shoot compare 1500
