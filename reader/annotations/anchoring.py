"""Re-anchoring of highlights: find where a stored text selector lies in a (changed) text.

A highlight remembers its passage the way the W3C Web Annotation model does, with a
TextPositionSelector (start, end) and a TextQuoteSelector (exact, prefix, suffix), all
over the article's canonical text; offsets are code-point offsets (Python indices).
When the text changes, ``anchor`` places the passage again, trying in turn:

1. the stored position, if the text there is still the exact quote;
2. the exact quote anywhere, the best occurrence chosen by how closely the text around
   it matches the stored prefix/suffix, then by nearness to the old start;
3. an approximate match of the quote with at most ``max_errors(len(quote))`` edits
   (Levenshtein distance, computed by rapidfuzz), again weighed with the context;
4. nothing: ``None``, and the caller keeps the highlight as orphaned.

The approximate search never scans the text cell by cell in Python: the quote is cut
into ``k + 1`` pieces, and by the pigeonhole principle a match with at most ``k`` edits
holds one piece unchanged, so ``str.find`` of the pieces yields the few places worth
aligning. There the span's ends are chosen to minimise the edits from the quote plus
those of the text around it from the stored prefix and suffix, so a word inserted into or
removed from the passage moves the end with it, and the span stops where the old context
resumes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

CONTEXT_CHARS = 32
MIN_FUZZY_CHARS = 4  # shorter quotes are placed only by position or exact match
MAX_ERRORS = 40  # cap on the edits an approximate match may need
MAX_FUZZY_CANDIDATES = 32  # regions aligned in detail, the best-supported first


@dataclass(frozen=True)
class TextSelector:
    """A passage of a text: its position, its exact quote and the text around it."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Anchor:
    """Where a selector was placed, and how: "position", "quote" or "fuzzy"."""

    start: int
    end: int
    method: str


def describe(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> TextSelector:
    """Selector for text[start:end]; raises ValueError for an empty or out-of-range span."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}..{end} is empty or outside a text of {len(text)}")
    if context < 0:
        raise ValueError(f"context must not be negative, got {context}")
    return TextSelector(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )


def max_errors(length: int) -> int:
    """Most edits an approximate match of a quote this long may need (0: never fuzzy)."""
    if length < MIN_FUZZY_CHARS:
        return 0
    return min(length // 4, MAX_ERRORS)


def anchor(text: str, selector: TextSelector, fuzzy: bool = True) -> Anchor | None:
    """Where the selector's passage lies in text, or None when it cannot be placed
    (without `fuzzy`, only where its quote is found word for word)."""
    exact = selector.exact
    if not exact:
        return None
    start, end = selector.start, selector.end
    if 0 <= start <= end <= len(text) and text[start:end] == exact:
        return Anchor(start, end, "position")

    hits = _occurrences(text, exact)
    if hits:
        best = min(
            hits,
            key=lambda s: (_context_cost(text, selector, s, s + len(exact)), abs(s - start)),
        )
        return Anchor(best, best + len(exact), "quote")

    span = _fuzzy(text, selector) if fuzzy else None
    return None if span is None else Anchor(span[0], span[1], "fuzzy")


def _distance(a: str, b: str, score_cutoff: int | None = None) -> int:
    # rapidfuzz is imported when a highlight first needs fuzzy anchoring, not at start-up.
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b, score_cutoff=score_cutoff)


def _occurrences(text: str, needle: str) -> list[int]:
    """Every start of needle in text, overlapping ones included."""
    found = []
    pos = text.find(needle)
    while pos != -1:
        found.append(pos)
        pos = text.find(needle, pos + 1)
    return found


def _context_cost(text: str, selector: TextSelector, start: int, end: int) -> int:
    """Edits between the stored prefix/suffix and the text around start..end."""
    return _prefix_cost(text, selector, start) + _suffix_cost(text, selector, end)


def _width(selector: TextSelector) -> int:
    # The longer of the two is the context the selector was made with (the other one
    # is short only where the passage sat at the text's start or end).
    return max(len(selector.prefix), len(selector.suffix))


def _prefix_cost(text: str, selector: TextSelector, start: int) -> int:
    return _distance(selector.prefix, text[max(0, start - _width(selector)) : start])


def _suffix_cost(text: str, selector: TextSelector, end: int) -> int:
    return _distance(selector.suffix, text[end : end + _width(selector)])


def _fuzzy(text: str, selector: TextSelector) -> tuple[int, int] | None:
    """The best approximate placement of the quote, weighed with its context."""
    exact = selector.exact
    k = max_errors(len(exact))
    if k == 0 or not text:
        return None
    best: tuple[int, int, int, int] | None = None  # (cost, distance from old start, s, e)
    placed: list[int] = []
    for votes, s0 in _candidates(text, exact, k, selector.start):
        # At least k + 1 - votes pieces are broken here, so as many edits at least; and
        # a start within k of a placed one, with fewer votes, is the same match again.
        if best is not None and k + 1 - votes > best[0]:
            continue
        if any(abs(s0 - p) <= k for p in placed):
            continue
        found = _align(text, selector, k, s0)
        if found is None:
            continue
        placed.append(found[0])
        s, e = _snap(text, selector, k, *found)
        cost = _distance(exact, text[s:e]) + _context_cost(text, selector, s, e)
        key = (cost, abs(s - selector.start), s, e)
        if best is None or key < best:
            best = key
    return None if best is None else (best[2], best[3])


def _candidates(text: str, exact: str, k: int, old_start: int) -> list[tuple[int, int]]:
    """Likely starts of the quote with at most k edits, as (votes, start) pairs.

    The quote is cut into k + 1 pieces and every exact occurrence of a piece proposes a
    start (a "diagonal"). The diagonals found by the most pieces come first. A match
    with d edits keeps k + 1 - d pieces intact, all within 2k of each other's diagonals,
    so the votes (distinct pieces within 2k of a start) bound its edits from below.
    """
    parts = k + 1
    size, extra = divmod(len(exact), parts)
    hits: list[tuple[int, int]] = []  # (diagonal, piece index)
    offset = 0
    for index in range(parts):
        piece = exact[offset : offset + size + (index < extra)]
        hits.extend((pos - offset, index) for pos in _occurrences(text, piece))
        offset += len(piece)
    support = Counter(diagonal for diagonal, _ in hits)
    best = sorted(support, key=lambda d: (-support[d], abs(d - old_start)))
    hits.sort()
    diagonals = [diagonal for diagonal, _ in hits]
    seeds = []
    for diagonal in best[:MAX_FUZZY_CANDIDATES]:
        lo = bisect_left(diagonals, diagonal - 2 * k)
        near = hits[lo : bisect_right(diagonals, diagonal + 2 * k, lo)]
        seeds.append((len({piece for _, piece in near}), diagonal))
    return seeds


def _align(text: str, selector: TextSelector, k: int, s0: int) -> tuple[int, int] | None:
    """The span near a start guess that best fits the quote (at most k edits) and context.

    Alternately fixes one end and picks the best other end, within k of where the
    quote's length puts it, until neither moves: a few hundred C-level distance calls.
    The cost of a span is its edits from the quote plus those of the context around it.
    """
    length = len(selector.exact)
    s = min(max(s0, 0), len(text) - 1)
    # The guess may be off by up to k, so the first span may need up to 2k edits.
    e = _best_end(text, selector, s, k, 2 * k, s + length)
    if e is None:
        return None
    for _ in range(4):
        new_s = _best_start(text, selector, e, k, s)
        new_e = None if new_s is None else _best_end(text, selector, new_s, k, k, e)
        if new_s is None or new_e is None:
            return None
        if (new_s, new_e) == (s, e):
            break
        s, e = new_s, new_e
    return s, e


def _best_end(
    text: str, selector: TextSelector, s: int, k: int, cutoff: int, hint: int
) -> int | None:
    """The best end for a span from s: least cost, then length nearest the quote's."""
    exact, length = selector.exact, len(selector.exact)
    best = None
    for e in range(max(s + 1, s + length - k), min(len(text), s + length + k) + 1):
        dist = _distance(exact, text[s:e], score_cutoff=cutoff)
        if dist <= cutoff:
            cost = dist + _suffix_cost(text, selector, e)
            key = (cost, abs(e - s - length), abs(e - hint), e)
            best = key if best is None or key < best else best
    return None if best is None else best[-1]


def _best_start(text: str, selector: TextSelector, e: int, k: int, hint: int) -> int | None:
    """The best start for a span to e: least cost, then length nearest the quote's."""
    exact, length = selector.exact, len(selector.exact)
    best = None
    for s in range(max(0, e - length - k), min(e - 1, e - length + k) + 1):
        dist = _distance(exact, text[s:e], score_cutoff=k)
        if dist <= k:
            cost = dist + _prefix_cost(text, selector, s)
            key = (cost, abs(e - s - length), abs(s - hint), s)
            best = key if best is None or key < best else best
    return None if best is None else best[-1]


def _snap(text: str, selector: TextSelector, k: int, s: int, e: int) -> tuple[int, int]:
    """Tidy the ends of an approximate span without making it fit worse.

    Where the quote began (ended) at a word boundary, an end cut inside a word may move
    out to the word's edge or back past it; spaces the quote has not at its ends may be
    dropped. A span that does not end inside a word wins over one that does (moving an
    end across part of a word may cost those letters in edits); then the span of least
    cost (edits of quote and context), the tidied one on a tie.
    """
    exact, n = selector.exact, len(text)
    starts, ends = {s}, {e}
    if exact[0].isalnum() and not selector.prefix[-1:].isalnum() and 0 < s < n:
        if text[s - 1].isalnum() and text[s].isalnum():
            starts.add(_skip(text, s, -1, str.isalnum))
            starts.add(_skip(text, _skip(text, s, 1, str.isalnum), 1, str.isspace))
    if not selector.suffix[:1].isalnum() and 0 < e < n:
        if text[e - 1].isalnum() and text[e].isalnum():
            ends.add(_skip(text, e, 1, str.isalnum))
            ends.add(_skip(text, _skip(text, e, -1, str.isalnum), -1, str.isspace))
    if not exact[0].isspace():
        starts.add(_skip(text, s, 1, str.isspace))
    if not exact[-1].isspace():
        ends.add(_skip(text, e, -1, str.isspace))
    best = None
    for ns in starts:
        for ne in ends:
            if ns >= ne:
                continue
            # Completing (or dropping) a word the match cut may cost those letters more.
            allowed = k + abs(ne - e)
            dist = _distance(exact, text[ns:ne], score_cutoff=allowed)
            if dist <= allowed:
                cost = dist + _context_cost(text, selector, ns, ne)
                # A highlight never ends inside a word the quote did not cut: whole words
                # first, then the fit.
                cut = _cuts_word(text, ne) and not (exact[-1].isalnum()
                                                    and selector.suffix[:1].isalnum())
                key = (cut, cost, -((ns != s) + (ne != e)), ns, ne)
                best = key if best is None or key < best else best
    return (s, e) if best is None else (best[3], best[4])


def _cuts_word(text: str, end: int) -> bool:
    return 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum()


def _skip(text: str, pos: int, step: int, test: Callable[[str], bool]) -> int:
    """Move pos forward (step 1) or back (step -1) over characters that pass test."""
    if step > 0:
        while pos < len(text) and test(text[pos]):
            pos += 1
    else:
        while pos > 0 and test(text[pos - 1]):
            pos -= 1
    return pos
