#!/usr/bin/env bash
# Regenerates tests/golden/ from the examples. Run only after a change that is meant to alter
# results, and review the diff: the golden files are what an independent implementation of
# SPEC v1.1 must reproduce to the wei.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/cli/yieldledger
for example in blast-launch quickstart; do
  out=tests/golden/$example
  mkdir -p "$out"
  db=$(mktemp -d)/golden.db
  "$bin" run "examples/$example/scenario.toml" --db "$db" >/dev/null
  for command in balances ledgers sources reports; do
    "$bin" "$command" --db "$db" --format csv > "$out/$command.csv"
  done
  rm -rf "$(dirname "$db")"
done
db=$(mktemp -d)/golden.db
"$bin" run examples/blast-launch/scenario.toml --db "$db" >/dev/null
"$bin" balances --db "$db" --at 2024-04-16T00:00:00Z --format csv \
  > tests/golden/blast-launch/balances_at_2024-04-16.csv
"$bin" ledgers --db "$db" --at 2024-04-16T00:00:00Z --format csv \
  > tests/golden/blast-launch/ledgers_at_2024-04-16.csv
rm -rf "$(dirname "$db")"
echo "golden files updated; review with: git diff tests/golden"
