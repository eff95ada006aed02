#!/usr/bin/env python3
"""HTTP evasions: does the sensor see the file a browser would save?

Writes the HTTP evasion captures with gsoc-trafficgen --http-evasions (bench/traffic/
HttpEvasions.hpp: one EICAR test-file download per quirk a browser accepts, and a few it
refuses), runs gsoc-sensor on each with one file rule (file.data contains the EICAR string) and
one app-layer-event rule per event a variant names, and prints per variant and per family
whether the file was seen and the events were raised. The captures and manifest.tsv stay in
--dir, so the same variants can be given to another IDS.

  python3 bench/http_evasions.py --bin build/bin [--dir /tmp/http-evasions] [--require-all]

--require-all: exit 1 unless every variant a browser accepts is seen and every named event is
raised (the CI test uses it).
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile

FILE_SID = 1
FILE_RULE = ('alert http any any -> any any (msg:"EICAR test file downloaded"; flow:established,to_client; '
             'file.data; content:"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"; sid:%d;)' % FILE_SID)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="folder with gsoc-sensor and gsoc-trafficgen")
    ap.add_argument("--dir", help="where the captures are written (default: a temporary folder)")
    ap.add_argument("--require-all", action="store_true", help="exit 1 on any variant not seen as a browser sees it")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only the failures and the totals")
    args = ap.parse_args()

    work = args.dir or tempfile.mkdtemp(prefix="gsoc-http-evasions-")
    subprocess.run([os.path.join(args.bin, "gsoc-trafficgen"), "--http-evasions", work], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "manifest.tsv"), newline="") as f:
        variants = list(csv.DictReader(f, delimiter="\t"))

    event_sids = {}
    for v in variants:
        for event in filter(None, v["events"].split(",")):
            event_sids.setdefault(event, 100 + len(event_sids))
    rules = os.path.join(work, "evasions.rules")
    with open(rules, "w") as f:
        f.write(FILE_RULE + "\n")
        for event, sid in event_sids.items():
            f.write('alert http any any -> any any (msg:"%s"; app-layer-event:%s; sid:%d;)\n' % (event, event, sid))

    per_family = collections.defaultdict(lambda: [0, 0])
    failures = []
    for v in variants:
        pcap = os.path.join(work, "%s-%s.pcap" % (v["family"], v["name"]))
        eve = pcap[:-5] + ".eve.json"
        run = subprocess.run([os.path.join(args.bin, "gsoc-sensor"), "--pcap", pcap, "--rules", rules, "--eve", eve],
                             capture_output=True, text=True)
        if run.returncode != 0:
            failures.append("%s-%s: gsoc-sensor exited %d: %s" % (v["family"], v["name"], run.returncode, run.stderr.strip()[-200:]))
            continue
        sids = set()
        with open(eve) as f:
            for line in f:
                record = json.loads(line)
                if record.get("event_type") == "alert":
                    sids.add(record["alert"]["signature_id"])
        accepted = v["browser_accepts"] == "yes"
        want = {event_sids[e] for e in filter(None, v["events"].split(","))} | ({FILE_SID} if accepted else set())
        got = sids if accepted else sids - {FILE_SID}
        ok = got == want
        per_family[v["family"]][0] += ok
        per_family[v["family"]][1] += 1
        seen = "file seen" if FILE_SID in sids else "file not seen"
        events = ", ".join(e for e, s in event_sids.items() if s in sids) or "no events"
        line = "%-4s %-9s %-36s %-13s %s" % ("ok" if ok else "MISS", v["family"], v["name"], seen, events)
        if not ok:
            failures.append(line + "  (" + v["quirk"] + ")")
        if not args.quiet:
            print(line)

    print("\n%-10s %s" % ("family", "as a browser sees it"))
    for family, (good, total) in per_family.items():
        print("%-10s %d / %d" % (family, good, total))
    good = sum(g for g, _ in per_family.values())
    print("%-10s %d / %d variants (%d a browser accepts); captures in %s" % (
        "TOTAL", good, len(variants), sum(v["browser_accepts"] == "yes" for v in variants), work))
    for failure in failures:
        print("not as a browser sees it: " + failure, file=sys.stderr)
    return 1 if args.require_all and failures else 0


if __name__ == "__main__":
    sys.exit(main())
