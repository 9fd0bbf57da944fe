"""Writes a rendered document back out as Markdown (for `marginalia show --format markdown`)."""

from __future__ import annotations

import re

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
    Span,
)
from reader.export.markdown_safe import escape_inline


def to_markdown(document: Document) -> str:
    """CommonMark for the document: its text escaped, its styles, links and structure kept."""
    out: list[str] = []
    code: list[str] = []
    for block in document.blocks:
        if block.kind == CODE:
            code.append(block.text)
            continue
        if code:
            out.append(_fence(code))
            code = []
        out.append(_block(block))
    if code:
        out.append(_fence(code))
    return "\n\n".join(out) + "\n"


def _fence(lines: list[str]) -> str:
    fence = "```"
    while any(fence in line for line in lines):
        fence += "`"
    return "\n".join([fence, *lines, fence])


def _block(block: Block) -> str:
    text = "".join(_span(span) for span in block.spans)
    if block.kind == TITLE:
        return "# " + text
    if block.kind == BYLINE:
        return "*" + text + "*"
    if block.kind == HEADING:
        return "#" * min(6, block.level + 1) + " " + text
    if block.kind == QUOTE:
        return "\n".join("> " * block.level + line for line in text.split("\n"))
    if block.kind == LIST_ITEM:
        indent = "   " * (block.level - 1)
        marker = ("1. " if block.ordered else "- ") if block.item_start else "   "
        return indent + marker + text
    if block.kind == RULE:
        return "---"
    return text


def _span(span: Span) -> str:
    if span.code:
        ticks = "`" * (max((len(run) for run in re.findall(r"`+", span.text)), default=0) + 1)
        pad = " " if span.text.startswith("`") or span.text.endswith("`") else ""
        return f"{ticks}{pad}{span.text}{pad}{ticks}"
    # A hard line break inside a paragraph is a backslash at the end of the line.
    text = "\\\n".join(escape_inline(part) for part in span.text.split(LINE_BREAK))
    if not text.strip():
        return text
    if span.bold:
        text = f"**{text}**"
    if span.italic:
        text = f"*{text}*"
    if span.link and span.link.startswith(("http://", "https://", "mailto:")):
        text = f"[{text}](<{span.link}>)"
    return text
