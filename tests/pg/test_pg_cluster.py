"""tests/pg/cluster.sh, which .ci/run uses: it starts a working server as a non-root user
on a free port and removes every trace when stopped. Opening a library from two
processes at once upgrades it once."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from reader.storage.migrations import SCHEMA_VERSION
from reader.storage.drivers import psycopg as load_psycopg
from reader.storage.postgres import PostgresStorage

SCRIPT = Path(__file__).resolve().parent / "cluster.sh"

psycopg = load_psycopg()  # reader keeps peewee's import from loading it


def test_cluster_script_starts_and_removes_a_server():
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and shutil.which("initdb") is None:
        pytest.skip("PostgreSQL's initdb is not installed here")
    folder = Path(tempfile.mkdtemp(prefix="marginalia-cluster-"))  # reachable by postgres
    try:
        started = subprocess.run([str(SCRIPT), "start", str(folder)], capture_output=True,
                                 text=True, timeout=120)
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        assert url.startswith("postgresql://postgres@127.0.0.1:")
        with psycopg.connect(url) as connection:
            user, superuser = connection.execute(
                "SELECT current_user, current_setting('is_superuser')").fetchone()
            server_user = connection.execute(
                "SELECT rolname FROM pg_roles WHERE oid = 10").fetchone()[0]
        assert (user, superuser, server_user) == ("postgres", "on", "postgres")
        owner = subprocess.run(["stat", "-c", "%U", str(folder / "data")], capture_output=True,
                               text=True).stdout.strip()
        assert owner != "root"  # the server never runs as root
    finally:
        stopped = subprocess.run([str(SCRIPT), "stop", str(folder)], capture_output=True,
                                 text=True, timeout=120)
    assert stopped.returncode == 0, stopped.stderr
    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)


def test_two_openings_at_once_upgrade_the_library_once(pg_url):
    opened: list[PostgresStorage] = []
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(PostgresStorage.open(pg_url))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert opened[0].rows("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
        assert opened[0].rows("SELECT count(*) FROM saved_view") == [(4,)]
    finally:
        for storage in opened:
            storage.close()
