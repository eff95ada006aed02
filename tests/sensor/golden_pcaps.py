#!/usr/bin/env python3
"""Golden tests on ../shared/pcaps: run gsoc-sensor on each case's input.pcap with its
test.rules and check expected.tsv (COUNT<TAB>field=value;...) against the EVE output.

Usage: golden_pcaps.py GSOC_SENSOR SHARED_DIR PASSING_LIST [--all]
Cases named in PASSING_LIST must pass; the others are run and reported (a case that starts
passing is pointed out so it can be added). Exit 1 when a listed case fails."""
import json
import os
import subprocess
import sys
import tempfile


def field(record, dotted):
    value = record
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def check_case(sensor, case_dir, work):
    eve = os.path.join(work, os.path.basename(case_dir) + ".json")
    cmd = [sensor, "--pcap", os.path.join(case_dir, "input.pcap"), "--rules", os.path.join(case_dir, "test.rules"),
           "--eve", eve, "--stats-interval", "0"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        return False, ["gsoc-sensor exited %d: %s" % (run.returncode, run.stderr.strip()[-300:])]
    records = [json.loads(line) for line in open(eve)]
    problems = []
    for line in open(os.path.join(case_dir, "expected.tsv")):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        count, conditions = line.split("\t", 1)
        wanted = [c.split("=", 1) for c in conditions.split(";")]
        got = sum(1 for r in records if all(str(field(r, k)) == v for k, v in wanted))
        if got != int(count):
            problems.append("expected %s, got %d: %s" % (count, got, conditions))
    return not problems, problems


def main():
    sensor, shared, passing_list = sys.argv[1:4]
    pcaps = os.path.join(shared, "pcaps")
    if not os.path.isdir(pcaps):
        print("golden pcaps: no %s, skipped" % pcaps)
        return 0
    must_pass = {l.split("#")[0].strip() for l in open(passing_list)} - {""}
    passed, failed_listed, newly = [], [], []
    with tempfile.TemporaryDirectory() as work:
        for case in sorted(os.listdir(pcaps)):
            case_dir = os.path.join(pcaps, case)
            if not os.path.isdir(case_dir):
                continue
            ok, problems = check_case(sensor, case_dir, work)
            if ok:
                passed.append(case)
                if case not in must_pass:
                    newly.append(case)
            elif case in must_pass:
                failed_listed.append((case, problems))
            status = "PASS" if ok else ("FAIL" if case in must_pass else "known gap")
            print("%-45s %s%s" % (case, status, "" if ok else ": " + "; ".join(problems)))
    for case in newly:
        print("now passing (add to %s): %s" % (os.path.basename(passing_list), case))
    print("golden pcaps: %d passed, %d failed" % (len(passed), len(failed_listed)))
    return 1 if failed_listed else 0


if __name__ == "__main__":
    sys.exit(main())
