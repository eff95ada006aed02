#!/usr/bin/env bash
# Runs one libFuzzer target as CI does: every committed regression input (regressions/<name>/)
# is replayed once, then the target fuzzes for <seconds> starting from the committed seeds
# (seeds/<name>/) and the corpus make_corpus.py cut from the shared data (<build>/seed-corpus/
# <name>/). New inputs go to <build>/work/<name>/corpus, which later runs start from; a crash,
# leak, timeout or broken invariant fails the test and leaves the input in <build>/work/<name>/
# (add it under regressions/<name>/ once the bug is fixed).
# Usage: run_fuzz.sh <binary> <name> <source dir> <build dir> <seconds>
set -euo pipefail
bin=$1 name=$2 src=$3 build=$4 seconds=$5
work=$build/work/$name
mkdir -p "$work/corpus"

regressions=$src/regressions/$name
if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  echo "== replaying $(ls "$regressions" | wc -l) regression input(s) of $name"
  "$bin" -runs=1 "$regressions"/*
fi

dirs=("$work/corpus")
for d in "$src/seeds/$name" "$build/seed-corpus/$name"; do
  if [ -d "$d" ]; then dirs+=("$d"); fi
done
echo "== fuzzing $name for ${seconds}s from ${dirs[*]}"
# -timeout: one input running 10 s is a hang; -rss_limit_mb: the sensor's own caps must bound
# memory well below this. Leaks are findings too (ASan's detect_leaks, on by default).
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "${dirs[@]}"
