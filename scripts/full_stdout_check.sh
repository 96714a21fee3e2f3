#!/usr/bin/env bash
# Every command, with stdout on /dev/full, must fail with exit 1 and one message (a write error
# is never ignored, as in coreutils). Called from scripts/test.sh; needs a built build/cli.
#   scripts/full_stdout_check.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-$PWD/build/cli/yieldledger}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/q.db
"$bin" run examples/quickstart/scenario.toml --db "$db" >/dev/null
printf 'id,time,type,account,asset,amount,to,value\n' > "$work/more.csv"
expected="yieldledger: cannot write to standard output: No space left on device"
failures=0
check() {
  local status=0
  "$bin" "$@" >/dev/full 2>"$work/err" || status=$?
  local err
  err=$(cat "$work/err")
  if [ "$status" != 1 ] || [ "$err" != "$expected" ]; then
    echo "FAIL: yieldledger $* >/dev/full: exit $status, stderr: $err" >&2
    failures=$((failures + 1))
  fi
}
check run examples/quickstart/scenario.toml --db "$work/r.db"
check apply --db "$db" "$work/more.csv"
for command in balances ledgers sources reports; do
  check "$command" --db "$db"
  check "$command" --db "$db" --format csv
done
check reports --db "$db" --verbose
check audit --db "$db"
check explain --db "$db" --account alice
check explain --db "$db" --source lido --format csv
check migrate --db "$db"
check export --db "$db" --out "$work/csv"
check export --db "$db" --out "$work/x.xlsx"
check --help
check run --help
check --version
if [ "$failures" != 0 ]; then
  echo "full_stdout_check: $failures command(s) ignored a write error on stdout" >&2
  exit 1
fi
echo "full_stdout_check: every command reports a write error on stdout (exit 1)"
