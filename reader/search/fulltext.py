"""Full-text search over articles and highlights (SQLite FTS5, porter + unicode61).

The statements and the translation of what a user types are reader.reads' (shared with
the command line's lean read path); this manager runs them on the library and hands
out records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import OperationalError

from reader import reads
from reader.reads import ARTICLE_COLUMNS, MIN_PREFIX, SNIPPET_TOKENS, fts_query
from reader.storage.database import LibraryError, Storage

__all__ = ["ARTICLE_COLUMNS", "MIN_PREFIX", "SNIPPET_TOKENS", "ArticleHit", "HighlightHit",
           "SearchManager", "fts_query"]


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


class SearchManager:
    """Finds articles and highlights by their words."""

    def __init__(self, store: Storage) -> None:
        self._store = store
        self._m = store.models

    def _article_ids_query(self, text: str, ranked: bool = True) -> Any:
        """The subquery of matching article ids, best match first (or unranked, which is
        much faster for a word in most articles); None for an empty search."""
        index = self._m.ArticleIndex
        query = reads.fts_query(text, ARTICLE_COLUMNS)
        if query is None:
            return None
        matches = index.select(index.rowid).where(index.match(query))
        return matches.order_by(index.bm25(*reads.ARTICLE_WEIGHTS)) if ranked else matches

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
        ids = self._run(reads.search_article_ids, text, limit)
        found = self.snippets(text, ids)
        return [ArticleHit(i, found.get(i, "")) for i in ids]

    def snippets(self, text: str, article_ids: list[int]) -> dict[int, str]:
        """A line of each of these articles around the search's first match (for the list
        rows on screen), built from their texts: see reader.search.snippets."""
        return reads.snippets(self._store.rows, text, article_ids)

    def highlights(self, text: str, limit: int = 200) -> list[HighlightHit]:
        """Highlights whose quote or note matches, best first."""
        return [HighlightHit(*hit) for hit in self._run(reads.search_highlights, text, limit)]

    def _run(self, read: Any, text: str, limit: int) -> list:
        try:
            return read(self._store.rows, text, limit)
        except reads.SearchError as exc:
            raise LibraryError(str(exc)) from exc
