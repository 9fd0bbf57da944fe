"""An article made of a source's highlights, for sources whose text cannot be had.

A Kindle book's text is not in its clippings; its highlights are. Such a source becomes
an article whose body is its passages in reading order, one paragraph each, with the
place the tool gave (location, page, chapter) in a line before it, so that it can be
read, searched, tagged, reviewed and exported like any other article, each passage
highlighted.

The body is written as HTML, not Markdown: a passage is then never read as syntax nor
taken for a byline, and nothing has to be escaped but `<`, `>` and `&`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from reader.importing.sources import HTML, ParsedArticle, parse_content


@dataclass(frozen=True)
class Passage:
    text: str
    location: str = ""
    position: float | None = None


def passage_text(text: str) -> str:
    """A passage as a paragraph of the book shows it: its lines run together."""
    return " ".join(text.split())


def ordered(passages: list[Passage]) -> list[Passage]:
    """Reading order: by position, those without one after, in the order given; the same
    passage (text and place) once."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for passage in passages:
        key = (passage_text(passage.text), passage.location)
        if key not in seen and key[0]:
            seen.add(key)
            unique.append(passage)
    indexed = list(enumerate(unique))
    indexed.sort(key=lambda pair: (pair[1].position is None, pair[1].position or 0, pair[0]))
    return [passage for _, passage in indexed]


def book_article(title: str, author: str, passages: list[Passage], url: str | None = None,
                 tags: tuple[str, ...] = (), source_name: str = "",
                 published: str | None = None) -> tuple[ParsedArticle, list[tuple[int, int]]]:
    """The article of a book's passages (in the order given) and where each lies in its
    text, as (start, end) code-point offsets."""
    parts = []
    for passage in passages:
        if passage.location:
            parts.append(f"<p><em>{escape(passage.location)}</em></p>")
        parts.append(f"<p>{escape(passage_text(passage.text))}</p>")
    parsed = parse_content("\n".join(parts), HTML, title=title, author=author, url=url,
                           tags=tags, source_name=source_name, published=published)
    spans = []
    cursor = 0
    text = parsed.text
    for passage in passages:
        quote = passage_text(passage.text)
        at = text.find(quote, cursor)
        if at == -1:  # the sanitiser changed it (a control character): find it anywhere
            at = text.find(quote)
        if at == -1:
            spans.append((-1, -1))
            continue
        spans.append((at, at + len(quote)))
        cursor = at + len(quote)
    return parsed, spans
