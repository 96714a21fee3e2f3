#!/usr/bin/env bash
# Renders the charts sheet of the blast-launch workbook to examples/blast-launch/charts.png, the
# picture in the README: LibreOffice (headless) turns the workbook into a PDF, pdftoppm the charts
# page into a PNG. Installs both (Debian packages) if missing. Run as root after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libreoffice-calc-nogui poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/cli/yieldledger run examples/blast-launch/scenario.toml --db "$work/blast.db" >/dev/null
# Only the small accounts table beside the summary, charts and chart_data: a short PDF.
build/cli/yieldledger export --db "$work/blast.db" --out "$work/charts.xlsx" --tables accounts \
  >/dev/null
soffice --headless --convert-to pdf --outdir "$work" "$work/charts.xlsx" >/dev/null 2>&1
pages=$(pdfinfo "$work/charts.pdf" | awk '/^Pages:/ {print $2}')
for page in $(seq 1 "$pages"); do
  if pdftotext -f "$page" -l "$page" "$work/charts.pdf" - | grep -q "Share price"; then
    pdftoppm -f "$page" -l "$page" -r 90 -png -singlefile "$work/charts.pdf" \
      examples/blast-launch/charts
    echo "wrote examples/blast-launch/charts.png (page $page of the PDF)"
    exit 0
  fi
done
echo "chart_screenshot: no page with the charts in $work/charts.pdf" >&2
exit 1
