"""What an article's export depends on, as one digest, read without any article's body.

A re-export with nothing changed should cost about what listing the folder costs: for
each article, a digest of everything its file is rendered from is compared with the one
the manifest kept, and an article whose digest and file (size and modification time)
are as they were is skipped without being read or rendered.

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

from reader.storage.database import Storage

_CHUNK = 500  # ids per query, under SQLite's variable limit

_ARTICLES = ("SELECT id, title, author, publication, published, url, note, content_hash,"
             " source_format, revised_at FROM article WHERE id IN ({})")
_ARTICLE_TAGS = ("SELECT at.article_id, t.name FROM article_tag at JOIN tag t ON t.id = at.tag_id"
                 " WHERE at.article_id IN ({}) ORDER BY t.name")

_HIGHLIGHTS = ('SELECT h.article_id, h.id, h.start, h."end", h.exact, h.colour, h.note,'
               ' h.orphaned, h.created_at, h.updated_at, h.changed_in, h.previous_exact,'
               ' r.replaced_at FROM highlight h LEFT JOIN revision r ON r.id = h.changed_in'
               ' WHERE h.article_id IN ({}) ORDER BY h.article_id, h.id')
_HIGHLIGHT_TAGS = ("SELECT h.article_id, ht.highlight_id, t.name FROM highlight h"
                   " JOIN highlight_tag ht ON ht.highlight_id = h.id JOIN tag t ON t.id = ht.tag_id"
                   " WHERE h.article_id IN ({}) ORDER BY ht.highlight_id, t.name")
QUERIES = (_ARTICLES, _ARTICLE_TAGS, _HIGHLIGHTS, _HIGHLIGHT_TAGS)


def fingerprints(storage: Storage, article_ids: Sequence[int],
                 context: str) -> dict[int, tuple[str, bool]]:
    """For each article that exists: the digest of what its export depends on, and
    whether it has anything to export (a highlight or a note)."""
    found: dict[int, tuple[str, bool]] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        parts: dict[int, list] = {}
        noted: dict[int, bool] = {}
        for row in storage.rows(_ARTICLES.format(marks), chunk):
            parts[row[0]] = [row]
            noted[row[0]] = bool(row[6])
        counts: dict[int, int] = {}
        for query in (_ARTICLE_TAGS, _HIGHLIGHTS, _HIGHLIGHT_TAGS):
            for row in storage.rows(query.format(marks), chunk):
                if row[0] in parts:
                    parts[row[0]].append(row)
                    if query is _HIGHLIGHTS:
                        counts[row[0]] = counts.get(row[0], 0) + 1
        for article_id, rows in parts.items():
            digest = hashlib.sha256(context.encode("utf-8", "surrogatepass"))
            digest.update(repr(rows).encode("utf-8", "surrogatepass"))
            found[article_id] = (digest.hexdigest()[:32],
                                 noted[article_id] or counts.get(article_id, 0) > 0)
    return found
