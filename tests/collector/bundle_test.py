#!/usr/bin/env python3
"""Signature distribution end to end, with real processes on loopback.

The collector publishes a bundle (gsoc-rules compile) signed with the centre's Ed25519 key. A
sensor running the default local rules learns of it from a heartbeat, fetches it, verifies the
signature, hot-reloads it mid-capture (alerts of the bundle's rule appear) and reports the
active version. A collector signing with another key is refused by the next sensor: its rules
stay as they were, and the refusal is logged on both sides and reported in its heartbeats.
"""
import json
import os
import signal
import sqlite3
import subprocess

from harness import check, free_port, run_test, start_collector


def run(bindir, src, root, procs):
    pki = os.path.join(root, "pki")
    rogue = os.path.join(root, "rogue")
    os.makedirs(pki)
    os.makedirs(rogue)
    gsoc_pki = os.path.join(src, "scripts", "gsoc-pki")
    for cmd in (["init", pki], ["collector", pki], ["agencies", pki, "MOFA", "MOD"], ["signing-key", pki], ["signing-key", rogue]):
        subprocess.run([gsoc_pki] + cmd, check=True, stdout=subprocess.DEVNULL)

    bundles = os.path.join(root, "bundles")
    os.makedirs(bundles)
    rules = os.path.join(root, "bundle.rules")
    with open(rules, "w") as f:
        f.write('alert tcp any any -> any any (msg:"GSOC TEST rule from the centre"; flow:to_server,established; '
                'content:"HTTP/1.1"; sid:9100001; rev:1;)\n')
    subprocess.run([bindir + "/gsoc-rules", "compile", "-q", "--no-cache", "--version-label", "centre-2026-12-02", "-o",
                    os.path.join(bundles, "centre.gsocbundle"), rules], check=True, stdout=subprocess.DEVNULL)
    pcap = os.path.join(root, "uplink.pcap")
    subprocess.run([bindir + "/gsoc-trafficgen", "-o", pcap, "--bytes", "3000000", "--seed", "21", "--attacks"], check=True, stdout=subprocess.DEVNULL)
    db = os.path.join(root, "events.db")

    def collector(signing_key):
        port = free_port()
        p = start_collector([bindir + "/gsoc-collector", "--listen", "127.0.0.1:%d" % port, "--ca", pki + "/ca.pem", "--cert",
                             pki + "/collector.pem", "--key", pki + "/collector.key", "--sqlite", db, "--stats-interval", "0",
                             "-c", write_collector_conf(root, bundles, signing_key)], root, os.path.join(root, "collector.log"), procs)
        return p, port

    def sensor(agency, sensor_id, port):
        conf = os.path.join(root, sensor_id + ".yaml")
        with open(conf, "w") as f:
            f.write("sensor_id: %s\nagency_id: %s\ntransport:\n  collector_address: 127.0.0.1:%d\n  ca_file: pki/ca.pem\n"
                    "  cert_file: pki/sensors/%s.pem\n  key_file: pki/sensors/%s.key\n  spool_dir: spool-%s\n"
                    "  heartbeat_interval_s: 1\n  bundle_public_key_file: pki/signing.pub\n"
                    % (sensor_id, agency, port, sensor_id, sensor_id, sensor_id))
        eve = os.path.join(root, sensor_id + ".eve.json")
        out = subprocess.run([bindir + "/gsoc-sensor", "-c", conf, "--pcap", pcap, "--replay-speed", "0.05", "--rules-config",
                              os.path.join(src, "signatures", "rules", "default", "rules.yaml"), "--eve", eve,
                              "--stats-interval", "0"], capture_output=True, text=True, timeout=300)
        records = [json.loads(l) for l in open(eve)]
        sids = [r["alert"]["signature_id"] for r in records if r["event_type"] == "alert"]
        # HTTP requests seen before the bundle's rule first fired: it was not there from the start.
        first = next((i for i, r in enumerate(records) if r["event_type"] == "alert" and r["alert"]["signature_id"] == 9100001), len(records))
        http_before = sum(1 for r in records[:first] if r["event_type"] == "http")
        return out, sids, http_before

    # 1. A bundle signed by the centre's key is fetched, verified and swapped in mid-capture.
    col, port = collector(os.path.join(pki, "signing.key"))
    out, sids, http_before = sensor("MOFA", "mofa-1", port)
    check(out.returncode == 0, "the sensor ran (exit %d)" % out.returncode)
    check("bundle centre-2026-12-02 fetched, signature verified" in out.stderr, "the sensor fetched and verified the bundle")
    check("ruleset reloaded from the collector's bundle, active version centre-2026-12-02" in out.stderr,
          "the sensor hot-reloaded the bundle")
    check(sids.count(9100001) > 0, "alerts of the bundle's rule appear after the swap (%d)" % sids.count(9100001))
    check(http_before > 0, "the swap happened mid-capture (%d HTTP requests passed before the bundle's rule)" % http_before)
    col.send_signal(signal.SIGTERM)
    col.wait(timeout=30)
    con = sqlite3.connect(db)
    status = json.loads(con.execute("SELECT status_json FROM sensors WHERE sensor_id='mofa-1'").fetchone()[0])
    check(status.get("bundle_version") == "centre-2026-12-02" and status.get("ruleset_version") == "centre-2026-12-02",
          "the sensor reports the active bundle in its heartbeats: %s / %s" % (status.get("bundle_version"), status.get("ruleset_version")))

    # 2. A bundle signed with another key is refused; the sensor keeps its rules.
    col, port = collector(os.path.join(rogue, "signing.key"))
    out, sids, _ = sensor("MOD", "mod-1", port)
    check(out.returncode == 0, "the second sensor ran (exit %d)" % out.returncode)
    check("bundle centre-2026-12-02 refused:" in out.stderr and "does not verify" in out.stderr,
          "a bundle with a bad signature is refused and logged by the sensor")
    check("reloaded" not in out.stderr and 9100001 not in sids and len(sids) > 0, "the sensor keeps its local rules")
    col.send_signal(signal.SIGTERM)
    col.wait(timeout=30)
    status = json.loads(con.execute("SELECT status_json FROM sensors WHERE sensor_id='mod-1'").fetchone()[0])
    check("does not verify" in status.get("bundle_error", ""), "the refusal is reported in the sensor's heartbeats")
    check("mod-1 (MOD) refused a bundle" in open(os.path.join(root, "collector.log")).read(), "the collector logs the refusal")


def write_collector_conf(root, bundles, signing_key):
    path = os.path.join(root, "collector-bundles.yaml")
    with open(path, "w") as f:
        f.write("bundle_dir: %s\nsigning_key_file: %s\n" % (bundles, signing_key))
    return path


if __name__ == "__main__":
    run_test("gsoc-bundle-", run)
