"""The reading pane shows exactly the core's canonical text, styled as a reader."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF, QTextCursor

from reader.document import Utf16Map
from reader.paths import seeds_dir
from reader.sources import parse_article, read_article, render, split_body
from reader.ui.reading_pane import ReadingPane

TRICKY = (
    "# “Curly” quotes — and dashes\n\nBy Ana Lopez\n\n7 August 2024\n\n"
    "It’s a test – with an en dash, a non\u00a0breaking space and an emoji 😀 in *one* line.\n\n"
    "Family: 👩‍👩‍👧 and a flag 🇺🇦; CJK 𠜎 outside the BMP.\n\n"
    "- a list item with **bold**\n- another\n  1. nested\n\n> a quote  \n> with a break\n\n"
    "```\ncode line\n\n  indented\n```\n\n---\n\n## A heading\n\nLast [link](https://example.org).\n"
)


def _document(source: str, fmt: str = "markdown"):
    article = parse_article(source, fmt)
    head, body = split_body(source, fmt)
    return article, render(article.title, article.author, "", article.published, body)


def _pane(qtbot) -> ReadingPane:
    pane = ReadingPane()
    qtbot.addWidget(pane)
    pane.resize(600, 500)
    with qtbot.waitExposed(pane):
        pane.show()
    return pane


def test_every_seed_renders_to_exactly_its_canonical_text(qtbot):
    pane = _pane(qtbot)
    for path in sorted(seeds_dir().iterdir()):
        article = read_article(path)
        head, body = split_body(article.source_text, article.source_format)
        pane.show_document(render(article.title, article.author, "", article.published, body))
        assert pane.plain_text() == article.text


def test_tricky_text_renders_exactly(qtbot):
    pane = _pane(qtbot)
    for source, fmt in ((TRICKY, "markdown"), (TRICKY, "text")):
        article, document = _document(source, fmt)
        pane.show_document(document)
        assert pane.plain_text() == article.text == document.text
    assert "\u00a0" in document.text and "😀" in document.text


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
