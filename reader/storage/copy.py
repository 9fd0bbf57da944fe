"""Copying a whole library between SQLite files and PostgreSQL databases, verified."""

from __future__ import annotations

import hashlib
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import DatabaseError, InterfaceError

from reader.storage.database import (
    SCHEMA_VERSION,
    LibraryError,
    Storage,
    read_schema_version,
)
from reader.storage.postgres import PostgresStorage, is_postgres_url, redact
from reader.storage.postgres import read_schema_version as read_postgres_version
from reader.storage.schema_info import SchemaInfo, quote

BATCH_ROWS = 500

Progress = Callable[[str, int], None]  # (table, rows copied so far)


class CopyError(LibraryError):
    """A copy that did not happen; the message says why and that the target is as it was."""


class _TableFailed(Exception):
    """Writing one table's rows failed; the copy as a whole says so and rolls back."""


@dataclass(frozen=True)
class TableFigures:
    """One table's rows and content checksum on each side."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def matches(self) -> bool:
        return (self.source_rows == self.target_rows
                and self.source_checksum == self.target_checksum)


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    tables: tuple[TableFigures, ...]
    seconds: float
    replaced: bool


def describe(spec: str | Path) -> str:
    """A library's name fit to show: a path, or a URL without its password."""
    return redact(str(spec)) if is_postgres_url(str(spec)) else str(spec)


def open_source(spec: str | Path) -> Storage | PostgresStorage:
    """The library to copy from, opened without changing it: it must exist and be at
    this version's schema (an older one is upgraded by opening it in Marginalia)."""
    if is_postgres_url(str(spec)):
        storage = PostgresStorage.open(str(spec), migrate_schema=False)
        version = read_postgres_version(storage.database)
    else:
        path = Path(spec).expanduser()
        if not path.is_file():
            raise CopyError(f"{path}: no library file there to copy from.")
        version = read_schema_version(path)
        storage = None
    if version != SCHEMA_VERSION:
        if storage is not None:
            storage.close()
        state = "is empty" if version == 0 else f"is at schema {version}"
        raise CopyError(
            f"{describe(spec)}: the library to copy from {state}; this version copies "
            f"libraries at schema {SCHEMA_VERSION}. Open it with Marginalia first to "
            "upgrade it. Nothing was copied.")
    return storage if storage is not None else Storage.open(Path(spec).expanduser())


def open_target(spec: str | Path) -> Storage | PostgresStorage:
    """The library to copy into, created or upgraded to this version's schema."""
    if is_postgres_url(str(spec)):
        return PostgresStorage.open(str(spec))
    return Storage.open(Path(spec).expanduser())


def _name(storage: Storage | PostgresStorage) -> str:
    return storage.url if isinstance(storage, PostgresStorage) else str(storage.path)


def copy_library(source: str | Path, target: str | Path, replace: bool = False,
                 batch_rows: int = BATCH_ROWS, progress: Progress | None = None) -> CopyReport:
    """Copy every table of `source` into `target` (paths or PostgreSQL URLs), ids kept.

    The target is created or upgraded first. One holding anything beyond what a new
    library holds is refused unless `replace`. Everything is written in one
    transaction, which commits only after each table's row count and content checksum
    match the source's: on any failure the target is left as it was."""
    if _same_library(source, target):
        raise CopyError(f"{describe(source)}: the source and the target are the same library.")
    started = time.monotonic()
    source_storage = open_source(source)
    try:
        target_storage = open_target(target)
        try:
            return _copy(source_storage, target_storage, replace, batch_rows, progress, started)
        finally:
            target_storage.close()
    finally:
        source_storage.close()


def _same_library(source: str | Path, target: str | Path) -> bool:
    if is_postgres_url(str(source)) or is_postgres_url(str(target)):
        return str(source) == str(target)
    return Path(source).expanduser().resolve() == Path(target).expanduser().resolve()


def _copy(source: Storage | PostgresStorage, target: Storage | PostgresStorage, replace: bool,
          batch_rows: int, progress: Progress | None, started: float) -> CopyReport:
    source_info, target_info = SchemaInfo(source.database), SchemaInfo(target.database)
    tables = source_info.tables()
    target_tables = target_info.tables()
    if tables != target_tables:
        raise CopyError(
            f"{_name(source)} and {_name(target)} hold different tables "
            f"({', '.join(sorted(set(tables) ^ set(target_tables)))}); nothing was copied.")
    for table in tables:
        ours, theirs = set(source_info.columns(table)), set(target_info.columns(table))
        if ours != theirs:
            only = [f"{c} only in {_name(source)}" for c in sorted(ours - theirs)]
            only += [f"{c} only in {_name(target)}" for c in sorted(theirs - ours)]
            raise CopyError(f"the table {table} has different columns ({'; '.join(only)}): "
                            "a team library's authors and private highlights have no place "
                            "in a library without them yet. Nothing was copied.")
    if not replace:
        extra = _beyond_new(target_info, tables)
        if extra:
            raise CopyError(
                f"{_name(target)} is not empty (it holds {', '.join(extra)}). Nothing was "
                "copied; pass --replace to delete its contents and copy over them.")
    order = target_info.insert_order(tables)
    try:
        with _snapshot(source), target.write():
            _clear(target_info, order)
            for table in order:
                _copy_table(source_info, target_info, table, batch_rows, progress)
            target_info.set_next_ids(source_info.next_ids())
            sums = {table: checksum(source_info, table) for table in tables}
            _settle(source_info, target_info, order, sums, batch_rows)
            figures = tuple(
                TableFigures(table, *_pair(sums[table], checksum(target_info, table)))
                for table in tables)
            wrong = [f.table for f in figures if not f.matches]
            if wrong:
                raise CopyError(
                    f"the copy in {_name(target)} does not match {_name(source)} in "
                    f"{', '.join(wrong)} (row counts or checksums differ); it was rolled back "
                    "and the target is as it was.")
    except CopyError:
        raise
    except (DatabaseError, InterfaceError, LibraryError, _TableFailed) as exc:
        reason = " ".join(str(exc).split())
        raise CopyError(
            f"copying {_name(source)} to {_name(target)} failed ({reason}); nothing was "
            "written to the target.") from exc
    if target_info.postgres:
        # Now, not when autovacuum comes round: the planner's statistics (it would take
        # the copied tables for nearly empty ones), the search indexes' pending entries
        # merged (until then a rare word took 100 ms instead of 0.3), and the visibility
        # map that lets the list's first page be read from its index alone.
        target.database.execute_sql("VACUUM (ANALYZE)")
    return CopyReport(_name(source), _name(target), figures, time.monotonic() - started,
                      replace)


def _pair(source: tuple[int, str], target: tuple[int, str]) -> tuple[int, int, str, str]:
    return source[0], target[0], source[1], target[1]


class _snapshot:
    """One consistent view of the source while it is read (the app may be writing)."""

    def __init__(self, storage: Storage | PostgresStorage) -> None:
        self.database = storage.database
        self.postgres = isinstance(storage, PostgresStorage)

    def __enter__(self) -> None:
        self._atomic = self.database.atomic()
        self._atomic.__enter__()
        if self.postgres:
            self.database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def __exit__(self, *exc: Any) -> None:
        self._atomic.__exit__(*exc)  # it only read: commit and rollback are the same


def _new_library_checksums() -> dict[str, tuple[int, str]]:
    """What each table of a new library holds (the built-in saved views), as figures."""
    global _NEW_LIBRARY
    if _NEW_LIBRARY is None:
        from peewee import SqliteDatabase

        from reader.storage.migrations import migrate

        database = SqliteDatabase(":memory:")
        migrate(database, 0)
        info = SchemaInfo(database)
        _NEW_LIBRARY = {table: checksum(info, table) for table in info.tables()}
        database.close()
    return _NEW_LIBRARY


_NEW_LIBRARY: dict[str, tuple[int, str]] | None = None


def _beyond_new(info: SchemaInfo, tables: list[str]) -> list[str]:
    """The tables holding rows a new library does not, with their counts."""
    new = _new_library_checksums()
    extra = []
    for table in tables:
        figures = checksum(info, table)
        if figures[0] and figures != new.get(table):
            extra.append(f"{figures[0]} rows in {table}")
    return extra


def _clear(info: SchemaInfo, order: list[str]) -> None:
    if info.postgres:
        info.database.execute_sql("TRUNCATE " + ", ".join(quote(t) for t in order))
    else:
        for table in reversed(order):
            info.database.execute_sql(f"DELETE FROM {quote(table)}")


def _settle(source: SchemaInfo, target: SchemaInfo, order: list[str],
            sums: dict[str, tuple[int, str]], batch_rows: int) -> None:
    """Rows the target's own triggers wrote while later tables were copied (an article's
    export stamp moves as its highlights arrive) are set back to the source's: a table
    no other table refers to that does not match is emptied and copied again."""
    referred = {parent for table in order for parent in target.parents(table)}
    for table in order:
        if table not in referred and checksum(target, table) != sums[table]:
            target.database.execute_sql(f"DELETE FROM {quote(table)}")
            _copy_table(source, target, table, batch_rows, None)


def _batches(info: SchemaInfo, table: str, columns: list[str],
             batch_rows: int) -> Iterator[list[tuple]]:
    """The table's rows in primary-key order, a batch at a time (keyset paging: no
    cursor is held open and no whole table is in memory)."""
    key = info.primary_key(table) or ["rowid"]
    key_at = [columns.index(k) for k in key]
    names = ", ".join(quote(c) for c in columns)
    order = ", ".join(quote(k) for k in key)
    after: tuple | None = None
    while True:
        if after is None:
            sql = f"SELECT {names} FROM {quote(table)} ORDER BY {order} LIMIT {batch_rows}"
            params: tuple = ()
        else:
            marks = ", ".join([info.param] * len(key))
            sql = (f"SELECT {names} FROM {quote(table)} WHERE ({order}) > ({marks})"
                   f" ORDER BY {order} LIMIT {batch_rows}")
            params = after
        rows = info.database.execute_sql(sql, params).fetchall()
        if not rows:
            return
        yield rows
        if len(rows) < batch_rows:
            return
        after = tuple(rows[-1][i] for i in key_at)


def _copy_table(source: SchemaInfo, target: SchemaInfo, table: str, batch_rows: int,
                progress: Progress | None) -> None:
    columns = source.columns(table)
    key = target.primary_key(table)
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join([target.param] * len(columns))
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"
    # Rows a trigger of the target already made (an article's word count) are
    # overwritten with the source's, which the checksums then compare.
    others = [c for c in columns if c not in key]
    if key and others:
        sql += (f" ON CONFLICT ({', '.join(quote(k) for k in key)}) DO UPDATE SET "
                + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in others))
    elif key:
        sql += " ON CONFLICT DO NOTHING"
    copied = 0
    if key and source.primary_key(table) != key:
        raise CopyError(f"the table {table} has a different primary key on each side.")
    for rows in _batches(source, table, columns, batch_rows):
        cursor = target.database.cursor()
        try:
            cursor.executemany(sql, rows)
        except Exception as exc:
            raise _TableFailed(f"the table {table}, rows after {copied}: "
                            + " ".join(str(exc).split())) from exc
        finally:
            cursor.close()
        copied += len(rows)
        if progress is not None:
            progress(table, copied)


def checksum(info: SchemaInfo, table: str) -> tuple[int, str]:
    """The table's row count and a sha256 of its rows, the same on both engines.

    Each row is encoded canonically (type tag, then length-prefixed value; integers in
    decimal, floats by repr, true/false as integers), hashed, and the row hashes are
    hashed in primary-key order as Python orders keys (text by code point, which is
    SQLite's byte order; PostgreSQL's collation may order text otherwise). Columns
    are taken by name in sorted order, so their order in the table does not matter."""
    columns = sorted(info.columns(table))
    key = info.primary_key(table) or columns
    key_at = [columns.index(k) for k in key]
    keyed: list[tuple[tuple, bytes]] = []
    for rows in _batches(info, table, columns, 2000):
        for row in rows:
            keyed.append((tuple(row[i] for i in key_at), _row_digest(row)))
    keyed.sort(key=lambda item: tuple(_sort_key(v) for v in item[0]))
    total = hashlib.sha256()
    for _key, digest in keyed:
        total.update(digest)
    return len(keyed), total.hexdigest()


def _sort_key(value: Any) -> tuple:
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, value)


def _row_digest(row: tuple) -> bytes:
    digest = hashlib.sha256()
    for value in row:
        digest.update(_encode(value))
    return digest.digest()


def _encode(value: Any) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        data, tag = str(value).encode(), b"I"
    elif isinstance(value, float):
        data, tag = repr(value).encode(), b"F"
    elif isinstance(value, str):
        data, tag = value.encode("utf-8", "surrogatepass"), b"S"
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data, tag = bytes(value), b"B"
    else:
        data, tag = str(value).encode(), b"?"
    return tag + struct.pack(">Q", len(data)) + data
