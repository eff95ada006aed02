#!/usr/bin/env bash
# The campaign-scenario benchmark (bench/campaign_scenarios.py) in small: one campaign seed and
# one clean seed, four agencies, three days (a C2 that checks in every two hours needs a day to
# show), through the real PKI, collector and sensors. It checks that the pipeline runs end to end
# and the score table is printed; recall and false-publication bounds are asserted only through
# the flags passed after SOURCE_DIR (see tests/CMakeLists.txt).
#   tests/campaign_scenarios_test.sh BIN_DIR SOURCE_DIR [campaign_scenarios.py flags...]
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Lateness 600 s (the collector's default) at 4,000x: a sensor may lag 0.15 s of wall time.
python3 "$src/bench/campaign_scenarios.py" --bin "$bin" --source "$src" --seeds 1 --clean-seeds 1 --agencies-range 4 --days 3 \
  --lateness 600 --speed 4000 --json "$out/result.json" "$@" | tee "$out/report.txt"
grep -q '^  all ' "$out/report.txt"
grep -q '^false warnings+notices: ' "$out/report.txt"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r['runs'] and all('error' not in x for x in r['runs']) else 1)" "$out/result.json"
