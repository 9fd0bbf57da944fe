"""Revisions: the earlier versions of an article, kept when a newer one replaced its text.

When a saved page (or a feed's entry, or a file imported again) comes back with a
different text, the version being replaced is kept whole as a `revision` row: its title,
source, canonical text and content hash, when it was saved and when it was replaced.
Nothing a highlight was made on is ever lost: a passage that changed or went can still
be read in the revision named by the highlight's `changed_in`.

Only a change of the canonical text makes a revision: a version whose text is the same
(new metadata, a different front matter) replaces the article's fields and keeps none.

The word diff compares a revision with the current text, word by word.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from reader.records import RevisionRecord
from reader.storage.database import LibraryError, Storage

SAME, ADDED, REMOVED = "same", "added", "removed"

_WORD = re.compile(r"\S+")


def keep(store: Storage, article_id: int, row: Any, replaced_at: str) -> int:
    """Store the article's current version (`row`: its title, source_format, source_text,
    text, content_hash, added_at and revised_at) as a revision; inside the caller's write.
    Returns the revision's id."""
    return store.models.Revision.insert(
        article=article_id, title=row.title, source_format=row.source_format,
        source_text=row.source_text, text=row.text, content_hash=row.content_hash,
        # This version was saved when the article was added, or when it last changed.
        saved_at=row.revised_at or row.added_at, replaced_at=replaced_at,
    ).execute()


def records(store: Storage, article_id: int) -> list[RevisionRecord]:
    """The article's revisions, newest first (a few per article: their texts are read to
    count the words)."""
    rows = store.rows(
        "SELECT id, article_id, title, saved_at, replaced_at, content_hash, source_format, text"
        " FROM revision WHERE article_id = ? ORDER BY replaced_at DESC, id DESC", (article_id,))
    return [RevisionRecord(*row[:7], words=len(row[7].split())) for row in rows]


def text(store: Storage, revision_id: int, article_id: int | None = None) -> str:
    """The canonical text of a revision (of that article, when given); LibraryError if
    there is no such revision."""
    sql = "SELECT text FROM revision WHERE id = ?"
    params: tuple[int, ...] = (revision_id,)
    if article_id is not None:
        sql += " AND article_id = ?"
        params += (article_id,)
    found = store.rows(sql, params)
    if not found:
        owner = "" if article_id is None else f" of article {article_id}"
        raise LibraryError(f"There is no revision with id {revision_id}{owner}.")
    return found[0][0]


def snapshot(store: Storage, article_id: int) -> list[dict[str, Any]]:
    """Every revision of the article, whole, for undo to put them back with their ids."""
    m = store.models
    names = [f.name for f in m.Revision._meta.sorted_fields]
    query = (m.Revision.select(*m.Revision._meta.sorted_fields)
             .where(m.Revision.article == article_id).order_by(m.Revision.id))
    return [dict(zip(names, row)) for row in store.query_rows(query)]


def restore(store: Storage, rows: list[dict[str, Any]]) -> None:
    """Put back revisions taken by `snapshot` (inside the caller's write)."""
    for row in rows:
        store.models.Revision.insert(**row).execute()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The changes from `old` to `new`, word by word, as (op, text) pairs in reading order,
    op one of "same", "added", "removed"; adjacent pieces of one op are merged.

    The "same" and "added" pieces, joined, are exactly `new`; the "removed" ones are
    slices of `old`. Each piece carries the white space after its last word, so the
    pieces join into readable text. Changes in white space alone are not differences.

    difflib's SequenceMatcher over word tokens: the standard library's long-kept
    implementation, which finds the longest matching runs first, so an edited sentence
    reads as a few words removed and added rather than scattered single-word matches.
    Its "autojunk" heuristic (words making up over 1% of a long text, like "the", do not
    seed matches) keeps it near linear, and the common head and tail of the two texts
    (usually nearly all of a revised article) are set aside before it runs: a
    5,000-word article with a few edits is diffed in a few milliseconds, and two
    entirely different 5,000-word texts in tens of milliseconds.
    """
    old_starts = [m.start() for m in _WORD.finditer(old)]
    new_starts = [m.start() for m in _WORD.finditer(new)]
    a = [m.group() for m in _WORD.finditer(old)]
    b = [m.group() for m in _WORD.finditer(new)]
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while (tail < len(a) - head and tail < len(b) - head
           and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]):
        tail += 1
    opcodes = [("equal", 0, head, 0, head)]
    matcher = difflib.SequenceMatcher(None, a[head:len(a) - tail], b[head:len(b) - tail])
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        opcodes.append((op, i1 + head, i2 + head, j1 + head, j2 + head))
    opcodes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    opcodes = _merge_lone_words(opcodes)

    def piece(source: str, starts: list[int], first: int, last: int) -> str:
        # Tokens first..last-1 with the white space after the last one.
        if first >= last:
            return ""
        return source[starts[first]:len(source) if last >= len(starts) else starts[last]]

    result: list[tuple[str, str]] = []
    if new[:new_starts[0] if new_starts else len(new)]:  # white space before the first word
        result.append((SAME, new[:new_starts[0] if new_starts else len(new)]))

    def emit(op: str, chunk: str) -> None:
        if not chunk:
            return
        if result and result[-1][0] == op:
            result[-1] = (op, result[-1][1] + chunk)
        else:
            result.append((op, chunk))

    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            emit(SAME, piece(new, new_starts, j1, j2))
        if op in ("delete", "replace"):
            emit(REMOVED, piece(old, old_starts, i1, i2))
        if op in ("insert", "replace"):
            emit(ADDED, piece(new, new_starts, j1, j2))
    return result


def _merge_lone_words(opcodes: list[tuple[str, int, int, int, int]]
                      ) -> list[tuple[str, int, int, int, int]]:
    """Opcodes with a single word kept between two changes taken into one change: "[-for
    help from the capital-] {+late, in the spring+}" reads better than the same with
    "the" kept alone in the middle. Neighbouring changes become one replacement."""
    merged: list[tuple[str, int, int, int, int]] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if i1 == i2 and j1 == j2:
            continue  # an empty run (the head or tail set aside had no words)
        lone = (op == "equal" and i2 - i1 == 1 and 0 < index < len(opcodes) - 1
                and opcodes[index - 1][0] != "equal" and opcodes[index + 1][0] != "equal")
        if lone or op != "equal":
            if merged and merged[-1][0] != "equal":
                _op, p1, _p2, q1, _q2 = merged[-1]
                merged[-1] = ("replace", p1, i2, q1, j2)
            else:
                merged.append(("replace" if lone else op, i1, i2, j1, j2))
        else:
            merged.append((op, i1, i2, j1, j2))
    return merged


def format_diff(pieces: list[tuple[str, str]]) -> str:
    """A word diff as text, `[-removed-]` and `{+added+}` (git's --word-diff=plain style);
    the white space after a changed piece goes outside its marks."""
    out = []
    for op, chunk in pieces:
        if op == SAME:
            out.append(chunk)
            continue
        body = chunk.rstrip()
        lead = body[:len(body) - len(body.lstrip())]
        body = body.strip()
        if not body:
            out.append(chunk)
            continue
        marks = ("[-", "-]") if op == REMOVED else ("{+", "+}")
        out.append(f"{lead}{marks[0]}{body}{marks[1]}{chunk[len(chunk.rstrip()):]}")
    return "".join(out)
