#!/usr/bin/env python3
"""The demo's report, read from the collector's SQLite store: what each agency sent, what the
centre correlated, the warnings and notices it published and the intelligence reports linked,
then what the demo's traffic was built to produce (bench/traffic/DemoScenario.hpp) against what
was published: every expected publication seen, and nothing else. Exit 1 otherwise.

    scripts/demo-report.py EVENTS_DB EVENT_COUNTS_JSON

EVENT_COUNTS_JSON is `gsocctl --json events --count-by agency,kind`: stored events are read
through the Central API, never from the store's tables; publications and correlation hits are
small relational tables read from the file.
"""
import collections
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
totals, alerts = collections.Counter(), collections.Counter()
for group in json.load(open(sys.argv[2])).get("counts", []):
    agency, kind = group["key"]
    totals[agency] += int(group["events"])
    if kind == "alert":
        alerts[agency] += int(group["events"])
print("stored at the centre, by agency:")
for agency in sorted(totals):
    print("  %-5s %6d events, %3d alerts" % (agency, totals[agency], alerts[agency]))
print("correlated at the centre (packaging/config/correlation.yaml):")
# One line per correlated group: its latest state, and how often it was updated after it was raised.
for rule, group, severity, values, events, updates in db.execute(
        "SELECT rule_id, group_key, severity, values_json, events, n - 1 FROM ("
        " SELECT rule_id, group_key, severity, values_json, events, last_ns,"
        " ROW_NUMBER() OVER (PARTITION BY rule_id, group_key ORDER BY last_ns DESC) AS r,"
        " COUNT(*) OVER (PARTITION BY rule_id, group_key) AS n FROM correlation_hits)"
        " WHERE r = 1 ORDER BY severity = 'high' DESC, rule_id, group_key"):
    print("  %-6s %-35s %-30s %-30s %3d events, %d updates" % (severity, rule[:35], group[:30], values[:30], events, updates))

def records(kind):
    return [json.loads(j) for (j,) in db.execute("SELECT json FROM publications WHERE kind=? ORDER BY number, id", (kind,))]

warnings, notices, intel = records("warning"), records("notice"), records("intel")
print()
print("warnings to every agency (注意喚起 warning, 警告・助言 urgent, 情報提供 information; victims never named):")
for w in warnings:
    print("  %s rev %d  %-12s %-8s %s" % (w["number"], w.get("revision", 1), w.get("class", "")[6:].lower(), w.get("tlp", "")[4:], w["title"]))
    print("      %s" % w["background"])
    for i in w.get("indicators", []):
        print("      indicator %-14s %s" % (i.get("kind", "")[5:].lower(), i["value"]))
    for a in w.get("actions", []):
        print("      %d. %s" % (a["number"], a["text"]))
    for r in w.get("references", [])[1:]:
        print("      see %s" % r)
print()
print("notices to the agency concerned (通報):")
for n in notices:
    print("  %s to %-5s %s  %s" % (n["number"], n["agency_id"], n.get("tlp", "")[4:], n["title"]))
    print("      internal host %s, external peer %s; %d evidence events; state %s" % (
        n.get("internal_host", "?"), n.get("external_peer", "?"), len(n.get("evidence_event_ids", [])), n.get("state", "")[6:].lower()))
print()
print("intelligence reports (the central team's own):")
for r in intel:
    print("  %s %s: %s; linked to %s campaign(s), %s hit(s), at %s" % (
        r["id"], r.get("actor", ""), r.get("summary", ""), len(r.get("linked_campaigns", [])), r.get("linked_hits", 0),
        ", ".join(r.get("linked_agencies", [])) or "none"))

# Every publication as a key; the expected keys are exactly what the traffic was built to contain.
def warning_key(w):
    return ("warning", w["title"], ",".join(sorted(i["value"] for i in w.get("indicators", []))))

def notice_key(n):
    return ("notice", n["agency_id"], n["title"], n.get("internal_host", ""), n.get("external_peer", ""))

published = [warning_key(w) for w in warnings] + [notice_key(n) for n in notices]
wave = "The same mail attachment reached several agencies"
listed = "A listed indicator was seen at several agencies"
foothold = "Command-and-control traffic after a mail at the same agency"
expected = {
    # gsoc-trafficgen writes the wave's attachment from one fixed seed: the same file everywhere.
    # The listed sender, the same attachment and the same lure are one activity: one campaign, one warning.
    ("warning", listed, "560268fc143f74c46d5979aecc2942e7f5a726f38294137024d264082c30d578,joho-kyoyu@freemail.example,資料.docx.exe,資料送付"):
        "the 資料.docx.exe mail wave at four ministries: its attachment, its listed sender and the lure (subject, file name) in one warning",
    ("warning", listed, "update-check.example"): "the C2 domain, a listed indicator, at two agencies",
    ("warning", listed, "203.0.113.66"): "the C2 server, a listed indicator, at two agencies",
    ("warning", "One source probing several agencies' servers", "203.0.113.71"): "the middleware scan across all eight agencies",
    ("warning", "A destination never seen before contacted from several agencies", "sync.newsfeed-cdn.example"):
        "information: a new destination shared by three agencies",
    ("warning", "Simultaneous access surge at several agencies (possible DDoS)", ""): "the night-time surge at two agencies",
    ("notice", "MIC", "Access surge at an agency's public servers", "192.0.2.10", "many sources"):
        "MIC: its part of the night-time surge, to MIC itself",
    ("notice", "NPA", "Access surge at an agency's public servers", "192.0.2.10", "many sources"):
        "NPA: its part of the night-time surge, to NPA itself",
    ("notice", "MOFA", foothold, "192.0.2.77", "203.0.113.66"): "MOFA: the host that opened the attachment calls its C2",
    ("notice", "MOD", foothold, "192.0.2.77", "203.0.113.66"): "MOD: the host that opened the attachment calls its C2",
    ("notice", "MOF", "An internal host contacting a rare destination at regular intervals", "192.0.2.45", "203.0.113.45"):
        "MOF: host 192.0.2.45 beaconing to telemetry.cloud-sync.example every 15 minutes",
    ("notice", "MOFA", "Past contact with cdn.update-check.example", "192.0.2.77", "cdn.update-check.example"):
        "retro-hunt: MOFA's past contact with the C2 host",
    ("notice", "MOD", "Past contact with cdn.update-check.example", "192.0.2.77", "cdn.update-check.example"):
        "retro-hunt: MOD's past contact with the C2 host",
}
surge = next((w for w in warnings if w["title"].startswith("Simultaneous access surge")), None)
linked = any(r.get("actor") == "AnonGov-JP" and sorted(r.get("linked_agencies", [])) == ["MIC", "NPA"] for r in intel)
print()
print("expected by the demo, and seen:")
ok = True
for key, what in expected.items():
    seen = key in published
    ok = ok and seen
    print("  [%s] %s" % ("seen" if seen else "MISSING", what))
seen = linked and surge is not None and any("AnonGov-JP" in r for r in surge.get("references", []))
ok = ok and seen
print("  [%s] the surge linked to AnonGov-JP's announcement against MIC and NPA" % ("seen" if seen else "MISSING"))
unexpected = [k for k in published if k not in expected]
for k in unexpected:
    print("  [UNEXPECTED] %s" % " | ".join(k))
print("demo: %d of %d expected outputs seen, %d unexpected" % (
    sum(1 for k in expected if k in published) + (1 if seen else 0), len(expected) + 1, len(unexpected)))
sys.exit(0 if ok and not unexpected else 1)
