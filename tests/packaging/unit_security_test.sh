#!/usr/bin/env bash
# The shipped systemd units stay hardened: `systemd-analyze security` exposure below 3 for the
# collector and below 5 for the sensors (libpcap: raw sockets; DPDK: hugepages and VFIO), read
# offline from the unit files as packaged.
set -euo pipefail
units=$(cd "$(dirname "$0")/../../packaging/systemd" && pwd)
failures=0
for spec in gsoc-collector.service:3 gsoc-sensor.service:5 gsoc-sensor-dpdk.service:5; do
  unit=${spec%%:*}
  limit=${spec##*:}
  exposure=$(systemd-analyze security --offline=true --no-pager "$units/$unit" 2>&1 |
             sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  if [ -z "$exposure" ]; then
    echo "FAILED: $unit: systemd-analyze gave no exposure level"; failures=$((failures + 1))
  elif awk -v e="$exposure" -v l="$limit" 'BEGIN { exit !(e < l) }'; then
    echo "ok: $unit exposure $exposure (< $limit)"
  else
    echo "FAILED: $unit exposure $exposure (must be < $limit)"; failures=$((failures + 1))
  fi
done
exit "$failures"
