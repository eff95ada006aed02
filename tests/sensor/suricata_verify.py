#!/usr/bin/env python3
"""Suricata compatibility measured on Suricata's own verification cases (OISF/suricata-verify).

Runs gsoc-sensor on every case under SHARED/suricata-verify/tests and evaluates the case's checks
on the EVE output the way upstream's run.py does, then prints each case's result and a table per
area with the overall figures.

    suricata_verify.py --sensor build/bin/gsoc-sensor [--shared ../shared] [--jobs 2]
                       [--only PATTERN] [--json OUT] [--passing LIST] [--write-passing LIST]

Per case:
- test.yaml `requires:` and `skip:` are checked against what gsoc is: a Suricata of
  --target-version (default 8.0.7: the corpus describes Suricata 7/8, and newer cases test
  Suricata 9 behaviour), with the build features in SENSOR_FEATURES. A case that needs something
  else is skipped with the reason, never counted as passed.
- `pcap:` and `rules:` may point elsewhere; otherwise the case folder's single *.pcap/*.pcapng and
  *.rules are used (upstream's rules). Without rules an empty rules file is passed, because gsoc
  only parses the application layer when detection is on.
- `args:` and the case's suricata.yaml (with its includes; upstream's stock configurations in
  etc/ count for their rule variables and outputs only), per setting (setting_policy()):
  mapped onto gsoc: rule variables (vars.address-groups/port-groups -> --var); datasets:
  sets defined by name (datasets.<name>.type/load/state/save/memcap/hashsize) and
  datasets.defaults go to a rules configuration (--rules-config, its datasets section),
  datasets.rules.allow-absolute-filenames and allow-write to gsoc-sensor flags, save/state
  files to --data-dir (the case's output folder);
  no-op, as it changes nothing gsoc logs: `-k none` (gsoc never validates checksums), runmode,
  verbosity, logging, stats, profiling, capture methods, memory sizes, rule paths (the harness
  passes the rules), anything about a protocol gsoc does not parse (the case then fails on its
  own), stream.async-oneside=true (gsoc always follows one-sided TCP), stream.inline=false/auto
  (gsoc's default is IDS mode; stream.inline=true becomes --stream-inline, which inspects stream
  bytes and transactions as they arrive), settings that act only in IPS mode, and any
  value equal to Suricata's default (SURICATA_DEFAULTS);
  out of scope (the case is skipped, "out of scope: <setting>"): everything else, notably IPS
  mode (--simulate-ips, also implied by "ips" in the case name as upstream does), Suricata's
  rule analysis and test modes, stream.midstream=true,
  stream.reassembly.depth other than 0 (unlimited, which gsoc is), threshold.config, Lua, firewall
  mode, IP reputation, and
  turning off a parser gsoc has. The eve-log `types:` list is honoured by ignoring other records;
  its dns `version:` and the SURICATA_EVE_DNS_VERSION environment become --eve-dns-version,
  its dns `requests:`, `responses:` and `types:` --eve-dns-requests/-responses/-types, its smb
  `types:` --eve-smb-types, its http `dump-all-headers:` --eve-http-dump-all-headers, its alert (or http) `xff:`
  --eve-xff, and its files `force-hash:` (or file-store's) --force-file-hashes. Each enabled
  `file-store` output becomes --file-store (its `dir`, default "filestore", in the case's output
  folder; a second one, which Suricata cannot set up, has gsoc refuse as Suricata does), its
  `force-filestore:` --force-filestore, its `stream-depth:` --file-store-stream-depth where
  Suricata applies it (above stream.reassembly.depth, or that 0).
  app-layer.protocols.mqtt.max-msg-length and max-tx become --mqtt-max-msg-length and
  --mqtt-max-tx, app-layer.protocols.ldap.max-tx --ldap-max-tx, dnp3's max-tx, max-points and
  max-objects --dnp3-max-tx, --dnp3-max-points, --dnp3-max-objects (PROTOCOL_VALUE_FLAGS).
  app-layer.protocols.tls.encryption-handling (or encrypt-handling) full becomes
  --tls-encryption-handling full; default and track-only are gsoc's default; bypass is out of
  scope (gsoc does not bypass the flow).
- `filter` checks: count records matching every `match` key; dotted paths with list indexes
  (`dns.query[0].rrname`), `__len`, `__contains`, `__find`, `__startswith`, `__endswith`,
  `__gt`/`__gte`/`__lt`/`__lte`, `has-key`, `not-has-key`; per-check `requires`/`min-version`/
  `lt-version`/`version`/`feature`. Checks on another file than eve.json, and `shell`, `stats` and
  `file-compare` checks, refer to Suricata's own logs, counters and files: they are skipped,
  except checks on engine messages (`event_type: engine`, `engine.message`) in eve.json or
  suricata.json/suricata.log, which are evaluated on gsoc-sensor's refusals ("rule rejected:
  FILE:LINE:COL: [sid N: ]MESSAGE" as an Error record) and notices, ignoring `engine.module`
  (Suricata's source module names). As
  upstream, a case passes when no check fails and at least one ran (or it has none and ran
  cleanly), and is skipped when every check was skipped.
- upstream runs Suricata with --init-errors-fatal, so a rule gsoc rejects fails the case
  ("unsupported keyword 'X'" and "unsupported protocol 'X'" are collected for the tables), unless
  the case expects Suricata to refuse to start (exit-code), where a rejection is what it asks for
  (but not one only for a keyword or protocol gsoc lacks: that says nothing about the case).
- every EVE line must be strict UTF-8 and valid JSON (no NaN, no lone surrogates), and the sensor
  must not crash: either fails the case and the whole run, listed or not.
- each case has a timeout (--timeout, default 60 s): a hang is a failure.

Areas (AREA_TOKENS): `detect-<keyword>` for detect-* cases; otherwise the case's parent folder or
the first name token with a known area (decode, defrag, stream, each protocol, eve, files, ...),
skipping generic tokens (bug, issue, numbers); cases named only by a ticket fall back to the first
application-layer event type their checks expect, then the protocol of their first rule (an
application protocol, else "detect"), then "misc".

--passing LIST: the cases that must pass (exit 1 if one does not); cases that pass but are not
listed are printed so the list can grow. --write-passing LIST writes the passing set.
"""
import argparse
import collections
import concurrent.futures
import fnmatch
import glob
import json
import os
import platform
import re
import shutil
import string
import struct
import subprocess
import sys
import tempfile
import time

import yaml

DEFAULT_TARGET_VERSION = "8.0.7"
# Suricata --build-info feature names that gsoc provides.
SENSOR_FEATURES = {"HAVE_JA3", "HAVE_JA4"}
# Application-layer protocols gsoc parses (Suricata's app-layer.protocols names).
PARSED_PROTOCOLS = {"http", "http2", "dns", "tls", "smtp", "smb", "dcerpc", "mqtt", "sip", "ldap",
                    "pgsql", "rfb", "pop3", "dnp3", "krb5",
                    # small UDP/ICS protocols
                    "snmp", "tftp", "dhcp",
                    # IKE
                    "ike",
                    # NFS
                    "nfs",
                    # EtherNet/IP and Modbus
                    "enip", "modbus",
                    # NTP, RDP, BitTorrent DHT
                    "ntp", "rdp", "bittorrent-dht"}
# Parsers gsoc can turn off or run in detection-only (Suricata's enabled: no / detection-only).
SWITCHABLE_PROTOCOLS = {"snmp", "tftp", "dhcp", "enip", "modbus", "ntp", "rdp", "bittorrent-dht"}
# Parsers gsoc can turn off over one transport or both (Suricata's <proto>.tcp.enabled / udp.enabled: no).
TRANSPORT_SWITCHABLE_PROTOCOLS = {"nfs"}
# Per-protocol parser settings that map onto a gsoc-sensor option taking the setting's value.
PROTOCOL_VALUE_FLAGS = {
    "mqtt.max-msg-length": "--mqtt-max-msg-length",
    "mqtt.max-tx": "--mqtt-max-tx",
    "ldap.max-tx": "--ldap-max-tx",
    # DNP3
    "dnp3.max-tx": "--dnp3-max-tx",
    "dnp3.max-points": "--dnp3-max-points",
    "dnp3.max-objects": "--dnp3-max-objects",
    # FTP (its parser runs on every flow it identifies; only its line cap is tunable)
    "ftp.max-line-length": "--ftp-max-line-length",
    "ftp.max-tx": "--ftp-max-tx",
}
# Suricata's eve-log type names whose event_type differs.
EVE_TYPE_EVENTS = {"files": "fileinfo", "file": "fileinfo"}

# --- settings -------------------------------------------------------------------------------------

NOOP = "no-op"
OUT = "out of scope"

# Suricata's defaults (suricata.yaml as shipped): a fragment that restates one changes nothing.
SURICATA_DEFAULTS = {
    "action-order": "['pass', 'drop', 'reject', 'alert']",
    "packet-alert-max": "15",
    "legacy.uricontent": "enabled",
    "vlan.use-for-tracking": "true",
    "defrag.timeout": "60",
    "stream.midstream": "false",
    "stream.inline": "auto",
    "stream.drop-invalid": "true",
    "stream.async-oneside": "false",
    "stream.checksum-validation": "true",
    "stream.midstream-policy": "ignore",
    "stream.reassembly.depth": "1mb",
    "stream.reassembly.toserver-chunk-size": "2560",
    "stream.reassembly.toclient-chunk-size": "2560",
    "stream.reassembly.randomize-chunk-size": "true",
    "detect.inspection-recursion-limit": "3000",
    "exception-policy": "auto",
    "pcap-file.checksum-checks": "auto",
    "decoder.teredo.enabled": "true",
    "decoder.teredo.ports": "$TEREDO_PORTS",
    "decoder.vxlan.enabled": "true",
    "decoder.vxlan.ports": "$VXLAN_PORTS",
    "decoder.geneve.enabled": "true",
    "decoder.geneve.ports": "$GENEVE_PORTS",
    "flow-timeouts.default.new": "30", "flow-timeouts.default.established": "300",
    "flow-timeouts.default.closed": "0", "flow-timeouts.default.bypassed": "100",
    "flow-timeouts.default.emergency-new": "10", "flow-timeouts.default.emergency-established": "100",
    "flow-timeouts.default.emergency-closed": "0", "flow-timeouts.default.emergency-bypassed": "50",
    "flow-timeouts.tcp.new": "60", "flow-timeouts.tcp.established": "600", "flow-timeouts.tcp.closed": "60",
    "flow-timeouts.tcp.bypassed": "100", "flow-timeouts.tcp.emergency-new": "5",
    "flow-timeouts.tcp.emergency-established": "100", "flow-timeouts.tcp.emergency-closed": "10",
    "flow-timeouts.tcp.emergency-bypassed": "50",
    "flow-timeouts.udp.new": "30", "flow-timeouts.udp.established": "300", "flow-timeouts.udp.bypassed": "100",
    "flow-timeouts.udp.emergency-new": "10", "flow-timeouts.udp.emergency-established": "100",
    "flow-timeouts.udp.emergency-bypassed": "50",
    "flow-timeouts.icmp.new": "30", "flow-timeouts.icmp.established": "300", "flow-timeouts.icmp.bypassed": "100",
    "flow-timeouts.icmp.emergency-new": "10", "flow-timeouts.icmp.emergency-established": "100",
    "flow-timeouts.icmp.emergency-bypassed": "50",
    # libhtp and SMTP MIME defaults
    "http.libhtp.default-config.personality": "ids",
    "http.libhtp.default-config.request-body-limit": "100kb",
    "http.libhtp.default-config.response-body-limit": "100kb",
    "http.libhtp.default-config.request-body-minimal-inspect-size": "32kb",
    "http.libhtp.default-config.request-body-inspect-window": "4kb",
    "http.libhtp.default-config.response-body-minimal-inspect-size": "40kb",
    "http.libhtp.default-config.response-body-inspect-window": "16kb",
    "http.libhtp.default-config.response-body-decompress-layer-limit": "2",
    "http.libhtp.default-config.http-body-inline": "auto",
    "http.libhtp.default-config.double-decode-path": "false",
    "http.libhtp.default-config.double-decode-query": "false",
    "http.libhtp.default-config.swf-decompression.enabled": "false",
    "http.libhtp.default-config.swf-decompression.type": "both",
    "http.libhtp.default-config.swf-decompression.compress-depth": "100kb",
    "http.libhtp.default-config.swf-decompression.decompress-depth": "100kb",
    "http.libhtp.server-config": "none",
    "smtp.raw-extraction": "false",
    "smtp.mime.decode-mime": "true",
    "smtp.mime.decode-base64": "true",
    "smtp.mime.decode-quoted-printable": "true",
    "smtp.mime.header-value-depth": "2000",
    "smtp.mime.extract-urls": "true",
    "smtp.mime.body-md5": "false",
    "smtp.inspected-tracker.content-limit": "100000",
    "smtp.inspected-tracker.content-inspect-min-size": "32768",
    "smtp.inspected-tracker.content-inspect-window": "4096",
    "tls.encryption-handling": "default",
    "tls.encrypt-handling": "default",
    "tls.ja3-fingerprints": "true",
    "tls.ja4-fingerprints": "true",
    "tls.detection-ports.dp": "443",
    "http.detection-ports.dp": "80",
    "asn1-max-frames": "256",
    "stream.bypass": "false",
    "app-layer.error-policy": "ignore",
    "host-os-policy.windows": "['0.0.0.0/0']",
    **{"host-os-policy." + os_name: "[]" for os_name in (
        "bsd", "bsd-right", "old-linux", "linux", "old-solaris", "solaris", "hpux10", "hpux11", "irix", "macos",
        "vista", "windows2k3")},
    "dns.tcp.detection-ports.dp": "53",
    "dns.udp.detection-ports.dp": "53",
    # PostgreSQL: as Suricata's suricata.yaml ships it (the stream depth unlimited).
    "pgsql.stream-depth": "0",
    "dnp3.detection-ports.dp": "20000",
    "enip.detection-ports.dp": "44818",
    "modbus.detection-ports.dp": "502",
}

# Prefixes of settings that change nothing gsoc does when reading a capture: logging, counters,
# profiling, capture methods, memory sizing, Suricata's own rule-analysis output, rule paths (the
# harness passes the case's rules itself).
NOOP_PREFIXES = (
    "logging.", "stats.", "profiling.", "detect.profiling.", "default-log-dir", "unix-command.",
    "run-as.", "coredump.", "threading.", "luajit.", "host-mode", "mpm-algo", "spm-algo",
    "detect.sgh-mpm-context", "detect.profile", "detect.custom-values.", "detect.grouping",
    "detect.prefilter.", "capture", "af-packet", "pcap", "pfring", "netmap", "nflog", "nfq", "ipfw",
    "napatech", "flow.hash-size", "flow.prealloc", "flow.memcap", "flow.emergency-recovery", "host.",
    "ippair.", "defrag.hash-size", "defrag.prealloc", "defrag.memcap", "defrag.trackers",
    "defrag.max-frags", "stream.memcap", "stream.reassembly.memcap", "pcre.match-limit",
    "classification-file", "reference-config-file", "default-rule-path", "rule-files",
    "engine-analysis.", "stats", "max-pending-packets", "pcap-file.delete-when-done",
    "pcap-file.checksum-checks", "stream.checksum-validation", "mpipe.", "cuda.",
)

# Why a whole family of settings is out of scope, for the report.
OUT_PREFIXES = {
    "firewall": "firewall mode", "multi-detect.": "multi-tenancy", "security.lua": "Lua",
    "reputation-": "IP reputation", "geoip-database": "GeoIP",
    "threshold-file": "threshold.config",
}


# datasets.* settings gsoc has a command-line flag for (value -> flag), or that change nothing.
DATASET_FLAGS = {
    ("datasets.rules.allow-absolute-filenames", "true"): "--datasets-allow-absolute",
    ("datasets.rules.allow-absolute-filenames", "false"): None,
    ("datasets.rules.allow-write", "false"): "--datasets-no-write",
    ("datasets.rules.allow-write", "true"): None,
    ("datasets.enabled", "true"): None,
    # the harness passes --data-dir (the case's output folder), where "." resolves
    ("datasets.save-directory", "."): None,
}


# What a set defined in suricata.yaml may say; gsoc.v1.DatasetConfig has each of them.
DATASET_FIELDS = ("type", "load", "state", "save", "memcap", "hashsize")


def setting_policy(key, value):
    """(NOOP, None), ("var", (name, value)), ("flag", flag) or (OUT, why) for one setting."""
    text = normalise_value(value)
    if key.startswith("datasets."):
        if (key, text) in DATASET_FLAGS:
            flag = DATASET_FLAGS[(key, text)]
            return ("flag", flag) if flag else (NOOP, None)
        if value is None:
            return NOOP, None  # an empty section
        if key in ("datasets.defaults.memcap", "datasets.defaults.hashsize"):
            return "dataset", ("defaults", key.rsplit(".", 1)[1], text)
        if key.startswith("datasets.limits."):
            return NOOP, None  # sizing
        # A set defined by name: the rules configuration's datasets.sets (--rules-config).
        parts = key.split(".")
        if len(parts) == 3 and parts[1] not in ("rules", "defaults", "limits") and parts[2] in DATASET_FIELDS:
            return "dataset", (parts[1], parts[2], text)
        return OUT, None
    if key.startswith("vars.address-groups.") or key.startswith("vars.port-groups."):
        name = key.split(".", 2)[2]
        if name == "include":
            return OUT, "vars include file"
        return "var", (name, text)
    for prefix, why in OUT_PREFIXES.items():
        if key.startswith(prefix):
            return OUT, why
    if key.startswith("app-layer.protocols."):
        return protocol_setting(key[len("app-layer.protocols."):], text)
    if key.startswith("app-layer.") and key not in SURICATA_DEFAULTS:
        return OUT, None
    if key.startswith("stream.") and key in SURICATA_DEFAULTS:
        # Settings that describe what gsoc always does: it follows one-sided TCP, inspects stream
        # and transaction data as Suricata's IDS mode (once acknowledged) unless --stream-inline,
        # and drops nothing.
        if key == "stream.async-oneside" and text == "true":
            return NOOP, None
        if key == "stream.reassembly.depth" and text == "0":
            # Unlimited: gsoc reassembles and parses whole streams (it has no depth cut-off; its
            # caps are per body, file and call), so 0 describes it better than Suricata's 1mb.
            return NOOP, None
        if key == "stream.inline" and text == "true":
            # Stream bytes and transactions are inspected as they arrive, not when the other
            # side acknowledges them.
            return "flag", "--stream-inline"
        if key == "stream.inline" and text in ("false", "auto"):
            return NOOP, None
        if key == "stream.drop-invalid":
            return NOOP, None
    if key.startswith(NOOP_PREFIXES):
        return NOOP, None
    if key == "exception-policy" and text in ("auto", "ignore"):
        return NOOP, None  # only acts on errors, which only the --simulate-* options provoke
    if key in SURICATA_DEFAULTS and normalise_value(SURICATA_DEFAULTS[key]) == text:
        return NOOP, None
    return OUT, None


def protocol_setting(rest, text):
    proto, _, option = rest.partition(".")
    if rest in PROTOCOL_VALUE_FLAGS:
        return "flag", (PROTOCOL_VALUE_FLAGS[rest], text)
    if proto not in PARSED_PROTOCOLS:
        # No parser to turn on, off or tune: a case that needs one fails on its own merits.
        return NOOP, None
    if proto in SWITCHABLE_PROTOCOLS and option in ("enabled", "udp.enabled"):
        if text in ("false", "no"):
            return "flag", ("--app-layer-disable", proto)
        if text == "detection-only":
            return "flag", ("--app-layer-detection-only", proto)
        return NOOP, None
    if proto in TRANSPORT_SWITCHABLE_PROTOCOLS and option in ("enabled", "tcp.enabled", "udp.enabled") and text == "false":
        return "flag", ("--app-layer-disable", proto + ("/" + option.split(".")[0] if "." in option else ""))
    if option in ("enabled", "tcp.enabled", "udp.enabled", ""):
        return (NOOP, None) if text not in ("false", "no") else (OUT, "gsoc cannot turn its %s parser off" % proto)
    if proto in ("smb", "dcerpc", "rfb") and option.startswith("detection-ports"):
        return NOOP, None  # gsoc knows SMB, DCERPC and RFB by their first bytes, on any port
    if proto == "tls" and option in ("encryption-handling", "encrypt-handling"):
        # Ciphertext: left uninspected by default (track-only, gsoc's default too), inspected
        # with full. Bypass also stops tracking the flow, which gsoc does not do: out of scope.
        if text == "full":
            return "flag", ("--tls-encryption-handling", "full")
        if text in ("default", "track-only"):
            return NOOP, None
    if rest in SURICATA_DEFAULTS and normalise_value(SURICATA_DEFAULTS[rest]) == text:
        return NOOP, None
    if rest in PROTOCOL_VALUE_FLAGS:
        return "flag", (PROTOCOL_VALUE_FLAGS[rest], text)
    return OUT, None


def normalise_value(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "none"
    text = str(value).strip().strip('"').lower()
    text = {"yes": "true", "no": "false", "on": "true", "off": "false"}.get(text, text)
    return re.sub(r"\s+", "", text).replace("kib", "kb").replace("mib", "mb")


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten("%s.%s" % (prefix, k) if prefix else str(k), v, out)
    else:
        out.append((prefix, value))


class Settings:
    """What a case's args and suricata.yaml amount to for gsoc."""

    def __init__(self):
        self.variables = {}
        self.out_of_scope = []     # "<setting>" or "<setting> (<why>)"
        self.eve_types = None      # event types the case's eve-log writes; None: all
        self.flags = []            # gsoc-sensor options the settings map to
        self.datasets = {}         # set name (or "defaults") -> {field: value}, for --rules-config
        self.eve_dns_version = None  # "2" or "3" when the case asks for a dns record shape
        self.eve_dns_filter = []     # --eve-dns-requests/-responses/-types and their values
        self.eve_force_hash = False  # the eve-log files force-hash: --force-file-hashes
        self.file_stores = []        # (dir, force-filestore, stream-depth) of each enabled file-store output
        self.reassembly_depth = SURICATA_DEFAULTS["stream.reassembly.depth"]  # stream.reassembly.depth

    def file_store_depth(self):
        """The file-store stream-depth in bytes, when Suricata applies it: above
        stream.reassembly.depth (or that unlimited); else None (Suricata warns it has no effect)."""
        depths = [size_bytes(d) for _, _, d in self.file_stores if d is not None]
        depth = depths[0] if depths else None
        reassembly = size_bytes(self.reassembly_depth)
        if not depth or reassembly is None or (reassembly != 0 and depth <= reassembly):
            return None
        return depth

    def apply(self, key, value, source):
        if key == "stream.reassembly.depth":
            self.reassembly_depth = normalise_value(value)
        kind, detail = setting_policy(key, value)
        if kind == "var":
            self.variables[detail[0]] = detail[1]
        elif kind == "flag":
            self.flags.append(detail if isinstance(detail, tuple) else (detail,))
        elif kind == "dataset":
            self.datasets.setdefault(detail[0], {})[detail[1]] = detail[2]
        elif kind == OUT:
            shown = "%s=%s" % (key, value if not isinstance(value, (list, dict)) else "...")
            self.out_of_scope.append("%s%s%s" % (shown, " (%s)" % detail if detail else "", source))


def parse_args_into(settings, args, env):
    tokens = []
    for arg in args:
        tokens += re.split(r"\s", str(arg))
    tokens = [string.Template(t).safe_substitute(env) for t in tokens if t != ""]
    i = 0
    while i < len(tokens):
        t = tokens[i]
        value = tokens[i + 1] if i + 1 < len(tokens) else ""
        if t == "-k":
            if value not in ("none", "auto"):
                settings.out_of_scope.append("-k %s (gsoc does not validate checksums)" % value)
            i += 2
            continue
        if t == "--set" or t.startswith("--set="):
            kv = value if t == "--set" else t[len("--set="):]
            key, _, val = kv.partition("=")
            settings.apply(key.strip(), yaml_scalar(val), "")
            i += 2 if t == "--set" else 1
            continue
        # Threading, verbosity and where Suricata keeps its files change nothing gsoc logs.
        if t in ("--runmode", "--data-dir", "-l"):
            i += 2
            continue
        if re.fullmatch(r"-v+", t) or t.startswith(("--runmode=", "--data-dir=")) \
                or t in ("--init-errors-fatal", "--no-random"):
            i += 1
            continue
        why = {
            "--simulate-ips": "IPS mode", "--engine-analysis": "Suricata's rule analysis output",
            "-T": "configuration test mode", "--dump-config": "Suricata's configuration dump",
        }.get(t.split("=")[0])
        if why is None and t.startswith("--simulate-"):
            why = "Suricata's fault simulation"
        settings.out_of_scope.append(t + (" (%s)" % why if why else ""))
        i += 1


def yaml_scalar(text):
    try:
        return yaml.safe_load(text) if text != "" else ""
    except yaml.YAMLError:
        return text


def load_yaml(path):
    with open(path, "rb") as f:
        return yaml.safe_load(f) or {}


def load_suricata_yaml(settings, case_dir, shared):
    path = os.path.join(case_dir, "suricata.yaml")
    if not os.path.exists(path):
        return
    try:
        doc = load_yaml(path)
    except yaml.YAMLError as e:
        settings.out_of_scope.append("unreadable suricata.yaml (%s)" % str(e).splitlines()[0])
        return
    merged = {}
    stock = os.path.realpath(os.path.join(shared, "suricata-verify", "etc"))
    for include in includes_of(doc):
        inc = os.path.realpath(os.path.join(case_dir, include))
        if not os.path.exists(inc):
            settings.out_of_scope.append("include %s (absent)" % include)
            continue
        try:
            included = load_yaml(inc)
        except yaml.YAMLError:
            settings.out_of_scope.append("include %s (unreadable)" % include)
            continue
        if os.path.dirname(inc) == stock:
            # Upstream's stock configurations: Suricata's defaults of their day, so only the
            # rule variables and outputs they declare matter here.
            included = {k: v for k, v in included.items() if k in ("vars", "outputs")}
        merged.update(included)
    merged.update({k: v for k, v in doc.items() if k != "include"})
    for key, value in merged.items():
        if key == "outputs":
            settings.eve_types = eve_types(value)
            settings.eve_dns_version = eve_dns_version(value) or settings.eve_dns_version
            settings.eve_dns_filter = eve_dns_filter(value) + eve_smb_filter(value) + eve_http_options(value) + eve_xff_options(value) + eve_pgsql_options(value)
            settings.eve_force_hash = eve_force_hash(value)
            settings.file_stores = file_store_outputs(value)
            settings.flags += eve_option_flags(value)
            continue
        flat = []
        flatten(key, value, flat)
        for k, v in flat:
            if k.endswith(".include"):
                settings.out_of_scope.append("%s (include in a section)" % k)
                continue
            settings.apply(k, v, " [suricata.yaml]")


def write_rules_config(datasets, case_dir, work):
    """A gsoc.v1.RulesConfig holding the sets suricata.yaml defines; its path.

    Suricata reads a set's relative load file from its data directory, else from where it runs
    (the case's folder); gsoc reads it from the config's folder, so the harness names it in full.
    save and state stay relative: the data directory (--data-dir) is the case's output folder."""
    sets = {}
    for name, fields in sorted(datasets.items()):
        if name == "defaults":
            continue
        entry = dict(fields)
        load = entry.get("load")
        if load and not os.path.isabs(load) and os.path.exists(os.path.join(case_dir, load)):
            entry["load"] = os.path.join(os.path.realpath(case_dir), load)
        sets[name] = {k: (int(v) if k == "hashsize" else str(v)) for k, v in entry.items()}
    doc = {"datasets": {"sets": sets}}
    if "defaults" in datasets:
        doc["datasets"]["defaults"] = {k: (int(v) if k == "hashsize" else str(v)) for k, v in datasets["defaults"].items()}
    path = os.path.join(work, "rules-config.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(doc, f)
    return path


def includes_of(doc):
    inc = doc.get("include")
    if inc is None:
        return []
    return inc if isinstance(inc, list) else [inc]


def eve_type_of(record):
    """The eve-log type that writes a record: its event_type, except that Suricata's http2 logger
    writes HTTP/2 transactions as event_type http (with an http2 object), its alert logger tagged
    packets as event_type packet, and its ftp logger the ftp_data records."""
    event_type = record.get("event_type")
    if event_type == "http" and isinstance(record.get("http"), dict) and "http2" in record["http"]:
        return "http2"
    if event_type == "packet":  # tagged packets: the alert logger's (alert tagged-packets)
        return "alert"
    if event_type == "ftp_data":
        return "ftp"  # Suricata's ftp logger writes the data connections' records too
    return event_type

def eve_types(outputs):
    """Event types of the eve-log output to eve.json, or None when it logs everything."""
    for output in outputs or []:
        if not isinstance(output, dict) or "eve-log" not in output:
            continue
        eve = output["eve-log"] or {}
        if normalise_value(eve.get("enabled", True)) == "false":
            continue
        if str(eve.get("filename", "eve.json")) != "eve.json":
            continue
        types = set()
        for t in eve.get("types") or []:
            name = next(iter(t)) if isinstance(t, dict) else str(t)
            types.add(EVE_TYPE_EVENTS.get(name, name))
        return types
    return None

def eve_dns_version(outputs):
    """The eve-log dns `version:` of the output to eve.json ("2" or "3"), or None."""
    for output in outputs or []:
        if not isinstance(output, dict) or not isinstance(output.get("eve-log"), dict):
            continue
        for t in output["eve-log"].get("types") or []:
            if isinstance(t, dict) and isinstance(t.get("dns"), dict) and "version" in t["dns"]:
                return str(t["dns"]["version"])
    return None

def eve_force_hash(outputs):
    """True when an eve-log's `files` type (or the file-store output) forces file hashes: gsoc
    then hashes every HTTP file, not only those a rule or indicator list needs hashed."""
    for output in outputs or []:
        if not isinstance(output, dict):
            continue
        for name, section in output.items():
            if not isinstance(section, dict) or normalise_value(section.get("enabled", True)) == "false":
                continue
            if name == "file-store" and section.get("force-hash"):
                return True
            if name != "eve-log":
                continue
            for t in section.get("types") or []:
                if isinstance(t, dict) and isinstance(t.get("files"), dict) and t["files"].get("force-hash"):
                    return True
    return False


def file_store_outputs(outputs):
    """(dir, force-filestore) of each enabled file-store output. Every one is listed, whatever
    its version: Suricata sets up one file data logger and stops on a second (or a version 1
    one), and gsoc refuses a second --file-store the same way."""
    stores = []
    for output in outputs or []:
        if not isinstance(output, dict) or not isinstance(output.get("file-store"), dict):
            continue
        section = output["file-store"]
        if normalise_value(section.get("enabled", False)) != "true":
            continue
        depth = section.get("stream-depth")
        stores.append((str(section.get("dir") or "filestore"),
                       normalise_value(section.get("force-filestore", False)) == "true",
                       None if depth is None or normalise_value(depth) == "no" else normalise_value(depth)))
    return stores


def size_bytes(text):
    """A Suricata size string ("100000", "100kb", "1mb") in bytes; None when it is not one."""
    match = re.fullmatch(r"(\d+)(kb|mb|gb)?", str(text))
    if not match:
        return None
    return int(match.group(1)) * {None: 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3}[match.group(2)]


# eve-log types' yes/no settings and the gsoc-sensor flag each maps to.
EVE_TYPE_SWITCHES = {
    "dhcp": (("extended", "--eve-dhcp-extended"),),
    "alert": (("packet", "--eve-alert-packet"), ("payload", "--eve-alert-payload"),
              ("payload-printable", "--eve-alert-payload-printable"), ("tagged-packets", "--eve-tagged-packets")),
    "anomaly": (("packethdr", "--eve-anomaly-packet"),),
}


def eve_option_flags(outputs):
    """gsoc-sensor options for what the eve-log to eve.json adds to its records: ethernet,
    community-id-seed, suricata-version, netflow records, alert packet."""
    for output in outputs or []:
        if not isinstance(output, dict) or not isinstance(output.get("eve-log"), dict):
            continue
        eve = output["eve-log"]
        if normalise_value(eve.get("enabled", True)) == "false" or str(eve.get("filename", "eve.json")) != "eve.json":
            continue
        flags = []
        if normalise_value(eve.get("ethernet", False)) == "true":
            flags.append(("--eve-ethernet",))
        if normalise_value(eve.get("suricata-version", False)) == "true":
            flags.append(("--eve-suricata-version",))
        if eve.get("community-id-seed") is not None:
            flags.append(("--eve-community-id-seed", str(eve["community-id-seed"])))
        for t in eve.get("types") or []:
            name = next(iter(t)) if isinstance(t, dict) else str(t)
            if name == "netflow":
                flags.append(("--eve-netflow",))
            if name == "frame":
                flags.append(("--eve-frames",))
            settings = t[name] if isinstance(t, dict) and isinstance(t[name], dict) else {}
            for setting, flag in EVE_TYPE_SWITCHES.get(name, ()):
                if normalise_value(settings.get(setting, False)) == "true":
                    flags.append((flag,))
            if name == "alert":
                metadata = settings.get("metadata") if isinstance(settings.get("metadata"), dict) else {}
                rule = metadata.get("rule") if isinstance(metadata.get("rule"), dict) else {}
                if normalise_value(rule.get("reference", False)) == "true" or \
                        normalise_value(settings.get("reference", False)) == "true":
                    flags.append(("--eve-alert-references",))
            if name == "arp" and normalise_value(settings.get("enabled", True)) != "false":
                flags.append(("--eve-arp",))
            if name == "mqtt" and settings.get("string-log-limit") is not None:
                flags.append(("--eve-mqtt-string-log-limit", str(settings["string-log-limit"])))
            if name == "stats" and normalise_value(settings.get("null-values", True)) == "false":
                flags.append(("--eve-stats-zero-counters", "no"))
        return flags
    return []


def eve_json_logs(outputs):
    """The eve-log sections that write eve.json, the file the checks read."""
    for output in outputs or []:
        if isinstance(output, dict) and isinstance(output.get("eve-log"), dict) and \
                str(output["eve-log"].get("filename", "eve.json")) == "eve.json":
            yield output["eve-log"]


def eve_dns_filter(outputs):
    """gsoc-sensor options for the eve-log dns `requests`, `responses` and `types` of the output
    to eve.json (which dns messages are logged)."""
    for eve in eve_json_logs(outputs):
        for t in eve.get("types") or []:
            if not (isinstance(t, dict) and isinstance(t.get("dns"), dict)):
                continue
            dns, flags = t["dns"], []
            for key in ("requests", "responses"):
                if key in dns:
                    flags += ["--eve-dns-" + key, "no" if normalise_value(dns[key]) in ("false", "no") else "yes"]
            if isinstance(dns.get("types"), list) and dns["types"]:
                flags += ["--eve-dns-types", ",".join(str(x) for x in dns["types"])]
            return flags
    return []

def eve_http_options(outputs):
    """--eve-http-dump-all-headers for the eve-log http `dump-all-headers` of the output to
    eve.json (request, response or both)."""
    for eve in eve_json_logs(outputs):
        for t in eve.get("types") or []:
            if isinstance(t, dict) and isinstance(t.get("http"), dict):
                dump = str(t["http"].get("dump-all-headers", "")).strip().lower()
                if dump in ("request", "response", "both"):
                    return ["--eve-http-dump-all-headers", dump]
    return []

def eve_xff_options(outputs):
    """--eve-xff for the eve-log alert (or http) `xff:` of the output to eve.json: the mode
    (extra-data or overwrite), the deployment (forward or reverse) and the header."""
    for eve in eve_json_logs(outputs):
        for t in eve.get("types") or []:
            if not isinstance(t, dict):
                continue
            for name in ("alert", "http"):
                xff = t.get(name, {}).get("xff") if isinstance(t.get(name), dict) else None
                if isinstance(xff, dict) and normalise_value(xff.get("enabled", False)) in ("true", "yes"):
                    mode = str(xff.get("mode", "extra-data"))
                    deployment = str(xff.get("deployment", "reverse"))
                    header = str(xff.get("header", "X-Forwarded-For"))
                    return ["--eve-xff", "%s,%s,%s" % (mode, deployment, header)]
    return []

def eve_smb_filter(outputs):
    """--eve-smb-types for the eve-log smb `types` of the output to eve.json (Suricata 8)."""
    for eve in eve_json_logs(outputs):
        for t in eve.get("types") or []:
            if isinstance(t, dict) and isinstance(t.get("smb"), dict) and isinstance(t["smb"].get("types"), list):
                return ["--eve-smb-types", ",".join(str(x) for x in t["smb"]["types"])]
    return []

def eve_pgsql_options(outputs):
    """--eve-pgsql-passwords for the eve-log pgsql `passwords: yes` of the output to eve.json."""
    for eve in eve_json_logs(outputs):
        for t in eve.get("types") or []:
            if isinstance(t, dict) and isinstance(t.get("pgsql"), dict):
                if normalise_value(t["pgsql"].get("passwords", False)) == "true":
                    return ["--eve-pgsql-passwords"]
    return []

# --- requirements -------------------------------------------------------------------------------


class Skip(Exception):
    def __init__(self, reason, category=None):
        super().__init__(reason)
        self.reason = reason
        self.category = category or reason


def parse_version(text, equal=False):
    m = re.search(r"(\d+)\.?(\d+)?\.?(\d+)?", str(text).strip())
    if not m:
        return None
    fill = None if equal else 0
    return tuple(int(g) if g is not None else fill for g in m.groups())


def version_cmp(a, b):
    for x, y in zip(a, b):
        if x is None or y is None:
            continue
        if x != y:
            return -1 if x < y else 1
    return 0


def check_requires(requires, target):
    for key, value in (requires or {}).items():
        if key == "min-version":
            if version_cmp(target, parse_version(value)) < 0:
                raise Skip("requires Suricata >= %s (target %s)" % (value, fmt_version(target)),
                           "requires Suricata >= %s" % str(value).split(".")[0])
        elif key == "lt-version":
            if version_cmp(target, parse_version(value)) >= 0:
                raise Skip("for Suricata < %s (target %s)" % (value, fmt_version(target)), "for older Suricata")
        elif key == "gt-version":
            if version_cmp(target, parse_version(value)) <= 0:
                raise Skip("for Suricata > %s" % value)
        elif key == "version":
            if version_cmp(target, parse_version(value, equal=True)) != 0:
                raise Skip("only for Suricata %s" % value, "only for another Suricata version")
        elif key == "features":
            for feature in value or []:
                if feature not in SENSOR_FEATURES:
                    raise Skip("requires feature %s" % feature, "requires feature %s" % feature)
        elif key == "env":
            for name in value or []:
                if name not in os.environ:
                    raise Skip("requires environment variable %s" % name)
        elif key == "files":
            raise Skip("requires files of Suricata's source tree", "requires Suricata source files")
        elif key == "script":
            raise Skip("requires a script run in Suricata's source tree", "requires Suricata source files")
        elif key == "lambda":
            # Upstream evaluates these Python expressions; the corpus only tests the platform.
            if not eval(str(value), {"sys": sys, "os": os, "platform": platform}):  # noqa: S307
                raise Skip("requires %s" % value, "requires another platform")
        elif key == "os":
            if not platform.system().lower().startswith(str(value).lower()):
                raise Skip("only on %s" % value, "requires another platform")
        elif key == "arch":
            if not platform.machine().lower().startswith(str(value).lower()):
                raise Skip("only on %s" % value, "requires another platform")
        elif key == "pcap":
            pass
        else:
            raise Skip("unknown requirement %s" % key)


def fmt_version(v):
    return ".".join(str(x) for x in v)


def check_skip(skips):
    if isinstance(skips, bool):
        if skips:
            raise Skip("skipped by default (test.yaml)")
        return
    for skip in skips or []:
        msg = skip.get("msg")
        if "uid" in skip and os.getuid() == skip["uid"]:
            raise Skip(msg or "not for uid %d" % skip["uid"], "not as this user")
        if "feature" in skip and skip["feature"] in SENSOR_FEATURES:
            raise Skip(msg or "not with feature %s" % skip["feature"], "not with feature %s" % skip["feature"])

# --- EVE ------------------------------------------------------------------------------------------


def _reject_constant(name):
    raise ValueError("non-JSON constant " + name)


def _has_lone_surrogate(value):
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def read_eve(path):
    """(records, lines, bad): every line must be strict UTF-8 JSON; bad lines are (number, why)."""
    records, bad, lines = [], [], 0
    if not os.path.exists(path):
        return records, lines, bad
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            if raw.strip() == b"":
                continue
            lines += 1
            try:
                record = json.loads(raw.decode("utf-8", errors="strict"), parse_constant=_reject_constant)
                if _has_lone_surrogate(record):
                    raise ValueError("lone surrogate escape")
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
            except (UnicodeDecodeError, ValueError) as e:
                bad.append((number, str(e)[:120]))
                continue
            records.append(record)
    return records, lines, bad

# --- checks ---------------------------------------------------------------------------------------


STRING_OPS = ("__contains", "__find", "__startswith", "__endswith")
NUMBER_OPS = ("__gt", "__gte", "__lt", "__lte")


def find_value(name, obj):
    """Upstream's find_value: dotted path, `[n]` list indexes, `__len` and the operator suffixes."""
    for part in name.split("."):
        if part == "__len":
            try:
                return len(obj)
            except TypeError:
                return -1
        if part in STRING_OPS or part in NUMBER_OPS:
            break
        m = re.match(r"^(.*)\[(\d+)\]$", part)
        key, index = (m.group(1), int(m.group(2))) if m else (part, None)
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
        if index is not None:
            try:
                obj = obj[index]
            except (IndexError, KeyError, TypeError):
                return None
    return obj


def match_record(match, record):
    for key, expected in match.items():
        if key in ("has-key", "not-has-key"):
            paths = expected if isinstance(expected, list) else [expected]
            present = [find_value(str(p), record) is not None for p in paths]
            if (key == "has-key" and not all(present)) or (key == "not-has-key" and any(present)):
                return False
            continue
        val = find_value(key, record)
        op = key.rsplit(".", 1)[-1] if "." in key else key
        try:
            if op == "__find":
                ok = val.find(expected) >= 0
            elif op == "__contains":
                ok = expected in val
            elif op == "__startswith":
                ok = val.startswith(expected)
            elif op == "__endswith":
                ok = val.endswith(expected)
            elif op == "__gt":
                ok = val > expected
            elif op == "__gte":
                ok = val >= expected
            elif op == "__lt":
                ok = val < expected
            elif op == "__lte":
                ok = val <= expected
            else:
                ok = val == expected
        except (AttributeError, TypeError):
            ok = False  # upstream raises here, failing the check: no match
        if not ok:
            return False
    return True


def filter_requires(check):
    requires = dict(check.get("requires") or {})
    for key in ("version", "min-version", "lt-version"):
        if check.get(key) is not None:
            requires[key] = check[key]
    if check.get("feature") is not None:
        requires["features"] = [check["feature"]]
    return requires

# --- areas ----------------------------------------------------------------------------------------


AREA_TOKENS = {
    "decode": ["decode", "decoder", "ipv4", "ipv6", "ethernet", "vlan", "mpls", "ppp", "pppoe", "gre",
               "erspan", "vxlan", "geneve", "teredo", "nsh", "vntag", "etag", "arp", "icmp", "icmpv6",
               "igmp", "sctp", "udp", "mac", "ipip", "sll", "null", "chksum", "checksum", "ttl", "esp", "linktype",
               "tunnel", "ipopts"],
    "defrag": ["defrag", "frag", "fragment", "fragments", "fragmentation"],
    "stream": ["stream", "streamsize", "tcp", "midstream", "reassembly", "async", "rst", "urgent", "urg", "fastopen",
               "3whs", "session"],
    "http": ["http", "http1", "htp", "libhtp", "uricontent", "url", "xff", "chunked", "gzip", "evader"],
    "http2": ["http2", "doh2", "doh"],
    "dns": ["dns", "llmnr", "mdns"],
    "tls": ["tls", "ssl", "ja3", "ja3s", "ja4", "tls13", "x509", "cert", "certs"],
    "quic": ["quic"],
    "smtp": ["smtp", "mime", "email", "mail"],
    "pop3": ["pop3"], "imap": ["imap"],
    "smb": ["smb", "smb1", "smb2", "smb3", "ntlmssp"],
    "dcerpc": ["dcerpc", "dce", "msrpc"],
    "krb5": ["krb5", "kerberos"],
    "ftp": ["ftp", "ftpdata"], "tftp": ["tftp"],
    "ssh": ["ssh", "hassh"],
    "sip": ["sip"], "mqtt": ["mqtt", "mqtt31", "mqtt311", "mqtt5"], "dnp3": ["dnp3"], "modbus": ["modbus"],
    "enip": ["enip", "cip"], "pgsql": ["pgsql", "postgres"], "ldap": ["ldap"], "rfb": ["rfb", "vnc"],
    "snmp": ["snmp"], "nfs": ["nfs", "nfs3", "nfs4"], "dhcp": ["dhcp"], "ike": ["ike", "ikev1", "ikev2"],
    "ntp": ["ntp"], "bittorrent-dht": ["bittorrent"], "websocket": ["websocket"], "rdp": ["rdp"],
    "telnet": ["telnet"], "arp": [], "template": ["template"],
    "eve": ["eve", "output", "alert", "community", "metadata", "tag", "netflow", "verdict", "xff"],
    "files": ["file", "files", "filestore", "filemagic", "filemd5", "filesha1", "filesha256", "filename",
              "fileext", "filesize", "filedata"],
    "threshold": ["threshold", "detection", "suppress", "rate"],
    "detect-flowbits": ["flowbits"], "detect-hostbits": ["hostbits"], "detect-xbits": ["xbits"],
    "detect-flowint": ["flowint"],
    "lua": ["lua"],
    "datasets": ["datasets", "dataset", "datarep", "datajson"],
    "iprep": ["iprep", "reputation"],
    "exception-policy": ["exception"],
    "firewall": ["firewall"],
    "rules": ["rule", "rules", "ruletype", "sig", "signature", "action", "classification", "reference",
              "config", "prefilter", "grouping", "requires", "priority", "bad"],
    "pcap": ["pcap"],
    "bypass": ["bypass", "elephant"],
    "ips": ["ips", "drop", "dropped", "reject"],
    "app-layer": ["app", "applayer", "protocol"],
    "frames": ["frame", "frames"],
    "stats": ["stats", "counter", "counters"],
    "multi-tenancy": ["multi", "tenant"],
    "engine": ["runmode", "help", "ut", "unittests", "unix"],
    "detect": ["tcphdr", "iponly", "byte"],
    "detect-transforms": ["transform", "xor", "pcrexform", "base64", "from_base64", "compress", "strip",
                          "dotprefix", "urldecode"],
}
TOKEN_AREA = {tok: area for area, toks in AREA_TOKENS.items() for tok in toks}
GENERIC_TOKENS = {"bug", "issue", "test", "tests", "feature", "task", "security", "redmine", "ticket", "ids",
                  "01", "02", "03", "04", "05"}
EVENT_AREA = {"fileinfo": "files", "anomaly": "decode", "engine": "rules", "netflow": "eve"}


def case_area(name, config, rules_path):
    parts = name.split("/")
    base = parts[-1].lower()
    tokens = [t for t in re.split(r"[-_.]", base) if t]
    if tokens and tokens[0] == "detect" and len(tokens) > 1:
        return "detect-" + (TOKEN_AREA.get(tokens[1]) if TOKEN_AREA.get(tokens[1]) in PROTOCOL_AREAS else tokens[1])
    if len(parts) > 1:
        parent = parts[0].lower()
        if parent in TOKEN_AREA or parent in AREA_TOKENS:
            return TOKEN_AREA.get(parent, parent)
        ptoks = [t for t in re.split(r"[-_.]", parent) if t]
        if ptoks and ptoks[0] == "detect" and len(ptoks) > 1:
            return "detect-" + ptoks[1]
    for tok in tokens:
        if tok in GENERIC_TOKENS or tok.isdigit():
            continue
        if tok in TOKEN_AREA:
            return TOKEN_AREA[tok]
    for check in config.get("checks") or []:
        match = (check.get("filter") or {}).get("match") if isinstance(check, dict) else None
        event = (match or {}).get("event_type")
        if isinstance(event, str) and event not in ("alert", "flow", "stats", "drop"):
            return EVENT_AREA.get(event, TOKEN_AREA.get(event, event))
    proto = first_rule_protocol(rules_path)
    if TOKEN_AREA.get(proto) in PROTOCOL_AREAS:
        return TOKEN_AREA[proto]
    return "detect" if proto else "misc"


PROTOCOL_AREAS = {"http", "http2", "dns", "tls", "quic", "smtp", "smb", "dcerpc", "krb5", "ftp", "ssh", "sip",
                  "mqtt", "dnp3", "modbus", "enip", "pgsql", "ldap", "rfb", "snmp", "nfs", "dhcp", "ike"}


def first_rule_protocol(rules_path):
    if not rules_path or not os.path.exists(rules_path):
        return None
    try:
        with open(rules_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                words = line.split()
                if len(words) > 1 and not words[0].startswith("#"):
                    return words[1].lower()
    except OSError:
        pass
    return None

# --- one case -------------------------------------------------------------------------------------


SKIPPED_CHECKS = {"shell": "logs and files", "stats": "counter names", "file-compare": "output files"}
REJECTED = re.compile(r"rule rejected: (.*)$")
KEYWORD = re.compile(r"unsupported keyword '([^']+)'")
PROTOCOL = re.compile(r"unsupported protocol '([^']+)'")
# Rejections that put a case out of scope rather than fail it: the lua keyword (Lua scripting,
# as the security.lua settings and the HAVE_LUA requirement mark every other Lua case), and the
# `template` protocol, Suricata's example parser for its developers, which no network speaks.
OUT_OF_SCOPE_KEYWORDS = {"lua": "Lua scripts (the lua keyword)"}
OUT_OF_SCOPE_PROTOCOLS = {"template": "Suricata's example app-layer parser (template)"}


def out_of_scope_rejection(rejection):
    """Why a rule rejection puts its case out of scope, or None."""
    keyword = KEYWORD.search(rejection)
    if keyword and keyword.group(1) in OUT_OF_SCOPE_KEYWORDS:
        return OUT_OF_SCOPE_KEYWORDS[keyword.group(1)]
    protocol = PROTOCOL.search(rejection)
    if protocol and protocol.group(1) in OUT_OF_SCOPE_PROTOCOLS:
        return OUT_OF_SCOPE_PROTOCOLS[protocol.group(1)]
    return None


def empty_pcap(path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))


def case_inputs(case_dir, config, target):
    """(pcap, rules): paths, rules None when the case has none."""
    pcap = config.get("pcap")
    requires = config.get("requires") or {}
    pcap_required = requires.get("pcap", True) if isinstance(requires, dict) else True
    if "pcap" in config and not pcap:
        pcap_required, pcap = False, None
    if pcap:
        pcap = os.path.normpath(os.path.join(case_dir, str(pcap)))
        if not os.path.exists(pcap):
            raise Skip("capture %s absent (captures of 4 MiB and more are not in the shared copy)" % config["pcap"],
                       "capture absent (4 MiB and more)")
    else:
        pcaps = sorted(glob.glob(os.path.join(case_dir, "*.pcap")) + glob.glob(os.path.join(case_dir, "*.pcapng")))
        if len(pcaps) > 1:
            raise Skip("more than one capture in the case folder")
        if pcaps:
            pcap = pcaps[0]
        elif pcap_required:
            raise Skip("no capture (absent: 4 MiB and more, or none)", "capture absent (4 MiB and more)")
    if config.get("rules"):
        rules = os.path.normpath(os.path.join(case_dir, str(config["rules"])))
        if not os.path.exists(rules):
            raise Skip("rules file %s absent" % config["rules"])
        return pcap, rules
    rule_files = sorted(glob.glob(os.path.join(case_dir, "*.rules")))
    if any(r.endswith("firewall.rules") for r in rule_files):
        raise Skip("out of scope: firewall rules (--firewall-rules-exclusive)", "out of scope: firewall mode")
    if len(rule_files) > 1:
        raise Skip("more than one rules file in the case folder")
    if rule_files and os.path.basename(rule_files[0]).startswith("min"):
        # upstream: minVERSION.rules loads only from that version on (else detection is off)
        if version_cmp(target, parse_version(os.path.basename(rule_files[0])[3:-len(".rules")])) < 0:
            return pcap, None
    return pcap, (rule_files[0] if rule_files else None)


def run_case(name, case_dir, opts):
    result = {"name": name, "status": "skipped", "reason": "", "category": "", "area": "misc", "checks": {},
              "eve_lines": 0, "bad_eve_lines": [], "missing_keywords": [], "missing_protocols": [],
              "missing_fields": [], "details": [], "seconds": 0.0}
    started = time.monotonic()
    try:
        config = load_yaml(os.path.join(case_dir, "test.yaml"))
    except yaml.YAMLError as e:
        result.update(reason="unreadable test.yaml: %s" % str(e).splitlines()[0], category="unreadable test.yaml")
        return result
    rules_guess = None
    try:
        rules_list = sorted(glob.glob(os.path.join(case_dir, "*.rules")))
        rules_guess = os.path.join(case_dir, config["rules"]) if config.get("rules") else (rules_list or [None])[0]
        result["area"] = case_area(name, config, rules_guess)
        run_one(result, case_dir, config, opts)
    except Skip as s:
        result.update(status="skipped", reason=s.reason, category=s.category)
    except Exception as e:  # a case the harness cannot read must not stop the run
        fail(result, "harness error: %s: %s" % (type(e).__name__, e), "harness error")
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def run_one(result, case_dir, config, opts):
    check_requires(config.get("requires"), opts.target)
    check_skip(config.get("skip"))
    if "command" in config:
        raise Skip("out of scope: custom command line (%s)" % command_summary(config["command"]),
                   "out of scope: custom command line")
    if config.get("setup"):
        raise Skip("out of scope: setup script", "out of scope: setup script")
    if config.get("unix-commands"):  # Suricata's unix socket: gsoc is controlled by gsocctl/signals
        raise Skip("out of scope: Suricata unix-socket commands", "out of scope: unix-socket commands")
    base = os.path.basename(case_dir)
    env = {"TEST_DIR": case_dir, "SRCDIR": opts.shared, "OUTPUT_DIR": "."}
    settings = Settings()
    parse_args_into(settings, config.get("args") or [], env)
    if "ips" in base:  # upstream's run.py adds --simulate-ips for every case named so
        settings.out_of_scope.append("--simulate-ips (IPS mode; upstream adds it to every case named *ips*)")
    load_suricata_yaml(settings, case_dir, opts.shared)
    for name, value in (config.get("env") or {}).items():
        # gsoc-sensor writes dns records in Suricata's EVE version 3 or 2 (--eve-dns-version).
        if name == "SURICATA_EVE_DNS_VERSION" and str(value) in ("2", "3"):
            settings.eve_dns_version = str(value)
        else:
            settings.out_of_scope.append("environment %s=%s" % (name, value))
    if settings.eve_dns_version not in (None, "2", "3"):
        settings.out_of_scope.append("eve-log dns version %s" % settings.eve_dns_version)
    settings.out_of_scope = list(dict.fromkeys(settings.out_of_scope))
    if settings.out_of_scope:
        first = settings.out_of_scope[0]
        raise Skip("out of scope: " + "; ".join(settings.out_of_scope[:3]) + more(len(settings.out_of_scope) - 3),
                   "out of scope: " + re.sub(r"=.*| \(.*| \[.*", "", first))
    pcap, rules = case_inputs(case_dir, config, opts.target)
    checks = config.get("checks") or []
    if not isinstance(checks, list):
        checks = []

    with tempfile.TemporaryDirectory(prefix="sv-") as work:
        if pcap is None:
            pcap = os.path.join(work, "empty.pcap")  # rule-loading cases: nothing to read
            empty_pcap(pcap)
        if rules is None:
            rules = os.path.join(work, "none.rules")  # gsoc parses app layers only with rules
            open(rules, "w").close()
        eve = os.path.join(work, "eve.json")
        # Dataset save/state files go to the case's output folder, as upstream's --data-dir.
        cmd = [opts.sensor, "--pcap", pcap, "--rules", rules, "--eve", eve, "--stats-interval", "0",
               "--data-dir", work] + [part for flag in dict.fromkeys(settings.flags) for part in flag]
        if settings.datasets:
            cmd += ["--rules-config", write_rules_config(settings.datasets, case_dir, work)]
        if settings.eve_dns_version:
            cmd += ["--eve-dns-version", settings.eve_dns_version]
        cmd += settings.eve_dns_filter
        if settings.eve_force_hash:
            cmd.append("--force-file-hashes")
        for folder, _, _ in settings.file_stores:
            cmd += ["--file-store", os.path.join(work, folder)]
        if any(force for _, force, _ in settings.file_stores):
            cmd.append("--force-filestore")
        if settings.file_stores and settings.file_store_depth():
            cmd += ["--file-store-stream-depth", str(settings.file_store_depth())]
        if opts.classification:
            cmd += ["--classification", opts.classification]
        for var, value in sorted(settings.variables.items()):
            cmd += ["--var", "%s=%s" % (var, value)]
        try:
            run = subprocess.run(cmd, cwd=work, capture_output=True, timeout=opts.timeout)
        except subprocess.TimeoutExpired:
            fail(result, "timed out after %d s" % opts.timeout, "timeout")
            return
        stderr = run.stderr.decode("utf-8", errors="replace")
        rejected = [m.group(1) for m in map(REJECTED.search, stderr.splitlines()) if m]
        result["missing_keywords"] = sorted({k.group(1) for k in map(KEYWORD.search, rejected) if k})
        result["missing_protocols"] = sorted({k.group(1) for k in map(PROTOCOL.search, rejected) if k})
        engine = engine_records(stderr)
        records, lines, bad = read_eve(eve)
        result["eve_lines"], result["bad_eve_lines"] = lines, bad
        if opts.keep:
            keep = os.path.join(opts.keep, result["name"])
            os.makedirs(keep, exist_ok=True)
            shutil.copy(eve, keep) if os.path.exists(eve) else None
            with open(os.path.join(keep, "stderr"), "w") as f:
                f.write(" ".join(cmd) + "\n" + stderr)

    if run.returncode < 0:
        result["crashed"] = True
        fail(result, "gsoc-sensor killed by signal %d: %s" % (-run.returncode, stderr.strip()[-200:]), "sensor crash")
        return
    if bad:
        fail(result, "EVE line %d is not strict UTF-8 JSON: %s" % bad[0], "invalid EVE (UTF-8/JSON)")
        return
    expected_exit = config.get("exit-code", 0)
    refused = run.returncode != 0 or bool(rejected)
    if expected_exit != 0:
        if not refused:
            fail(result, "Suricata refuses to start here (exit-code %s); gsoc accepted the rules and ran" %
                 expected_exit, "accepted what Suricata refuses")
            return
        if rejected and all(KEYWORD.search(r) or PROTOCOL.search(r) for r in rejected):
            # Refusing a rule only for lacking its keyword says nothing about the semantics the
            # case checks (a keyword in the wrong buffer, a version requirement, ...).
            fail(result, "Suricata refuses to start here (exit-code %s); gsoc refuses too, but only for: %s" % (
                expected_exit, rejected[0][-160:]), "refused only for an unsupported keyword or protocol")
            return
        records = []  # Suricata stopped at start-up: it logged nothing
    elif run.returncode != 0:
        tail = stderr.strip().splitlines()[-1:] or [""]
        fail(result, "gsoc-sensor exited %d: %s" % (run.returncode, tail[0][-200:]), "sensor error exit")
        return
    elif rejected and all(out_of_scope_rejection(r) for r in rejected):
        # Lua scripts (out of scope, as security.lua above) and Suricata's example parser.
        raise Skip("out of scope: " + out_of_scope_rejection(rejected[0]), "out of scope: " + out_of_scope_rejection(rejected[0]))
    elif rejected:
        fail(result, "rule rejected: %s%s" % (rejected[0][-200:], more(len(rejected) - 1)),
             "rule rejected: " + reject_reason(rejected[0]))
        return
    if settings.eve_types is not None:
        records = [r for r in records if eve_type_of(r) in settings.eve_types]

    counts = collections.Counter()
    failures, skipped = [], []
    for number, check in enumerate(checks, 1):
        if not isinstance(check, dict):
            continue
        for kind, body in check.items():
            if kind != "filter":
                skipped.append("%s check (Suricata's own %s)" % (kind, SKIPPED_CHECKS.get(kind, kind)))
                counts["skipped"] += 1
                continue
            body = body or {}
            try:
                check_requires(filter_requires(body), opts.target)
            except Skip as s:
                skipped.append("filter #%d: %s" % (number, s.reason))
                counts["skipped"] += 1
                continue
            filename = str(body.get("filename", "eve.json"))
            match = body.get("match") or {}
            about_engine = is_engine_match(match)
            if filename != "eve.json" and not (about_engine and filename in ENGINE_LOGS):
                skipped.append("filter #%d on %s (not the EVE file)" % (number, filename))
                counts["skipped"] += 1
                continue
            if about_engine and str(match.get("engine.module", "")) in CONFIG_REPORT_MODULES:
                skipped.append("filter #%d: Suricata's start-up report of its %s setting" % (
                    number, match["engine.module"]))
                counts["skipped"] += 1
                continue
            if about_engine:
                match = {k: v for k, v in match.items() if not k.startswith("engine.module")}
            got = sum(1 for r in (records + engine if about_engine else records) if match_record(match, r))
            if got == body.get("count"):
                counts["passed"] += 1
            else:
                counts["failed"] += 1
                failures.append((number, body.get("count"), got, match))
    result["checks"] = dict(counts)
    result["details"] = ["skipped " + s for s in skipped]
    result["missing_fields"] = sorted({f for _, want, _, match in failures if want
                                       for f in absent_fields(match, records)})
    if failures:
        number, want, got, match = failures[0]
        fail(result, "filter #%d: expected %s, got %d: %s%s" % (
            number, want, got, compact(match), more(len(failures) - 1, "failing")),
            failure_category(want, got, match, records))
        result["details"] += ["filter #%d: expected %s, got %d: %s" % (n, w, g, compact(m)) for n, w, g, m in failures]
        return
    if counts["passed"] == 0 and counts["skipped"] > 0:
        raise Skip("every check skipped: " + "; ".join(sorted(set(re.sub(r"#\d+", "#", s) for s in skipped))[:2]),
                   "every check skipped: " + skip_category(skipped[0]))
    result["status"] = "passed"
    if counts["passed"]:
        result["reason"] = "%d check(s)%s" % (counts["passed"],
                                              ", %d skipped" % counts["skipped"] if counts["skipped"] else "")
    elif expected_exit != 0:
        result["reason"] = "refused the rules, as Suricata does (exit-code %s)" % expected_exit
    else:
        result["reason"] = "no checks; ran cleanly"


# Suricata's own log files: their engine messages are gsoc-sensor's stderr diagnostics.
ENGINE_LOGS = ("suricata.json", "suricata.log")
# Engine-log modules whose messages only echo Suricata's own configuration at start-up: the
# exception policies (what to do with a flow on a memcap, midstream or parser error) choose
# between dropping, bypassing and ignoring; gsoc has no such setting (a passive sensor, it never
# drops traffic).
CONFIG_REPORT_MODULES = {"exception-policy"}
DIAGNOSTIC = re.compile(r"^.*?:\d+:\d+: (?:sid \d+: )?(.*)$")
NOTICE = re.compile(r"^gsoc-sensor: notice: (.*)$")


def engine_records(stderr):
    """gsoc-sensor's refusals and notices as Suricata's engine log records (event_type engine)."""
    out = []
    for line in stderr.splitlines():
        m = REJECTED.search(line)
        if m:
            d = DIAGNOSTIC.match(m.group(1))
            out.append({"event_type": "engine", "log_level": "Error",
                        "engine": {"message": d.group(1) if d else m.group(1)}})
            continue
        m = NOTICE.match(line)
        if m:
            out.append({"event_type": "engine", "log_level": "Notice", "engine": {"message": m.group(1)}})
    return out


def is_engine_match(match):
    return match.get("event_type") == "engine" or any(k.startswith("engine.") for k in match)


def more(n, what="more"):
    return " (+%d %s)" % (n, what if what == "more" else "more " + what) if n > 0 else ""


def fail(result, reason, category):
    result.update(status="failed", reason=reason, category=category)


def reject_reason(text):
    text = re.sub(r"^.*?: sid \d+: ", "", text)
    for pattern in (KEYWORD, PROTOCOL):
        if pattern.search(text):
            return pattern.pattern.split(" '")[0]
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", text)[:60]


def skip_category(text):
    return re.sub(r"filter #\d+ on .*\(", "filter on another file (", re.sub(r"filter #\d+: ", "", text))


def failure_category(want, got, match, records):
    """What kind of record a failing filter is about, and whether gsoc wrote any of that kind."""
    event = match.get("event_type")
    if not isinstance(event, str):
        heads = [k.split(".")[0].split("[")[0] for k in match if "." in k]
        event = heads[0] if heads else None
    if event is None:
        return "filter on common fields only"
    if want and got == 0 and not any(r.get("event_type") == event for r in records):
        return "no %s records" % event
    if event == "alert":
        return "alert count" if set(match) <= {"event_type", "alert.signature_id", "alert.sid"} else "alert fields"
    return "%s records differ" % event


def absent_fields(match, records):
    """Fields a filter names that no record of its event type carries: EVE fields gsoc lacks."""
    event = match.get("event_type")
    pool = [r for r in records if r.get("event_type") == event] if isinstance(event, str) else records
    if not pool:
        return []  # no record of that kind at all: reported as "no <type> records"
    absent = []
    for key in match:
        if key in ("has-key", "not-has-key", "event_type"):
            continue
        path = re.sub(r"\.__\w+$", "", key)
        if not any(find_value(path, r) is not None for r in pool):
            absent.append("%s%s" % (event + ":" if isinstance(event, str) else "", re.sub(r"\[\d+\]", "[]", path)))
    return absent


def compact(match):
    text = json.dumps(match, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def command_summary(command):
    return " ".join(str(command).split())[:60]

# --- the run --------------------------------------------------------------------------------------


def discover(tests_dir):
    """Case folders as upstream's run.py finds them: the first folders holding test.yaml."""
    cases = []
    for dirpath, dirnames, filenames in os.walk(tests_dir):
        dirnames.sort()
        if dirpath != tests_dir and "test.yaml" in filenames:
            cases.append(os.path.relpath(dirpath, tests_dir).replace(os.sep, "/"))
            dirnames[:] = []
    return sorted(cases)


def selected(name, patterns):
    if not patterns:
        return True
    for p in patterns:
        if any(c in p for c in "*?["):
            if fnmatch.fnmatch(name, p) or fnmatch.fnmatch(name.split("/")[-1], p):
                return True
        elif p in name:
            return True
    return False


def read_list(path):
    if not path or not os.path.exists(path):
        return set()
    with open(path) as f:
        return {line.split("#")[0].strip() for line in f} - {""}


def print_summary(results, elapsed, opts):
    total = collections.Counter(r["status"] for r in results)
    by_area = collections.defaultdict(collections.Counter)
    for r in results:
        by_area[r["area"]][r["status"]] += 1
    print("\n%-24s %6s %7s %7s %8s %8s" % ("area", "cases", "passed", "failed", "skipped", "pass%"))
    for area in sorted(by_area, key=lambda a: (-sum(by_area[a].values()), a)):
        c = by_area[area]
        print("%-24s %6d %7d %7d %8d %8s" % (area, sum(c.values()), c["passed"], c["failed"], c["skipped"],
                                              percent(c["passed"], c["passed"] + c["failed"])))
    ran = total["passed"] + total["failed"]
    print("%-24s %6d %7d %7d %8d %8s" % ("TOTAL", len(results), total["passed"], total["failed"], total["skipped"],
                                          percent(total["passed"], ran)))
    print("(pass% = passed / (passed + failed): the cases whose features are in scope)")
    partial = sum(1 for r in results if r["status"] == "passed" and r["checks"].get("skipped"))
    print("passed with some checks skipped (shell/stats/other files): %d" % partial)

    def top(title, counter, n):
        print("\n%s:" % title)
        for key, count in counter.most_common(n):
            print("  %5d  %s" % (count, key))

    top("top skip reasons", collections.Counter(r["category"] for r in results if r["status"] == "skipped"), 20)
    top("top failure reasons", collections.Counter(r["category"] for r in results if r["status"] == "failed"), 20)
    missing = collections.Counter(k for r in results for k in r["missing_keywords"])
    top("top missing keywords (cases with a rule gsoc rejects for it; a rule shows its first only)", missing, 40)
    top("top EVE fields gsoc does not write (cases with a failing filter that names one)",
        collections.Counter(k for r in results for k in r["missing_fields"]), 30)
    top("top unsupported rule protocols (cases)",
        collections.Counter(k for r in results for k in r["missing_protocols"]), 20)
    lines = sum(r["eve_lines"] for r in results)
    bad = sum(len(r["bad_eve_lines"]) for r in results)
    print("\nEVE: %d lines checked, %d not strict UTF-8 JSON" % (lines, bad))
    print("%d cases in %.1f s with %d jobs" % (len(results), elapsed, opts.jobs))


def percent(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "-"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sensor", default=os.path.join(root, "build", "bin", "gsoc-sensor"))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(root), "shared"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", action="append", default=[], help="substring or glob of case names (repeatable)")
    ap.add_argument("--json", help="write every case's result and the figures as JSON")
    ap.add_argument("--passing", help="cases that must pass (exit 1 when one does not)")
    ap.add_argument("--write-passing", help="write the passing cases to this file")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per case (default 60)")
    ap.add_argument("--target-version", default=DEFAULT_TARGET_VERSION,
                    help="the Suricata version gsoc is measured as (default %s)" % DEFAULT_TARGET_VERSION)
    ap.add_argument("--keep", help="keep each case's EVE and stderr under this folder")
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="no line per case, only the tables and the passing-list check")
    opts = ap.parse_args()
    opts.target = parse_version(opts.target_version)
    opts.shared = os.path.abspath(opts.shared)
    opts.sensor = os.path.abspath(opts.sensor)
    tests_dir = os.path.join(opts.shared, "suricata-verify", "tests")
    if not os.path.isdir(tests_dir):
        print("suricata-verify: no %s, skipped" % tests_dir)
        return 0
    if not os.access(opts.sensor, os.X_OK):
        print("suricata-verify: %s is not an executable" % opts.sensor)
        return 2
    classification = os.path.join(opts.shared, "suricata-verify", "etc", "classification.config")
    opts.classification = classification if os.path.exists(classification) else None
    opts.keep = os.path.abspath(opts.keep) if opts.keep else None

    names = [n for n in discover(tests_dir) if selected(n, opts.only)]
    started = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = [pool.submit(run_case, n, os.path.join(tests_dir, n), opts) for n in names]
        for future in futures:
            r = future.result()
            results.append(r)
            if opts.quiet:
                continue
            print("%-7s %-60s [%s] %s" % (r["status"].upper()[:4], r["name"], r["area"], r["reason"]), flush=True)
    elapsed = time.monotonic() - started
    print_summary(results, elapsed, opts)

    passing = sorted(r["name"] for r in results if r["status"] == "passed")
    code = 0
    if any(r["bad_eve_lines"] for r in results):
        print("\nFAIL: EVE output that is not strict UTF-8 JSON (see 'invalid EVE' above)")
        code = 1
    # Any input, however broken, must leave the sensor standing: a crash fails the run too.
    crashed = [r["name"] for r in results if r.get("crashed")]
    if crashed:
        print("\nFAIL: gsoc-sensor crashed on %d case(s): %s" % (len(crashed), " ".join(crashed[:10])))
        code = 1
    if opts.passing:
        must = read_list(opts.passing)
        ran = {r["name"]: r for r in results}
        regressed = sorted(n for n in must if n in ran and ran[n]["status"] != "passed")
        unknown = sorted(n for n in must if n not in ran and not opts.only)
        newly = sorted(n for n in passing if n not in must)
        for n in regressed:
            print("REGRESSION (listed in %s): %s: %s" % (os.path.basename(opts.passing), n, ran[n]["reason"]))
        for n in unknown:
            print("listed but not in the corpus: %s" % n)
        for n in newly:
            print("now passing (add to %s): %s" % (os.path.basename(opts.passing), n))
        print("passing list: %d listed, %d regressed, %d newly passing" % (len(must), len(regressed), len(newly)))
        if regressed:
            code = 1
    if opts.write_passing:
        with open(opts.write_passing, "w") as f:
            f.write("# Suricata-verify cases gsoc-sensor passes (tests/sensor/suricata_verify.py --write-passing);\n"
                    "# the gsoc_sensor_suricata_verify test fails when one of them stops passing.\n")
            f.writelines(n + "\n" for n in passing)
        print("wrote %d passing cases to %s" % (len(passing), opts.write_passing))
    if opts.json:
        figures = collections.Counter(r["status"] for r in results)
        with open(opts.json, "w") as f:
            json.dump({"target_version": opts.target_version, "seconds": round(elapsed, 1), "totals": figures,
                       "cases": results}, f, indent=1, default=str)
    return code


if __name__ == "__main__":
    sys.exit(main())
