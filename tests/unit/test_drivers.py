"""peewee is imported without the PostgreSQL driver; the driver is bound on demand."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from reader.storage import drivers


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_opening_a_personal_library_loads_no_postgresql_driver(tmp_path):
    out = _run(
        "import sys\n"
        "from reader.library import Library\n"
        f"library = Library.open({str(tmp_path / 'l.sqlite3')!r})\n"
        "library.close()\n"
        "print(sorted(n for n in ('psycopg', 'psycopg2', 'pymysql')"
        " if sys.modules.get(n) is not None))\n")
    assert out == "[]"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_driver_is_bound_into_peewee_when_asked_for():
    if not drivers.psycopg_installed():
        pytest.skip("psycopg is not installed")
    out = _run(
        "from reader.storage import drivers\n"
        "import peewee\n"
        "assert peewee.psycopg is None\n"
        "driver = drivers.psycopg()\n"
        "assert peewee.psycopg is driver\n"
        f"db = peewee.PostgresqlDatabase('x', host='127.0.0.1', port={_closed_port()},"
        " prefer_psycopg3=True, connect_timeout=2)\n"
        "assert type(db._adapter).__name__ == 'Psycopg3Adapter'\n"
        "assert db._adapter.txn_idle == driver.pq.TransactionStatus.IDLE\n"
        "try:\n"
        "    db.connect()\n"
        "except peewee.OperationalError as error:\n"
        "    print('refused' if 'failed' in str(error) else str(error))\n")
    assert out == "refused"


def test_importing_psycopg_before_reader_keeps_peewee_bound_normally():
    if not drivers.psycopg_installed():
        pytest.skip("psycopg is not installed")
    out = _run("import psycopg, reader, peewee\nprint(peewee.psycopg is psycopg)")
    assert out == "True"
