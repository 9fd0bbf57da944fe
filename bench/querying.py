"""The query language at the library's size: a tag, a date and a free word in one query.

Run inside the session probe (bench.session). Two queries, made from the library itself
(its most used tag, a common word of the corpus, the year in the middle of the dates
articles were published):

- `WORD tag:TAG published:>YEAR`: typed into the search box, timed until the list shows its
  first page (the window path: parse, compile, run, paint), and the core's first page
  (`library.articles.ids(search=…, ranked=False, limit=50)`);
- `tag:TAG published:YEAR sort:-published`: the same, no free word, sorted.

Each beside a floor measured in the same run: the same query written by hand in SQL
(the plainest statement a person would write) on a raw sqlite3 connection.
"""

from __future__ import annotations

import sqlite3
import time

from bench import corpus

FIRST_PAGE = 50
LABEL = "query: tag, date and word (window)"


def measure(session) -> dict:
    from reader.search.fulltext import ARTICLE_COLUMNS, fts_query

    library = session.library
    rows = library.storage.rows(
        "SELECT t.name, count(*) AS n FROM article_tag at JOIN tag t ON t.id = at.tag_id"
        " GROUP BY t.id ORDER BY n DESC LIMIT 1")
    if not rows:
        return {}
    tag = rows[0][0]
    (year,) = library.storage.rows(
        "SELECT substr(published, 1, 4) FROM article WHERE published IS NOT NULL"
        " ORDER BY published LIMIT 1 OFFSET (SELECT count(published) / 2 FROM article)")[0]
    word = corpus.COMMON_TERM
    fts = fts_query(word, ARTICLE_COLUMNS)
    # on the article or on one of its highlights, as tag: means
    tag_ids = ("SELECT article_id FROM article_tag WHERE tag_id IN (SELECT id FROM tag"
               " WHERE name = ? OR name LIKE ?) UNION SELECT h.article_id FROM highlight h"
               " JOIN highlight_tag ht ON ht.highlight_id = h.id WHERE ht.tag_id IN"
               " (SELECT id FROM tag WHERE name = ? OR name LIKE ?)")
    queries = {
        # published: the library's articles were all added the day it was built.
        "tag, date and word": (
            f'{word} tag:"{tag}" published:>{year}',
            "SELECT a.id FROM article a WHERE a.archived = 0 AND a.id IN"
            " (SELECT rowid FROM article_fts WHERE article_fts MATCH ?)"
            f" AND a.id IN ({tag_ids}) AND a.published >= ?"
            " ORDER BY a.added_at DESC, a.id DESC LIMIT ?",
            (fts, tag, f"{tag}/%", tag, f"{tag}/%", f"{int(year) + 1}-01-01", FIRST_PAGE)),
        "tag and year, sorted": (
            f'tag:"{tag}" published:{year} sort:-published',
            f"SELECT a.id FROM article a WHERE a.archived = 0 AND a.id IN ({tag_ids})"
            " AND a.published >= ? AND a.published < ?"
            " ORDER BY a.published DESC, a.id DESC LIMIT ?",
            (tag, f"{tag}/%", tag, f"{tag}/%", f"{year}-01-01", f"{int(year) + 1}-01-01",
             FIRST_PAGE)),
    }
    raw = sqlite3.connect(f"file:{session.args['db']}?mode=ro", uri=True)
    viewport = session.list_view.viewport()
    out: dict = {}
    try:
        for name, (text, sql, params) in queries.items():
            row = {"query": text, "ms": [], "core_ms": [], "floor_ms": []}

            def show(text=text) -> None:
                session.model.set_search(text)
                session.app.processEvents()
                viewport.repaint()

            for _ in session.repetitions():
                row["ms"].append(session.timed(LABEL, show, f"query {name}"))
                row["shown"] = session.model.rowCount()
                session.timed("clear search", lambda: show(""), None)
                started = time.perf_counter()
                ids = library.articles.ids(search=text, ranked=False, limit=FIRST_PAGE)
                row["core_ms"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                floor_ids = [r[0] for r in raw.execute(sql, params).fetchall()]
                row["floor_ms"].append((time.perf_counter() - started) * 1000)
            row["found"] = len(ids)
            row["same_as_floor"] = ids == floor_ids
            row["total"] = library.query.count(text, archived=False)
            out[name] = row
    finally:
        raw.close()
    return out
