"""Sanitised article HTML as document blocks, laid out the way a browser would."""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser

from reader.document.model import (
    CODE,
    HEADING,
    LINE_BREAK,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    RULE,
    Block,
    Span,
    merge_spans,
)
from reader.importing.html_sanitise import _DROPPED_WITH_CONTENT, safe_link

_WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses; not NBSP


def parse_html(sanitised_html: str) -> list[Block]:
    """Blocks of sanitised article HTML (as `extract_article` or `sanitise` produce).

    An import reads the same article twice (to count its words, then to render it): the
    last few results are kept (blocks are frozen; each caller gets its own list)."""
    return list(_parse_html(sanitised_html))


@lru_cache(maxsize=4)
def _parse_html(sanitised_html: str) -> tuple[Block, ...]:
    walker = _HtmlWalker()
    if not _walk_canonical(walker, sanitised_html):
        walker = _HtmlWalker()
        walker.feed(sanitised_html)
        walker.close()
    walker.flush()
    return tuple(walker.blocks)


# The HTML nh3 writes: lowercase tags, attributes as name="value", every "<" in text
# escaped, no comments or declarations. For it, these give exactly the calls
# html.parser makes (its tags and attribute names lowercased, charrefs converted).
_CANONICAL_TOKEN = re.compile(
    r'<(/?)([a-z][a-z0-9]*)((?: [a-z][a-z0-9-]*="[^"<>]*")*)>|([^<]+)')
_CANONICAL_ATTRIBUTE = re.compile(r' ([a-z][a-z0-9-]*)="([^"]*)"')


def _walk_canonical(walker: _HtmlWalker, html: str) -> bool:
    """Feed `walker` the calls html.parser would make for `html`, when `html` is in the
    canonical form sanitised HTML takes; False (with the walker half fed, to be thrown
    away) as soon as it is not, for html.parser to read it instead."""
    position = 0
    for match in _CANONICAL_TOKEN.finditer(html):
        if match.start() != position:
            return False
        position = match.end()
        closing, tag, attributes, text = match.groups()
        if text is not None:
            walker.handle_data(unescape(text) if "&" in text else text)
        elif tag in _RAW_TEXT or (closing and attributes):
            return False  # html.parser reads these differently (as raw text, or not at all)
        elif closing:
            walker.handle_endtag(tag)
        else:
            walker.handle_starttag(tag, [
                (name, unescape(value) if value else value)
                for name, value in _CANONICAL_ATTRIBUTE.findall(attributes)])
    return position == len(html)


_BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "pre", "hr",
    "table", "thead", "tbody", "tfoot", "tr", "div", "section", "article",
    "figure", "figcaption", "dl", "dt", "dd", "caption", "header", "footer", "main",
})
_SKIPPED = _DROPPED_WITH_CONTENT | {"head"}
# Elements whose content some version of html.parser reads as raw text; sanitised HTML
# has none (their content is dropped with them).
_RAW_TEXT = _SKIPPED
_CELL_SEPARATOR = " | "
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


class _HtmlWalker(HTMLParser):
    """Walks sanitised HTML like a browser lays it out: block boundaries end a block,
    runs of whitespace are one space, and <br> is a line break inside a block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._spans: list[Span] = []
        self._bold = self._italic = self._code = 0
        self._links: list[str | None] = []
        self._lists: list[bool] = []  # ordered? for each open list
        self._item_fresh = False
        self._quote_depth = 0
        self._heading_level = 0
        self._pre_depth = 0
        self._pre_text: list[str] = []
        self._skip_depth = 0
        self._cells_in_row = 0
        self._cell_pending = False

    # Tags.

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
            return
        if self._pre_depth:
            if tag == "pre":
                self._pre_depth += 1
            elif tag == "br":
                self._pre_text.append("\n")
            return
        if tag in _BLOCK_TAGS:
            self.flush()
        if tag in _HEADINGS:
            self._heading_level = int(tag[1])
        elif tag in ("ul", "ol"):
            self._lists.append(tag == "ol")
        elif tag == "li":
            self._item_fresh = True
        elif tag == "blockquote":
            self._quote_depth += 1
        elif tag == "pre":
            self._pre_depth = 1
            self._pre_text = []
        elif tag == "hr":
            self.blocks.append(Block(RULE))
        elif tag == "tr":
            self._cells_in_row = 0
        elif tag in ("td", "th"):
            self._cell_pending = self._cells_in_row > 0
            self._cells_in_row += 1
            self._bold += int(tag == "th")
        elif tag in ("b", "strong"):
            self._bold += 1
        elif tag in ("i", "em"):
            self._italic += 1
        elif tag == "code":
            self._code += 1
        elif tag == "a":
            self._links.append(safe_link(dict(attrs).get("href") or ""))
        elif tag == "br":
            self._line_break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._pre_depth:
            if tag == "pre":
                self._pre_depth -= 1
                if not self._pre_depth:
                    self._flush_code()
            return
        if tag in _BLOCK_TAGS:
            self.flush()
        if tag in _HEADINGS:
            self._heading_level = 0
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "li":
            self._item_fresh = False
        elif tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
        elif tag in ("b", "strong", "th"):
            self._bold = max(0, self._bold - 1)
        elif tag in ("i", "em"):
            self._italic = max(0, self._italic - 1)
        elif tag == "code":
            self._code = max(0, self._code - 1)
        elif tag == "a" and self._links:
            self._links.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    # Text.

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            self._pre_text.append(data)
            return
        text = _WHITESPACE.sub(" ", data) if _uncollapsed(data) else data
        if self._at_line_start() or self._ends_with_space():
            text = text.lstrip(" ")
        if not text:
            return
        if self._cell_pending and text.strip():
            self._trim_trailing_space()
            self._spans.append(Span(_CELL_SEPARATOR))
            text = text.lstrip(" ")
            self._cell_pending = False
        self._spans.append(Span(text, bold=self._bold > 0, italic=self._italic > 0,
                                code=self._code > 0, link=self._links[-1] if self._links else None))

    def _line_break(self) -> None:
        self._trim_trailing_space()
        if self._spans and self._spans[-1].text.endswith(LINE_BREAK):
            # Two breaks in a row are how old pages separate paragraphs.
            self._spans[-1] = _restyle(self._spans[-1], self._spans[-1].text[:-1])
            self.flush()
        else:
            self._spans.append(Span(LINE_BREAK))

    def _at_line_start(self) -> bool:
        return not self._spans or self._spans[-1].text.endswith(LINE_BREAK)

    def _ends_with_space(self) -> bool:
        return bool(self._spans) and self._spans[-1].text.endswith(" ")

    def _trim_trailing_space(self) -> None:
        while self._spans and self._spans[-1].text.endswith(" "):
            last = self._spans.pop()
            if last.text.rstrip(" "):
                self._spans.append(_restyle(last, last.text.rstrip(" ")))
                break

    # Blocks.

    def flush(self) -> None:
        """End the block being collected, if it holds any text."""
        spans, self._spans = self._spans, []
        self._cell_pending = False
        merged = list(merge_spans(spans))
        # Spaces and line breaks at either end of a block show nothing.
        while merged and not merged[-1].text.strip(" \n"):
            merged.pop()
        while merged and not merged[0].text.strip(" \n"):
            merged.pop(0)
        if merged:
            merged[0] = _restyle(merged[0], merged[0].text.lstrip(" \n"))
            merged[-1] = _restyle(merged[-1], merged[-1].text.rstrip(" \n"))
        if not "".join(span.text for span in merged).strip():
            return
        content = tuple(merged)
        if self._heading_level:
            self.blocks.append(Block(HEADING, content, level=self._heading_level))
        elif self._lists:
            self.blocks.append(Block(LIST_ITEM, content, level=len(self._lists),
                                     ordered=self._lists[-1], item_start=self._item_fresh))
            self._item_fresh = False
        elif self._quote_depth:
            self.blocks.append(Block(QUOTE, content, level=self._quote_depth))
        else:
            self.blocks.append(Block(PARAGRAPH, content))

    def _flush_code(self) -> None:
        text = "".join(self._pre_text).replace("\r\n", "\n").replace("\r", "\n")
        self._pre_text = []
        # A newline straight after <pre> is not content (the HTML parsing rules drop it).
        text = text.removeprefix("\n").rstrip("\n")
        if not text.strip():
            return
        for line in text.split("\n"):
            self.blocks.append(Block(CODE, (Span(line, code=True),) if line else ()))


def _uncollapsed(text: str) -> bool:
    """Whether some run of the whitespace HTML collapses in `text` is other than one space.

    Most text has none, and looking is far quicker than replacing every space by itself."""
    return ("\n" in text or "  " in text or "\t" in text or "\r" in text
            or "\f" in text)


def _restyle(span: Span, text: str) -> Span:
    """`text` in the style of `span`."""
    return Span(text, span.bold, span.italic, span.code, span.link)
