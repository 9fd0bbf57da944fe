"""Shared fixtures: temporary library files, seeded libraries, isolated user folders."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

# Before anything imports Qt: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from reader.library import Library  # noqa: E402
from reader.paths import seeds_dir  # noqa: E402

SEED_TITLES = {
    "Ukrainian military launches incursion of Russia": ("Clara Weiss", "2024-08-07"),
    "Ukraine continues offensive inside Russia": ("Clara Weiss", "2024-08-18"),
}


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user's data, config and log folders."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    runtime = home / "runtime"  # single-instance sockets
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("MARGINALIA_DB", raising=False)
    return home


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch):
    """No test ever reaches past this machine: host names other than local ones do not
    resolve (no query is sent), and no proxy is used. Tests serve pages on 127.0.0.1."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def library_path(tmp_path) -> Path:
    return tmp_path / "library.sqlite3"


TEST_PG_ENV = "MARGINALIA_TEST_PG"
PG_SKIP_REASON = (f"PostgreSQL side skipped: set {TEST_PG_ENV} to a server's URL (a "
                  "superuser, e.g. postgresql://postgres@127.0.0.1:PORT/postgres); .ci/run "
                  "starts a throw-away cluster with tests/pg/cluster.sh and always sets it")


@pytest.fixture
def new_pg_database():
    """Makes new, empty databases on the $MARGINALIA_TEST_PG server (the URL of each),
    dropped after the test; skips the test without a server."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    server = os.environ.get(TEST_PG_ENV)
    if not server:
        pytest.skip(PG_SKIP_REASON)
    from reader.storage.drivers import psycopg

    made: list[str] = []
    admin = psycopg().connect(server, autocommit=True)

    def make() -> str:
        name = f"marginalia_test_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        parts = urlsplit(server)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))

    yield make
    for name in made:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_library_location(request, library_path) -> str:
    """Where a new library goes on each engine, as the command line names it: a SQLite
    file's path, and a new PostgreSQL database's URL when $MARGINALIA_TEST_PG names a
    server (that side skips, saying so, without one; and for a test marked
    `sqlite_only`)."""
    only = request.node.get_closest_marker("sqlite_only")
    if request.param == "postgresql" and only is not None:
        pytest.skip(f"SQLite only: {only.args[0]}")
    if request.param == "sqlite":
        return str(library_path)
    return request.getfixturevalue("new_pg_database")()


@pytest.fixture
def any_library(any_library_location):
    """A new library on each engine (see any_library_location). A test module runs on
    both by taking it as its `library`."""
    lib = Library.open(any_library_location)
    yield lib
    _drain_operations()
    lib.close()


@pytest.fixture
def library(library_path):
    lib = Library.open(library_path)
    yield lib
    _drain_operations()
    lib.close()


def _drain_operations() -> None:
    """No job of a test's window may run on the next test's library: wait for them, as
    the app does before it closes its library. (Qt-free tests never import the runner.)"""
    operations = sys.modules.get("reader.ui.operations")
    if operations is not None:
        operations.drain()


@pytest.fixture
def seeded_library(library):
    library.seed_if_new(seeds_dir())
    return library


@pytest.fixture
def write_file(tmp_path):
    """Write a text (or bytes) file under tmp_path and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def window_settings(tmp_path):
    """Window geometry and view state in a temporary ini file."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def show_window(qtbot, window_settings):
    """Open the real main window on a library, shown and active (so keys reach shortcuts)."""
    from reader.ui.main_window import MainWindow

    def show(library, preferences=None, size: tuple[int, int] | None = None):
        window = MainWindow(library, window_settings, preferences)
        qtbot.addWidget(window)
        if size:
            window.resize(*size)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    return show


@pytest.fixture
def unwritable():
    """Make a file or folder unwritable for this process, as it is for a user without
    write access. Root ignores permission bits, so as root the file system's immutable
    flag is used (chattr), which binds root too."""
    changed: list[tuple[Path, int | None]] = []

    def make(path: Path) -> None:
        if os.geteuid() == 0:
            if shutil.which("chattr") is None:
                pytest.skip("chattr is needed to make a file unwritable for root")
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
            if done.returncode != 0:
                pytest.skip(f"this file system has no immutable flag: {done.stderr.strip()}")
            changed.append((path, None))
        else:
            changed.append((path, path.stat().st_mode))
            path.chmod(0o555 if path.is_dir() else 0o444)

    yield make
    for path, mode in reversed(changed):
        if mode is None:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        else:
            path.chmod(mode)


@pytest.fixture
def annotated_library(seeded_library):
    """The seeded library with a row in every table: highlights with notes and tags (one
    deleted, so an id the library will never hand out again), article notes and tags, a
    feed and its entry, a revision, an imported passage and review cards with a log.
    Text with emoji, accents and quotes; a float; NULLs."""
    library = seeded_library
    first, second = sorted(library.storage.rows("SELECT id FROM article"))
    first, second = first[0], second[0]
    for start, end in ((0, 12), (20, 40), (50, 60)):
        library.highlights.create(first, start, end)
    ids = [h.id for h in library.highlights.for_article(first)]
    library.highlights.set_note(ids[0], "A note with an emoji 😀, a café and \"quotes\"")
    library.highlights.set_tags(ids[0], ["Reading/Ukraine", "ÉTÉ"])
    library.highlights.delete(ids[2])
    library.articles.set_note(first, "The article's own note.\nTwo lines.")
    library.articles.set_tags(second, ["later", "Reading/Ukraine"])
    with library.storage.write():
        execute = library.storage.database.execute_sql
        execute("INSERT INTO feed (url, title, added_at, failures) VALUES"
                " ('https://example.org/feed', 'Example — feed', '2024-01-02T03:04:05+00:00', 2)")
        execute("INSERT INTO feed_entry (feed_id, entry_key, article_id, seen_at) VALUES"
                " (1, 'entry-1', ?, '2024-01-02T03:04:05+00:00')", (second,))
        execute("INSERT INTO revision (article_id, title, source_format, source_text, text,"
                " content_hash, saved_at, replaced_at) VALUES (?, 'Old title', 'text',"
                " 'old', 'old text', 'abc', '2024-01-01', '2024-01-02')", (first,))
        execute("INSERT INTO imported (source, kind, key, article_id, highlight_id, passage,"
                " position, imported_at) VALUES ('kindle', 'highlight', 'k1', ?, ?,"
                " 'a passage', 12.375, '2024-01-03')", (first, ids[0]))
        execute("INSERT INTO review_card (highlight_id, state, step, stability, difficulty,"
                " due, created_at) VALUES (?, 2, NULL, 3.1415926535, 5.5, '2024-02-01',"
                " '2024-01-04')", (ids[0],))
        execute("INSERT INTO review_log (card_id, highlight_id, rating, reviewed_at, day,"
                " card_after) VALUES (1, ?, 3, '2024-01-05', '2024-01-05', '{}')", (ids[0],))
    return library


@pytest.fixture
def rendered(monkeypatch):
    """The ids of the articles the Markdown exports that follow render."""
    from reader.export.exporter import Exporter

    seen: list[int] = []
    original = Exporter._render

    def counting(self, article, *args, **kwargs):
        seen.append(article.id)
        return original(self, article, *args, **kwargs)

    monkeypatch.setattr(Exporter, "_render", counting)
    return seen


def table_counts(library, tables) -> dict[str, int]:
    """How many rows each of `tables` holds, on either engine."""
    return {table: library.storage.rows(f"SELECT count(*) FROM {table}")[0][0]
            for table in tables}


def trace_statements(library) -> list[str]:
    """A list that gathers each statement the library runs from now on, its parameters
    written in, on either engine: SQLite's trace shows them so; on PostgreSQL each
    statement sent through the database object is written out by psycopg's client-side
    cursor (the statement as the server receives it, in PostgreSQL's spelling)."""
    found: list[str] = []
    database = library.storage.database
    if not library.on_postgres:
        database.connection().set_trace_callback(found.append)
        return found
    from reader.storage.drivers import psycopg

    original = database.execute_sql

    def traced(sql, params=None, *args, **kwargs):
        cursor = psycopg().ClientCursor(database.connection())
        found.append(cursor.mogrify(sql, params or None))
        return original(sql, params, *args, **kwargs)

    database.execute_sql = traced  # the library is the test's own and closed after it
    return found


def highlight_without_article(library) -> Path:
    """Close the library and write into its file, foreign keys off, a highlight whose
    article does not exist: a copy fails on it midway. The file's path."""
    import sqlite3

    path = library.path
    library.close()
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO highlight (article_id, start, \"end\", exact, created_at,"
                       " updated_at) VALUES (999, 0, 1, 'x', 'now', 'now')")
    connection.commit()
    connection.close()
    return path


def shown_panel(qtbot, library, article_id: int | None):
    """The annotation panel on its own, shown and active (keys reach it), on an article."""
    from reader.ui.annotation_panel import AnnotationPanel

    panel = AnnotationPanel(library)
    qtbot.addWidget(panel)
    panel.resize(380, 900)
    with qtbot.waitActive(panel):
        panel.show()
        panel.activateWindow()
    panel.show_article(article_id)
    return panel
