#!/usr/bin/env python3
"""Page-load bench of the web console (collector/web): how long each page's JSON view takes to
answer over HTTPS with a large centre behind it.

A collector runs with --web on loopback over SQLite; two agencies' sensors ship generated traffic
with the same attacks (so there are real campaigns with evidence to hunt), then the publications
table is filled with --campaigns campaigns (1,000), a warning each, and --notices notices
(100,000), one per campaign and agency as the publisher keeps them (so 100 agencies a campaign),
all updated within the last 7 days (the feed's and notices page's window). Each view is fetched
--repeat times (3) with a signed-in session; the median and the slowest are printed against the
300 ms target. Nothing is asserted: the figures are for docs/console.md.

    bench/console_bench.py --bin build/bin [--source .] [--campaigns 1000] [--notices 100000]

An ASan build (build/asan/bin) answers several times slower than a release build; say which.
"""
import argparse
import http.client
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "collector"))
from harness import WebSession, free_port, init_pki, ship_traffic, start_collector  # noqa: E402

TARGET_MS = 300


def fill(db, campaigns, notices, now_ns):
    """Synthetic publications, as CampaignPublisher writes them (the proto's JSON and the status)."""
    con = sqlite3.connect(db, timeout=30)
    rows = []
    for c in range(campaigns):
        cid = "C-bench%05d" % c
        at = now_ns - (c % 6000) * 60 * 10**9
        agencies = ["A%03d" % i for i in range((notices + campaigns - 1 - c) // campaigns)]
        rows.append(("campaign", cid, "", cid, "", at, "active", json.dumps({
            "id": cid, "title": "Bench campaign %d" % c, "agencies": agencies, "severity": "SEVERITY_HIGH", "status": "STATUS_ACTIVE",
            "first_seen_ns": str(at - 3600 * 10**9), "last_seen_ns": str(at), "event_count": "10",
            "indicators": [{"value": "c2-%d.bench.example" % c, "kind": "KIND_DOMAIN"}]})))
        w = "W-2026-%05d" % c
        rows.append(("warning", "W:" + cid, w, cid, "", at, "", json.dumps({
            "id": "W:" + cid, "number": w, "class": "CLASS_WARNING", "title": "Bench warning %d" % c, "issued_ns": str(at)})))
    for n in range(notices):
        # One notice per campaign and agency, under the publisher's ids: with 100 notices a
        # campaign, a campaign concerns 100 agencies (agency names A000...).
        c = n % campaigns
        cid = "C-bench%05d" % c
        agency = "A%03d" % (n // campaigns)
        at = now_ns - (n % 9000) * 60 * 10**9
        number = "N-2026-%06d" % n
        rows.append(("notice", "N:%s:%s" % (cid, agency), number, cid, agency, at, "new", json.dumps({
            "id": "N:%s:%s" % (cid, agency), "number": number, "agency_id": agency, "state": "STATE_NEW", "severity": "SEVERITY_HIGH",
            "title": "Bench notice %d" % n, "campaign_id": cid, "internal_host": "10.0.%d.%d" % (n % 250, n % 200),
            "history": [{"state": "STATE_NEW", "at_ns": str(at), "by": "bench"}]})))
    with con:
        con.executemany("INSERT OR REPLACE INTO publications(kind, id, number, campaign_id, agency_id, updated_ns, status, json) "
                        "VALUES(?,?,?,?,?,?,?,?)", rows)
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--campaigns", type=int, default=1000)
    ap.add_argument("--notices", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated view names (feed, notices, agencies, sensors, campaign, hunt, export)")
    a = ap.parse_args()
    bindir, src = os.path.abspath(a.bin), os.path.abspath(a.source)
    root = tempfile.mkdtemp(prefix="gsoc-console-bench-")
    procs = []
    try:
        pki, _ = init_pki(src, root, ["MOFA", "MOD"], ["duty"])
        port = free_port()
        conf = os.path.join(root, "collector.yaml")
        with open(conf, "w") as f:
            f.write("listen_address: 127.0.0.1:%d\nca_file: pki/ca.pem\ncert_file: pki/collector.pem\nkey_file: pki/collector.key\n"
                    "store: {sqlite_path: events.db}\ncorrelation_rule_files: [%s]\ncorrelation_idle_flush_s: 1\nstats_interval_s: 0\n"
                    % (port, os.path.join(src, "packaging", "config", "correlation.yaml")))
        start_collector([bindir + "/gsoc-collector", "-c", conf, "--web", "127.0.0.1:0"], root, os.path.join(root, "collector.log"), procs)
        # Two agencies with the same attacks, so there are real campaigns with indicators and evidence.
        ship_traffic(bindir, src, root, port, "MOFA", int(time.time()) - 3600, 31)
        ship_traffic(bindir, src, root, port, "MOD", int(time.time()) - 3540, 32)
        time.sleep(3)  # correlation's idle flush
        ctl = [bindir + "/gsocctl", "--collector", "127.0.0.1:%d" % port, "--pki", pki, "--analyst", "duty"]
        real = json.loads(subprocess.run(ctl + ["--json", "campaigns"], capture_output=True, text=True, check=True).stdout or "{}")
        real = [p["campaign"] for p in real.get("publications", []) if p["campaign"].get("indicators")]
        started = time.time()
        fill(os.path.join(root, "events.db"), a.campaigns, a.notices, time.time_ns())
        print("filled %d campaigns (+%d real), %d warnings, %d notices in %.1f s" % (a.campaigns, len(real), a.campaigns, a.notices,
                                                                                    time.time() - started))
        web = WebSession(ctl, os.path.join(pki, "ca.pem"))
        cookie = web.cookie

        connect = web.connect
        c = connect()

        views = [("feed", "/api/feed"), ("notices", "/api/notices"), ("notices (one agency, waiting)", "/api/notices?show=waiting&agency=A050"),
                 ("notices (page 100, offset)", "/api/notices?offset=49500"), ("agencies", "/api/agencies"), ("sensors", "/api/sensors"),
                 ("campaign (synthetic)", "/api/campaign?id=C-bench%05d" % (a.campaigns // 2))]
        if real:
            views.append(("campaign (real)", "/api/campaign?id=" + real[0]["id"]))
            views.append(("hunt", "/api/hunt?q=" + real[0]["indicators"][0]["value"]))
        views.append(("export stix", "/api/export?format=stix&id=C-bench%05d" % (a.campaigns // 2)))
        # Page 100 of the open notices as the page's "older" button reaches it: by the previous
        # page's cursor (the offset form above reads and drops the 49,500 rows before it).
        cursor = {}
        for _ in range(99):
            c.request("GET", "/api/notices?limit=500" + "".join("&%s=%s" % kv for kv in cursor.items()), headers={"Cookie": cookie})
            nxt = json.loads(c.getresponse().read()).get("next")
            if not nxt:
                break
            cursor = {"after_ns": nxt["after_ns"], "after_id": nxt["after_id"]}
        if cursor:
            views.insert(3, ("notices (page 100, cursor)", "/api/notices?limit=500&after_ns=%s&after_id=%s" % (cursor["after_ns"], cursor["after_id"])))
        print("%-30s %10s %10s %10s  %s" % ("view", "median ms", "max ms", "KiB", "target %d ms" % TARGET_MS))
        only = [v for v in a.only.split(",") if v]
        for name, path in views:
            if only and not any(name.startswith(v) for v in only):
                continue
            times = []
            size = 0
            for _ in range(a.repeat):
                t = time.perf_counter()
                try:
                    c.request("GET", path, headers={"Cookie": cookie})
                    r = c.getresponse()
                    body = r.read()
                except (OSError, http.client.HTTPException) as e:
                    print("%-30s failed after %.0f ms: %s" % (name, (time.perf_counter() - t) * 1000, str(e)[:120]))
                    c.close()
                    c = connect()
                    break
                times.append((time.perf_counter() - t) * 1000)
                size = len(body)
                if r.status != 200:
                    print("%s: %d %s" % (path, r.status, body[:200]))
                    break
            if not times:
                continue
            med = statistics.median(times)
            print("%-30s %10.1f %10.1f %10.0f  %s" % (name, med, max(times), size / 1024, "ok" if med <= TARGET_MS else "OVER"))
        c.close()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
