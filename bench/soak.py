#!/usr/bin/env python3
"""Soak: the centre and three agency sensors running for an hour (or --minutes) of paced,
replayed traffic, through collector restarts and a sensor outage.

Each sensor replays D days (--days, default 14) of its agency's uplink from the scenario family
(gsoc-trafficgen --scenario-seed, background by time of day plus campaigns) at the speed that
fits D days into the run, with the shipped default rules, shipping over mutual TLS to
gsoc-collector on SQLite with the shipped correlation rules. During the run, at fixed fractions
of it:
  10 %   the collector is SIGKILLed, and restarted 60 s later;
  20 %   the collector is stopped with SIGTERM, and restarted 60 s later;
  30 %   one sensor is frozen with SIGSTOP for a tenth of the run (an appliance that hangs:
         no heartbeats, its connection stalls), then continued (its paced replay catches up);
after which the collector runs undisturbed to the end, so its memory can be read over the last
70 % of the run. Every 30 s it samples each process's RSS, the spool bytes on disk and the
events stored, into <work>/samples.csv. At the end: events each sensor produced (its --events
file) against events stored (each once), and RSS at the start and end of each process's life.

Usage: bench/soak.py --bin build/bin [--minutes 60] [--days 14] [--work DIR] [--seed 900]
Exit status 0 when nothing was lost or duplicated and every process ended cleanly.
"""
import argparse
import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "collector"))
from harness import check, finish, free_port, start_collector  # noqa: E402
from transport_test import event_ids  # noqa: E402

AGENCIES = [("MOFA", "mofa-1"), ("MOD", "mod-1"), ("MIC", "mic-1")]


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def sqlite_memory_kib(port):
    """The collector's gsoc_collector_sqlite_memory_bytes (0 when it cannot be read)."""
    import urllib.request
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("gsoc_collector_sqlite_memory_bytes "):
            return int(line.split()[1]) // 1024
    return 0


def tree_bytes(path):
    total = 0
    for d, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(d, name))
            except OSError:
                pass
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=900)
    ap.add_argument("--work", default="/tmp/gsoc-soak")
    a = ap.parse_args()
    bindir = os.path.abspath(a.bin)
    run_s = a.minutes * 60
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    root = a.work
    os.chdir(root)
    quiet = {"stdout": subprocess.DEVNULL}
    pki = os.path.join(root, "pki")
    gsoc_pki = os.path.join(SRC, "scripts", "gsoc-pki")
    subprocess.run([gsoc_pki, "init", pki], check=True, **quiet)
    subprocess.run([gsoc_pki, "collector", pki], check=True, **quiet)
    subprocess.run([gsoc_pki, "agencies", pki] + [ag for ag, _ in AGENCIES], check=True, **quiet)
    subprocess.run([gsoc_pki, "analyst", pki, "soak"], check=True, **quiet)

    start = 1767193200  # 2026-01-01 00:00 JST
    names = ",".join(ag for ag, _ in AGENCIES)
    for ag, sensor in AGENCIES:
        subprocess.run([bindir + "/gsoc-trafficgen", "-o", sensor + ".pcap", "--scenario-agency", ag, "--scenario-seed", str(a.seed),
                        "--scenario-agencies", names, "--days", str(a.days), "--start", str(start)], check=True, **quiet)
    speed = a.days * 86400 / run_s

    port, metrics_port = free_port(), free_port()
    db = os.path.join(root, "events.db")
    procs = []
    col_log = os.path.join(root, "collector.log")
    col_cmd = [bindir + "/gsoc-collector", "--listen", "127.0.0.1:%d" % port, "--ca", "pki/ca.pem", "--cert", "pki/collector.pem",
               "--key", "pki/collector.key", "--sqlite", db, "--retention-days", "0", "--stats-interval", "60",
               "--metrics", "127.0.0.1:%d" % metrics_port,
               "--correlation-rules", os.path.join(SRC, "packaging", "config", "correlation.yaml")]
    collector = start_collector(col_cmd, root, col_log, procs)
    rules = os.path.join(SRC, "signatures", "rules", "default", "rules.yaml")
    sensors = {}
    for ag, sensor in AGENCIES:
        with open(sensor + ".yaml", "w") as f:
            f.write("sensor_id: %s\nagency_id: %s\ntransport:\n  collector_address: 127.0.0.1:%d\n  ca_file: pki/ca.pem\n"
                    "  cert_file: pki/sensors/%s.pem\n  key_file: pki/sensors/%s.key\n  spool_dir: spool-%s\n"
                    % (sensor, ag, port, sensor, sensor, sensor))
        log = open(sensor + ".log", "w")
        sensors[sensor] = subprocess.Popen(
            [bindir + "/gsoc-sensor", "-c", sensor + ".yaml", "--pcap", sensor + ".pcap", "--rules-config", rules,
             "--replay-speed", "%.3f" % speed, "--events", sensor + ".events", "--stats-interval", "60", "--drain-timeout", "300"],
            stdout=log, stderr=subprocess.STDOUT)
        procs.append(sensors[sensor])
    print("soak: %d min, %d days of traffic at %.0fx, 3 sensors, work in %s" % (a.minutes, a.days, speed, root), flush=True)

    def stored():
        try:
            con = sqlite3.connect(db, timeout=30)
            try:
                # The per-stream counters change in the same transaction as the events.
                return con.execute("SELECT COALESCE(SUM(events), 0) FROM streams").fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            return -1

    t0 = time.time()
    # (fraction of the run, what to do); each happens once, in order.
    plan = [(0.10, "kill collector"), (0.10 + 60 / run_s, "start collector"),
            (0.20, "stop collector"), (0.20 + 60 / run_s, "start collector"),
            (0.30, "freeze mod-1"), (0.40, "continue mod-1")]
    samples = open("samples.csv", "w", newline="")
    out = csv.writer(samples)
    out.writerow(["t_s", "collector_rss_kib", "collector_sqlite_kib"] + ["%s_rss_kib" % s for s in sensors] + ["spool_bytes", "events_stored", "note"])
    rss_life = {"collector": []}  # per life of the collector: [(t, rss)]
    lives = [[]]
    sensor_rss = {s: [] for s in sensors}
    next_sample = 0.0
    while any(p.poll() is None for p in sensors.values()):
        now = time.time() - t0
        note = ""
        while plan and now >= plan[0][0] * run_s:
            _, action = plan.pop(0)
            note = action
            print("soak: %5.0f s: %s" % (now, action), flush=True)
            if action == "kill collector":
                collector.kill()
                collector.wait()
            elif action == "stop collector":
                collector.send_signal(signal.SIGTERM)
                collector.wait(timeout=120)
                check(collector.returncode == 0, "the collector stops cleanly on SIGTERM mid-run")
            elif action == "start collector":
                collector = start_collector(col_cmd, root, col_log, procs)
                lives.append([])
            elif action == "freeze mod-1":
                sensors["mod-1"].send_signal(signal.SIGSTOP)
            elif action == "continue mod-1":
                sensors["mod-1"].send_signal(signal.SIGCONT)
        if now >= next_sample or note:
            crss = rss_kib(collector.pid) if collector.poll() is None else 0
            csql = sqlite_memory_kib(metrics_port) if crss else 0
            if crss:
                lives[-1].append((now, crss, csql))
            srss = []
            for s, p in sensors.items():
                r = rss_kib(p.pid) if p.poll() is None else 0
                srss.append(r)
                if r:
                    sensor_rss[s].append((now, r))
            out.writerow(["%.0f" % now, crss, csql] + srss + [sum(tree_bytes("spool-" + s) for s in sensors), stored(), note])
            samples.flush()
            if not note:
                next_sample += 30
        time.sleep(1)
    elapsed = time.time() - t0
    for s, p in sensors.items():
        check(p.returncode == 0, "%s ended with exit 0 (it was %d)" % (s, p.returncode))
    # Every event read back through the Central API (gsocctl events), as any reader does.
    # A day of traffic per call keeps each reply under its 100,000-event cap.
    stored_ids = {s: [] for _, s in AGENCIES}
    bounds = [0] + [start + d * 86400 for d in range(a.days + 1)] + [None]
    for ag, s in AGENCIES:
        for lo, hi in zip(bounds, bounds[1:]):
            cmd = [bindir + "/gsocctl", "--collector", "127.0.0.1:%d" % port, "--pki", pki, "--analyst", "soak", "--json",
                   "--timeout", "300", "events", "--sensor", s, "--since", str(lo), "--limit", "100000"]
            out = subprocess.run(cmd + (["--until", str(hi)] if hi else []), capture_output=True, text=True)
            check(out.returncode == 0, "gsocctl events --sensor %s --since %s: %s" % (s, lo, out.stderr.strip()))
            reply = json.loads(out.stdout or "{}")
            check(not reply.get("truncated"), "%s: under 100,000 events a day (the reply's cap)" % s)
            stored_ids[s] += [e["event_id"] for e in reply.get("events", [])]
    collector.send_signal(signal.SIGTERM)
    collector.wait(timeout=120)
    check(collector.returncode == 0, "the collector stops cleanly at the end")
    samples.close()

    con = sqlite3.connect(db)
    total_in = total_stored = 0
    for ag, s in AGENCIES:
        ids = event_ids(s + ".events")
        keys = stored_ids[s]
        rows = keys
        total_in += len(ids)
        total_stored += len(rows)
        check(len(ids) > 0 and len(rows) == len(ids) and set(keys) == set(ids),
              "%s: %d events produced, %d stored, %d distinct, %d missing" % (s, len(ids), len(rows), len(set(keys)), len(set(ids) - set(keys))))
    warnings = con.execute("SELECT COUNT(*) FROM publications").fetchone()[0] if con.execute(
        "SELECT name FROM sqlite_master WHERE name='publications'").fetchone() else 0
    con.close()

    def first_last(series, skip_s):
        """A sample a while after a life began (start-up and warm-up left out) and the last."""
        later = [s for s in series if s[0] >= series[0][0] + skip_s] or series
        return later[0], series[-1]

    print("soak: %.0f s; events produced %d, stored %d; publications %d" % (elapsed, total_in, total_stored, warnings))
    for s, series in sensor_rss.items():
        a0, a1 = first_last(series, 0.1 * run_s)
        print("soak: %s RSS %d KiB at %.0f%% of the run, %d KiB at its end" % (s, a0[1], 10, a1[1]))
    long_life = max(lives, key=len)
    if long_life:
        c0, c1 = first_last(long_life, 0.1 * run_s)
        print("soak: collector over its longest life (%.0f-%.0f s), a tenth of the run in and at the end: RSS %d -> %d KiB, "
              "of which SQLite (page cache) %d -> %d KiB, the rest %d -> %d KiB"
              % (long_life[0][0], long_life[-1][0], c0[1], c1[1], c0[2], c1[2], c0[1] - c0[2], c1[1] - c1[2]))
    print("soak: samples in %s" % os.path.join(root, "samples.csv"))
    finish()


if __name__ == "__main__":
    main()
