"""The library's reads in plain SQL, over any connection's `rows(sql, params)`.

The core's managers run them through their Storage (peewee's connection); the command
line's lean read path (reader.cli.lean) runs the very same statements on a read-only
sqlite3 connection, without peewee or the managers, so that `marginalia list` and
`search` start as fast as a bare Python. Only the standard library and modules that
import nothing heavier are imported here.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Callable, Sequence

from playhouse import fts_parser  # peewee's search-box translator: plain Python, no peewee

from reader.annotations.tag_names import is_under, normalise

Rows = Callable[[str, Sequence[object]], list[tuple]]

# The searchable columns of the full-text indexes (reader.storage.models' ArticleIndex
# and HighlightIndex; tests/unit/test_reads.py checks they agree).
ARTICLE_COLUMNS = ("title", "author", "text")
HIGHLIGHT_COLUMNS = ("exact", "note")
# A one-letter prefix matches nearly every word in the index: too slow to be useful.
MIN_PREFIX = 2
SNIPPET_TOKENS = 14
ARTICLE_WEIGHTS = (10.0, 5.0, 1.0)  # bm25 weights of title, author, text
CHUNK = 500  # ids per statement, well under SQLite's limit on variables
MANY = 2000  # more ids than this are read by scanning an index rather than one by one
_NOTHING = '""'


class SearchError(Exception):
    """FTS5 refused a translated search (never seen: see fts_query); says which and why."""


def fts_query(text: str, columns: Sequence[str]) -> str | None:
    """The FTS5 query for what the user typed, or None when it holds nothing to search.

    What a user types is translated by peewee's `web_query` translator (quoted phrases,
    AND/OR, -exclusion; `columns` may be named in the query) so that no input can raise
    an FTS syntax error; the last word is matched as a prefix, so results follow typing."""
    # FTS5 reads a query up to its first NUL and then finds an unterminated phrase.
    text = text.replace("\0", " ").strip()
    if not text:
        return None
    if typed_word(text) is not None:
        text += "*"  # the word being typed matches as a prefix
    query = fts_parser.parse(text, list(columns))
    return None if query in ("", _NOTHING) else query


def typed_word(text: str) -> str | None:
    """The word a search ends with, still being typed, which matches as a prefix (both
    engines' search boxes): None when the text ends otherwise (a space, a quote) or the
    word is shorter than MIN_PREFIX."""
    last_word = re.search(r"\w+$", text)
    if last_word and len(last_word.group()) >= MIN_PREFIX:
        return last_word.group()
    return None


def _query_errors() -> tuple[type[Exception], ...]:
    # sqlite3's OperationalError, and peewee's when peewee is in use (it wraps sqlite3's).
    peewee = sys.modules.get("peewee")
    return (sqlite3.OperationalError,) + ((peewee.OperationalError,) if peewee else ())


def search_rows(rows: Rows, text: str, sql: str, params: Sequence[object]) -> list[tuple]:
    """The rows of a full-text statement made from the user's `text`. Should FTS5 refuse
    one, the user is told which search failed and why, instead of seeing an empty list."""
    try:
        return rows(sql, params)
    except _query_errors() as exc:
        raise SearchError(f"Cannot search for {text!r}: {exc}.") from exc


def _marks(chunk: Sequence[object]) -> str:
    return ", ".join("?" * len(chunk))


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[start:start + CHUNK]) for start in range(0, len(ids), CHUNK)]


# --- the article list ----------------------------------------------------------------------
SUMMARY_COLUMNS = ("id", "title", "author", "publication", "published", "read", "archived",
                   "added_at", "progress")
# The list's orders, by column name and direction (NULL dates sort last, descending).
SORT_ORDERS = {
    "added": (("added_at", "desc"), ("id", "desc")),
    "published": (("published", "desc"), ("id", "desc")),
    "title": (("title", "nocase"), ("id", "asc")),
}


def list_ids(rows: Rows, order: str = "added", archived: bool | None = False,
             tag_ids: Sequence[int] | None = None, unread_only: bool = False,
             feed: int | None = None, limit: int | None = None) -> list[int]:
    """Article ids in list order: the reading list (or with `archived` the archive, with
    None both), only those under these tags (on the article or on one of its
    highlights) when `tag_ids` is given, unread ones only, one feed's only, the first
    `limit` only. The list's indexes answer it without reading the articles' rows."""
    where, params = [], []
    if archived is None:
        where.append("a.archived IN (?, ?)")
        params += [0, 1]
    else:
        where.append("a.archived = ?")
        params.append(int(archived))
    if unread_only:
        where.append("a.read = ?")
        params.append(0)
    if tag_ids is not None and not tag_ids:
        return []  # no such tag: nothing is under it (PostgreSQL refuses `IN ()`)
    if tag_ids is not None:
        marks = _marks(tag_ids)
        where.append(f"a.id IN (SELECT at.article_id FROM article_tag at WHERE at.tag_id IN"
                     f" ({marks}) UNION SELECT h.article_id FROM highlight h JOIN highlight_tag"
                     f" ht ON ht.highlight_id = h.id WHERE ht.tag_id IN ({marks}))")
        params += [*tag_ids, *tag_ids]
    if feed is not None:
        # A set of ids from the index on feed_id, which the list's covering index is
        # checked against: `feed_id = ?` here would read each article's row (its body).
        where.append("a.id IN (SELECT f.id FROM article f WHERE f.feed_id = ?)")
        params.append(feed)
    sort = ", ".join(f"a.{name} DESC" if direction == "desc" else
                     f"a.{name} COLLATE NOCASE" if direction == "nocase" else f"a.{name}"
                     for name, direction in SORT_ORDERS[order])
    sql = f"SELECT a.id FROM article a WHERE {' AND '.join(where)} ORDER BY {sort}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [row[0] for row in rows(sql, params)]


def summaries(rows: Rows, ids: Sequence[int]) -> list[tuple]:
    """The list rows (SUMMARY_COLUMNS, as stored) of these ids, in the same order
    (missing ids are skipped)."""
    found = {}
    for chunk in _chunks(ids):
        # The covering index holds every field of a row: reading it instead of the
        # table (whose rows carry the bodies) takes a page of 200 rows at 100,000
        # articles from 30 ms to 4 ms.
        for row in rows(f"SELECT {', '.join(SUMMARY_COLUMNS)} FROM article INDEXED BY"
                        f" article_list_row WHERE id IN ({_marks(chunk)})", chunk):
            found[row[0]] = row
    return [found[i] for i in ids if i in found]


def titles(rows: Rows, ids: Sequence[int]) -> dict[int, str]:
    """Each of these articles' title (from the covering index)."""
    return {row[0]: row[1] for row in summaries(rows, ids)}


def addresses_and_tags(rows: Rows, ids: Sequence[int]
                       ) -> tuple[dict[int, str | None], dict[int, tuple[str, ...]]]:
    """Each article's address and tags, for listings that have its summary already.

    The address is read from the start of each row, before the bodies: the fields
    stored after them (note, progress, revised_at) would have SQLite read through
    every body to reach them — seconds for a list of 20,000."""
    urls: dict[int, str | None] = {}
    tags: dict[int, list[str]] = {}
    if len(ids) > MANY:
        # Many articles: every address from the index on url (its entries are small),
        # instead of a page of the table for each article (150 ms for 20,000).
        wanted = set(ids)
        urls = {article_id: url for article_id, url in
                rows("SELECT id, url FROM article INDEXED BY article_url", ()) if article_id in wanted}
    for chunk in _chunks(ids):
        marks = _marks(chunk)
        if len(ids) <= MANY:
            urls.update(rows(f"SELECT id, url FROM article WHERE id IN ({marks})", chunk))
        for article_id, name in rows(
                "SELECT at.article_id, t.name FROM article_tag at JOIN tag t"
                f" ON t.id = at.tag_id WHERE at.article_id IN ({marks}) ORDER BY t.name COLLATE NOCASE",
                chunk):
            tags.setdefault(article_id, []).append(name)
    return urls, {k: tuple(v) for k, v in tags.items()}


def highlight_counts(rows: Rows) -> dict[int, int]:
    """Number of highlights of each article that has any."""
    return dict(rows("SELECT h.article_id, COUNT(h.id) FROM highlight h GROUP BY h.article_id",
                     ()))


# --- tags --------------------------------------------------------------------------------------
def tag_names(rows: Rows) -> dict[int, str]:
    return dict(rows("SELECT id, name FROM tag", ()))


def find_tag(rows: Rows, name: str) -> str | None:
    """The stored name of the tag called `name` (ignoring case: the column's collation)."""
    # COLLATE NOCASE repeats the column's own (PostgreSQL reads it as lower() of both).
    found = rows("SELECT name FROM tag WHERE name = ? COLLATE NOCASE", (normalise(name),))
    return found[0][0] if found else None


def tag_ids_under(rows: Rows, name: str) -> list[int]:
    """Ids of the tag `name` and of every tag nested below it."""
    wanted = normalise(name)
    return [tag_id for tag_id, tag_name in tag_names(rows).items() if is_under(tag_name, wanted)]


# --- full-text search ----------------------------------------------------------------------
def search_article_ids(rows: Rows, text: str, limit: int | None = 200) -> list[int]:
    """The articles matching a search, best first (none for an empty search)."""
    query = fts_query(text, ARTICLE_COLUMNS)
    if query is None:
        return []
    sql = ("SELECT t1.rowid FROM article_fts AS t1 WHERE (article_fts MATCH ?)"
           " ORDER BY bm25(article_fts, ?, ?, ?)")
    params: list[object] = [query, *ARTICLE_WEIGHTS]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [row[0] for row in search_rows(rows, text, sql, params)]


def search_highlights(rows: Rows, text: str, limit: int = 200) -> list[tuple]:
    """Highlights whose quote or note matches, best first, as (highlight id, article id,
    article title, colour, snippet) — the snippet from the note when only it matched."""
    query = fts_query(text, HIGHLIGHT_COLUMNS)
    if query is None:
        return []
    snippet = "snippet(highlight_fts, {}, '', '', '…', %d)" % SNIPPET_TOKENS
    found = search_rows(rows, text, (
        f"SELECT t1.rowid, t2.article_id, t3.title, t2.colour, {snippet.format(0)},"
        f" {snippet.format(1)} FROM highlight_fts AS t1"
        " INNER JOIN highlight AS t2 ON (t1.rowid = t2.id)"
        " INNER JOIN article AS t3 ON (t3.id = t2.article_id)"
        " WHERE (highlight_fts MATCH ?) ORDER BY bm25(highlight_fts) LIMIT ?"), (query, limit))
    hits = []
    for highlight_id, article_id, title, colour, in_quote, in_note in found:
        # snippet() falls back to the start of the column when that column did not match.
        matched_note = in_note and in_note != (in_quote or "")
        hits.append((highlight_id, article_id, title, colour,
                     one_line(in_quote if not matched_note else in_note)))
    return hits


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def snippets(rows: Rows, text: str, article_ids: Sequence[int],
             stemmer_for: Callable[[set[str]], Callable[[str], str | None]] | None = None,
             ) -> dict[int, str]:
    """A line of each of these articles around the search's first match (for the rows
    shown), built from their texts: see reader.search.snippets. The words are stemmed
    as FTS5's index stems them (Porter), or by `stemmer_for(words)`: the stemmer that
    knows these (folded) words, as another index stems them."""
    if fts_query(text, ARTICLE_COLUMNS) is None or not article_ids:
        return {}
    from reader.search import snippets as lines

    stemmer = stemmer_for(set(lines.query_words(text))) if stemmer_for else None
    wanted = lines.terms(text, MIN_PREFIX, stemmer)
    bodies = {}
    for chunk in _chunks(article_ids):
        bodies.update(rows(f"SELECT id, text FROM article WHERE id IN ({_marks(chunk)})", chunk))
    if stemmer_for:
        stemmer = stemmer_for(set().union(*(lines.candidates(b, wanted) for b in bodies.values())))
    return {article_id: lines.snippet(body, wanted, stemmer) for article_id, body in bodies.items()}


# --- one article, and its highlights -----------------------------------------------------
# ArticleRecord's fields in order, less the tags (read separately): everything but the
# bodies, which can be tens of kilobytes each.
RECORD_COLUMNS = ("id", "title", "author", "publication", "published", "url", "source_name",
                  "source_format", "added_at", "read", "archived", "reading_position",
                  "content_hash", "note", "progress", "revised_at")


def article_records(rows: Rows, ids: Sequence[int]) -> list:
    """The reader.records.ArticleRecord of these articles (missing ids skipped), in a
    few statements however many there are."""
    from reader.records import ArticleRecord

    found = {}
    for chunk in _chunks(ids):
        marks = _marks(chunk)
        tags: dict[int, list[str]] = {}
        for article_id, name in rows(
                "SELECT at.article_id, t.name FROM tag t JOIN article_tag at ON at.tag_id = t.id"
                f" WHERE at.article_id IN ({marks}) ORDER BY t.name COLLATE NOCASE", chunk):
            tags.setdefault(article_id, []).append(name)
        for row in rows(f"SELECT {', '.join(RECORD_COLUMNS)} FROM article WHERE id IN ({marks})",
                        chunk):
            found[row[0]] = ArticleRecord(
                *row[:9], bool(row[9]), bool(row[10]), row[11], row[12],
                tuple(tags.get(row[0], ())), *row[13:])
    return [found[i] for i in ids if i in found]


def article_values(rows: Rows, article_id: int, *columns: str) -> tuple | None:
    """These columns of one article's row (None: there is no such article)."""
    found = rows(f"SELECT {', '.join(columns)} FROM article WHERE id = ?", (article_id,))
    return found[0] if found else None


# What rendering an article needs, and the canonical text stored from the last rendering.
DOCUMENT_COLUMNS = ("source_text", "source_format", "title", "author", "publication",
                    "published", "text")


def render(source_text: str, source_format: str, title: str, author: str, publication: str,
           published: str | None):
    """The article's reader.document.model.Document, as the reading pane shows it."""
    from reader.importing.sources import render as render_source
    from reader.importing.sources import split_body

    _head, body = split_body(source_text, source_format)
    return render_source(title, author, publication, published, body)


# HighlightRecord's fields in order, less the tags (read separately). The revision's date
# comes from a LEFT JOIN on the revision (few highlights have one).
HIGHLIGHT_COLUMNS_SQL = ('h.id, h.article_id, h.start, h."end", h.exact, h.prefix, h.suffix,'
                         ' h.colour, h.note, h.orphaned, h.created_at, h.updated_at,'
                         ' h.changed_in, h.previous_exact, r.replaced_at')
# ... and on a team library, the two columns `marginalia team init` adds.
TEAM_HIGHLIGHT_COLUMNS_SQL = HIGHLIGHT_COLUMNS_SQL + ', h.author, h.private'


def highlights_for_articles(rows: Rows, article_ids: Sequence[int],
                            columns: str = HIGHLIGHT_COLUMNS_SQL) -> dict[int, list]:
    """Each article's reader.records.HighlightRecord in reading order, orphaned ones last,
    in a few statements for many articles (plain rows: peewee's model objects cost 40 ms
    for an article with 1,000 highlights). `columns`: TEAM_HIGHLIGHT_COLUMNS_SQL on a
    team library, for the author and privacy of each."""
    found: dict[int, list] = {}
    for chunk in _chunks(article_ids):
        for record in _highlights(rows, "h.article_id", chunk, ' ORDER BY h.article_id,'
                                  ' h.orphaned, h.start, h."end", h.id', columns):
            found.setdefault(record.article_id, []).append(record)
    return found


def highlight_records(rows: Rows, highlight_ids: Sequence[int],
                      columns: str = HIGHLIGHT_COLUMNS_SQL) -> list:
    """The HighlightRecord of these highlights, in the order given (unknown ids left out);
    a few statements for thousands, as for a list of highlights across the library."""
    found = {record.id: record for chunk in _chunks(highlight_ids)
             for record in _highlights(rows, "h.id", chunk, "", columns)}
    return [found[i] for i in highlight_ids if i in found]


def _highlights(rows: Rows, column: str, chunk: list[int], order: str = "",
                columns: str = HIGHLIGHT_COLUMNS_SQL) -> list:
    """The records of the highlights whose `column` (h.id or h.article_id) is in chunk."""
    marks = _marks(chunk)
    tags: dict[int, list[str]] = {}
    for highlight_id, name in rows(
            "SELECT ht.highlight_id, t.name FROM highlight h"
            " JOIN highlight_tag ht ON ht.highlight_id = h.id JOIN tag t ON t.id = ht.tag_id"
            f" WHERE {column} IN ({marks}) ORDER BY t.name COLLATE NOCASE", chunk):
        tags.setdefault(highlight_id, []).append(name)
    return [highlight_record(row, tuple(tags.get(row[0], ())))
            for row in rows(f"SELECT {columns} FROM highlight h LEFT JOIN revision"
                            f" r ON r.id = h.changed_in WHERE {column} IN ({marks}){order}", chunk)]


def highlight_record(row: tuple, tags: tuple[str, ...]):
    """A HighlightRecord from a row of HIGHLIGHT_COLUMNS_SQL (or the team's), its fields
    filled in one step (a team library's two left to their defaults without them). The
    frozen class's __init__ sets each of its fields through
    object.__setattr__: 2.3 ms of the 6 ms it took to read an article's 1,000
    highlights (now 1.1 ms)."""
    from reader.records import HIGHLIGHT_FIELDS, HighlightRecord

    record = object.__new__(HighlightRecord)
    record.__dict__.update(zip(HIGHLIGHT_FIELDS, (*row[:9], tags, bool(row[9]), *row[10:])))
    return record
