#!/usr/bin/env python3
"""Peak memory of gsoc-sensor per 100,000 concurrent flows, for sizing an appliance.

Writes two captures of open HTTP connections (handshake, a request, the first part of a
response, no FIN, all within a second, so every flow is still active at the end), runs
gsoc-sensor on each and reports the growth of its peak resident set between them, per 100,000
flows. The difference cancels what does not depend on flows (the program, the compiled rules).

Usage: bench/flow_memory.py GSOC_SENSOR [--flows 20000,220000] [--rules FILE|DIR]...
       [--rules-config FILE] [--cache-dir DIR] [--sensor-arg=ARG]...
Each rules option adds a measured configuration; without any, the flow table alone (no rules).
"""
import argparse
import os
import resource
import struct
import subprocess
import sys
import tempfile


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst) + tcp
    return b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x08\x00" + ip


def write_capture(path, flows):
    request = b"GET /portal/index.php?id=%d HTTP/1.1\r\nHost: portal.example.go.jp\r\nUser-Agent: Mozilla/5.0\r\n\r\n"
    response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html><body>"
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 0
        for i in range(flows):
            client = bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
            server = bytes([203, 0, 113, 130 + i % 120])
            sport = 1024 + i % 60000
            req = request % i
            packets = [
                frame(client, server, sport, 80, 1000, 0, 0x02),
                frame(server, client, 80, sport, 5000, 1001, 0x12),
                frame(client, server, sport, 80, 1001, 5001, 0x10),
                frame(client, server, sport, 80, 1001, 5001, 0x18, req),
                frame(server, client, 80, sport, 5001, 1001 + len(req), 0x18, response),
            ]
            for p in packets:
                t += 1  # microseconds: every flow is fresh when the capture ends
                out.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(p), len(p)) + p)


def peak_rss_kib(command):
    """Peak resident set of one child run, in KiB (ru_maxrss of a fresh fork via a wrapper)."""
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
               "stderr=subprocess.PIPE); sys.stderr.write(r.stderr.decode()[-2000:] if r.returncode else ''); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")
    result = subprocess.run([sys.executable, "-c", wrapper] + command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("gsoc-sensor failed: %s\n%s" % (" ".join(command), result.stderr))
    return int(result.stdout.strip())


def measure(sensor, low, high, rule_args, extra, work):
    """Peak RSS (KiB) of gsoc-sensor on `low` and `high` open flows (captures written into work,
    once), and the growth per 100,000 flows in MiB: (per_100k, {low: KiB, high: KiB})."""
    captures = {}
    for n in (low, high):
        captures[n] = os.path.join(work, "flows-%d.pcap" % n)
        if not os.path.exists(captures[n]):
            write_capture(captures[n], n)
    eve = os.path.join(work, "eve.json")
    rss = {n: peak_rss_kib([sensor, "--pcap", captures[n], "--max-flows", str(2 * high), "--eve", eve] + rule_args + extra)
           for n in (low, high)}
    return (rss[high] - rss[low]) / 1024 / ((high - low) / 100000), rss


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sensor")
    parser.add_argument("--flows", default="20000,220000", help="two flow counts (default 20000,220000)")
    parser.add_argument("--rules", action="append", default=[], help="a rules file or directory (a configuration each)")
    parser.add_argument("--rules-config", action="append", default=[], help="a rules configuration YAML (a configuration each)")
    parser.add_argument("--cache-dir", help="compiled-database cache for gsoc-sensor")
    parser.add_argument("--sensor-arg", action="append", default=[],
                        help="one more gsoc-sensor argument for every run (repeatable; write --sensor-arg=--stream-inline)")
    args = parser.parse_args()
    low, high = (int(n) for n in args.flows.split(","))
    if not 0 < low < high:
        sys.exit("--flows needs two increasing counts, e.g. 20000,220000")
    configs = [("no rules (flow table and reassembly)", [])]
    configs += [("--rules " + r, ["--rules", r]) for r in args.rules]
    configs += [("--rules-config " + r, ["--rules-config", r]) for r in args.rules_config]
    extra = (["--cache-dir", args.cache_dir] if args.cache_dir else []) + args.sensor_arg
    with tempfile.TemporaryDirectory() as work:
        print("gsoc-sensor peak memory per 100,000 concurrent flows (%d and %d open HTTP flows)" % (low, high))
        for name, rule_args in configs:
            per_100k, rss = measure(args.sensor, low, high, rule_args, extra, work)
            print("  %-60s %7.1f MiB per 100k flows (peak %.0f MiB at %d flows, %.0f MiB at %d)"
                  % (name, per_100k, rss[high] / 1024, high, rss[low] / 1024, low))


if __name__ == "__main__":
    main()
