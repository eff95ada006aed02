#!/usr/bin/env bash
# gsoc-sensor end to end: every shared capture is processed with one flow record per flow and a
# stats record; a truncated capture, a non-capture file and random bytes as packets end cleanly
# with the problem counted; shipping refuses bad TLS material, addresses and state files at start-up
# and survives a full spool disk (a small tmpfs, as root; skipped otherwise).
# Usage: gsoc_sensor_cli_test.sh GSOC_SENSOR SOURCE_DIR SHARED_DIR
set -euo pipefail
sensor=$1
src=$(cd "$2" && pwd)  # absolute: configs written here name files under it
shared=$3
work=$(mktemp -d)
cleanup() {
  if mountpoint -q "$work/tiny" 2> /dev/null; then umount "$work/tiny"; fi
  rm -rf "$work"
}
trap cleanup EXIT
passes=0
failures=0
check() {
  local name=$1
  shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; failures=$((failures + 1)); fi
}
py() { python3 -c "$1" "${@:2}"; }

# 1. Shared captures: clean runs, EVE parses, flows == flow records.
if [ -d "$shared/pcaps" ]; then
  for dir in "$shared"/pcaps/*/; do
    name=$(basename "$dir")
    if "$sensor" --pcap "$dir/input.pcap" --eve "$work/$name.json" > "$work/$name.txt" 2>&1; then
      ok=$(py '
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
stats = [r for r in records if r["event_type"] == "stats"]
flows = [r for r in records if r["event_type"] == "flow"]
s = stats[-1]["stats"]
print(len(stats) == 1 and len(flows) == s["flow"]["created"] and s["capture"]["packets"] > 0
      and all(r["community_id"].startswith("1:") for r in flows))' "$work/$name.json")
      check "$name: EVE consistent" test "$ok" = True
    else
      check "$name: runs" false
    fi
  done
fi

# 2. A capture built here: a VLAN-tagged TCP flow, reassembled.
py '
import struct, sys
def frame(src, dst, sport, dport, seq, flags, payload, vlan=None):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes(src), bytes(dst)) + tcp
    eth = b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b"
    if vlan is not None:
        eth += struct.pack("!HH", 0x8100, vlan)
    return eth + b"\x08\x00" + ip
c, s = [192, 0, 2, 10], [198, 51, 100, 20]
pkts = [frame(c, s, 40000, 80, 100, 0x02, b"", 7), frame(s, c, 80, 40000, 500, 0x12, b"", 7),
        frame(c, s, 40000, 80, 101, 0x10, b"", 7), frame(c, s, 40000, 80, 106, 0x18, b"world", 7),
        frame(c, s, 40000, 80, 101, 0x18, b"hello", 7)]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(pkts):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
' "$work/vlan.pcap"
"$sensor" --pcap "$work/vlan.pcap" --eve "$work/vlan.json" > "$work/vlan.txt"
check "vlan flow reassembled" grep -q "tcp streams 10 bytes reassembled, 1 out-of-order segments, 0 gaps" "$work/vlan.txt"
check "vlan in flow record" grep -q '"vlan":\[7\]' "$work/vlan.json"
check "tcp established" grep -q '"state":"established"' "$work/vlan.json"

# 3. A truncated capture ends cleanly with the error counted.
head -c $(( $(stat -c %s "$work/vlan.pcap") - 7 )) "$work/vlan.pcap" > "$work/truncated.pcap"
set +e
"$sensor" --pcap "$work/truncated.pcap" > "$work/truncated.txt" 2>&1
rc_truncated=$?
"$sensor" --pcap "$src/README.md" > "$work/notpcap.txt" 2>&1
rc_notpcap=$?
"$sensor" --pcap "$work/vlan.pcap" --bogus > /dev/null 2>&1
rc_usage=$?
set -e
check "truncated capture exits 0" test "$rc_truncated" = 0
check "truncated capture counted" grep -q "^capture     1 error(s)" "$work/truncated.txt"
check "truncated capture still decoded the rest" grep -q "^packets     4 " "$work/truncated.txt"
check "not a capture exits 2" test "$rc_notpcap" = 2
check "not a capture is named" grep -q "README.md" "$work/notpcap.txt"
check "unknown option exits 2" test "$rc_usage" = 2

# 4. Random bytes as packets: counted as malformed, clean exit.
py '
import random, struct, sys
random.seed(5)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(3000):
        n = random.randrange(0, 300)
        body = bytes(random.randrange(256) for _ in range(n))
        if n > 20 and random.random() < 0.5:
            body = body[:12] + b"\x08\x00\x45" + body[15:]
        f.write(struct.pack("<IIII", 1700000000 + i, 0, n, n) + body)
' "$work/random.pcap"
"$sensor" --pcap "$work/random.pcap" --eve "$work/random.json" > "$work/random.txt"
check "random bytes processed" grep -q "^packets     3000 " "$work/random.txt"
check "random bytes counted as malformed" py 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1])][-1]["stats"]; sys.exit(0 if sum(s["decoder"]["malformed"].values()) > 1000 else 1)' "$work/random.json"

# 4b. Drops are reported per interval at every layer: 4,000 packets over a second, every other
#     one a truncated IPv4 header; replayed at recorded speed, the progress lines count them.
py '
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(4000):
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0, bytes([192, 0, 2, 1]), bytes([198, 51, 100, 1]))
        udp = struct.pack("!HHHH", 40000, 53, 8, 0)
        frame = b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x08\x00" + (ip[:10] if i % 2 else ip + udp)
        t = i * 250  # microseconds
        f.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(frame), len(frame)) + frame)
' "$work/paced.pcap"
"$sensor" --pcap "$work/paced.pcap" --replay-speed 1 --stats-interval 0.2 > "$work/paced.txt" 2> "$work/paced.err"
check "engine drops reported per interval" test "$(grep -c "; engine: [1-9][0-9]* malformed, 0 fragments, 0 flows evicted, 0 stream gap bytes$" "$work/paced.err")" -ge 2

# 5. Generated mixed traffic with the default ruleset: every kind of metadata record appears.
"$(dirname "$sensor")/gsoc-trafficgen" -o "$work/mixed.pcap" --bytes 3000000 --seed 3 > /dev/null
"$sensor" --pcap "$work/mixed.pcap" --rules "$src/signatures/rules/default/gsoc-default.rules" --eve "$work/mixed.json" > "$work/mixed.txt" 2>&1
# (Anomaly records are left out here: gsoc-trafficgen's ServerHello is 70 random bytes after its
# header, which the TLS parser rightly flags as an invalid handshake message; the metadata kinds
# are what this check is about.)
kinds=$(py 'import json,sys; print(" ".join(sorted({json.loads(l)["event_type"] for l in open(sys.argv[1])} - {"anomaly"})))' "$work/mixed.json")
check "metadata record kinds" test "$kinds" = "dns fileinfo flow http smtp stats tls"
# Files are hashed when something needs the hashes: mail attachments always (the centre
# correlates them), HTTP files when a rule or indicator list asks, or with --force-file-hashes.
check "fileinfo: attachments hashed, HTTP files not (no rule needs it)" py 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; f=[x for x in r if x["event_type"]=="fileinfo"]; h=[x for x in f if "http" in x]; m=[x for x in f if "http" not in x]; sys.exit(0 if h and m and all("sha256" not in x["fileinfo"] for x in h) and all(len(x["fileinfo"]["sha256"])==64 for x in m) else 1)' "$work/mixed.json"
"$sensor" --pcap "$work/mixed.pcap" --rules "$src/signatures/rules/default/gsoc-default.rules" --force-file-hashes --eve "$work/mixed-hashed.json" > /dev/null 2>&1
check "fileinfo has sha256 with --force-file-hashes" py 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; f=[x for x in r if x["event_type"]=="fileinfo"]; sys.exit(0 if f and all(len(x["fileinfo"]["sha256"])==64 for x in f) else 1)' "$work/mixed-hashed.json"
printf 'alert http any any -> any any (msg:"keep EXE downloads"; filestore; sid:9000001; rev:1;)\n' > "$work/filestore.rules"
"$sensor" --pcap "$work/mixed.pcap" --rules "$work/filestore.rules" --eve "$work/mixed-filestore.json" > /dev/null 2>&1
check "a filestore rule has HTTP files hashed" py 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; h=[x for x in r if x["event_type"]=="fileinfo" and "http" in x]; sys.exit(0 if h and all(len(x["fileinfo"]["sha256"])==64 for x in h) else 1)' "$work/mixed-filestore.json"
check "no malformed in generated traffic" grep -q "^skipped     0 malformed" "$work/mixed.txt"

# 6. The bundled default ruleset and indicator lists on generated traffic with the attack
#    scenarios mixed in: exactly the expected alerts, nothing from the benign sessions.
"$(dirname "$sensor")/gsoc-trafficgen" -o "$work/attack.pcap" --bytes 2000000 --seed 11 --attacks > /dev/null
"$sensor" --pcap "$work/attack.pcap" --rules-config "$src/signatures/rules/default/rules.yaml" --eve "$work/attack.json" > /dev/null 2>&1
got=$(py '
import json, sys
hits = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event_type"] == "alert":
        a = r["alert"]
        hits.append(a["indicator"]["id"] if "indicator" in a else str(a["signature_id"]))
print(" ".join(sorted(hits)))' "$work/attack.json")
want="8800001 8800002 8800101 8800103 8800201 8800202 gsoc-dom-0001 gsoc-dom-0001 gsoc-ip-0001 gsoc-ip-0001 gsoc-ip-0001 gsoc-mail-0001"
check "default ruleset: exact alerts on the attack scenarios (got: $got)" test "$got" = "$want"

# 7. Several workers: the same records as one worker (flow ids aside), and unique flow ids.
"$sensor" --workers 3 --pcap "$work/attack.pcap" --rules-config "$src/signatures/rules/default/rules.yaml" \
  --eve "$work/attack3.json" > "$work/attack3.txt" 2>&1
check "3 workers reported" grep -q "; 3 worker(s)" "$work/attack3.txt"
# same_records A B: the same EVE records apart from flow ids and the stats record, and B's flow
# ids unique (several workers number their flows apart).
same_records() {
  py '
import json, sys
def records(path):
    out, ids = [], []
    for line in open(path):
        r = json.loads(line)
        if r["event_type"] == "stats":
            continue
        if r["event_type"] == "flow":
            ids.append(r["flow_id"])
        r.pop("flow_id", None)
        r.pop("pcap_cnt", None)  # the position in what each queue read
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out), ids
one, _ = records(sys.argv[1])
many, ids = records(sys.argv[2])
sys.exit(0 if one == many and len(ids) == len(set(ids)) else 1)' "$1" "$2"
}
check "3 workers == 1 worker" same_records "$work/attack.json" "$work/attack3.json"

# 8. DPDK through the net_pcap virtual device (no NIC, no hugepages) gives the same events as
#    reading the file: alerts, metadata and flow records identical.
dpdk_same() {  # dpdk_same PCAP RULES
  "$sensor" --pcap "$1" --rules "$2" --eve "$work/via-pcap.json" > /dev/null 2>&1
  "$sensor" --dpdk "--no-huge -m 256 --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error --vdev=net_pcap0,rx_pcap=$1" \
    --rules "$2" --eve "$work/via-dpdk.json" > "$work/dpdk.txt" 2>&1 || { cat "$work/dpdk.txt"; return 1; }
  grep -q "^source      DPDK port 0 (net_pcap)" "$work/dpdk.txt" &&
    diff <(grep -v '"event_type":"stats"' "$work/via-pcap.json") <(grep -v '"event_type":"stats"' "$work/via-dpdk.json") > /dev/null
}
check "dpdk == pcap on generated traffic" dpdk_same "$work/mixed.pcap" "$src/signatures/rules/default/gsoc-default.rules"
if [ -d "$shared/pcaps" ]; then
  for name in bug-2491-01 tcp-split-handshake-01-4whs dns__dns-query__dns-detect-query-02; do
    check "dpdk == pcap on $name" dpdk_same "$shared/pcaps/$name/input.pcap" "$shared/pcaps/$name/test.rules"
  done
fi

# 8b. DPDK with a queue per worker: net_pcap gives one RX queue per rx_pcap= file, so the attack
#     capture is split three ways by a symmetric hash of the addresses (what RSS does on a NIC;
#     bench/dpdk_scaling.py's split).
#     The three workers, each polling its own queue, give the records one worker gives.
py 'import sys; sys.path.insert(0, sys.argv[1]); import dpdk_scaling; dpdk_scaling.split(sys.argv[2], sys.argv[3:])' \
  "$src/bench" "$work/attack.pcap" "$work/q0.pcap" "$work/q1.pcap" "$work/q2.pcap"
eal="--no-huge -m 256 --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error"
queues="--vdev=net_pcap0,rx_pcap=$work/q0.pcap,rx_pcap=$work/q1.pcap,rx_pcap=$work/q2.pcap"
"$sensor" --workers 3 --dpdk "$eal $queues" --rules-config "$src/signatures/rules/default/rules.yaml" \
  --eve "$work/attack-mq.json" > "$work/attack-mq.txt" 2>&1 || cat "$work/attack-mq.txt"
check "3 RX queues reported" grep -q "^source      DPDK port 0 (net_pcap), 3 RX queues, no RSS (the driver fills each queue); 3 worker(s)" "$work/attack-mq.txt"
check "packets per RX queue reported" py '
import re, struct, sys
def count(path):
    data, pos, n = open(path, "rb").read(), 24, 0
    while pos < len(data):
        pos += 16 + struct.unpack("<I", data[pos + 8:pos + 12])[0]
        n += 1
    return n
want = "rx queues   " + ", ".join("%d: %d" % (i, count(p)) for i, p in enumerate(sys.argv[2:])) + " packets"
sys.exit(0 if want in open(sys.argv[1]).read().splitlines() else 1)' "$work/attack-mq.txt" "$work/q0.pcap" "$work/q1.pcap" "$work/q2.pcap"
check "3 queues == 1 worker" same_records "$work/attack.json" "$work/attack-mq.json"
check "3 queues: every packet counted" grep -q "^packets     $(grep -o '"packets":[0-9]*' "$work/attack.json" | head -1 | cut -d: -f2) " "$work/attack-mq.txt"
# One file for two workers: one queue, spread by the software flow hash, and said so.
"$sensor" --workers 2 --dpdk "$eal --vdev=net_pcap0,rx_pcap=$work/attack.pcap" --rules-config "$src/signatures/rules/default/rules.yaml" \
  --eve "$work/attack-1q.json" > "$work/attack-1q.txt" 2>&1 || cat "$work/attack-1q.txt"
check "fewer queues than workers: spread in software" grep -q "has fewer RX queues than workers: one queue, spread over 2 workers" "$work/attack-1q.txt"
check "1 queue, 2 workers == 1 worker" same_records "$work/attack.json" "$work/attack-1q.json"
# capture.rx_queues is exact: more than the device has, or not one per worker, is refused by key.
printf 'capture:\n  rx_queues: 4\n' > "$work/rxq4.yaml"
printf 'capture:\n  rx_queues: 2\n' > "$work/rxq2.yaml"
set +e
"$sensor" -c "$work/rxq4.yaml" --workers 4 --dpdk "$eal $queues" > "$work/rxq4.txt" 2>&1
rc_rxq4=$?
"$sensor" -c "$work/rxq2.yaml" --workers 3 --dpdk "$eal $queues" > "$work/rxq2.txt" 2>&1
rc_rxq2=$?
set -e
check "rx_queues beyond the device exits 2" test "$rc_rxq4" = 2
check "rx_queues beyond the device is explained" grep -q "capture.rx_queues is 4 but port 0 (net_pcap) has at most 3 RX queue(s)" "$work/rxq4.txt"
check "rx_queues != workers exits 2" test "$rc_rxq2" = 2
check "rx_queues != workers names the key" grep -q "key 'capture.rx_queues': 2 queues for 3 worker(s)" "$work/rxq2.txt"

# 9. Live capture on loopback (needs root or CAP_NET_RAW; skipped without), and SIGHUP reload:
#    packets before the reload hit the old rule, packets after it the new one.
send_udp() {  # send_udp TEXT COUNT
  py 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[2])): s.sendto(sys.argv[1].encode(), ("127.0.0.1", 53535))' "$1" "$2"
}
printf 'alert udp any any -> any 53535 (msg:"first"; content:"FIRST"; sid:1;)\n' > "$work/live.rules"
if "$sensor" --interface lo --duration 0.2 --bpf "udp port 53535" > /dev/null 2>&1; then
  printf 'control_socket: %s\n' "$work/sensor.sock" > "$work/control.yaml"
  # --duration is only a bound: the test ends the run with SIGTERM (a loaded machine once took
  # longer than 15 s to reach the control socket step).
  "$sensor" -c "$work/control.yaml" --interface lo --bpf "udp port 53535" --duration 90 --rules "$work/live.rules" \
    --eve "$work/live.json" > "$work/live.txt" 2> "$work/live.err" &
  pid=$!
  for _ in $(seq 100); do  # wait until the rules are compiled and the capture is open
    grep -q "compiled in" "$work/live.err" 2> /dev/null && break
    sleep 0.1
  done
  sleep 1
  send_udp FIRST 3
  sleep 0.5
  printf 'alert udp any any -> any 53535 (msg:"second"; content:"SECOND"; sid:2;)\n' > "$work/live.rules"
  kill -HUP "$pid"
  sleep 0.3
  send_udp ping 1   # the reload is picked up between packets
  for _ in $(seq 100); do
    grep -q "ruleset reloaded" "$work/live.err" 2> /dev/null && break
    sleep 0.1
    send_udp ping 1  # the swap happens on the packet after the compile finishes
  done
  send_udp FIRST 2
  send_udp SECOND 4
  sleep 1
  # The control socket: the same reload on request, and answers one line per command.
  py 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"version\nstats\nbogus\nreload\n")
f = s.makefile()
open(sys.argv[2], "w").write("".join(f.readline() for _ in range(4)))' "$work/sensor.sock" "$work/control.out"
  for _ in $(seq 100); do  # no traffic now: a quiet link still swaps the new ruleset in
    test "$(grep -c "ruleset reloaded" "$work/live.err")" = 2 && break
    sleep 0.1
  done
  check "control socket: version" grep -q "^ruleset [0-9a-f]\{12\}$" "$work/control.out"
  check "control socket: stats" grep -q "^packets [0-9]* bytes [0-9]* alerts 7 drops interface [0-9]* capture [0-9]* ring 0 malformed 0 fragments 0 flows_evicted 0 stream_gap_bytes 0 " "$work/control.out"
  check "control socket: unknown command" grep -q "^error: unknown command 'bogus'" "$work/control.out"
  check "control socket: reload on a quiet link" test "$(grep -c "ruleset reloaded" "$work/live.err")" = 2
  kill -TERM "$pid"
  wait "$pid"
  sids=$(py 'import json, sys
print(" ".join(str(json.loads(l)["alert"]["signature_id"]) for l in open(sys.argv[1]) if "\"event_type\":\"alert\"" in l))' "$work/live.json")
  check "live capture and reload (alerts: $sids)" test "$sids" = "1 1 1 2 2 2 2"
  check "reload reported" grep -q "ruleset reloaded, active version" "$work/live.err"
  check "control socket removed on exit" test ! -e "$work/sensor.sock"
else
  echo "skip: no live capture permission on lo"
fi

# 10. A sensor configuration alone names the input, the rules and the outputs.
cat > "$work/sensor.yaml" <<YAML
sensor_id: mofa-uplink-1
agency_id: MOFA
capture: {source: pcap, pcap_file: $work/attack.pcap}
rules:
  rule_files: [$src/signatures/rules/default/gsoc-default.rules]
  address_groups: {HOME_NET: "[192.0.2.0/24]"}
output: {eve_file: $work/from-config.json, protobuf_file: $work/from-config.pb, stats_interval_s: 30}
YAML
"$sensor" -c "$work/sensor.yaml" > "$work/from-config.txt" 2>&1
check "config-only run writes EVE" grep -q '"event_type":"alert"' "$work/from-config.json"
check "config-only run writes events" test -s "$work/from-config.pb"

# 11. Help and a bad config key.
check "help" grep -q "gsoc-sensor --pcap FILE" <("$sensor" --help)
# bad_config NAME YAML MESSAGE: the sensor refuses the config NAME.yaml (exit 2), saying MESSAGE.
bad_config() {
  printf '%b' "$2" > "$work/$1.yaml"
  set +e
  "$sensor" --pcap "$work/vlan.pcap" -c "$work/$1.yaml" 2> "$work/$1.err"
  local rc=$?
  set -e
  check "$1: exits 2" test "$rc" = 2
  check "$1: names the key" grep -q "$3" "$work/$1.err"
}
bad_config bad 'flow:\n  udp_timeout: 5\n' "key 'flow.udp_timeout': unknown key"
bad_config bad-tls 'detection:\n  tls_encryption_handling: fulll\n' \
  "bad-tls.yaml:2:28: key 'detection.tls_encryption_handling': must be track-only or full"
printf 'control_socket: %s/no/such/dir/sensor.sock\n' "$work" > "$work/bad-socket.yaml"
set +e
"$sensor" --pcap "$work/vlan.pcap" --rules "$work/live.rules" -c "$work/bad-socket.yaml" 2> "$work/bad-socket.err" > /dev/null
rc_socket=$?
set -e
check "unusable control socket exits 2" test "$rc_socket" = 2
check "unusable control socket names the key" grep -q "key 'control_socket': control socket .*cannot listen" "$work/bad-socket.err"

# 12. Shipping: bad TLS material and addresses are refused at start-up with exit 2, naming the
#     file or the value (gRPC took them and failed later, or connected to the port modulo 65536).
pki="$work/pki"
"$src/scripts/gsoc-pki" init "$pki" > /dev/null
"$src/scripts/gsoc-pki" sensor "$pki" MOFA mofa-1 > /dev/null
"$src/scripts/gsoc-pki" sensor "$pki" MOFA mofa-2 > /dev/null
printf 'not a certificate\n' > "$work/garbage.pem"
ship_config() {  # ship_config FILE SPOOL_DIR: a sensor shipping to a collector that is not there
  cat > "$1" <<YAML
sensor_id: mofa-1
agency_id: MOFA
transport:
  collector_address: 127.0.0.1:1
  ca_file: $pki/ca.pem
  cert_file: $pki/sensors/mofa-1.pem
  key_file: $pki/sensors/mofa-1.key
  spool_dir: $2
YAML
}
ship_config "$work/ship.yaml" "$work/ship-spool"
refused() {  # refused WHAT TEXT ARGS...: exit 2, and TEXT on stderr
  local what=$1 text=$2 rc
  shift 2
  set +e
  "$sensor" -c "$work/ship.yaml" --drain-timeout 0 "$@" > /dev/null 2> "$work/refused.err"
  rc=$?
  set -e
  check "$what: exit 2 (exit $rc)" test "$rc" = 2
  check "$what: says '$text' (said: $(tail -c 300 "$work/refused.err"))" grep -qF -- "$text" "$work/refused.err"
}
refused "garbage --ca" "transport.ca_file (--ca) $work/garbage.pem: no PEM certificate in it" --pcap "$work/vlan.pcap" --ca "$work/garbage.pem"
refused "garbage --cert" "transport.cert_file (--cert) $work/garbage.pem: no PEM certificate in it" --pcap "$work/vlan.pcap" --cert "$work/garbage.pem"
refused "garbage --key" "transport.key_file (--key) $work/garbage.pem: no PEM private key in it" --pcap "$work/vlan.pcap" --key "$work/garbage.pem"
refused "another sensor's key" \
  "transport.key_file (--key) $pki/sensors/mofa-2.key is not the key of the certificate in transport.cert_file (--cert) $pki/sensors/mofa-1.pem" \
  --pcap "$work/vlan.pcap" --key "$pki/sensors/mofa-2.key"
refused "--collector 127.0.0.1:99999" "transport.collector_address (--collector) '127.0.0.1:99999': port '99999' is not a number from 1 to 65535" \
  --pcap "$work/vlan.pcap" --collector 127.0.0.1:99999
refused "--collector 127.0.0.1:0" "'127.0.0.1:0': port '0' is not a number from 1 to 65535" --pcap "$work/vlan.pcap" --collector 127.0.0.1:0
refused "--collector without a port" "'127.0.0.1': no port" --pcap "$work/vlan.pcap" --collector 127.0.0.1
refused "a second --collector" "transport.collector_address (--collector) '127.0.0.1:70000': port" \
  --pcap "$work/vlan.pcap" --collector 127.0.0.1:1 --collector 127.0.0.1:70000
# Further collector addresses in the config: a bad or repeated one is named by key, line and column.
config_refused() {  # config_refused WHAT LIST_LINE TEXT
  ship_config "$work/ship-list.yaml" "$work/ship-spool"
  printf '%s\n' "$2" >> "$work/ship-list.yaml"
  set +e
  "$sensor" -c "$work/ship-list.yaml" --pcap "$work/vlan.pcap" --drain-timeout 0 > /dev/null 2> "$work/refused.err"
  local rc=$?
  set -e
  check "$1: exit 2 (exit $rc)" test "$rc" = 2
  check "$1: says '$3' (said: $(tail -c 300 "$work/refused.err"))" grep -qF -- "$3" "$work/refused.err"
}
config_refused "a bad collector_addresses element" "  collector_addresses: [127.0.0.1:2, 127.0.0.1:99999]" \
  "ship-list.yaml:9:38: key 'transport.collector_addresses.1': '127.0.0.1:99999': port '99999' is not a number from 1 to 65535"
config_refused "a repeated collector address" "  collector_addresses: [127.0.0.1:1]" \
  "ship-list.yaml:9:25: key 'transport.collector_addresses.0': '127.0.0.1:1' is listed twice (also transport.collector_address)"
check "refused runs leave no spool" test ! -e "$work/ship-spool"
# The material gsoc-pki makes is taken; with the collector away the events wait in the spool.
"$sensor" -c "$work/ship.yaml" --pcap "$work/attack.pcap" --rules-config "$src/signatures/rules/default/rules.yaml" \
  --drain-timeout 0 > "$work/ship.txt" 2> "$work/ship.err"
spooled=$(sed -n 's/^transport .*: \([0-9]*\) events spooled this run.*/\1/p' "$work/ship.txt")
check "good material, collector away: events spooled ($spooled)" test "${spooled:-0}" -gt 0
check "all of them wait" grep -q "acknowledged through 0, $spooled events waiting" "$work/ship.txt"

# 13. The spool's state files are read strictly: a garbage or negative mark stops the sensor with
#     exit 2 naming the file and the problem, and the spooled events stay (-5 was read as
#     2^64-5, and every spooled event was dropped).
state_refused() {  # state_refused WHAT FILE CONTENT TEXT
  local what=$1 file=$2 content=$3 text=$4 saved rc
  saved=$(cat "$work/ship-spool/$file" 2> /dev/null || true)
  printf '%s' "$content" > "$work/ship-spool/$file"
  set +e
  "$sensor" -c "$work/ship.yaml" --ship-only --drain-timeout 0 > "$work/state.out" 2> "$work/state.err"
  rc=$?
  set -e
  check "$what: exit 2 (exit $rc)" test "$rc" = 2
  check "$what: names $file and the problem (said: $(tail -c 300 "$work/state.err"))" \
    grep -qF -- "spool: state file $work/ship-spool/$file $text" "$work/state.err"
  if [ -n "$saved" ]; then printf '%s\n' "$saved" > "$work/ship-spool/$file"; else rm -f "$work/ship-spool/$file"; fi
}
state_refused "acked -5" acked $'-5\n' "holds '-5', not a decimal number"
state_refused "acked garbage" acked 'garbage' "holds 'garbage', not a decimal number"
state_refused "acked empty" acked '' "is empty"
state_refused "acked beyond the spool" acked $'999999\n' "marks 999999 acknowledged, beyond the last spooled event $spooled"
state_refused "epoch garbage" epoch 'garbage' "holds 'garbage', not a decimal number"
"$sensor" -c "$work/ship.yaml" --ship-only --drain-timeout 0 > /dev/null 2> "$work/state.err"
check "after the refusals every spooled event is still there" grep -q "shipping $spooled spooled events" "$work/state.err"

# 14. A full spool disk (a 64 KiB tmpfs; mounting needs root, else skipped), the collector away:
#     drop_oldest makes room, every event dropped is counted, the capture goes on and the sensor
#     exits 0 (it aborted with "No space left on device", exit 134). Then the disk already full at
#     start, with the old spool and with a new one.
spool_numbers() {  # spool_numbers SUMMARY: "spooled recovered waiting dropped_cap dropped_disk" (-1s: unreadable)
  py '
import re, sys
t = open(sys.argv[1]).read()
a = re.search(r"(\d+) events spooled this run \((\d+) recovered", t)
b = re.search(r"acknowledged through \d+, (\d+) events waiting.*dropped (\d+) at the size cap, (\d+) for a full disk", t)
print(" ".join(a.groups() + b.groups()) if a and b else "-1 -1 -1 -1 -1")' "$1"
}
mkdir -p "$work/tiny"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k gsoc-spool-test "$work/tiny" 2> /dev/null; then
  ship_config "$work/tiny.yaml" "$work/tiny/spool"
  "$(dirname "$sensor")/gsoc-trafficgen" -o "$work/big.pcap" --bytes 8000000 --seed 21 --attacks > /dev/null
  set +e
  "$sensor" -c "$work/tiny.yaml" --pcap "$work/big.pcap" --rules-config "$src/signatures/rules/default/rules.yaml" \
    --drain-timeout 0 > "$work/tiny1.txt" 2> "$work/tiny1.err"
  rc=$?
  set -e
  check "full spool disk: exit 0 (exit $rc; $(tail -c 200 "$work/tiny1.err"))" test "$rc" = 0
  read -r spooled1 _ waiting1 cap1 disk1 <<< "$(spool_numbers "$work/tiny1.txt")"
  check "full spool disk: events dropped and counted ($disk1 of $spooled1)" test "$disk1" -gt 0
  check "full spool disk: waiting + dropped = spooled ($waiting1 + $cap1 + $disk1 = $spooled1)" \
    test "$((waiting1 + cap1 + disk1))" = "$spooled1"
  packets=$("$sensor" --pcap "$work/big.pcap" | sed -n 's/^packets     \([0-9]*\) .*/\1/p')
  check "full spool disk: every packet captured ($packets)" grep -q "^packets     $packets " "$work/tiny1.txt"
  # Full at start: fill what is left, then run again on the same spool, and on a new one.
  dd if=/dev/zero of="$work/tiny/filler" bs=4k 2> /dev/null || true
  set +e
  "$sensor" -c "$work/tiny.yaml" --pcap "$work/attack.pcap" --rules-config "$src/signatures/rules/default/rules.yaml" \
    --drain-timeout 0 > "$work/tiny2.txt" 2> "$work/tiny2.err"
  rc=$?
  set -e
  check "disk full at start: exit 0 (exit $rc; $(tail -c 200 "$work/tiny2.err"))" test "$rc" = 0
  read -r spooled2 recovered2 waiting2 cap2 disk2 <<< "$(spool_numbers "$work/tiny2.txt")"
  check "disk full at start: events dropped and counted ($disk2)" test "$disk2" -gt 0
  check "disk full at start: waiting + dropped = recovered + spooled ($waiting2 + $cap2 + $disk2 = $recovered2 + $spooled2)" \
    test "$((waiting2 + cap2 + disk2))" = "$((recovered2 + spooled2))"
  ship_config "$work/tiny-new.yaml" "$work/tiny/new-spool"
  dd if=/dev/zero of="$work/tiny/filler2" bs=4k 2> /dev/null || true  # what the last run freed
  set +e
  "$sensor" -c "$work/tiny-new.yaml" --pcap "$work/attack.pcap" --rules-config "$src/signatures/rules/default/rules.yaml" \
    --drain-timeout 0 > "$work/tiny3.txt" 2> "$work/tiny3.err"
  rc=$?
  set -e
  check "new spool on a full disk: exit 0 (exit $rc; $(tail -c 200 "$work/tiny3.err"))" test "$rc" = 0
  read -r spooled3 _ _ _ disk3 <<< "$(spool_numbers "$work/tiny3.txt")"
  check "new spool on a full disk: all $spooled3 events dropped and counted ($disk3)" test "$spooled3" -gt 0 -a "$disk3" = "$spooled3"
  check "new spool on a full disk: no empty epoch file" test ! -e "$work/tiny/new-spool/epoch"
  rm -f "$work/tiny/filler" "$work/tiny/filler2"
  "$sensor" -c "$work/tiny.yaml" --ship-only --drain-timeout 0 > "$work/tiny4.txt" 2> "$work/tiny4.err"
  check "room again: the spool opens, its events intact ($waiting2 waiting)" grep -q "shipping $waiting2 spooled events" "$work/tiny4.err"
else
  echo "skip: a full spool disk needs a tmpfs mount (root)"
fi

# Datasets: state saved at exit and read by the next run; ip.dst values saved; a bad load file
# refuses its rule with file:line:column.
dns_pcap="$shared/suricata-verify/tests/datasets-05-state/input.pcap"
if [ -f "$dns_pcap" ]; then
  mkdir -p "$work/ds/data"
  cat > "$work/ds/ds.rules" << 'EOF_RULES'
alert dns any any -> any any (dns.query; dataset:isnotset,seen,type string,state seen.csv; dataset:set,seen; sid:1;)
alert dns any any -> any any (ip.dst; dataset:set,servers,type ipv4,save servers.csv; sid:2;)
alert dns any any -> any any (dns.query; dataset:isset,bad,type string,load bad.lst; sid:3;)
EOF_RULES
  printf 'not base64!\n' > "$work/ds/bad.lst"
  for run in 1 2; do
    "$sensor" --pcap "$dns_pcap" --rules "$work/ds/ds.rules" --data-dir "$work/ds/data" --eve "$work/ds/eve$run.json" \
      > /dev/null 2> "$work/ds/err$run"
  done
  check "dataset state written at exit" test "$(cat "$work/ds/data/seen.csv")" = "ZXhhbXBsZS5jb20="
  check "dataset ip.dst values saved" test "$(cat "$work/ds/data/servers.csv")" = "1.2.3.4"
  check "dataset isnotset fires on the first run" grep -q '"signature_id":1,' "$work/ds/eve1.json"
  check "dataset state read by the second run" test "$(grep -c '"signature_id":1,' "$work/ds/eve2.json")" = 0
  check "dataset bad load file refused at file:line:column" \
    grep -q "ds.rules:3:[0-9]*: sid 3: bad base64 encoding bad/" "$work/ds/err1"
fi

echo "gsoc-sensor cli: $passes passed, $failures failed"
test "$failures" = 0
