"""The sidebar's Views section: the saved views, in the user's order, each with the number
of articles it lists; choosing one shows those articles."""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QListView

from reader.library import Library, LibraryError
from reader.records import Changes, SavedView
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import QueryOp, report_error
from reader.ui.sidebar_list import SidebarList
from reader.ui.plain import tooltip
from reader.ui.tag_sidebar import COUNT_ROLE, TagCountDelegate, count_phrase

VIEW_ROLE = Qt.ItemDataRole.UserRole + 1  # the view's id
QUERY_ROLE = Qt.ItemDataRole.UserRole + 4
KEY_ROLE = Qt.ItemDataRole.UserRole + 5  # its key sequence, or None
COUNT_DELAY_MS = 300  # changes come in bursts (typing a note, a sync): count once after
MAX_ROWS_SHOWN = 10  # more views scroll
_log = logging.getLogger(__name__)


class ViewListModel(QAbstractListModel):
    """One row per saved view, in order, with its count.

    The views themselves are a few rows of one small table, read at once; their counts
    (one SQL count each, which for a word found in most of 100,000 articles takes a good
    part of a second) are computed in a worker and filled in when they arrive
    (`counted`). Until then, and while the count of a view whose query changed is being
    made, a row's count is None. `recount()` counts again, COUNT_DELAY_MS after the last
    call, so that a burst of changes costs one count.
    """

    counted = Signal()

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self._library = library
        self._views: list[SavedView] = []
        self._counts: dict[int, int | None] = {}
        self._op: QueryOp | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COUNT_DELAY_MS)
        self._timer.timeout.connect(self._count_now)
        self.reload()

    @property
    def counting(self) -> bool:
        """Whether counts are due or being made."""
        return self._timer.isActive() or (self._op is not None and self._op.running)

    def reload(self) -> None:
        """Read the views again (after they changed) and count them. A view whose query
        is unchanged keeps its count meanwhile."""
        try:
            views = self._library.views.list()
        except LibraryError as exc:  # damaged or gone: the window's banner says so
            _log.warning("The saved views could not be listed: %s", exc)
            views = []
        before = {v.id: v.query for v in self._views}
        counts = {v.id: self._counts.get(v.id) if before.get(v.id) == v.query else None
                  for v in views}
        if [v.id for v in views] == [v.id for v in self._views]:
            self._views, self._counts = views, counts
            if views:
                self.dataChanged.emit(self.index(0), self.index(len(views) - 1))
        else:
            self.beginResetModel()
            self._views, self._counts = views, counts
            self.endResetModel()
        self._count_now()

    def recount(self) -> None:
        """Count every view again, soon (after the articles they find may have changed)."""
        self._timer.start()

    def _count_now(self) -> None:
        self._timer.stop()
        if self._op is not None:
            self._op.cancel()
        views = list(self._views)
        library = self._library
        self._op = QueryOp(self, library, lambda: library.views.counts(views)).success(
            self._apply_counts).failure(self._count_failed).run()

    def wait(self, timeout: float | None = None) -> None:
        """Count now if a count is due, and block until the counts are shown (for tests)."""
        if self._timer.isActive():
            self._count_now()
        if self._op is not None:
            self._op.wait(timeout)

    def _count_failed(self, error: Exception) -> None:
        if isinstance(error, LibraryError):
            _log.warning("The saved views could not be counted: %s", error)
        else:
            report_error(error)

    def _apply_counts(self, counts: dict[int, int | None]) -> None:
        for view_id, count in counts.items():
            if view_id in self._counts:  # a view added since is counted by its own reload
                self._counts[view_id] = count
        if self._views:
            self.dataChanged.emit(self.index(0), self.index(len(self._views) - 1),
                                  [COUNT_ROLE, Qt.ItemDataRole.ToolTipRole,
                                   Qt.ItemDataRole.AccessibleTextRole])
        self.counted.emit()

    # --- lookups ------------------------------------------------------------------------
    def views(self) -> list[SavedView]:
        return list(self._views)

    def record(self, view_id: int | None) -> SavedView | None:
        return next((v for v in self._views if v.id == view_id), None)

    def row_of(self, view_id: int | None) -> int | None:
        return next((row for row, v in enumerate(self._views) if v.id == view_id), None)

    def count(self, view_id: int) -> int | None:
        return self._counts.get(view_id)

    # --- QAbstractListModel -------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._views)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._views):
            return None
        view = self._views[index.row()]
        count = self._counts.get(view.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return view.name
        if role == VIEW_ROLE:
            return view.id
        if role == COUNT_ROLE:
            return count
        if role == QUERY_ROLE:
            return view.query
        if role == KEY_ROLE:
            return view.key
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{view.name} — {count_phrase(count)}", view.query]
            if view.key:
                lines.append(f"Key: {view.key}")
            return tooltip("\n".join(lines))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            key = f", key {view.key}" if view.key else ""
            return f"{view.name}, {count_phrase(count)}{key}"
        return None


class ViewListView(QListView):
    """The views; Enter or Esc hand the keyboard to the article list (`to_results`)."""

    to_results = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            self.to_results.emit()
            return
        super().keyPressEvent(event)


class ViewSidebar(SidebarList):
    """A "VIEWS" header over the saved views, hidden while there are none. Choosing a
    view emits `view_chosen` with its record; `view_chosen` again with the new record
    when the chosen view's query changed, and with None when it was deleted."""

    max_rows = MAX_ROWS_SHOWN

    view_chosen = Signal(object)

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.model = ViewListModel(library, self)
        self._current: SavedView | None = None
        self._notify = True

        views = ViewListView()
        views.setObjectName("viewList")
        self._build("VIEWS", "Saved views", views, self.model, TagCountDelegate(views))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._fit)
        self._fit()

    def listen(self, bus: ChangeBus) -> None:
        """Follow the library's changes: the views themselves, and the articles they find
        (read, archived, tagged, annotated, added or deleted), counted again soon."""
        bus.library_changed.connect(self._library_changed)

    def _library_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.views:
            self.reload()
        elif (changes.articles or changes.article_list or changes.tags or changes.highlights
              or changes.colours or changes.feeds):
            self.model.recount()

    # --- the choice ---------------------------------------------------------------------
    def current_view(self) -> SavedView | None:
        """The chosen view; None while none is (a tag, a feed or a search of the user's
        own filters the list)."""
        return self._current

    def select_view(self, view_id: int, notify: bool = True) -> bool:
        """Choose this view, emitting `view_chosen` (unless not `notify`: the caller
        filters the list itself). False, changing nothing, for a view not listed."""
        row = self.model.row_of(view_id)
        if row is None:
            return False
        self._notify = notify
        try:
            index = self.model.index(row)
            if self.list.currentIndex() == index and self._current is not None:
                if notify:
                    self.view_chosen.emit(self._current)  # again: the list shows it again
                return True
            self.list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.list.scrollTo(index)
        finally:
            self._notify = True
        return True

    def step(self, step: int) -> bool:
        """Choose the view `step` rows from the chosen one (from before the first or
        after the last when none is chosen); False at either end."""
        count = self.model.rowCount()
        if not count:
            return False
        row = self.model.row_of(self._current.id) if self._current is not None else None
        target = (0 if step > 0 else count - 1) if row is None else row + step
        if not 0 <= target < count:
            return False
        return self.select_view(self.model.views()[target].id)

    def clear_choice(self) -> None:
        """Choose no view (a tag, a feed or the user's own search filters the list now);
        nothing is emitted."""
        self._current = None
        self._notify = False
        try:
            self.list.selectionModel().clear()
        finally:
            self._notify = True

    def reload(self) -> None:
        """Read the views again, keeping the chosen one (emitting `view_chosen` if its
        query changed, or None if it went)."""
        chosen = self._current
        self.model.reload()
        self._fit()
        if chosen is None:
            return
        now = self.model.record(chosen.id)
        if now is None:
            self.clear_choice()
            self.view_chosen.emit(None)
            return
        self._current = now
        row = self.model.row_of(now.id)
        if self.list.currentIndex().row() != row:
            self._notify = False
            try:
                self.list.selectionModel().setCurrentIndex(
                    self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
            finally:
                self._notify = True
        self.list.scrollTo(self.model.index(row))
        if now.query != chosen.query:
            self.view_chosen.emit(now)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the counts due are shown (for tests)."""
        self.model.wait(timeout)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return  # a reset or clear_choice(); reload() chooses again
        view = self.model.record(current.data(VIEW_ROLE))
        before, self._current = self._current, view
        if self._notify and view != before:
            self.view_chosen.emit(view)
