"""Shared helpers of the collector integration tests: checks that are counted rather than
raised (so one run reports every failure), and free loopback ports."""
import socket
import sys

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def finish():
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all checks passed")


def run_test(prefix, body):
    """Parses --bin and --source, runs body(bindir, src, root, procs) in a fresh temporary
    directory, kills whatever it left running in procs, removes the directory, reports."""
    import argparse
    import os
    import shutil
    import tempfile
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix=prefix)
    procs = []
    try:
        body(os.path.abspath(a.bin), os.path.abspath(a.source), root, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(root, ignore_errors=True)
    finish()


def start_collector(cmd, root, log_path, procs):
    """Starts gsoc-collector (cmd without --ready-file) and waits until it listens."""
    import os
    import subprocess
    import time
    ready = os.path.join(root, "ready")
    if os.path.exists(ready):
        os.remove(ready)
    log = open(log_path, "a")
    p = subprocess.Popen(cmd + ["--ready-file", ready], stdout=log, stderr=log)
    procs.append(p)
    for _ in range(300):
        if os.path.exists(ready):
            return p
        if p.poll() is not None:
            raise SystemExit("gsoc-collector exited with %s:\n%s" % (p.returncode, open(log_path).read()))
        time.sleep(0.05)
    raise SystemExit("gsoc-collector did not get ready")
