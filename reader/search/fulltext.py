"""Full-text search over articles and highlights (SQLite FTS5, porter + unicode61).

What a user types is translated by peewee's `web_query` (quoted phrases, AND/OR,
-exclusion) so that no input can raise an FTS syntax error; the last word is matched
as a prefix, so results follow typing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peewee import OperationalError, fn

from reader.search import snippets
from reader.storage.database import Article, ArticleIndex, Highlight, HighlightIndex

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


def fts_query(text: str, index=ArticleIndex) -> str | None:
    """The FTS5 query for what the user typed, or None when it holds nothing to search."""
    text = text.strip()
    if not text:
        return None
    last_word = re.search(r"\w+$", text)
    if last_word and len(last_word.group()) >= MIN_PREFIX:
        text += "*"  # the word being typed matches as a prefix
    query = index.web_query(text)
    return None if query in ("", _NOTHING) else query


class SearchManager:
    """Finds articles and highlights by their words."""

    def article_ids_query(self, text: str, ranked: bool = True):
        """A query of matching article ids, best match first (or unranked, which is much
        faster for a word in most articles); None for an empty search."""
        query = fts_query(text, ArticleIndex)
        if query is None:
            return None
        matches = ArticleIndex.select(ArticleIndex.rowid).where(ArticleIndex.match(query))
        return matches.order_by(ArticleIndex.bm25(10.0, 5.0, 1.0)) if ranked else matches

    def articles(self, text: str, limit: int = 200) -> list[ArticleHit]:
        """Matching articles with a snippet of each match, best first."""
        matches = self.article_ids_query(text)
        if matches is None:
            return []
        ids = [rowid for (rowid,) in run_safely(matches.limit(limit).tuples())]
        found = self.snippets(text, ids)
        return [ArticleHit(i, found.get(i, "")) for i in ids]

    def snippets(self, text: str, article_ids: list[int]) -> dict[int, str]:
        """A line of each of these articles around the search's first match (for the list
        rows on screen), built from their texts: see reader.search.snippets."""
        if fts_query(text, ArticleIndex) is None or not article_ids:
            return {}
        wanted = snippets.terms(text, MIN_PREFIX)
        found = {}
        for start in range(0, len(article_ids), 500):  # under SQLite's variable limit
            chunk = article_ids[start:start + 500]
            rows = Article.select(Article.id, Article.text).where(Article.id.in_(chunk)).tuples()
            for article_id, body in rows:
                found[article_id] = snippets.snippet(body, wanted)
        return found

    def highlights(self, text: str, limit: int = 200) -> list[HighlightHit]:
        """Highlights whose quote or note matches, best first."""
        query = fts_query(text, HighlightIndex)
        if query is None:
            return []
        quote = fn.snippet(HighlightIndex._meta.entity, 0, "", "", "…", SNIPPET_TOKENS)
        note = fn.snippet(HighlightIndex._meta.entity, 1, "", "", "…", SNIPPET_TOKENS)
        rows = (HighlightIndex
                .select(HighlightIndex.rowid, Highlight.article, Article.title, Highlight.colour,
                        quote, note, HighlightIndex.note)
                .join(Highlight, on=(Highlight.id == HighlightIndex.rowid))
                .join(Article, on=(Article.id == Highlight.article))
                .where(HighlightIndex.match(query))
                .order_by(HighlightIndex.bm25()).limit(limit).tuples())
        hits = []
        for highlight_id, article_id, title, colour, in_quote, in_note, _ in run_safely(rows):
            # snippet() falls back to the start of the column when that column did not match.
            matched_note = in_note and in_note != (in_quote or "")
            hits.append(HighlightHit(highlight_id, article_id, title, colour,
                                     _one_line(in_quote if not matched_note else in_note)))
        return hits


def run_safely(rows):
    try:
        return list(rows)
    except OperationalError:
        # web_query leaves nothing FTS5 rejects in practice; this is the last guard.
        return []


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())
