"""The annotation panel's list of highlights: an item model over one article, and its delegate."""

from __future__ import annotations

import re

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QTextLayout
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from reader.annotations.colours import HEX
from reader.library import Library
from reader.annotations.highlights import written_by
from reader.records import HighlightRecord, NoteVersion
from reader.annotations.tags import is_under, normalise
from reader.importing.head import format_date
from reader.ui import theme
from reader.ui.plain import tooltip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole + 2
COLOUR_NAME_ROLE = Qt.ItemDataRole.UserRole + 3

ORPHAN_LABEL = "Not found in the current text"
CHANGED_LABEL = "Changed"
QUOTE_LINES = 3
QUOTE_CHARS = 220
ELLIPSIS = "…"


def reading_order(record: HighlightRecord) -> tuple[bool, int, int, int]:
    """Sort key: by position in the text; highlights that could not be placed go last."""
    return (record.orphaned, record.start, record.end, record.id)


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """The text on one line (runs of white space made single), cut near `limit` with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[limit // 2:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + ELLIPSIS


_MARKUP = re.compile(r"(\*\*|__|`|~~|^#{1,6}\s+|^>\s?|^[-*+]\s+|^\d+[.)]\s+)")


def changed_line(record: HighlightRecord) -> str:
    """What to say of a highlight whose passage a revision changed: when, and its words
    before ("" when no revision changed it)."""
    if record.changed_in is None:
        return ""
    when = (record.changed_at or "")[:10]
    verb = "Removed" if record.orphaned else "Changed"
    return (f"{verb} in the revision of {format_date(when) or 'an earlier date'}. "
            f"It read: “{shorten(record.previous_exact, 300)}”")


def author_line(record: HighlightRecord, reader: str) -> str:
    """Who made a highlight of a team library, and whether it is private ("" in a
    personal library, whose highlights have no author)."""
    if not record.author:
        return ""
    who = "you" if record.author == reader else record.author
    return f"By {who} · private: only you can see it" if record.private else f"By {who}"


def stamp(iso: str) -> str:
    """A stored UTC time as a short date and minute ("2026-12-07 18:02 UTC")."""
    return f"{iso[:10]} {iso[11:16]} UTC" if len(iso) >= 16 else iso


def note_history_text(versions: list[NoteVersion], reader: str) -> str:
    """The earlier versions of a note, newest first, each with who wrote it and when and
    who replaced it and when, for the panel's history ("" when there are none)."""
    def name(who: str, start: bool = False) -> str:
        if who and who != reader:
            return who  # a role's name, as written
        word = "you" if who == reader else "someone"
        return word.capitalize() if start else word

    return "\n\n".join(
        f"{name(v.written_by, True)}, {stamp(v.written_at)} (replaced by "
        f"{name(v.replaced_by)}, {stamp(v.replaced_at)}):\n{v.note}" for v in versions)


def note_preview(note: str) -> str:
    """The start of a Markdown note as plain words, for a one-line preview."""
    lines = [_MARKUP.sub("", line.strip()) for line in note.splitlines() if line.strip()]
    return " ".join(lines)


class HighlightListModel(QAbstractListModel):
    """The highlights of one article in reading order (orphans last), optionally filtered
    by colour and by tag (a tag matches the highlights carrying it or a tag nested below it)."""

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self._library = library
        self._article_id: int | None = None
        self._colour: str | None = None
        self._tag = ""
        self._author: str | None = None
        self._records: list[HighlightRecord] = []
        self._total = 0
        self._colour_names: dict[str, str] = {}

    # --- Qt interface -------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._records)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        if role == ID_ROLE:
            return record.id
        if role == HIGHLIGHT_ROLE:
            return record
        if role == COLOUR_NAME_ROLE:
            return self.colour_name(record.colour)
        if role == Qt.ItemDataRole.DisplayRole:
            return shorten(record.exact)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(record.exact)
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(HEX.get(record.colour, theme.MUTED))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.describe(record)
        return None

    # --- contents -----------------------------------------------------------------------
    @property
    def article_id(self) -> int | None:
        return self._article_id

    def set_article(self, article_id: int | None,
                    highlights: list[HighlightRecord] | None = None) -> None:
        """Show this article's highlights: `highlights` when the caller has just read
        them (the window has, to show them in the text), else read here."""
        self._article_id = article_id
        self.reload(reset=True, records=highlights)

    def set_filter(self, colour: str | None = None, tag: str = "",
                   author: str | None = None) -> None:
        """Show only highlights of this colour (None: any) carrying this tag or one below it,
        made by this reader (None: by anyone; a team library's)."""
        self._colour = colour or None
        self._tag = normalise(tag or "")
        self._author = author
        self.reload()

    def is_filtered(self) -> bool:
        return bool(self._colour or self._tag or self._author is not None)

    def total_count(self) -> int:
        """How many highlights the article has, filters aside."""
        return self._total

    def reload(self, reset: bool = False,
               records: list[HighlightRecord] | None = None) -> None:
        """Re-read the article's highlights. When the same rows remain, they are updated in
        place so that views keep their selection; otherwise the model is reset."""
        self._colour_names = {c.key: c.name for c in self._library.colours.all()}
        if records is None:
            records = (self._library.highlights.for_article(self._article_id)
                       if self._article_id is not None else [])
        self._total = len(records)
        records = sorted((r for r in records if self._accepts(r)), key=reading_order)
        if not reset and [r.id for r in records] == [r.id for r in self._records]:
            self._records = records
            if records:
                self.dataChanged.emit(self.index(0), self.index(len(records) - 1))
            return
        self.beginResetModel()
        self._records = records
        self.endResetModel()

    def refresh_highlight(self, highlight_id: int) -> None:
        """Re-read one row after it was edited; it stays even if it no longer passes the
        filters, so that the row being edited never vanishes under the user."""
        row = self.row_of(highlight_id)
        if row is None:
            return
        self._records[row] = self._library.highlights.get(highlight_id)
        self.dataChanged.emit(self.index(row), self.index(row))

    def _accepts(self, record: HighlightRecord) -> bool:
        if self._colour and record.colour != self._colour:
            return False
        if not written_by(record, self._author):
            return False
        return not self._tag or any(is_under(name, self._tag) for name in record.tags)

    def row_of(self, highlight_id: int | None) -> int | None:
        for row, record in enumerate(self._records):
            if record.id == highlight_id:
                return row
        return None

    def record(self, row: int) -> HighlightRecord:
        return self._records[row]

    def colour_name(self, colour: str) -> str:
        return self._colour_names.get(colour, colour.capitalize())

    def describe(self, record: HighlightRecord) -> str:
        """The row as a sentence, for screen readers."""
        parts = [f"{self.colour_name(record.colour)} highlight: {shorten(record.exact)}"]
        if record.author:
            parts.append(f"by {record.author}" + (", private" if record.private else ""))
        if record.tags:
            parts.append("tags " + ", ".join(record.tags))
        if record.note.strip():
            parts.append("note: " + shorten(note_preview(record.note), 120))
        if record.orphaned:
            parts.append(ORPHAN_LABEL.lower())
        if record.changed_in is not None:
            parts.append(changed_line(record))
        return "; ".join(parts)


class HighlightDelegate(QStyledItemDelegate):
    """Draws a highlight: a bar in its colour, the colour's name and the tags, the quoted
    passage (up to three lines) and the start of the note. Every row has the same height,
    tall enough for all of that, so the view can use uniform item sizes."""

    PADDING_X = 12
    PADDING_Y = 8
    BAR_WIDTH = 4
    GAP = 4

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.meta_font = QFont()
        self.meta_font.setPointSizeF(8.5)
        self.orphan_font = QFont(self.meta_font)
        self.orphan_font.setWeight(QFont.Weight.DemiBold)
        self.quote_font = theme.body_font(10.5)
        self.note_font = QFont()
        self.note_font.setPointSizeF(9)
        self.note_font.setItalic(True)

    def row_height(self) -> int:
        meta = QFontMetrics(self.meta_font).height()
        quote = QFontMetrics(self.quote_font).lineSpacing()
        note = QFontMetrics(self.note_font).height()
        return 2 * self.PADDING_Y + meta + QUOTE_LINES * quote + note + 2 * self.GAP + 1

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(220, self.row_height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        record: HighlightRecord | None = index.data(HIGHLIGHT_ROLE)
        if record is None:
            return
        painter.save()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, QColor(theme.SELECTION))
        painter.fillRect(QRectF(rect.left(), rect.bottom(), rect.width(), 1),
                         QColor(theme.SELECTION))
        bar = QColor(HEX.get(record.colour, theme.MUTED))
        painter.fillRect(QRectF(rect.left() + 6, rect.top() + self.PADDING_Y, self.BAR_WIDTH,
                                rect.height() - 2 * self.PADDING_Y), bar)
        left = rect.left() + 6 + self.BAR_WIDTH + self.PADDING_X - 4
        width = max(20, rect.right() - self.PADDING_X - left)
        top = rect.top() + self.PADDING_Y

        top = self._draw_meta(painter, record, index.data(COLOUR_NAME_ROLE) or "", left, top,
                              width) + self.GAP
        quote_metrics = QFontMetrics(self.quote_font)
        painter.setFont(self.quote_font)
        painter.setPen(QColor(theme.MUTED if record.orphaned else theme.TEXT))
        for line in wrap_lines(shorten(record.exact), self.quote_font, width, QUOTE_LINES):
            painter.drawText(left, top + quote_metrics.ascent(), line)
            top += quote_metrics.lineSpacing()
        top = rect.top() + self.PADDING_Y + QFontMetrics(self.meta_font).height() + self.GAP \
            + QUOTE_LINES * quote_metrics.lineSpacing() + self.GAP
        note = note_preview(record.note)
        if note:
            note_metrics = QFontMetrics(self.note_font)
            painter.setFont(self.note_font)
            painter.setPen(QColor(theme.QUOTE))
            painter.drawText(left, top + note_metrics.ascent(),
                             note_metrics.elidedText(note, Qt.TextElideMode.ElideRight, width))

        if option.state & QStyle.StateFlag.State_HasFocus:
            # Where keyboard focus is: a frame in the accent colour, visible on any row.
            pen = QPen(QColor(theme.ACCENT))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(1, 1, -1, -1))
        painter.restore()

    def _draw_meta(self, painter: QPainter, record: HighlightRecord, colour_name: str,
                   left: int, top: int, width: int) -> int:
        """The first line: the colour's name (or the orphan label) and the tags; returns
        the y below it."""
        metrics = QFontMetrics(self.meta_font)
        baseline = top + metrics.ascent()
        x = left
        if record.orphaned:
            orphan_metrics = QFontMetrics(self.orphan_font)
            painter.setFont(self.orphan_font)
            painter.setPen(QColor(theme.ACCENT))
            label = orphan_metrics.elidedText(ORPHAN_LABEL, Qt.TextElideMode.ElideRight, width)
            painter.drawText(x, baseline, label)
            x += orphan_metrics.horizontalAdvance(label + " · ")
        elif record.changed_in is not None:  # moved with a revision, its words changed
            orphan_metrics = QFontMetrics(self.orphan_font)
            painter.setFont(self.orphan_font)
            painter.setPen(QColor(theme.ACCENT))
            painter.drawText(x, baseline, CHANGED_LABEL)
            x += orphan_metrics.horizontalAdvance(CHANGED_LABEL + " · ")
        painter.setFont(self.meta_font)
        painter.setPen(QColor(theme.MUTED))
        room = left + width - x
        if record.author and room > 0:  # a team library's: who made it
            who = metrics.elidedText(record.author + (" (private)" if record.private else "")
                                     + " · ", Qt.TextElideMode.ElideMiddle, room)
            painter.drawText(x, baseline, who)
            x += metrics.horizontalAdvance(who)
        room = left + width - x
        if room > 0:
            name = metrics.elidedText(colour_name, Qt.TextElideMode.ElideRight, room)
            painter.drawText(x, baseline, name)
            x += metrics.horizontalAdvance(name + "   ")
        room = left + width - x
        if record.tags and room > metrics.horizontalAdvance("#" + ELLIPSIS):
            painter.setPen(QColor(theme.LINK))
            tags = " ".join("#" + tag for tag in record.tags)
            painter.drawText(x, baseline, metrics.elidedText(tags, Qt.TextElideMode.ElideRight,
                                                             room))
        return top + metrics.height()


def wrap_lines(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """Break text into at most max_lines lines of `width` pixels; an ellipsis ends the last
    line when more text remains."""
    if not text:
        return []
    layout = QTextLayout(text, font)
    layout.beginLayout()
    spans: list[tuple[int, int]] = []
    while len(spans) < max_lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    # QTextLayout counts UTF-16 code units; Python strings count code points.
    units = text.encode("utf-16-le")

    def piece(start: int, length: int | None = None) -> str:
        end = len(units) if length is None else 2 * (start + length)
        return units[2 * start:end].decode("utf-16-le", errors="ignore")

    lines = [piece(start, length) for start, length in spans]
    last_start, last_length = spans[-1]
    if 2 * (last_start + last_length) < len(units):
        lines[-1] = QFontMetrics(font).elidedText(
            piece(last_start).strip() + ELLIPSIS, Qt.TextElideMode.ElideRight, width)
    return [line.rstrip() for line in lines]
