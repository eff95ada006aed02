#!/usr/bin/env bash
# Runs gsoc_bench_transport against SQLite and against a temporary PostgreSQL 15 server started
# here (initdb/pg_ctl on a Unix socket, removed afterwards). Arguments go to the benchmark.
#   bench/transport_bench.sh [--sensors 8] [--events 100000] [--rate 20000] [--seconds 5]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/gsoc_bench_transport
[ -x "$bin" ] || { echo "build the release preset first (scripts/build)" >&2; exit 2; }
echo "== SQLite"
"$bin" --store sqlite "$@"

pgbin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/gsoc-bench-pg.XXXXXX)
as=()
if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); chown postgres "$dir"; fi
chmod 755 "$dir"
trap '"${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"${as[@]}" "$pgbin/initdb" -D "$dir/data" -A trust -U gsoc --no-sync >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -w -l "$dir/log" -o "-k $dir -p $port -c listen_addresses=''" start >/dev/null
createdb -h "$dir" -p "$port" -U gsoc gsoc
echo "== PostgreSQL 15 (synchronous_commit on, fsync on)"
"$bin" --store postgresql --dsn "host=$dir port=$port user=gsoc dbname=gsoc" "$@"
