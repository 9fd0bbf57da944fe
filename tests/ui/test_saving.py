"""Saving web pages from the window: Ctrl+L, a pasted address, a dropped link and the
bookmarklet's marginalia://save link — against pages served on 127.0.0.1 only."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from reader.commands import CONDITIONS
from reader.links import SaveLink
from reader.ui import app as app_module
from reader.ui.saving import SaveAddresses, SaveSummary, addresses_from_mime, addresses_in
from tests.unit.test_web_save import PARAGRAPHS, page, serve


def _saved(qtbot, window) -> None:
    window.saves.wait(30)
    qtbot.waitUntil(lambda: not window.saves.is_running())


def _titles(library) -> list[str]:
    return [r.title for r in library.articles.records(library.articles.ids())]


def test_ctrl_l_saves_the_page_and_opens_it(seeded_library, show_window, qtbot, httpserver,
                                            monkeypatch):
    url = serve(httpserver, "/rivers", page("Rivers of the plain", PARAGRAPHS))
    window = show_window(seeded_library)
    asked = []
    monkeypatch.setattr(SaveAddresses, "ask", classmethod(
        lambda cls, parent, initial="": asked.append(initial) or ([url], ["geography"])))
    qtbot.keyClick(window.list_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert asked == [""]
    _saved(qtbot, window)
    qtbot.waitUntil(lambda: window.reading_pane.toPlainText().startswith("Rivers of the plain"))
    article = window.current_article_id()
    record = seeded_library.articles.get(article)
    assert record.url == url and record.tags == ("geography",)
    assert "Rivers of the plain" in _titles(seeded_library)
    assert "1 added" in window.statusBar().currentMessage()


def test_an_address_on_the_clipboard_is_offered_and_pasting_saves_it(
        seeded_library, show_window, qtbot, httpserver, monkeypatch):
    url = serve(httpserver, "/tides", page("Tides", PARAGRAPHS))
    window = show_window(seeded_library)
    QApplication.clipboard().setText(f"  {url}  ")
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    _saved(qtbot, window)
    qtbot.waitUntil(lambda: "Tides" in _titles(seeded_library))
    offered = []
    monkeypatch.setattr(SaveAddresses, "ask", classmethod(
        lambda cls, parent, initial="": offered.append(initial)))
    window.cmd_web_save()
    assert offered == [url]  # Ctrl+L starts with the copied address


def test_pasting_text_that_is_no_address_fetches_nothing(seeded_library, show_window):
    window = show_window(seeded_library)
    QApplication.clipboard().setText("a note to self, not an address")
    before = seeded_library.articles.count()
    window.cmd_web_paste()
    assert not window.saves.is_running()
    assert "no web address" in window.statusBar().currentMessage()
    assert seeded_library.articles.count() == before


def test_a_link_dropped_from_a_browser_is_saved(seeded_library, show_window, qtbot, httpserver):
    url = serve(httpserver, "/dropped", page("Dropped page", PARAGRAPHS))
    window = show_window(seeded_library)
    data = QMimeData()
    data.setUrls([QUrl(url)])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    _saved(qtbot, window)
    qtbot.waitUntil(lambda: "Dropped page" in _titles(seeded_library))


def test_a_failed_page_is_named_with_its_reason_and_the_rest_are_saved(
        seeded_library, show_window, qtbot, httpserver, monkeypatch):
    good = serve(httpserver, "/good", page("Good page", PARAGRAPHS))
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    missing = httpserver.url_for("/gone")
    shown = []
    monkeypatch.setattr(SaveSummary, "show", classmethod(
        lambda cls, parent, summary, problems: shown.append((summary, list(problems)))))
    window = show_window(seeded_library)
    window.save_addresses([missing, good])
    _saved(qtbot, window)
    qtbot.waitUntil(lambda: bool(shown))
    (summary, problems), = shown
    assert "1 added" in summary and "1 could not be saved" in summary
    assert [p.lower() for p in problems] == [f"{missing}: the server answered 404 not found"]
    assert "Good page" in _titles(seeded_library)


def test_the_bookmarklet_link_saves_and_opens_the_page(seeded_library, show_window, qtbot,
                                                        httpserver):
    url = serve(httpserver, "/bookmarked", page("Bookmarked page", PARAGRAPHS))
    window = show_window(seeded_library)
    done = []
    app_module.open_target(window, str(SaveLink(url)), lambda: done.append(True))
    _saved(qtbot, window)
    qtbot.waitUntil(lambda: done == [True])
    assert seeded_library.articles.get(window.current_article_id()).title == "Bookmarked page"


def test_saving_is_disabled_in_a_read_only_library(seeded_library, show_window, monkeypatch):
    window = show_window(seeded_library)
    seeded_library.storage.read_only = "the folder is read-only"
    try:
        assert window.why_not("web.save") == CONDITIONS["writable"]
        assert not window.save_addresses(["https://127.0.0.1/x"])
        assert not window.saves.is_running()
    finally:
        seeded_library.storage.read_only = None


def test_addresses_are_found_in_pasted_text_and_drops():
    assert addresses_in("example.com/a\n\nhttps://b.example/x?utm_source=y\n") == [
        "https://example.com/a", "https://b.example/x?utm_source=y"]
    assert addresses_in("call me at noon") == []
    assert addresses_in("https://a.example/\nnot an address") == []
    data = QMimeData()
    data.setText("https://a.example/story")
    assert addresses_from_mime(data) == ["https://a.example/story"]
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile("/tmp/a.md")])
    assert addresses_from_mime(files) == []
