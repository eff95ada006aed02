#!/usr/bin/env python3
"""The Central API through gsocctl, against a running collector.

An analyst follows the live feed while two agencies' sensors (MOFA, MOD) ship traffic with the
same targeted mail and C2 contact. Checks: the feed delivers the campaigns, warnings and notices
as they are published; listings, show, the notice lifecycle (forward only, who and when) and
warning acknowledgements; sensor health; a retro-hunt that finds past contact and sends notices;
an intelligence report that hunts its indicators; STIX 2.1 and MISP exports with the required
properties and no victim named outside notices; refusal of sensor and revoked certificates.
"""
import json
import os
import re
import signal
import subprocess
import time

from harness import init_pki, ClickHouseCluster, Postgres, WebSession, check, free_port, run_test, ship_history, ship_traffic, start_collector

T0 = 1700000000
STIX_REQUIRED = {
    "identity": ["name"],
    "campaign": ["name"],
    "indicator": ["pattern", "pattern_type", "valid_from"],
    "sighting": ["sighting_of_ref"],
    "relationship": ["relationship_type", "source_ref", "target_ref"],
    "course-of-action": ["name"],
    "report": ["name", "published", "object_refs"],
    "marking-definition": [],
}
UUID = re.compile(r"^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def run(bindir, src, root, procs, backend):
    pki, gsoc_pki = init_pki(src, root, ["MOFA", "MOD", "MLIT"], ["duty", "former"])
    pg = Postgres(root) if backend == "postgresql" else None
    ch = ClickHouseCluster(root, shards=2) if backend == "clickhouse" else None
    store = "{sqlite_path: events.db, retention_days: 36500}"
    if pg:
        store = "{backend: postgresql, postgresql_dsn: \"%s\"}" % pg.dsn
    if ch:  # two shards, the state beside them in SQLite
        store = "{backend: clickhouse, clickhouse_shards: [%s], clickhouse_cluster: gsoc, sqlite_path: state.db}" % ch.urls()
    try:
        if pg:
            legacy_publications(bindir, root, procs, pg)
        scenario(bindir, src, root, procs, pki, store, gsoc_pki)
    finally:
        if pg:
            pg.stop()
        if ch:
            ch.stop()


def legacy_publications(bindir, root, procs, pg):
    """A database written before publications had a status column: the collector adds it and
    fills it from each record's JSON when it opens the database."""
    pg.run("/usr/bin/createdb", "-h", pg.sock, "-p", str(pg.port), "-U", "gsoc", "legacy")
    dsn = pg.dsn.replace("dbname=gsoc", "dbname=legacy")
    legacy = lambda sql: subprocess.run(["psql", "-X", "-A", "-t", "-q", "-F", "\t", "-d", dsn, "-c", sql], check=True,
                                        capture_output=True, text=True).stdout.split()
    legacy("CREATE TABLE publications(kind TEXT NOT NULL, id TEXT NOT NULL, number TEXT NOT NULL, campaign_id TEXT NOT NULL, "
           "agency_id TEXT NOT NULL, updated_ns BIGINT NOT NULL, json TEXT NOT NULL, PRIMARY KEY(kind, id));"
           "INSERT INTO publications VALUES ('notice', 'N:C-1:MOFA', 'N-2023-0001', 'C-1', 'MOFA', 1, '{\"state\":\"STATE_DELIVERED\"}'),"
           "('campaign', 'C-1', '', 'C-1', '', 2, '{\"status\":\"STATUS_ACTIVE\"}'), ('warning', 'W:C-1', 'W-2023-0001', 'C-1', '', 3, '{}')")
    port = free_port()
    conf = os.path.join(root, "legacy.yaml")
    with open(conf, "w") as f:
        f.write("listen_address: 127.0.0.1:%d\nca_file: pki/ca.pem\ncert_file: pki/collector.pem\nkey_file: pki/collector.key\n"
                "store: {backend: postgresql, postgresql_dsn: \"%s\"}\nstats_interval_s: 0\n" % (port, dsn))
    col = start_collector([bindir + "/gsoc-collector", "-c", conf], root, os.path.join(root, "legacy.log"), procs)
    statuses = legacy("SELECT kind || '=' || status FROM publications ORDER BY kind")
    check(statuses == ["campaign=active", "notice=delivered", "warning="], "an old database's publications get their status: %s" % statuses)
    col.send_signal(signal.SIGTERM)
    col.wait(timeout=30)


def scenario(bindir, src, root, procs, pki, store, gsoc_pki):
    port = free_port()
    conf = os.path.join(root, "collector.yaml")
    with open(conf, "w") as f:
        f.write("listen_address: 127.0.0.1:%d\nca_file: pki/ca.pem\ncert_file: pki/collector.pem\nkey_file: pki/collector.key\n"
                "crl_file: pki/crl.pem\nstore: %s\ncorrelation_rule_files: [%s]\n"
                "correlation_lateness_s: 600\ncorrelation_idle_flush_s: 1\nstats_interval_s: 0\n"
                % (port, store, os.path.join(src, "packaging", "config", "correlation.yaml")))
    log = os.path.join(root, "collector.log")
    col = start_collector([bindir + "/gsoc-collector", "-c", conf, "--retention-days", "36500", "--web", "127.0.0.1:0"], root, log, procs)
    base = [bindir + "/gsocctl", "--collector", "127.0.0.1:%d" % port, "--pki", pki]

    def ctl(*args, analyst="duty"):
        out = subprocess.run(base + ["--analyst", analyst] + list(args), capture_output=True, text=True, timeout=60)
        return out.returncode, out.stdout, out.stderr

    def ctl_json(*args):
        rc, out, err = ctl("--json", *args)
        check(rc == 0, "gsocctl %s succeeds (%s)" % (" ".join(args), err.strip()[:200]))
        return json.loads(out) if rc == 0 else {}

    # The analyst follows the feed from before anything happens.
    feed_out = open(os.path.join(root, "feed.jsonl"), "w")
    feed = subprocess.Popen(base + ["--analyst", "duty", "--json", "feed", "--follow"], stdout=feed_out,
                            stderr=subprocess.STDOUT)
    procs.append(feed)
    time.sleep(0.5)

    ship_history(bindir, src, root, port, "MLIT", T0)
    ship_traffic(bindir, src, root, port, "MOFA", T0, 31)
    ship_traffic(bindir, src, root, port, "MOD", T0 + 60, 32)
    time.sleep(3)  # idle flush: correlation runs once ingest is quiet

    warnings = ctl_json("warnings").get("publications", [])
    notices = ctl_json("notices").get("publications", [])
    campaigns = ctl_json("campaigns").get("publications", [])
    check(len(warnings) >= 1 and all(p["kind"] == "warning" for p in warnings), "warnings are listed: %d" % len(warnings))
    check(sorted(p["agency_id"] for p in notices) == ["MOD", "MOFA"], "one notice to each agency: %s" % [p["agency_id"] for p in notices])
    check(len(campaigns) >= len(warnings), "campaigns are listed: %d" % len(campaigns))
    mofa_only = ctl_json("notices", "--agency", "MOFA").get("publications", [])
    check([p["agency_id"] for p in mofa_only] == ["MOFA"], "an agency filter keeps that agency's notices")
    check(ctl_json("notices", "--status", "closed").get("publications", []) == [], "a status filter keeps only that state")
    rc, table, _ = ctl("warnings")
    check(rc == 0 and "UPDATED (UTC)" in table and "W-2023-0001" in table, "the human table lists the warning numbers")

    # Show and the notice lifecycle.
    n = next(p for p in notices if p["agency_id"] == "MOFA")["number"]
    rc, page, _ = ctl("show", n)
    check(rc == 0 and "notice (通報) to MOFA" in page and "TLP:AMBER+STRICT" in page and "192.0.2.77" in page,
          "show prints the notice page with host and TLP")
    rc, out, _ = ctl("ack", n, "--state", "delivered")
    check(rc == 0 and "delivered" in out, "the notice is marked delivered: %s" % out.strip())
    rc, out, _ = ctl("ack", n, "--note", "MOFA CSIRT by phone")
    check(rc == 0 and "acknowledged" in out, "the notice is acknowledged: %s" % out.strip())
    rc, _, err = ctl("ack", n, "--state", "delivered")
    check(rc == 1 and "already acknowledged" in err, "a notice never moves back: %s" % err.strip())
    rc, _, err = ctl("ack", n, "--agency", "MOD")
    check(rc == 1 and "addressed to MOFA" in err, "a notice is acknowledged only for its own agency: %s" % err.strip())
    shown = ctl_json("show", n).get("notice", {})
    history = [(h["state"], h["by"]) for h in shown.get("history", [])]
    check(history == [("STATE_NEW", "gsoc-collector"), ("STATE_DELIVERED", "duty"), ("STATE_ACKNOWLEDGED", "duty (MOFA CSIRT by phone)")],
          "the history records each step and the analyst: %s" % history)
    w = warnings[0]["number"]
    rc, _, _ = ctl("ack", w, "--agency", "MOD")
    rc2, _, _ = ctl("ack", w, "--agency", "MOD")
    acks = ctl_json("show", w).get("warning", {}).get("acknowledgements", [])
    check(rc == 0 and rc2 == 0 and [a["agency_id"] for a in acks] == ["MOD"], "a warning records each agency's acknowledgement once")
    rc, _, err = ctl("ack", "N-1999-0001")
    check(rc == 1 and "NOT_FOUND" in err and "no notice" in err, "an unknown number is reported: %s" % err.strip())

    # The console's pages select in the store (status, agency, keyset pages, tallies): on every
    # backend, the same answers as gsocctl's. MOFA's notice is acknowledged now, MOD's is new.
    web = WebSession(base + ["--analyst", "duty"], os.path.join(pki, "ca.pem"))
    numbers = lambda page: [x["notice"]["number"] for x in page.get("notices", [])]
    mod = next(p for p in notices if p["agency_id"] == "MOD")["number"]
    _, waiting = web.get_json("/api/notices?show=waiting")
    check(numbers(waiting) == [mod] and waiting.get("total") == 1, "the console's waiting notices are MOD's: %s" % numbers(waiting))
    _, acked = web.get_json("/api/notices?show=acknowledged&agency=MOFA")
    check(numbers(acked) == [n], "the console's acknowledged notices of MOFA: %s" % numbers(acked))
    _, counts = web.get_json("/api/notices")
    check(counts.get("counts") == {"new": 1, "acknowledged": 1} and counts.get("total") == 2, "notices per state: %s" % counts.get("counts"))
    _, first = web.get_json("/api/notices?show=all&limit=1")
    nxt = first.get("next") or {}
    _, second = web.get_json("/api/notices?show=all&limit=1&after_ns=%s&after_id=%s" % (nxt.get("after_ns"), nxt.get("after_id")))
    check(sorted(numbers(first) + numbers(second)) == sorted([n, mod]), "two pages of one notice hold both: %s %s" % (numbers(first), numbers(second)))
    _, agencies = web.get_json("/api/agencies")
    shown = {a["agency_id"]: (a["open_notices"], a["unacknowledged_notices"]) for a in agencies.get("agencies", [])}
    check(shown.get("MOFA") == (1, 0) and shown.get("MOD") == (1, 1), "open and unacknowledged notices per agency: %s" % shown)
    status, stix = web.get_json("/api/export?format=stix&id=" + notices[0]["campaign_id"])
    check(status == 200 and any(o.get("type") == "campaign" for o in stix.get("objects", [])), "the console exports a campaign's STIX")

    # Sensor health.
    sensors = ctl_json("sensors").get("sensors", [])
    check(sorted(s["sensor_id"] for s in sensors) == ["mlit-1", "mod-1", "mofa-1"] and all(int(s["events"]) > 0 for s in sensors),
          "sensors lists the three sensors with their stored events")

    # Retro-hunt: the C2 domain was in the traffic of both agencies before anyone listed it.
    hunt = ctl_json("hunt", "cdn.update-check.example", "--reason", "reported by a partner CERT")
    check(int(hunt.get("events", 0)) >= 4 and sorted({h["agency_id"] for h in hunt.get("hits", [])}) == ["MOD", "MOFA"],
          "the hunt finds the past DNS and HTTP contacts at both agencies: %s events" % hunt.get("events"))
    check(len(hunt.get("notices", [])) == 2, "the hunt sends a notice to each agency: %s" % hunt.get("notices"))
    again = ctl_json("hunt", "cdn.update-check.example")
    check(again.get("notices") == hunt.get("notices"), "hunting again updates the same notices, not new ones")
    hunt_notice = ctl_json("show", hunt["notices"][0]).get("notice", {}) if hunt.get("notices") else {}
    check(hunt_notice.get("internal_host") == "192.0.2.77" and hunt_notice.get("tlp") == "TLP_AMBER_STRICT",
          "the hunt's notice names the agency's host that made the contact: %s" % hunt_notice.get("internal_host"))
    unseen = ctl_json("hunt", "never-seen.example")
    check(int(unseen.get("events", 0)) == 0 and not unseen.get("notices"), "a hunt for an unseen indicator finds nothing and notifies no one")
    by_address = ctl_json("hunt", "203.0.113.66", "--days", "36500")
    check(int(by_address.get("events", 0)) > 0, "a hunt for an address scans source and destination")

    # Stored events through the Events call: the same answer on every backend.
    by_agency = {g["key"][0]: int(g["events"]) for g in ctl_json("events", "--since", "0", "--count-by", "agency").get("counts", [])}
    check(set(by_agency) == {"MLIT", "MOD", "MOFA"} and all(n > 0 for n in by_agency.values()),
          "events are counted per agency: %s" % by_agency)
    c2 = ctl_json("events", "--since", "0", "--term", "cdn.update-check.example", "--limit", "1000").get("events", [])
    check(len(c2) == int(hunt.get("events", -1)) and sorted({e["agency_id"] for e in c2}) == ["MOD", "MOFA"],
          "an observable selects the same events the hunt found: %d" % len(c2))
    page = ctl_json("events", "--since", "0", "--limit", "3")
    check(len(page.get("events", [])) == 3 and page.get("truncated") is True, "a limited listing says more matched")
    rc, _, err = ctl("events", "--kind", "campaign")
    check(rc == 1 and "INVALID_ARGUMENT" in err and "not an event kind" in err, "an unknown event kind is refused: %s" % err.strip())
    rc, _, err = ctl("events", "--count-by", "colour")
    check(rc == 1 and "INVALID_ARGUMENT" in err and "colour" in err, "an unknown dimension is refused: %s" % err.strip())

    # An analyst's intelligence report: recorded, numbered, and its indicators hunted.
    intel = ctl_json("intel", "add", "--actor", "Example hacktivists", "--summary", "announced attacks on ministries",
                     "--target", "MOFA", "--indicator", "freemail.example", "--indicator", "203.0.113.90")
    report = intel.get("report", {})
    check(report.get("id", "").startswith("I-") and report.get("entered_by") == "duty", "the report is numbered and attributed: %s" % report.get("id"))
    check(int(intel.get("hunt", {}).get("events", 0)) > 0, "the report's indicators are hunted at once")
    rc, _, err = ctl("intel", "add", "--target", "MOFA")
    check(rc == 2 and "--actor" in err, "a report without an actor is refused by gsocctl")
    check(ctl_json("intel").get("publications", [{}])[0].get("intel", {}).get("actor") == "Example hacktivists", "intel lists the report")

    # Exports.
    rc, stix_text, err = ctl("export", "--stix")
    check(rc == 0, "STIX export succeeds (%s)" % err.strip()[:200])
    bundle = json.loads(stix_text) if rc == 0 else {"objects": []}
    check(bundle.get("type") == "bundle" and UUID.match(bundle.get("id", "")), "the export is a STIX bundle")
    problems = []
    ids = {o.get("id") for o in bundle["objects"]}
    for o in bundle["objects"]:
        t = o.get("type")
        for key in ["type", "spec_version", "id", "created"] + ([] if t == "marking-definition" else ["modified"]) + STIX_REQUIRED.get(t, ["?"]):
            if key not in o:
                problems.append("%s lacks %s" % (o.get("id"), key))
        if o.get("spec_version") != "2.1" or not UUID.match(o.get("id", "")) or not o["id"].startswith(t + "--"):
            problems.append("bad id or version: %s" % o.get("id"))
        for key in ("created", "modified", "valid_from", "first_seen", "last_seen", "published"):
            if key in o and not STAMP.match(o[key]):
                problems.append("%s: bad %s %s" % (o["id"], key, o[key]))
        for ref in [o.get("created_by_ref"), o.get("sighting_of_ref"), o.get("source_ref"), o.get("target_ref")] + \
                o.get("object_refs", []) + o.get("object_marking_refs", []):
            if ref and ref not in ids:
                problems.append("%s refers to missing %s" % (o["id"], ref))
        if t == "report" and not o.get("object_refs"):
            problems.append("%s has no object_refs" % o["id"])
    check(not problems, "every STIX object has the specification's required properties and resolvable refs: %s" % problems[:5])
    types = {o["type"] for o in bundle["objects"]}
    check({"identity", "campaign", "indicator", "sighting", "course-of-action", "report", "marking-definition", "relationship"} <= types,
          "the bundle holds identity, campaign, indicator, sighting, course of action, report, TLP markings: %s" % sorted(types))
    check(any(o.get("name") == "TLP:AMBER" and o["id"] == "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
              for o in bundle["objects"]), "TLP:AMBER is the TLP 2.0 marking definition")
    check(not any(a in stix_text for a in ("MOFA", "MOD", "192.0.2.77")), "without notices the export names no agency and no internal host")
    rc, with_notices, _ = ctl("export", "--stix", "--notices")
    check(rc == 0 and '"name": "MOFA"' in with_notices and "939a9414-2ddd-4d32-a0cd-375ea402b003" in with_notices,
          "with --notices the agencies appear, marked TLP:AMBER+STRICT")
    misp = ctl_json("export", "--misp")
    events = [e["Event"] for e in misp.get("response", [])]
    check(events and all({"uuid", "info", "date", "threat_level_id", "analysis", "Attribute", "Tag"} <= set(e) for e in events),
          "the MISP export holds events with info, date, threat level, tags and attributes")
    attrs = [a for e in events for a in e["Attribute"]]
    check(any(a["type"] == "sha256" and a["to_ids"] for a in attrs) and any(a["type"] == "domain" for a in attrs),
          "MISP attributes carry the attachment hash and the C2 domain")

    # Only analysts: a sensor's certificate, and a revoked analyst, are refused and recorded.
    out = subprocess.run(base + ["--cert", os.path.join(pki, "sensors", "mofa-1.pem"), "--key", os.path.join(pki, "sensors", "mofa-1.key"),
                                 "warnings"], capture_output=True, text=True, timeout=60)
    check(out.returncode == 1 and "urn:gsoc:analyst" in out.stderr, "a sensor certificate is refused: %s" % out.stderr.strip())
    out = subprocess.run(base + ["--cert", os.path.join(pki, "sensors", "mofa-1.pem"), "--key", os.path.join(pki, "sensors", "mofa-1.key"),
                                 "events"], capture_output=True, text=True, timeout=60)
    check(out.returncode == 1 and "PERMISSION_DENIED" in out.stderr, "a sensor certificate may not read events: %s" % out.stderr.strip())
    rc, _, _ = ctl("warnings", analyst="former")
    check(rc == 0, "the second analyst may call before revocation")
    subprocess.run([gsoc_pki, "revoke", pki, "former"], check=True, stdout=subprocess.DEVNULL)
    col.send_signal(signal.SIGHUP)
    time.sleep(1)
    rc, _, err = ctl("warnings", analyst="former")
    check(rc == 1 and "revoked" in err, "a revoked analyst is refused after SIGHUP: %s" % err.strip())

    # The live feed saw everything, acknowledgements included, as it happened.
    col.send_signal(signal.SIGTERM)
    col.wait(timeout=60)
    check(col.returncode == 0, "the collector stops cleanly with a feed open")
    feed.wait(timeout=30)
    check(feed.returncode == 0, "the feed ends cleanly when the collector stops: %s" % feed.returncode)
    feed_out.close()
    items = [json.loads(line) for line in open(os.path.join(root, "feed.jsonl")) if line.startswith("{")]
    kinds = {i["kind"] for i in items}
    check({"campaign", "warning", "notice", "intel"} <= kinds, "the feed delivered campaigns, warnings, notices and intel: %s" % sorted(kinds))
    states = [i["notice"]["state"] for i in items if i["kind"] == "notice" and i.get("number") == n]
    check(states[-1:] == ["STATE_ACKNOWLEDGED"] and "STATE_DELIVERED" in states, "the feed carried the notice's lifecycle: %s" % states)
    log_text = open(log).read()
    check("refused" in log_text and "revoked" in log_text, "refusals are logged")


if __name__ == "__main__":
    run_test("gsoc-central-", run, backends=True)
