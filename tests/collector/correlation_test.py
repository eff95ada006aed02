#!/usr/bin/env python3
"""Correlation in the running collector, across a restart.

Two agencies' sensors (MOFA, MOD) ship traffic carrying the same targeted mail; the collector,
with the shipped correlation rules, raises the campaign hits. It is stopped and started again: it
rebuilds its windows from the store and raises nothing twice. A third agency (MIC) an hour
later receives the same mail: the campaign is updated (three agencies), not raised anew. Then a
fourth agency (NPA) whose sensor was down for a day replays its spool, 24 hours behind what the
collector has correlated (MOJ's clean traffic moved it on): its part joins the same campaign,
revised late and saying so, and it gets its notice.
"""
import json
import os
import signal
import sqlite3
import subprocess
import time

from harness import ClickHouseCluster, Postgres, check, free_port, run_test, ship_history, ship_traffic, start_collector

T0 = 1700000000


def run(bindir, src, root, procs, backend):
    pki = os.path.join(root, "pki")
    os.makedirs(pki)
    gsoc_pki = os.path.join(src, "scripts", "gsoc-pki")
    for cmd in (["init", pki], ["collector", pki], ["agencies", pki, "MOFA", "MOD", "MIC"]):
        subprocess.run([gsoc_pki] + cmd, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([gsoc_pki, "agencies", pki, "NPA", "MOJ", "MLIT"], check=True, stdout=subprocess.DEVNULL)
    db = os.path.join(root, "events.db")
    pg = Postgres(root) if backend == "postgresql" else None
    ch = ClickHouseCluster(root, shards=2) if backend == "clickhouse" else None
    store = "{sqlite_path: events.db, retention_days: 36500}"
    if pg:
        store = "{backend: postgresql, postgresql_dsn: \"%s\", retention_days: 36500}" % pg.dsn
    if ch:  # events on two shards; hits and publications in the SQLite beside them
        store = "{backend: clickhouse, clickhouse_shards: [%s], clickhouse_cluster: gsoc, sqlite_path: events.db, retention_days: 36500}" % ch.urls()

    def query(sql):
        if pg:
            return pg.query(sql)
        con = sqlite3.connect(db)
        try:
            return [tuple(str(v) for v in row) for row in con.execute(sql)]
        finally:
            con.close()

    try:
        scenario(bindir, src, root, procs, pki, store, query)
    finally:
        if pg:
            pg.stop()
        if ch:
            ch.stop()


def scenario(bindir, src, root, procs, pki, store, query):
    port = free_port()
    conf = os.path.join(root, "collector.yaml")
    with open(conf, "w") as f:
        f.write("listen_address: 127.0.0.1:%d\nca_file: pki/ca.pem\ncert_file: pki/collector.pem\nkey_file: pki/collector.key\n"
                "store: %s\ncorrelation_rule_files: [%s]\n"
                "correlation_lateness_s: 600\ncorrelation_idle_flush_s: 1\nstats_interval_s: 0\n"
                % (port, store, os.path.join(src, "packaging", "config", "correlation.yaml")))

    def collector(log_name):
        return start_collector([bindir + "/gsoc-collector", "-c", conf], root, os.path.join(root, log_name), procs)

    def stop(p):
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        return p.returncode

    def ship(agency, start, seed, attacks=True):
        ship_traffic(bindir, src, root, port, agency, start, seed, attacks=attacks)

    def hits():
        return sorted(query("SELECT rule_id, group_key, last_ns, is_update, values_json FROM correlation_hits"))

    def publications(kind):
        return [(n, a, json.loads(j)) for n, a, j in
                query("SELECT number, agency_id, json FROM publications WHERE kind = '%s' ORDER BY number" % kind)]

    def wave(rows):
        return [(int(u), json.loads(v)) for r, _, _, u, v in rows if r == "targeted-mail-same-attachment"]

    # 0. Two lateness keys at once: refused, naming both.
    both = os.path.join(root, "both.yaml")
    with open(conf) as f, open(both, "w") as g:
        g.write(f.read() + "correlation_lateness_ms: 500\n")
    refused = subprocess.run([bindir + "/gsoc-collector", "-c", both], cwd=root, capture_output=True, text=True, timeout=60)
    check(refused.returncode != 0 and "'correlation_lateness_s' and 'correlation_lateness_ms'" in refused.stderr,
          "a config with both lateness keys is refused naming them: %r" % refused.stderr.strip())

    # 1. Two agencies, one wave: the campaign is raised (after a day of MLIT's history).
    col = collector("collector-1.log")
    ship_history(bindir, src, root, port, "MLIT", T0)
    ship("MOFA", T0, 31)
    ship("MOD", T0 + 60, 32)
    time.sleep(2.5)  # idle flush: the collector correlates what it holds once ingest is quiet
    check(stop(col) == 0, "the collector stops cleanly")
    first = hits()
    check(wave(first) == [(0, ["MOD", "MOFA"])], "the mail wave is raised once, at MOFA and MOD: %s" % wave(first))
    check(any(r[0] == "indicator-at-several-agencies" for r in first), "indicator hits at both agencies are raised")

    published = (publications("warning"), publications("notice"))

    # 2. Restart: windows are rebuilt from the store, nothing is raised twice.
    col = collector("collector-2.log")
    time.sleep(2.5)
    check(hits() == first, "after a restart no hit is raised again (%d hits before, %d after)" % (len(first), len(hits())))
    check((publications("warning"), publications("notice")) == published, "after a restart nothing is published again")
    log2 = open(os.path.join(root, "collector-2.log")).read()
    replayed = [line for line in log2.splitlines() if "stored events replayed" in line]
    check(replayed and not replayed[0].split("rules; ")[1].startswith("0 "), "the windows were rebuilt: %s" % (replayed[:1],))

    # 3. A third agency an hour later: the same campaign grows.
    ship("MIC", T0 + 3600, 33)
    time.sleep(2.5)
    check(stop(col) == 0, "the restarted collector stops cleanly")
    final = hits()
    check(wave(final) == [(0, ["MOD", "MOFA"]), (1, ["MIC", "MOD", "MOFA"])],
          "the wave is updated with MIC, not raised anew: %s" % wave(final))
    log2 = open(os.path.join(root, "collector-2.log")).read()
    check("new high 'targeted-mail-same-attachment'" not in log2 and "update high 'targeted-mail-same-attachment'" in log2,
          "the restarted collector logs an update of the campaign")
    check(" 0 late events" in log2, "no event was late")

    # 4. What was published: one warning for the wave, revised as it grew, naming no victim; one
    #    notice to each agency whose host went on to contact the C2 server.
    def carries_hash(w):
        return any(i["kind"] == "KIND_FILE_HASH" for i in w.get("indicators", []))

    # The wave is one campaign whichever rule saw it first (the attachment, its listed sender).
    waves = [(n, w) for n, _, w in publications("warning") if carries_hash(w)]
    check(len(waves) == 1 and waves[0][1]["revision"] >= 2 and waves[0][0].startswith("W-2023-"),
          "one warning for the wave (its attachment and its listed sender), revised as MIC joined: %s" % [(n, w.get("revision")) for n, w in waves])
    if waves:
        w = waves[0][1]
        text = json.dumps(w)
        check(not any(a in text for a in ("MOFA", "MOD", "MIC", "192.0.2.")), "the warning names no agency and no internal host")
        check(w["tlp"] == "TLP_AMBER" and len(w["actions"]) >= 3 and [a["number"] for a in w["actions"]] == list(range(1, len(w["actions"]) + 1))
              and "3 agencies" in w["background"], "the warning carries TLP, the file hash, numbered actions and the count")
    notices = publications("notice")
    check(sorted(a for _, a, _ in notices) == ["MIC", "MOD", "MOFA"], "one notice to each agency: %s" % [a for _, a, _ in notices])
    check(all(n["internal_host"] == "192.0.2.77" and n["external_peer"] == "203.0.113.66" and n["tlp"] == "TLP_AMBER_STRICT"
              and n["state"] == "STATE_NEW" and n["evidence_event_ids"] for _, _, n in notices),
          "each notice names the agency's beaconing host, the C2 peer and the evidence, TLP:AMBER+STRICT")
    check(len({num for num, _, _ in notices}) == len(notices), "notice numbers are unique")

    # 5. A day-old backlog: MOJ's clean traffic of a day later is correlated first (the idle flush
    #    moves everything on), then NPA's sensor, back from an outage, ships the wave's day.
    col = collector("collector-3.log")
    ship("MOJ", T0 + 25 * 3600, 34, attacks=False)
    time.sleep(2.5)
    ship("NPA", T0 + 1800, 35)
    time.sleep(2.5)
    check(stop(col) == 0, "the third collector stops cleanly")
    late = wave(hits())
    check((1, ["MIC", "MOD", "MOFA", "NPA"]) in late and len(late) == 3,
          "NPA's day-old part joins the wave's campaign as an update, not a new one: %s" % late)
    log3 = open(os.path.join(root, "collector-3.log")).read()
    stats = [line for line in log3.splitlines() if line.startswith("correlation ")]
    check(stats and " 0 late events" not in stats[-1], "NPA's events were correlated late: %s" % stats[-1:])
    waves = [w for _, _, w in publications("warning") if carries_hash(w)]
    check(len(waves) == 1 and "4 agencies" in waves[0]["background"] and "Revised late" in waves[0]["background"],
          "still one warning, revised late and saying so: %s" % [w.get("background") for w in waves])
    campaigns = [c for _, _, c in publications("campaign") if "targeted-mail-same-attachment" in c.get("correlation_rules", [])
                 and not c.get("merged_into")]
    check(len(campaigns) == 1 and "NPA" in campaigns[0]["agencies"] and campaigns[0].get("late_revisions", 0) >= 1,
          "the campaign lists NPA and counts a late revision: %s"
          % [(c.get("title"), c.get("agencies"), c.get("late_revisions"), c.get("merged_into")) for _, _, c in publications("campaign")])
    check("NPA" in [a for _, a, _ in publications("notice")], "NPA gets its notice, late")


if __name__ == "__main__":
    run_test("gsoc-correlation-", run, backends=True)
