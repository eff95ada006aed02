#!/usr/bin/env bash
# End to end: the demo's centre pipeline (scripts/demo-centre) on the test build: eight agency
# sensors, mTLS, the collector on SQLite, correlation, gsocctl. scripts/demo-report.py exits 1
# unless exactly the expected campaigns' warnings and notices were published, no more, no fewer.
#   tests/demo_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$src"
scripts/demo-centre "$bin" "$out" > "$out/demo.txt" 2>&1 || { cat "$out/demo.txt"; cat "$out/collector.log" || true; exit 1; }
sed -n '/^expected by the demo/,$p' "$out/demo.txt"
