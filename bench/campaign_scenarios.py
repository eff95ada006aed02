#!/usr/bin/env python3
"""Recall and precision of the centre's warnings and notices on traffic nobody wrote the rules for.

For each seed, gsoc-trafficgen draws one member of the scenario family (bench/traffic/
ScenarioFamily.hpp): agency profiles, background, decoys and randomized campaigns (phishing, C2
beaconing, scans, surges), with a manifest of what the centre should publish. The centre is wired
as scripts/demo-centre wires it: a PKI from scripts/gsoc-pki, a real gsoc-collector on SQLite
with packaging/config/correlation.yaml, one gsoc-sensor per agency with the shipped default
rules shipping over mutual TLS, but with a realistic allowed lateness (--lateness, default 60 s)
instead of the demo's four days. Clean seeds (--clean-seeds) carry background and decoys only:
everything published there is false.

The replay: a capture replayed as fast as possible lets one sensor run days ahead of another,
and with a realistic lateness the slower agencies' events would all be late. So the sensors
read their captures from FIFOs that this script feeds in one global time order, paced at
--speed event seconds per wall second (default: lateness / 0.1 s, so a sensor may lag 0.1 s of
wall time before its events count as late). The collector's own count of late events is printed
with each run: if it is not zero, part of what was measured is the replay.

Scoring reads only the publications table (warnings, notices, and the campaigns they belong to,
as published JSON): a publication matches an injected campaign when one of its indicator values
(or a notice's external peer) equals one of the campaign's (domains also by suffix), its agencies
meet the campaign's and its window meets the campaign's (one day of slack); a surge, which has no
indicator of its own, by agency and time (one hour of slack). Recall: expected publications
seen, per campaign kind and variant. Precision: publications that match an injected campaign over
all warnings and notices. False: publications that match no campaign (or only a decoy), also as a
rate per 8 agency-weeks (eight agencies watched for a week).

    bench/campaign_scenarios.py --bin build/bin --seeds 5 --clean-seeds 2 --days 3
    bench/campaign_scenarios.py --bin build/bin --seeds 1 --clean-seeds 1 --agencies-range 4 --days 2 \\
        --lateness 600 --speed 4000 --require-recall 1.0 --max-false 0
"""
import argparse
import errno
import fcntl
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

AGENCY_POOL = ["MOFA", "MOD", "MIC", "NPA", "MOJ", "MOF", "MLIT", "DA", "MHLW", "MEXT", "METI", "MAFF"]
START = 1699887600  # 2023-11-14 00:00 JST, a Tuesday (day 0), as the demo
KINDS = ["phishing", "c2_beacon", "scan", "surge"]
CENTRE_KINDS = {"CAMPAIGN_KIND_TARGETED_MAIL": "phishing", "CAMPAIGN_KIND_SCANNING": "scan", "CAMPAIGN_KIND_C2_BEACON": "c2_beacon",
                "CAMPAIGN_KIND_ACCESS_CONCENTRATION": "surge"}
VALUE_SLACK_S = 86400  # correlation windows reach back (a foothold rule spans days)
SURGE_SLACK_S = 3600
F_SETPIPE_SZ = 1031


class BenchError(Exception):
    pass


def log_tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


def run(cmd, timeout, what, **kw):
    try:
        p = subprocess.run(cmd, timeout=timeout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    except subprocess.TimeoutExpired:
        raise BenchError("%s timed out after %d s: %s" % (what, timeout, " ".join(cmd)))
    except OSError as e:
        raise BenchError("%s: cannot run %s: %s" % (what, cmd[0], e))
    if p.returncode != 0:
        raise BenchError("%s failed (exit %d): %s\n%s" % (what, p.returncode, " ".join(cmd), p.stdout[-3000:]))
    return p.stdout


# ---- replay ---------------------------------------------------------------------------------

def read_pcap(path):
    """(global header, [(ts_ns, record bytes)]) of a classic pcap file, either precision or byte order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise BenchError("%s: not a pcap file" % path)
    magic = data[:4]
    formats = {b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\xc3\xd4": (">", 1000), b"\xa1\xb2\x3c\x4d": (">", 1)}
    if magic not in formats:
        raise BenchError("%s: unknown pcap magic %s" % (path, magic.hex()))
    order, scale = formats[magic]
    records, off = [], 24
    header = struct.Struct(order + "IIII")
    while off + 16 <= len(data):
        sec, frac, caplen, _ = header.unpack_from(data, off)
        end = off + 16 + caplen
        if end > len(data):
            raise BenchError("%s: truncated record at byte %d" % (path, off))
        records.append((sec * 1_000_000_000 + frac * scale, data[off:end]))
        off = end
    return data[:24], records


def open_fifo(path, deadline, proc, log):
    """Opens a FIFO for writing once its sensor has opened it for reading."""
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as e:
            if e.errno != errno.ENXIO:
                raise
        if proc.poll() is not None:
            raise BenchError("sensor exited (%d) before reading its capture:\n%s" % (proc.returncode, log_tail(log)))
        if time.monotonic() > deadline:
            raise BenchError("sensor did not open its capture %s in time:\n%s" % (path, log_tail(log)))
        time.sleep(0.05)
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, 1 << 20)  # a burst (a surge) should not block the others' feed
    except OSError:
        pass
    return fd


def feed(fifos, captures, speed, sensors, logs, timeout):
    """Writes every capture into its sensor's FIFO in one global time order, paced at `speed`."""
    deadline = time.monotonic() + 60
    fds = [open_fifo(f, deadline, p, l) for f, p, l in zip(fifos, sensors, logs)]
    try:
        merged = sorted((ts, i, rec) for i, (_, recs) in enumerate(captures) for ts, rec in recs)
        for fd, (header, _) in zip(fds, captures):
            os.write(fd, header)
        if not merged:
            return 0.0
        t0 = merged[0][0]
        wall0 = time.monotonic()
        slice_ns = int(speed * 0.02 * 1e9)  # 20 ms of wall time per write round
        k = 0
        while k < len(merged):
            slice_end = merged[k][0] + slice_ns
            due = wall0 + (merged[k][0] - t0) / 1e9 / speed
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            if now - wall0 > timeout:
                raise BenchError("replay took longer than %d s" % timeout)
            chunks = {}
            while k < len(merged) and merged[k][0] < slice_end:
                chunks.setdefault(merged[k][1], []).append(merged[k][2])
                k += 1
            for i, recs in chunks.items():
                buf = b"".join(recs)
                try:
                    while buf:
                        buf = buf[os.write(fds[i], buf):]
                except BrokenPipeError:
                    raise BenchError("sensor %d stopped reading:\n%s" % (i, log_tail(logs[i])))
        return time.monotonic() - wall0
    finally:
        for fd in fds:
            os.close(fd)


# ---- one run --------------------------------------------------------------------------------

def agencies_for(seed, lo, hi):
    rng = random.Random(seed * 7919 + 17)
    n = rng.randint(lo, hi)
    return AGENCY_POOL[:n]


def publication_count(db):
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM publications").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return -1


def run_one(args, seed, clean, agencies, out):
    src, bin_dir = args.source, args.bin
    pki = os.path.join(out, "pki")
    os.makedirs(pki)
    gen = args.trafficgen or os.path.join(bin_dir, "gsoc-trafficgen")
    run([os.path.join(src, "scripts/gsoc-pki"), "init", pki], 60, "gsoc-pki init")
    run([os.path.join(src, "scripts/gsoc-pki"), "collector", pki], 60, "gsoc-pki collector")
    run([os.path.join(src, "scripts/gsoc-pki"), "agencies", pki] + agencies, 120, "gsoc-pki agencies")
    common = ["--scenario-seed", str(seed), "--scenario-agencies", ",".join(agencies), "--days", str(args.days), "--start", str(START)]
    if clean:
        common.append("--clean")
    manifest_path = os.path.join(out, "manifest.json")
    run([gen, "--scenario-manifest", manifest_path] + common, 60, "gsoc-trafficgen manifest")
    with open(manifest_path) as f:
        manifest = json.load(f)
    pcaps = []
    for a in agencies:
        pcap = os.path.join(out, a.lower() + ".pcap")
        run([gen, "-o", pcap, "--scenario-agency", a] + common, 120, "gsoc-trafficgen " + a)
        pcaps.append(pcap)
    captures = [read_pcap(p) for p in pcaps]
    rules = args.correlation_rules or os.path.join(src, "packaging/config/correlation.yaml")
    with open(os.path.join(out, "collector.yaml"), "w") as f:
        f.write("correlation_rule_files: [%s]\ncorrelation_lateness_s: %d\ncorrelation_idle_flush_s: %d\n" % (rules, args.lateness, args.idle_flush))
    db = os.path.join(out, "events.db")
    ready = os.path.join(out, "collector.port")
    collector_log = os.path.join(out, "collector.log")
    procs = []
    try:
        with open(collector_log, "w") as lf:
            collector = subprocess.Popen(
                [os.path.join(bin_dir, "gsoc-collector"), "--listen", "127.0.0.1:0", "--ca", os.path.join(pki, "ca.pem"),
                 "--cert", os.path.join(pki, "collector.pem"), "--key", os.path.join(pki, "collector.key"), "--crl", os.path.join(pki, "crl.pem"),
                 "--sqlite", db, "--ready-file", ready, "--stats-interval", "0", "--retention-days", "0",
                 "-c", os.path.join(out, "collector.yaml")], stdout=lf, stderr=subprocess.STDOUT, cwd=out)
        procs.append(collector)
        deadline = time.monotonic() + 60
        while not (os.path.exists(ready) and os.path.getsize(ready) > 0):
            if collector.poll() is not None:
                raise BenchError("gsoc-collector exited (%d):\n%s" % (collector.returncode, log_tail(collector_log)))
            if time.monotonic() > deadline:
                raise BenchError("gsoc-collector not ready in 60 s:\n%s" % log_tail(collector_log))
            time.sleep(0.1)
        with open(ready) as f:
            port = f.read().strip()
        sensors, logs, fifos = [], [], []
        for a, pcap in zip(agencies, pcaps):
            sid = a.lower() + "-1"
            cfg = os.path.join(out, sid + ".yaml")
            with open(cfg, "w") as f:
                f.write("sensor_id: %s\nagency_id: %s\ntransport:\n  collector_address: 127.0.0.1:%s\n  ca_file: %s\n  cert_file: %s\n"
                        "  key_file: %s\n  spool_dir: %s\n" % (sid, a, port, os.path.join(pki, "ca.pem"), os.path.join(pki, "sensors", sid + ".pem"),
                                                           os.path.join(pki, "sensors", sid + ".key"), os.path.join(out, "spool-" + sid)))
            fifo = pcap + ".fifo"
            os.mkfifo(fifo)
            log = os.path.join(out, sid + ".log")
            with open(log, "w") as lf:
                p = subprocess.Popen([os.path.join(bin_dir, "gsoc-sensor"), "-c", cfg, "--pcap", fifo, "--rules-config",
                                      args.sensor_rules or os.path.join(src, "signatures/rules/default/rules.yaml"), "--stats-interval", "0"],
                                     stdout=lf, stderr=subprocess.STDOUT, cwd=out)
            procs.append(p)
            sensors.append(p)
            logs.append(log)
            fifos.append(fifo)
        span_s = args.days * 86400
        replay_budget = span_s / args.speed * 3 + 60
        wall = feed(fifos, captures, args.speed, sensors, logs, replay_budget)
        for p, log in zip(sensors, logs):
            try:
                rc = p.wait(timeout=120)
            except subprocess.TimeoutExpired:
                raise BenchError("a sensor did not finish within 120 s of the end of its capture:\n%s" % log_tail(log))
            if rc != 0:
                raise BenchError("a sensor exited %d:\n%s" % (rc, log_tail(log)))
        # Correlation flushes once ingest has been quiet for idle_flush seconds; wait for the
        # publications to stop changing.
        last, stable, deadline = -2, 0, time.monotonic() + 180
        while stable < args.settle and time.monotonic() < deadline:
            time.sleep(1)
            n = publication_count(db)
            stable = stable + 1 if n == last else 0
            last = n
        if stable < args.settle:
            raise BenchError("publications did not settle within 180 s")
        collector.send_signal(signal.SIGTERM)
        try:
            collector.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise BenchError("gsoc-collector did not stop within 60 s of SIGTERM")
        late = None
        m = re.search(r"correlation\s+(\d+) events, (\d+) hits raised.*?(\d+) late events", log_tail(collector_log, 50))
        if m:
            late = int(m.group(3))
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        try:
            rows = con.execute("SELECT kind, id, campaign_id, agency_id, json FROM publications").fetchall()
            events = con.execute("SELECT COALESCE(SUM(events), 0) FROM streams").fetchone()[0]  # stored, per stream
        finally:
            con.close()
        return manifest, rows, {"late_events": late, "events": events, "replay_wall_s": round(wall, 1),
                                "bytes": sum(os.path.getsize(p) for p in pcaps)}
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass


# ---- scoring --------------------------------------------------------------------------------

def ns_to_s(v):
    try:
        return int(v) / 1e9
    except (TypeError, ValueError):
        return None


def publications(rows):
    """Warnings and notices with what scoring needs: values, agencies, window, the centre's kind."""
    campaigns = {r[1]: json.loads(r[4]) for r in rows if r[0] == "campaign"}
    pubs = []
    for kind, pid, campaign_id, agency_id, text in rows:
        if kind not in ("warning", "notice"):
            continue
        p = json.loads(text)
        c = campaigns.get(campaign_id) or campaigns.get(p.get("campaign_id", "")) or {}
        values = {str(i.get("value", "")).lower() for i in p.get("indicators", [])}
        values |= {str(i.get("value", "")).lower() for i in c.get("indicators", [])}
        if kind == "notice":
            values.add(str(p.get("external_peer", "")).lower())
            agencies = {p.get("agency_id") or agency_id}
            lo, hi = ns_to_s(p.get("window_start_ns")), ns_to_s(p.get("window_end_ns"))
        else:
            agencies = set(c.get("agencies", []))
            lo, hi = ns_to_s(c.get("first_seen_ns")), ns_to_s(c.get("last_seen_ns"))
            if lo is None:
                lo = ns_to_s(p.get("issued_ns"))
        lo = lo if lo is not None else ns_to_s(c.get("first_seen_ns"))
        hi = hi if hi is not None else (ns_to_s(c.get("last_seen_ns")) or lo)
        values.discard("")
        pubs.append({"kind": kind, "id": pid, "number": p.get("number", ""), "title": p.get("title", ""), "class": p.get("class", ""),
                     "agency": p.get("agency_id", "") if kind == "notice" else "", "agencies": sorted(a for a in agencies if a),
                     "values": sorted(values), "window": (lo, hi), "centre_kind": CENTRE_KINDS.get(c.get("kind", ""), "other"),
                     "rule": c.get("correlation_rule", "")})
    return pubs


def value_match(a, b):
    if a == b:
        return True
    a, b = a.lstrip("."), b.lstrip(".")
    return "." in a and "." in b and not a.replace(".", "").isdigit() and (a.endswith("." + b) or b.endswith("." + a))


def overlaps(window, start, end, slack):
    lo, hi = window
    if lo is None:
        return True
    hi = hi if hi is not None else lo
    return lo <= end + slack and hi >= start - slack


def matches(pub, camp):
    agencies = set(camp["agencies"])
    if pub["agencies"] and not agencies & set(pub["agencies"]):
        return False
    if camp["kind"] == "surge":
        return False  # matched by agency and time, only when nothing else claims the publication
    values = [i["value"].lower() for i in camp["indicators"] if i["type"] not in ("c2_port", "internal_host", "surged_agency")]
    if not any(value_match(v, w) for v in values for w in pub["values"]):
        return False
    return overlaps(pub["window"], camp["start"], camp["end"], VALUE_SLACK_S)


def score_run(manifest, rows, seed, clean):
    pubs = publications(rows)
    camps = manifest["campaigns"]
    for p in pubs:
        p["matched"] = [c["id"] for c in camps if matches(p, c)]
        if not p["matched"]:
            p["matched"] = [c["id"] for c in camps if c["kind"] == "surge" and set(p["agencies"]) & set(c["agencies"])
                            and overlaps(p["window"], c["start"], c["end"], SURGE_SLACK_S)]
    by_id = {c["id"]: c for c in camps}
    expectations = []
    for c in camps:
        for e in c.get("expect", []):
            accept = e.get("accept", [e["kind"]])
            seen = [p["number"] or p["id"] for p in pubs if c["id"] in p["matched"] and p["kind"] in accept
                    and (not e.get("agency") or p["kind"] == "warning" or p["agency"] == e["agency"])
                    and (not e.get("agency") or e["agency"] in p["agencies"] or not p["agencies"])]
            expectations.append({"seed": seed, "campaign": c["id"], "kind": c["kind"], "variant": c.get("variant", ""),
                                 "expect": e["kind"], "agency": e.get("agency", ""), "seen": bool(seen), "by": seen,
                                 "detail": c.get("detail", {})})
    results = []
    for p in pubs:
        real = [m for m in p["matched"] if not by_id[m].get("decoy")]
        decoys = [m for m in p["matched"] if by_id[m].get("decoy")]
        results.append({"seed": seed, "clean": clean, "kind": p["kind"], "number": p["number"], "title": p["title"], "class": p["class"],
                        "agency": p["agency"], "values": p["values"][:6], "centre_kind": p["centre_kind"], "rule": p["rule"],
                        "true": bool(real), "campaigns": real, "decoys": decoys,
                        "campaign_kind": by_id[real[0]]["kind"] if real else ""})
    return expectations, results


def ratio(a, b):
    return a / b if b else None


def fmt(v):
    return "-" if v is None else "%.2f" % v


def summarise(runs, expectations, pubs):
    table = {}
    for k in KINDS:
        ex = [e for e in expectations if e["kind"] == k]
        tp = [p for p in pubs if p["true"] and p["campaign_kind"] == k]
        claimed = [p for p in pubs if (p["true"] and p["campaign_kind"] == k) or (not p["true"] and p["centre_kind"] == k)]
        table[k] = {"expected": len(ex), "seen": sum(e["seen"] for e in ex), "recall": ratio(sum(e["seen"] for e in ex), len(ex)),
                    "publications": len(claimed), "true": len(tp), "precision": ratio(len(tp), len(claimed))}
    true_n = sum(p["true"] for p in pubs)
    false_pubs = [p for p in pubs if not p["true"]]
    agency_weeks = {"campaign": sum(r["agencies"] * r["days"] / 7 for r in runs if not r["clean"]),
                    "clean": sum(r["agencies"] * r["days"] / 7 for r in runs if r["clean"])}
    false_by = {"campaign": sum(1 for p in false_pubs if not p["clean"]), "clean": sum(1 for p in false_pubs if p["clean"])}
    rate = {k: ratio(false_by[k] * 8, agency_weeks[k]) for k in agency_weeks}
    rate["all"] = ratio(len(false_pubs) * 8, sum(agency_weeks.values()))
    variants = {}
    for e in expectations:
        v = variants.setdefault(e["kind"] + " " + e["variant"] + " -> " + e["expect"], [0, 0])
        v[0] += 1
        v[1] += e["seen"]
    return {"kinds": table, "overall": {"expected": len(expectations), "seen": sum(e["seen"] for e in expectations),
                                        "recall": ratio(sum(e["seen"] for e in expectations), len(expectations)),
                                        "publications": len(pubs), "true": true_n, "precision": ratio(true_n, len(pubs))},
            "false": {"count": len(false_pubs), "by_run_type": false_by, "agency_weeks": agency_weeks, "per_8_agency_weeks": rate},
            "variants": {k: {"expected": v[0], "seen": v[1]} for k, v in sorted(variants.items())}}


def print_report(runs, expectations, pubs, summary):
    print("runs:")
    print("  %-6s %-5s %-8s %-4s %8s %9s %6s %6s %6s %6s" % ("seed", "clean", "agencies", "days", "MiB", "events", "late", "expect", "seen", "false"))
    for r in runs:
        if "error" in r:
            print("  %-6s %-5s %-8s %-4s ERROR %s" % (r["seed"], "yes" if r["clean"] else "no", r["agencies"], r["days"], r["error"].splitlines()[0]))
            continue
        print("  %-6s %-5s %-8d %-4d %8.1f %9d %6s %6d %6d %6d" % (
            r["seed"], "yes" if r["clean"] else "no", r["agencies"], r["days"], r["bytes"] / 2**20, r["events"],
            "?" if r["late_events"] is None else r["late_events"], r["expected"], r["seen"], r["false"]))
    print()
    print("  %-10s %8s %5s %7s | %12s %5s %9s" % ("kind", "expected", "seen", "recall", "publications", "true", "precision"))
    for k, t in summary["kinds"].items():
        print("  %-10s %8d %5d %7s | %12d %5d %9s" % (k, t["expected"], t["seen"], fmt(t["recall"]), t["publications"], t["true"], fmt(t["precision"])))
    o = summary["overall"]
    print("  %-10s %8d %5d %7s | %12d %5d %9s" % ("all", o["expected"], o["seen"], fmt(o["recall"]), o["publications"], o["true"], fmt(o["precision"])))
    f = summary["false"]
    print()
    print("false warnings+notices: %d (%d in campaign runs, %d in clean runs); per 8 agency-weeks: %s campaign runs, %s clean runs, %s all" % (
        f["count"], f["by_run_type"]["campaign"], f["by_run_type"]["clean"], fmt(f["per_8_agency_weeks"]["campaign"]),
        fmt(f["per_8_agency_weeks"]["clean"]), fmt(f["per_8_agency_weeks"]["all"])))
    print()
    print("recall by variant:")
    for k, v in summary["variants"].items():
        print("  %d/%d  %s" % (v["seen"], v["expected"], k))
    missed = [e for e in expectations if not e["seen"]]
    if missed:
        print()
        print("missed:")
        for e in missed:
            d = e["detail"]
            extra = ""
            if "c2_protocol" in d:
                extra = " (C2 %s every %s, jitter %s, %s)" % (d["c2_protocol"], d["c2_period"], d["c2_jitter"],
                                                              "office hours" if d.get("c2_sleeps_at_night") else "always on")
            if "surge_factor" in d:
                extra = " (x%s for %s min)" % (d["surge_factor"], d["surge_minutes"])
            print("  seed %s %s %-9s %-45s %s %s%s" % (e["seed"], e["campaign"], e["kind"], e["variant"], e["expect"], e["agency"], extra))
    false_pubs = [p for p in pubs if not p["true"]]
    if false_pubs:
        print()
        print("false publications:")
        for p in false_pubs:
            why = "decoy " + ",".join(p["decoys"]) if p["decoys"] else "background"
            print("  seed %s%s %-7s %-11s %-6s %-60s %s [%s]" % (p["seed"], " clean" if p["clean"] else "", p["kind"], p["number"], p["agency"],
                                                               p["title"][:60], ",".join(p["values"][:3])[:60], why))


def with_et_open(src, et_dir):
    """A rules configuration: the default rules and indicator lists (absolute paths) plus the ET
    Open directory, with a compiled-database cache so that each sensor does not recompile."""
    default_dir = os.path.join(os.path.abspath(src), "signatures/rules/default")
    if not os.path.isdir(et_dir):
        raise SystemExit("--et-open: no directory %s" % et_dir)
    with open(os.path.join(default_dir, "rules.yaml")) as f:
        text = f.read()
    text = text.replace("  - gsoc-default.rules", "  - %s/gsoc-default.rules\n  - %s" % (default_dir, et_dir))
    text = text.replace("path: indicators/", "path: %s/indicators/" % default_dir)
    work = tempfile.mkdtemp(prefix="gsoc-et-rules-")
    path = os.path.join(work, "rules.yaml")
    with open(path, "w") as f:
        f.write(text + "cache_dir: %s\n" % os.path.join(work, "cache"))
    return path


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="directory with gsoc-collector, gsoc-sensor and gsoc-trafficgen")
    ap.add_argument("--trafficgen", help="gsoc-trafficgen to use (default: BIN/gsoc-trafficgen)")
    ap.add_argument("--source", default=os.path.dirname(here), help="source tree (scripts/, packaging/, signatures/)")
    ap.add_argument("--seeds", type=int, default=5, help="campaign seeds (1..N)")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--clean-seeds", type=int, default=2, help="clean seeds (background and decoys only), numbered after the campaign seeds")
    ap.add_argument("--agencies-range", default="3-8", help="agencies per run, LO-HI (drawn per seed) or N; 2 to 12")
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--correlation-rules", help="correlation rules file (default: SOURCE/packaging/config/correlation.yaml)")
    ap.add_argument("--sensor-rules", help="the sensors' rules configuration (default: SOURCE/signatures/rules/default/rules.yaml)")
    ap.add_argument("--et-open", metavar="DIR", help="add this ET Open rules directory (e.g. ../shared/rules/et-open) to the "
                    "default rules, as an agency would run them; compiled once into a cache shared by the sensors")
    ap.add_argument("--lateness", type=int, default=60, help="correlation_lateness_s (default 60)")
    ap.add_argument("--speed", type=float, help="replay speed, event seconds per wall second (default: lateness / 0.1 s)")
    ap.add_argument("--idle-flush", type=int, default=1, help="correlation_idle_flush_s (default 1)")
    ap.add_argument("--settle", type=int, default=4, help="seconds without new publications that end a run (default 4)")
    ap.add_argument("--json", help="write the results as JSON here")
    ap.add_argument("--keep", help="keep each run's files (captures, manifest, store, logs) under this directory")
    ap.add_argument("--require-recall", type=float, help="exit 1 when overall recall is below this")
    ap.add_argument("--max-false", type=int, help="exit 1 when more false warnings+notices than this")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    args.source = os.path.abspath(args.source)
    if args.trafficgen:
        args.trafficgen = os.path.abspath(args.trafficgen)
    if args.correlation_rules:
        args.correlation_rules = os.path.abspath(args.correlation_rules)
    if args.sensor_rules:
        args.sensor_rules = os.path.abspath(args.sensor_rules)
    if args.et_open:
        if args.sensor_rules:
            ap.error("--et-open adds to the default rules: give it or --sensor-rules, not both")
        args.sensor_rules = with_et_open(args.source, os.path.abspath(args.et_open))
        # Fill the cache once, before the sensors of the first run start together.
        subprocess.run([os.path.join(os.path.abspath(args.bin), "gsoc-rules"), "check", "-q", "-c", args.sensor_rules],
                       stdout=subprocess.DEVNULL, check=True)
    if args.speed is None:
        args.speed = args.lateness / 0.1
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", args.agencies_range)
    if not m:
        ap.error("--agencies-range: LO-HI or N")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if not 2 <= lo <= hi <= 12:
        ap.error("--agencies-range: between 2 and 12")
    if args.days < 1 or args.seeds < 0 or args.clean_seeds < 0 or args.speed <= 0:
        ap.error("--days must be at least 1, --seeds and --clean-seeds not negative, --speed positive")
    for tool in ("gsoc-collector", "gsoc-sensor"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            ap.error("%s not found in %s" % (tool, args.bin))
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    plan = [(args.first_seed + i, False) for i in range(args.seeds)] + \
           [(args.first_seed + args.seeds + i, True) for i in range(args.clean_seeds)]
    print("campaign scenarios: %d campaign + %d clean seeds, %s agencies, %d days, lateness %d s, replay x%g (%.0f s per run)" % (
        args.seeds, args.clean_seeds, args.agencies_range, args.days, args.lateness, args.speed, args.days * 86400 / args.speed), flush=True)
    runs, expectations, pubs = [], [], []
    for seed, clean in plan:
        agencies = agencies_for(seed, lo, hi)
        base = args.keep or tempfile.gettempdir()
        out = tempfile.mkdtemp(prefix="scenario-%d%s-" % (seed, "-clean" if clean else ""), dir=base)
        record = {"seed": seed, "clean": clean, "agencies": len(agencies), "days": args.days}
        began = time.monotonic()
        try:
            manifest, rows, stats = run_one(args, seed, clean, agencies, out)
            ex, ps = score_run(manifest, rows, seed, clean)
            expectations += ex
            pubs += ps
            record.update(stats)
            record.update({"expected": len(ex), "seen": sum(e["seen"] for e in ex), "false": sum(not p["true"] for p in ps),
                           "publications": len(ps), "dir": out if args.keep else None})
        except (BenchError, OSError, sqlite3.Error, ValueError) as e:
            record["error"] = str(e)
            print("seed %d: %s" % (seed, e), file=sys.stderr, flush=True)
        finally:
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
        record["wall_s"] = round(time.monotonic() - began, 1)
        runs.append(record)
        if "error" not in record:
            print("seed %d%s: %d agencies, %d/%d expected seen, %d false, %s late events, %.0f s" % (
                seed, " (clean)" if clean else "", len(agencies), record["seen"], record["expected"], record["false"],
                record["late_events"], record["wall_s"]), flush=True)
    ok_runs = [r for r in runs if "error" not in r]
    summary = summarise(ok_runs, expectations, pubs)
    print()
    print_report(runs, expectations, pubs, summary)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"options": {k: v for k, v in vars(args).items()}, "runs": runs, "summary": summary,
                       "expectations": expectations, "publications": pubs}, f, indent=1, ensure_ascii=False)
    failed = len(ok_runs) != len(runs)
    if args.require_recall is not None and (summary["overall"]["recall"] or 0) < args.require_recall and summary["overall"]["expected"]:
        print("FAIL: recall %s below %s" % (fmt(summary["overall"]["recall"]), args.require_recall))
        failed = True
    if args.max_false is not None and summary["false"]["count"] > args.max_false:
        print("FAIL: %d false warnings+notices, more than %d" % (summary["false"]["count"], args.max_false))
        failed = True
    if len(ok_runs) != len(runs):
        print("FAIL: %d of %d runs failed" % (len(runs) - len(ok_runs), len(runs)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
