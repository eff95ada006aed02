#!/usr/bin/python3
"""bench/gsoc-capacity --quick end to end: 3 s of generated uplink, the default rules, one round of
sensor runs (1..2 workers), small flow, store and transport counts. Checks that the Markdown and
HTML reports exist and state the sizing with numbers (cores, RAM, RX queues, 2x traffic, the
centre's disk, the validation's prediction error), and that capacity.json holds them. No speed
is asserted: only that figures are there and positive. The link is 0.1 Gbit/s, so that a slow
build (ASan) still finds a worker count.

  tests/capacity_test.py BIN_DIR SOURCE_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def main():
    bin_dir, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    tool = os.path.join(src, "bench", "gsoc-capacity")
    help_text = subprocess.run([tool, "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--pcap", "--rules", "--link-gbps", "--peak-flows", "--agencies", "--retention-days", "--headroom", "--quick"):
        assert option in help_text, "--help does not explain " + option
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "report")
        run = subprocess.run([tool, "--quick", "--bin", bin_dir, "--out", out, "--max-workers", "2", "--link-gbps", "0.1",
                              "--peak-flows", "200000", "--agencies", "5", "--retention-days", "30"],
                             capture_output=True, text=True)
        sys.stdout.write(run.stdout)
        sys.stderr.write(run.stderr[-4000:])
        assert run.returncode == 0, "gsoc-capacity exited %d" % run.returncode
        assert "gsoc-capacity: [" in run.stderr, "no progress lines on stderr"
        md = open(os.path.join(out, "capacity-report.md")).read()
        page = open(os.path.join(out, "capacity-report.html")).read()
        num = r"[0-9][0-9,.]*"
        wanted = {
            "appliance": r"Appliance: \*\*(%s) cores\*\* .*\*\*(%s) GiB RAM\*\* .*\*\*a NIC with (%s) RX queue\(s\)\*\*" % (num, num, num),
            "2x traffic": r"At \*\*2x traffic\*\* .* runs at (%s)%% of its capacity" % num,
            "centre": r"Centre for \*\*5 agencies over 30 days\*\*: \*\*(%s) (?:TB|GB|MB|bytes) of disk\*\*.*\*\*(%s) collector cores\*\*" % (num, num),
            "validation": r"\*\*prediction error ([+-]%s)%%\*\*" % num,
            "headroom": r"\*\*Headroom rule:\*\* every part runs at most at (%s)%%" % num,
            "memory per flow": r"\*\*(%s) MiB per 100k flows\*\*" % num,
        }
        for name, pattern in wanted.items():
            m = re.search(pattern, md)
            assert m, "the Markdown report lacks the %s line (%s)" % (name, pattern)
            print("ok: %s: %s" % (name, m.group(0)[:160]))
        cores = int(re.search(wanted["appliance"], md).group(1))
        assert cores >= 2, "an appliance needs a worker and a core beside it"
        for text in ("Appliance: <strong>", "Headroom rule:", "prediction error", "Centre for <strong>5 agencies"):
            assert text in page, "the HTML report lacks " + text
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
        try:
            import matplotlib  # noqa: F401
            for png in ("capacity-scaling.png", "capacity-memory.png", "capacity-store.png"):
                assert os.path.getsize(os.path.join(out, png)) > 1000, png
                assert png in md, png + " not in the Markdown report"
            assert "data:image/png;base64," in page
        except ImportError:
            print("matplotlib missing: plots not checked")
        j = json.load(open(os.path.join(out, "capacity.json")))
        s = j["sizing"]
        assert s["t1"] > 0 and s["appliance"]["workers"] >= 1 and s["centre"]["disk_bytes"] > 0
        assert "validation" in s and s["validation"]["measured"] > 0
        assert j["measured"]["store"]["bytes_per_event"] > 0 and j["measured"]["flows"]["per_100k_mib"] > 0
    print("capacity report: ok")


if __name__ == "__main__":
    main()
