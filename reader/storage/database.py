"""An open library file: its own database object, pragmas, schema upgrade and transactions."""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peewee import DatabaseError, InterfaceError, OperationalError, SqliteDatabase

from reader.storage.migrations import SCHEMA_VERSION, migrate
from reader.storage.models import SUMMARY_FIELDS, Models, utc_now

__all__ = ["SCHEMA_VERSION", "SUMMARY_FIELDS", "LibraryBusyError", "LibraryClosedError",
           "LibraryDamagedError", "LibraryError", "LibraryReadOnlyError", "Storage", "read_schema_version",
           "utc_now"]

# Every connection gets these. WAL lets the reader and a background writer work at
# once; synchronous=FULL makes a committed save survive a crash or a power cut.
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 2,  # FULL
    "busy_timeout": 5000,
}

# A library that cannot be written is still read; query_only guards against a slip.
READ_ONLY_PRAGMAS = {"foreign_keys": 1, "busy_timeout": 5000, "query_only": 1}

BackupHook = Callable[[Path, int], None]

# A write waits busy_timeout (5 s) for the lock at its start, and tries this many times
# in all before saying the library is busy.
WRITE_ATTEMPTS = 3

# The library files open in this process (resolved paths, with how many times each is
# open): a restore must not replace a file that is in use.
_open_paths: dict[Path, int] = {}
_open_lock = threading.Lock()


class LibraryError(Exception):
    """A library file that cannot be used, with a message meant for the user."""


class LibraryBusyError(LibraryError):
    """Another process kept the library's write lock for longer than we wait."""


class LibraryReadOnlyError(LibraryError):
    """A change asked of a library opened read-only; the message says why it is."""


class LibraryDamagedError(LibraryError):
    """The library file is damaged: it is never written to again in this session."""


class LibraryConnectionError(LibraryError):
    """The connection to a library on a server was lost (or cannot be made); the message
    names the library's URL without its password and the driver's reason.

    `in_doubt` is True when a COMMIT was sent and its answer never came: the change may
    or may not have been saved. Otherwise a change that raised this was not saved."""

    def __init__(self, message: str, in_doubt: bool = False, reason: str = "") -> None:
        super().__init__(message)
        self.in_doubt = in_doubt
        self.reason = reason or message  # the driver's words alone, for a banner


class LibraryClosedError(LibraryError):
    """The library was closed: work still running for it (a worker's read started before
    the window closed) has nothing to show and is dropped."""


class _LibraryDatabase(SqliteDatabase):
    """A SQLite database that says plainly when it is used after its library closed, and
    when the file turns out to be damaged (after which it refuses every write)."""

    damaged: str | None = None  # SQLite's words for the damage, once seen

    def execute_sql(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if self.damaged is not None and not _reads_only(sql):
            raise LibraryDamagedError(_damaged_message(self.database, self.damaged))
        try:
            return super().execute_sql(sql, params, *args, **kwargs)
        except DatabaseError as exc:
            if is_damage(exc):
                self.damaged = str(exc)
                raise LibraryDamagedError(_damaged_message(self.database, str(exc))) from exc
            raise

    def connect(self, reuse_if_open: bool = False) -> bool:
        try:
            return super().connect(reuse_if_open)
        except InterfaceError:
            if self.deferred:  # closed, possibly while this thread was on its way here
                raise LibraryClosedError("The library has been closed.") from None
            raise


SQLITE_HEADER = b"SQLite format 3\x00"
_DAMAGE = ("malformed", "file is not a database", "disk i/o error", "database corrupt")


def is_damage(error: BaseException) -> bool:
    """Whether a database error means the file itself is damaged."""
    text = str(error).lower()
    return any(words in text for words in _DAMAGE)


def _damaged_message(path: object, problem: str) -> str:
    return (f"{path} is damaged ({problem}). Marginalia will not write to it; restore the "
            "newest good backup (marginalia restore, or the window's offer at start).")


def _reads_only(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "PRAGMA QUICK_CHECK",
                                             "PRAGMA INTEGRITY_CHECK", "EXPLAIN"))


def read_schema_version(path: Path) -> int:
    """The file's schema version, read without changing the file (0 for a new file).

    A file that is not SQLite is "not a Marginalia library"; a SQLite file SQLite cannot
    read (truncated, overwritten) is damaged, which LibraryDamagedError says."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise LibraryError(f"{path}: cannot be read ({exc.strerror}).") from exc
    uri = path.resolve().as_uri()
    problem: sqlite3.DatabaseError | None = None
    # In a read-only folder a WAL library opens only as immutable (see _open_read_only).
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{uri}?{query}", uri=True)
            try:
                return conn.execute("PRAGMA user_version").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            problem = exc
            if header != SQLITE_HEADER or is_damage(exc):
                break
    if header == SQLITE_HEADER and is_damage(problem):
        raise LibraryDamagedError(_damaged_message(path, str(problem))) from problem
    if header == SQLITE_HEADER:
        raise LibraryError(f"{path}: cannot open the library ({problem}).") from problem
    raise LibraryError(f"{path}: not a Marginalia library ({problem}).") from problem


def _read_only_reason(path: Path) -> str | None:
    """Why the library at path cannot be written (None when it can). Tried, not asked
    of the permission bits, which an administrator, a read-only mount or an immutable
    file make wrong."""
    try:
        with path.open("r+b"):
            pass
    except OSError as exc:
        return f"the file cannot be written: {exc.strerror}"
    try:
        with tempfile.TemporaryFile(dir=path.parent):
            pass  # SQLite makes its -wal and -shm files beside the library
    except OSError as exc:
        return f"its folder {path.parent} cannot be written: {exc.strerror}"
    return None


def is_open(path: Path) -> bool:
    """Whether a library object in this process has the file at path open."""
    with _open_lock:
        return path.resolve() in _open_paths


class Storage:
    """One library file, opened (created or upgraded) by `Storage.open(path)`.

    It owns its peewee database object, which keeps one connection per thread, and the
    model classes bound to it (`storage.models.Article`, …). Two Storage objects on two
    files are wholly independent, in any threads.
    """

    def __init__(self, path: Path, database: SqliteDatabase) -> None:
        self.path = path
        self.database = database
        self.models = Models(database)
        self.read_only: str | None = None  # why it cannot be written, when it cannot

    @classmethod
    def open(cls, path: Path, before_migration: BackupHook | None = None) -> Storage:
        """Open the library file at path, creating or upgrading its schema.

        A file written by a newer Marginalia is refused before anything touches it.
        `before_migration(path, old_version)` runs before an existing library is upgraded
        (the caller makes its backup there). A file or folder that cannot be written is
        opened read-only (`read_only` says why); a damaged file raises
        LibraryDamagedError and is not written to.
        """
        path = Path(path)
        version = read_schema_version(path)
        if version > SCHEMA_VERSION:
            raise LibraryError(
                f"{path}: this library was written by a newer version of Marginalia "
                f"(schema {version}; this version understands up to {SCHEMA_VERSION}). "
                "It has not been changed; please update Marginalia to open it."
            )
        read_only = _read_only_reason(path) if version else None
        if read_only is not None:
            return cls._open_read_only(path, version, read_only)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(
                f"{path.parent}: cannot create the library folder ({exc.strerror}).") from exc
        database = _LibraryDatabase(str(path), pragmas=PRAGMAS)
        try:
            database.connect()
            if 0 < version < SCHEMA_VERSION and before_migration is not None:
                before_migration(path, version)
            migrate(database, version)
        except LibraryError:
            database.close()
            raise
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            database.close()
            if is_damage(exc):
                raise LibraryDamagedError(_damaged_message(path, str(exc))) from exc
            raise LibraryError(f"{path}: cannot open the library ({exc}).") from exc
        return cls._opened(path, database)

    @classmethod
    def _open_read_only(cls, path: Path, version: int, reason: str) -> Storage:
        if version < SCHEMA_VERSION:
            raise LibraryError(
                f"{path} is read-only ({reason}), and this version of Marginalia must "
                "upgrade it before use, which means writing to it. Nothing was changed.")
        uri = path.resolve().as_uri()
        last: Exception | None = None
        # mode=ro needs the -shm file beside a WAL library, or a folder to make it in;
        # in a read-only folder only immutable=1 reads the file (nobody can write it).
        for query in ("mode=ro", "mode=ro&immutable=1"):
            database = _LibraryDatabase(f"{uri}?{query}", uri=True, pragmas=READ_ONLY_PRAGMAS)
            try:
                database.connect()
                database.execute_sql("SELECT count(*) FROM sqlite_master").fetchall()
            except LibraryError:
                database.close()
                raise
            except (DatabaseError, sqlite3.DatabaseError) as exc:
                database.close()
                last = exc
                continue
            storage = cls._opened(path, database)
            storage.read_only = reason
            return storage
        raise LibraryError(f"{path}: cannot open the library read-only ({last}).")

    @classmethod
    def _opened(cls, path: Path, database: SqliteDatabase) -> Storage:
        with _open_lock:
            key = path.resolve()
            _open_paths[key] = _open_paths.get(key, 0) + 1
        return cls(path, database)

    @property
    def damaged(self) -> str | None:
        """SQLite's words for the damage found in the file, once any was found."""
        return self.database.damaged

    def close(self) -> None:
        """Close this thread's connection; the library is no longer in use here."""
        if self.database.is_closed() and self.database.deferred:
            return
        if not self.database.is_closed():
            self.database.close()
        with _open_lock:
            key = self.path.resolve()
            if _open_paths.get(key, 0) > 1:
                _open_paths[key] -= 1
            else:
                _open_paths.pop(key, None)
        self.database.init(None)  # refuses further use instead of quietly reopening

    def release_thread(self) -> None:
        """Close the calling worker thread's own connection, if it opened one.

        Safe at any time: peewee keeps a connection per thread, and the library may have
        been closed meanwhile (the window closing while the worker ran)."""
        try:
            if not self.database.deferred and not self.database.is_closed():
                self.database.close()
        except InterfaceError:
            pass

    def write(self) -> _Write:
        """A write transaction (a savepoint when nested), used as `with storage.write():`.

        It takes the write lock at its start (BEGIN IMMEDIATE): in WAL mode a deferred
        transaction that reads and then writes fails at once with SQLITE_BUSY when
        another connection wrote meanwhile, without waiting for the busy timeout. Each
        attempt waits busy_timeout; after WRITE_ATTEMPTS it raises LibraryBusyError. A
        full disk is a LibraryError naming the file; either way nothing is written."""
        return _Write(self)

    def check(self) -> str | None:
        """quick_check of the whole file; damage found is remembered (no more writes)."""
        try:
            rows = [str(row[0]) for row in
                    self.database.execute_sql("PRAGMA quick_check").fetchall()]
        except LibraryDamagedError:
            return self.database.damaged
        if rows == ["ok"]:
            return None
        lines = [line for row in rows for line in row.splitlines() if line.strip()]
        self.database.damaged = "; ".join(lines[:3]) + (" …" if len(lines) > 3 else "")
        return self.database.damaged

    @staticmethod
    def refused(error: BaseException) -> bool:
        """Whether the database refused a statement for want of a right: a file has no
        rights but being writable (see `read_only`)."""
        return False

    def explain(self, error: Exception) -> Exception:
        """The error to raise for a database error: a full disk, a busy library or
        damage said in words naming the file; anything else as it was."""
        text = str(error)
        if "disk is full" in text or "database or disk is full" in text:
            return LibraryError(f"{self.path}: the disk is full; nothing was saved ({text}).")
        if _is_busy(error):
            return LibraryBusyError(
                f"{self.path}: the library is busy: another Marginalia is writing to it. "
                "Nothing was changed; try again.")
        return error

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """The rows of a plain SQL query (for the hot paths peewee's wrapping slows)."""
        return self.database.execute_sql(sql, params).fetchall()

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one plain SQL statement that returns no rows (its cursor)."""
        return self.database.execute_sql(sql, params)

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one plain SQL statement once for each row of parameters."""
        self.database.cursor().executemany(sql, rows)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one plain `INSERT` of a row into a table with an `id` key; the new id."""
        return self.database.execute_sql(sql, params).lastrowid

    def query_rows(self, query: Any) -> list[tuple]:
        """The rows of a peewee query as plain tuples: at 100,000 rows, peewee's row
        wrapping would triple the time."""
        return list(self.database.execute(query))

    # A file is one person's library: no readers to tell apart, no team.
    row_lock = ""  # a write transaction holds the whole file already (IMMEDIATE)

    def current_reader(self) -> str:
        """Who is writing, as notes and highlights record it: "" in a personal library."""
        return ""

    def team_group(self) -> str | None:
        """The readers' group of a team library; a file never is one."""
        return None

    def team_outdated(self) -> str | None:
        """Why a team library's set-up needs bringing up to date; a file has none."""
        return None


class _Write:
    """The context manager behind `Storage.write()`."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._inner: Any = None

    def __enter__(self) -> Any:
        storage = self._storage
        if storage.read_only is not None:
            raise LibraryReadOnlyError(
                f"{storage.path} is open read-only ({storage.read_only}); nothing can be "
                "changed.")
        database = storage.database
        if database.damaged is not None:
            raise LibraryDamagedError(_damaged_message(storage.path, database.damaged))
        if database.in_transaction():
            self._inner = database.atomic()  # a savepoint of the outer write
            return self._inner.__enter__()
        for _attempt in range(WRITE_ATTEMPTS):
            self._inner = database.atomic("IMMEDIATE")
            try:
                return self._inner.__enter__()
            except OperationalError as exc:
                if not _is_busy(exc):
                    raise
        raise LibraryBusyError(
            f"{self._storage.path}: the library is busy: another Marginalia is writing to it. "
            "Nothing was changed; try again.")

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> bool:
        try:
            self._inner.__exit__(exc_type, exc, traceback)
        except (OperationalError, DatabaseError) as failure:
            # SQLite ends the transaction itself on some errors (a full disk); the
            # rollback peewee then tries fails too, and would hide the first error.
            if exc is None or "no transaction is active" not in str(failure):
                explained = self._storage.explain(failure)
                if explained is failure:
                    raise
                raise explained from failure
        if isinstance(exc, DatabaseError):
            explained = self._storage.explain(exc)
            if explained is not exc:
                raise explained from exc
        return False


@contextmanager
def database_errors(storage: Any, action: str) -> Iterator[None]:
    """Inside, a database error the storage can say in words (its `explain`) is raised
    as that LibraryError, its message led by `action` ("Exporting", "Refreshing feeds");
    any other is raised as it was. For the features that run whole actions on the
    library (export, feeds, saving pages, imports from other tools), so that a refusal
    by the server (row-level security, a missing grant) or a lost connection reaches
    the user as words, never as a driver's error."""
    try:
        yield
    except (DatabaseError, InterfaceError) as exc:
        explained = storage.explain(exc)
        if explained is exc or not isinstance(explained, LibraryError):
            raise
        raise type(explained)(f"{action} stopped: {explained}") from exc


def _is_busy(error: Exception) -> bool:
    return "locked" in str(error) or "busy" in str(error)
