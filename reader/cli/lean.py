"""The lean read path of `marginalia list` and `search`: the same commands, on a read-only
sqlite3 connection, without peewee, the library's managers or the query parser.

Opening the whole library (reader.library) imports peewee and every manager, 80 ms of a
command that itself takes a few: the lean path runs the very same command functions
(reader.cli.library_commands) and statements (reader.reads) on `file:...?mode=ro`.
It answers only when it can answer exactly as the whole library would; otherwise
`run` returns None and the caller opens the library, which creates, upgrades,
recovers or explains (a missing, older, newer, damaged or unreadable file, a query in
the query language, any database error on the way). What the command writes is held
until it has finished, so that a fall-back never follows half an answer.
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


class _ReadOnlyLibrary:
    """A library as the lean commands see it: its storage's rows, nothing else (a command
    that asks for more raises AttributeError, and the whole library answers)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.storage = _Storage(connection)


def handles(name: str, options: argparse.Namespace) -> str | None:
    """Why the lean path leaves this command to the whole library (None: it runs it)."""
    if name == "list":
        return "list --query uses the query language" if options.query is not None else None
    if name == "search":
        from reader.query import is_query

        return "the search uses the query language" if is_query(options.query) else None
    return f"'{name}' is not a lean command"


def run(name: str, options: argparse.Namespace, db_path: Path) -> int | None:
    """Run `list` or `search` on the library at db_path, read-only; its exit status, or
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
                                   "search": library_commands.search}[name]
    out, err = io.StringIO(), io.StringIO()
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = command(_ReadOnlyLibrary(connection), options)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the whole library says it
        last_fallback = f"{type(exc).__name__}: {exc}"
        return None
    finally:
        sys.stdout, sys.stderr = real_out, real_err
        connection.close()
    sys.stderr.write(err.getvalue())
    sys.stdout.write(out.getvalue())
    return status


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
