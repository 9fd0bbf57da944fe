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
from reader.storage.schema_info import TEAM_COLUMNS, SchemaInfo, quote

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
    # A team library copied to a personal one: its columns the target has no place for
    # ("highlight.author"), which were not kept.
    columns_left_out: tuple[str, ...] = ()
    # A personal library copied into a team one: the target's columns the source has
    # none of, which took the target's defaults.
    columns_defaulted: tuple[str, ...] = ()
    # Row-level security hid some of the source's rows (other readers' private
    # highlights) from the role that copied: they, and the rows about them, were not
    # copied, and how many there are cannot be known through it.
    only_visible: bool = False


@dataclass(frozen=True)
class _Plan:
    """What is copied of each table: the columns both sides have (in the source's
    order), and which of the source's rows (an SQL condition, '' for all). The copy and
    the checksums on both sides go by the same plan, so verification stays exact."""

    columns: dict[str, list[str]]
    where: dict[str, str]
    columns_left_out: tuple[str, ...]
    columns_defaulted: tuple[str, ...]
    only_visible: bool


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
    plan = _plan(source, target, source_info, target_info, tables)
    foreign = target_info.not_owned(tables)
    if foreign:
        raise CopyError(
            f"{_name(target)}: a copy empties the library's tables and sets their ids, which "
            f"only the role owning them may do, and {', '.join(foreign[:3])}"
            f"{' and others' if len(foreign) > 3 else ''} are not yours. Connect as the "
            "role that owns them (of a team library, the one that ran `marginalia team "
            "init`). Nothing was copied.")
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
                _copy_table(source_info, target_info, table, plan, batch_rows, progress)
            target_info.set_next_ids(source_info.next_ids())
            sums = {table: checksum(source_info, table, plan.columns[table], plan.where[table])
                    for table in tables}
            _settle(source_info, target_info, order, sums, plan, batch_rows)
            figures = tuple(
                TableFigures(table, *_pair(sums[table],
                                           checksum(target_info, table, plan.columns[table])))
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
                      replace, plan.columns_left_out, plan.columns_defaulted,
                      plan.only_visible)


def _plan(source: Storage | PostgresStorage, target: Storage | PostgresStorage,
          source_info: SchemaInfo, target_info: SchemaInfo, tables: list[str]) -> _Plan:
    """The columns and rows to copy. The tables' columns must be the same on both sides
    but for a team library's own (TEAM_COLUMNS): a personal library has no place for
    them and leaves them out; a team library given a personal one's rows fills them with
    its defaults. Of a source whose row-level security hides highlights from the
    connected role, the rows of other tables about those highlights (their tags, notes'
    histories, review cards and logs, import records) are left out too."""
    columns: dict[str, list[str]] = {}
    left_out: list[str] = []
    defaulted: list[str] = []
    for table in tables:
        ours, theirs = source_info.columns(table), target_info.columns(table)
        differ = set(ours) ^ set(theirs)
        if not differ <= TEAM_COLUMNS.get(table, frozenset()):
            only = [f"{c} only in {_name(source)}" for c in sorted(set(ours) - set(theirs))]
            only += [f"{c} only in {_name(target)}" for c in sorted(set(theirs) - set(ours))]
            raise CopyError(f"the table {table} has different columns ({'; '.join(only)}): "
                            "apart from a team library's authors and private flags, both "
                            "libraries must have the same columns. Nothing was copied.")
        columns[table] = [c for c in ours if c in theirs]
        left_out += [f"{table}.{c}" for c in ours if c not in theirs]
        defaulted += [f"{table}.{c}" for c in theirs if c not in ours]
    hidden = "highlight" in tables and source_info.hides_rows("highlight")
    where = {table: _about_visible_highlights(table, columns[table])
             if hidden and table != "highlight" else "" for table in tables}
    return _Plan(columns, where, tuple(left_out), tuple(defaulted), hidden)


def _about_visible_highlights(table: str, columns: list[str]) -> str:
    """The rows of `table` not about a highlight the connected role cannot see: the
    highlight's own row-level security decides, through the subquery."""
    if "highlight_id" not in columns:
        return ""
    mine = f"{quote(table)}.{quote('highlight_id')}"
    return (f"({mine} IS NULL OR EXISTS (SELECT 1 FROM {quote('highlight')} AS seen"
            f" WHERE seen.{quote('id')} = {mine}))")


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
            sums: dict[str, tuple[int, str]], plan: _Plan, batch_rows: int) -> None:
    """Rows the target's own triggers wrote while later tables were copied (an article's
    export stamp moves as its highlights arrive) are set back to the source's: a table
    no other table refers to that does not match is emptied and copied again."""
    referred = {parent for table in order for parent in target.parents(table)}
    for table in order:
        if table not in referred and checksum(target, table, plan.columns[table]) != sums[table]:
            target.database.execute_sql(f"DELETE FROM {quote(table)}")
            _copy_table(source, target, table, plan, batch_rows, None)


def _batches(info: SchemaInfo, table: str, columns: list[str], batch_rows: int,
             where: str = "") -> Iterator[list[tuple]]:
    """The table's rows (those meeting `where`, if given) in primary-key order, a batch
    at a time (keyset paging: no cursor is held open and no whole table is in memory)."""
    key = info.primary_key(table) or ["rowid"]
    key_at = [columns.index(k) for k in key]
    names = ", ".join(quote(c) for c in columns)
    order = ", ".join(quote(k) for k in key)
    after: tuple | None = None
    while True:
        if after is None:
            conditions = [where] if where else []
            params: tuple = ()
        else:
            marks = ", ".join([info.param] * len(key))
            conditions = ([where] if where else []) + [f"({order}) > ({marks})"]
            params = after
        sql = (f"SELECT {names} FROM {quote(table)}"
               + (" WHERE " + " AND ".join(conditions) if conditions else "")
               + f" ORDER BY {order} LIMIT {batch_rows}")
        rows = info.database.execute_sql(sql, params).fetchall()
        if not rows:
            return
        yield rows
        if len(rows) < batch_rows:
            return
        after = tuple(rows[-1][i] for i in key_at)


def _copy_table(source: SchemaInfo, target: SchemaInfo, table: str, plan: _Plan,
                batch_rows: int, progress: Progress | None) -> None:
    columns = plan.columns[table]
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
    for rows in _batches(source, table, columns, batch_rows, plan.where[table]):
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


def checksum(info: SchemaInfo, table: str, columns: list[str] | None = None,
             where: str = "") -> tuple[int, str]:
    """The table's row count and a sha256 of its rows, the same on both engines: of
    `columns` (all, by default) and of the rows meeting `where` (all, by default).

    Each row is encoded canonically (type tag, then length-prefixed value; integers in
    decimal, floats by repr, true/false as integers), hashed, and the row hashes are
    hashed in primary-key order as Python orders keys (text by code point, which is
    SQLite's byte order; PostgreSQL's collation may order text otherwise). Columns
    are taken by name in sorted order, so their order in the table does not matter."""
    columns = sorted(columns if columns is not None else info.columns(table))
    key = info.primary_key(table) or columns
    key_at = [columns.index(k) for k in key]
    keyed: list[tuple[tuple, bytes]] = []
    for rows in _batches(info, table, columns, 2000, where):
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
