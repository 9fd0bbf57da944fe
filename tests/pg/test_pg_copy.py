"""marginalia copy to PostgreSQL and back: every table, ids and sequences kept, verified
by checksums computed the same way on both engines; refusals and failures change nothing."""

from __future__ import annotations


import pytest
from pg_urls import with_database

from reader.cli.main import main
from tests.conftest import highlight_without_article
from reader.library import Library
from reader.storage.copy import CopyError, copy_library
from reader.storage.postgres import PostgresLibraryError, PostgresStorage, redact

PASSWORD = "pg-s3cret"


def _contents(library: Library) -> tuple:
    rows = library.storage.rows
    return (rows("SELECT id, title, note FROM article ORDER BY id"),
            rows("SELECT id, article_id, exact, note, colour FROM highlight ORDER BY id"),
            rows("SELECT h.highlight_id, t.name FROM highlight_tag h JOIN tag t"
                 " ON t.id = h.tag_id ORDER BY 1, 2"),
            rows("SELECT name FROM tag ORDER BY name"))


def test_sqlite_to_postgresql_and_back(annotated_library, pg_url, tmp_path):
    expected = _contents(annotated_library)
    source = annotated_library.path
    annotated_library.close()
    there = copy_library(source, pg_url)
    back = copy_library(pg_url, tmp_path / "back.sqlite3")
    assert all(f.matches for f in there.tables) and all(f.matches for f in back.tables)
    # The checksums are computed the same way on both engines: equal all along.
    assert [(f.table, f.source_rows, f.source_checksum) for f in there.tables] == \
        [(f.table, f.target_rows, f.target_checksum) for f in back.tables]
    assert {f.table: f.source_rows for f in there.tables}["highlight"] == 2
    with Library.open(tmp_path / "back.sqlite3") as copied:
        assert _contents(copied) == expected
    storage = PostgresStorage.open(pg_url)
    try:
        # The planner's statistics were taken after the copy: it knows the rows are there.
        assert storage.rows("SELECT reltuples FROM pg_class WHERE relname = 'article'") == \
            [(len(expected[0]),)]
        # Search works on PostgreSQL: the tsvector columns were computed from the rows.
        assert storage.rows("SELECT count(*) FROM article WHERE search @@"
                            " websearch_to_tsquery('english', 'ukrainian')") == [(2,)]
        assert storage.rows("SELECT count(*) FROM highlight WHERE search @@"
                            " websearch_to_tsquery('english', 'cafe OR emoji')") == [(1,)]
        # Ids continue after the copied ones, and after the deleted highlight's (3).
        row = storage.rows("INSERT INTO highlight (article_id, start, \"end\", exact, created_at,"
                           " updated_at) SELECT min(id), 0, 1, 'x', 'n', 'n' FROM article"
                           " RETURNING id")
        assert row == [(4,)]
        tag = storage.rows("INSERT INTO tag (name) VALUES ('new') RETURNING id")[0][0]
        assert tag > storage.rows("SELECT max(id) FROM tag WHERE name != 'new'")[0][0]
    finally:
        storage.close()


def test_a_postgresql_target_that_is_not_empty_is_refused(annotated_library, pg_url, capsys):
    source = str(annotated_library.path)
    annotated_library.close()
    url = with_database(pg_url, pg_url.rsplit("/", 1)[1], PASSWORD)
    assert main(["copy", "--from", source, "--to", url]) == 0
    assert main(["copy", "--from", source, "--to", url]) == 1
    captured = capsys.readouterr()
    assert f"{redact(url)} is not empty (it holds 2 rows in article" in captured.err
    assert "--replace" in captured.err
    assert main(["copy", "--from", source, "--to", url, "--replace"]) == 0
    captured2 = capsys.readouterr()
    assert "every count and checksum matches" in captured2.out
    assert PASSWORD not in captured.out + captured.err + captured2.out + captured2.err


def test_a_failure_midway_leaves_the_postgresql_target_empty(annotated_library, pg_url):
    path = highlight_without_article(annotated_library)
    with pytest.raises(CopyError, match=r"table highlight.*foreign key.*nothing was written"):
        copy_library(path, pg_url)
    storage = PostgresStorage.open(pg_url)
    try:
        assert storage.rows("SELECT count(*) FROM article") == [(0,)]
        assert storage.rows("SELECT count(*) FROM tag") == [(0,)]
        assert storage.rows("SELECT count(*) FROM saved_view") == [(4,)]
    finally:
        storage.close()


def test_a_database_that_does_not_exist_is_named(pg_server, library_path):
    url = with_database(pg_server, "no_such_library", PASSWORD)
    with pytest.raises(PostgresLibraryError) as caught:
        copy_library(url, library_path)
    message = str(caught.value)
    assert message.startswith(redact(url) + ": cannot connect")
    assert 'database "no_such_library" does not exist' in message
    assert PASSWORD not in message


def test_an_empty_postgresql_source_is_refused(pg_url, library_path):
    with pytest.raises(CopyError, match="the library to copy from is empty"):
        copy_library(pg_url, library_path)


def test_the_command_copies_in_a_fresh_process(annotated_library, pg_url, tmp_path):
    # A new process: peewee is imported without psycopg, which a PostgreSQL URL loads.
    import os
    import subprocess
    import sys
    from pathlib import Path

    source = str(annotated_library.path)
    annotated_library.close()
    url = with_database(pg_url, pg_url.rsplit("/", 1)[1], PASSWORD)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-m", "reader.cli", "copy", "--from", source,
                           "--to", url], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "every count and checksum matches" in done.stdout
    assert redact(url) in done.stdout + done.stderr
    assert PASSWORD not in done.stdout + done.stderr


def test_a_copy_leaves_the_search_indexes_merged(annotated_library, pg_url):
    """The GIN indexes' pending lists are merged before the copy returns (VACUUM)."""
    source = annotated_library.path
    annotated_library.close()
    copy_library(source, pg_url)
    storage = PostgresStorage.open(pg_url)
    try:
        storage.database.execute_sql("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        for index in ("article_search", "highlight_search"):
            pending = storage.rows(f"SELECT pending_pages FROM pgstatginindex('{index}')")
            assert pending == [(0,)], index
    finally:
        storage.close()
