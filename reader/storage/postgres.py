"""A library on a PostgreSQL server: its URL, its connection, its schema upgrade."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from peewee import DatabaseError, InterfaceError, OperationalError, PostgresqlDatabase

from reader.storage.database import LibraryConnectionError, LibraryError, LibraryReadOnlyError
from reader.storage import drivers
from reader.storage.dialect import to_postgres
from reader.storage import migrations as ladder
from reader.storage.migrations_postgres import CHANGES_CHANNEL, postgresql_form
from reader.storage.models import Models
from reader.storage.pg_connection import LostHook, PostgresDatabase, reason_of, sentence

URL_SCHEMES = ("postgresql", "postgres")

# The bookkeeping table that stands for SQLite's `PRAGMA user_version`: one row.
SCHEMA_TABLE = "schema_version"

# Two processes upgrading one library at once take turns (the key is arbitrary, fixed).
_UPGRADE_LOCK = 0x6D617267  # "marg"

CONNECT_TIMEOUT_SECONDS = 10

_UNKNOWN = object()  # not read yet
# SQLSTATE codes (PostgreSQL's appendix A): a refused privilege (row-level security too),
# and the classes of a connection lost (08) or ended by the server (57: a shutdown); libpq
# gives none for a connection that broke.
_INSUFFICIENT_PRIVILEGE = "42501"
_CONNECTION_LOST = ("08", "57")


def _sqlstate(error: BaseException) -> str:
    """The driver's SQLSTATE code of a peewee error ("" when it has none)."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) or ""


class PostgresLibraryError(LibraryError):
    """A PostgreSQL library that cannot be used; the message names its URL, never the
    password."""


def is_postgres_url(text: object) -> bool:
    """Whether `text` names a PostgreSQL library (postgresql://… or postgres://…)."""
    return isinstance(text, str) and text.split(":", 1)[0].lower() in URL_SCHEMES \
        and "://" in text


# Up to the last @ before the path: a password may hold an unencoded @.
_PASSWORD_IN_NETLOC = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:?#]*):[^/?#]*@")
_PASSWORD_IN_QUERY = re.compile(r"(?i)([?&]password=)[^&#]*")


def file_only(feature: str, url: str) -> LibraryError:
    """The error for a feature of library files asked of a PostgreSQL library (`url`)."""
    return LibraryError(f"{feature} works on a library file only, not on a PostgreSQL "
                        f"library ({redact(url)}): the server keeps a team library's "
                        "backups (pg_dump), and `marginalia copy --from URL --to "
                        "library.sqlite3` makes a file of it.")


def redact(url: str) -> str:
    """The URL with any password in it replaced by ***, fit to show or log."""
    url = _PASSWORD_IN_NETLOC.sub(r"\1:***@", url)
    return _PASSWORD_IN_QUERY.sub(r"\1***", url)


def as_user(url: str, user: str) -> str:
    """The URL by which the role `user` opens the same library: its user name in place
    of the URL's, without the URL's password (each reader brings their own)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(p for p in parts.query.split("&")
                     if p and not p.lower().startswith(("password=", "user=")))
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}@{host}", query=query))


def _password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return None
    query = re.search(r"(?i)[?&]password=([^&#]*)", url)
    if query:
        return unquote(query.group(1)) or password
    return unquote(password) if password else None


def scrub(text: str, url: str) -> str:
    """`text` (a driver's message) with the URL's password removed wherever it appears."""
    text = text.replace(url, redact(url))
    password = _password(url)
    if password:
        text = text.replace(password, "***")
    return text


def check_url(url: str) -> str:
    """The URL in the form the driver takes (postgresql://); a URL that cannot name a
    library raises PostgresLibraryError saying why."""
    shown = redact(url)
    if not is_postgres_url(url):
        raise PostgresLibraryError(
            f"{shown}: not a PostgreSQL URL (it must start with postgresql://).")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise PostgresLibraryError(f"{shown}: not a valid PostgreSQL URL ({exc}).") from None
    if not parts.path.strip("/") and "dbname=" not in parts.query:
        raise PostgresLibraryError(
            f"{shown}: the URL names no database (postgresql://user@host/DATABASE).")
    return "postgresql" + url[url.index(":"):]


def connect(url: str) -> PostgresDatabase:
    """A connected peewee database for the URL, with psycopg 3. The password comes from
    the URL or from libpq's own places (PGPASSWORD, ~/.pgpass, a service file).

    Once open, a lost connection raises LibraryConnectionError and the next use after
    the server is back reconnects (reader.storage.pg_connection)."""
    conninfo = check_url(url)
    try:
        drivers.psycopg()  # peewee is imported without it (see reader/__init__.py)
    except ImportError as exc:
        raise PostgresLibraryError(f"{redact(url)}: {exc}") from None
    database = PostgresDatabase(conninfo, prefer_psycopg3=True, **_CONNECT_OPTIONS)
    database.shown_url = redact(url)
    database.scrub = lambda text: scrub(text, url)
    try:
        database.connect()
    except LibraryConnectionError as exc:
        raise PostgresLibraryError(
            f"{redact(url)}: cannot connect ({_reason(exc.__cause__ or exc, url)}).") from None
    return database


_CONNECT_OPTIONS = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": "marginalia"}


def _reason(error: BaseException, url: str) -> str:
    text = " ".join(str(error).split())  # libpq's messages run over several lines
    return scrub(text, url) or type(error).__name__


def read_schema_version(database: PostgresqlDatabase) -> int:
    """The library's schema version: 0 for an empty database. A database that holds
    tables but no Marginalia schema is refused (it is someone else's)."""
    # The tables first, then the schema table: a library being created by another
    # process commits its schema table with its first tables, so tables seen here mean
    # its schema table is seen next (the other order could see neither, then both).
    tables = [name for (name,) in database.execute_sql(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() ORDER BY table_name LIMIT 4").fetchall()]
    present = database.execute_sql(
        "SELECT to_regclass(%s) IS NOT NULL", (SCHEMA_TABLE,)).fetchone()[0]
    if present:
        row = database.execute_sql(f"SELECT max(version) FROM {SCHEMA_TABLE}").fetchone()
        return int(row[0] or 0)
    if tables:
        raise PostgresLibraryError(
            f"the database holds tables ({', '.join(tables)}) but no Marginalia schema; "
            "nothing was changed. Use an empty database.")
    return 0


def migrate(database: PostgresqlDatabase, target: int | None = None) -> int:
    """Bring the library to schema `target` with the PostgreSQL form of each step, each
    step in its own transaction with its version. Returns the version it started at.

    A step without a PostgreSQL form stops the upgrade before it, with a message naming
    the step; the steps before it stay applied, as a killed upgrade's do."""
    latest = len(ladder.MIGRATIONS)
    target = latest if target is None else target
    start = read_schema_version(database)
    if start > latest:
        raise PostgresLibraryError(
            f"this library was written by a newer version of Marginalia (schema {start}; "
            f"this version understands up to {latest}). It has not been changed.")
    for number in range(start + 1, target + 1):
        form = postgresql_form(number)
        if form is None:
            raise PostgresLibraryError(
                f"this library needs schema step {number}, which has no PostgreSQL form "
                f"yet; it stays at schema {number - 1}. Open it with a version of Marginalia "
                "whose every step runs on PostgreSQL.")
        with database.atomic():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_UPGRADE_LOCK,))
            database.execute_sql(
                f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version integer NOT NULL)")
            current = database.execute_sql(
                f"SELECT coalesce(max(version), 0) FROM {SCHEMA_TABLE}").fetchone()[0]
            if current >= number:  # another process did this step while we waited
                continue
            form(database)
            database.execute_sql(f"DELETE FROM {SCHEMA_TABLE}")
            database.execute_sql(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (%s)", (number,))
    return start


class PostgresStorage:
    """A library on a PostgreSQL server, opened (created or upgraded) by `open(url)`.

    The counterpart of the SQLite `Storage` with the interface the core's managers use
    (a `Library` on it reads and annotates; copying and team set-up use it too): its
    database object, its models, plain rows and write transactions. `url` is the
    redacted URL, safe to show.

    `rows`, `run` and `run_many` take the core's SQLite SQL (`?` placeholders) and run
    it in PostgreSQL's spelling (reader.storage.dialect.to_postgres); statements sent to
    `database.execute_sql` directly are PostgreSQL's own (`%s`), as peewee's queries
    are."""

    engine = "postgresql"
    path = None  # no file: the library is `url`
    damaged: str | None = None  # a server keeps its own files sound

    def __init__(self, url: str, database: PostgresDatabase) -> None:
        self.url = redact(url)
        self.database = database
        self.models = Models(database)
        self.read_only: str | None = None
        self._reader: str | None = None
        self._team: str | None | object = _UNKNOWN
        self._team_outdated: str | None = None  # "" once read and up to date

    @classmethod
    def open(cls, url: str, migrate_schema: bool = True) -> PostgresStorage:
        database = connect(url)
        try:
            if migrate_schema:
                migrate(database)
        except PostgresLibraryError as exc:
            database.close()
            raise PostgresLibraryError(f"{redact(url)}: {exc}") from None
        except DatabaseError as exc:
            database.close()
            raise PostgresLibraryError(
                f"{redact(url)}: cannot open the library ({_reason(exc, url)}).") from None
        return cls(url, database)

    def close(self) -> None:
        """Close this thread's connection; the library refuses further use (work still
        running for it gets LibraryClosedError) instead of quietly reconnecting."""
        if self.database.deferred:
            return
        if not self.database.is_closed():
            self.database.close()
        self.database.init(None)

    def __enter__(self) -> PostgresStorage:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def rows(self, sql: str, params: Any = ()) -> list[tuple]:
        """The rows of one of the core's plain SQL queries (SQLite spelling, `?`)."""
        return self.database.execute_sql(to_postgres(sql), params).fetchall()

    def run(self, sql: str, params: Any = ()) -> Any:
        """Run one of the core's plain SQL statements (SQLite spelling, `?`)."""
        return self.database.execute_sql(to_postgres(sql), params)

    def run_many(self, sql: str, rows: Any) -> None:
        """Run one of the core's plain SQL statements once for each row of parameters."""
        with self.database.cursor() as cursor:
            cursor.executemany(to_postgres(sql), rows)

    def insert(self, sql: str, params: Any = ()) -> int:
        """Run one of the core's plain `INSERT`s of a row into a table with an `id` key
        (SQLite spelling, `?`); the new id, which PostgreSQL returns when asked."""
        return self.database.execute_sql(to_postgres(sql) + " RETURNING id",
                                         params).fetchone()[0]

    def query_rows(self, query: Any) -> list[tuple]:
        return list(self.database.execute(query))

    def write(self) -> Any:
        """A write transaction (a savepoint when nested)."""
        if self.read_only is not None:
            raise LibraryReadOnlyError(
                f"{self.url} is open read-only ({self.read_only}); nothing can be changed.")
        return self.database.atomic()

    def release_thread(self) -> None:
        """Close the calling thread's own connection, if it opened one (safe after
        `close`: a worker may finish after the window closed its library)."""
        try:
            if not self.database.deferred and not self.database.is_closed():
                self.database.close()
        except InterfaceError:
            pass

    @staticmethod
    def refused(error: BaseException) -> bool:
        """Whether the server refused a statement for want of a right (a missing grant, or
        a row-level security policy's WITH CHECK), not for any other failure."""
        return _sqlstate(error) == _INSUFFICIENT_PRIVILEGE

    def explain(self, error: Exception) -> Exception:
        """A database error said in words naming the library (a LibraryError): a refusal
        by the server (a missing grant, row-level security), a lost connection, or
        another error with the server's reason. Anything else as it was."""
        if not isinstance(error, (DatabaseError, InterfaceError)):
            return error
        reason = " ".join(str(getattr(error, "orig", None) or error).split()) \
            or type(error).__name__
        state = _sqlstate(error)
        if state == _INSUFFICIENT_PRIVILEGE:
            return LibraryError(f"{self.url}: the server refused it ({reason}).")
        if isinstance(error, InterfaceError) or (isinstance(error, OperationalError) and (
                not state or state[:2] in _CONNECTION_LOST)):
            return LibraryConnectionError(f"{self.url}: the connection to the server was "
                                          f"lost ({reason}).", reason=reason)
        return LibraryError(f"{self.url}: the server reported an error ({reason}).")

    # Appended to a SELECT inside a write that then changes the row it read: a second
    # reader saving the same row waits for this one to commit, then reads its result.
    row_lock = " FOR UPDATE"

    def current_reader(self) -> str:
        """Who is writing, as notes and highlights record it: the connected role."""
        if self._reader is None:
            self._reader = self.rows("SELECT current_user")[0][0]
        return self._reader

    def team_group(self) -> str | None:
        """The readers' group role of a team library (`marginalia team init`), None when
        it is not one. Read once: a library made a team one while open elsewhere shows
        authors after it is opened again."""
        if self._team is _UNKNOWN:
            from reader.storage.team import team_group  # team builds on this module

            self._team = team_group(self)
        return self._team  # type: ignore[return-value]

    def forget_team(self) -> None:
        """Read the team set-up again at next use (team init just changed it)."""
        self._team = _UNKNOWN
        self._team_outdated = None

    def team_outdated(self) -> str | None:
        """On a team library set up by an earlier version (its notes' histories not yet
        private), the message saying so; None otherwise. Read once, as team_group."""
        if self._team_outdated is None:
            from reader.storage import team

            self._team_outdated = (team.outdated_message(self) if self.team_group() is not None
                                   and team.team_version(self) < team.TEAM_VERSION else "")
        return self._team_outdated or None

    # --- live updates and lost connections (reader.live_updates) ------------------------
    def own_pids(self) -> frozenset[int]:
        """The server process ids of this process's connections to the library (its
        announcements on the changes channel carry them)."""
        return self.database.own_pids()

    def on_lost(self, hook: LostHook) -> Any:
        """Call `hook(reason)` when any connection is lost or cannot be made; returns a
        function that removes the hook."""
        return self.database.on_lost(hook)

    def forget_connections(self) -> None:
        """Every thread reconnects at its next statement (the server was away)."""
        self.database.forget_connections()

    def reason(self, error: BaseException) -> str:
        """A driver error's words on one line, without the password."""
        return reason_of(error, self.database.scrub)

    def listen(self) -> Any:
        """A new psycopg connection of its own (autocommit) listening on the changes
        channel; raises LibraryConnectionError when the server cannot be reached."""
        psycopg = drivers.psycopg()
        try:
            connection = psycopg.connect(self.database.database, autocommit=True,
                                         **_CONNECT_OPTIONS)
            connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        except psycopg.Error as exc:
            reason = self.reason(exc)
            raise LibraryConnectionError(
                sentence(f"Cannot connect to the team library at {self.url}: {reason}"),
                reason=reason) from None
        return connection

    def not_available(self, feature: str) -> LibraryError:
        """The error for a feature of library files (backups, SQLite's file check)."""
        return file_only(feature, self.url)
