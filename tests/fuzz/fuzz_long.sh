#!/usr/bin/env bash
# Runs fuzz targets one after another for a long time each (docs/fuzzing.md's figures come from
# this), at the lowest CPU priority, and prints one line per target: executions, exec/s,
# libFuzzer's final coverage (cov: edges, ft: features), corpus size and whether it crashed.
# Start from the same seeds as CI; the corpus grows in <work>/<target>/corpus, logs and any
# crashing input stay in <work>/<target>/.
# Usage: tests/fuzz/fuzz_long.sh <seconds> <work dir> <target>...   (build first: scripts/build fuzz)
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=$1 work=$2
shift 2
build=build/fuzz
[ -d "$build/tests/fuzz/seed-corpus" ] || python3 tests/fuzz/make_corpus.py --source . --shared ../shared \
  --out "$build/tests/fuzz/seed-corpus" > /dev/null
for name in "$@"; do
  dir=$work/$name
  mkdir -p "$dir/corpus"
  cp "$build/bin/${name}_fuzz" "$dir/${name}_fuzz"  # a rebuild meanwhile does not touch the run
  dirs=("$dir/corpus")
  for d in tests/fuzz/seeds/$name tests/fuzz/regressions/$name $build/tests/fuzz/seed-corpus/$name; do
    [ -d "$d" ] && dirs+=("$d")
  done
  nice -n 19 "$dir/${name}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/" "${dirs[@]}" > "$dir/log" 2>&1
  rc=$?
  last=$(grep -E '^#[0-9]+' "$dir/log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<< "$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<< "$last")
  corp=$(sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p' <<< "$last")
  crashes=$(ls "$dir" | grep -cE '^(crash|leak|timeout|oom)-')
  echo "$name seconds=$seconds rc=$rc execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} findings=$crashes"
done
