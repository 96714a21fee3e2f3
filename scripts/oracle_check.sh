#!/usr/bin/env bash
# Differential check of yieldledger against the independent SPEC model (tests/oracle/).
#
#   scripts/oracle_check.sh [N] [BIN] [--v11] [--from K]
#
# For seeds K..K+N-1 (default 1..100): generate a case (tests/oracle/random_case.py), run the
# model (tests/oracle/spec_model.py) and `BIN run` (default build/cli/yieldledger), then compare
# `balances`, `ledgers`, `sources` and `reports --format csv`, and `balances`, `ledgers`,
# `sources` again `--at` the case's random mid time. A case the model rejects must be rejected
# by BIN at the same `FILE:LINE: TYPE:` (SPEC §1.3). --v11 generates SPEC v1.1 scenarios only and
# compares the v1.1 columns. Cases are kept under ${ORACLE_WORK:-/tmp/oracle-check}/SEED.
# Prints the first differing case in full, one line per other failure, and `N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

n=100
bin=build/cli/yieldledger
mode=()
from=1
positional=0
while (($#)); do
  case "$1" in
    --v11) mode=(--v11) ;;
    --from) from=$2; shift ;;
    *)
      if ((positional == 0)); then n=$1; else bin=$1; fi
      positional=$((positional + 1))
      ;;
  esac
  shift
done
bin=$(realpath "$bin")
work=${ORACLE_WORK:-/tmp/oracle-check}
mkdir -p "$work"

# check_case SEED: 0 when model and binary agree; prints the differences otherwise.
check_case() {
  local seed=$1 dir=$work/$1
  rm -rf "$dir"
  python3 tests/oracle/random_case.py "$seed" "$dir" "${mode[@]}" || return 1
  local at
  at=$(cat "$dir/at.txt")
  python3 tests/oracle/spec_model.py "$dir/scenario.toml" --out "$dir/model" "${mode[@]}"
  local model_rc=$?
  if ((model_rc == 0)); then
    python3 tests/oracle/spec_model.py "$dir/scenario.toml" --out "$dir/model_at" \
      --at "$at" "${mode[@]}" || return 1
  elif ((model_rc != 2)); then
    echo "seed $seed: the model failed (exit $model_rc)"
    return 1
  fi
  "$bin" run "$dir/scenario.toml" --db "$dir/y.db" >"$dir/run.out" 2>"$dir/run.err"
  local bin_rc=$?
  if ((model_rc == 2)); then
    # Compare `FILE:LINE: TYPE:` of the first rejection (SPEC §1.3).
    local want got
    # Paths are compared by their base name.
    want=$(sed 's|^[^:]*/||' "$dir/model/rejection.txt" | cut -d: -f1-3)
    got=$(head -n1 "$dir/run.err" | sed 's|^[^:]*/||' | cut -d: -f1-3)
    if [[ "$want" == *":?: scenario" ]]; then
      # After the last event there is no row to blame (a scheduled report that overflows):
      # SPEC leaves the line open, so only the TYPE is compared.
      want=scenario
      got=$(head -n1 "$dir/run.err" | cut -d: -f3 | tr -d ' ')
    fi
    if ((bin_rc != 2)) || [[ "$want" != "$got" ]]; then
      echo "seed $seed: model rejects '$(cat "$dir/model/rejection.txt")';" \
        "binary exit $bin_rc: $(head -n1 "$dir/run.err")"
      return 1
    fi
    return 0
  fi
  if ((bin_rc != 0)); then
    echo "seed $seed: model accepts; binary exit $bin_rc: $(head -n1 "$dir/run.err")"
    return 1
  fi
  local failed=0 cmd
  mkdir -p "$dir/bin" "$dir/bin_at"
  for cmd in balances ledgers sources reports; do
    "$bin" "$cmd" --db "$dir/y.db" --format csv >"$dir/bin/$cmd.csv" 2>&1
    v11_columns "$dir/model/$cmd.csv" "$dir/bin/$cmd.csv"
    if ! diff -q "$dir/model/$cmd.csv" "$dir/bin/$cmd.csv" >/dev/null; then
      echo "seed $seed: $cmd differs (< model, > binary)"
      diff "$dir/model/$cmd.csv" "$dir/bin/$cmd.csv" | head -n 8
      failed=1
    fi
  done
  for cmd in balances ledgers sources; do
    "$bin" "$cmd" --db "$dir/y.db" --at "$at" --format csv >"$dir/bin_at/$cmd.csv" 2>&1
    v11_columns "$dir/model_at/$cmd.csv" "$dir/bin_at/$cmd.csv"
    if ! diff -q "$dir/model_at/$cmd.csv" "$dir/bin_at/$cmd.csv" >/dev/null; then
      echo "seed $seed: $cmd --at $at differs (< model, > binary)"
      diff "$dir/model_at/$cmd.csv" "$dir/bin_at/$cmd.csv" | head -n 8
      failed=1
    fi
  done
  return $failed
}

# Under --v11 the model prints SPEC v1.1's columns only (§7.1's v1.2 columns left out): the
# binary's CSV ($2, rewritten in place) keeps those of its columns the model's ($1) header names,
# in its own order. Without --v11, or when the binary printed no CSV, it is left as it is.
v11_columns() {
  ((${#mode[@]})) || return 0
  [[ -s "$1" && -s "$2" ]] || return 0
  awk -F, 'NR == FNR { if (FNR == 1) for (i = 1; i <= NF; i++) want[$i] = 1; next }
           FNR == 1 { for (i = 1; i <= NF; i++) if ($i in want) keep[++n] = i }
           { line = $(keep[1]); for (k = 2; k <= n; k++) line = line "," $(keep[k]); print line }' \
    "$1" "$2" >"$2.v11" && mv "$2.v11" "$2"
}

main() {
  passed=0
  failed=0
  first=""
  for ((seed = from; seed < from + n; seed++)); do
    if output=$(check_case "$seed"); then
      passed=$((passed + 1))
      rm -rf "${work:?}/$seed"
    else
      failed=$((failed + 1))
      if [[ -z "$first" ]]; then
        first=$seed
        echo "=== first differing case: seed $seed ($work/$seed)"
        echo "$output"
      else
        echo "$output" | head -n 1
      fi
    fi
  done
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

main
