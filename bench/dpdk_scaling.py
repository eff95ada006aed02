#!/usr/bin/env python3
"""How gsoc-sensor scales with DPDK RX queues, one worker each, for sizing an appliance.

Generates mixed uplink traffic (gsoc-trafficgen), splits it into N captures by a symmetric hash
of the host pair (what RSS with the symmetric key does on a NIC), and runs gsoc-sensor on DPDK's
net_pcap device: once with one queue on the whole capture, once with N queues, one file each.
Reports Gbit/s for both and their ratio; runs alternate to even out a noisy machine. No NIC or
hugepages are needed.

Usage: bench/dpdk_scaling.py BUILD_BIN_DIR [--queues 2] [--bytes 300000000] [--runs 3]
       [--rules FILE|DIR] [--cache-dir DIR]
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

EAL = "--no-huge -m 1024 --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error"


def host_pair_hash(frame):
    """The queue key of a frame: a symmetric hash of its IP addresses (both directions of a flow
    and all fragments of a datagram agree), as RSS with the symmetric key does on a NIC."""
    ethertype, off = struct.unpack("!H", frame[12:14])[0], 14
    while ethertype in (0x8100, 0x88A8):
        ethertype, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    if ethertype == 0x86DD:
        a, b = frame[off + 8:off + 24], frame[off + 24:off + 40]
    else:
        a, b = frame[off + 12:off + 16], frame[off + 16:off + 20]
    return zlib.crc32(min(a, b) + max(a, b))


def records(data):
    """(offset, length) of each record (16-byte header and frame) of a pcap held in memory."""
    pos = 24
    while pos < len(data):
        n = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        yield pos, 16 + n
        pos += 16 + n


def split(capture, outputs):
    data = open(capture, "rb").read()
    files = [open(p, "wb") for p in outputs]
    for f in files:
        f.write(data[:24])
    for pos, n in records(data):
        files[host_pair_hash(data[pos + 16:pos + n]) % len(files)].write(data[pos:pos + n])
    for f in files:
        f.close()


def command(sensor, workers, files, extra):
    """gsoc-sensor on DPDK's net_pcap with one RX queue per file and `workers` workers."""
    vdev = "--vdev=net_pcap0," + ",".join("rx_pcap=" + f for f in files)
    return [sensor, "--workers", str(workers), "--dpdk", EAL + " " + vdev] + extra


def gbits(summary):
    """The Gbit/s of gsoc-sensor's summary (packets line: bytes over the capture loop's wall time)."""
    return float(re.search(r"^packets .* ([0-9.]+) Gbit/s$", summary, re.M).group(1))


def run(sensor, workers, files, extra):
    out = subprocess.run(command(sensor, workers, files, extra), capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("gsoc-sensor failed:\n" + out.stderr[-2000:])
    return gbits(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bin", help="the build's bin directory (gsoc-sensor, gsoc-trafficgen)")
    parser.add_argument("--queues", type=int, default=2)
    parser.add_argument("--bytes", type=int, default=300_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rules", action="append", default=[])
    parser.add_argument("--cache-dir")
    args = parser.parse_args()
    sensor = os.path.join(args.bin, "gsoc-sensor")
    extra = [a for r in args.rules for a in ("--rules", r)] + (["--cache-dir", args.cache_dir] if args.cache_dir else [])
    with tempfile.TemporaryDirectory() as work:
        whole = os.path.join(work, "uplink.pcap")
        subprocess.run([os.path.join(args.bin, "gsoc-trafficgen"), "-o", whole, "--bytes", str(args.bytes), "--seed", "9"],
                       check=True, capture_output=True)
        parts = [os.path.join(work, "q%d.pcap" % i) for i in range(args.queues)]
        split(whole, parts)
        one, many = [], []
        for _ in range(args.runs):
            one.append(run(sensor, 1, [whole], extra))
            many.append(run(sensor, args.queues, parts, extra))
        print("gsoc-sensor on DPDK net_pcap, %d MB of mixed traffic, %s" % (args.bytes // 1_000_000, " ".join(extra) or "no rules"))
        print("  1 queue,  1 worker : %.2f-%.2f Gbit/s" % (min(one), max(one)))
        print("  %d queues, %d workers: %.2f-%.2f Gbit/s" % (args.queues, args.queues, min(many), max(many)))
        print("  ratio (best of each): %.2f" % (max(many) / max(one)))


if __name__ == "__main__":
    main()
