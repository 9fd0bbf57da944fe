"""Builds a QTextDocument from the core's Document: its blocks, lists and formats."""

from __future__ import annotations

from PySide6.QtGui import (
    QColor,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextListFormat,
)

from reader.document.model import (
    BYLINE,
    CODE,
    HEADING,
    LINE_BREAK,
    LIST_ITEM,
    QUOTE,
    RULE,
    TITLE,
    Block,
    Document,
)
from reader.ui import theme
from reader.ui.plain import tooltip


def build_text_document(doc: QTextDocument, document: Document, body_font: QFont) -> None:
    """Fill a QTextDocument with the blocks; its raw text equals `document.text`."""
    doc.clear()
    doc.setDefaultFont(body_font)
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    lists: dict[int, object] = {}
    for index, block in enumerate(document.blocks):
        block_format, char_format = _formats(block, body_font)
        if index == 0:
            cursor.setBlockFormat(block_format)
            cursor.setBlockCharFormat(char_format)
        else:
            cursor.insertBlock(block_format, char_format)
        if block.kind == LIST_ITEM:
            _add_to_list(cursor, block, lists)
        else:
            lists.clear()
        for span in block.spans:
            cursor.insertText(span.text.replace(LINE_BREAK, "\u2028"), _span_format(span, char_format))
    cursor.endEditBlock()


def _formats(block: Block, body_font: QFont) -> tuple[QTextBlockFormat, QTextCharFormat]:
    size = body_font.pointSizeF()
    block_format = QTextBlockFormat()
    block_format.setLineHeight(theme.LINE_HEIGHT_PERCENT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    block_format.setBottomMargin(size * 0.9)
    char = QTextCharFormat()
    char.setFont(body_font)
    char.setForeground(QColor(theme.TEXT))
    kind = block.kind
    if kind == TITLE:
        char.setFontPointSize(size * 1.75)
        char.setFontWeight(QFont.Weight.Bold)
        block_format.setLineHeight(120, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        block_format.setBottomMargin(size * 0.5)
    elif kind == BYLINE:
        char.setFontPointSize(size * 0.9)
        char.setForeground(QColor(theme.MUTED))
        block_format.setBottomMargin(size * 2.2)
    elif kind == HEADING:
        char.setFontPointSize(size * max(1.05, 1.5 - 0.15 * (block.level - 1)))
        char.setFontWeight(QFont.Weight.Bold)
        block_format.setTopMargin(size * 1.2)
        block_format.setBottomMargin(size * 0.5)
    elif kind == QUOTE:
        block_format.setLeftMargin(size * 1.6 * block.level)
        char.setForeground(QColor(theme.QUOTE))
        char.setFontItalic(True)
    elif kind == CODE:
        char.setFont(theme.code_font(size * 0.85))
        char.setForeground(QColor(theme.TEXT))
        block_format.setBackground(QColor(theme.CODE_BACKGROUND))
        block_format.setBottomMargin(0)
        block_format.setLineHeight(100, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    elif kind == LIST_ITEM:
        block_format.setBottomMargin(size * 0.4)
    elif kind == RULE:
        block_format.setProperty(QTextFormat.Property.BlockTrailingHorizontalRulerWidth, 1)
    return block_format, char


def _add_to_list(cursor: QTextCursor, block: Block, lists: dict[int, object]) -> None:
    for deeper in [level for level in lists if level > block.level]:
        del lists[deeper]
    if not block.item_start:
        fmt = cursor.blockFormat()
        fmt.setIndent(block.level)
        cursor.setBlockFormat(fmt)
        return
    text_list = lists.get(block.level)
    if text_list is None:
        list_format = QTextListFormat()
        list_format.setIndent(block.level)
        list_format.setStyle(
            QTextListFormat.Style.ListDecimal if block.ordered else QTextListFormat.Style.ListDisc
        )
        lists[block.level] = cursor.createList(list_format)
    else:
        text_list.add(cursor.block())


def _span_format(span, base: QTextCharFormat) -> QTextCharFormat:
    fmt = QTextCharFormat(base)
    if span.bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    if span.italic:
        fmt.setFontItalic(not base.fontItalic())
    if span.code:
        fmt.setFont(theme.code_font(base.fontPointSize() * 0.88 or 11))
    if span.link:
        fmt.setAnchor(True)
        fmt.setAnchorHref(span.link)
        fmt.setForeground(QColor(theme.LINK))
        fmt.setFontUnderline(True)
        fmt.setToolTip(tooltip(span.link))
    return fmt
