"""An article as the reading pane shows it: blocks of styled spans, and its canonical text.

The canonical text is the blocks' texts joined by newlines. Highlights are anchored by
code-point offsets into it, and the reading pane must show exactly this text, so
everything that renders an article goes through `Document`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

# Block kinds.
TITLE = "title"
BYLINE = "byline"
HEADING = "heading"
PARAGRAPH = "paragraph"
QUOTE = "quote"
LIST_ITEM = "list_item"
CODE = "code"
RULE = "rule"

BLOCK_KINDS = frozenset({TITLE, BYLINE, HEADING, PARAGRAPH, QUOTE, LIST_ITEM, CODE, RULE})

LINE_BREAK = "\n"  # a hard line break inside a block (Qt shows it as U+2028)

# Characters outside the Basic Multilingual Plane: two UTF-16 code units each.
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


@dataclass(frozen=True)
class Span:
    """A run of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None


@dataclass(frozen=True)
class Block:
    """One paragraph-like unit: a title, a heading, a paragraph, a list item, ..."""

    kind: str
    spans: tuple[Span, ...] = ()
    level: int = 0  # heading level, or list / quote depth
    ordered: bool = False  # list items: numbered rather than bulleted
    item_start: bool = True  # list items: first paragraph of its item (gets the bullet)

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True)
class Document:
    """The rendered article: its blocks, in order."""

    blocks: tuple[Block, ...]
    text: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", "\n".join(block.text for block in self.blocks))

    def block_starts(self) -> list[int]:
        """The code-point offset at which each block begins in `text`."""
        starts, offset = [], 0
        for block in self.blocks:
            starts.append(offset)
            offset += len(block.text) + 1
        return starts


def merge_spans(spans: list[Span]) -> tuple[Span, ...]:
    """Join neighbouring spans of the same style and drop empty ones."""
    merged: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if merged and _same_style(merged[-1], span):
            merged[-1] = Span(merged[-1].text + span.text, span.bold, span.italic, span.code, span.link)
        else:
            merged.append(span)
    return tuple(merged)


def _same_style(a: Span, b: Span) -> bool:
    return (a.bold, a.italic, a.code, a.link) == (b.bold, b.italic, b.code, b.link)


class Utf16Map:
    """Converts between Python code-point offsets and Qt's UTF-16 code-unit offsets.

    Only characters outside the Basic Multilingual Plane (emoji, some CJK) take two
    UTF-16 units, so the map keeps just their positions.
    """

    def __init__(self, text: str) -> None:
        # A regex scan runs in C: ~30x faster than testing each character in Python, which
        # took 12 ms on a long article every time it was opened.
        self._astral = [match.start() for match in _ASTRAL.finditer(text)]
        # UTF-16 offset of each astral character's first unit.
        self._astral_utf16 = [i + n for n, i in enumerate(self._astral)]
        self._length = len(text)

    def to_utf16(self, offset: int) -> int:
        """UTF-16 offset of code-point offset `offset`."""
        return offset + bisect_right(self._astral, offset - 1)

    def to_codepoint(self, offset: int) -> int:
        """Code-point offset of UTF-16 offset `offset` (inside a surrogate pair: its start)."""
        before = bisect_right(self._astral_utf16, offset - 1)
        if before and offset == self._astral_utf16[before - 1] + 1:
            # Between the two halves of a surrogate pair: snap back to the character.
            return self._astral[before - 1]
        return offset - before

    @property
    def utf16_length(self) -> int:
        return self._length + len(self._astral)
