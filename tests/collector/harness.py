"""Shared helpers of the collector integration tests: checks that are counted rather than
raised (so one run reports every failure), and free loopback ports."""
import os
import shutil
import socket
import subprocess
import sys

failures = []


class WebSession:
    """A signed-in session on the collector's web console: the link `gsocctl web-token` prints
    (ctl: the gsocctl command line up to the subcommand) is exchanged for the session cookie."""

    def __init__(self, ctl, ca_file):
        import http.client
        import re
        import ssl
        url = subprocess.run(ctl + ["web-token"], capture_output=True, text=True, check=True, timeout=60).stdout.strip()
        m = re.fullmatch(r"https://127\.0\.0\.1:(\d+)(/login\?token=[0-9a-f]+)", url)
        if m is None:
            raise RuntimeError("gsocctl web-token printed no sign-in link: %r" % url)
        self.port = int(m.group(1))
        self._tls = ssl.create_default_context(cafile=ca_file)
        self._http = http.client
        c = self.connect()
        c.request("GET", m.group(2))
        r = c.getresponse()
        r.read()
        self.cookie = r.getheader("set-cookie").split(";")[0]
        c.close()

    def connect(self, timeout=120):
        """A new HTTPS connection to the console (verified against the CA)."""
        return self._http.HTTPSConnection("127.0.0.1", self.port, context=self._tls, timeout=timeout)

    def get_json(self, path):
        """(status, decoded JSON body) of a GET with the session."""
        import json
        c = self.connect()
        c.request("GET", path, headers={"Cookie": self.cookie})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, json.loads(body) if body else None


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    """A loopback port nobody listens on, drawn below the kernel's ephemeral range
    (ip_local_port_range, 32768-60999 on Debian): a port the kernel hands out (bind to 0) is
    free again the moment we close it, and any outgoing connection of a test running beside this
    one may take it before our server binds it (CI saw clickhouse-server fail so)."""
    import random
    while True:
        port = random.randint(20000, 32767)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def finish():
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all checks passed")


def run_test(prefix, body, backends=False):
    """Parses --bin and --source (and --backend sqlite|postgresql|clickhouse with backends=True), runs
    body(bindir, src, root, procs[, backend]) in a fresh temporary directory, kills whatever it
    left running in procs, removes the directory, reports."""
    import argparse
    import tempfile
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    if backends:
        ap.add_argument("--backend", choices=["sqlite", "postgresql", "clickhouse"], default="sqlite")
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix=prefix)
    procs = []
    try:
        extra = [a.backend] if backends else []
        body(os.path.abspath(a.bin), os.path.abspath(a.source), root, procs, *extra)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if os.environ.get("GSOC_TEST_KEEP"):  # for a developer looking into a failure
            print("kept", root)
        else:
            shutil.rmtree(root, ignore_errors=True)
    finish()


def init_pki(src, root, agencies=(), analysts=()):
    """A fresh PKI in root/pki made by scripts/gsoc-pki: the CA, the collector's certificate, a
    sensor per agency and the analysts. Returns (the PKI directory, the gsoc-pki script)."""
    pki = os.path.join(root, "pki")
    os.makedirs(pki)
    gsoc_pki = os.path.join(src, "scripts", "gsoc-pki")
    commands = [["init", pki], ["collector", pki]] + ([["agencies", pki] + list(agencies)] if agencies else [])
    for cmd in commands + [["analyst", pki, name] for name in analysts]:
        subprocess.run([gsoc_pki] + cmd, check=True, stdout=subprocess.DEVNULL)
    return pki, gsoc_pki


def sqlite_query(db):
    """A query function over a SQLite file (rows as tuples of strings), for the state tables."""
    import sqlite3

    def query(sql):
        con = sqlite3.connect(db, timeout=10)
        try:
            return [tuple(str(v) for v in row) for row in con.execute(sql)]
        finally:
            con.close()
    return query


def start_collector(cmd, root, log_path, procs):
    """Starts gsoc-collector (cmd without --ready-file) and waits until it listens."""
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


class Postgres:
    """A throwaway PostgreSQL 15 server on a Unix socket in the test directory."""

    def __init__(self, root):
        bindir = "/usr/lib/postgresql/15/bin"
        if not os.path.exists(bindir + "/initdb"):
            raise SystemExit("postgresql-15 is not installed (scripts/bootstrap installs it)")
        self.dir = os.path.join(root, "pg")
        self.sock = os.path.join(root, "pgsock")
        os.makedirs(self.sock)
        os.chmod(root, 0o755)
        os.chmod(self.sock, 0o777)
        self.port = free_port()
        self.prefix = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            self.prefix = ["runuser", "-u", "postgres", "--"]
        os.makedirs(self.dir)
        if self.prefix:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run(bindir + "/initdb", "-D", self.dir, "-A", "trust", "-U", "gsoc", "--no-sync")
        self.run(bindir + "/pg_ctl", "-D", self.dir, "-w", "-l", os.path.join(self.dir, "log"), "-o",
                 "-k %s -p %d -c listen_addresses='' -c fsync=on" % (self.sock, self.port), "start")
        self.bindir = bindir
        self.run("/usr/bin/createdb", "-h", self.sock, "-p", str(self.port), "-U", "gsoc", "gsoc")
        self.dsn = "host=%s port=%d user=gsoc dbname=gsoc" % (self.sock, self.port)

    def run(self, *cmd):
        subprocess.run(self.prefix + list(cmd), check=True, stdout=subprocess.DEVNULL)

    def query(self, sql):
        out = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-F", "\t", "-d", self.dsn, "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def stop(self):
        subprocess.run(self.prefix + [self.bindir + "/pg_ctl", "-D", self.dir, "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class PortTaken(Exception):
    """A server could not bind the port it was given."""


class ClickHouseCluster:
    """Throwaway ClickHouse servers (Debian's clickhouse-server), one per shard, on loopback
    ports with their own data directories, and a cluster named `gsoc` over them in every server's
    <remote_servers>, as an operator's cluster would have. kill(i) is a SIGKILL; start(i) brings a
    shard back on the same data and ports."""

    USERS = """<yandex><profiles><default/></profiles><quotas><default/></quotas>
<users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
<profile>default</profile><quota>default</quota></default></users></yandex>
"""

    def __init__(self, root, shards=2):
        if not shutil.which("clickhouse-server") and not os.path.exists("/usr/sbin/clickhouse-server"):
            raise SystemExit("clickhouse-server is not installed (scripts/bootstrap installs it)")
        self.root = root
        # Two tests drawing ports at once may still draw the same one: start over on new ports.
        for attempt in range(5):
            try:
                self._create(shards)
                return
            except PortTaken:
                self.stop()
                for i in range(shards):
                    shutil.rmtree(self.dir(i), ignore_errors=True)
        raise SystemExit("clickhouse-server: five sets of loopback ports were all taken")

    def _create(self, shards):
        self.http = [free_port() for _ in range(shards)]
        self.tcp = [free_port() for _ in range(shards)]
        self.procs = [None] * shards
        remote = "".join("<shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>" % t for t in self.tcp)
        for i in range(shards):
            d = self.dir(i)
            os.makedirs(d)
            with open(os.path.join(d, "users.xml"), "w") as f:
                f.write(self.USERS)
            with open(os.path.join(d, "config.xml"), "w") as f:
                f.write("""<yandex>
<logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/error.log</errorlog><console>0</console></logger>
<http_port>{http}</http_port><tcp_port>{tcp}</tcp_port><listen_host>127.0.0.1</listen_host>
<path>{d}/data/</path><tmp_path>{d}/tmp/</tmp_path><format_schema_path>{d}/schemas/</format_schema_path>
<users_config>{d}/users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
<mark_cache_size>268435456</mark_cache_size><uncompressed_cache_size>0</uncompressed_cache_size>
<remote_servers><gsoc>{remote}</gsoc></remote_servers>
</yandex>
""".format(d=d, http=self.http[i], tcp=self.tcp[i], remote=remote))
            self.start(i)

    def dir(self, i):
        return os.path.join(self.root, "clickhouse%d" % i)

    def url(self, i):
        return "http://127.0.0.1:%d" % self.http[i]

    def urls(self):
        return ",".join(self.url(i) for i in range(len(self.http)))

    def start(self, i):
        import time
        import urllib.request
        log = open(os.path.join(self.dir(i), "stdout.log"), "ab")
        self.procs[i] = subprocess.Popen(["clickhouse-server", "--config-file", os.path.join(self.dir(i), "config.xml")],
                                         stdout=log, stderr=subprocess.STDOUT, cwd=self.dir(i))
        for _ in range(600):
            try:
                if urllib.request.urlopen(self.url(i) + "/ping", timeout=1).read().strip() == b"Ok.":
                    return
            except OSError:
                pass
            if self.procs[i].poll() is not None:
                errors = open(os.path.join(self.dir(i), "error.log")).read()[-3000:]
                if "Address already in use" in errors:
                    raise PortTaken(errors)
                raise SystemExit("clickhouse-server %d exited:\n%s" % (i, errors))
            time.sleep(0.1)
        raise SystemExit("clickhouse-server %d did not answer" % i)

    def query(self, i, sql):
        import urllib.request
        return urllib.request.urlopen(self.url(i), data=sql.encode(), timeout=60).read().decode()

    def kill(self, i):
        if self.procs[i] and self.procs[i].poll() is None:
            self.procs[i].kill()
            self.procs[i].wait()

    def stop(self):
        for i in range(len(self.procs)):
            self.kill(i)


def ship_history(bindir, src, root, port, agency, start):
    """A day of AGENCY's ordinary traffic ending at `start`, shipped first: the correlator's
    learning periods (mail senders new to the constituency, say) count from the first event it
    sees, so attacks at `start` are judged against a day of history, as in a running centre."""
    ship_traffic(bindir, src, root, port, agency, start - 86400 - 600, 1, nbytes=300000, attacks=False)


def ship_traffic(bindir, src, root, port, agency, start, seed, nbytes=1500000, attacks=True):
    """Generates traffic for AGENCY's sensor (<agency>-1, certificate from root/pki), bearing the
    generator's attacks unless attacks=False, starting at Unix time `start`, and runs gsoc-sensor
    on it shipping to the collector on `port`; checks that everything was shipped."""
    sensor = agency.lower() + "-1"
    pcap = os.path.join(root, sensor + ".pcap")
    subprocess.run([bindir + "/gsoc-trafficgen", "-o", pcap, "--bytes", str(nbytes), "--seed", str(seed)]
                   + (["--attacks"] if attacks else []) + ["--start", str(start)], check=True, stdout=subprocess.DEVNULL)
    yaml = os.path.join(root, sensor + ".yaml")
    with open(yaml, "w") as f:
        f.write("sensor_id: %s\nagency_id: %s\ntransport:\n  collector_address: 127.0.0.1:%d\n  ca_file: pki/ca.pem\n"
                "  cert_file: pki/sensors/%s.pem\n  key_file: pki/sensors/%s.key\n  spool_dir: spool-%s\n"
                % (sensor, agency, port, sensor, sensor, sensor))
    out = subprocess.run([bindir + "/gsoc-sensor", "-c", yaml, "--pcap", pcap, "--rules-config",
                          os.path.join(src, "signatures", "rules", "default", "rules.yaml"), "--stats-interval", "0"],
                         capture_output=True, text=True, timeout=120)
    shipped = out.returncode == 0 and "0 events waiting" in out.stdout
    check(shipped, "%s shipped its events%s" % (sensor, "" if shipped else " (exit %d; output ends: %s)" % (
        out.returncode, (out.stdout + out.stderr)[-800:].replace("\n", " | "))))
