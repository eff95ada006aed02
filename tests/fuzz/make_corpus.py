#!/usr/bin/env python3
"""Cuts seed corpora for the fuzz targets (tests/fuzz/*_fuzz.cpp) out of the shared data:
packets, fragments, TCP segments and app-layer conversations from the test captures
(../shared/pcaps, ../shared/suricata-verify), rules from the bundled ruleset, ET Open and the
Suricata-verify cases, indicator lists and YAML configs from the tree. Each file is written in
its target's input format (FuzzRecords.hpp: [u8 control][u16 length][bytes] records for the
stream targets). Only the standard library; deterministic; a capped number of files per target,
so CI's short runs start from real traffic without a large corpus. Missing shared data is skipped.

    make_corpus.py --source <checkout> --shared <../shared> --out <dir>
"""
import argparse
import hashlib
import os
import struct
import sys
from pathlib import Path

MAX_FILES = 400          # per target
MAX_SEED_BYTES = 64 << 10
MAX_PCAP_BYTES = 1 << 20

# Link types in the order packet_decoder_fuzz.cpp's kLinkTypes lists them.
LINK_TYPES = [1, 113, 0, 108, 104, 101, 228, 229]


def read_pcap(path):
    """(linktype, [frame bytes]) of a classic pcap file; None for pcapng or damage."""
    data = path.read_bytes()
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        return None
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0xFFFF
    frames, pos = [], 24
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        pos += 16
        if incl > 262144 or pos + incl > len(data):
            break
        frames.append(data[pos:pos + incl])
        pos += incl
    return linktype, frames


def ip_of(linktype, frame):
    """The IP packet inside a frame, or None."""
    if linktype == 1:
        if len(frame) < 14:
            return None
        etype, rest = struct.unpack(">H", frame[12:14])[0], frame[14:]
        while etype in (0x8100, 0x88A8, 0x9100) and len(rest) >= 4:
            etype, rest = struct.unpack(">H", rest[2:4])[0], rest[4:]
        return rest if etype in (0x0800, 0x86DD) else None
    if linktype == 113:
        return frame[16:] if len(frame) >= 16 else None
    if linktype in (0, 108, 104):
        return frame[4:] if len(frame) >= 4 else None
    if linktype in (101, 228, 229):
        return frame
    return None


def parse_ip(ip):
    """dict(proto, src, dst, frag, payload) for an unfragmented or fragment IP packet."""
    if not ip:
        return None
    version = ip[0] >> 4
    if version == 4 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        if ihl < 20 or total < ihl or total > len(ip):
            return None
        frag = struct.unpack(">H", ip[6:8])[0]
        return dict(proto=ip[9], src=ip[12:16], dst=ip[16:20], frag=bool(frag & 0x3FFF), payload=ip[ihl:total])
    if version == 6 and len(ip) >= 40:
        plen = struct.unpack(">H", ip[4:6])[0]
        nxt, rest, frag = ip[6], ip[40:40 + plen], False
        for _ in range(8):
            if nxt in (0, 43, 60, 51) and len(rest) >= 8:
                length = (rest[1] + 1) * 8 if nxt != 51 else (rest[1] + 2) * 4
                nxt, rest = rest[0], rest[length:]
            elif nxt == 44 and len(rest) >= 8:
                frag = frag or (struct.unpack(">H", rest[2:4])[0] & 0xFFF9) != 0
                nxt, rest = rest[0], rest[8:]
            else:
                break
        return dict(proto=nxt, src=ip[8:24], dst=ip[24:40], frag=frag, payload=rest)
    return None


def record(control, data):
    data = data[:0xFFFF]
    return bytes([control]) + struct.pack(">H", len(data)) + data


class Corpus:
    """Candidates per target, deduplicated; write() keeps an evenly spaced sample of each, so
    every capture family is represented rather than the first alphabetically."""

    def __init__(self, out):
        self.out = Path(out)
        self.candidates = {}

    def add(self, target, data):
        if data and len(data) <= MAX_SEED_BYTES:
            self.candidates.setdefault(target, {})[hashlib.sha1(data).hexdigest()] = data

    def write(self):
        for target, found in sorted(self.candidates.items()):
            items = list(found.items())
            step = max(1, len(items) / MAX_FILES)
            sample = [items[int(i * step)] for i in range(min(MAX_FILES, len(items)))]
            d = self.out / target
            d.mkdir(parents=True, exist_ok=True)
            for name, data in sample:
                f = d / name
                if not f.exists():
                    f.write_bytes(data)
            print(f"make_corpus: {target}: {len(sample)} of {len(items)} seeds")


def classify(port, client_first, server_first):
    """Which app-layer target a TCP conversation seeds."""
    if client_first.startswith(b"PRI * HTTP/2.0"):
        return "http2"
    if client_first[:1] == b"\x16" or server_first[:1] == b"\x16" or port in (443, 8443, 993, 995):
        return "tls"
    if port == 53:
        return "dns"
    if client_first.startswith(b"SSH-") or server_first.startswith(b"SSH-"):
        return "ssh"
    if client_first[4:8] in (b"\xfeSMB", b"\xffSMB") or port in (139, 445):
        return "smb"
    if client_first[:2] in (b"\x05\x00", b"\x05\x01") or port == 135:
        return "dcerpc"
    if port == 1883 or (client_first[:1] == b"\x10" and client_first[2:8] in (b"\x00\x04MQTT", b"\x00\x06MQIs")):
        return "mqtt"
    if port == 20000 or client_first[:2] == b"\x05\x64" or server_first[:2] == b"\x05\x64":
        return "dnp3"
    if port == 88:
        return "krb5"
    if port == 44818:
        return "enip"
    if port == 502:
        return "modbus"
    if port == 2049:
        return "nfs"
    if port in (389, 3268) or (client_first[:1] == b"\x30" and client_first[2:3] == b"\x02"):
        return "ldap"
    if port == 21:
        return "ftp"
    # PostgreSQL, RFB and POP3
    if port == 5432 or client_first[4:8] in (b"\x04\xd2\x16\x2f", b"\x00\x03\x00\x00"):
        return "pgsql"
    if server_first.startswith(b"RFB ") or 5900 <= port <= 5909:
        return "rfb"
    if port == 110 or server_first.startswith(b"+OK"):
        return "pop3"
    if port == 3389 and client_first[:1] == b"\x03":
        return "rdp"
    if port in (5060, 5061) or server_first.startswith(b"SIP/2.0 ") \
            or client_first.split(b"\r\n", 1)[0].endswith(b" SIP/2.0"):
        return "sip"
    if port in (25, 587, 2525) or server_first.startswith(b"220") or client_first[:4].upper() in (b"EHLO", b"HELO"):
        return "smtp"
    if client_first.split(b" ", 1)[0] in (b"GET", b"POST", b"HEAD", b"PUT", b"OPTIONS", b"DELETE", b"CONNECT") \
            or server_first.startswith(b"HTTP/") or port in (80, 8080, 8000, 3128):
        return "http1"
    return None


def cut_pcap(corpus, path):
    parsed = read_pcap(path)
    if parsed is None:
        return
    linktype, frames = parsed
    if linktype in LINK_TYPES:
        for frame in frames[:16]:
            corpus.add("packet_decoder", bytes([LINK_TYPES.index(linktype)]) + frame)
    fragments, flows, quic_flows = [], {}, {}
    ike_flows = {}  # IKE
    nfs_flows = {}  # NFS over UDP
    for frame in frames:
        ip = ip_of(linktype, frame)
        p = parse_ip(ip)
        if p is None:
            continue
        if p["frag"]:
            fragments.append(record(0, ip))
            continue
        payload = p["payload"]
        if p["proto"] == 17 and len(payload) >= 8:
            sport, dport = struct.unpack(">HH", payload[:4])
            if 53 in (sport, dport):
                corpus.add("dns", record(1 if sport == 53 else 0, payload[8:]))
            if 443 in (sport, dport) or 80 in (sport, dport):
                # quic_fuzz.cpp: each record one datagram, bit 0 the direction (1: from the server).
                key = tuple(sorted([(p["src"], sport), (p["dst"], dport)]))
                quic_flows.setdefault(key, []).append(record(1 if sport in (443, 80) else 0, payload[8:]))
            # Small UDP/ICS protocols: each datagram a record, bit 0 the direction (1: from the server).
            for target, ports in (("snmp", (161, 162)), ("tftp", (69,)), ("dhcp", (67, 68))):
                if sport in ports or dport in ports:
                    server = sport in ports and not (target == "dhcp" and sport == 68)
                    corpus.add(target, record(1 if server else 0, payload[8:]))
            # NTP and BitTorrent DHT: each datagram a record, bit 0 the direction (1: from the server).
            if 123 in (sport, dport):
                corpus.add("ntp", record(1 if sport == 123 else 0, payload[8:]))
            if payload[8:13] in (b"d1:ad", b"d1:rd", b"d2:ip", b"d1:el"):
                corpus.add("bittorrent_dht", record(0 if payload[8:13] == b"d1:ad" else 1, payload[8:]))
            if {500, 4500} & {sport, dport}:
                # ike_fuzz.cpp: each record one datagram, bit 0 the direction (1: from the responder).
                key = tuple(sorted([(p["src"], sport), (p["dst"], dport)]))
                ike_flows.setdefault(key, []).append(record(1 if sport in (500, 4500) and dport not in (500, 4500) else 0, payload[8:]))
            if 2049 in (sport, dport):
                # nfs_fuzz.cpp: each record one datagram, bit 0 the direction (1: from the server).
                key = tuple(sorted([(p["src"], sport), (p["dst"], dport)]))
                nfs_flows.setdefault(key, []).append(record(1 if sport == 2049 else 0, payload[8:]))
            continue
        if p["proto"] != 6 or len(payload) < 20:
            continue
        sport, dport, seq = struct.unpack(">HHI", payload[:8])
        flags, offset = payload[13], (payload[12] >> 4) * 4
        data = payload[offset:]
        key = tuple(sorted([(p["src"], sport), (p["dst"], dport)]))
        flow = flows.setdefault(key, dict(client=None, segments=[], first={0: b"", 1: b""}))
        if flow["client"] is None:
            # The SYN's sender, else whoever talks to the lower port.
            syn_only = (flags & 0x12) == 0x02
            client_sends = syn_only or sport > dport
            flow["client"] = (p["src"], sport) if client_sends else (p["dst"], dport)
            flow["server"] = (p["dst"], dport) if client_sends else (p["src"], sport)
        direction = 0 if (p["src"], sport) == flow["client"] else 1
        flow["segments"].append((direction, seq, flags, data))
        if data and not flow["first"][direction]:
            flow["first"][direction] = data
    if fragments:
        corpus.add("fragment_reassembly", b"".join(fragments)[:MAX_SEED_BYTES])
    for datagrams in quic_flows.values():
        corpus.add("quic", b"".join(datagrams[:32])[:MAX_SEED_BYTES])
    for datagrams in ike_flows.values():
        corpus.add("ike", b"".join(datagrams[:32])[:MAX_SEED_BYTES])
    for datagrams in nfs_flows.values():
        corpus.add("nfs", b"".join(datagrams[:32])[:MAX_SEED_BYTES])
    for flow in flows.values():
        segs = flow["segments"]
        # tcp_stream: [control: bit 0 direction, bit 1 SYN, bit 2 FIN/RST][len][u32 seq][payload]
        tcp = b"".join(record(d | (2 if f & 2 else 0) | (4 if f & 5 else 0), struct.pack(">I", s) + data[:2000])
                       for d, s, f, data in segs[:64])
        corpus.add("tcp_stream", tcp)
        # App layers: payloads in order per direction, retransmissions left out.
        seen = {0: None, 1: None}
        records = []
        for d, s, f, data in segs:
            if not data:
                continue
            if seen[d] is not None and ((s - seen[d]) & 0xFFFFFFFF) >= 0x80000000:
                continue
            seen[d] = (s + len(data)) & 0xFFFFFFFF
            records.append(record(d, data))
        if not records:
            continue
        target = classify(flow["server"][1], flow["first"][0], flow["first"][1])
        if target == "http2":
            add_hpack_blocks(corpus, records)
            records = strip_preface(records)  # http2_fuzz.cpp sends the preface itself
        if target in ("smb", "dcerpc"):
            # smb_dcerpc_fuzz.cpp: bit 1 of the first record picks DCERPC, bit 2 releases at once.
            if target == "dcerpc":
                records = [bytes([r[0] | 2]) + r[1:] for r in records]
            target = "smb_dcerpc"
        if target:
            corpus.add(target, b"".join(records)[:MAX_SEED_BYTES])
        # websocket_fuzz.cpp: what follows an Upgrade: websocket answered 101, deflate bit off.
        if target == "http1" and b"upgrade: websocket" in flow["first"][0].lower():
            switched = next((i for i, r in enumerate(records) if r[0] & 1 and b" 101 " in r[5:40]), None)
            if switched is not None:
                after = [r for r in records[switched + 1:]]
                if after:
                    corpus.add("websocket", b"\x00" + b"".join(after)[:MAX_SEED_BYTES])


def strip_preface(records):
    out, left = [], 24
    for r in records:
        data = r[3:]
        if r[0] == 0 and left:
            cut = min(left, len(data))
            data, left = data[cut:], left - cut
            if not data:
                continue
        out.append(record(r[0], data))
    return out


def add_hpack_blocks(corpus, records):
    """hpack seeds: the header blocks of the HTTP/2 HEADERS frames of each direction, in order."""
    for direction in (0, 1):
        stream = b"".join(r[3:] for r in records if r[0] == direction)
        if direction == 0 and stream.startswith(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"):
            stream = stream[24:]
        blocks, pos = [], 0
        while pos + 9 <= len(stream):
            length = int.from_bytes(stream[pos:pos + 3], "big")
            ftype, flags = stream[pos + 3], stream[pos + 4]
            body = stream[pos + 9:pos + 9 + length]
            pos += 9 + length
            if ftype != 1:
                continue
            if flags & 0x08 and body:
                body = body[1:len(body) - body[0]]
            if flags & 0x20:
                body = body[5:]
            blocks.append(record(0, body))
        if blocks:
            corpus.add("hpack", b"".join(blocks))


def cut_rules(corpus, path, every=1):
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return
    rules = [l.strip() for l in lines if l.strip() and not l.startswith("#")]
    for rule in rules[::every]:
        corpus.add("rule_parser", rule.encode())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True, type=Path)
    ap.add_argument("--shared", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()
    corpus = Corpus(args.out)

    pcaps = sorted(args.shared.glob("pcaps/*/input.pcap"))
    pcaps += sorted(args.shared.glob("suricata-verify/tests/*/*.pcap"))
    pcaps += sorted(args.shared.glob("suricata-verify/pcaps/*.pcap"))
    # IP-in-IP tunnels and their recursion levels (helper-decode)
    pcaps += sorted(args.shared.glob("suricata-verify/tests/flow-pkt-recursion/*.pcap"))
    for pcap in pcaps:
        if pcap.stat().st_size <= MAX_PCAP_BYTES:
            cut_pcap(corpus, pcap)

    # Rules: the bundled set, the captures' rules, a sample of Suricata-verify's and of ET Open.
    for f in sorted((args.source / "signatures/rules").rglob("*.rules")):
        cut_rules(corpus, f)
    for f in sorted(args.shared.glob("pcaps/*/test.rules")):
        cut_rules(corpus, f)
    for f in sorted(args.shared.glob("suricata-verify/tests/*/test.rules"))[::8]:
        cut_rules(corpus, f)
    for f in sorted(args.shared.glob("rules/et-open/**/*.rules")):
        cut_rules(corpus, f, every=7)

    # Indicator lists: byte 0 picks the list type (indicators_fuzz.cpp), the rest is the file.
    types = ["ip", "domain", "url", "hash", "email"]
    for f in sorted((args.source / "signatures/rules").rglob("*.tsv")):
        if f.stem in types:
            corpus.add("indicators", bytes([types.index(f.stem)]) + f.read_bytes())

    # YAML configs: byte 0 picks the message (config_yaml_fuzz.cpp: rules, sensor, collector).
    messages = {"rules": 0, "sensor": 1, "collector": 2}
    for f in sorted((args.source / "packaging/config").glob("*.yaml")) + \
            sorted((args.source / "signatures/rules").rglob("*.yaml")):
        kind = messages.get(f.stem)
        if kind is not None:
            corpus.add("config_yaml", bytes([kind]) + f.read_bytes())

    corpus.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
