#!/usr/bin/env bash
# Applies .clang-format (Google style, 100 columns; ../shared/STYLE.md §2.10).
#   scripts/format.sh            the lines changed since HEAD, staged or not (git clang-format)
#   scripts/format.sh FILE...    those files, whole
#   scripts/format.sh --all      every C++ file git tracks
# scripts/tidy.sh (in the suite) fails on any file this would change.
# Needs Debian's clang-format (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-format >/dev/null
fi
if [ $# -eq 0 ]; then
  exec git clang-format --force --quiet HEAD -- 'engine/*.cc' 'engine/*.h' 'cli/*.cc' 'cli/*.h' \
    'tests/*.cc' 'tests/*.h' 'bench/*.cc' 'bench/*.h'
fi
if [ "$1" = --all ]; then
  mapfile -t files < <(git ls-files 'engine/*.cc' 'engine/*.h' 'cli/*.cc' 'cli/*.h' 'tests/*.cc' \
                                    'tests/*.h' 'bench/*.cc' 'bench/*.h')
else
  files=("$@")
fi
clang-format -i "${files[@]}"
