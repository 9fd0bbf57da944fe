"""The sidebar's Feeds section: each feed the library follows, with its unread articles
counted and a mark on a feed whose last check failed; choosing one filters the list."""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QListView

from reader.library import Library, LibraryError
from reader.records import Changes, FeedRecord
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import QueryOp, report_error
from reader.ui.sidebar_list import SidebarList
from reader.ui.tag_sidebar import COUNT_ROLE, TagCountDelegate

FEED_ROLE = Qt.ItemDataRole.UserRole + 1  # the feed's id
ERROR_ROLE = Qt.ItemDataRole.UserRole + 3  # why its last check failed; "" when it did not
FAILING_MARK = "⚠"
MAX_ROWS_SHOWN = 8  # more feeds scroll
_log = logging.getLogger(__name__)


def unread_phrase(count: int) -> str:
    return f"{count} unread article{'' if count == 1 else 's'}"


class FeedListModel(QAbstractListModel):
    """One row per feed, by name, with its unread articles counted.

    The feeds are read in a worker (`library.feeds.list()`): one query, but counting a
    feed's unread articles reads each of its articles' rows, tens of milliseconds at
    tens of thousands of articles on a cold disk. `loaded` says they arrived; until the
    first time, the model is empty.
    """

    loaded = Signal()

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self._library = library
        self._feeds: list[FeedRecord] = []
        self._op: QueryOp | None = None
        self.reload()

    @property
    def loading(self) -> bool:
        return self._op is not None and self._op.running

    def reload(self) -> None:
        """Read the feeds again, in a worker (a read already running is dropped)."""
        if self._op is not None:
            self._op.cancel()
        library = self._library  # `feeds` is looked up in the job: its refusal is a failure
        self._op = QueryOp(self, library, lambda: library.feeds.list()).success(
            self._apply).failure(self._failed).run()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the feeds read are shown (for tests)."""
        if self._op is not None:
            self._op.wait(timeout)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, LibraryError):  # damaged or gone: the window's banner says so
            _log.warning("The feeds could not be listed: %s", error)
        else:
            report_error(error)
        self.loaded.emit()

    def _apply(self, feeds: list[FeedRecord]) -> None:
        """When the same feeds are listed in the same order only their rows change (the
        selection stays); otherwise the model is reset."""
        if [f.id for f in feeds] == [f.id for f in self._feeds]:
            self._feeds = feeds
            if feeds:
                self.dataChanged.emit(self.index(0), self.index(len(feeds) - 1))
        else:
            self.beginResetModel()
            self._feeds = feeds
            self.endResetModel()
        self.loaded.emit()

    def feeds(self) -> list[FeedRecord]:
        return list(self._feeds)

    def record(self, feed_id: int | None) -> FeedRecord | None:
        return next((f for f in self._feeds if f.id == feed_id), None)

    def row_of(self, feed_id: int | None) -> int | None:
        return next((row for row, f in enumerate(self._feeds) if f.id == feed_id), None)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._feeds)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._feeds):
            return None
        feed = self._feeds[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return feed.name
        if role == FEED_ROLE:
            return feed.id
        if role == COUNT_ROLE:
            return feed.unread
        if role == ERROR_ROLE:
            return feed.error
        if role == Qt.ItemDataRole.ToolTipRole:
            # Shown as plain text by the view (see FeedListView.viewportEvent): names and
            # errors come from other people's servers.
            lines = [feed.name, feed.url, unread_phrase(feed.unread)]
            if feed.error:
                lines.append(f"The last check failed: {feed.error}")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            failing = ", its last check failed" if feed.error else ""
            return f"{feed.name}, {unread_phrase(feed.unread)}{failing}"
        return None


class FeedDelegate(TagCountDelegate):
    """The tag tree's look: the name, the unread count right-aligned and muted; a failing
    feed has a muted mark before its count."""

    def _count_text(self, index: QModelIndex) -> str:
        count = super()._count_text(index)
        if index.data(ERROR_ROLE):
            return f"{FAILING_MARK} {count}" if count else FAILING_MARK
        return count


class FeedListView(QListView):
    """The feeds; tooltips are shown as plain text (Qt would read a name or an error
    that looks like markup as rich text)."""

    def viewportEvent(self, event) -> bool:  # noqa: N802 (Qt name)
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.ToolTip:
            from html import escape

            from PySide6.QtWidgets import QToolTip

            index = self.indexAt(event.pos())
            text = index.data(Qt.ItemDataRole.ToolTipRole) if index.isValid() else None
            if text:
                # Escaped, then marked up on purpose: Qt shows exactly the characters.
                QToolTip.showText(event.globalPos(), "<p style='white-space:pre'>"
                                  + escape(text) + "</p>", self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)


class FeedSidebar(SidebarList):
    """A "FEEDS" header over the feeds, hidden while the library follows none. Choosing a
    feed emits `feed_chosen` with its id; `feed_chosen(None)` when the chosen feed went
    (unsubscribed), so that the list shows every article again."""

    max_rows = MAX_ROWS_SHOWN

    feed_chosen = Signal(object)

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.model = FeedListModel(library, self)
        self._current: int | None = None
        self._wanted: int | None = None  # to choose once the feeds read now arrive
        self._notify = True

        feeds = FeedListView()
        feeds.setObjectName("feedList")
        self._build("FEEDS", "Feeds", feeds, self.model, FeedDelegate(feeds))
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.model.loaded.connect(self._loaded)
        self._fit()

    def listen(self, bus: ChangeBus) -> None:
        """Follow the library's changes: feeds came or went, articles arrived, were read
        or archived (the unread counts)."""
        bus.library_changed.connect(self._library_changed)

    def _library_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.feeds or changes.article_list or changes.articles:
            self.reload()

    def current_feed(self) -> int | None:
        """The chosen feed's id; None while none is (the tags filter the list)."""
        return self._current

    def current_record(self) -> FeedRecord | None:
        return self.model.record(self._current)

    def feed_name(self, feed_id: int | None) -> str:
        record = self.model.record(feed_id)
        return record.name if record is not None else ""

    def select_feed(self, feed_id: int, notify: bool = True) -> bool:
        """Choose this feed, emitting `feed_chosen` if that changes the choice (unless not
        `notify`). While the feeds are being read, a feed not listed yet is chosen when
        they arrive; otherwise False, changing nothing, for a feed not listed."""
        row = self.model.row_of(feed_id)
        if row is None:
            if not self.model.loading:
                return False
            self._wanted = feed_id
            return True
        self._wanted = None
        self._notify = notify
        try:
            index = self.model.index(row)
            self.list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.list.scrollTo(index)
        finally:
            self._notify = True
        return True

    def clear_choice(self) -> None:
        """Choose no feed (a tag filters the list now); nothing is emitted."""
        self._current = self._wanted = None
        self._notify = False
        try:
            self.list.selectionModel().clear()
        finally:
            self._notify = True

    def reload(self) -> None:
        """Read the feeds again (in a worker), keeping the chosen one; if it went,
        `feed_chosen(None)` once they arrive."""
        self.model.reload()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the feeds being read are shown (for tests)."""
        self.model.wait(timeout)

    def _loaded(self) -> None:
        self._fit()
        wanted, self._wanted = self._wanted, None
        if wanted is not None and self.select_feed(wanted):
            return
        if self._current is None:
            return
        row = self.model.row_of(self._current)
        if row is None:
            self.clear_choice()
            self.feed_chosen.emit(None)
        elif self.list.currentIndex().row() != row:
            self.select_feed(self._current, notify=False)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return  # a reset or clear_choice(); reload() chooses again
        feed_id = current.data(FEED_ROLE)
        before, self._current = self._current, feed_id
        if self._notify and feed_id != before:
            self.feed_chosen.emit(feed_id)
