"""Feeds in the window: the sidebar's Feeds section, subscribing, the background refresh,
unsubscribing and OPML — against feeds served on 127.0.0.1 only."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reader.commands import CONDITIONS
from reader.ui.feed_sidebar import ERROR_ROLE, FAILING_MARK, FEED_ROLE, FeedDelegate
from reader.ui.feed_window import (
    CHECK_MS,
    ConfirmUnsubscribe,
    FeedAddress,
    FeedProblem,
    OpmlFile,
)
from reader.ui.tag_sidebar import COUNT_ROLE
from tests.unit.test_feeds import (
    ConditionalFeed,
    html_paragraphs,
    long_text,
    rss2,
    rss2_item,
)


def entry(n: int, httpserver) -> str:
    return rss2_item(f"tag:rivers,2024:{n}", f"River story {n}",
                     httpserver.url_for(f"/blog/{n}"), html_paragraphs(long_text(f"Story {n}")))


def serve_feed(httpserver, entries: list[int]) -> tuple[ConditionalFeed, str]:
    feed = ConditionalFeed(rss2([entry(n, httpserver) for n in entries]))
    httpserver.expect_request("/feed.xml").respond_with_handler(feed)
    return feed, httpserver.url_for("/feed.xml")


def settle(qtbot, window) -> None:
    """Wait for the window's feed work, then for the sidebar to show what it changed."""
    window.feeds.wait(30)
    qtbot.waitUntil(lambda: not window.feeds.is_busy(), timeout=30000)
    sidebar_read(qtbot, window)


def sidebar_read(qtbot, window) -> None:
    window.feed_sidebar.wait(10)
    qtbot.waitUntil(lambda: not window.feed_sidebar.model.loading)


def listed_titles(window) -> list[str]:
    model = window.model
    return [model.index(row).data() for row in range(model.rowCount())]


def feed_row(window, row: int = 0):
    return window.feed_sidebar.model.index(row)


def subscribe(qtbot, window, monkeypatch, url: str) -> None:
    monkeypatch.setattr(FeedAddress, "ask", classmethod(lambda cls, parent, initial="": url))
    window.cmd_feeds_subscribe()
    settle(qtbot, window)


def test_no_feeds_no_feeds_section(seeded_library, show_window, qtbot):
    window = show_window(seeded_library)
    sidebar_read(qtbot, window)
    window.cmd_feeds_refresh()
    assert not window.feeds.is_refreshing()
    assert "You follow no feeds yet" in window.statusBar().currentMessage()
    assert not window.feed_sidebar.isVisible()
    assert "feeds.subscribe" in window.actions.menu_actions
    assert window.why_not("feeds.remove") == CONDITIONS["feed"]


def test_subscribing_lists_the_feed_with_its_unread_articles_and_shows_them(
        seeded_library, show_window, qtbot, httpserver, monkeypatch):
    _feed, url = serve_feed(httpserver, [1, 2])
    window = show_window(seeded_library)
    subscribe(qtbot, window, monkeypatch, url)

    sidebar = window.feed_sidebar
    assert sidebar.isVisible() and sidebar.model.rowCount() == 1
    row = feed_row(window)
    assert row.data() == "River Notes" and row.data(COUNT_ROLE) == 2
    assert not row.data(ERROR_ROLE)
    # The new feed is chosen: the list shows its articles only, newest first.
    assert sidebar.current_feed() == row.data(FEED_ROLE)
    assert listed_titles(window) == ["River story 1", "River story 2"]
    assert "River Notes" in window.list_header.text()
    assert "Subscribed to River Notes: 2 new articles." in window.statusBar().currentMessage()
    assert window.why_not("feeds.remove") is None

    # "All articles" lists every article again, and no feed stays chosen.
    window.tag_sidebar.tree.setCurrentIndex(window.tag_sidebar.model.index_of(None))
    assert len(listed_titles(window)) == 4
    assert sidebar.current_feed() is None and window.model.feed is None
    # Choosing the feed filters the list again, and leaves no tag chosen.
    sidebar.list.setCurrentIndex(feed_row(window))
    assert listed_titles(window) == ["River story 1", "River story 2"]
    assert window.tag_sidebar.tree.currentIndex().isValid() is False
    assert window.model.tag is None


def test_marking_an_article_read_lowers_the_feeds_count(
        seeded_library, show_window, qtbot, httpserver, monkeypatch):
    _feed, url = serve_feed(httpserver, [1, 2])
    window = show_window(seeded_library)
    subscribe(qtbot, window, monkeypatch, url)
    window.open_article(window.model.article_id(0))
    window.cmd_article_toggle_read()
    sidebar_read(qtbot, window)
    assert feed_row(window).data(COUNT_ROLE) == 1
    window.cmd_article_toggle_read()
    sidebar_read(qtbot, window)
    assert feed_row(window).data(COUNT_ROLE) == 2


def test_a_failing_subscription_is_said_in_one_plain_line(
        seeded_library, show_window, qtbot, httpserver, monkeypatch):
    httpserver.expect_request("/page").respond_with_data(
        "<html><head><title>No feed</title></head><body><p>Nothing</p></body></html>",
        content_type="text/html")
    shown = []
    monkeypatch.setattr(FeedProblem, "show", classmethod(
        lambda cls, parent, title, text, details=None: shown.append(text)))
    window = show_window(seeded_library)
    subscribe(qtbot, window, monkeypatch, httpserver.url_for("/page"))
    qtbot.waitUntil(lambda: bool(shown))
    [line] = shown
    assert line.startswith("Could not subscribe: ") and "no feed found" in line
    assert "\n" not in line
    assert window.feed_sidebar.model.rowCount() == 0


def test_the_background_refresh_brings_new_entries(
        seeded_library, show_window, qtbot, httpserver, monkeypatch):
    feed, url = serve_feed(httpserver, [1])
    window = show_window(seeded_library)
    # The window looks for due feeds a few seconds after it is shown, then every minute.
    assert window.feeds.start_timer.isActive() and window.feeds.check_timer.interval() == CHECK_MS
    subscribe(qtbot, window, monkeypatch, url)
    assert feed_row(window).data(COUNT_ROLE) == 1
    assert not window.feeds.refresh_due()  # checked just now: not due for an hour

    feed.update(rss2([entry(n, httpserver) for n in (1, 2)]))
    m = seeded_library.storage.models
    with seeded_library.storage.write():  # an hour has passed
        m.Feed.update(next_check_at="2000-01-01T00:00:00+00:00").execute()
    window.feeds.check_timer.timeout.emit()  # what the timer calls
    assert window.feeds.is_refreshing()
    settle(qtbot, window)
    assert window.statusBar().currentMessage() == "1 new article from feeds"
    assert feed_row(window).data(COUNT_ROLE) == 2
    assert listed_titles(window) == ["River story 2", "River story 1"]
    next_check = seeded_library.feeds.list()[0].next_check_at
    assert next_check > "2000-01-02"


def test_no_refresh_starts_once_the_window_is_closed(seeded_library, show_window):
    window = show_window(seeded_library)
    assert window.feeds.check_timer.isActive()
    window.close()
    assert not window.feeds.check_timer.isActive() and not window.feeds.start_timer.isActive()


def test_the_refresh_interval_is_a_setting(seeded_library, show_window, tmp_path):
    from reader.settings import Settings

    path = tmp_path / "settings.toml"
    path.write_text("feed_interval_minutes = 15\n", encoding="utf-8")
    window = show_window(seeded_library, Settings.load(path))
    assert window.feeds.interval_minutes() == 15


def test_refreshing_by_hand_and_offline_feeds_get_a_mark_not_a_dialog(
        seeded_library, show_window, qtbot, httpserver, monkeypatch):
    feed, url = serve_feed(httpserver, [1])
    window = show_window(seeded_library)
    subscribe(qtbot, window, monkeypatch, url)
    shown = []
    monkeypatch.setattr(FeedProblem, "show", classmethod(
        lambda cls, *args, **kwargs: shown.append(args)))
    httpserver.clear()  # the feed's server now answers 500 to everything
    qtbot.keyClick(window.list_view, Qt.Key.Key_F5)
    assert window.feeds.is_refreshing()
    settle(qtbot, window)
    assert "1 feeds could not be read" in window.statusBar().currentMessage()
    row = feed_row(window)
    assert row.data(ERROR_ROLE)
    assert row.data(ERROR_ROLE) in row.data(Qt.ItemDataRole.ToolTipRole)
    assert FeedDelegate()._count_text(row) == f"{FAILING_MARK} 1"
    assert shown == []


def test_unsubscribing_keeps_the_articles(
        seeded_library, show_window, qtbot, httpserver, monkeypatch):
    _feed, url = serve_feed(httpserver, [1, 2])
    window = show_window(seeded_library)
    subscribe(qtbot, window, monkeypatch, url)
    asked = []
    monkeypatch.setattr(ConfirmUnsubscribe, "ask", classmethod(
        lambda cls, parent, name, articles: asked.append((name, articles)) or True))
    menu = window.feeds.context_menu()
    assert all(action.isEnabled() for action in menu.actions())
    menu.actions()[1].trigger()  # Unsubscribe from feed…
    settle(qtbot, window)
    assert asked == [("River Notes", 2)]
    menu = window.feeds.context_menu()  # the feed list's right-click menu
    assert [a.data() for a in menu.actions()] == list(window.feeds.CONTEXT_COMMANDS)
    assert not menu.actions()[1].isEnabled()  # no feed is chosen now
    assert seeded_library.feeds.list() == []
    assert not window.feed_sidebar.isVisible()
    assert seeded_library.articles.count() == 4
    assert window.model.feed is None and len(listed_titles(window)) == 4
    assert "Unsubscribed from River Notes" in window.statusBar().currentMessage()


def test_feed_commands_that_write_are_disabled_in_a_read_only_library(
        seeded_library, show_window, qtbot):
    seeded_library.feeds.add("http://127.0.0.1:9/feed.xml", "Old feed")
    window = show_window(seeded_library)
    window.feed_sidebar.select_feed(seeded_library.feeds.list()[0].id)
    sidebar_read(qtbot, window)
    assert window.feed_sidebar.current_feed() is not None
    seeded_library.storage.read_only = "the folder is read-only"
    try:
        for command in ("feeds.subscribe", "feeds.refresh", "feeds.remove",
                        "feeds.import-opml"):
            assert window.why_not(command) == CONDITIONS["writable"], command
        assert window.why_not("feeds.export-opml") is None
        assert not window.feeds.refresh_due()  # the due feed is left alone
        assert not window.feeds.subscribe("http://127.0.0.1:9/other.xml")
        assert not window.feeds.refresh_all()  # F5 runs its handler: it checks too
        assert not window.feeds.remove(seeded_library.feeds.list()[0].id)
        assert window.statusBar().currentMessage() == CONDITIONS["writable"]
        assert not window.feeds.is_busy()
    finally:
        seeded_library.storage.read_only = None


def test_opml_export_and_import_through_the_window(
        seeded_library, show_window, qtbot, httpserver, monkeypatch, tmp_path):
    _feed, url = serve_feed(httpserver, [1])
    gone = httpserver.url_for("/gone.xml")  # answers 500: imported, then marked failing
    seeded_library.feeds.add(url, "River Notes")
    seeded_library.feeds.add(gone, "Gone feed")
    window = show_window(seeded_library)
    sidebar_read(qtbot, window)
    assert window.feed_sidebar.isVisible() and window.feed_sidebar.model.rowCount() == 2
    target = tmp_path / "out" / "feeds.opml"
    target.parent.mkdir()
    monkeypatch.setattr(OpmlFile, "ask_save", classmethod(lambda cls, parent: target))
    window.cmd_feeds_export_opml()
    settle(qtbot, window)
    exported = target.read_text(encoding="utf-8")
    assert url in exported and gone in exported
    assert "Exported 2 feeds" in window.statusBar().currentMessage()

    for feed in seeded_library.feeds.list():
        seeded_library.feeds.remove(feed.id)
    window.feed_sidebar.reload()
    sidebar_read(qtbot, window)
    assert window.feed_sidebar.model.rowCount() == 0
    monkeypatch.setattr(OpmlFile, "ask_open", classmethod(lambda cls, parent: target))
    window.cmd_feeds_import_opml()
    settle(qtbot, window)  # the import, then the refresh of the new feeds it started
    qtbot.waitUntil(lambda: window.feed_sidebar.model.rowCount() == 2)
    settle(qtbot, window)
    by_name = {feed.name: feed for feed in seeded_library.feeds.list()}
    assert set(by_name) == {"River Notes", "Gone feed"}
    assert by_name["River Notes"].unread == 1 and not by_name["River Notes"].error
    assert by_name["Gone feed"].error
    rows = {feed_row(window, n).data(): feed_row(window, n) for n in range(2)}
    assert rows["Gone feed"].data(ERROR_ROLE) and not rows["River Notes"].data(ERROR_ROLE)


def test_a_failing_feeds_tooltip_is_plain_text(seeded_library, show_window, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    feed_id = seeded_library.feeds.add("http://127.0.0.1:9/feed.xml", "<b>Bold</b> feed")
    m = seeded_library.storage.models
    with seeded_library.storage.write():
        m.Feed.update(error="the server answered <i>500</i>", failures=1).where(
            m.Feed.id == feed_id).execute()
    window = show_window(seeded_library)
    sidebar_read(qtbot, window)
    view = window.feed_sidebar.list
    row = feed_row(window)
    assert row.data() == "<b>Bold</b> feed"
    window.feed_sidebar.select_feed(feed_id)
    assert window.list_header.text().endswith(" · <b>Bold</b> feed")
    assert window.list_header.textFormat() == Qt.TextFormat.PlainText
    text = row.data(Qt.ItemDataRole.ToolTipRole)
    assert "The last check failed: the server answered <i>500</i>" in text
    point = view.visualRect(row).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point)))
    shown = QToolTip.text()
    assert "&lt;i&gt;500&lt;/i&gt;" in shown and "<i>" not in shown
    QToolTip.hideText()


def test_the_subscribe_dialog_wants_an_address(qtbot):
    dialog = FeedAddress(None, "")
    qtbot.addWidget(dialog)
    dialog._accept_if_given()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "Give the address" in dialog.problem.text()
    dialog.address.setText("  https://127.0.0.1/blog  ")
    dialog._accept_if_given()
    assert dialog.result() == dialog.DialogCode.Accepted
