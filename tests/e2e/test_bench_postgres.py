"""The benchmark's PostgreSQL rows (bench.engines, bench.pg_server) on a small library:
timed on both engines when a server is given, and recorded as skipped, each with the
reason and its SQLite figure, when there is none. Their figures are not judged here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import engines, pg_server
from bench.report import postgres_rows, table

TEST_PG_ENV = "MARGINALIA_TEST_PG"
ROWS = {"list", "create", "search rare", "search common", "search phrase"}


def quiet(line: str) -> None:
    pass


def _server_gone(url: str) -> bool:
    from reader.storage.drivers import psycopg

    try:
        psycopg().connect(url, connect_timeout=3).close()
    except psycopg().OperationalError:
        return True
    return False


@pytest.mark.parametrize("choice, reason", [
    ("off", "--pg off was given"),
    ("postgresql://postgres:secret@127.0.0.1:1/postgres",
     "cannot connect to postgresql://postgres:***@127.0.0.1:1/postgres"),
    ("mysql://somewhere", "neither a postgresql:// URL nor auto or off"),
    ("auto", "the throw-away cluster did not start"),
    ("auto without initdb", "install PostgreSQL (initdb) for a throw-away cluster"),
])
def test_without_a_server_each_row_is_skipped_with_the_reason_beside_sqlite(
        seeded_library, library_path, monkeypatch, choice, reason):
    monkeypatch.setenv("PG_BIN", "/nonexistent")  # cluster.sh finds no initdb there
    if choice == "auto without initdb":
        choice = "auto"
        monkeypatch.setattr(pg_server, "initdb_installed", lambda: False)
    section = engines.measure(library_path, choice, reps=2, log=quiet)
    assert reason in section["skipped"] and "secret" not in section["skipped"]
    assert set(section["rows"]) == ROWS
    for found in section["rows"].values():
        assert found["pg_ms"] is None and found["skipped"] == section["skipped"]
        assert all(isinstance(ms, float) for ms in found["sqlite_ms"])
    assert len(section["rows"]["create"]["sqlite_ms"]) == engines.CREATES
    # Every highlight the row made was undone.
    assert seeded_library.highlights.count() == 0
    rows = postgres_rows(section)
    assert len(rows) == len(ROWS)
    for row in rows:
        assert row.value is None and row.floor > 0 and reason in row.skipped
        assert "**skipped on PostgreSQL**" in row.detail


def test_the_table_says_which_rows_were_skipped_and_why(seeded_library, library_path,
                                                        monkeypatch):
    from bench import report

    section = engines.measure(library_path, "off", reps=1, log=quiet)
    # The rest of a run's results feeds the other rows, which need the whole benchmark.
    monkeypatch.setattr(report, "rows", lambda results: postgres_rows(results["postgres"]))
    monkeypatch.setattr(report, "stall_rows", lambda results: [])
    results = {"machine": {"cpu": "cpu", "cores": 2, "ram_gb": 1, "os": "os", "python": "3",
                           "pyside6": "6", "qt": "6", "sqlite": "3",
                           "load_average_at_start": [0], "load_average_at_end": [0]},
               "app": {"schema_version": 1, "source_sha256": "x"},
               "library": {"articles": 1, "highlights": 0, "tags": 0, "file_mb": 1,
                           "build_seconds": 1, "built_this_run": False},
               "startup": {"app_phases_ms": {}}, "postgres": section}
    lines = table(results).splitlines()
    assert "PostgreSQL rows skipped: --pg off was given" in lines
    shown = [line for line in lines if line.startswith("| PostgreSQL (")]
    assert len(shown) == len(ROWS)
    assert all("| skipped |" in line and "--pg off was given" in line for line in shown)


def test_auto_starts_a_durable_throw_away_cluster_and_removes_it():
    if not pg_server.initdb_installed():
        pytest.skip("PostgreSQL's initdb is not installed here: `auto` has no cluster to start")
    with pg_server.server("auto", log=quiet) as server, \
            pg_server.fresh_database(server.url) as url:
        found = pg_server.settings(url)
    assert (found["fsync"], found["synchronous_commit"], found["full_page_writes"]) == \
        ("on", "on", "on")
    assert "throw-away cluster" in server.origin
    assert _server_gone(server.url)


def test_on_postgresql_each_row_is_timed_beside_sqlite(seeded_library, library_path):
    server = os.environ.get(TEST_PG_ENV)
    if not server:
        pytest.skip(f"PostgreSQL side skipped: set {TEST_PG_ENV} to a server's URL (a "
                    "superuser); .ci/run starts a throw-away cluster and always sets it")
    articles = seeded_library.articles.count()
    section = engines.measure(library_path, server, reps=2, log=quiet)
    assert section["skipped"] is None and section["articles"] == articles
    assert section["server"]["server_version"] and section["copy_s"] > 0
    # Commits on the benchmark's database wait for the disk, whatever the server's default.
    assert section["server"]["synchronous_commit"] == "on"
    assert set(section["rows"]) == ROWS
    listed = section["rows"]["list"]
    assert listed["same_ids"] is True and listed["shown"] == articles
    for key in ("list", "create"):
        found = section["rows"][key]
        assert found["skipped"] is None
        assert len(found["pg_ms"]) == len(found["sqlite_ms"]) > 0
    assert len(section["rows"]["create"]["pg_ms"]) == engines.CREATES
    for name in ("search rare", "search common", "search phrase"):
        found = section["rows"][name]
        # Runs once search is ported; until then skipped, saying so, and nothing else.
        if found["skipped"] is not None:
            assert "not available on a PostgreSQL library" in found["skipped"]
            assert found["pg_ms"] is None
        else:
            assert len(found["pg_ms"]) == len(found["sqlite_ms"]) and found["pg_found"] is not None
    rows = {row.measurement: row for row in postgres_rows(section)}
    assert len(rows) == len(ROWS)
    for row in rows.values():
        assert row.floor > 0
        assert (row.value is not None and row.ratio == row.value / row.floor) or row.skipped
    # The database the benchmark made is dropped again.
    from reader.storage.drivers import psycopg

    with psycopg().connect(server, autocommit=True) as admin:
        assert not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                 (section["database"],)).fetchall()
    assert Path(library_path).exists()
