#!/usr/bin/env python3
"""Runs the ClickHouse store's unit tests (tests/collector/ClickHouseStoreTest.cpp) against two
real clickhouse-server shards started here, with a cluster `gsoc` over them."""
import os
import subprocess
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ClickHouseCluster  # noqa: E402

tests = sys.argv[1]
root = tempfile.mkdtemp(prefix="gsoc-clickhouse-")
cluster = None
try:
    cluster = ClickHouseCluster(root, shards=2)
    env = dict(os.environ, GSOC_CLICKHOUSE_SHARDS=cluster.urls())
    rc = subprocess.run([tests, "--gtest_filter=ClickHouseStoreTest.*"], env=env).returncode
finally:
    if cluster:
        cluster.stop()
    shutil.rmtree(root, ignore_errors=True)
sys.exit(rc)
