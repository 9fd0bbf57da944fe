"""Placing a passage quoted by another tool in an article's text.

Other tools quote a passage as they saw it: Kindle and Readwise write straight quotes
where the page had curly ones, run paragraphs together with a space, drop an ellipsis
or a soft hyphen. A passage is placed, in turn:

1. word for word, with the stored position and context when the tool gave them
   (the anchoring highlights use; "exact");
2. word for word once both texts are folded: quotes, dashes, spaces, ellipses and case
   written one way ("approximate", though it lands on the same words);
3. approximately, allowing a few edits (the anchoring's bounded Levenshtein search;
   "approximate");
4. not at all: the caller keeps the highlight as an orphan.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from reader.annotations import anchoring

EXACT = "exact"
APPROXIMATE = "approximate"

# One character for one (so offsets in the folded text are the original's): the many
# quotes, dashes and spaces written as one each, accented Latin letters as their base
# letter. Case is ignored by the search itself.
_ONE_FOR_ONE = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                    "\u2009\u200a\u202f\u205f\u3000\t\n\r\x0b\x0c\u2028\u2029", " "),
}


def _table() -> dict[int, str]:
    table = {ord(k): v for k, v in _ONE_FOR_ONE.items()}
    for code in range(0xC0, 0x250):
        base = [c for c in unicodedata.normalize("NFKD", chr(code))
                if not unicodedata.combining(c)]
        if len(base) == 1 and base[0] != chr(code) and base[0].isascii():
            table[code] = base[0]
    return table


_TABLE = _table()
_IGNORED = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")  # soft hyphens, zero widths
_ELLIPSIS = re.compile(r"…|\.\.\.")
MAX_HITS = 200


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    how: str  # EXACT or APPROXIMATE


class FoldedText:
    """An article's text, folded for comparison when first needed (offsets unchanged).

    Make one per article and place all its passages in it: most are found word for word
    and never need the folded text.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded: str | None = None

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = self.text.translate(_TABLE)
        return self._folded

    def find(self, quote: str, prefix: str = "", suffix: str = "") -> tuple[int, int] | None:
        """The span of the quote's best occurrence once both are folded, or None.

        Words are compared without case, accents or the kind of quote and dash; any run
        of white space matches any other; "…" and "..." are one; soft hyphens and
        zero-width characters in the quote are ignored.
        """
        pattern = _pattern(quote)
        if pattern is None:
            return None
        hits = []
        for found in pattern.finditer(self.folded):
            hits.append(found.span())
            if len(hits) >= MAX_HITS:
                break
        if not hits:
            return None
        before, after = fold(prefix), fold(suffix)

        def context(span: tuple[int, int]) -> int:
            at, end = span
            score = 0
            if before:
                score += _common_suffix(fold(self.text[max(0, at - 2 * len(before)):at]),
                                        before)
            if after:
                score += _common_prefix(fold(self.text[end:end + 2 * len(after)]), after)
            return -score

        return min(hits, key=context) if (before or after) and len(hits) > 1 else hits[0]


def _pattern(quote: str) -> re.Pattern[str] | None:
    words = _IGNORED.sub("", quote).translate(_TABLE).split()
    if not words:
        return None
    parts = []
    for word in words:
        pieces = _ELLIPSIS.split(word)
        parts.append(r"(?:…|\.\.\.)".join(re.escape(piece) for piece in pieces))
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def fold(text: str) -> str:
    """Text as the search compares it: folded, lower case, its spaces single."""
    return " ".join(_IGNORED.sub("", text).translate(_TABLE).lower().split())


def place(article: FoldedText, quote: str, prefix: str = "", suffix: str = "",
          start: int | None = None, end: int | None = None) -> Placement | None:
    """Where a quoted passage lies in the article's text, and how it was found."""
    text = article.text
    quote = quote.strip()
    if not quote:
        return None
    guess_start = start if start is not None else -1
    guess_end = end if end is not None else -1
    selector = anchoring.TextSelector(guess_start, guess_end, quote, prefix, suffix)
    found = anchoring.anchor(text, selector, fuzzy=False)
    if found is not None:
        return Placement(found.start, found.end, EXACT)
    folded = article.find(quote, prefix, suffix)
    if folded is not None:
        return Placement(*folded, APPROXIMATE)
    selector = anchoring.TextSelector(max(guess_start, 0), max(guess_end, 0), quote,
                                      prefix, suffix)
    found = anchoring.anchor(text, selector)
    if found is not None:
        return Placement(found.start, found.end, APPROXIMATE)
    return None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
