"""The All Highlights list: an item model over highlight ids that reads records in pages
as rows come into view, a delegate that draws a row, and the view.

The model holds only the ids (a query's whole result, 100,000 of them is a list of
ints); a row's record, and its article's title, are read with the page around it, and
the page the view will reach next is read ahead in a worker, as the article list does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from PySide6.QtCore import QAbstractListModel, QItemSelection, QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from reader.annotations.colours import HEX
from reader.importing.head import format_date
from reader.library import Library
from reader.records import HighlightRecord
from reader.ui import theme
from reader.ui.highlight_list import ORPHAN_LABEL, note_preview, shorten, wrap_lines
from reader.ui.operations import QueryOp
from reader.ui.plain import tooltip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole + 2
TITLE_ROLE = Qt.ItemDataRole.UserRole + 3  # the article's title
COLOUR_NAME_ROLE = Qt.ItemDataRole.UserRole + 4

PAGE = 100  # rows read together: a few screenfuls
CACHE_ROWS = 3000
QUOTE_LINES = 2
UNTITLED = "Untitled"


class HighlightsModel(QAbstractListModel):
    """One row per highlight id, in the order given (`set_ids`)."""

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self._library = library
        self._ids: list[int] = []
        self._rows: dict[int, int] = {}  # id -> row
        self._cache: OrderedDict[int, HighlightRecord] = OrderedDict()
        self._titles: dict[int, str] = {}  # article id -> title
        self._colour_names = self._read_colour_names()
        self._ahead: QueryOp | None = None  # reads the rows ahead of the view
        self._epoch = 0  # counts changes that make rows read before them out of date

    # --- Qt interface -------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.AccessibleTextRole, HIGHLIGHT_ROLE, TITLE_ROLE,
                        COLOUR_NAME_ROLE):
            return None
        record = self.record(index.row())
        if record is None:
            return None
        if role == HIGHLIGHT_ROLE:
            return record
        if role == TITLE_ROLE:
            return self.title(record.article_id)
        if role == COLOUR_NAME_ROLE:
            return self.colour_name(record.colour)
        if role == Qt.ItemDataRole.DisplayRole:
            return shorten(record.exact)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(f"{record.exact}\n\n— {self.title(record.article_id)}")
        return self.describe(record)

    # --- contents -----------------------------------------------------------------------
    def set_ids(self, ids: list[int]) -> None:
        """Show these highlights, in this order (records are read as rows are shown)."""
        self.beginResetModel()
        self._ids = list(ids)
        self._rows = {hid: row for row, hid in enumerate(self._ids)}
        self._forget()
        self.endResetModel()

    def ids(self) -> list[int]:
        return self._ids

    def highlight_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, highlight_id: int | None) -> int | None:
        return self._rows.get(highlight_id) if highlight_id is not None else None

    def refresh(self, highlight_ids: Iterable[int] | None = None) -> None:
        """Read these rows again (all of them when None) after they changed."""
        self._epoch += 1
        if highlight_ids is None:
            self._forget()
            self._colour_names = self._read_colour_names()
            if self._ids:
                self.dataChanged.emit(self.index(0), self.index(len(self._ids) - 1))
            return
        rows = []
        for hid in highlight_ids:
            self._cache.pop(hid, None)
            row = self._rows.get(hid)
            if row is not None:
                rows.append(row)
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))

    def _forget(self) -> None:
        self._epoch += 1
        self._cache.clear()
        self._titles.clear()
        if self._ahead is not None:
            self._ahead.cancel()
            self._ahead = None

    def _read_colour_names(self) -> dict[str, str]:
        return {c.key: c.name for c in self._library.colours.all()}

    # --- records, a page at a time ------------------------------------------------------
    def record(self, row: int) -> HighlightRecord | None:
        """The row's record: read now with the page around it if it was not read yet
        (a highlight deleted meanwhile has none)."""
        hid = self._ids[row]
        found = self._cache.get(hid)
        if found is None:
            start = max(0, row - PAGE // 4)
            self._store(*read_page(self._library, self._ids[start:start + PAGE]), self._epoch)
            found = self._cache.get(hid)
        self._read_ahead(row)
        return found

    def _read_ahead(self, row: int) -> None:
        """Read the page the view will reach next in a worker, so that scrolling finds
        its rows read."""
        if self._ahead is not None and self._ahead.running:
            return
        ids, cache = self._ids, self._cache
        for step in (1, -1):
            ahead = row + step * PAGE // 2
            if not 0 <= ahead < len(ids) or ids[ahead] in cache:
                continue
            first = next(i for i in range(row, ahead + step, step) if ids[i] not in cache)
            start = first if step == 1 else max(0, first - PAGE + 1)
            self._read_in_worker(ids[start:start + PAGE])
            return

    def _read_in_worker(self, page: list[int]) -> None:
        library, epoch = self._library, self._epoch
        self._ahead = QueryOp(self, library, lambda: read_page(library, page)).success(
            lambda found: self._store(*found, epoch)).run()

    def _store(self, records: list[HighlightRecord], titles: dict[int, str], epoch: int) -> None:
        if epoch != self._epoch:
            return  # read before the rows changed: they may be out of date
        self._titles.update(titles)
        for record in records:
            self._cache[record.id] = record
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    @property
    def reading_ahead(self) -> bool:
        return self._ahead is not None and self._ahead.running

    def cached(self) -> int:
        """How many records are held (for tests: the list never reads them all)."""
        return len(self._cache)

    # --- words --------------------------------------------------------------------------
    def title(self, article_id: int) -> str:
        return self._titles.get(article_id) or UNTITLED

    def colour_name(self, colour: str) -> str:
        return self._colour_names.get(colour, colour.capitalize())

    def describe(self, record: HighlightRecord) -> str:
        """The row as a sentence, for screen readers."""
        parts = [(f"{self.colour_name(record.colour)} highlight in "
                  f"{self.title(record.article_id)}: {shorten(record.exact)}")]
        if record.tags:
            parts.append("tags " + ", ".join(record.tags))
        if record.note.strip():
            parts.append("note: " + shorten(note_preview(record.note), 120))
        if record.orphaned:
            parts.append(ORPHAN_LABEL.lower())
        return "; ".join(parts)


def read_page(library: Library, ids: list[int]) -> tuple[list[HighlightRecord], dict[int, str]]:
    """The records of these highlights, and their articles' titles (in a worker, or on
    the UI thread for a row the view needs now)."""
    records = library.highlights.records(ids)
    articles = list(dict.fromkeys(record.article_id for record in records))
    return records, {a.id: a.title for a in library.articles.summaries(articles)}


def selection_of_rows(model: HighlightsModel, rows: Iterable[int]) -> QItemSelection:
    """A selection of these rows, one range per run of consecutive rows (so that
    reselecting 100,000 rows is a few ranges, not 100,000)."""
    selection = QItemSelection()
    run_start = previous = None
    for row in sorted(set(rows)):
        if previous is not None and row == previous + 1:
            previous = row
            continue
        if run_start is not None:
            selection.select(model.index(run_start), model.index(previous))
        run_start = previous = row
    if run_start is not None:
        selection.select(model.index(run_start), model.index(previous))
    return selection


class HighlightRowDelegate(QStyledItemDelegate):
    """Draws a row: a bar in the highlight's colour; the article's title and the date;
    the quote on two lines; the colour's name, the tags and the start of the note. All
    rows have one height, so the view asks only for the rows it paints."""

    PADDING_X = 12
    PADDING_Y = 7
    BAR_WIDTH = 4
    GAP = 3

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title_font = QFont()
        self.title_font.setPointSizeF(9)
        self.title_font.setWeight(QFont.Weight.DemiBold)
        self.meta_font = QFont()
        self.meta_font.setPointSizeF(8.5)
        self.quote_font = theme.body_font(10.5)
        self.note_font = QFont(self.meta_font)
        self.note_font.setItalic(True)

    def row_height(self) -> int:
        return (2 * self.PADDING_Y + QFontMetrics(self.title_font).height()
                + QUOTE_LINES * QFontMetrics(self.quote_font).lineSpacing()
                + QFontMetrics(self.meta_font).height() + 2 * self.GAP + 1)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(300, self.row_height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        record: HighlightRecord | None = index.data(HIGHLIGHT_ROLE)
        painter.save()
        rect = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor(theme.SELECTION))
        painter.fillRect(QRectF(rect.left(), rect.bottom(), rect.width(), 1),
                         QColor(theme.BORDER))
        if record is None:  # deleted since the list was read
            painter.restore()
            return
        painter.fillRect(QRectF(rect.left() + 6, rect.top() + self.PADDING_Y, self.BAR_WIDTH,
                                rect.height() - 2 * self.PADDING_Y),
                         QColor(HEX.get(record.colour, theme.MUTED)))
        left = rect.left() + 6 + self.BAR_WIDTH + self.PADDING_X - 4
        width = max(20, rect.right() - self.PADDING_X - left)
        top = rect.top() + self.PADDING_Y

        # The article and the date.
        title_metrics, meta_metrics = QFontMetrics(self.title_font), QFontMetrics(self.meta_font)
        date = format_date(record.created_at[:10])
        date_width = meta_metrics.horizontalAdvance(date) if date else 0
        painter.setFont(self.meta_font)
        painter.setPen(QColor(theme.MUTED))
        if date:
            painter.drawText(left + width - date_width, top + title_metrics.ascent(), date)
        painter.setFont(self.title_font)
        painter.setPen(QColor(theme.TEXT))
        title = title_metrics.elidedText(index.data(TITLE_ROLE) or "", Qt.TextElideMode.ElideRight,
                                         max(10, width - date_width - 12))
        painter.drawText(left, top + title_metrics.ascent(), title)
        top += title_metrics.height() + self.GAP

        # The quote.
        quote_metrics = QFontMetrics(self.quote_font)
        painter.setFont(self.quote_font)
        painter.setPen(QColor(theme.MUTED if record.orphaned else theme.QUOTE))
        for line in wrap_lines(shorten(record.exact), self.quote_font, width, QUOTE_LINES):
            painter.drawText(left, top + quote_metrics.ascent(), line)
            top += quote_metrics.lineSpacing()
        top = (rect.top() + self.PADDING_Y + title_metrics.height() + self.GAP
               + QUOTE_LINES * quote_metrics.lineSpacing() + self.GAP)
        self._draw_meta(painter, record, index.data(COLOUR_NAME_ROLE) or "", left, top, width)

        if option.state & QStyle.StateFlag.State_HasFocus:
            pen = QPen(QColor(theme.ACCENT))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(1, 1, -1, -2))
        painter.restore()

    def _draw_meta(self, painter: QPainter, record: HighlightRecord, colour_name: str,
                   left: int, top: int, width: int) -> None:
        """The last line: the colour's name (or that it was not found), the tags, and
        the start of the note, each as far as there is room."""
        metrics = QFontMetrics(self.meta_font)
        baseline = top + metrics.ascent()
        x, right = left, left + width
        parts: list[tuple[str, QFont, str]] = [
            (ORPHAN_LABEL if record.orphaned else colour_name, self.meta_font,
             theme.ACCENT if record.orphaned else theme.MUTED)]
        if record.tags:
            parts.append((" ".join("#" + tag for tag in record.tags), self.meta_font, theme.LINK))
        note = note_preview(record.note)
        if note:
            parts.append((note, self.note_font, theme.QUOTE))
        for text, font, colour in parts:
            room = right - x
            if room <= metrics.horizontalAdvance("…"):
                break
            font_metrics = QFontMetrics(font)
            shown = font_metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            painter.setFont(font)
            painter.setPen(QColor(colour))
            painter.drawText(x, baseline, shown)
            x += font_metrics.horizontalAdvance(shown + "   ")


class HighlightsView(QTableView):
    """The list: a one-column table with fixed-height rows, several of which can be
    chosen (Shift/Ctrl+click, Shift+arrows, Ctrl+A). A table, as the article list is:
    it asks the model only for the rows it paints, where QListView walks every row on
    each reset (150 ms at 100,000 rows here, against 5 ms)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("highlightsList")
        self.setAccessibleName("Highlights")
        self.delegate = HighlightRowDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
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
        # Home and End go to the first and last row (in a table: the row's first and
        # last column).
        if action == QAbstractItemView.CursorAction.MoveHome:
            return self.model().index(0, 0)
        if action == QAbstractItemView.CursorAction.MoveEnd:
            return self.model().index(self.model().rowCount() - 1, 0)
        return super().moveCursor(action, modifiers)

    def keyboardSearch(self, search: str) -> None:  # noqa: N802 (Qt name)
        # Typing a letter that is not a key of the window would look for a row starting
        # with it, reading every record of the list: the query box is for finding.
        return
