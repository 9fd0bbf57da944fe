"""Running queries against a library: ids of articles or highlights, counts, the SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import DatabaseError, OperationalError

from reader.annotations.colours import ColourManager
from reader.query.sql import ARTICLE, HIGHLIGHT, Compiled, Context, compile_query, order_by
from reader.query.syntax import Field, Parsed, Text, parse
from reader.reads import ARTICLE_COLUMNS, HIGHLIGHT_COLUMNS, fts_query
from reader.search import postgres as pg_search
from reader.storage.database import LibraryError, Storage

# The default orders of the article list (reader.articles.SORT_ORDERS), for a query
# without sort:, as (field, descending) pairs.
LIST_ORDERS = {"added": [("added", True)], "published": [("published", True)],
               "title": [("title", False)]}
# The highlights view's orders, for a query without sort:.
HIGHLIGHT_ORDERS = {"newest": [("added", True)], "oldest": [("added", False)],
                    "article": [("article", False)]}


@dataclass(frozen=True)
class QueryResult:
    ids: list[int]
    messages: tuple[str, ...] = ()  # what was mended or left out of the query


class QueryManager:
    """The query language over one library (see reader.query.syntax for the language)."""

    def __init__(self, store: Storage, colours: ColourManager) -> None:
        self._store = store
        self._colours = colours
        self.now: datetime | None = None  # fixed in tests; None: the present moment
        self._engine = getattr(store, "engine", "sqlite")
        # What a query the engine refused raises (on PostgreSQL also a tsquery or a
        # value it could not take); reported as LibraryError naming the query.
        self._errors = (DatabaseError,) if self._on_postgres else (OperationalError,)

    @property
    def _on_postgres(self) -> bool:
        return self._engine == "postgresql"

    def _context(self, colour_names: dict[str, str], now: datetime | None = None) -> Context:
        """The compiling context for the library's engine: its full-text translator."""
        if self._on_postgres:
            def tsquery(text: str) -> str | None:
                return pg_search.tsquery(self._store.rows, text)

            return Context(tsquery, tsquery, colour_names, now, self._engine)
        return Context(lambda t: fts_query(t, ARTICLE_COLUMNS),
                       lambda t: fts_query(t, HIGHLIGHT_COLUMNS), colour_names, now)

    def compile(self, text: str, target: str = ARTICLE, words_only: bool = False) -> Compiled:
        """The compiled query; with `words_only`, the whole text is searched as words
        (the search box's plain search: quotes, OR and -exclusion as a search engine
        reads them), not read as the query language."""
        names = {" ".join(c.name.casefold().split()): c.key for c in self._colours.all()}
        parsed = Parsed(Text(text)) if words_only else parse(text)
        return compile_query(parsed, self._context(names, self.now), target)

    def article_sql(self, text: str, *, archived: bool | None = False,
                    order: str = "added", ranked: bool = True, limit: int | None = None,
                    tag: str | None = None, feed: int | None = None,
                    unread_only: bool = False, words_only: bool = False
                    ) -> tuple[str, list[Any], Compiled]:
        """The one SQL statement of a query's article ids, and the compiled query.

        `archived` keeps the list to the reading list (False) or the archive (True),
        unless the query says itself (is:archived); None: both. With free words and no
        sort:, the best matches come first (`ranked`). `words_only`: see `compile`."""
        compiled = self.compile(text, words_only=words_only)
        where, params = [compiled.where], list(compiled.params)
        if archived is not None and not compiled.scoped:
            where.append("a.archived = ?")
            params.append(int(archived))
        if tag:  # the sidebar's tag, as tag:NAME
            by_tag = compile_query(Parsed(Field("tag", tag)), self._context({}))
            where.append(by_tag.where)
            params.extend(by_tag.params)
        if feed is not None:
            where.append("a.id IN (SELECT id FROM article WHERE feed_id = ?)")
            params.append(feed)
        if unread_only:
            where.append("a.read = 0")
        condition = " AND ".join(where)
        rank = self._context({}).fts(compiled.rank_text) \
            if compiled.rank_text and ranked and not compiled.sort else None
        if rank is not None and self._on_postgres:
            sql = (f"SELECT a.id FROM article a WHERE {condition}"
                   f" ORDER BY {pg_search.rank('a.search')} DESC, a.id DESC")
            params.append(rank)
        elif rank is not None:
            sql = ("SELECT a.id FROM article a JOIN (SELECT rowid AS id,"
                   " bm25(article_fts, 10.0, 5.0, 1.0) AS score FROM article_fts"
                   " WHERE article_fts MATCH ?) f ON f.id = a.id"
                   f" WHERE {condition} ORDER BY f.score, a.id DESC")
            params.insert(0, rank)
        else:
            sort = compiled.sort or LIST_ORDERS.get(order, LIST_ORDERS["added"])
            sql = f"SELECT a.id FROM article a WHERE {condition} ORDER BY {order_by(sort)}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return sql, params, compiled

    def articles(self, text: str, **options: Any) -> QueryResult:
        """The ids of the articles a query finds, in its order (see article_sql). A
        search of `words_only` that holds no word to search finds nothing."""
        sql, params, compiled = self.article_sql(text, **options)
        if options.get("words_only") and not compiled.full_text:
            return QueryResult([], tuple(compiled.messages))
        return QueryResult([row[0] for row in self._rows(text, sql, params, compiled)],
                           tuple(compiled.messages))

    def count(self, text: str, archived: bool | None = None) -> int:
        """How many articles a query finds (all of them, archived too, unless asked)."""
        compiled = self.compile(text)
        where, params = compiled.where, list(compiled.params)
        if archived is not None and not compiled.scoped:
            where += " AND a.archived = ?"
            params.append(int(archived))
        return self._rows(text, f"SELECT count(*) FROM article a WHERE {where}", params,
                          compiled)[0][0]

    def highlight_sql(self, text: str, limit: int | None = None,
                      order: str = "newest") -> tuple[str, list[Any], Compiled]:
        compiled = self.compile(text, HIGHLIGHT)
        sort = compiled.sort or HIGHLIGHT_ORDERS.get(order, HIGHLIGHT_ORDERS["newest"])
        sql = ("SELECT h.id FROM highlight h JOIN article a ON a.id = h.article_id"
               f" WHERE {compiled.where} ORDER BY {order_by(sort, HIGHLIGHT)}")
        params = list(compiled.params)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return sql, params, compiled

    def highlights(self, text: str, limit: int | None = None,
                   order: str = "newest") -> QueryResult:
        """The ids of the highlights a query finds, in its sort: order, else in `order`
        (one of HIGHLIGHT_ORDERS: "newest" first, "oldest" first, or by "article": the
        articles by title, each one's highlights in reading order)."""
        sql, params, compiled = self.highlight_sql(text, limit, order)
        return QueryResult([row[0] for row in self._rows(text, sql, params, compiled)],
                           tuple(compiled.messages))

    def messages(self, text: str) -> tuple[str, ...]:
        return tuple(self.compile(text).messages)

    def _rows(self, text: str, sql: str, params: list[Any], compiled: Compiled) -> list[tuple]:
        try:
            if self._on_postgres and compiled.full_text:
                return pg_search.index_first_rows(self._store, sql, params)
            return self._store.rows(sql, params)
        except self._errors as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise LibraryError(f"Cannot run the query {text!r}: {reason}.") from exc
