#!/usr/bin/env bash
# The main job on the bundled example: install what is missing, build, run
# examples/blast-launch into blast-launch.db, print its balances, ledgers and reports, audit it,
# and export it for spreadsheets (blast-launch.xlsx with charts, and the CSV folder blast-launch-csv).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
db=${YL_DEMO_DB:-blast-launch.db}
rm -f "$db" "$db-wal" "$db-shm"
build/cli/yieldledger run examples/blast-launch/scenario.toml --db "$db"
echo; echo "== balances"; build/cli/yieldledger balances --db "$db"
echo; echo "== ledgers"; build/cli/yieldledger ledgers --db "$db"
echo; echo "== sources"; build/cli/yieldledger sources --db "$db"
echo; echo "== reports (first 12 and last 12 rows; see all with: build/cli/yieldledger reports --db $db)"
build/cli/yieldledger reports --db "$db" > "$db.reports.txt"
head -n 14 "$db.reports.txt"; echo "  ..."; tail -n 12 "$db.reports.txt"
rm -f "$db.reports.txt"
echo; echo "== audit (replays everything and checks reports, journal, state and hash chains)"
build/cli/yieldledger audit --db "$db"
echo; echo "== export for spreadsheets (a workbook with a summary and charts, and tidy CSV files)"
build/cli/yieldledger export --db "$db" --out "${db%.db}.xlsx"
build/cli/yieldledger export --db "$db" --out "${db%.db}-csv"
