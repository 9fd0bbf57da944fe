"""The library's storage: the schema the migrations make and its foreign keys, on both
engines; the SQLite file's own (pragmas, migrations from the first schema, refusing newer
files, its write lock, a full disk) on SQLite; one database object per open library."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from peewee import SqliteDatabase

from reader.library import Library
from reader.storage.database import SCHEMA_VERSION, LibraryClosedError, LibraryError, Storage
from reader.storage.migrations import MIGRATIONS


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


def test_pragmas_are_in_force_on_a_real_file(library_path):
    with Library.open(library_path) as library:
        values = {name: library.storage.database.pragma(name) for name in
                  ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")}
        assert values == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2,
                          "busy_timeout": 5000}
    # WAL is a property of the file itself: a plain connection sees it too.
    conn = sqlite3.connect(library_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_new_library_has_the_current_schema(library_path):
    with Library.open(library_path) as library:
        assert library.storage.database.pragma("user_version") == SCHEMA_VERSION


def test_schema_made_by_migrations_matches_the_models(library):
    # PostgreSQL's full-text index is a generated tsvector column, `search`, in the two
    # tables SQLite's FTS5 tables index (reader.storage.migrations_postgres, step 3).
    index_columns = {"article", "highlight"} if library.on_postgres else set()
    for model in library.storage.models.tables:
        table = model._meta.table_name
        columns = {c.name for c in library.storage.database.get_columns(table)}
        fields = {f.column_name for f in model._meta.sorted_fields}
        assert columns == fields | ({"search"} if table in index_columns else set()), table


def test_foreign_keys_cascade(library, write_file):
    report = library.import_files([write_file("a.md", "# A\n\nText.")])
    (article_id,) = report.added
    m = library.storage.models
    tag = m.Tag.create(name="History")
    m.ArticleTag.create(article=article_id, tag=tag)
    m.Article.delete_by_id(article_id)
    assert m.ArticleTag.select().count() == 0


def _first_schema_file(path):
    """A library as the first release wrote it, holding one article."""
    first = SqliteDatabase(str(path))
    with first.atomic():
        MIGRATIONS[0](first)
        first.execute_sql(
            "INSERT INTO article (title, source_format, source_text, text, content_hash, added_at)"
            " VALUES ('Old', 'markdown', '# Old\n\nText.', 'Old\nText.', 'h', '2024-01-01')"
        )
        first.pragma("user_version", 1)
    first.close()


def test_upgrade_from_the_first_schema_keeps_the_data(library_path):
    _first_schema_file(library_path)
    backups = []
    storage = Storage.open(library_path, before_migration=lambda p, v: backups.append(v))
    try:
        assert storage.database.pragma("user_version") == SCHEMA_VERSION
        assert [a.title for a in storage.models.Article.select()] == ["Old"]
        # The full-text index was rebuilt from the articles (schema 6): prefixes find it.
        assert storage.rows("SELECT rowid FROM article_fts WHERE article_fts MATCH 'ol*'") == [(1,)]
    finally:
        storage.close()
    # Only an actual upgrade asks for a backup first.
    assert backups == ([1] if SCHEMA_VERSION > 1 else [])


def test_a_file_from_a_newer_version_is_refused_untouched(library_path):
    with Library.open(library_path):
        pass
    conn = sqlite3.connect(library_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = delete")
    conn.commit()
    conn.close()
    before = hashlib.sha256(library_path.read_bytes()).hexdigest()
    with pytest.raises(LibraryError, match="newer version of Marginalia") as caught:
        Library.open(library_path)
    assert str(library_path) in str(caught.value)
    assert hashlib.sha256(library_path.read_bytes()).hexdigest() == before
    assert not library_path.with_name(library_path.name + "-wal").exists()


def test_a_file_that_is_not_a_library_is_refused(library_path):
    library_path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(LibraryError, match="not a Marginalia library") as caught:
        Library.open(library_path)
    assert str(library_path) in str(caught.value)


def test_library_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LibraryError, match="cannot create the library folder"):
        Library.open(blocker / "sub" / "library.sqlite3")


def test_opening_an_old_library_keeps_a_backup_first(library_path):
    _first_schema_file(library_path)
    with Library.open(library_path):
        pass
    (backup,) = (library_path.parent / "backups").iterdir()
    assert backup.name.startswith("library-schema1-") and backup.suffix == ".sqlite3"
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT title FROM article").fetchall() == [("Old",)]
    conn.close()


def test_prefixes_of_two_and_three_letters_are_searched(library, write_file):
    """The word being typed is searched as a prefix, however short."""
    (bridges,) = library.import_files([write_file("b.md", "# Bridges\n\nTwo bridges fell.")]).added
    assert library.articles.ids(search="br") == [bridges]
    assert library.articles.ids(search="bri") == [bridges]


@pytest.mark.sqlite_only("FTS5's prefix index")
def test_prefixes_of_two_and_three_letters_are_indexed(library, write_file):
    """Short prefixes use FTS5's prefix index (schema 6) instead of merging every word
    that begins so."""
    ((sql,),) = library.storage.rows("SELECT sql FROM sqlite_master WHERE name = 'article_fts'")
    assert "prefix='2 3'" in sql
    library.import_files([write_file("b.md", "# Bridges\n\nTwo bridges fell.")])
    library.storage.database.execute_sql(
        "INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 1)")


@pytest.fixture
def second_location(any_library_location, tmp_path, request) -> str:
    """Another new library's location on the same engine as any_library_location."""
    if any_library_location.startswith("postgresql:"):
        return request.getfixturevalue("new_pg_database")()
    return str(tmp_path / "second.sqlite3")


def test_two_libraries_in_one_process_are_independent(any_library_location, second_location,
                                                      write_file):
    """Each library owns its database object: writes, searches, undo and closing one
    leave the other as it was, in the UI thread and in workers alike."""
    from concurrent.futures import ThreadPoolExecutor

    first = Library.open(any_library_location)
    second = Library.open(second_location)
    try:
        (a,) = first.import_files([write_file("a.md", "# Alpha\n\nBridges over the river.")]).added
        (b,) = second.import_files([write_file("b.md", "# Beta\n\nRailways and bridges.")]).added
        first.highlights.create(a, 0, 5, "green")
        assert first.articles.count() == second.articles.count() == 1
        assert [r.title for r in first.articles.records(first.articles.ids())] == ["Alpha"]
        assert [r.title for r in second.articles.records(second.articles.ids())] == ["Beta"]
        assert second.articles.ids(search="railways") == [b]
        assert first.articles.ids(search="railways") == []
        assert second.highlights.count() == 0 and first.highlights.count() == 1

        def in_worker(library: Library) -> list[int]:
            try:
                return library.articles.ids(search="bridges")
            finally:
                library.release_thread()

        with ThreadPoolExecutor(max_workers=2) as pool:
            found = list(pool.map(in_worker, [first, second, first, second]))
        assert found == [[a], [b], [a], [b]]

        first.undo()
        assert first.highlights.count() == 0
        first.close()
        # The other library goes on working after one is closed.
        second.articles.set_read(b, True)
        assert second.articles.get(b).read
    finally:
        first.close()
        second.close()


def test_a_closed_library_refuses_use(library):
    library.close()
    with pytest.raises(LibraryClosedError, match="The library has been closed"):
        library.articles.count()
    library.release_thread()  # a worker finishing after the window closed: no error
    library.close()  # twice: nothing more to do


@pytest.mark.sqlite_only("SQLite's BEGIN IMMEDIATE")
def test_writes_take_the_write_lock_at_their_start(library, write_file):
    """A write transaction is BEGIN IMMEDIATE: in WAL mode a deferred one that read
    first can fail at once with SQLITE_BUSY when another connection wrote meanwhile."""
    statements = []
    conn = library.storage.database.connection()
    conn.set_trace_callback(statements.append)
    try:
        library.import_files([write_file("a.md", "# A\n\nText.")])
    finally:
        conn.set_trace_callback(None)
    begins = [s for s in statements if s.upper().startswith("BEGIN")]
    assert begins and all(s.upper() == "BEGIN IMMEDIATE" for s in begins)


@pytest.mark.sqlite_only("Restoring a backup file")
def test_a_restore_is_refused_while_the_library_is_open(library, library_path):
    from reader.storage import backup

    copy = backup.backup_now(library_path)
    with pytest.raises(backup.BackupError, match="open"):
        backup.restore(library_path, copy)


def _hold_write_lock(path):
    """Another connection holding the library's write lock (as a writing process would)."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO meta (key, value) VALUES ('other', 'writer')")
    return other


@pytest.mark.sqlite_only("SQLite's file write lock")
def test_a_writer_waits_for_the_lock_then_writes(library, library_path, write_file):
    import threading

    other = _hold_write_lock(library_path)
    threading.Timer(0.3, lambda: other.execute("COMMIT")).start()
    report = library.import_files([write_file("a.md", "# Waited\n\nIts turn came.")])
    assert report.problems == () and len(report.added) == 1
    other.close()
    assert [r.title for r in library.articles.records(library.articles.ids())] == ["Waited"]


@pytest.mark.sqlite_only("SQLite's file write lock")
def test_a_library_busy_for_too_long_is_said_and_nothing_is_written(
        library, library_path, write_file, monkeypatch):
    from reader.storage import database

    monkeypatch.setattr(database, "WRITE_ATTEMPTS", 2)
    library.storage.database.pragma("busy_timeout", 50)
    (article,) = library.import_files([write_file("a.md", "# A\n\nSome text here.")]).added
    other = _hold_write_lock(library_path)
    try:
        with pytest.raises(database.LibraryBusyError, match="busy: another Marginalia"):
            library.highlights.create(article, 0, 4)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert library.highlights.count() == 0
    assert library.undo() is None  # nothing acknowledged, nothing to undo
    library.highlights.create(article, 0, 4)  # free again: it works
    assert library.highlights.count() == 1


@pytest.mark.sqlite_only("SQLite's max_page_count")
def test_a_full_disk_is_said_plainly_and_nothing_is_half_written(library, write_file):
    """SQLite's SQLITE_FULL, as a full disk gives it: max_page_count makes the file full."""
    from reader.library import LibraryError

    (kept,) = library.import_files([write_file("a.md", "# Kept\n\nShort.")]).added
    database = library.storage.database
    pages = database.pragma("page_count")
    database.pragma("max_page_count", pages)
    big = "# Big\n\n" + "A long paragraph of words that will not fit. " * 20000
    with pytest.raises(LibraryError, match="disk is full; nothing was saved"):
        library.import_files([write_file("big.md", big)])
    with pytest.raises(LibraryError, match="disk is full"):
        library.articles.set_note(kept, "x" * 200_000)
    database.pragma("max_page_count", 1_000_000)
    assert library.articles.count() == 1 and library.articles.get(kept).note == ""
    assert library.storage.rows("PRAGMA integrity_check") == [("ok",)]
    assert library.undo() is None
