#!/usr/bin/env bash
# Installs the Debian packages yieldledger needs (only those missing), then configures and builds
# it in build/. Run as root on Debian 12. Safe to run again: it does nothing it need not do.
#   scripts/setup.sh [PACKAGE...]   also installs these (scripts/test.sh: clang-format, for tidy)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config libboost-dev libsqlite3-dev libfmt-dev doctest-dev
          libtomlplusplus-dev libcli11-dev libssl-dev libxlsxwriter-dev unzip libjs-chart.js sqlite3
          "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_type=${YL_BUILD_TYPE:-Release}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" ${YL_CMAKE_ARGS:-} >/dev/null
cmake --build build -j "$(nproc)"
