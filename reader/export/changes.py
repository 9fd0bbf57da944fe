"""Whether an article's export may have changed: its change stamp, then a digest of its inputs.

A re-export with nothing changed should cost about what listing the folder costs. Each
article has a change stamp (schema 12: a random number that triggers set anew on every
change to what its export shows), read from a table of two integers a row; an article
whose stamp and file (size and modification time) are as the manifest kept them is
skipped without anything else of it being read. For the others, a digest of everything
its file is rendered from is compared with the one the manifest kept: an article whose
digest and file are as they were is still neither read nor rendered (a change the
export does not show, such as a review graded under a template without review days, or
an export whose stamps were kept under another template).

The digest covers the article's own fields (title, author, publication, date, address,
note, tags, and for full-text exports its content hash and format), each highlight's
fields and tags, and a `context` the caller gives: the export's options, the template's
text, the colours' names and the version of the output. The queries select only small
columns: the article table's rows also hold each article's text and source, tens of
kilobytes each, which are never selected here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter

from reader.storage.database import Storage

_CHUNK = 500  # ids per query, under SQLite's variable limit

_ARTICLES = ("SELECT id, title, author, publication, published, url, note, content_hash,"
             " source_format, revised_at FROM article WHERE id IN ({})")
_ARTICLE_TAGS = ("SELECT at.article_id, t.name FROM article_tag at JOIN tag t ON t.id = at.tag_id"
                 " WHERE at.article_id IN ({}) ORDER BY at.article_id, t.name")

_HIGHLIGHTS = ('SELECT h.article_id, h.id, h.start, h."end", h.exact, h.colour, h.note,'
               ' h.orphaned, h.created_at, h.updated_at, h.changed_in, h.previous_exact,'
               ' r.replaced_at FROM highlight h LEFT JOIN revision r ON r.id = h.changed_in'
               ' WHERE h.article_id IN ({}) ORDER BY h.article_id, h.id')
_HIGHLIGHT_TAGS = ("SELECT h.article_id, ht.highlight_id, t.name FROM highlight h"
                   " JOIN highlight_tag ht ON ht.highlight_id = h.id JOIN tag t ON t.id = ht.tag_id"
                   " WHERE h.article_id IN ({}) ORDER BY h.article_id, ht.highlight_id, t.name")
# Only for a template that shows review dates: each highlight's review schedule.
_REVIEW = ("SELECT h.article_id, c.highlight_id, c.due, c.retired FROM review_card c"
           " JOIN highlight h ON h.id = c.highlight_id WHERE h.article_id IN ({})"
           " ORDER BY h.article_id, c.highlight_id")
QUERIES = (_ARTICLES, _ARTICLE_TAGS, _HIGHLIGHTS, _HIGHLIGHT_TAGS)
_STAMPS = "SELECT article_id, stamp FROM article_change WHERE article_id IN ({})"
# Whether an article has anything to export, from two indexes alone (an article row's
# note comes after its text and source, which a lookup of the row would read through).
_WITH_HIGHLIGHTS = "SELECT DISTINCT article_id FROM highlight WHERE article_id IN ({})"
_WITH_NOTE = "SELECT id FROM article INDEXED BY article_with_note WHERE note != '' AND id IN ({})"


def stamps(storage: Storage, article_ids: Sequence[int]) -> dict[int, int]:
    """Each article's change stamp, from a table of two integers a row (an article
    without one, such as one deleted, is left out)."""
    found: dict[int, int] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        found.update(storage.rows(_STAMPS.format(", ".join("?" * len(chunk))), chunk))
    return found


def annotated(storage: Storage, article_ids: Sequence[int]) -> set[int]:
    """Those of the articles that have a highlight or a note, read from indexes only."""
    found: set[int] = set()
    ids = list(article_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for query in (_WITH_HIGHLIGHTS, _WITH_NOTE):
            found.update(i for (i,) in storage.rows(query.format(marks), chunk))
    return found


def fingerprints(storage: Storage, article_ids: Sequence[int],
                 context: str, review: bool = False) -> dict[int, tuple[str, bool]]:
    """For each article that exists: the digest of what its export depends on, and
    whether it has anything to export (a highlight or a note). With `review`, its
    highlights' review schedules too (for a template that shows them)."""
    found: dict[int, tuple[str, bool]] = {}
    ids = list(article_ids)
    prefix = context.encode("utf-8", "surrogatepass")
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        articles = storage.rows(_ARTICLES.format(marks), chunk)
        # Each query's rows come ordered by article: grouped without a dictionary a row.
        tags, highlights, highlight_tags, schedules = (
            {article_id: list(rows) for article_id, rows in
             groupby(storage.rows(query.format(marks), chunk), key=itemgetter(0))}
            if query else {}
            for query in (_ARTICLE_TAGS, _HIGHLIGHTS, _HIGHLIGHT_TAGS,
                          _REVIEW if review else None))
        for row in articles:
            article_id = row[0]
            marked = highlights.get(article_id, ())
            data = repr((row, tags.get(article_id), marked, highlight_tags.get(article_id))
                        + ((schedules.get(article_id),) if review else ()))
            digest = hashlib.sha256(prefix)
            digest.update(data.encode("utf-8", "surrogatepass"))
            found[article_id] = (digest.hexdigest()[:32], bool(row[6]) or bool(marked))
    return found
