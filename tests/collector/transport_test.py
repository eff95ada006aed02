#!/usr/bin/env python3
"""Transport end to end, with real processes on loopback.

A PKI from scripts/gsoc-pki; one gsoc-collector (SQLite, or a PostgreSQL server this test starts
with initdb/pg_ctl); three agency sensors replaying generated uplink traffic at 1/25 of recorded speed
over mutual TLS, while the collector is SIGKILLed and restarted, then stalled with SIGSTOP;
a sensor revoked while it streams (the CRL reload must cut its open stream at once);
a fourth sensor that spools with no collector, is SIGKILLed while shipping its spool, and
ships the rest on its next run; hostile clients (no certificate, another CA, a revoked
certificate, a spoofed agency or sensor, malformed and oversized batches); and, before all that,
a collector given bad TLS material or a bad listen address must refuse to start, naming it.

Afterwards the store must hold exactly the events the sensors produced (the event ids of their
--events files, each once, and the alert counts per signature of their EVE files), read through
the Central API's Events call (`gsocctl events`), as every reader of events does; while the
collector is down, progress is read from the per-stream counters (`streams`), which change in
the same transaction as the events. Every refusal must have been answered with the right status
and recorded.
"""
import argparse
import collections
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

from harness import check, finish, free_port
from harness import ClickHouseCluster, Postgres, sqlite_query
from harness import start_collector as harness_start

AGENCIES = [("MOFA", "mofa-1", 11), ("MOD", "mod-1", 12), ("MIC", "mic-1", 13)]


def event_ids(path):
    """Event ids (field 1) of a length-delimited gsoc.v1.Event file."""
    data = open(path, "rb").read()
    ids, pos = [], 0

    def varint(p):
        v = shift = 0
        while True:
            b = data[p]
            p += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v, p

    while pos < len(data):
        n, pos = varint(pos)
        msg_end = pos + n
        assert data[pos] == 0x0A, "event_id is not the first field"
        sl, p = varint(pos + 1)
        ids.append(data[p:p + sl].decode())
        pos = msg_end
    return ids


def eve_counts(path):
    kinds, sids = collections.Counter(), collections.Counter()
    for line in open(path):
        r = json.loads(line)
        kinds[r["event_type"]] += 1
        if r["event_type"] == "alert":
            sids[r["alert"]["signature_id"]] += 1
    return kinds, sids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "clickhouse"], default="sqlite")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="gsoc-transport-")
    procs = []
    try:
        run_test(a, root, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
                p.kill()
                p.wait()
        if a.keep:
            print("kept", root)
        else:
            shutil.rmtree(root, ignore_errors=True)
    finish()


def run_test(a, root, procs):
    bindir, src = a.bin, a.source
    pki = os.path.join(root, "pki")
    os.makedirs(pki)
    gsoc_pki = os.path.join(src, "scripts", "gsoc-pki")
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run([gsoc_pki, "init", pki], check=True, **quiet)
    subprocess.run([gsoc_pki, "collector", pki], check=True, **quiet)
    subprocess.run([gsoc_pki, "agencies", pki] + [ag for ag, _, _ in AGENCIES], check=True, **quiet)
    subprocess.run([gsoc_pki, "sensor", pki, "CAS", "probe-1"], check=True, **quiet)
    subprocess.run([gsoc_pki, "sensor", pki, "MOFA", "stolen-1"], check=True, **quiet)
    subprocess.run([gsoc_pki, "revoke", pki, "stolen-1"], check=True, **quiet)
    subprocess.run([gsoc_pki, "analyst", pki, "qa"], check=True, **quiet)
    other = os.path.join(root, "other-ca")
    os.makedirs(other)
    subprocess.run([gsoc_pki, "init", other], check=True, **quiet)
    subprocess.run([gsoc_pki, "sensor", other, "MOFA", "mofa-1"], check=True, **quiet)

    ch = None
    if a.backend == "postgresql":
        pg = Postgres(root)
        store_args = ["--postgresql", pg.dsn]
        query = pg.query
    else:
        pg = None
        db = os.path.join(root, "events.db")
        store_args = ["--sqlite", db]
        if a.backend == "clickhouse":  # events on two shards, the state in SQLite
            ch = ClickHouseCluster(root, shards=2)
            store_args += ["--clickhouse", ch.urls(), "--clickhouse-cluster", "gsoc"]

        query = sqlite_query(db)
    try:
        run_pipeline(a, root, procs, pki, other, store_args, query, bindir, src, ch)
    finally:
        if pg:
            pg.stop()
        if ch:
            ch.stop()


def shard_of(sensor, shards):
    """The collector's shard for a sensor (ClickHouseEventStore::shardOf: FNV-1a of its id)."""
    h = 14695981039346656037
    for c in sensor.encode():
        h = ((h ^ c) * 1099511628211) % (1 << 64)
    return h % shards


def run_pipeline(a, root, procs, pki, other, store_args, query, bindir, src, ch):
    port = free_port()
    address = "127.0.0.1:%d" % port
    metrics_port = free_port()
    col_conf = os.path.join(root, "collector.yaml")
    with open(col_conf, "w") as f:
        f.write("listen_address: %s\nca_file: pki/ca.pem\ncert_file: pki/collector.pem\nkey_file: pki/collector.key\n"
                "crl_file: pki/crl.pem\nmax_batch_bytes: 1048576\nkeepalive_time_s: 2\nmetrics_address: 127.0.0.1:%d\n" % (address, metrics_port))
    col_log_path = os.path.join(root, "collector.log")

    def start_collector():
        return harness_start([bindir + "/gsoc-collector", "-c", col_conf, "--stats-interval", "1", "--retention-days", "0"] + store_args,
                             root, col_log_path, procs)

    # Traffic: one generated uplink capture per agency, with the attacks the default ruleset sees.
    for ag, sensor, seed in AGENCIES + [("CAO", "cao-1", 14)]:
        subprocess.run([bindir + "/gsoc-trafficgen", "-o", os.path.join(root, sensor + ".pcap"), "--bytes", "3000000",
                        "--seed", str(seed), "--attacks"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([gsoc_pki_path(src), "agencies", pki, "CAO"], check=True, stdout=subprocess.DEVNULL)

    def sensor_conf(agency, sensor, batch_events=50, in_flight=4):
        path = os.path.join(root, sensor + ".yaml")
        with open(path, "w") as f:
            f.write("sensor_id: %s\nagency_id: %s\ntransport:\n  collector_address: %s\n  ca_file: pki/ca.pem\n"
                    "  cert_file: pki/sensors/%s.pem\n  key_file: pki/sensors/%s.key\n  spool_dir: spool-%s\n"
                    "  batch_max_events: %d\n  max_in_flight_batches: %d\n  heartbeat_interval_s: 1\n  ack_timeout_s: 3\n"
                    % (sensor, agency, address, sensor, sensor, sensor, batch_events, in_flight))
        return path

    rules = os.path.join(src, "signatures", "rules", "default", "rules.yaml")

    def sensor_cmd(sensor, conf, extra, run):
        return [bindir + "/gsoc-sensor", "-c", conf, "--pcap", os.path.join(root, sensor + ".pcap"), "--rules-config", rules,
                "--eve", os.path.join(root, "%s-%s.eve.json" % (sensor, run)),
                "--events", os.path.join(root, "%s-%s.events" % (sensor, run)), "--stats-interval", "0"] + extra

    if a.backend == "sqlite":  # start-up checks do not depend on the store: once is enough
        check_startup_refusals(bindir, root, pki)
    collector = start_collector()

    # 1. Three sensors at 1/25 of their recorded speed (about 10 s each) while the collector is killed and
    #    restarted, then stalled: their spools must carry them through both.
    sensors = []
    for ag, sensor, _ in AGENCIES:
        conf = sensor_conf(ag, sensor)
        log = open(os.path.join(root, sensor + ".log"), "w")
        p = subprocess.Popen(sensor_cmd(sensor, conf, ["--replay-speed", "0.04", "--drain-timeout", "90"], "a"),
                             stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        sensors.append((ag, sensor, p))

    # Kill it once the first events are stored, not after a fixed time: under ASan on a busy
    # machine the sensors may not have shipped anything 1.5 s after they started.
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if stored_events(query) > 0:
                break
        except Exception:  # the store not created yet, or busy: look again
            pass
        time.sleep(0.1)
    collector.kill()  # SIGKILL mid-stream
    collector.wait()
    stored_before = stored_events(query)
    time.sleep(1.5)
    collector = start_collector()
    time.sleep(1.5)
    collector.send_signal(signal.SIGSTOP)  # the connection blocks: no acks, no reads
    time.sleep(4)
    collector.send_signal(signal.SIGCONT)
    if ch:
        # A shard SIGKILLed while the sensors flow: its sensors' batches fail and are resent once
        # it is back; the other shard's keep committing. Step 3 counts every event exactly once.
        shards = {sensor: shard_of(sensor, 2) for _, sensor, _ in AGENCIES}
        check(set(shards.values()) == {0, 1}, "the sensors are spread over both shards: %s" % shards)
        time.sleep(1)
        ch.kill(1)
        time.sleep(3)
        ch.start(1)
    # Hostile clients while the sensors flow.
    probe = bindir + "/gsoc_ingest_probe"

    def probe_run(cert, key, sensor, agency, mode, ca=None):
        out = subprocess.run([probe, address, ca or os.path.join(pki, "ca.pem"), cert, key, sensor, agency, mode],
                             capture_output=True, text=True, timeout=30).stdout.strip()
        return dict(kv.split("=", 1) for kv in out.split(" ", 3))

    pc, pk = os.path.join(pki, "sensors", "probe-1.pem"), os.path.join(pki, "sensors", "probe-1.key")
    r = probe_run("-", "-", "mofa-1", "MOFA", "ok")
    check(r["status"] == "UNAUTHENTICATED", "a client without a certificate is refused: %s" % r)
    r = probe_run(os.path.join(other, "sensors", "mofa-1.pem"), os.path.join(other, "sensors", "mofa-1.key"), "mofa-1", "MOFA", "ok")
    check(r["status"] == "UNAVAILABLE" and r["acks"] == "0", "a certificate from another CA fails the TLS handshake: %s" % r)
    r = probe_run(os.path.join(pki, "sensors", "stolen-1.pem"), os.path.join(pki, "sensors", "stolen-1.key"), "stolen-1", "MOFA", "ok")
    check(r["status"] == "PERMISSION_DENIED" and "revoked" in r["reason"], "a revoked certificate is refused: %s" % r)
    r = probe_run(pc, pk, "probe-1", "CAS", "spoof-agency")
    check(r["status"] == "PERMISSION_DENIED" and "claims agency 'MOFA'" in r["reason"], "a batch claiming another agency is refused: %s" % r)
    r = probe_run(pc, pk, "probe-1", "CAS", "spoof-sensor")
    check(r["status"] == "PERMISSION_DENIED" and "claims sensor 'mofa-1'" in r["reason"], "a batch claiming another sensor is refused: %s" % r)
    r = probe_run(pc, pk, "probe-1", "CAS", "malformed")
    check(r["status"] == "OK" and r["ack_status"] == "STATUS_REJECTED" and "timestamp_ns" in r["reason"],
          "a malformed batch is rejected with the reason: %s" % r)
    r = probe_run(pc, pk, "probe-1", "CAS", "garbage")
    check(r["status"] == "INVALID_ARGUMENT" and "unreadable" in r["reason"], "an unreadable Ship message is refused: %s" % r)
    r = probe_run(pc, pk, "probe-1", "CAS", "oversize")
    check(r["status"] == "RESOURCE_EXHAUSTED", "an oversized batch is refused: %s" % r)
    r = probe_run(pc, pk, "mofa-1", "CAS", "heartbeat")
    check(r["status"] == "PERMISSION_DENIED", "a heartbeat claiming another sensor is refused: %s" % r)

    for ag, sensor, p in sensors:
        p.wait(timeout=240)
        check(p.returncode == 0, "sensor %s exited 0" % sensor)
    produced = sum(len(event_ids(os.path.join(root, s + "-a.events"))) for _, s, _ in AGENCIES)
    check(0 < stored_before < produced, "the collector was killed mid-stream (%d of %d events stored)" % (stored_before, produced))

    revoke_while_streaming(a, root, procs, pki, query, bindir, collector, col_log_path, sensor_conf, sensor_cmd)

    # 2. A sensor whose collector is away spools everything, then is killed while shipping its
    #    spool one event per batch, and ships the rest on its next run.
    conf = sensor_conf("CAO", "cao-1", batch_events=1, in_flight=1)
    offline = conf + ".offline"
    with open(conf) as f, open(offline, "w") as g:
        g.write(f.read().replace(address, "127.0.0.1:%d" % free_port()))
    with open(os.path.join(root, "cao-1.log"), "w") as log:
        rc = subprocess.run(sensor_cmd("cao-1", offline, ["--drain-timeout", "0"], "a"), stdout=log, stderr=subprocess.STDOUT).returncode
    check(rc == 0, "an offline sensor exits 0 with its events spooled (exit %d; log ends: %s)"
          % (rc, open(os.path.join(root, "cao-1.log")).read()[-600:].replace("\n", " | ") if rc != 0 else ""))
    cao_ids = event_ids(os.path.join(root, "cao-1-a.events"))
    with open(os.path.join(root, "cao-1-ship1.log"), "w") as log:
        p = subprocess.Popen([bindir + "/gsoc-sensor", "-c", conf, "--ship-only"], stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        deadline = time.time() + 30
        while time.time() < deadline and stored_events(query, "cao-1") < 20:
            time.sleep(0.02)
        p.kill()
        p.wait()
    partial = stored_events(query, "cao-1")
    check(0 < partial < len(cao_ids), "the sensor was killed mid-ship (%d of %d stored)" % (partial, len(cao_ids)))
    with open(os.path.join(root, "cao-1-ship2.log"), "w") as log:
        rc = subprocess.run([bindir + "/gsoc-sensor", "-c", sensor_conf("CAO", "cao-1"), "--ship-only", "--drain-timeout", "60"],
                            stdout=log, stderr=subprocess.STDOUT).returncode
    check(rc == 0, "the restarted sensor ships the rest of its spool")

    metrics = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % metrics_port, timeout=10).read().decode()
    cao_line = 'gsoc_sensor_events_stored{agency="CAO",sensor="cao-1"} %d' % len(cao_ids)
    check("gsoc_collector_events_stored_total" in metrics and cao_line in metrics and "gsoc_sensor_clock_offset_seconds" in metrics,
          "Prometheus metrics are served (%s)" % cao_line)
    # 3. Exactly what the sensors produced, each event once, read through the Central API.
    def events(*args):
        out = subprocess.run([bindir + "/gsocctl", "--collector", address, "--pki", pki, "--analyst", "qa", "--json", "events",
                              "--since", "0"] + list(args), capture_output=True, text=True, timeout=60)
        check(out.returncode == 0, "gsocctl events %s: %s" % (" ".join(args), out.stderr.strip()))
        return json.loads(out.stdout or "{}")

    for ag, sensor, _ in AGENCIES + [("CAO", "cao-1", 0)]:
        ids = event_ids(os.path.join(root, sensor + "-a.events"))
        reply = events("--sensor", sensor, "--limit", "100000")
        rows = reply.get("events", [])
        stored = collections.Counter(r["event_id"] for r in rows)
        dups = sum(c - 1 for c in stored.values())
        check(len(ids) > 0 and set(ids) == set(stored) and dups == 0 and len(rows) == len(ids) and not reply.get("truncated"),
              "%s: store holds exactly its %d events (stored %d, %d duplicates, %d missing, %d extra)"
              % (sensor, len(ids), len(rows), dups, len(set(ids) - set(stored)), len(set(stored) - set(ids))))
        check(all(r["agency_id"] == ag for r in rows), "%s: every event is filed under agency %s" % (sensor, ag))
        kinds, sids = eve_counts(os.path.join(root, sensor + "-a.eve.json"))
        by_kind = {g["key"][0]: int(g["events"]) for g in events("--sensor", sensor, "--count-by", "kind").get("counts", [])}
        # Anomaly records are EVE-only: the sensor does not ship them as gsoc.v1.Event yet.
        eve_kinds = {k: v for k, v in kinds.items() if k not in ("stats", "fileinfo", "anomaly")}
        check(by_kind == eve_kinds, "%s: records by kind match its EVE output %s" % (sensor, eve_kinds))
        by_sid = {int(g["key"][0]): int(g["events"])
                  for g in events("--sensor", sensor, "--kind", "alert", "--count-by", "sid").get("counts", [])}
        check(by_sid == dict(sids) and len(sids) > 0, "%s: alerts per signature match its EVE output (%d alerts)" % (sensor, sum(sids.values())))
    refused = events("--sensor", "probe-1", "--sensor", "stolen-1", "--count-by", "sensor").get("counts", [])
    check(refused == [], "nothing from the refused clients was stored: %s" % refused)
    collector.send_signal(signal.SIGTERM)
    collector.wait(timeout=60)
    check(collector.returncode == 0, "the collector stops cleanly on SIGTERM")


    reasons = [r[0] for r in query("SELECT reason FROM refusals")]
    for needle in ("no client certificate", "revoked", "claims agency 'MOFA'", "claims sensor 'mofa-1'", "timestamp_ns", "heartbeat claims", "unreadable Ship message"):
        check(any(needle in r for r in reasons), "refusal recorded: %s" % needle)
    sensors_rows = {r[0]: r for r in query("SELECT sensor_id, agency_id, software_version, ruleset_version FROM sensors")}
    check(all(s in sensors_rows and sensors_rows[s][2] != "" and sensors_rows[s][3] != "" for _, s, _ in AGENCIES),
          "every sensor is registered with its versions from its heartbeats")
    log = open(os.path.join(root, "collector.log")).read()
    check("refused" in log and "revoked" in log, "refusals are logged by the collector")


def stored_events(query, sensor=None):
    """Events stored so far (of one sensor), from the per-stream counters: readable with the
    collector down, and committed with the events themselves."""
    where = " WHERE sensor_id='%s'" % sensor if sensor else ""
    return int(query("SELECT COALESCE(SUM(events), 0) FROM streams" + where)[0][0])


def revoke_while_streaming(a, root, procs, pki, query, bindir, collector, col_log_path, sensor_conf, sensor_cmd):
    """1b. A sensor whose certificate is revoked while its Ship stream is open (issue 16): after
    `gsoc-pki revoke` and SIGHUP the collector cuts the stream at once, and nothing the sensor
    sends after the reload is stored; its reconnection is refused."""
    sensor = "mofa-9"
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run([gsoc_pki_path(a.source), "sensor", pki, "MOFA", sensor], check=True, **quiet)
    subprocess.run([bindir + "/gsoc-trafficgen", "-o", os.path.join(root, sensor + ".pcap"), "--bytes", "3000000", "--seed", "19",
                    "--attacks"], check=True, **quiet)

    def stored():
        return stored_events(query, sensor)

    log = open(os.path.join(root, sensor + ".log"), "w")
    p = subprocess.Popen(sensor_cmd(sensor, sensor_conf("MOFA", sensor, batch_events=5, in_flight=2),
                                    ["--replay-speed", "0.04", "--drain-timeout", "3"], "a"), stdout=log, stderr=subprocess.STDOUT)
    procs.append(p)
    deadline = time.time() + 30
    while time.time() < deadline and stored() < 50:
        time.sleep(0.05)
    check(stored() >= 50, "the sensor to be revoked is streaming (%d events stored)" % stored())
    subprocess.run([gsoc_pki_path(a.source), "revoke", pki, sensor], check=True, **quiet)
    offset = os.path.getsize(col_log_path)
    collector.send_signal(signal.SIGHUP)
    hup = time.time()
    cut_line = "(MOFA/%s): certificate serial" % sensor
    reloaded = cut = None

    def scan():
        nonlocal reloaded, cut
        with open(col_log_path) as f:
            f.seek(offset)
            for line in f:
                if "SIGHUP: CRL re-read" in line and reloaded is None:
                    reloaded = time.time()
                if cut_line in line and "revoked while streaming: stream cut" in line and cut is None:
                    cut = time.time()

    while time.time() < hup + 10 and reloaded is None:
        scan()
        time.sleep(0.02)
    while time.time() < hup + 2 and cut is None:  # the cut is logged once the stream has ended
        scan()
        time.sleep(0.02)
    check(reloaded is not None, "the collector re-read the CRL")
    check(cut is not None and cut - hup < 2, "the revoked sensor's open stream is cut at the reload (%s s after SIGHUP)"
          % ("%.2f" % (cut - hup) if cut else "never"))
    at_cut = stored()
    time.sleep(3)  # the sensor goes on capturing and retrying meanwhile
    after = stored()
    check(after == at_cut, "nothing from the revoked sensor is stored after the cut (%d at the cut, %d 3 s later)" % (at_cut, after))
    p.wait(timeout=120)
    produced = len(event_ids(os.path.join(root, sensor + "-a.events")))
    check(at_cut < produced, "it was cut mid-stream (%d of %d events stored)" % (at_cut, produced))
    check(stored() == at_cut, "and nothing later either (%d)" % stored())
    text = open(os.path.join(root, sensor + ".log")).read()
    check("PERMISSION_DENIED" in text, "the revoked sensor's reconnection is refused with PERMISSION_DENIED")


def check_startup_refusals(bindir, root, pki):
    """Bad TLS material or a bad listen address: exit 2 at start-up, naming the file or the value
    (issue 16: gRPC took them and failed later, or listened on a random port)."""
    garbage = os.path.join(root, "garbage.pem")
    with open(garbage, "w") as f:
        f.write("not a certificate\n")
    ca, cert, key = (os.path.join(pki, n) for n in ("ca.pem", "collector.pem", "collector.key"))
    other_key = os.path.join(pki, "sensors", "mofa-1.key")

    def refused(what, text, **override):
        opts = {"--listen": "127.0.0.1:0", "--ca": ca, "--cert": cert, "--key": key}
        opts.update({"--" + k: v for k, v in override.items()})
        cmd = [bindir + "/gsoc-collector", "--sqlite", os.path.join(root, "refused.db"), "--stats-interval", "0"]
        for k, v in opts.items():
            cmd += [k, v]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            rc, err = out.returncode, out.stderr
        except subprocess.TimeoutExpired as e:  # it started anyway: the failure this checks for
            rc, err = "still running", e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        check(rc == 2 and text in err, "collector with %s: exit 2 naming it (exit %s; %r)" % (what, rc, err.strip()[-300:]))

    refused("a garbage --ca", "ca_file (--ca) %s: no PEM certificate in it" % garbage, ca=garbage)
    refused("a garbage --cert", "cert_file (--cert) %s: no PEM certificate in it" % garbage, cert=garbage)
    refused("a garbage --key", "key_file (--key) %s: no PEM private key in it" % garbage, key=garbage)
    refused("another certificate's key", "key_file (--key) %s is not the key of the certificate in cert_file (--cert) %s"
            % (other_key, cert), key=other_key)
    refused("--listen 127.0.0.1:65536", "'127.0.0.1:65536': port '65536' is not a number from 0 to 65535", listen="127.0.0.1:65536")
    refused("--listen 127.0.0.1:99999", "'127.0.0.1:99999': port '99999'", listen="127.0.0.1:99999")
    refused("--listen without a port", "'127.0.0.1': no port", listen="127.0.0.1")


def gsoc_pki_path(src):
    return os.path.join(src, "scripts", "gsoc-pki")


if __name__ == "__main__":
    main()
