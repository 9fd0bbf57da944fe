"""A team library whose server goes away: a server killed while another process writes
highlights in a loop loses nothing that process was told was saved, and every write that
raised says why; the same Library works again once the server is back; the window's
banner says the connection is lost (writing disabled) and goes once it is back.

These tests start a server of their own (tests/pg/cluster.sh) and crash it; the shared
test server is never touched."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

import pg_writer
from pg_urls import with_database
from reader.library import Library, LibraryConnectionError
from reader.storage.drivers import psycopg as load_psycopg

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "cluster.sh"
PASSWORD = "s3cret-pw"  # the cluster trusts local connections; it must never be shown
WORDS = 12_000  # the writer highlights one character after another: room for its loop

psycopg = load_psycopg()


class Cluster:
    """A throw-away server of this module's own, which the tests crash and restart."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="marginalia-faults-"))  # reachable by postgres
        self.url = self._script("start")

    def _script(self, action: str) -> str:
        done = subprocess.run([str(SCRIPT), action, str(self.folder)], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def database(self) -> str:
        """A new database, as a URL carrying a password (to check it is never shown)."""
        name = f"faults_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            # The script's servers skip waiting for the disk at commit (their data is
            # thrown away); a crash then forgets commits already confirmed. This one is
            # about what a confirmed commit promises, so it waits as a real server does.
            admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = on')
        return with_database(self.url, name, password=PASSWORD)

    def crash(self) -> None:
        self._script("crash")

    def restart(self) -> None:
        self._script("restart")

    def stop(self) -> None:
        self._script("stop")


@pytest.fixture(scope="module")
def cluster():
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and shutil.which("initdb") is None:
        pytest.skip("PostgreSQL's initdb is not installed here")
    server = Cluster()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def team_url(cluster):
    return cluster.database()


def _article(url: str, tmp_path: Path) -> int:
    path = tmp_path / "long.md"
    path.write_text("# Long\n\n" + "word " * WORDS + "\n", encoding="utf-8")
    with Library.open(url) as library:
        (article,) = library.import_files([path]).added
    return article


def _rows(url: str) -> dict[int, int]:
    """highlight start -> id, read on a connection of the test's own."""
    with psycopg.connect(url) as connection:
        return {start: id_ for id_, start in
                connection.execute("SELECT id, start FROM highlight").fetchall()}


class _Lines:
    """A process's output lines, read in a thread as they come."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._process = process
        self._thread = threading.Thread(target=self._read, args=(process.stdout,),
                                        daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, condition, what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition(list(self.lines)):
            assert self._process.poll() is None, f"the writer ended before {what}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.02)


def _saved(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("saved ")]


def _failed(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("failed ")]


def test_a_server_killed_mid_write_loses_no_write_reported_saved(cluster, team_url, tmp_path):
    article = _article(team_url, tmp_path)
    stop_file = tmp_path / "stop"
    writer = pg_writer.start(team_url, article, "loop", str(stop_file))
    output = _Lines(writer)
    try:
        output.wait_for(lambda lines: len(_saved(lines)) >= 30, "writes before the crash")
        cluster.crash()
        output.wait_for(lambda lines: _failed(lines), "a write to fail")
        cluster.restart()

        def saved_after_the_outage(lines: list[str]) -> bool:
            first_failure = lines.index(_failed(lines)[0])
            return len(_saved(lines[first_failure:])) >= 30

        output.wait_for(saved_after_the_outage, "writes after the restart")
    finally:
        stop_file.touch()
        writer.wait(60)
    assert writer.returncode == 0

    saved = {int(index): int(id_) for _word, index, id_ in
             (line.split() for line in _saved(output.lines))}
    failed = [line.split(" ", 3)[1:] for line in _failed(output.lines)]
    rows = _rows(team_url)
    # Everything the writer was told was saved is there, as it was told.
    assert {index: rows.get(index) for index in saved} == saved
    # A write that raised was not saved, unless the server had the COMMIT and its answer
    # was lost (the writer was told it may not have been saved).
    in_doubt = {int(index) for index, doubt, _message in failed if doubt == "1"}
    certain = {int(index) for index, doubt, _message in failed if doubt == "0"}
    assert certain and not certain & rows.keys()
    assert rows.keys() <= saved.keys() | in_doubt  # nothing saved that nobody was told of
    for _index, _doubt, message in failed:
        assert message.startswith(("Lost the connection to the team library at ",
                                   "Cannot connect to the team library at "))
        assert "postgresql://postgres:***@127.0.0.1:" in message and PASSWORD not in message


def test_the_same_library_works_again_once_the_server_is_back(cluster, team_url, tmp_path):
    article = _article(team_url, tmp_path)
    with Library.open(team_url) as library:
        library.highlights.create(article, 0, 4)
        cluster.crash()
        try:
            with pytest.raises(LibraryConnectionError) as lost:
                library.highlights.create(article, 5, 9)
            assert not lost.value.in_doubt
            assert "the change was not saved" in str(lost.value) or \
                str(lost.value).startswith("Cannot connect")
            with pytest.raises(LibraryConnectionError, match="Cannot connect"):
                library.highlights.for_article(article)
            assert PASSWORD not in str(lost.value)
        finally:
            cluster.restart()
        assert [h.exact for h in library.highlights.for_article(article)] == ["Long"]
        library.highlights.create(article, 5, 9)
        assert sorted(_rows(team_url)) == [0, 5]


def test_a_read_on_a_connection_that_broke_while_idle_is_asked_again(cluster, team_url,
                                                                     tmp_path):
    article = _article(team_url, tmp_path)
    with Library.open(team_url) as library:
        library.highlights.create(article, 0, 4)
        cluster.crash()
        cluster.restart()  # nothing was asked meanwhile: the connection is stale, unknown
        assert [h.exact for h in library.highlights.for_article(article)] == ["Long"]


def test_the_window_says_the_connection_is_lost_and_refreshes_once_it_is_back(
        cluster, team_url, tmp_path, qtbot):
    from PySide6.QtWidgets import QWidget

    from reader.ui.change_bus import ChangeBus
    from reader.ui.library_watch import EVERYTHING, LibraryWatch

    article = _article(team_url, tmp_path)
    with Library.open(team_url) as library:
        window = QWidget()
        qtbot.addWidget(window)
        window.show()
        bus = ChangeBus()
        watch = LibraryWatch(library, bus, window)
        announced = []
        bus.library_changed.connect(lambda changes, who: announced.append(changes))
        try:
            assert watch.banner.isHidden() and watch.writable()
            cluster.crash()
            try:
                qtbot.waitUntil(lambda: watch.banner.isVisible(), timeout=10_000)
                text = watch.banner.text()
                assert text.startswith("Lost the connection to the team library at "
                                       "postgresql://postgres:***@127.0.0.1:")
                assert text.endswith("What is on screen stays readable; changes cannot be "
                                     "saved until it is back. Reconnecting…")
                assert PASSWORD not in text
                assert not watch.writable()
                with pytest.raises(LibraryConnectionError):  # said, not queued
                    library.highlights.create(article, 0, 4)
                assert announced == []
            finally:
                cluster.restart()
            qtbot.waitUntil(lambda: watch.banner.isHidden(), timeout=20_000)
            assert watch.writable()
            qtbot.waitUntil(lambda: bool(announced), timeout=1000)
            assert all(getattr(announced[0], name) for name in
                       ("article_list", "tags", "colours", "views", "feeds"))
            assert announced[0] | EVERYTHING == announced[0]
            library.highlights.create(article, 5, 9)
            assert sorted(_rows(team_url)) == [5]  # the refused write was not kept for later
        finally:
            watch.stop()


# --- one connection lost while the server stays up (on the shared test server) -----------


def _terminate_when(admin, pid: int, query: str) -> threading.Thread:
    """Ends backend `pid` from the server's side once it is running `query`."""

    def terminate() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s"
                                " AND state = 'active'", (pid,)).fetchone()
            if row and row[0].strip().upper() == query:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                return
            time.sleep(0.02)

    thread = threading.Thread(target=terminate, daemon=True)
    thread.start()
    return thread


def test_a_write_whose_commit_failed_raises_and_is_not_saved(pg_url, pg_admin, tmp_path):
    article = _article(pg_url, tmp_path)
    with psycopg.connect(pg_url, autocommit=True) as owner:
        # Each highlight's COMMIT waits in a deferred trigger: long enough for the
        # connection to be ended while the COMMIT is on its way.
        owner.execute("CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS"
                      " $$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$")
        owner.execute("CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON highlight"
                      " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                      " EXECUTE FUNCTION slow_commit()")
    with Library.open(pg_url) as library:
        (pid,) = library.storage.own_pids()
        terminator = _terminate_when(pg_admin, pid, "COMMIT")
        with pytest.raises(LibraryConnectionError) as failed:
            library.highlights.create(article, 0, 4)
        terminator.join()
        assert failed.value.in_doubt
        assert "may not have been saved" in str(failed.value)
        assert _rows(pg_url) == {}  # it was not, and nothing says it was
        assert library.highlights.for_article(article) == []  # a new connection reads


def test_a_connection_ended_by_the_server_is_told_and_the_library_goes_on(
        pg_url, pg_admin, tmp_path):
    article = _article(pg_url, tmp_path)
    with Library.open(pg_url) as library:
        news: list[str] = []
        back = threading.Event()
        watcher = library.watch_changes(lambda changes: None, news.append,
                                        lambda: (news.append("back"), back.set()))
        try:
            library.highlights.create(article, 0, 4)
            (pid,) = library.storage.own_pids()
            pg_admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            with pytest.raises(LibraryConnectionError, match="the change was not saved"):
                with library.storage.write():
                    library.storage.run("UPDATE highlight SET colour = 'green'")
            assert back.wait(10)  # the listener checked its own connection: it was fine
            assert news[-1] == "back" and len(news) == 2 and "terminat" in news[0]
            assert [h.colour for h in library.highlights.for_article(article)] == ["yellow"]
            library.highlights.recolour(library.highlights.for_article(article)[0].id, "blue")
            assert library.storage.own_pids() != {pid}
        finally:
            watcher.stop()
