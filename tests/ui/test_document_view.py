"""A Document becomes a QTextDocument holding exactly its text, styled as a reader."""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextDocument, QTextFormat

from reader.document.model import Document
from reader.importing.sources import parse_article, read_article, render, split_body
from reader.paths import seeds_dir
from reader.ui import theme
from reader.ui.document_view import build_text_document

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


def _built(document: Document) -> QTextDocument:
    built = QTextDocument()
    build_text_document(built, document, theme.body_font())
    return built


def _plain(built: QTextDocument) -> str:
    """The text built, with Qt's block and line separators written as newlines."""
    return built.toRawText().replace("\u2029", "\n").replace("\u2028", "\n")


def test_every_seed_builds_exactly_its_canonical_text(qapp):
    for path in sorted(seeds_dir().iterdir()):
        article = read_article(path)
        head, body = split_body(article.source_text, article.source_format)
        document = render(article.title, article.author, "", article.published, body)
        assert _plain(_built(document)) == article.text


def test_tricky_text_builds_exactly(qapp):
    for source, fmt in ((TRICKY, "markdown"), (TRICKY, "text")):
        article, document = _document(source, fmt)
        assert _plain(_built(document)) == article.text == document.text
    assert "\u00a0" in document.text and "😀" in document.text


def test_blocks_get_their_kind_of_format(qapp):
    _article, document = _document(TRICKY)
    built = _built(document)
    blocks = {built.findBlockByNumber(n).text(): built.findBlockByNumber(n)
              for n in range(built.blockCount())}
    title = blocks["“Curly” quotes — and dashes"]
    assert title.charFormat().fontWeight() == QFont.Weight.Bold
    assert title.charFormat().fontPointSize() > theme.body_font().pointSizeF()
    assert blocks["another"].textList() is not None
    assert blocks["nested"].textList() is not blocks["another"].textList()
    assert blocks["a quote\u2028with a break"].charFormat().fontItalic()
    assert blocks["code line"].blockFormat().background().color().name() != "#000000"
    assert any(block.blockFormat().hasProperty(
        QTextFormat.Property.BlockTrailingHorizontalRulerWidth) for block in blocks.values())
    link = next(f for f in _fragments(blocks["Last link."]) if f.text() == "link")
    assert link.charFormat().isAnchor()
    assert link.charFormat().anchorHref() == "https://example.org"


def _fragments(block):
    iterator = block.begin()
    while not iterator.atEnd():
        yield iterator.fragment()
        iterator += 1
