#!/usr/bin/env python3
"""Two collector front-ends over one store (issue 18): events on two ClickHouse shards, the state
(stream marks, pending inserts, the commit log, hits, publications) in one PostgreSQL, all started
here. Front-end A correlates every front-end's commits from the store's commit log
(--correlate-from-store); B only ingests. Checked:
  1. a campaign whose evidence arrived half at A and half at B is raised once, at both agencies;
  2. a sensor whose front-end is SIGKILLed mid-ship fails over to the other one (its
     collector_addresses) and has every event stored exactly once (the marks are shared, and a
     pending insert the dead front-end left is settled by the live one);
  3. a front-end SIGKILLed and restarted under a slow sensor: exactly once again;
  4. the correlator saw every stored event exactly once, whichever front-end stored it."""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ClickHouseCluster, Postgres, check, free_port, run_test, ship_history, start_collector  # noqa: E402
from transport_test import event_ids  # noqa: E402

T0 = 1700000000


def run(bindir, src, root, procs):
    pki = os.path.join(root, "pki")
    os.makedirs(pki)
    gsoc_pki = os.path.join(src, "scripts", "gsoc-pki")
    for cmd in (["init", pki], ["collector", pki], ["agencies", pki, "MOFA", "MOD", "MIC", "MLIT", "NPA"], ["analyst", pki, "qa"]):
        subprocess.run([gsoc_pki] + cmd, check=True, stdout=subprocess.DEVNULL)
    pg = Postgres(root)
    ch = ClickHouseCluster(root, shards=2)
    try:
        scenario(bindir, src, root, procs, pki, pg, ch)
    finally:
        pg.stop()
        ch.stop()


def scenario(bindir, src, root, procs, pki, pg, ch):
    store = "{backend: clickhouse, clickhouse_shards: [%s], clickhouse_cluster: gsoc, postgresql_dsn: \"%s\", retention_days: 36500}" % (
        ch.urls(), pg.dsn)
    ports = {"A": free_port(), "B": free_port()}
    rules = os.path.join(src, "packaging", "config", "correlation.yaml")
    for fe in ("A", "B"):
        with open(os.path.join(root, "fe-%s.yaml" % fe), "w") as f:
            f.write("listen_address: 127.0.0.1:%d\nca_file: pki/ca.pem\ncert_file: pki/collector.pem\nkey_file: pki/collector.key\n"
                    "store: %s\nstats_interval_s: 0\n" % (ports[fe], store))
            if fe == "A":
                f.write("correlation_rule_files: [%s]\ncorrelation_from_store: true\ncorrelation_lateness_s: 600\n"
                        "correlation_idle_flush_s: 1\n" % rules)
    logs = {"A": 0, "B": 0}

    def start(fe):
        logs[fe] += 1
        return start_collector([bindir + "/gsoc-collector", "-c", os.path.join(root, "fe-%s.yaml" % fe)], root,
                               os.path.join(root, "fe-%s-%d.log" % (fe, logs[fe])), procs)

    def sensor_yaml(agency, fe):
        """The sensor's config: front-end FE first, the other after it (collector_addresses)."""
        sensor = agency.lower() + "-1"
        other = "B" if fe == "A" else "A"
        path = os.path.join(root, "%s-%s.yaml" % (sensor, fe))
        with open(path, "w") as f:
            f.write("sensor_id: %s\nagency_id: %s\ntransport:\n  collector_address: 127.0.0.1:%d\n"
                    "  collector_addresses: [\"127.0.0.1:%d\"]\n  ca_file: pki/ca.pem\n"
                    "  cert_file: pki/sensors/%s.pem\n  key_file: pki/sensors/%s.key\n  spool_dir: spool-%s\n"
                    "  batch_max_events: 20\n  max_in_flight_batches: 2\n  ack_timeout_s: 3\n"
                    % (sensor, agency, ports[fe], ports[other], sensor, sensor, sensor))
        return path

    def sensor_cmd(agency, fe, start_s, seed, extra=()):
        sensor = agency.lower() + "-1"
        pcap = os.path.join(root, sensor + ".pcap")
        if not os.path.exists(pcap):
            subprocess.run([bindir + "/gsoc-trafficgen", "-o", pcap, "--bytes", "1500000", "--seed", str(seed), "--attacks",
                            "--start", str(start_s)], check=True, stdout=subprocess.DEVNULL)
        return [bindir + "/gsoc-sensor", "-c", sensor_yaml(agency, fe), "--pcap", pcap, "--rules-config",
                os.path.join(src, "signatures", "rules", "default", "rules.yaml"), "--stats-interval", "0",
                "--events", os.path.join(root, sensor + ".events")] + list(extra)

    def ship(agency, fe, start_s, seed):
        out = subprocess.run(sensor_cmd(agency, fe, start_s, seed), capture_output=True, text=True, timeout=180, cwd=root)
        check(out.returncode == 0 and "0 events waiting" in out.stdout, "%s shipped its events to front-end %s" % (agency, fe))

    def stored(sensor):
        return int(pg.query("SELECT COALESCE(SUM(events), 0) FROM streams WHERE sensor_id = '%s'" % sensor)[0][0])

    def exactly_once(agency):
        sensor = agency.lower() + "-1"
        ids = event_ids(os.path.join(root, sensor + ".events"))
        out = subprocess.run([bindir + "/gsocctl", "--collector", "127.0.0.1:%d" % ports["B"], "--pki", pki, "--analyst", "qa", "--json",
                              "events", "--since", "0", "--sensor", sensor, "--limit", "100000"], capture_output=True, text=True, timeout=60)
        import json
        rows = json.loads(out.stdout or "{}").get("events", [])
        got = [r["event_id"] for r in rows]
        dups = len(got) - len(set(got))
        check(len(ids) > 0 and set(got) == set(ids) and dups == 0,
              "%s: every event stored exactly once (%d produced, %d stored, %d duplicates, %d missing)"
              % (sensor, len(ids), len(got), dups, len(set(ids) - set(got))))
        return len(ids)

    def slow_sensor(agency, fe, start_s, seed, drain_s):
        """A sensor replaying at 1/20 speed to front-end FE, once its first 40 events are stored."""
        p = subprocess.Popen(sensor_cmd(agency, fe, start_s, seed, ["--replay-speed", "0.05", "--drain-timeout", str(drain_s)]),
                             stdout=open(os.path.join(root, "%s-ship-%s.log" % (agency.lower(), fe)), "w"), stderr=subprocess.STDOUT,
                             cwd=root)
        procs.append(p)
        deadline = time.time() + 60
        while time.time() < deadline and stored(agency.lower() + "-1") < 40:
            time.sleep(0.05)
        return p

    a = start("A")
    b = start("B")
    # 1. One campaign, its evidence at two front-ends.
    ship_history(bindir, src, root, ports["A"], "MLIT", T0)
    ship("MOFA", "A", T0, 31)
    ship("MOD", "B", T0 + 60, 32)
    deadline = time.time() + 30
    wave = []
    while time.time() < deadline and not wave:
        wave = pg.query("SELECT values_json FROM correlation_hits WHERE rule_id = 'targeted-mail-same-attachment'")
        time.sleep(0.5)
    agencies = sorted(set(re.findall(r"M[A-Z]+", " ".join(w[0] for w in wave))))
    check(len(wave) == 1 and agencies == ["MOD", "MOFA"], "the mail wave seen at A and B is raised once, at MOFA and MOD: %s" % wave)
    exactly_once("MOFA")
    exactly_once("MOD")

    # 2. MIC's sensor ships slowly to A; A is SIGKILLed mid-ship; the sensor fails over to B, which
    #    must take A's marks (and A's unsettled insert, if any) as its own.
    p = slow_sensor("MIC", "A", T0 + 120, 33, 90)
    a.kill()
    a.wait()
    before = stored("mic-1")
    p.wait(timeout=180)
    log = open(os.path.join(root, "mic-ship-A.log")).read()
    check(p.returncode == 0 and "127.0.0.1:%d" % ports["B"] in log, "MIC's sensor failed over to front-end B and shipped everything")
    n = exactly_once("MIC")
    check(0 < before < n, "front-end A was killed mid-ship (%d of %d stored)" % (before, n))

    # 3. B SIGKILLed and restarted under NPA's slow sensor.
    a = start("A")
    p = slow_sensor("NPA", "B", T0 + 180, 34, 90)
    b.kill()
    b.wait()
    time.sleep(1)
    b = start("B")
    p.wait(timeout=180)
    check(p.returncode == 0, "NPA's sensor shipped everything across B's restart")
    exactly_once("NPA")

    # 4. The correlator saw each stored event once: what A's tail read equals what is stored.
    time.sleep(2)
    total = int(pg.query("SELECT COALESCE(SUM(events), 0) FROM streams")[0][0])
    tail = int(pg.query("SELECT through FROM commit_tail")[0][0])
    pending = int(pg.query("SELECT COUNT(*) FROM commit_log WHERE state = 0")[0][0])
    check(pending == 0 and tail == int(pg.query("SELECT MAX(commit_no) FROM commit_log")[0][0]),
          "the tail reached the end of the commit log (at %d, %d pending)" % (tail, pending))
    for fe, proc in (("A", a), ("B", b)):
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        check(proc.returncode == 0, "front-end %s stops cleanly" % fe)
    counts = [int(m) for i in range(1, logs["A"] + 1)
              for m in re.findall(r"correlation (\d+) events", open(os.path.join(root, "fe-A-%d.log" % i)).read())]
    replayed = [int(m) for i in range(1, logs["A"] + 1)
                for m in re.findall(r"(\d+) stored events replayed", open(os.path.join(root, "fe-A-%d.log" % i)).read())]
    print("     stored %d; correlated by A's runs %s (the first killed: not logged), replayed at start %s" % (total, counts, replayed))
    # The second run replayed the events of the commits up to the tail's saved position and
    # correlated the rest from the tail: together, every stored event once (the rules select
    # every kind, and the history is inside the windows' horizon).
    check(len(counts) == 1 and len(replayed) == 2 and replayed[1] + counts[0] == total,
          "A's second run saw every stored event once: %d replayed + %d tailed = %d stored" % (
              replayed[1] if len(replayed) > 1 else -1, counts[0] if counts else -1, total))


if __name__ == "__main__":
    run_test("gsoc-frontends-", run)
