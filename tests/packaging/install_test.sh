#!/usr/bin/env bash
# The Debian packages installed as an operator installs them: build gsoc-sensor, gsoc-collector
# and gsoc-tools from a release build tree (cpack), check them with lintian, install them with
# apt into a clean Debian 12 root made by debootstrap from the mirror this machine uses, start
# the collector and the sensor there with their units' exact ExecStart lines as user gsoc, replay
# a generated capture, see the events at the collector (gsocctl), scrape the sensor's metrics,
# rotate the EVE file (SIGUSR1), upgrade to a rebuilt package keeping the operator's edited
# conffile and the stored events, and purge cleanly.
#
#   tests/packaging/install_test.sh BUILD_DIR      (BUILD_DIR: a release build, e.g. build)
#
# Needs root (debootstrap, chroot, mounts) and the Debian mirror; about 5-8 minutes, most of it
# debootstrap and apt. GSOC_INSTALL_TEST_KEEP=1 keeps the root for inspection.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: install_test.sh BUILD_DIR}" && pwd)
work=$(mktemp -d /tmp/gsoc-install-test.XXXXXX)
root=$work/root
failures=0

step() { echo "install_test: $*"; }
check() {  # check DESCRIPTION COMMAND...: records a failure instead of stopping
  if "${@:2}"; then echo "  ok: $1"; else echo "  FAILED: $1"; failures=$((failures + 1)); fi
}
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }
cleanup() {
  set +e
  [ -n "${collector_pid:-}" ] && kill "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null
  for m in dev/pts dev proc sys; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  if [ "${GSOC_INSTALL_TEST_KEEP:-0}" = 1 ]; then echo "install_test: root kept at $root"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- the packages, and a rebuilt revision to upgrade to -------------------------------------
step "building the packages (cpack in $build)"
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
mkdir -p "$work/v1" "$work/v2"
mv "$build"/packages/*.deb "$work/v1/"
(cd "$build" && cpack -G DEB -D CPACK_DEBIAN_PACKAGE_RELEASE=2 > "$work/cpack2.log" 2>&1) || { cat "$work/cpack2.log"; exit 1; }
mv "$build"/packages/*.deb "$work/v2/"
ls -l "$work"/v1
for p in gsoc-sensor gsoc-collector gsoc-tools; do
  check "$p package built" test -f "$(ls "$work"/v1/${p}_*.deb 2>/dev/null | head -1)"
done
step "Depends computed from the binaries"
for deb in "$work"/v1/*.deb; do echo "  $(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"; done
check "gsoc-sensor depends on Debian's Hyperscan" sh -c "dpkg-deb -f $work/v1/gsoc-sensor_*.deb Depends | grep -q libhyperscan5"
check "conffiles listed" sh -c "dpkg-deb -e $work/v1/gsoc-sensor_*.deb $work/ctl && grep -qx /etc/gsoc/sensor.yaml $work/ctl/conffiles"

step "lintian"
if command -v lintian >/dev/null; then
  lintian_rc=0
  lintian --fail-on error,warning --display-info "$work"/v1/*.deb > "$work/lintian.log" 2>&1 || lintian_rc=$?
  cat "$work/lintian.log"
  check "lintian: no error or warning left unexplained" test "$lintian_rc" -eq 0
else
  echo "  lintian is not installed (scripts/bootstrap installs it)"; failures=$((failures + 1))
fi

# --- a clean Debian 12 root ---------------------------------------------------------------
mirror=$(grep -h -m1 -oE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}
step "debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; exit 1; }
# /proc, /sys and /dev as the programs expect them; a machine that refuses mounts (a container
# without CAP_SYS_ADMIN) runs the rest without them, and says so.
mount -t proc proc "$root/proc" || echo "  warning: cannot mount /proc in the root; continuing without it"
mount --bind /sys "$root/sys" || echo "  warning: cannot bind /sys into the root; continuing without it"
mount --bind /dev "$root/dev" || echo "  warning: cannot bind /dev into the root; debootstrap's device nodes stay"
mountpoint -q "$root/dev" && { mount --bind /dev/pts "$root/dev/pts" || true; }
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# No service starts inside the chroot (there is no systemd there; this says so to invoke-rc.d).
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"

step "apt install of the three packages"
cp "$work"/v1/*.deb "$work"/v2/*.deb "$root/tmp/"
in_root apt-get update -q > "$work/apt-update.log" 2>&1 || { cat "$work/apt-update.log"; exit 1; }
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/gsoc-sensor_*-1_*.deb /tmp/gsoc-collector_*-1_*.deb /tmp/gsoc-tools_*-1_*.deb' \
  > "$work/apt-install.log" 2>&1 || { tail -40 "$work/apt-install.log"; exit 1; }
check "gsoc user created" in_root getent passwd gsoc
check "/var/spool/gsoc owned by gsoc" test "$(in_root stat -c %U /var/spool/gsoc)" = gsoc
check "units installed" test -f "$root/lib/systemd/system/gsoc-sensor.service" -a -f "$root/lib/systemd/system/gsoc-collector.service"
check "units enabled" test -L "$root/etc/systemd/system/multi-user.target.wants/gsoc-collector.service"
check "bundled rules installed" test -f "$root/usr/share/gsoc/rules/default/gsoc-default.rules"
check "console pages installed" test -f "$root/usr/share/gsoc/web/feed.html"
check "gsoc-sensor --help runs" in_root gsoc-sensor --help
check "gsoc-rules loads the bundled rules" in_root gsoc-rules check /usr/share/gsoc/rules/default/gsoc-default.rules

# --- configure as an operator would ---------------------------------------------------------
step "PKI and configuration"
in_root sh -c 'gsoc-pki init /etc/gsoc/pki && gsoc-pki collector /etc/gsoc/pki && gsoc-pki sensor /etc/gsoc/pki MOJ moj-1 &&
  gsoc-pki signing-key /etc/gsoc/pki && gsoc-pki analyst /etc/gsoc/pki duty &&
  cp /etc/gsoc/pki/sensors/moj-1.pem /etc/gsoc/pki/sensor.pem && cp /etc/gsoc/pki/sensors/moj-1.key /etc/gsoc/pki/sensor.key &&
  chgrp -R gsoc /etc/gsoc/pki && chmod -R g+rX /etc/gsoc/pki' > "$work/pki.log" 2>&1 || { cat "$work/pki.log"; exit 1; }
port=$(python3 -c 'import random; print(random.randint(20000, 32767))')
mport=$((port + 1))
sed -i "s|^listen_address: .*|listen_address: 127.0.0.1:$port|; s|^metrics_address: .*|metrics_address: 127.0.0.1:$((port + 2))|" "$root/etc/gsoc/collector.yaml"
python3 - "$root/etc/gsoc/sensor.yaml" "$port" "$mport" <<'PY'
import sys
path, port, mport = sys.argv[1], sys.argv[2], sys.argv[3]
s = open(path).read()
s = s.replace("sensor_id: sensor-1", "sensor_id: moj-1").replace("agency_id: UNSET", "agency_id: MOJ")
# The generated capture spans about 0.4 s: a twentieth of its speed keeps the sensor running for
# about 8 s, long enough to scrape it and rotate its EVE file.
s = s.replace("  source: libpcap\n  interface: eth1\n", "  source: pcap\n  pcap_file: /srv/uplink.pcap\n  replay_speed: 0.05\n")
s = s.replace("collector.soc.example:7443", "127.0.0.1:" + port).replace("127.0.0.1:9470", "127.0.0.1:" + mport)
s += "# edited by the operator: kept across upgrades\n"
open(path, "w").write(s)
PY
start=$(( $(date +%s) - 3600 ))
in_root gsoc-trafficgen -o /srv/uplink.pcap --bytes 3000000 --attacks --start "$start" > "$work/trafficgen.log" 2>&1 \
  || { cat "$work/trafficgen.log"; exit 1; }
chmod 644 "$root/srv/uplink.pcap"
# What systemd's RuntimeDirectory=gsoc would make for the units (the control socket lives there).
install -d -m 0755 "$root/run/gsoc" && in_root chown gsoc:gsoc /run/gsoc

# User=gsoc as systemd applies it: setpriv execs the command in place, so $! is the service's pid.
as_gsoc="/usr/bin/setpriv --reuid=gsoc --regid=gsoc --init-groups --"
unit_exec() {  # the ExecStart line of an installed unit
  sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/$1"
}
start_collector() {
  # shellcheck disable=SC2046
  chroot "$root" $as_gsoc $(unit_exec gsoc-collector.service) > "$work/collector.log" 2>&1 &
  collector_pid=$!
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return 0
    kill -0 "$collector_pid" 2>/dev/null || { cat "$work/collector.log"; return 1; }
    sleep 0.2
  done
  cat "$work/collector.log"; return 1
}
stop_collector() { kill -TERM "$collector_pid"; wait "$collector_pid" || true; collector_pid=; }
stored_events() {
  in_root gsocctl --collector "127.0.0.1:$port" --pki /etc/gsoc/pki --analyst duty events --since 2h --count-by kind 2>&1 |
    awk '/^total/ {print $2}'
}

# --- run both services ----------------------------------------------------------------------
step "collector: $(unit_exec gsoc-collector.service)"
start_collector
step "sensor: $(unit_exec gsoc-sensor.service)"
# shellcheck disable=SC2046
chroot "$root" $as_gsoc $(unit_exec gsoc-sensor.service) > "$work/sensor.log" 2>&1 &
sensor_pid=$!
metrics=""
for _ in $(seq 50); do
  metrics=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$mport/metrics', timeout=2).read().decode())" 2>/dev/null) && break
  sleep 0.2
done
check "sensor metrics scraped" grep -q '^gsoc_sensor_info{sensor="moj-1",agency="MOJ"' <<< "$metrics"
check "sensor metrics count drops by layer" grep -q '^gsoc_sensor_dropped_packets_total{layer="ring"}' <<< "$metrics"
# logrotate's part: the file is moved away, SIGUSR1, and the sensor writes a new one.
sleep 1
mv "$root/var/log/gsoc/eve.json" "$root/var/log/gsoc/eve.json.1"
kill -USR1 "$sensor_pid" 2>/dev/null || echo "  the sensor ended before the rotation"
sensor_rc=0
wait "$sensor_pid" || sensor_rc=$?
check "the sensor ran to the end of the capture (exit $sensor_rc)" test "$sensor_rc" = 0
[ "$sensor_rc" = 0 ] && tail -5 "$work/sensor.log" || cat "$work/sensor.log"
check "EVE reopened after rotation (SIGUSR1)" grep -q "reopened (SIGUSR1)" "$work/sensor.log"
check "the new EVE file has records" test -s "$root/var/log/gsoc/eve.json"
check "logrotate accepts the rotation config" in_root logrotate -d /etc/logrotate.d/gsoc-sensor
events=$(stored_events)
echo "  events stored at the collector: ${events:-none}"
check "events reached the collector" test "${events:-0}" -gt 0
check "alerts among them" sh -c "chroot $root gsocctl --collector 127.0.0.1:$port --pki /etc/gsoc/pki --analyst duty events --since 2h --kind alert --count-by kind | grep -q '^total [1-9]'"
stop_collector

# --- upgrade to the rebuilt packages ---------------------------------------------------------
step "upgrade to revision 2"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confold /tmp/gsoc-sensor_*-2_*.deb /tmp/gsoc-collector_*-2_*.deb /tmp/gsoc-tools_*-2_*.deb' \
  > "$work/apt-upgrade.log" 2>&1 || { tail -40 "$work/apt-upgrade.log"; exit 1; }
check "revision 2 installed" sh -c "chroot $root dpkg-query -W -f='\${Version}' gsoc-sensor | grep -q -- '-2\$'"
check "the operator's sensor.yaml kept" grep -q "kept across upgrades" "$root/etc/gsoc/sensor.yaml"
start_collector
after=$(stored_events)
check "stored events kept across the upgrade ($events -> $after)" test "${after:-0}" = "${events:-x}"
stop_collector

# --- purge ------------------------------------------------------------------------------------
step "purge"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q gsoc-sensor gsoc-collector gsoc-tools' > "$work/apt-purge.log" 2>&1 \
  || { tail -40 "$work/apt-purge.log"; exit 1; }
check "no gsoc package left" sh -c "! chroot $root dpkg -l 'gsoc-*' 2>/dev/null | grep -q '^[ri]'"
check "binaries gone" test ! -e "$root/usr/bin/gsoc-sensor" -a ! -e "$root/usr/bin/gsoc-collector"
check "configuration gone (the PKI stays)" test ! -e "$root/etc/gsoc/sensor.yaml" -a ! -e "$root/etc/gsoc/collector.yaml" -a -d "$root/etc/gsoc/pki"
check "spool, cache and logs gone" test ! -e "$root/var/spool/gsoc" -a ! -e "$root/var/cache/gsoc" -a ! -e "$root/var/log/gsoc"
check "event store gone" test ! -e "$root/var/lib/gsoc/events.db"
check "units gone" test ! -e "$root/lib/systemd/system/gsoc-sensor.service" -a ! -e "$root/etc/systemd/system/multi-user.target.wants/gsoc-collector.service"

if [ "$failures" -ne 0 ]; then
  echo "install_test: $failures check(s) failed (logs in $work; GSOC_INSTALL_TEST_KEEP=1 keeps them)"
  GSOC_INSTALL_TEST_KEEP=1
  exit 1
fi
echo "install_test: all checks passed"
