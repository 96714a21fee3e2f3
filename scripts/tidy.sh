#!/usr/bin/env bash
# The house rules a machine can check (../shared/STYLE.md §2.10, §4; after TigerBeetle's tidy.zig).
# Run by CTest as `tidy`; prints each breach with the approved replacement and exits 1 if any.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
breach() { echo "tidy: $1"; status=1; }

sources=$(git ls-files 'engine/*.cc' 'engine/*.h' 'cli/*.cc' 'cli/*.h' 'tests/*.cc' 'tests/*.h' \
                       'bench/*.cc' 'bench/*.h' 2>/dev/null || find engine cli tests bench -name '*.cc' -o -name '*.h')

# 1. At most 100 columns (STYLE §2.10; scripts/format.sh wraps them).
while IFS= read -r hit; do breach "$hit: longer than 100 columns (run scripts/format.sh)"; done < <(
  LC_ALL=C awk '{ s = $0; gsub(/[\200-\277]/, "", s); if (length(s) > 100) print FILENAME ":" FNR }' \
    $sources)

# 2. Money layers hold no floating point (SPEC: money is never a float): use Amount, U512, bps.
money=$(printf '%s\n' $sources | grep -E '^engine/(core|input|storage)/')
while IFS= read -r hit; do breach "$hit: float/double in a money layer (use Amount / integer bps)"; done < <(
  grep -nE '\b(double|float)\b' $money | sed -E 's/"([^"\\]|\\.)*"//g' | grep -vE '^[^:]+:[0-9]+:\s*//' |
    grep -E '\b(double|float)\b' | grep -v 'Amount(double) = delete' | cut -d: -f1,2)

# 3. Determinism: no wall clock or unseeded randomness in the engine (pass time and seeds in).
while IFS= read -r hit; do breach "$hit: hidden clock or randomness (pass a Timestamp or a seeded PRNG)"; done < <(
  grep -nE 'system_clock|std::rand\b|random_device|\bsrand\(|\btime\(nullptr\)' \
    $(printf '%s\n' $sources | grep -E '^engine/'))

# 4. Raw SQLite calls only in the storage layer (and in tests that tamper with files on purpose).
while IFS= read -r hit; do breach "$hit: raw sqlite3_ call (use engine/storage/database.h)"; done < <(
  grep -nE '\bsqlite3_[a-z_]+\(' $(printf '%s\n' $sources | grep -vE '^(engine/storage|tests)/'))

# 5. No `using namespace` in headers.
while IFS= read -r hit; do breach "$hit: using namespace in a header (qualify the names)"; done < <(
  grep -nE '^\s*using namespace' $(printf '%s\n' $sources | grep -E '\.h$'))

# 6. No ';' in a test case's name: doctest_discover_tests hands CTest the names as a list, which
#    splits there, and each half then selects no case and passes without running one.
while IFS= read -r hit; do breach "$hit: ';' in a TEST_CASE name (CTest would run nothing; use ',')"; done < <(
  awk '/TEST_CASE\(/ { s = $0; line = FNR; if ($0 ~ /TEST_CASE\($/) { getline next_line; s = s next_line }
                       if (s ~ /TEST_CASE\([ ]*"[^"]*;/) print FILENAME ":" line }' \
    $(printf '%s\n' $sources | grep -E '^tests/'))

# 7. Formatted as .clang-format says (STYLE §4), by Debian 12's clang-format 14: other versions
#    place some lines otherwise. scripts/format.sh applies it; scripts/test.sh installs it.
if ! command -v clang-format >/dev/null; then
  breach "clang-format is not installed: apt-get install clang-format (scripts/test.sh does)"
else
  while IFS= read -r hit; do breach "$hit: not as .clang-format lays it out (run scripts/format.sh)"
  done < <(clang-format --dry-run $sources 2>&1 | grep -oE '^[^: ]+:[0-9]+:[0-9]+: warning' |
             cut -d: -f1,2 | uniq)
fi

[ $status = 0 ] && echo "tidy: clean"
exit $status
