"""Full-text search on a PostgreSQL library: what a user types as a tsquery, and the
ranked matches with their snippets, in the records SQLite's FTS5 search gives.

The schema's `search` columns (reader.storage.migrations_postgres, step 3) hold each
article's title (weight A), author (B) and text (D), and each highlight's quote and
note, stemmed by the `english` configuration; GIN indexes answer `@@`.

What the user typed goes through `websearch_to_tsquery`, which takes any text ("quoted
phrases", OR, -exclusion; everything else is words) and never raises, the promise FTS5's
translator keeps on SQLite. The server translates it once (one short statement), so
that a text with no word left to search (stop words, punctuation) is known as such and
left out, as reader.reads.fts_query's None is, and so that the word being typed can be
made a prefix (`word:*`), as on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from peewee import DatabaseError

from reader import reads
from reader.search.fulltext import ArticleHit, HighlightHit
from reader.storage.database import LibraryError

LANGUAGE = "english"  # the configuration the schema's tsvector columns are made with
# A line of a highlight's quote or note around the match, about as long as FTS5's
# snippet of reader.reads.SNIPPET_TOKENS tokens, without marks.
HEADLINE_OPTIONS = (f'StartSel="", StopSel="", MaxWords={reads.SNIPPET_TOKENS}, MinWords=5, '
                    "ShortWord=0, MaxFragments=1")
ELLIPSIS = "…"


def rank(column: str, query: str = "?::tsquery") -> str:
    """The ranking of rows by their `column` tsvector against `query` (a `?` parameter
    by default), best first when ordered DESC. ts_rank_cd's normalisation 1 divides
    by 1 + the logarithm of the length, so that a long text does not win only by
    repeating a word (bm25 weighs length too on SQLite)."""
    return f"ts_rank_cd({column}, {query}, 1)"


def tsquery(rows: reads.Rows, text: str) -> str | None:
    """The tsquery (its text form, to pass as `?::tsquery`) for what the user typed, or
    None when it holds no word to search. The last word, while typed (see
    reader.reads.typed_word), matches as a prefix."""
    text = text.replace("\0", " ").strip()  # a NUL cannot be sent to the server
    if not text:
        return None
    typed = reads.typed_word(text)
    try:
        query, typed_is_word = rows(
            f"SELECT websearch_to_tsquery('{LANGUAGE}', ?)::text,"
            f" to_tsvector('{LANGUAGE}', ?) <> ''::tsvector", (text, typed or ""))[0]
    except DatabaseError as exc:
        raise _search_error(text, exc) from exc
    if not query:
        return None
    # The query's text ends with the last word's lexeme ('word'), unless the last word
    # was a stop word, which the check on its own vector tells.
    if typed is not None and typed_is_word and query.endswith("'"):
        query += ":*"
    return query


def server_stems(rows: reads.Rows) -> Callable[[set[str]], Callable[[str], str | None]]:
    """A `stemmer_for` for reader.reads.snippets: the stems of words as the server's
    `english` configuration makes them (the index's own; Snowball's English stemmer in
    the server's version, not Porter's: "markedly" is "mark"), asked for in one
    statement per set of words, each word once. A stop word has none (None)."""
    known: dict[str, str | None] = {}

    def stemmer_for(words: set[str]) -> Callable[[str], str | None]:
        new = sorted(words.difference(known))
        if new:
            known.update(rows(
                f"SELECT w, (tsvector_to_array(to_tsvector('{LANGUAGE}', w)))[1]"
                " FROM unnest(?::text[]) AS w", (new,)))
        return lambda word: known.get(word)

    return stemmer_for


def index_first_rows(store: Any, sql: str, params: Sequence[object]) -> list[tuple]:
    """The rows of a full-text statement, its matches found through the GIN index.

    PostgreSQL's planner does not count what reading each row's tsvector costs (it is
    stored out of line, TOAST): for a word in most articles it scans the table and
    reads them all. Measured at 10,000 articles of 600 words, the first 200 matches of
    "government" in list order took 138 ms by the table, 9 ms by the index; ranking
    them all 110 ms and 51 ms. So the statement runs in a transaction of its own
    that turns the table scan down (SET LOCAL: only for that statement); inside a
    transaction already begun it runs as it is, not to change the rest of it."""
    database = store.database
    if database.in_transaction():
        return store.rows(sql, params)
    with database.atomic():
        database.execute_sql("SET LOCAL enable_seqscan = off")
        return store.rows(sql, params)


def _search_error(text: str, error: Exception) -> LibraryError:
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return LibraryError(f"Cannot search for {text!r}: {reason}.")


class PostgresSearchManager:
    """Finds articles and highlights by their words, on a PostgreSQL library (the
    counterpart of reader.search.fulltext.SearchManager)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def _rows(self, text: str, sql: str, params: Sequence[object]) -> list[tuple]:
        try:
            return index_first_rows(self._store, sql, params)
        except DatabaseError as exc:
            raise _search_error(text, exc) from exc

    def articles(self, text: str, limit: int = 200) -> list[ArticleHit]:
        """Matching articles with a snippet of each match, best first."""
        query = tsquery(self._store.rows, text)
        if query is None:
            return []
        ids = [row[0] for row in self._rows(
            text, f"SELECT id FROM article WHERE search @@ ?::tsquery"
                  f" ORDER BY {rank('search')} DESC, id DESC LIMIT ?", (query, query, limit))]
        found = self.snippets(text, ids)
        return [ArticleHit(i, found.get(i, "")) for i in ids]

    def snippets(self, text: str, article_ids: list[int]) -> dict[int, str]:
        """A line of each of these articles around the search's first match, built from
        their texts as on SQLite (see reader.search.snippets), the words stemmed by the
        server, as the index stems them."""
        return reads.snippets(self._store.rows, text, article_ids, server_stems(self._store.rows))

    def highlights(self, text: str, limit: int = 200) -> list[HighlightHit]:
        """Highlights whose quote or note matches, best first; the snippet is from the
        note when only the note matched."""
        query = tsquery(self._store.rows, text)
        if query is None:
            return []
        headline = f"ts_headline('{LANGUAGE}', {{}}, q.query, '{HEADLINE_OPTIONS}')"
        found = self._rows(text, (
            f"SELECT h.id, h.article_id, a.title, h.colour, h.exact, h.note,"
            f" {headline.format('h.exact')}, {headline.format('h.note')},"
            f" to_tsvector('{LANGUAGE}', h.exact) @@ q.query"
            " FROM (SELECT ?::tsquery AS query) q, highlight h"
            " JOIN article a ON a.id = h.article_id"
            f" WHERE h.search @@ q.query ORDER BY {rank('h.search', 'q.query')} DESC,"
            " h.id DESC LIMIT ?"), (query, limit))
        hits = []
        for (highlight_id, article_id, title, colour, exact, note, in_quote, in_note,
             quote_matched) in found:
            whole, piece = (exact, in_quote) if quote_matched or not note else (note, in_note)
            hits.append(HighlightHit(highlight_id, article_id, title, colour,
                                     with_ellipses(piece, whole)))
        return hits


def with_ellipses(piece: str, whole: str) -> str:
    """A headline of `whole` on one line, with an ellipsis where it leaves out words
    of the text (as FTS5's snippet marks them); punctuation it left out is put back."""
    line, full = reads.one_line(piece), reads.one_line(whole)
    start = full.find(line) if line else -1
    if start == -1:
        return line
    before, after = full[:start], full[start + len(line):]
    return ((ELLIPSIS if _WORD.search(before) else before) + line
            + (ELLIPSIS if _WORD.search(after) else after))


_WORD = re.compile(r"\w")
