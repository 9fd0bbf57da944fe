"""Running queries against a library: ids of articles or highlights, counts, the SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import OperationalError

from reader.annotations.colours import ColourManager
from reader.query.sql import ARTICLE, HIGHLIGHT, Compiled, Context, compile_query, order_by
from reader.query.syntax import Field, Parsed, parse
from reader.reads import ARTICLE_COLUMNS, HIGHLIGHT_COLUMNS, fts_query
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

    def compile(self, text: str, target: str = ARTICLE) -> Compiled:
        names = {" ".join(c.name.casefold().split()): c.key for c in self._colours.all()}
        context = Context(lambda t: fts_query(t, ARTICLE_COLUMNS),
                          lambda t: fts_query(t, HIGHLIGHT_COLUMNS), names, self.now)
        return compile_query(parse(text), context, target)

    def article_sql(self, text: str, *, archived: bool | None = False,
                    order: str = "added", ranked: bool = True, limit: int | None = None,
                    tag: str | None = None, feed: int | None = None,
                    unread_only: bool = False) -> tuple[str, list[Any], Compiled]:
        """The one SQL statement of a query's article ids, and the compiled query.

        `archived` keeps the list to the reading list (False) or the archive (True),
        unless the query says itself (is:archived); None: both. With free words and no
        sort:, the best matches come first (`ranked`)."""
        compiled = self.compile(text)
        where, params = [compiled.where], list(compiled.params)
        if archived is not None and not compiled.scoped:
            where.append("a.archived = ?")
            params.append(int(archived))
        if tag:  # the sidebar's tag, as tag:NAME
            names = Context(lambda t: fts_query(t, ARTICLE_COLUMNS),
                            lambda t: fts_query(t, HIGHLIGHT_COLUMNS), {})
            by_tag = compile_query(Parsed(Field("tag", tag)), names)
            where.append(by_tag.where)
            params.extend(by_tag.params)
        if feed is not None:
            where.append("a.id IN (SELECT id FROM article WHERE feed_id = ?)")
            params.append(feed)
        if unread_only:
            where.append("a.read = 0")
        condition = " AND ".join(where)
        rank = fts_query(compiled.rank_text, ARTICLE_COLUMNS) \
            if compiled.rank_text and ranked and not compiled.sort else None
        if rank is not None:
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
        """The ids of the articles a query finds, in its order (see article_sql)."""
        sql, params, compiled = self.article_sql(text, **options)
        return QueryResult([row[0] for row in self._rows(text, sql, params)],
                           tuple(compiled.messages))

    def count(self, text: str, archived: bool | None = None) -> int:
        """How many articles a query finds (all of them, archived too, unless asked)."""
        compiled = self.compile(text)
        where, params = compiled.where, list(compiled.params)
        if archived is not None and not compiled.scoped:
            where += " AND a.archived = ?"
            params.append(int(archived))
        return self._rows(text, f"SELECT count(*) FROM article a WHERE {where}", params)[0][0]

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
        return QueryResult([row[0] for row in self._rows(text, sql, params)],
                           tuple(compiled.messages))

    def messages(self, text: str) -> tuple[str, ...]:
        return tuple(self.compile(text).messages)

    def _rows(self, text: str, sql: str, params: list[Any]) -> list[tuple]:
        try:
            return self._store.rows(sql, params)
        except OperationalError as exc:
            raise LibraryError(f"Cannot run the query {text!r}: {exc}.") from exc
