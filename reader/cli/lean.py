"""The lean read path of `marginalia list`, `search` and `show`: the same commands, on a
read-only sqlite3 connection, without peewee, the library's managers or the query parser.

Opening the whole library (reader.library) imports peewee and every manager, 80 ms of a
command that itself takes a few: the lean path runs the very same command functions
(reader.cli.library_commands) and statements (reader.reads) on `file:...?mode=ro`.
It answers only when it can answer exactly as the whole library would; otherwise `run`
returns None and the caller opens the library, which creates, upgrades, recovers or
explains: a missing, older, newer, damaged or unreadable file, a query in the query
language, an unknown article, an article whose stored text the renderer would change
now (the library stores the new one and re-anchors its highlights), any error on the
way. What the command writes is held until it has finished, so that a fall-back never
follows half an answer.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

# Why the lean path left a command to the whole library, for the tests (the last one).
last_fallback: str | None = None


class _Storage:
    """What the command functions ask of a library's storage: rows of plain SQL."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self._connection.execute(sql, params).fetchall()


class _Unanswered(Exception):
    """What the lean path cannot answer exactly: the whole library answers instead."""


class _Articles:
    """The article reads `show` asks of a library, from reader.reads' statements."""

    def __init__(self, rows: Callable[..., list[tuple]]) -> None:
        self._rows = rows

    def get(self, article_id: int) -> object:
        from reader import reads

        found = reads.article_records(self._rows, [article_id])
        if not found:
            raise _Unanswered(f"no article {article_id}")  # the library's message says it
        return found[0]

    def document(self, article_id: int) -> object:
        from reader import reads

        *inputs, text = self._value(article_id, *reads.DOCUMENT_COLUMNS)
        document = reads.render(*inputs)
        if document.text != text:  # the renderer changed: the library stores the new text
            raise _Unanswered("the stored text is not what the renderer makes now")
        return document

    def source(self, article_id: int) -> str:
        return self._value(article_id, "source_text")[0]

    def revised_at(self, article_id: int) -> str | None:
        return self._value(article_id, "revised_at")[0]

    def _value(self, article_id: int, *columns: str) -> tuple:
        from reader import reads

        found = reads.article_values(self._rows, article_id, *columns)
        if found is None:
            raise _Unanswered(f"no article {article_id}")
        return found


class _Highlights:
    def __init__(self, rows: Callable[..., list[tuple]]) -> None:
        self._rows = rows

    def for_article(self, article_id: int) -> list:
        from reader import reads

        return reads.highlights_for_articles(self._rows, [article_id]).get(article_id, [])


class _ReadOnlyLibrary:
    """A library as the lean commands see it: its storage's rows, and the article and
    highlight reads `show` uses (a command that asks for more raises AttributeError, and
    the whole library answers)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.storage = _Storage(connection)
        self.articles = _Articles(self.storage.rows)
        self.highlights = _Highlights(self.storage.rows)


def handles(name: str, options: argparse.Namespace) -> str | None:
    """Why the lean path leaves this command to the whole library (None: it runs it)."""
    if name == "list":
        return "list --query uses the query language" if options.query is not None else None
    if name == "search":
        from reader.query import is_query

        return "the search uses the query language" if is_query(options.query) else None
    if name == "show":
        return None
    return f"'{name}' is not a lean command"


def run(name: str, options: argparse.Namespace, db_path: Path) -> int | None:
    """Run `list`, `search` or `show` on the library at db_path, read-only; its exit status, or
    None when the whole library must run it (nothing was written then)."""
    global last_fallback
    last_fallback = handles(name, options) or _why_not_open(db_path)
    if last_fallback is not None:
        return None
    connection = _connect(db_path)
    if isinstance(connection, str):
        last_fallback = connection
        return None
    from reader.cli import library_commands

    command: Callable[..., int] = {"list": library_commands.list_articles,
                                   "search": library_commands.search,
                                   "show": library_commands.show}[name]
    out, err = io.StringIO(), io.StringIO()
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = command(_ReadOnlyLibrary(connection), options)
    except _Unanswered as exc:
        last_fallback = str(exc)
        return None
    except Exception as exc:  # noqa: BLE001 - whatever it is, the whole library says it
        last_fallback = f"{type(exc).__name__}: {exc}"
        return None
    finally:
        sys.stdout, sys.stderr = real_out, real_err
        connection.close()
    write_held(sys.stderr, err.getvalue())
    write_held(sys.stdout, out.getvalue())
    return status


def write_held(stream: io.TextIOBase | None, text: str) -> None:
    """Write held output as print() would have: nothing when the process started with the
    stream closed (None), and in pieces, so that a reader that stopped reading early is
    noticed (BrokenPipeError, see reader.cli.main): one write of 180 KB to a pipe whose
    reader closed after 100 bytes ended without an error."""
    if stream is None:
        return
    for start in range(0, len(text), WRITE_PIECE):
        stream.write(text[start:start + WRITE_PIECE])


WRITE_PIECE = 8192


def _why_not_open(db_path: Path) -> str | None:
    try:
        size = db_path.stat().st_size
    except OSError as exc:
        return f"the file cannot be read ({exc.strerror})"  # missing: the library makes it
    return "the file is empty (a new library)" if size == 0 else None


def _connect(db_path: Path) -> sqlite3.Connection | str:
    """A read-only connection to a library of the current schema, or why there is none."""
    from reader.storage.migrations import SCHEMA_VERSION

    try:
        # The same wait for a lock as the library's own connections (busy_timeout 5 s).
        connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True,
                                     timeout=5.0)
    except sqlite3.Error as exc:
        return f"cannot open read-only: {exc}"
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        connection.close()
        return f"cannot read the schema version: {exc}"
    if version != SCHEMA_VERSION:
        connection.close()
        return f"schema {version}, not {SCHEMA_VERSION}"
    return connection
