"""The reading pane: shows one article's document as comfortable rich text."""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import QByteArray, QEvent, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFontMetricsF,
    QImage,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QAbstractSlider, QTextBrowser, QTextEdit

from reader.annotations.colours import HEX
from reader.document.model import Document, Utf16Map
from reader.records import HighlightRecord
from reader.document.textnav import grow_sentence, grow_word, shrink_sentence, shrink_word
from reader.ui import theme
from reader.ui.document_view import build_text_document

MEASURE_CHARS = 70  # the reading column is about this many characters wide
MIN_SIDE_MARGIN = 24


class ReadingPane(QTextBrowser):
    """A read-only rich-text view of one article, in a centred column of ~70 characters."""

    link_refused = Signal(str)
    paragraph_focused = Signal(int)  # block index of the paragraph that now has the focus

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("readingPane")
        self.setReadOnly(True)
        self.setOpenLinks(False)  # links never navigate inside the pane
        self.anchorClicked.connect(self._open_link)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        # Shift+arrows extend a selection from the keyboard, as in any text view.
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.body_font = theme.body_font()
        self.document().setDefaultFont(self.body_font)
        self.document().setDocumentMargin(0)
        # The text control owns the documents swapped in (and deletes each one replaced).
        # Kept: asking a document for its parent wraps Qt's private control class anew,
        # 0.3 ms each time an article was opened.
        self._text_control = self.document().parent()
        self._document: Document | None = None
        self._offsets = Utf16Map("")
        self._highlights: list[HighlightRecord] = []
        self._active_highlight: int | None = None
        self._marks: list[QTextEdit.ExtraSelection] | None = None  # the highlights, drawn
        self._marks_span: tuple[int, int] | None = None  # the text they cover
        self._fresh = False  # a document just shown, laid out by nothing yet
        self._block_starts: list[int] = []
        self._focus_block: int | None = None
        self._pending_top: int | None = None  # a place to scroll to once laid out
        self._shown = False  # QTextEdit scrolls to its cursor when first shown
        self.verticalScrollBar().rangeChanged.connect(lambda *_: self._apply_pending_place())
        self.verticalScrollBar().valueChanged.connect(lambda _value: self._follow_view())
        self.show_placeholder()

    @property
    def shown(self) -> Document | None:
        return self._document

    def show_placeholder(self) -> None:
        self._document = None
        self._offsets = Utf16Map("")
        self._highlights = []
        self._active_highlight = None
        self._marks = None
        self._block_starts = []
        self._focus_block = None
        self.setExtraSelections([])
        self.document().clear()
        self.document().setDefaultFont(self.body_font)
        cursor = QTextCursor(self.document())
        fmt = QTextBlockFormat()
        fmt.setAlignment(theme.ALIGN_CENTER)
        fmt.setTopMargin(120)
        cursor.setBlockFormat(fmt)
        char = QTextCharFormat()
        char.setForeground(QColor(theme.MUTED))
        cursor.insertText("Choose an article from the list to start reading.", char)
        self._fit_column()

    def show_document(self, document: Document) -> None:
        """Replace the pane's content with the document; its plain text is the document's text."""
        self._document = document
        self._pending_top = None
        self._offsets = Utf16Map(document.text)
        self._highlights = []
        self._active_highlight = None
        self._marks = None
        self._block_starts = document.block_starts()
        self._focus_block = None
        self.setExtraSelections([])
        self._replace_text_document(document)
        self._fresh = True
        self.setTextCursor(QTextCursor(self.document()))  # at the start, nothing selected
        self.verticalScrollBar().setValue(0)

    def _replace_text_document(self, document: Document) -> None:
        # The article is built in a new QTextDocument and then swapped in. Filled in place,
        # the shown document was laid out whole when the edit ended (25 ms, then 10 ms
        # more to place the cursor, for 5,000 words); a swapped-in document is laid out
        # like setHtml's, lazily from the top. Built twice as fast as before, same formats.
        old = self.document()
        fresh = QTextDocument(self._text_control)  # which deletes the old one
        fresh.setUndoRedoEnabled(False)  # nothing to undo in a read-only view
        fresh.setDocumentMargin(old.documentMargin())
        build_text_document(fresh, document, self.body_font)
        self._fit_column(fresh)  # before it is shown: a margin set after lays it out again
        self.setDocument(fresh)

    # --- highlights -----------------------------------------------------------------
    def set_highlights(self, highlights: list[HighlightRecord], active: int | None = None) -> None:
        """Show these highlights (orphaned ones have no place and are skipped)."""
        self._highlights = [h for h in highlights if not h.orphaned]
        self._active_highlight = active
        self._marks = None
        self._repaint_marks()

    def set_active_highlight(self, highlight_id: int | None) -> None:
        """Mark one highlight (the one being worked on) more strongly than the others."""
        self._active_highlight = highlight_id
        self._marks = None
        self._repaint_marks()

    @property
    def active_highlight(self) -> int | None:
        return self._active_highlight

    def highlights_at(self, offset: int) -> list[HighlightRecord]:
        """The highlights covering a code-point offset, innermost (shortest) first."""
        found = [h for h in self._highlights if h.start <= offset < h.end]
        return sorted(found, key=lambda h: h.end - h.start)

    def _repaint_marks(self) -> None:
        # The highlights' selections are kept: moving the paragraph focus redraws only
        # its band, not every highlight again (1,000 of them in a long article).
        if self._marks is None:
            self._marks = self._highlight_selections()
        if self._focus_block is None:
            self.setExtraSelections(self._marks)
        else:
            self.setExtraSelections([self._focus_band(self._focus_block), *self._marks])

    def _in_view(self, margin: int) -> tuple[int, int]:
        """Code-point offsets of (at least) the text in view, widened by `margin`.

        Estimated rather than hit-tested: a document just swapped in is laid out lazily,
        and until it is painted Qt's hit test answers with the end of the text. The view
        starts at the top of a freshly shown article, or where the hit test (reliable
        once scrolled there) says; it holds at most twice the column's characters on
        each of the lines that fit."""
        top = 0
        if self.verticalScrollBar().value() > 0:
            top = self._offsets.to_codepoint(self.cursorForPosition(QPoint(0, 0)).position())
        return max(0, top - margin), top + self._screenful() + margin

    def _end_of_first_view(self) -> int:
        """Code-point offset of the first paragraph below the view of a document just
        shown at its top. Setting the document laid out the text that fills the view, so
        asking where its paragraphs are lays out nothing more (but one paragraph)."""
        layout = self.document().documentLayout()
        bottom = self.viewport().height()
        block = self.document().begin()
        while block.isValid():
            if layout.blockBoundingRect(block).top() > bottom:
                return self._offsets.to_codepoint(block.position())
            block = block.next()
        return self._offsets.to_codepoint(self._offsets.utf16_length)

    def _screenful(self) -> int:
        lines = self.viewport().height() / QFontMetricsF(self.body_font).lineSpacing() + 1
        return int(lines) * 2 * MEASURE_CHARS

    def _follow_view(self) -> None:
        """Draw the highlights coming into view, when only those near it are drawn."""
        if self._marks_span is None or self._marks is None or not self._highlights:
            return
        start, end = self._in_view(0)
        if start < self._marks_span[0] or end > self._marks_span[1]:
            self._marks = None
            self._repaint_marks()

    def _highlight_selections(self) -> list[QTextEdit.ExtraSelection]:
        """The selections of the highlights near the view (a screenful and more on each
        side; `_follow_view` redraws them as it scrolls). Qt lays the text out as far as
        the last selection it is given, and a selection for each of 1,000 highlights took
        50 ms of opening an article."""
        # In a document just shown, nothing around the view is laid out yet: its first
        # marks cover only the text in view (which the first paint lays out anyway), and
        # the first scroll draws those around it. Marks a screenful beyond the view made
        # Qt lay out three screenfuls of text before the article was first painted.
        if self._fresh and self.verticalScrollBar().value() == 0:
            self._marks_span = first, last = 0, self._end_of_first_view()
        else:
            self._marks_span = first, last = self._in_view(0 if self._fresh else self._screenful())
        self._fresh = False
        formats: dict[str, QTextCharFormat] = {}  # one format per colour, shared
        selections = []
        active = None
        for record in self._highlights:
            if record.end <= first or record.start >= last:
                continue
            fmt = formats.get(record.colour)
            if fmt is None:
                fmt = formats[record.colour] = _mark_format(record.colour, theme.HIGHLIGHT_ALPHA)
            selections.append(self._selection(record, fmt))
            if record.id == self._active_highlight:
                active = record
        if active is not None:
            # Drawn last and stronger, underlined: which highlight has the focus.
            fmt = _mark_format(active.colour, theme.ACTIVE_ALPHA)
            fmt.setFontUnderline(True)
            fmt.setUnderlineColor(QColor(theme.ACCENT))
            selections.append(self._selection(active, fmt))
        return selections

    def _focus_band(self, index: int) -> QTextEdit.ExtraSelection:
        # A full-width tint behind the paragraph that keyboard commands act on.
        start, end = self.paragraph_span(index)
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets.to_utf16(start))
        cursor.setPosition(self._offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(theme.FOCUS_BAND))
        fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.format = fmt
        return selection

    # --- paragraph focus and keyboard movement ------------------------------------------
    @property
    def focused_paragraph(self) -> int | None:
        return self._focus_block

    def paragraph_count(self) -> int:
        return len(self._block_starts)

    def paragraph_span(self, index: int) -> tuple[int, int]:
        """Code-point span of paragraph (block) `index`, without its newline."""
        start = self._block_starts[index]
        return start, start + len(self._document.blocks[index].text)

    def paragraph_at(self, offset: int) -> int:
        return max(0, bisect_right(self._block_starts, offset) - 1)

    def focus_paragraph(self, index: int, scroll: bool = True) -> None:
        """Give paragraph `index` the keyboard focus, scrolling it into view."""
        if not self._block_starts:
            return
        self._focus_block = max(0, min(index, len(self._block_starts) - 1))
        self._repaint_marks()
        if scroll:
            self._keep_in_view(self._focus_block)
        self.paragraph_focused.emit(self._focus_block)

    def move_paragraph_focus(self, step: int) -> None:
        """Focus the next (step 1) or previous (-1) paragraph that has text."""
        if not self._block_starts:
            return
        if self._focus_block is None:
            self.focus_paragraph(self.first_visible_paragraph())
            return
        index = self._focus_block + step
        while 0 <= index < len(self._block_starts) and not self._document.blocks[index].text.strip():
            index += step
        if 0 <= index < len(self._block_starts):
            self.focus_paragraph(index)

    def first_visible_paragraph(self) -> int:
        return self.paragraph_at(self.offset_at_top())

    def page(self, step: int) -> None:
        """Scroll a screenful down (1) or up (-1); the focus moves to the top paragraph."""
        self.verticalScrollBar().triggerAction(
            QAbstractSlider.SliderAction.SliderPageStepAdd if step > 0
            else QAbstractSlider.SliderAction.SliderPageStepSub)
        if self._block_starts:
            self.focus_paragraph(self.first_visible_paragraph(), scroll=False)

    def go_to_start(self) -> None:
        self.verticalScrollBar().setValue(0)
        if self._block_starts:
            self.focus_paragraph(0, scroll=False)

    def go_to_end(self) -> None:
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        if self._block_starts:
            self.focus_paragraph(len(self._block_starts) - 1, scroll=False)

    def _keep_in_view(self, index: int) -> None:
        block = self.document().findBlockByNumber(index)
        rect = self.document().documentLayout().blockBoundingRect(block)
        bar = self.verticalScrollBar()
        height = self.viewport().height()
        margin = 24
        if rect.top() < bar.value() or rect.height() > height - 2 * margin:
            bar.setValue(int(rect.top() - margin))
        elif rect.bottom() > bar.value() + height:
            bar.setValue(int(rect.bottom() - height + margin))

    # --- keyboard selection --------------------------------------------------------------
    def begin_keyboard_selection(self) -> None:
        """Start a selection at the beginning of the focused paragraph."""
        if not self._block_starts:
            return
        if self._focus_block is None:
            self.focus_paragraph(self.first_visible_paragraph())
        start, _ = self.paragraph_span(self._focus_block)
        self.select_span(start, start)

    def extend_keyboard_selection(self, unit: str, grow: bool) -> None:
        """Grow or shrink the selection's end by a word or a sentence."""
        if self._document is None:
            return
        cursor = self.textCursor()
        if not cursor.hasSelection() and cursor.anchor() == cursor.position() == 0 \
                and self._focus_block is not None:
            self.begin_keyboard_selection()
            cursor = self.textCursor()
        text = self._document.text
        anchor = self._offsets.to_codepoint(cursor.anchor())
        end = max(anchor, self._offsets.to_codepoint(cursor.position()))
        if unit == "word":
            end = grow_word(text, end) if grow else shrink_word(text, end, anchor)
        else:
            end = grow_sentence(text, end) if grow else shrink_sentence(text, end, anchor)
        self.select_span(anchor, end)
        self.ensureCursorVisible()

    def _selection(self, record: HighlightRecord, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets.to_utf16(record.start))
        cursor.setPosition(self._offsets.to_utf16(record.end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = fmt
        return selection

    # --- selection and position -------------------------------------------------------
    def selection_span(self) -> tuple[int, int] | None:
        """The selected passage as code-point offsets into the canonical text, if any."""
        cursor = self.textCursor()
        if self._document is None or not cursor.hasSelection():
            return None
        start = self._offsets.to_codepoint(cursor.selectionStart())
        end = self._offsets.to_codepoint(cursor.selectionEnd())
        return (start, end) if end > start else None

    def select_span(self, start: int, end: int) -> None:
        """Select text[start:end] (code points), as if the user had selected it."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets.to_utf16(start))
        if end == start:
            self.setTextCursor(cursor)
            return
        cursor.setPosition(self._offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def scroll_to_offset(self, offset: int, at_top: bool = False) -> None:
        """Scroll so that the given code-point offset sits in the upper third of the view
        (or at its top)."""
        bar = self.verticalScrollBar()
        above = 0 if at_top else self.viewport().height() / 3
        target = max(0, int(self.offset_y(offset) - above))
        # Until the pane is shown and Qt has laid the text out, the scroll range is too
        # short: keep the place and scroll again when the range grows.
        laid_out = self._shown and target <= bar.maximum()
        self._pending_top = offset if at_top and not laid_out else None
        bar.setValue(min(bar.maximum(), target))

    def offset_y(self, offset: int) -> float:
        """The document y of the line holding a code-point offset (laying it out if need be)."""
        position = min(self._offsets.to_utf16(offset), max(0, self.document().characterCount() - 1))
        block = self.document().findBlock(position)
        # Asking for the block's rectangle makes Qt lay out the text up to it.
        top = self.document().documentLayout().blockBoundingRect(block).top()
        layout = block.layout()
        line = layout.lineForTextPosition(position - block.position()) if layout else None
        return top + (line.y() if line is not None and line.isValid() else 0)

    def cursor_offset(self) -> int:
        """Code-point offset of the text cursor."""
        return self._offsets.to_codepoint(self.textCursor().position())

    def offset_at_top(self) -> int:
        """Code-point offset of the first character visible at the top of the view."""
        cursor = self.cursorForPosition(self.viewport().rect().topLeft())
        return self._offsets.to_codepoint(cursor.position())

    def font_size(self) -> float:
        return self.body_font.pointSizeF()

    def restyle(self) -> None:
        """Draw the article again in the current theme's colours."""
        self.set_font_size(self.font_size())

    def set_font_size(self, size: float) -> None:
        """Change the reading font size, keeping the place and the paragraph focus."""
        self.body_font = theme.body_font(size)
        self.document().setDefaultFont(self.body_font)
        if self._document is None:
            self.show_placeholder()
            return
        top = self.offset_at_top()
        focus = self._focus_block
        highlights, active = self._highlights, self._active_highlight
        self.show_document(self._document)
        self._highlights, self._active_highlight, self._focus_block = highlights, active, focus
        self._repaint_marks()
        self.scroll_to_offset(top)

    def plain_text(self) -> str:
        """The text shown, with Qt's block and line separators written as newlines."""
        return self.document().toRawText().replace("\u2029", "\n").replace("\u2028", "\n")

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        # Keep the reader's place: the text at the top stays at the top after the reflow.
        place = self._pending_top
        if place is None and self._document is not None and self.isVisible():
            place = self.offset_at_top()
        super().resizeEvent(event)
        self._fit_column()
        if place:
            self.scroll_to_offset(place, at_top=True)
        self._follow_view()  # a taller view shows more text

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self._fill_viewport()
        self._shown = True
        if self._pending_top is not None:
            # After this event the text gets its layout; then the place can be found.
            QTimer.singleShot(0, self._apply_pending_place)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:
            self._fill_viewport()

    def _fill_viewport(self) -> None:
        # A stylesheet background on a scroll area makes its viewport transparent, so
        # every repaint of the text painted the pane's styled background beneath it
        # first (1-2 ms of opening an article). The viewport fills itself instead, with
        # the Base colour the same stylesheet gives the pane's palette (its background).
        self.viewport().setAutoFillBackground(True)

    def _apply_pending_place(self) -> None:
        if self._pending_top is not None and self._shown and self.isVisible():
            self.scroll_to_offset(self._pending_top, at_top=True)

    def _fit_column(self, document: QTextDocument | None = None) -> None:
        # A capped, centred measure: the side margins absorb whatever width is left.
        width = self.viewport().width()
        column = QFontMetricsF(self.body_font).averageCharWidth() * MEASURE_CHARS
        side = max(MIN_SIDE_MARGIN, (width - column) / 2)
        frame = (document or self.document()).rootFrame()
        fmt = frame.frameFormat()
        if abs(fmt.leftMargin() - side) < 0.5:
            return
        fmt.setLeftMargin(side)
        fmt.setRightMargin(side)
        fmt.setTopMargin(40)
        fmt.setBottomMargin(80)
        frame.setFrameFormat(fmt)

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)
        else:
            self.link_refused.emit(url.toString())

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 (Qt name)
        # Article content never makes the pane fetch anything, local or remote. None is not
        # enough: QTextDocument then reads file: URLs itself, and Qt's image handler loads a
        # local image path directly. A blank image and empty bytes stop both.
        if kind == QTextDocument.ResourceType.ImageResource.value:
            return _blank_image()
        return QByteArray()


_BLANK: list[QImage] = []


def _blank_image() -> QImage:
    if not _BLANK:
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        image.fill(0)
        _BLANK.append(image)
    return _BLANK[0]


def _mark_format(colour_name: str, alpha: int) -> QTextCharFormat:
    colour = QColor(HEX.get(colour_name, HEX["yellow"]))
    colour.setAlpha(alpha)
    fmt = QTextCharFormat()
    fmt.setBackground(colour)
    return fmt
