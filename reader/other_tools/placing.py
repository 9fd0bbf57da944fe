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

import unicodedata
from dataclasses import dataclass

from reader.annotations import anchoring

EXACT = "exact"
APPROXIMATE = "approximate"

_FOLD = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
    "\u00ad": "",  # soft hyphen
    "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
}


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    how: str  # EXACT or APPROXIMATE


class FoldedText:
    """A text folded for comparison, with the way back to the original's offsets.

    Folding an article costs a pass over it; make one per article and place all its
    passages in it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        chars: list[str] = []
        origin: list[int] = []  # for each folded character, the original's index
        space = True  # drop leading space, and fold runs of it to one
        for index, char in enumerate(text):
            for out in fold_char(char):
                if out == " ":
                    if space:
                        continue
                    space = True
                else:
                    space = False
                chars.append(out)
                origin.append(index)
        self.folded = "".join(chars)
        self.origin = origin

    def find(self, quote: str, prefix: str = "", suffix: str = "") -> tuple[int, int] | None:
        """The original span of the folded quote's best occurrence, or None."""
        needle = fold(quote)
        if not needle:
            return None
        hits = []
        at = self.folded.find(needle)
        while at != -1 and len(hits) < 200:
            hits.append(at)
            at = self.folded.find(needle, at + 1)
        if not hits:
            return None
        before, after = fold(prefix), fold(suffix)

        def context(at: int) -> int:
            score = 0
            if before:
                score += _common_suffix(self.folded[max(0, at - len(before)):at], before)
            if after:
                end = at + len(needle)
                score += _common_prefix(self.folded[end:end + len(after)], after)
            return -score

        best = min(hits, key=context)
        last = best + len(needle) - 1
        return self.origin[best], self.origin[last] + 1


def fold_char(char: str) -> str:
    if char in _FOLD:
        return _FOLD[char]
    if char.isspace():
        return " "
    if char.isascii():
        return char.lower()
    # Accents off, ligatures apart ("ﬁ" is "fi"), then lower case.
    return "".join(c for c in unicodedata.normalize("NFKD", char)
                   if not unicodedata.combining(c)).lower()


def fold(text: str) -> str:
    return " ".join("".join(fold_char(c) for c in text).split())


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
