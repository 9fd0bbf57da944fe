"""The reading pane shows exactly the core's canonical text, styled as a reader."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFontMetricsF, QTextCursor, QTextDocument, QTextFormat

from reader.document.model import Utf16Map
from reader.ui.document_view import build_text_document
from reader.ui.reading_pane import ReadingPane
from tests.ui.test_document_view import TRICKY, _document

def _pane(qtbot) -> ReadingPane:
    pane = ReadingPane()
    qtbot.addWidget(pane)
    pane.resize(600, 500)
    with qtbot.waitExposed(pane):
        pane.show()
    return pane


def test_code_point_offsets_select_the_same_text_in_qt(qtbot):
    pane = _pane(qtbot)
    _article, document = _document(TRICKY)
    pane.show_document(document)
    text = document.text
    mapping = Utf16Map(text)
    for needle in ("emoji 😀 in", "👩‍👩‍👧 and a flag 🇺🇦", "𠜎 outside", "non\u00a0breaking", "with a break"):
        start = text.index(needle)
        end = start + len(needle)
        cursor = QTextCursor(pane.document())
        cursor.setPosition(mapping.to_utf16(start))
        cursor.setPosition(mapping.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        selected = cursor.selectedText().replace("\u2029", "\n").replace("\u2028", "\n")
        assert selected == needle
        assert mapping.to_codepoint(cursor.selectionStart()) == start
        assert mapping.to_codepoint(cursor.selectionEnd()) == end


def test_text_column_is_capped_and_centred(qtbot):
    pane = _pane(qtbot)
    _article, document = _document(TRICKY)
    pane.show_document(document)
    pane.resize(1600, 800)  # the offscreen screen is smaller; widgets may still be larger
    qtbot.waitUntil(lambda: pane.document().rootFrame().frameFormat().leftMargin() > 200)
    fmt = pane.document().rootFrame().frameFormat()
    column = pane.viewport().width() - fmt.leftMargin() - fmt.rightMargin()
    assert abs(fmt.leftMargin() - fmt.rightMargin()) < 1
    average = QFontMetricsF(pane.body_font).averageCharWidth()
    assert 60 <= column / average <= 80  # about 70 characters of the body font


def test_body_font_is_a_serif_with_generous_line_spacing(qtbot):
    pane = _pane(qtbot)
    _article, document = _document(TRICKY)
    pane.show_document(document)
    block = pane.document().findBlockByNumber(2)
    assert block.blockFormat().lineHeight() >= 140
    family = pane.body_font.family()
    assert "Serif" in family or family in {"Charter", "Georgia", "Iowan Old Style", "Literata"}


def test_links_do_not_navigate_inside_the_pane(qtbot):
    pane = _pane(qtbot)
    assert pane.openLinks() is False
    refused = []
    pane.link_refused.connect(refused.append)
    from PySide6.QtCore import QUrl

    pane.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert refused == ["file:///etc/passwd"]


def _record(id_: int, start: int, end: int, colour: str = "yellow", text: str = ""):
    from reader.records import HighlightRecord

    return HighlightRecord(id_, 1, start, end, text[start:end], "", "", colour, "", (), False,
                           "", "")


def _marks(pane: ReadingPane) -> list[tuple[str, str, bool]]:
    """(selected text, background colour, underlined) of each highlight drawn, band excluded."""
    found = []
    for selection in pane.extraSelections():
        if selection.format.boolProperty(QTextFormat.Property.FullWidthSelection):
            continue
        assert selection.cursor.document() is pane.document()
        found.append((selection.cursor.selectedText(), selection.format.background().color().name(
            QColor.NameFormat.HexArgb), selection.format.fontUnderline()))
    return found


def test_the_article_is_built_as_build_text_document_builds_it(qtbot):
    # The pane swaps in a new document for each article: same text, same formats, the
    # old one freed, no undo history, no margin of its own.
    pane = _pane(qtbot)
    _article, document = _document(TRICKY)
    control = pane.document().parent()
    pane.show_document(document)
    pane.show_document(document)
    reference = QTextDocument()
    build_text_document(reference, document, pane.body_font)
    shown = pane.document()
    assert shown.parent() is control
    assert len([c for c in control.children() if isinstance(c, QTextDocument)]) == 1
    assert not shown.isUndoRedoEnabled() and shown.documentMargin() == 0
    assert shown.blockCount() == reference.blockCount()
    for number in range(reference.blockCount()):
        ours, theirs = shown.findBlockByNumber(number), reference.findBlockByNumber(number)
        assert ours.text() == theirs.text()
        assert ours.blockFormat() == theirs.blockFormat()
        assert ours.charFormat() == theirs.charFormat()
        assert (ours.textList() is None) == (theirs.textList() is None)
        assert [(f.text(), f.charFormat()) for f in _fragments(ours)] == \
            [(f.text(), f.charFormat()) for f in _fragments(theirs)]
    assert pane.plain_text() == document.text


def _fragments(block):
    iterator = block.begin()
    while not iterator.atEnd():
        yield iterator.fragment()
        iterator += 1


def test_highlights_survive_focus_moves_and_a_new_font_size(qtbot):
    pane = _pane(qtbot)
    _article, document = _document(TRICKY)
    text = document.text
    pane.show_document(document)
    first = text.index("emoji 😀 in")
    second = text.index("a flag 🇺🇦")
    pane.set_highlights([_record(1, first, first + len("emoji 😀 in"), "yellow", text),
                         _record(2, second, second + len("a flag 🇺🇦"), "blue", text),
                         _record(3, first + 6, first + 7, "yellow", text)], active=2)
    expected = _marks(pane)
    assert [m[0] for m in expected] == ["emoji 😀 in", "a flag 🇺🇦", "😀", "a flag 🇺🇦"]
    assert expected[0][1] == expected[2][1] != expected[1][1]  # one tint per colour
    assert [m[2] for m in expected] == [False, False, False, True]  # the active one, on top
    pane.focus_paragraph(3)
    pane.move_paragraph_focus(1)
    assert _marks(pane) == expected
    assert len(pane.extraSelections()) == len(expected) + 1  # and the focus band
    pane.set_active_highlight(None)
    assert _marks(pane) == [(t, c, False) for t, c, _u in expected[:3]]
    pane.set_active_highlight(2)
    pane.set_font_size(pane.font_size() + 2)  # a new document: marks drawn again in it
    assert _marks(pane) == expected
    pane.show_document(document)
    assert _marks(pane) == []


def test_the_highlights_near_the_view_are_drawn_and_follow_it(qtbot):
    """An article with 1,000 highlights opened in 50 ms more than one with none when
    every highlight got its selection (and Qt laid the text out as far as the last
    one); only the ones near the view are drawn, and those coming into view are drawn
    as it scrolls."""
    pane = _pane(qtbot)
    source = "# Long\n\n" + "\n\n".join(
        f"Paragraph {n} has a sentence worth marking and some more words." for n in range(900))
    _article, document = _document(source)
    text = document.text
    starts = [m.start() for m in re.finditer("a sentence worth marking", text)]
    records = [_record(n + 1, s, s + len("a sentence worth marking"), "yellow", text)
               for n, s in enumerate(starts)]
    pane.show_document(document)
    pane.set_highlights(records)
    drawn = _drawn(pane)
    assert 0 < len(drawn) < len(records) / 3
    assert drawn[0] == starts[0]
    pane.go_to_end()
    qtbot.wait(10)  # painted: Qt's hit test now says what is in view
    near_end = _drawn(pane)
    assert starts[-1] in near_end and starts[0] not in near_end
    area = pane.viewport().rect()
    first = pane.cursorForPosition(area.topLeft()).position()
    last = pane.cursorForPosition(area.bottomRight()).position()
    assert 0 < first < last
    in_view = [s for s in starts if first <= s < last]
    assert in_view and set(in_view) <= set(near_end)
    # Back at the top (a jump, as by g g), the first ones are drawn again.
    pane.verticalScrollBar().setValue(0)
    assert _drawn(pane)[0] == starts[0]
    # A few highlights near the top are all drawn; one far below, when scrolled to.
    pane.set_highlights(records[:20] + records[-1:])
    assert _drawn(pane) == starts[:20]
    pane.go_to_end()
    assert starts[-1] in _drawn(pane)


def _drawn(pane: ReadingPane) -> list[int]:
    """Code-point starts of the highlight marks drawn (not the focus band)."""
    mapping = Utf16Map(pane.shown.text)
    return sorted(mapping.to_codepoint(s.cursor.selectionStart()) for s in pane.extraSelections()
                  if s.format.background().color().alpha() < 255)


def test_a_freshly_shown_article_draws_the_marks_in_view_exactly_as_all_of_them(qtbot):
    """Opening an article draws only the highlights in its first view (marks beyond it
    made Qt lay out screenfuls of text before the first paint): the pane must look the
    same as with the marks around the view drawn too, and a small scroll draws the ones
    coming into view."""
    pane = _pane(qtbot)
    source = "# Long\n\n" + "\n\n".join(
        f"Paragraph {n} has a sentence worth marking and some more words." for n in range(300))
    _article, document = _document(source)
    text = document.text
    starts = [m.start() for m in re.finditer("worth marking", text)]
    records = [_record(n + 1, s, s + len("worth marking"), ("yellow", "blue")[n % 2], text)
               for n, s in enumerate(starts)]
    pane.show_document(document)
    pane.set_highlights(records)
    first_view = _drawn(pane)
    opened = pane.grab().toImage()
    assert first_view == starts[:len(first_view)] and 0 < len(first_view) < len(starts) / 5
    pane.set_active_highlight(None)  # drawn again, now with the marks around the view
    assert len(_drawn(pane)) > len(first_view)
    assert pane.grab().toImage() == opened
    # Opened again, then scrolled by a few lines: the marks coming into view are drawn.
    pane.show_document(document)
    pane.set_highlights(records)
    bar = pane.verticalScrollBar()
    bar.setValue(bar.value() + 3 * bar.singleStep())
    qtbot.wait(10)
    area = pane.viewport().rect()
    first = pane.cursorForPosition(area.topLeft()).position()
    last = pane.cursorForPosition(area.bottomRight()).position()
    in_view = [s for s in starts if first <= s < last]
    assert in_view and set(in_view) <= set(_drawn(pane))


def test_the_pane_paints_the_same_when_its_viewport_fills_itself(qtbot):
    """Under the app's stylesheet (which gives the pane its background and made the
    viewport transparent) the viewport fills its own background, in each theme, and
    the pane looks exactly as when the styled pane painted beneath it."""
    from PySide6.QtWidgets import QApplication

    from reader.ui import theme

    app = QApplication.instance()
    saved = app.styleSheet(), app.palette(), theme.current
    try:
        for name in ("dark", "light"):
            theme.apply(app, name)
            pane = _pane(qtbot)
            _article, document = _document(TRICKY)
            pane.show_document(document)
            pane.restyle()
            qtbot.wait(10)
            assert pane.viewport().autoFillBackground()
            assert pane.viewport().palette().base().color() == QColor(theme.PAPER)
            filled = pane.grab().toImage()
            pane.viewport().setAutoFillBackground(False)
            assert pane.grab().toImage() == filled
            app.setStyleSheet(app.styleSheet() + " ")  # the stylesheet again: still filled
            assert pane.viewport().autoFillBackground()
    finally:
        app.setStyleSheet(saved[0])
        app.setPalette(saved[1])
        theme.use(saved[2])


def test_each_article_shown_replaces_the_last_document_which_is_deleted(qtbot):
    from shiboken6 import isValid

    pane = _pane(qtbot)
    _article, document = _document(TRICKY)
    pane.show_document(document)
    first = pane.document()
    pane.show_document(document)
    assert pane.document() is not first and not isValid(first)
    assert pane.document().parent() is pane._text_control
    assert pane.plain_text() == document.text
