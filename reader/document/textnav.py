"""Word and sentence steps through the canonical text, for selecting from the keyboard.

Offsets are code points. A paragraph break (newline) always ends a sentence, and a
selection grown by these steps never crosses the limit it is given.
"""

from __future__ import annotations

import re

# A sentence ends at . ! ? or … with any closing quotes or brackets after it, when
# followed by white space or the end of the paragraph.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)|(?=\n)")


def grow_word(text: str, end: int, limit: int | None = None) -> int:
    """The end of the next word after `end` (the spaces before it included)."""
    limit = len(text) if limit is None else limit
    pos = end
    while pos < limit and text[pos].isspace():
        pos += 1
    while pos < limit and not text[pos].isspace():
        pos += 1
    return pos


def shrink_word(text: str, end: int, anchor: int) -> int:
    """The end of the word before the last one in anchor..end (never before anchor)."""
    pos = end
    while pos > anchor and text[pos - 1].isspace():
        pos -= 1
    while pos > anchor and not text[pos - 1].isspace():
        pos -= 1
    while pos > anchor and text[pos - 1].isspace():
        pos -= 1
    return pos


def sentence_ends(text: str, start: int, stop: int) -> list[int]:
    """Offsets just after each sentence end within text[start:stop]."""
    return [m.end() for m in _SENTENCE_END.finditer(text, start, stop) if m.end() > start]


def grow_sentence(text: str, end: int, limit: int | None = None) -> int:
    """The end of the sentence after `end`: the next sentence end beyond it, or limit."""
    limit = len(text) if limit is None else limit
    # Skip the space after the current end so that a finished sentence is not found again.
    pos = end
    while pos < limit and text[pos] in " \t":
        pos += 1
    ends = [e for e in sentence_ends(text, pos, limit) if e > end]
    return ends[0] if ends else limit


def shrink_sentence(text: str, end: int, anchor: int) -> int:
    """The previous sentence end before `end`, or anchor when there is none."""
    ends = [e for e in sentence_ends(text, anchor, end) if anchor < e < end]
    return ends[-1] if ends else anchor


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space at either edge."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
