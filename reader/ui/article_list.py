"""The article list: an item model over the library's article ids, and a delegate to draw it.

The model holds only the ids (cheap for 100,000 articles) and fetches the few fields a
row shows in pages, as rows come into view; bodies are never loaded.
"""

from __future__ import annotations

from collections import OrderedDict
from types import EllipsisType

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from reader.importing.head import format_date
from reader.library import Library
from reader.records import ArticleSummary, Changes
from reader.ui import theme
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import QueryOp, report_error
from reader.ui.plain import tooltip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
AUTHOR_ROLE = Qt.ItemDataRole.UserRole + 2
DATE_ROLE = Qt.ItemDataRole.UserRole + 3
READ_ROLE = Qt.ItemDataRole.UserRole + 4
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 5
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 6
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 7

PAGE = 200
FIRST_ROWS = 200  # shown at once; the rest of a long list is read in a thread
SNIPPET_PAGE = 20  # rows whose snippets are found together, about a screenful
CACHE_ROWS = 5000


class ArticleListModel(QAbstractListModel):
    """One row per article, in the library's list order."""

    reranked = Signal()  # the ranked results of a search replaced its first matches
    completed = Signal()  # the rest of a long list arrived after its first rows

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self._library = library
        self._tag: str | None = None
        self._feed: int | None = None
        self._search = ""
        self._archived = False
        self._order = "added"
        self._unread_only = False
        self._ids: list[int] = []
        self._cache: OrderedDict[int, ArticleSummary] = OrderedDict()
        self._snippets: dict[int, str] = {}  # "" while being found, or without a match
        self.loading = False  # only the first rows of a long list are known yet
        self._list_op: QueryOp | None = None  # reads the rest of a long list
        self._snippet_ops: list[QueryOp] = []
        self._summary_op: QueryOp | None = None  # reads rows ahead of the view
        self._epoch = 0  # counts changes that make rows read before them out of date
        self.reload()

    def listen(self, bus: ChangeBus) -> None:
        """Follow the library's changes: rebuild when articles came or went, re-read the
        rows whose fields changed."""
        bus.library_changed.connect(self._library_changed)

    def _library_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.article_list:
            self.reload()
        elif changes.articles:
            self.refresh_articles(changes.articles)

    @property
    def tag(self) -> str | None:
        return self._tag

    @property
    def search(self) -> str:
        return self._search

    @property
    def feed(self) -> int | None:
        return self._feed

    @property
    def archived(self) -> bool | None:
        """The archive (True), the reading list (False) or both (None: a saved view's)."""
        return self._archived

    def set_tag(self, tag: str | None) -> None:
        """Show only articles under this tag (nested tags and highlight tags included)."""
        self._tag = tag
        self.reload()

    def set_search(self, text: str) -> None:
        """Show only articles matching the search, best first, each with a snippet."""
        self._search = text
        self.reload()

    def set_archived(self, archived: bool) -> None:
        """Show the archive instead of the reading list (or back)."""
        self._archived = archived
        self.reload()

    def set_filters(self, *, search: str | None = None, tag: str | None | EllipsisType = ...,
                    archived: bool | None | EllipsisType = ...,
                    feed: int | None | EllipsisType = ...) -> None:
        """Change several filters at once, reading the list once (an argument left out
        keeps its filter; `tag=None` shows every tag, `feed=None` every feed's,
        `archived=None` the reading list and the archive together, as a saved view)."""
        if search is not None:
            self._search = search
        if tag is not ...:
            self._tag = tag
        if feed is not ...:
            self._feed = feed
        if archived is not ...:
            self._archived = archived
        self.reload()

    @property
    def order(self) -> str:
        return self._order

    def set_order(self, order: str) -> None:
        """Sort by "added", "published" or "title" (a search is always best match first)."""
        self._order = order
        self.reload()

    @property
    def unread_only(self) -> bool:
        return self._unread_only

    def set_unread_only(self, unread_only: bool) -> None:
        self._unread_only = unread_only
        self.reload()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role == SNIPPET_ROLE:
            return self._snippet(index.row())
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.AccessibleTextRole, AUTHOR_ROLE, DATE_ROLE, READ_ROLE,
                        SUMMARY_ROLE, PROGRESS_ROLE):
            return None
        summary = self.summary(index.row())
        if summary is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return summary.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(summary.title)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "read" if summary.read else (
                f"{summary.progress}% read" if summary.progress else "unread")
            return f"{summary.title}, {summary.author}, {format_date(summary.published)}, {state}"
        if role == AUTHOR_ROLE:
            return summary.author
        if role == DATE_ROLE:
            return format_date(summary.published)
        if role == READ_ROLE:
            return summary.read
        if role == PROGRESS_ROLE:
            return summary.progress
        return summary

    def summary(self, row: int) -> ArticleSummary | None:
        article_id = self._ids[row]
        found = self._cache.get(article_id)
        if found is None:
            self._fetch_page(row)
            found = self._cache.get(article_id)
        self._prefetch(row)
        return found

    def _prefetch(self, row: int) -> None:
        """Read the page of rows the view will reach next, in a worker: scrolling then
        finds them read (a page read while painting took up to 50 ms from a cold disk)."""
        if self.reading_ahead:
            return
        ids, cache = self._ids, self._cache
        for step in (1, -1):  # down, then up
            ahead = row + step * PAGE // 2
            if not 0 <= ahead < len(ids) or ids[ahead] in cache:
                continue
            # From the first row not read yet on the way there, a page onwards.
            first = next(i for i in range(row, ahead + step, step) if ids[i] not in cache)
            start = first if step == 1 else max(0, first - PAGE + 1)
            page = ids[start:start + PAGE]
            epoch = self._epoch
            self._summary_op = QueryOp(
                self, self._library, lambda: self._library.articles.summaries(page)
            ).success(lambda found: self._store(found, epoch)).run()
            return

    @property
    def reading_ahead(self) -> bool:
        """Whether rows ahead of the view are being read in a worker."""
        return self._summary_op is not None and self._summary_op.running

    def _store(self, summaries: list[ArticleSummary], epoch: int) -> None:
        """Keep these rows, unless they were read before the rows changed (`epoch`)."""
        if epoch != self._epoch:
            return  # they may be out of date
        for summary in summaries:
            self._cache.setdefault(summary.id, summary)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    def _snippet(self, row: int) -> str | None:
        """Where the search matched in the row's article; None until found.

        Snippets are found in a worker thread, a screenful at a time: they need the
        articles' texts, which at 100,000 articles can take tens of milliseconds to read
        from disk. Until a row's snippet arrives, it shows its author and date."""
        if not self._search.strip():
            return None
        article_id = self._ids[row]
        if article_id not in self._snippets:
            start = max(0, row - 4)
            page = [(r, i) for r, i in enumerate(self._ids[start:start + SNIPPET_PAGE], start)
                    if i not in self._snippets]
            for _row, i in page:
                self._snippets[i] = ""  # asked for
            search, ids = self._search, [i for _row, i in page]
            self._snippet_ops = [op for op in self._snippet_ops if op.running]
            self._snippet_ops.append(QueryOp(
                self, self._library, lambda: self._library.search.snippets(search, ids)
            ).success(lambda found: self._show_snippets(search, page, found)).run())
        return self._snippets.get(article_id) or None

    def _show_snippets(self, search: str, page: list[tuple[int, int]],
                       found: dict[int, str]) -> None:
        if search != self._search:
            return  # the search changed meanwhile
        rows = []
        for row, article_id in page:
            if article_id in self._snippets:  # not since replaced by a new list
                self._snippets[article_id] = found.get(article_id, "")
                if row < len(self._ids) and self._ids[row] == article_id:
                    rows.append(row)
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)), [SNIPPET_ROLE])

    def _fetch_page(self, row: int) -> None:
        start = max(0, row - PAGE // 4)
        self._store(self._library.articles.summaries(self._ids[start:start + PAGE]), self._epoch)

    def row_of(self, article_id: int, wait: bool = True) -> int | None:
        """The article's row, or None if it is not listed.

        While the rest of a long list is being read, an article not among its first rows
        is looked for in the whole list, read now (unless not `wait`). A search's list is
        not waited for: its ranking can take a second, and its first matches are all
        there is to show yet.
        """
        try:
            return self._ids.index(article_id)
        except ValueError:
            pass
        if not wait or not self.loading or self._search.strip():
            return None
        self._cancel_list_read()
        self._apply_found(self._read_all(self._filters()))
        return self.row_of(article_id)

    def article_id(self, row: int) -> int:
        return self._ids[row]

    def refresh_articles(self, article_ids: frozenset[int]) -> None:
        """Re-read the rows of these articles after their fields changed."""
        self._epoch += 1
        for article_id in article_ids:
            self._cache.pop(article_id, None)
            row = self.row_of(article_id, wait=False)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def reload(self) -> None:
        """Rebuild the list after articles were added or removed, or a filter changed.

        The first rows show at once. A longer list is read in full in a background
        thread and its rows are added below (`completed`), so that neither 100,000
        articles nor a word found in most of them keep the window waiting. A search's
        first matches are unranked; the ranked list replaces them (`reranked`).
        """
        self._cancel_list_read()
        for op in self._snippet_ops:
            op.cancel()
        self._snippet_ops = []
        filters = self._filters()
        searching = bool(self._search.strip())
        first = self._library.articles.ids(ranked=not searching, limit=FIRST_ROWS, **filters)
        self.loading = len(first) >= FIRST_ROWS
        if searching and not self.loading:
            # Few matches: ranking them all is as quick as listing them.
            first = self._library.articles.ids(**filters)
        self._set_ids(first)
        if self.loading:
            self._list_op = QueryOp(self, self._library, lambda: self._read_all(filters)
                                    ).success(self._apply_found).failure(self._load_failed).run()

    def _cancel_list_read(self) -> None:
        if self._list_op is not None:
            self._list_op.cancel()
            self._list_op = None

    def _filters(self) -> dict:
        return dict(order=self._order, tag=self._tag, search=self._search,
                    archived=self._archived, unread_only=self._unread_only, feed=self._feed)

    def _read_all(self, filters: dict) -> list[int]:
        return self._library.articles.ids(**filters)

    def _load_failed(self, error: Exception) -> None:
        self.loading = False  # the first rows are all the list shows
        report_error(error)

    def _apply_found(self, found: list[int]) -> None:
        if not self.loading:
            return  # already read on the UI thread (row_of)
        self.loading = False
        shown = len(self._ids)
        if found[:shown] == self._ids:
            # The first rows stay as they are (and the selection with them).
            if len(found) > shown:
                self.beginInsertRows(QModelIndex(), shown, len(found) - 1)
                self._ids = found
                self.endInsertRows()
        else:
            self._set_ids(found)  # ranked, or the library changed meanwhile
            self.reranked.emit()
        self.completed.emit()

    def _set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._epoch += 1
        self._cache.clear()
        self._snippets.clear()
        self.endResetModel()


class ArticleDelegate(QStyledItemDelegate):
    """Draws a row: the title (bold with a dot while unread), then author and date."""

    PADDING_X = 14
    PADDING_Y = 9

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title_font = QFont()
        self.title_font.setPointSizeF(10.5)
        self.unread_font = QFont(self.title_font)
        self.unread_font.setWeight(QFont.Weight.DemiBold)
        self.meta_font = QFont()
        self.meta_font.setPointSizeF(9)

    def row_height(self) -> int:
        return (QFontMetrics(self.unread_font).height() + QFontMetrics(self.meta_font).height()
                + 2 * self.PADDING_Y + 3)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(200, self.row_height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, QColor(theme.SELECTION))
        unread = index.data(READ_ROLE) is False
        title_font = self.unread_font if unread else self.title_font
        title_metrics = QFontMetrics(title_font)
        left = rect.left() + self.PADDING_X
        width = rect.width() - 2 * self.PADDING_X
        if unread:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(QColor(theme.ACCENT))
            painter.setPen(Qt.PenStyle.NoPen)
            dot_y = rect.top() + self.PADDING_Y + title_metrics.height() / 2
            painter.drawEllipse(QRectF(rect.left() + 5, dot_y - 3, 6, 6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setFont(title_font)
        painter.setPen(QColor(theme.TEXT))
        title = title_metrics.elidedText(index.data() or "", Qt.TextElideMode.ElideRight, width)
        top = rect.top() + self.PADDING_Y
        painter.drawText(left, top + title_metrics.ascent(), title)
        # While searching, the second line shows where the words were found.
        meta = index.data(SNIPPET_ROLE) or " · ".join(
            p for p in (index.data(AUTHOR_ROLE), index.data(DATE_ROLE)) if p)
        meta_metrics = QFontMetrics(self.meta_font)
        painter.setFont(self.meta_font)
        painter.setPen(QColor(theme.MUTED))
        meta = meta_metrics.elidedText(meta, Qt.TextElideMode.ElideRight, width)
        painter.drawText(left, top + title_metrics.height() + 3 + meta_metrics.ascent(), meta)
        progress = index.data(PROGRESS_ROLE) or 0
        if 0 < progress < 100 and not index.data(READ_ROLE):
            # How far it has been read: a thin line along the bottom of the row.
            bar = QRectF(left, rect.bottom() - 3, width * progress / 100, 2)
            painter.fillRect(QRectF(left, rect.bottom() - 3, width, 2), QColor(theme.BORDER))
            painter.fillRect(bar, QColor(theme.ACCENT))
        if selected and option.state & QStyle.StateFlag.State_HasFocus:
            # Keyboard focus is in the list: a bar in the margin says which row it is on.
            painter.fillRect(QRectF(rect.left(), rect.top(), 3, rect.height()), QColor(theme.ACCENT))
        painter.restore()


class ArticleListView(QTableView):
    """The list of articles: a one-column table with fixed-height rows.

    A table rather than a QListView because with fixed-height rows it asks the model only
    for the rows it paints: QListView, even with uniform item sizes, walks every row's
    index on each layout, which at 100,000 articles took most of a second at start-up
    and after each search.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("articleList")
        self.setAccessibleName("Articles")
        self.delegate = ArticleDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setMinimumSectionSize(1)
        rows.setDefaultSectionSize(self.delegate.row_height())

    def moveCursor(self, action, modifiers):  # noqa: N802 (Qt name)
        # Home and End go to the first and last article (in a table they would go to the
        # first and last column of the row).
        if action == QAbstractItemView.CursorAction.MoveHome:
            return self.model().index(0, 0)
        if action == QAbstractItemView.CursorAction.MoveEnd:
            return self.model().index(self.model().rowCount() - 1, 0)
        return super().moveCursor(action, modifiers)
