"""Live updates on a team library: what another reader commits (in another process, or on
another connection) reaches this process's `Library.watch_changes` and the window's
change bus within a second, and this process's own changes are never announced back."""

from __future__ import annotations

import queue
import time
from pathlib import Path

import pytest

from reader.library import Library, LibraryError
from reader.records import Changes
import pg_writer

TEXT = "# Rivers\n\nRivers carry salt to the sea, and trade follows the rivers.\n"
SECOND = 1.0  # the issue's promise: others' windows update within a second


@pytest.fixture
def pg_library(pg_url):
    with Library.open(pg_url) as library:
        yield library


def _articles(library: Library, tmp_path: Path, count: int) -> list[int]:
    paths = []
    for number in range(count):
        path = tmp_path / f"rivers{number}.md"
        path.write_text(TEXT.replace("Rivers", f"Rivers {number}", 1), encoding="utf-8")
        paths.append(path)
    return list(library.import_files(paths).added)


def _next(heard: queue.Queue, deadline: float) -> Changes:
    """The next Changes heard, waiting no later than `deadline` (time.monotonic())."""
    try:
        return heard.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise AssertionError("no change was heard in time") from None


def test_a_highlight_made_in_another_process_is_heard_within_a_second(
        pg_url, pg_library, tmp_path):
    mine, theirs = _articles(pg_library, tmp_path, 2)
    heard: queue.Queue = queue.Queue()
    watcher = pg_library.watch_changes(heard.put)
    writer = pg_writer.start(pg_url, theirs, "once")
    try:
        # This process's own highlight first: announced on the channel like any other
        # change, it must be left out, and the other's (committed after it) must come.
        pg_library.highlights.create(mine, 0, 6)
        start = pg_library.articles.text(theirs).index("carry")
        writer.stdin.write(f"{start} {start + 5}\n")
        writer.stdin.flush()
        word, _start, highlight_id = writer.stdout.readline().split()
        deadline = time.monotonic() + SECOND  # from the moment its commit was confirmed
        assert word == "saved"
        while True:
            changes = _next(heard, deadline)
            assert mine not in changes.highlights | changes.articles
            if theirs in changes.highlights:
                break
        (seen,) = pg_library.highlights.for_article(theirs)
        assert (seen.id, seen.exact) == (int(highlight_id), "carry")
    finally:
        writer.stdin.close()
        writer.wait(30)
        watcher.stop()
    assert writer.returncode == 0


def test_each_kind_of_change_names_what_to_refresh(pg_url, pg_library, tmp_path):
    heard: queue.Queue = queue.Queue()
    watcher = pg_library.watch_changes(heard.put)
    try:
        with Library.open(pg_url) as other:  # another connection: another reader
            (article,) = _articles(other, tmp_path, 1)
            deadline = time.monotonic() + SECOND
            changes = _next(heard, deadline)
            assert changes.article_list and article in changes.articles

            other.articles.set_tags(article, ["Trade"])
            changes = _next(heard, time.monotonic() + SECOND)
            assert changes.tags and article in changes.articles

            other.colours.rename("yellow", "Salt")
            assert _next(heard, time.monotonic() + SECOND).colours
    finally:
        watcher.stop()


def test_a_burst_of_changes_is_heard_as_one(pg_url, pg_library, tmp_path):
    heard: queue.Queue = queue.Queue()
    watcher = pg_library.watch_changes(heard.put)
    try:
        with Library.open(pg_url) as other:
            articles = _articles(other, tmp_path, 5)
            changes = _next(heard, time.monotonic() + SECOND)
            while set(articles) - changes.articles:
                changes |= _next(heard, time.monotonic() + SECOND)
    finally:
        watcher.stop()
    assert changes.articles == frozenset(articles)


def test_closing_the_library_stops_its_watchers(pg_url):
    library = Library.open(pg_url)
    watcher = library.watch_changes(lambda changes: None)
    assert watcher.running and watcher.lost is None
    library.close()
    assert not watcher.running


def test_watching_is_for_a_team_library(library):
    with pytest.raises(LibraryError, match="data_version"):
        library.watch_changes(lambda changes: None)


# --- the window's side: LibraryWatch feeds the change bus --------------------------------


def test_the_window_hears_another_readers_commit_once_and_not_its_own(
        pg_url, pg_library, tmp_path, qtbot):
    from PySide6.QtWidgets import QWidget

    from reader.ui.change_bus import ChangeBus
    from reader.ui.library_watch import LibraryWatch

    mine, theirs = _articles(pg_library, tmp_path, 2)
    window = QWidget()
    qtbot.addWidget(window)
    bus = ChangeBus()
    watch = LibraryWatch(pg_library, bus, window)
    announced: list[tuple[Changes, object]] = []
    bus.library_changed.connect(lambda changes, who: announced.append((changes, who)))
    try:
        assert watch.listening and not watch.banner.isVisible() and watch.writable()
        pg_library.highlights.create(mine, 0, 6)
        with Library.open(pg_url) as other:
            with qtbot.waitSignal(bus.library_changed, timeout=int(SECOND * 1000)):
                other.highlights.create(theirs, 7, 12)
        qtbot.wait(300)  # room for a second, wrong announcement
        assert [(changes.highlights, who) for changes, who in announced] == \
            [(frozenset({theirs}), watch)]
    finally:
        watch.stop()


def test_closing_the_window_stops_listening(pg_library, qtbot):
    from PySide6.QtWidgets import QWidget

    from reader.ui.change_bus import ChangeBus
    from reader.ui.library_watch import LibraryWatch

    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    watch = LibraryWatch(pg_library, ChangeBus(), window)
    assert watch.listening
    window.close()
    qtbot.waitUntil(lambda: not watch.listening)
