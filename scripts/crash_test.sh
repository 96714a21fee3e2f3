#!/usr/bin/env bash
# Crash safety (run on demand; it takes a few minutes): kills `run` and `apply` with SIGKILL at
# random moments and checks, after each kill, that the database opens, holds either the state
# before or the complete state after, and passes `audit`; then that finishing the work gives the
# same final state as an uninterrupted run.
#
#   [YL_BIN=BINARY] scripts/crash_test.sh [KILLS_PER_COMMAND] [EVENTS]   (defaults: 25, 300000)
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-25}
events=${2:-300000}
bin=${YL_BIN:-$PWD/build/cli/yieldledger}  # YL_BIN: another binary to test
bench=$PWD/build/bench/yl_bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
test -x "$bin" && test -x "$bench" || { echo "build first: scripts/setup.sh" >&2; exit 2; }

"$bench" --only generate --dir "$work/s" --accounts 2000 --events "$events" --days 60 >/dev/null
scenario=$work/s/scenario.toml
# A second file to apply: the last tenth of the events, after a shorter first run.
total=$(($(wc -l < "$work/s/events.csv") - 1))
cut=$((total * 9 / 10))
head -n $((cut + 1)) "$work/s/events.csv" > "$work/s/first.csv"
# The appended rows get ids, so that re-applying after a committed apply skips them (SPEC §8.3).
{ echo "id,$(head -n 1 "$work/s/events.csv")"
  tail -n +$((cut + 2)) "$work/s/events.csv" | awk '{ print "r" NR "," $0 }'; } > "$work/s/rest.csv"
split_time=$(sed -n "$((cut + 1))p" "$work/s/events.csv" | cut -d, -f1)
end=$(grep '^end' "$scenario" | cut -d'"' -f2)
sed -e "s|events.csv|first.csv|" -e "s|^end = .*|end = \"$split_time\"|" "$scenario" > "$work/s/first.toml"

state() { "$bin" balances --db "$1" --format csv && "$bin" reports --db "$1" --format csv; }
# After the readers, nothing beside the ledger: the first folded a killed writer's log in.
nothing_beside() {
  [ ! -e "$1-wal" ] && [ ! -e "$1-shm" ] || { echo "$2: the readers left $(ls "$1"-*)" >&2; exit 1; }
}
random_delay() { awk -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.2f", 0.05 + rand() * '"$1"' }'; }

echo "reference runs ($total events)..."
start=$(date +%s.%N)
"$bin" run "$scenario" --db "$work/ref.db" >/dev/null
seconds=$(echo "$(date +%s.%N) - $start" | bc)
state "$work/ref.db" > "$work/ref.txt"
"$bin" run "$work/s/first.toml" --db "$work/base.db" >/dev/null
state "$work/base.db" > "$work/base.txt"
cp "$work/base.db" "$work/applied.db"
"$bin" apply --db "$work/applied.db" "$work/s/rest.csv" --until "$end" >/dev/null
state "$work/applied.db" > "$work/applied.txt"
cmp -s "$work/ref.txt" "$work/applied.txt" || { echo "run + apply differs from one run" >&2; exit 1; }
echo "one run takes ${seconds}s; run + apply equals one uninterrupted run"

survived=0 before=0 after=0
for i in $(seq 1 "$kills"); do
  rm -f "$work/k.db" "$work/k.db-wal" "$work/k.db-shm"
  "$bin" run "$scenario" --db "$work/k.db" >/dev/null 2>&1 & pid=$!
  sleep "$(random_delay "$seconds")"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  if [ -f "$work/k.db" ] && state "$work/k.db" > "$work/k.txt" 2>/dev/null; then
    cmp -s "$work/k.txt" "$work/ref.txt" || { echo "run kill $i: a partial ledger" >&2; exit 1; }
    "$bin" audit --db "$work/k.db" >/dev/null || { echo "run kill $i: audit failed" >&2; exit 1; }
    nothing_beside "$work/k.db" "run kill $i"
    after=$((after + 1))
  else
    # Killed before the commit: no ledger (the file, if any, holds no ledger).
    if [ -f "$work/k.db" ]; then
      msg=$("$bin" balances --db "$work/k.db" 2>&1 >/dev/null || true)
      case "$msg" in *"holds no ledger"*) ;; *) echo "run kill $i: $msg" >&2; exit 1;; esac
    fi
    before=$((before + 1))
    "$bin" run "$scenario" --db "$work/k.db" >/dev/null   # finishing the work
    state "$work/k.db" | cmp -s - "$work/ref.txt" || { echo "run kill $i: rerun differs" >&2; exit 1; }
  fi
  survived=$((survived + 1))
done
echo "run:   $survived kills survived ($before left no ledger and were rerun, $after had committed)"

# A run into an existing empty file writes it in place, through its -wal: killed, the file's header
# does not yet carry the ledger's application_id, and the ledger, if committed, is in the -wal.
survived=0 before=0 after=0
for i in $(seq 1 "$kills"); do
  rm -f "$work/k.db" "$work/k.db-wal" "$work/k.db-shm"; : > "$work/k.db"
  "$bin" run "$scenario" --db "$work/k.db" >/dev/null 2>&1 & pid=$!
  sleep "$(random_delay "$seconds")"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  if state "$work/k.db" > "$work/k.txt" 2>/dev/null; then
    cmp -s "$work/k.txt" "$work/ref.txt" || { echo "empty-file run kill $i: a partial ledger" >&2; exit 1; }
    "$bin" audit --db "$work/k.db" >/dev/null || { echo "empty-file run kill $i: audit failed" >&2; exit 1; }
    after=$((after + 1))
  else
    msg=$("$bin" balances --db "$work/k.db" 2>&1 >/dev/null || true)
    case "$msg" in *"holds no ledger"*) ;; *) echo "empty-file run kill $i: $msg" >&2; exit 1;; esac
    before=$((before + 1))
  fi
  nothing_beside "$work/k.db" "empty-file run kill $i"
  survived=$((survived + 1))
done
echo "run into an empty file: $survived kills survived ($before left no ledger, $after had committed; the readers left nothing beside it)"

survived=0 before=0 after=0
for i in $(seq 1 "$kills"); do
  cp "$work/base.db" "$work/k.db"; rm -f "$work/k.db-wal" "$work/k.db-shm"
  "$bin" apply --db "$work/k.db" "$work/s/rest.csv" --until "$end" >/dev/null 2>&1 & pid=$!
  sleep "$(random_delay "$seconds")"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  state "$work/k.db" > "$work/k.txt" || { echo "apply kill $i: the database does not open" >&2; exit 1; }
  "$bin" audit --db "$work/k.db" >/dev/null || { echo "apply kill $i: audit failed" >&2; exit 1; }
  nothing_beside "$work/k.db" "apply kill $i"
  if cmp -s "$work/k.txt" "$work/base.txt"; then
    before=$((before + 1))
  elif cmp -s "$work/k.txt" "$work/applied.txt"; then
    after=$((after + 1))
  else
    echo "apply kill $i: neither the state before nor after" >&2; exit 1
  fi
  # Re-applying is idempotent by id: it completes a killed apply and changes nothing after one.
  "$bin" apply --db "$work/k.db" "$work/s/rest.csv" --until "$end" >/dev/null
  state "$work/k.db" | cmp -s - "$work/applied.txt" || { echo "apply kill $i: re-apply differs" >&2; exit 1; }
  survived=$((survived + 1))
done
echo "apply: $survived kills survived ($before before, $after after; re-apply always gave the uninterrupted state)"
