"""The main window on a seeded library."""

from __future__ import annotations


from reader.library import Library
from reader.paths import seeds_dir
from reader.records import Changes
from reader.ui.article_list import ID_ROLE


def test_window_lists_the_seeds_and_shows_the_first(show_window, seeded_library):
    window = show_window(seeded_library)
    assert "Marginalia" in window.windowTitle()
    titles = {window.model.index(r).data() for r in range(window.model.rowCount())}
    assert titles == {"Ukrainian military launches incursion of Russia",
                      "Ukraine continues offensive inside Russia"}
    shown = window.current_article_id()
    assert shown is not None
    assert window.reading_pane.plain_text() == seeded_library.articles.text(shown)
    assert "2 ARTICLES" in window.list_header.text()


def test_choosing_another_article_shows_it(show_window, seeded_library):
    window = show_window(seeded_library)
    other = window.model.index(1).data(ID_ROLE)
    window.list_view.setCurrentIndex(window.model.index(1))
    assert window.current_article_id() == other
    assert window.reading_pane.plain_text() == seeded_library.articles.text(other)


def test_geometry_splitter_and_last_article_are_restored(show_window, library_path):
    with Library.open(library_path) as library:
        library.seed_if_new(seeds_dir())
        window = show_window(library)
        window.resize(780, 580)
        window.splitter.setSizes([250, 470])
        second = window.model.index(1).data(ID_ROLE)
        window.open_article(second)
        sizes = window.splitter.sizes()
        window.close()
    with Library.open(library_path) as library:
        again = show_window(library)
        assert again.current_article_id() == second
        assert (again.width(), again.height()) == (780, 580)
        assert again.splitter.sizes() == sizes
        assert again.reading_pane.plain_text() == library.articles.text(second)


def test_empty_library_shows_a_hint(show_window, library):
    window = show_window(library)
    assert window.current_article_id() is None
    assert "Choose an article" in window.reading_pane.plain_text()
    assert "0 ARTICLES" in window.list_header.text()


def test_a_long_library_opens_on_its_first_rows_and_the_last_article(
        qtbot, show_window, library, monkeypatch, window_settings):
    """The window shows the first rows of a long list at once and the rest when read; the
    last article read is opened even when it is not among the first rows."""
    from reader.importing.sources import parse_article
    from reader.ui import article_list

    monkeypatch.setattr(article_list, "FIRST_ROWS", 5)
    ids = library.articles.add_many(
        parse_article(f"# Piece {n}\n\nText {n}.", "markdown", f"{n}.md") for n in range(12))
    from reader.ui.main_window import MainWindow

    window = MainWindow(library, window_settings)
    qtbot.addWidget(window)
    assert window.list_header.text() == "5+ ARTICLES"
    assert window.current_article_id() == ids[-1]  # the newest, first in the list
    with qtbot.waitSignal(window.model.completed, timeout=5000):
        pass
    assert window.list_header.text() == "12 ARTICLES"
    window.open_article(ids[0])  # the oldest, last in the list
    window.close()
    again = MainWindow(library, window_settings)
    qtbot.addWidget(again)
    # Shown at once; its row, not among the first ones, is selected when it is read.
    assert again.current_article_id() == ids[0]
    assert again.reading_pane.plain_text() == library.articles.text(ids[0])
    with qtbot.waitSignal(again.model.completed, timeout=5000):
        pass
    assert again.list_view.currentIndex().row() == 11


def test_opening_an_article_reads_its_highlights_once(show_window, seeded_library, monkeypatch):
    """The text and the annotation panel show the same highlights, read once (at 1,000
    highlights each read is 20 ms of opening the article)."""
    first, second = seeded_library.articles.ids()
    seeded_library.highlights.create(second, 0, 8)
    window = show_window(seeded_library)
    window.open_article(first)
    calls = []
    original = seeded_library.highlights.for_articles
    monkeypatch.setattr(seeded_library.highlights, "for_articles",
                        lambda ids: calls.append(list(ids)) or original(ids))
    window.open_article(second)
    assert calls == [[second]]
    assert window.annotation_panel.model.rowCount() == 1
    assert [h.start for h in window.reading_pane._highlights] == [0]


def _long_library(library, monkeypatch, count=12):
    from reader.importing.sources import parse_article
    from reader.ui import article_list

    monkeypatch.setattr(article_list, "FIRST_ROWS", 5)
    return library.articles.add_many(
        parse_article(f"# Piece {n}\n\nText {n}.", "markdown", f"{n}.md") for n in range(count))


def test_a_refresh_stays_on_an_article_beyond_the_first_rows_without_waiting(
        qtbot, show_window, library, monkeypatch, write_file):
    """After an import the list is read again; the open article, far down a long list,
    stays shown (and acted on) while the rows are read in the background, and is
    selected again when they arrive. Reading the whole list on the UI thread instead
    stalled the window for 150 ms at 100,000 articles."""
    import threading

    ids = _long_library(library, monkeypatch)
    window = show_window(library)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    oldest = ids[0]
    window.open_article(oldest)
    assert window.list_view.currentIndex().row() == 11
    reads = []
    original = window.model._read_all
    monkeypatch.setattr(window.model, "_read_all", lambda filters: (
        reads.append(threading.current_thread() is threading.main_thread()) or original(filters)))
    library.import_files([write_file("new.md", "# New\n\nFresh text.")])
    window.announce(Changes(article_list=True, tags=True))  # as after an import
    assert window.model.loading and not window.list_view.currentIndex().isValid()
    assert window.current_article_id() == oldest  # what commands act on meanwhile
    assert window.reading_pane.plain_text() == library.articles.text(oldest)
    with qtbot.waitSignal(window.model.completed, timeout=5000):
        pass
    assert reads == [False]  # read once, in a worker
    assert window.list_view.currentIndex().row() == 12  # below the new article
    assert window.current_article_id() == oldest


def test_an_article_that_left_the_list_meanwhile_gives_way_to_its_neighbour(
        qtbot, show_window, library, monkeypatch):
    ids = _long_library(library, monkeypatch)
    window = show_window(library)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    window.open_article(ids[1])  # row 10
    window.announce(library.articles.set_archived(ids[1], True))
    assert window.current_article_id() == ids[1]  # shown until the list is known
    with qtbot.waitSignal(window.model.completed, timeout=5000):
        pass
    assert window.list_view.currentIndex().row() == 10
    assert window.current_article_id() == ids[0]  # the article now at its row


def test_a_new_highlight_is_read_once_for_the_text_and_the_panel(
        show_window, seeded_library, monkeypatch):
    window = show_window(seeded_library)
    article = window.current_article_id()
    calls = []
    original = seeded_library.highlights.for_articles
    monkeypatch.setattr(seeded_library.highlights, "for_articles",
                        lambda ids: calls.append(list(ids)) or original(ids))
    window.announce(seeded_library.highlights.create(article, 0, 8))
    assert calls == [[article]]
    assert window.annotation_panel.model.rowCount() == 1
    assert window.annotation_panel.current_highlight_id() == window._highlights[0].id


def test_at_start_up_the_article_opens_after_the_list_has_painted(qtbot, seeded_library,
                                                                  window_settings):
    from reader.ui.main_window import MainWindow

    first = seeded_library.articles.ids()[0]
    window = MainWindow(seeded_library, window_settings, article_after_paint=True)
    qtbot.addWidget(window)
    # Its row is chosen at once; its text waits for the first paint.
    assert window.current_article_id() == first and window._first_paint.pending
    assert seeded_library.articles.text(first)[:20] not in window.reading_pane.plain_text()
    window.show()
    qtbot.waitUntil(lambda: window.shown_article == first, timeout=5000)
    assert not window._first_paint.pending
    assert window.reading_pane.plain_text() == seeded_library.articles.text(first)
    assert window.annotation_panel.isEnabled()


def test_an_article_chosen_before_the_first_paint_is_not_replaced(qtbot, seeded_library,
                                                                  window_settings):
    """A link the app was started with (or a key pressed early) opens its article; the
    last one read does not take its place when the list paints."""
    from reader.ui.main_window import MainWindow

    first, second = seeded_library.articles.ids()
    window = MainWindow(seeded_library, window_settings, article_after_paint=True)
    qtbot.addWidget(window)
    window.open_article(second)
    window.show()
    qtbot.waitUntil(lambda: window.shown_article is not None, timeout=5000)
    qtbot.wait(50)
    assert window.current_article_id() == second == window.shown_article
    assert window.reading_pane.plain_text() == seeded_library.articles.text(second)


def test_a_choice_made_while_the_parser_loads_wins(qtbot, seeded_library, window_settings):
    """After the first paint the parser loads in one turn and the article shows in the
    next: an article chosen in between is not replaced by the one that waited."""
    from reader.ui.main_window import MainWindow

    first, second = seeded_library.articles.ids()
    window = MainWindow(seeded_library, window_settings, article_after_paint=True)
    qtbot.addWidget(window)
    window._first_paint.run_now()  # the paint came; the article waits for the next turn
    window.open_article(second)
    qtbot.wait(50)
    assert window.shown_article == second
    assert window.reading_pane.plain_text() == seeded_library.articles.text(second)


def test_show_now_shows_the_waiting_article_at_once(qtbot, seeded_library, window_settings):
    from reader.ui.main_window import MainWindow

    first = seeded_library.articles.ids()[0]
    window = MainWindow(seeded_library, window_settings, article_after_paint=True)
    qtbot.addWidget(window)
    window.show_now()
    assert window.shown_article == first
