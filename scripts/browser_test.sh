#!/usr/bin/env bash
# Opens each kind of HTML report in headless Chromium (Debian's `chromium`, installed if missing)
# and checks what the page's own script wrote on <body> once its charts were drawn
# (engine/html/report.h): no script error (data-errors="0"), every chart drawn with data ink
# (data-charts-drawn equals data-charts, no canvas with data-ink="0"), no axis's zero tick labelled
# other than "0" (data-noisy-ticks="0"), and no request refused by the page's
# Content-Security-Policy (it would mean the page tried the network). Then it takes a screenshot of
# each page.
#   scripts/browser_test.sh [BUILD_DIR [OUT_DIR]]   (defaults: build, a temporary folder)
# OUT_DIR keeps the reports, their DOMs and screenshots. Exit 0 when every page passes.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if ! command -v chromium >/dev/null; then
  echo "browser_test: installing chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${2:-$work/out}
mkdir -p "$out"
yl="$build/cli/yieldledger"

# The reports: a run's export, a sweep's comparison (the hand-built results of the tests) and two
# ledgers over the same events (the example under its own and under a 20% insurance fee).
"$yl" run examples/blast-launch/scenario.toml --db "$work/a.db" >/dev/null
"$yl" export --db "$work/a.db" --out "$out/export.html" >/dev/null
"$build/tests/yl_sql_to_db" "$work/results.db" tests/data/results_small.sql
"$yl" compare "$work/results.db" --format html --out "$out/compare.html" --force >/dev/null
events=$(realpath examples/blast-launch/events.csv)
sed -e "s|^events = .*|events = \"$events\"|" -e 's|^insurance_fee_bps = .*|insurance_fee_bps = 2000|' \
  examples/blast-launch/scenario.toml >"$work/b.toml"
"$yl" run "$work/b.toml" --db "$work/b.db" >/dev/null
"$yl" compare "$work/a.db" "$work/b.db" --format html --out "$out/ledgers.html" --force >/dev/null
# A real sweep's page, with a contrast (--contrast: its charts of cohorts), and one whose gini
# differences, about 1e-5, gave an axis whose zero tick Chart.js stepped to -1.7e-21 and labelled
# so (tests/data/results_noisy_tick.sql: without report.js's snapZero, this page fails with
# data-noisy-ticks="1").
"$yl" sweep examples/lab/study.toml --out "$work/lab.db" >/dev/null
"$yl" compare "$work/lab.db" --metrics gini,apy_ppm --contrast 3 2 1 0 --format html \
  --out "$out/lab.html" --force >/dev/null 2>&1
"$build/tests/yl_sql_to_db" "$work/ticks.db" tests/data/results_small.sql \
  tests/data/results_noisy_tick.sql
"$yl" compare "$work/ticks.db" --format html --out "$out/ticks.html" --force >/dev/null

browser() {
  # A fresh profile each time: no state carries from one page to the next.
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$work/profile-$RANDOM" --enable-logging=stderr --v=0 \
    --virtual-time-budget=10000 "$@"
}

failed=0
for page in export compare ledgers lab ticks; do
  html="$out/$page.html"
  browser --dump-dom "file://$(realpath "$html")" >"$out/$page.dom.html" 2>"$out/$page.log"
  body=$(grep -o '<body[^>]*>' "$out/$page.dom.html" | head -1)
  attr() { sed -n "s/.*$1=\"\([0-9]*\)\".*/\1/p" <<<"$body"; }
  charts=$(attr data-charts)
  drawn=$(attr data-charts-drawn)
  errors=$(attr data-errors)
  noisy=$(attr data-noisy-ticks)
  blank=$( (grep -o 'data-ink="0"' "$out/$page.dom.html" || true) | wc -l)
  refused=$(grep -c 'Refused to\|Content Security Policy' "$out/$page.log" || true)
  browser --window-size=1280,2000 --screenshot="$out/$page.png" "file://$(realpath "$html")" \
    >/dev/null 2>&1
  size=$(stat -c %s "$out/$page.png" 2>/dev/null || echo 0)
  if [ -n "$charts" ] && [ "$charts" -gt 0 ] && [ "$drawn" = "$charts" ] && [ "$errors" = 0 ] &&
     [ "$noisy" = 0 ] && [ "$blank" = 0 ] && [ "$refused" = 0 ] && [ "$size" -gt 20000 ]; then
    echo "browser_test: $page.html: $drawn of $charts charts drawn, 0 script errors, screenshot" \
         "$size bytes"
  else
    echo "browser_test: $page.html FAILED: charts=$charts drawn=$drawn errors=$errors" \
         "noisy ticks=$noisy blank canvases=$blank CSP refusals=$refused screenshot=$size bytes" >&2
    failed=1
  fi
done
exit $failed
