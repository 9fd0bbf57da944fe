"""Reading state, sorting, filters, importing and highlight search in the window."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from reader.library import Library
from reader.paths import seeds_dir
from reader.ui import highlight_search, importing
from reader.ui.article_list import PROGRESS_ROLE, READ_ROLE


SIZE = (1400, 800)  # larger than the offscreen screen: fine for a widget


def test_reading_position_is_restored_and_the_end_marks_read(show_window, library_path):
    with Library.open(library_path) as library:
        library.seed_if_new(seeds_dir())
        window = show_window(library, size=SIZE)
        article_id = window.current_article_id()
        pane = window.reading_pane
        pane.verticalScrollBar().setValue(pane.verticalScrollBar().maximum() // 2)
        place = pane.offset_at_top()
        window.tracker.save()
        record = library.articles.get(article_id)
        assert record.reading_position == place and 30 <= record.progress <= 70
        row = window.model.row_of(article_id)
        assert window.model.index(row).data(PROGRESS_ROLE) == record.progress
        window.close()
    with Library.open(library_path) as library:
        window = show_window(library, size=SIZE)
        assert window.current_article_id() == article_id
        assert abs(window.reading_pane.offset_at_top() - place) < 200
        bar = window.reading_pane.verticalScrollBar()
        bar.setValue(bar.maximum())
        window.tracker.save()
        assert library.articles.get(article_id).read is True
        assert window.model.index(window.model.row_of(article_id)).data(READ_ROLE) is True


def test_sort_orders_and_unread_filter(show_window, seeded_library, write_file):
    seeded_library.import_files([write_file("a.md", "# Aardvarks\n\nJanuary 1, 1990\n\nText.")])
    window = show_window(seeded_library, size=SIZE)
    titles = lambda: [window.model.index(r).data() for r in range(window.model.rowCount())]  # noqa: E731
    window.cmd_view_sort()  # by date published, newest first
    assert titles()[-1] == "Aardvarks" and titles()[0].startswith("Ukraine continues")
    window.cmd_view_sort()  # by title
    assert titles() == sorted(titles(), key=str.casefold)
    first = window.model.article_id(0)
    seeded_library.articles.set_read(first, True)
    window.cmd_view_unread_only()
    assert window.model.rowCount() == 2 and first not in [window.model.article_id(r) for r in range(2)]
    assert "UNREAD" in window.list_header.text()
    window.cmd_view_unread_only()
    assert window.model.rowCount() == 3


def test_import_command_and_dropping_files(qtbot, show_window, seeded_library, write_file, monkeypatch):
    good = write_file("new.md", "# A Fresh Piece\n\nSomething to read.")
    bad = write_file("empty.md", "")
    shown = []
    monkeypatch.setattr(importing.ImportFiles, "ask", classmethod(lambda cls, parent: [good, bad]))
    monkeypatch.setattr(importing.ImportSummary, "show",
                        classmethod(lambda cls, parent, report: shown.append(report)))
    window = show_window(seeded_library, size=SIZE)
    window.cmd_file_import()
    qtbot.waitUntil(lambda: bool(shown))
    (report,) = shown
    assert [p.reason for p in report.problems] == ["is empty"]
    assert window.model.rowCount() == 3
    # Opened a moment later, so that the window never waits for both at once.
    qtbot.waitUntil(lambda: window.reading_pane.shown.blocks[0].text == "A Fresh Piece")
    assert "1 imported, 1 could not be imported." in window.statusBar().currentMessage()
    # Dropping a file on the window imports it too.
    dropped = write_file("dropped.txt", "Dropped In\n\nPlain text.")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: len(shown) == 2)
    qtbot.waitUntil(lambda: window.reading_pane.shown.blocks[0].text == "Dropped In")


def test_highlight_search_finds_notes_and_jumps(qtbot, show_window, seeded_library, monkeypatch):
    window = show_window(seeded_library, size=SIZE)
    other = window.model.article_id(1)
    text = seeded_library.articles.text(other)
    hid = seeded_library.highlights.create(other, 0, 10).highlight_id
    seeded_library.highlights.set_note(hid, "Remember the pontoon crossings.")
    dialog = highlight_search.HighlightSearch(seeded_library)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    qtbot.keyClicks(dialog.query, "pontoon")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert dialog.chosen is not None and dialog.chosen.highlight_id == hid
    monkeypatch.setattr(highlight_search.HighlightSearch, "ask",
                        classmethod(lambda cls, parent, library: dialog.chosen))
    window.cmd_search_highlights()
    assert window.current_article_id() == other
    assert window.reading_pane.active_highlight == hid
    assert text  # the article was real
    assert QApplication.focusWidget() is not dialog.query


def test_switching_articles_keeps_the_place_in_the_one_left(show_window, seeded_library):
    """The place in an article is saved when another is opened, not overwritten by the
    new article's (it used to be saved again once the new article was showing: 0)."""
    window = show_window(seeded_library, size=SIZE)
    first, second = seeded_library.articles.ids()
    window.open_article(first)
    bar = window.reading_pane.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    place = window.reading_pane.offset_at_top()
    assert place > 0
    window.open_article(second)
    assert seeded_library.articles.get(first).reading_position == place
    window.open_article(first)
    assert abs(window.reading_pane.offset_at_top() - place) < 200


def test_closing_the_window_stops_a_long_import_between_files(
        qtbot, show_window, seeded_library, monkeypatch, tmp_path):
    import threading

    from reader.ui.operations import Cancelled

    started, stopped = threading.Event(), threading.Event()
    imported = []

    def slow_import(paths, progress=None):
        try:
            for done, path in enumerate(paths, start=1):
                progress(done, len(paths))
                started.set()
                threading.Event().wait(0.01)
                imported.append(path)
        except Cancelled:
            stopped.set()
            raise
        raise AssertionError("the import was not stopped")

    monkeypatch.setattr(seeded_library, "import_files", slow_import)
    window = show_window(seeded_library, size=SIZE)
    assert window.import_paths([tmp_path / f"{i}.md" for i in range(500)])
    assert started.wait(5)
    window.close()
    assert stopped.wait(5)
    assert len(imported) < 500
    assert not window.imports.is_running()


def test_the_search_box_says_what_a_query_left_out(seeded_library, show_window, qtbot):
    window = show_window(seeded_library)
    window.search_box.setText("author:weiss published:2024-13")
    window.search_box.emit_now()
    assert window.query_note.isVisible()
    assert "not a date" in window.query_note.text()
    assert window.model.rowCount() == 2  # the rest of the query ran
    window.search_box.setText("author:weiss published:2024-08-07")
    window.search_box.emit_now()
    assert not window.query_note.isVisible() and window.model.rowCount() == 1
