#!/usr/bin/env python3
"""Sensor failover between collector front-ends (issue 18), with real processes on loopback.

A sensor lists two collector addresses. Collector A listens on the first; nothing listens on the
second. The sensor replays traffic slowly; once some of its events are stored, A is SIGKILLed
mid-stream and collector B is started on the second address over the same SQLite file (A is
dead, so there is still one writer, as with front-ends over one store). The sensor must fail over
to B, resend everything A had not acknowledged, and every event must be stored exactly once
(read through the Central API on B, as transport_test.py does). The move is logged with both
addresses, and the current address and the failover count are in the control socket's `stats`,
the run's summary and the heartbeats the store records.
"""
import collections
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time

from harness import check, free_port, run_test, sqlite_query
from harness import start_collector as harness_start
from transport_test import event_ids, stored_events


def control(path, command):
    """One command on the sensor's control socket; its one-line reply ("" when not there)."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(path)
            s.sendall(command.encode() + b"\n")
            return s.makefile().readline().strip()
    except OSError:
        return ""


def body(bindir, src, root, procs):
    pki = os.path.join(root, "pki")
    gsoc_pki = os.path.join(src, "scripts", "gsoc-pki")
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run([gsoc_pki, "init", pki], check=True, **quiet)
    subprocess.run([gsoc_pki, "collector", pki], check=True, **quiet)
    subprocess.run([gsoc_pki, "agencies", pki, "MOFA"], check=True, **quiet)
    subprocess.run([gsoc_pki, "analyst", pki, "qa"], check=True, **quiet)
    pcap = os.path.join(root, "mofa-1.pcap")
    subprocess.run([bindir + "/gsoc-trafficgen", "-o", pcap, "--bytes", "3000000", "--seed", "21", "--attacks"], check=True, **quiet)

    db = os.path.join(root, "events.db")

    query = sqlite_query(db)

    address = ["127.0.0.1:%d" % free_port(), "127.0.0.1:%d" % free_port()]

    def start_collector(i):
        conf = os.path.join(root, "collector-%d.yaml" % i)
        with open(conf, "w") as f:
            f.write("listen_address: %s\nca_file: pki/ca.pem\ncert_file: pki/collector.pem\nkey_file: pki/collector.key\n"
                    "crl_file: pki/crl.pem\nkeepalive_time_s: 2\n" % address[i])
        return harness_start([bindir + "/gsoc-collector", "-c", conf, "--sqlite", db, "--stats-interval", "1", "--retention-days", "0"],
                             root, os.path.join(root, "collector-%d.log" % i), procs)

    sock = os.path.join(root, "sensor.sock")
    conf = os.path.join(root, "mofa-1.yaml")
    with open(conf, "w") as f:
        f.write("sensor_id: mofa-1\nagency_id: MOFA\ncontrol_socket: %s\ntransport:\n  collector_address: %s\n"
                "  collector_addresses: [%s]\n  ca_file: pki/ca.pem\n  cert_file: pki/sensors/mofa-1.pem\n"
                "  key_file: pki/sensors/mofa-1.key\n  spool_dir: spool-mofa-1\n  batch_max_events: 50\n"
                "  max_in_flight_batches: 4\n  heartbeat_interval_s: 1\n  ack_timeout_s: 3\n" % (sock, address[0], address[1]))

    collector_a = start_collector(0)
    events_file = os.path.join(root, "mofa-1.events")
    sensor_log = os.path.join(root, "mofa-1.log")
    sensor_out = os.path.join(root, "mofa-1.out")
    with open(sensor_log, "w") as log, open(sensor_out, "w") as out:
        sensor = subprocess.Popen([bindir + "/gsoc-sensor", "-c", conf, "--pcap", pcap, "--rules-config",
                                   os.path.join(src, "signatures", "rules", "default", "rules.yaml"), "--events", events_file,
                                   "--stats-interval", "0", "--replay-speed", "0.04", "--drain-timeout", "90"], stdout=out, stderr=log)
    procs.append(sensor)

    # Kill A once the first events are stored (not after a fixed time: a busy machine is slow).
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if stored_events(query) > 0:
                break
        except sqlite3.Error:  # the store not created yet, or busy: look again
            pass
        time.sleep(0.1)
    stats_a = control(sock, "stats")
    check(("collector %s failovers 0" % address[0]) in stats_a, "stats name the first collector, no failover yet: %s" % stats_a)
    collector_a.kill()  # SIGKILL mid-stream
    collector_a.wait()
    stored_before = stored_events(query)
    time.sleep(1.5)  # the sensor finds the second address refused as well, and backs off
    collector_b = start_collector(1)

    seen_b = ""
    deadline = time.time() + 60
    while time.time() < deadline and sensor.poll() is None:
        reply = control(sock, "stats")
        if ("collector %s " % address[1]) in reply:
            seen_b = reply
            break
        time.sleep(0.1)
    check(seen_b != "", "the sensor's stats name the second collector after the failover: %s" % seen_b)

    sensor.wait(timeout=240)
    check(sensor.returncode == 0, "the sensor exited 0 (exit %s)" % sensor.returncode)
    log = open(sensor_log).read()
    summary = open(sensor_out).read()
    moved = "failover from collector %s to %s" % (address[0], address[1])
    check(moved in log, "the failover is logged with both addresses ('%s')" % moved)
    check(("transport   %s (" % address[1]) in summary and "collector addresses)" in summary and "0 events waiting" in summary,
          "the summary names the second collector, the failovers, and an empty spool: %s"
          % [line for line in summary.splitlines() if line.startswith(("transport", "spool"))])

    ids = event_ids(events_file)
    check(0 < stored_before < len(ids), "collector A was killed mid-stream (%d of %d events stored)" % (stored_before, len(ids)))
    out = subprocess.run([bindir + "/gsocctl", "--collector", address[1], "--pki", pki, "--analyst", "qa", "--json", "events",
                          "--since", "0", "--sensor", "mofa-1", "--limit", "100000"], capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, "gsocctl events through collector B: %s" % out.stderr.strip())
    reply = json.loads(out.stdout or "{}")
    rows = reply.get("events", [])
    stored = collections.Counter(r["event_id"] for r in rows)
    dups = sum(c - 1 for c in stored.values())
    check(len(ids) > 0 and set(ids) == set(stored) and dups == 0 and len(rows) == len(ids) and not reply.get("truncated"),
          "the store holds exactly the sensor's %d events (stored %d, %d duplicates, %d missing, %d extra)"
          % (len(ids), len(rows), dups, len(set(ids) - set(stored)), len(set(stored) - set(ids))))

    # The last heartbeat (sent as the sensor stops) went to B, with the count of moves.
    status = json.loads(query("SELECT status_json FROM sensors WHERE sensor_id='mofa-1'")[0][0])
    check(status.get("collector_address") == address[1] and int(status.get("collector_failovers", 0)) >= 1,
          "the heartbeat carries the current collector and the failovers: %s, %s"
          % (status.get("collector_address"), status.get("collector_failovers")))

    collector_b.send_signal(signal.SIGTERM)
    collector_b.wait(timeout=60)
    check(collector_b.returncode == 0, "collector B stops cleanly on SIGTERM")


if __name__ == "__main__":
    run_test("gsoc-failover-", body)
