"""The main window on a PostgreSQL team library: it lists and shows the articles, its
highlight and tag commands write to the server (read back by a second library, as a
colleague would), every panel and command runs there (search, views, the review),
and `marginalia --db postgresql://…` starts and quits as a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import reader
from reader.library import Library
from reader.paths import seeds_dir
from reader.ui import errors, operations
import pg_writer
from pg_urls import with_database

SECOND_SEED = "Ukraine continues offensive inside Russia"
START_TIMEOUT = 60.0  # generous: a loaded machine; a healthy start takes a second or two


@pytest.fixture
def team_library(pg_url):
    """A seeded library on a new database of the test server."""
    with Library.open(pg_url) as library:
        library.seed_if_new(seeds_dir())
        yield library
        operations.drain()  # no job of the window outlives its library


@pytest.fixture
def shown(team_library, show_window):
    window = show_window(team_library)
    yield window
    window.close()


def _open(window, title: str) -> int:
    for row in range(window.model.rowCount()):
        if window.model.index(row).data() == title:
            window.open_article(window.model.article_id(row))
            return window.model.article_id(row)
    raise AssertionError(f"{title!r} is not listed")


def _select(window, needle: str) -> tuple[int, int]:
    start = window.reading_pane.shown.text.index(needle)
    window.reading_pane.select_span(start, start + len(needle))
    return start, start + len(needle)


def test_the_window_lists_and_shows_the_team_librarys_articles(shown, team_library, pg_url):
    assert shown.windowTitle() == team_library.url
    titles = sorted(shown.model.index(row).data() for row in range(shown.model.rowCount()))
    assert titles == ["Ukraine continues offensive inside Russia",
                      "Ukrainian military launches incursion of Russia"]
    article_id = _open(shown, SECOND_SEED)
    assert shown.shown_article == article_id
    text = shown.reading_pane.plain_text()
    assert text.startswith(SECOND_SEED + "\nClara Weiss · 18 August 2024\n")
    assert team_library.articles.text(article_id)[:200] in text


def test_a_highlight_made_by_command_is_saved_on_the_server(shown, team_library, pg_url):
    article_id = _open(shown, SECOND_SEED)
    start, end = _select(shown, "two bridges")
    assert shown.run_command("highlight.colour 2")
    with Library.open(pg_url) as colleague:
        (saved,) = colleague.highlights.for_article(article_id)
        assert (saved.exact, saved.colour) == ("two bridges", "green")
        assert (saved.start, saved.end) == (start, end)
    # Undone in the window, gone from the server too.
    assert shown.run_command("edit.undo")
    with Library.open(pg_url) as colleague:
        assert colleague.highlights.for_article(article_id) == []


def test_tags_typed_in_the_window_are_saved_on_the_server(shown, team_library, pg_url, qtbot):
    article_id = _open(shown, SECOND_SEED)
    _select(shown, "two bridges")
    shown.cmd_highlight_create()
    shown.cmd_highlight_tag()
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "kursk, Bridges")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    shown.cmd_article_tag()
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "offensive")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    with Library.open(pg_url) as colleague:
        (saved,) = colleague.highlights.for_article(article_id)
        assert saved.tags == ("Bridges", "kursk")
        assert colleague.articles.tag_names(article_id) == ("offensive",)
        assert colleague.articles.ids(tag="offensive") == [article_id]
    # The tag sidebar lists them.
    names = {shown.tag_sidebar.model.index(row).data(Qt.ItemDataRole.DisplayRole)
             for row in range(shown.tag_sidebar.model.rowCount())}
    assert {"Bridges", "kursk", "offensive"} <= names


def test_another_readers_highlight_appears_in_the_window_within_a_second(
        shown, team_library, pg_url, qtbot):
    """Two app processes on one library: a highlight another process commits on the open
    article is in this window's panel and text within a second, with no action here."""
    import time

    article_id = _open(shown, SECOND_SEED)
    start = team_library.articles.text(article_id).index("two bridges")
    writer = pg_writer.start(pg_url, article_id, "once")
    try:
        writer.stdin.write(f"{start} {start + len('two bridges')}\n")
        writer.stdin.flush()
        word, _start, highlight_id = writer.stdout.readline().split()
        committed = time.monotonic()  # the other process was told it is saved
        assert word == "saved"
        panel = shown.annotation_panel
        qtbot.waitUntil(lambda: panel.model.row_of(int(highlight_id)) is not None,
                        timeout=3000)
        assert time.monotonic() - committed <= 1.0
        assert [h.id for h in shown.reading_pane.highlights_at(start + 1)] == \
            [int(highlight_id)]
    finally:
        writer.stdin.close()
        writer.wait(30)
    assert writer.returncode == 0


@pytest.fixture
def refusals(monkeypatch):
    """What the window's error handler shows: plain refusals and unexpected errors."""
    seen = {"refused": [], "unexpected": []}
    monkeypatch.setattr(errors.RefusalNotice, "show_refusal", classmethod(
        lambda cls, parent, message, shown=None: seen["refused"].append(message)))
    monkeypatch.setattr(errors.ErrorDialog, "show_error", classmethod(
        lambda cls, parent, message, details: seen["unexpected"].append(message)))
    return seen


@pytest.mark.qt_no_exception_capture
def test_every_panel_and_command_runs_on_a_team_library(shown, team_library, refusals, qtbot):
    handler = errors.install_error_handler(shown)
    try:
        # The saved views are listed; the review's entry counts the highlights to review.
        assert not shown.view_sidebar.isHidden()
        entry = shown.review_entry
        qtbot.waitUntil(lambda: "Nothing to review today" in entry.toolTip())
        _open(shown, SECOND_SEED)
        _select(shown, "two bridges")
        assert shown.run_command("highlight.create")
        entry.count_now()
        qtbot.waitUntil(lambda: entry.count.text() == "1 today")
        # A search finds by stemmed words ("bridge" for "bridges"), the query language
        # filters, and neither says anything under the box.
        for typed in ("bridge", "has:highlights"):
            shown.search_box.setText(typed)
            shown.search_box.emit_now()
            qtbot.waitUntil(lambda: shown.model.rowCount() == 1)
            assert shown.model.index(0).data() == SECOND_SEED
            assert shown.query_note.isHidden()
        shown.search_box.setText("")
        shown.search_box.emit_now()
        qtbot.waitUntil(lambda: shown.model.rowCount() == 2)
        shown.actions.menu_actions["review.start"].trigger()
        assert refusals == {"refused": [], "unexpected": []}
    finally:
        handler.uninstall()


def test_the_window_remembers_the_last_article_of_a_team_library(
        team_library, show_window, window_settings, pg_url):
    first = show_window(team_library)
    article_id = _open(first, SECOND_SEED)
    first.close()
    assert window_settings.allKeys()  # the place is kept under a key for this library …
    assert not any(pg_url in key or pg_url in str(window_settings.value(key))
                   for key in window_settings.allKeys())  # … that is not its URL
    again = show_window(team_library)
    assert again.shown_article == article_id or again.current_article_id() == article_id
    again.close()


def test_the_title_never_shows_the_password(pg_server, pg_database, show_window):
    url = pg_database()
    name = url.rsplit("/", 1)[1]
    with Library.open(with_database(pg_server, name, password="s3cret-word")) as library:
        window = show_window(library)
        assert "s3cret-word" not in window.windowTitle()
        assert f"/{name}" in window.windowTitle()
        window.close()
        operations.drain()


# --- `marginalia --db postgresql://…` as a process -----------------------------------------


_CHILD = """
import json, sys
from reader.cli.main import main
from tests.window_probe import close_when_shown

seen = {}
close_when_shown(seen)
status = main(sys.argv[1:])
print(json.dumps({"title": seen.get("title"), "rows": len(seen.get("rows", ())),
                  "status": status}))
sys.exit(status)
"""


def test_marginalia_with_a_postgres_url_starts_and_quits(pg_url, tmp_path):
    env = dict(os.environ)
    source_root = str(Path(reader.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH", "")) if p)
    env.update(QT_QPA_PLATFORM="offscreen", MARGINALIA_TRACE_FILE=str(tmp_path / "trace"))
    env.pop("MARGINALIA_DB", None)
    for args, environment in ((["--db", pg_url], {}), ([], {"MARGINALIA_DB": pg_url})):
        done = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env | environment,
                              cwd=tmp_path, capture_output=True, text=True,
                              timeout=START_TIMEOUT)
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        assert seen == {"title": pg_url, "rows": 2, "status": 0}
        assert "Traceback" not in done.stderr
        events = [json.loads(line) for line in (tmp_path / "trace").read_text().splitlines()]
        assert events[-1]["event"] == "ready"
    # Nothing was made for it beside the trace: no session marker, no backups folder, no
    # library file named after the URL.
    assert os.listdir(tmp_path) == ["trace"]
    with Library.open(pg_url) as library:
        assert library.articles.count() == 2  # seeded once, by the first start
