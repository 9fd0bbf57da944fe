"""Full-text search over articles and highlights (SQLite FTS5, porter + unicode61).

What a user types is translated by peewee's `web_query` (quoted phrases, AND/OR,
-exclusion) so that no input can raise an FTS syntax error; the last word is matched
as a prefix, so results follow typing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from typing import Any

from peewee import OperationalError, fn

from reader.search import snippets
from reader.storage.database import LibraryError, Storage

_NOTHING = '""'
# A one-letter prefix matches nearly every word in the index: too slow to be useful.
MIN_PREFIX = 2
SNIPPET_TOKENS = 14


@dataclass(frozen=True)
class ArticleHit:
    article_id: int
    snippet: str


@dataclass(frozen=True)
class HighlightHit:
    highlight_id: int
    article_id: int
    article_title: str
    colour: str
    snippet: str  # from the quote, or from the note when only the note matched


def fts_query(text: str, index: Any) -> str | None:
    """The FTS5 query for what the user typed, or None when it holds nothing to search.

    `index` is the full-text model searched (its columns may be named in the query)."""
    # FTS5 reads a query up to its first NUL and then finds an unterminated phrase.
    text = text.replace("\0", " ").strip()
    if not text:
        return None
    last_word = re.search(r"\w+$", text)
    if last_word and len(last_word.group()) >= MIN_PREFIX:
        text += "*"  # the word being typed matches as a prefix
    query = index.web_query(text)
    return None if query in ("", _NOTHING) else query


class SearchManager:
    """Finds articles and highlights by their words."""

    def __init__(self, store: Storage) -> None:
        self._store = store
        self._m = store.models

    def _article_ids_query(self, text: str, ranked: bool = True) -> Any:
        """The subquery of matching article ids, best match first (or unranked, which is
        much faster for a word in most articles); None for an empty search."""
        index = self._m.ArticleIndex
        query = fts_query(text, index)
        if query is None:
            return None
        matches = index.select(index.rowid).where(index.match(query))
        return matches.order_by(index.bm25(10.0, 5.0, 1.0)) if ranked else matches

    def rows(self, text: str, query: Any) -> list[tuple]:
        """The rows of a full-text query made from the user's `text`, as plain tuples.

        web_query leaves nothing FTS5 rejects in any input tried (the tests try hostile
        and random text); should FTS5 still refuse one, the user is told which search
        failed and why, instead of seeing an empty list."""
        try:
            return self._store.query_rows(query)
        except OperationalError as exc:
            raise LibraryError(f"Cannot search for {text!r}: {exc}.") from exc

    def articles(self, text: str, limit: int = 200) -> list[ArticleHit]:
        """Matching articles with a snippet of each match, best first."""
        matches = self._article_ids_query(text)
        if matches is None:
            return []
        ids = [rowid for (rowid,) in self.rows(text, matches.limit(limit))]
        found = self.snippets(text, ids)
        return [ArticleHit(i, found.get(i, "")) for i in ids]

    def snippets(self, text: str, article_ids: list[int]) -> dict[int, str]:
        """A line of each of these articles around the search's first match (for the list
        rows on screen), built from their texts: see reader.search.snippets."""
        if fts_query(text, self._m.ArticleIndex) is None or not article_ids:
            return {}
        wanted = snippets.terms(text, MIN_PREFIX)
        found = {}
        for start in range(0, len(article_ids), 500):  # under SQLite's variable limit
            chunk = article_ids[start:start + 500]
            for article_id, body in self._store.rows(
                    f"SELECT id, text FROM article WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk):
                found[article_id] = snippets.snippet(body, wanted)
        return found

    def highlights(self, text: str, limit: int = 200) -> list[HighlightHit]:
        """Highlights whose quote or note matches, best first."""
        m = self._m
        index = m.HighlightIndex
        query = fts_query(text, index)
        if query is None:
            return []
        quote = fn.snippet(index._meta.entity, 0, "", "", "…", SNIPPET_TOKENS)
        note = fn.snippet(index._meta.entity, 1, "", "", "…", SNIPPET_TOKENS)
        rows = (index
                .select(index.rowid, m.Highlight.article, m.Article.title, m.Highlight.colour,
                        quote, note, index.note)
                .join(m.Highlight, on=(m.Highlight.id == index.rowid))
                .join(m.Article, on=(m.Article.id == m.Highlight.article))
                .where(index.match(query))
                .order_by(index.bm25()).limit(limit))
        hits = []
        for highlight_id, article_id, title, colour, in_quote, in_note, _ in self.rows(text, rows):
            # snippet() falls back to the start of the column when that column did not match.
            matched_note = in_note and in_note != (in_quote or "")
            hits.append(HighlightHit(highlight_id, article_id, title, colour,
                                     _one_line(in_quote if not matched_note else in_note)))
        return hits


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())
