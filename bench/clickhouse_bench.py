#!/usr/bin/env python3
"""The centre's store for capacity planning (issue 18): every backend side by side on this
machine, with the servers started here (PostgreSQL 15, ClickHouse shards on loopback, removed
afterwards). For each configuration it runs

  gsoc_bench_transport  8 sensors -> gRPC/mTLS -> collector front-end(s) -> store -> ack:
                        the store alone, the BatchWriter ceiling and end-to-end events/s;
  gsoc_bench_store      a month of varied history: ingest events/s, bytes per event on disk,
                        hunt latency for a rare domain, a hash, a popular name, an address;

and prints one Markdown table. Configurations: SQLite; PostgreSQL; ClickHouse with 1 and 2 shards
and 1 front-end (state in SQLite); ClickHouse with 1 and 2 shards and 2 front-ends (state in
PostgreSQL, marks shared). Everything shares this machine's cores: read the ratios between rows,
and the absolute figures as what one box of this size does with every part on it.

  python3 bench/clickhouse_bench.py [--bin build/bin] [--events 50000] [--store-events 2000000]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "collector"))
from harness import ClickHouseCluster, Postgres  # noqa: E402


def run(cmd):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("%s failed:\n%s%s" % (cmd[0], out.stdout, out.stderr))
    return out.stdout


def number(pattern, text):
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--events", type=int, default=50000, help="events per sensor in the transport bench (8 sensors)")
    ap.add_argument("--store-events", type=int, default=2000000, help="history size of the store bench")
    ap.add_argument("--days", type=int, default=30)
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="gsoc-bench-clickhouse-")
    os.chmod(root, 0o755)
    pg = ch = None
    rows = []
    try:
        pg = Postgres(root)
        ch = ClickHouseCluster(root, shards=2)
        one, two = ["--clickhouse", ch.url(0)], ["--clickhouse", ch.urls(), "--cluster", "gsoc"]
        configs = [
            ("SQLite", ["--store", "sqlite"], ["--store", "sqlite"]),
            ("PostgreSQL", ["--store", "postgresql", "--dsn", pg.dsn], ["--store", "postgresql", "--dsn", pg.dsn]),
            ("ClickHouse 1 shard, 1 front-end", ["--store", "clickhouse"] + one, ["--store", "clickhouse"] + one),
            ("ClickHouse 2 shards, 1 front-end", ["--store", "clickhouse"] + two, ["--store", "clickhouse"] + two),
            ("ClickHouse 1 shard, 2 front-ends", ["--store", "clickhouse", "--dsn", pg.dsn, "--frontends", "2"] + one, None),
            ("ClickHouse 2 shards, 2 front-ends", ["--store", "clickhouse", "--dsn", pg.dsn, "--frontends", "2"] + two, None),
        ]
        for name, transport, store in configs:
            t = run([os.path.join(a.bin, "gsoc_bench_transport"), "--events", str(a.events), "--seconds", "2", "--rate", "20000"] + transport)
            row = {"name": name,
                   "store": number(r"store\s+(\d+) events/s", t),
                   "ceiling": number(r"ceiling\s+(\d+) events/s", t),
                   "e2e": number(r"throughput\s+(\d+) events/s", t)}
            if store:
                s = run([os.path.join(a.bin, "gsoc_bench_store"), "--events", str(a.store_events), "--days", str(a.days)] + store)
                row.update({"history": number(r"ingest\s+(\d+) events/s", s),
                            "bytes": number(r"([\d.]+) bytes per event", s),
                            "rare": number(r"([\d.]+) s  a rare domain", s),
                            "hash": number(r"([\d.]+) s  an attachment hash", s),
                            "popular": number(r"([\d.]+) s  a popular name", s),
                            "address": number(r"([\d.]+) s  one client address", s),
                            "day": number(r"([\d.]+) s  one day by agency", s)})
            rows.append(row)
    finally:
        if ch:
            ch.stop()
        if pg:
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)

    def f(v, fmt="%.0f"):
        return "-" if v is None else fmt % v

    print("\n%d sensors x %d events (transport); %d events over %d days (history)\n" % (8, a.events, a.store_events, a.days))
    print("| store | store alone ev/s | writer ceiling ev/s | end to end ev/s | history ingest ev/s | bytes/event | "
          "hunt rare / hash / popular / address (ms) | one day's counts (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        hunts = " / ".join(f(r.get(k) * 1000 if r.get(k) is not None else None) for k in ("rare", "hash", "popular", "address"))
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["name"], f(r["store"]), f(r["ceiling"]), f(r["e2e"]), f(r.get("history")), f(r.get("bytes"), "%.1f"),
            hunts if "rare" in r else "-", f(r["day"] * 1000 if r.get("day") is not None else None)))


if __name__ == "__main__":
    main()
