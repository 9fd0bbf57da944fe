"""A PostgreSQL server for the benchmark's PostgreSQL rows, and a fresh database on it.

Where the server comes from (`--pg`; by default $MARGINALIA_BENCH_PG, else `auto`):

- a superuser URL (`postgresql://postgres@HOST:PORT/postgres`): that server. The
  benchmark creates a database of its own on it (`marginalia_bench_…`) and drops it after;
- `auto`: a throw-away cluster, started with tests/pg/cluster.sh in a temporary folder when
  PostgreSQL's initdb is installed, stopped and removed after. It keeps fsync and
  synchronous commits on (PG_DURABLE=1), as the SQLite side keeps synchronous=FULL;
- `off`: no server.

Without a server the rows are recorded as skipped, with the reason (`Unavailable`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ENV = "MARGINALIA_BENCH_PG"
SCRIPT = ROOT / "tests" / "pg" / "cluster.sh"
AUTO, OFF = "auto", "off"
# What the rows report about the server: commits are only comparable with the same care.
SETTINGS = ("server_version", "fsync", "synchronous_commit", "full_page_writes",
            "shared_buffers")


class Unavailable(Exception):
    """No PostgreSQL server to measure on; the message says why and how to give one."""


@dataclass(frozen=True)
class Server:
    url: str  # a superuser's URL
    origin: str  # where it came from, as the report says it


def default_choice() -> str:
    return os.environ.get(ENV) or AUTO


def initdb_installed() -> bool:
    """Whether tests/pg/cluster.sh can find initdb (Debian keeps it out of PATH)."""
    return bool(os.environ.get("PG_BIN") or glob.glob("/usr/lib/postgresql/*/bin/initdb")
                or shutil.which("initdb"))


@contextmanager
def server(choice: str, log=print) -> Iterator[Server]:
    """The server `choice` names (a URL, `auto` or `off`); raises Unavailable."""
    if choice == OFF:
        raise Unavailable("--pg off was given")
    if choice != AUTO:
        if not choice.lower().startswith(("postgresql://", "postgres://")):
            raise Unavailable(f"--pg {choice!r} is neither a postgresql:// URL nor auto or off")
        yield Server(choice, f"the server {ENV} or --pg names")
        return
    if not initdb_installed():
        raise Unavailable(
            f"no PostgreSQL server: set {ENV} to a superuser's URL "
            "(postgresql://postgres@HOST:PORT/postgres), or install PostgreSQL (initdb) "
            "for a throw-away cluster")
    folder = Path(tempfile.mkdtemp(prefix="marginalia-bench-pg-"))
    log("Starting a throw-away PostgreSQL cluster (tests/pg/cluster.sh)…")
    env = dict(os.environ, PG_DURABLE="1")
    try:
        started = subprocess.run([str(SCRIPT), "start", str(folder)], env=env,
                                 capture_output=True, text=True, timeout=300, check=False)
        if started.returncode != 0:
            raise Unavailable("the throw-away cluster did not start (tests/pg/cluster.sh: "
                              + " ".join(started.stderr.split())[-600:] + ")")
        yield Server(started.stdout.strip(), "a throw-away cluster (tests/pg/cluster.sh)")
    finally:
        subprocess.run([str(SCRIPT), "stop", str(folder)], env=env, capture_output=True,
                       timeout=300, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def with_database(url: str, name: str) -> str:
    """The server URL pointed at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(url: str):
    from reader.storage.drivers import psycopg
    from reader.storage.postgres import redact, scrub

    try:
        driver = psycopg()
    except ImportError as exc:
        raise Unavailable(str(exc)) from None
    try:
        return driver.connect(url, autocommit=True, connect_timeout=10)
    except driver.Error as exc:
        raise Unavailable(f"cannot connect to {redact(url)} "
                          f"({scrub(' '.join(str(exc).split()), url)})") from None


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the server, dropped afterwards.

    Its commits are synchronous (the server's own setting may say otherwise), so that a
    highlight's commit waits for the disk as it does on the SQLite side."""
    from reader.storage.drivers import psycopg

    name = f"marginalia_bench_{uuid.uuid4().hex[:12]}"
    with _admin(server_url) as admin:
        try:
            admin.execute(f'CREATE DATABASE "{name}"')
            admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = on')
        except psycopg().Error as exc:  # not a superuser, no space, ...
            raise Unavailable(f"cannot create a database for the benchmark "
                              f"({' '.join(str(exc).split())})") from None
        try:
            yield with_database(server_url, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settings(url: str) -> dict[str, str]:
    """The server's version and the settings that decide what a commit costs, as the
    benchmark's database sees them."""
    with _admin(url) as connection:
        return {name: connection.execute(f"SHOW {name}").fetchone()[0] for name in SETTINGS}


def analyze(url: str) -> None:
    """Gather the planner's statistics of the database, as autovacuum does within a
    minute of a bulk load (`marginalia copy` leaves that to it): the rows time a library
    in use, not the first minute after the copy."""
    with _admin(url) as connection:
        connection.execute("ANALYZE")
