#!/usr/bin/env bash
# Applies .clang-format (Google style, 100 columns; ../shared/STYLE.md §2.10) to every C++ file
# git tracks, or to the files named. Needs Debian's clang-format (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-format >/dev/null
fi
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(git ls-files 'engine/*.cc' 'engine/*.h' 'cli/*.cc' 'cli/*.h' 'tests/*.cc' \
                                    'tests/*.h' 'bench/*.cc' 'bench/*.h')
fi
clang-format -i "${files[@]}"
