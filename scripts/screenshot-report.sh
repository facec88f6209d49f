#!/usr/bin/env bash
# Renders an HTML report in a real browser (headless Chromium) to a PNG: the check that
# report.html looks as meant, and the picture in docs/. Installs chromium when missing.
#   scripts/screenshot-report.sh runs/quickstart/RPL+CoroCL/eval/report.html docs/images/report.png [WIDTHxHEIGHT]
set -euo pipefail
if [ $# -lt 2 ]; then echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2; exit 64; fi
report=$(realpath "$1"); out=$2; size=${3:-1400x2400}
if ! command -v chromium >/dev/null; then
  echo "installing chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# --no-sandbox: CI and these machines run as root; the page has no script and loads nothing.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp" \
  --window-size="${size/x/,}" --screenshot="$tmp/shot.png" "file://$report" 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
mv "$tmp/shot.png" "$out"
echo "wrote $out ($size) from $report"
