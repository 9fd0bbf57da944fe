"""A PostgreSQL database object that says plainly when the server went away, never lets a
write whose COMMIT failed pass as saved, and reconnects on the next use once it is back.

peewee keeps one connection per thread. When the server goes away each of them breaks,
but a thread only notices on its next statement. So every loss seen on any connection
(or told by the change listener) starts a new "generation": a connection made in an
earlier one is closed and made again the next time its thread starts a statement
outside a transaction. Inside a transaction it is never swapped: the transaction fails
instead, and a COMMIT is only ever sent on the connection that ran the transaction.

It also remembers the server process id (backend pid) of each connection it made, so
that the change listener can tell this process's own announcements from others'.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from peewee import DatabaseError, InterfaceError, PostgresqlDatabase

from reader.storage.database import LibraryConnectionError

# A closed connection's pid still names announcements that reach the listener late (they
# are sent at commit, read a moment after); after this long it may be another's.
CLOSED_PID_SECONDS = 10.0

LostHook = Callable[[str], None]


def is_broken(connection: Any) -> bool:
    """Whether a psycopg connection is closed or was lost."""
    return connection is None or bool(connection.closed) or bool(
        getattr(connection, "broken", False))


def _reads_only(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


def reason_of(error: BaseException, scrub: Callable[[str], str]) -> str:
    """The driver's words for an error, on one line, without a password."""
    text = " ".join(str(error).split())  # libpq's messages run over several lines
    return scrub(text).rstrip(". ") or type(error).__name__


def sentence(text: str) -> str:
    """`text` ending as a sentence does (a reason may end in a question mark)."""
    return text if text.endswith(("?", "!", ".")) else text + "."


class PostgresDatabase(PostgresqlDatabase):
    """peewee's PostgresqlDatabase with plain errors for a lost connection (see the
    module's docstring). `shown_url` (the URL without its password) names the library in
    messages; `scrub` removes the password from a driver's message."""

    shown_url = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.generation = 0  # bumped each time a loss is seen (see forget_connections)
        self._local = threading.local()  # .generation and .pid of this thread's connection
        self._pids: dict[int, float | None] = {}  # pid -> when closed (None: open)
        self._pids_lock = threading.Lock()
        self._lost_hooks: list[LostHook] = []
        self.scrub: Callable[[str], str] = lambda text: text

    # --- what the change listener uses ------------------------------------------------
    def own_pids(self) -> frozenset[int]:
        """The server process ids of this process's connections: open ones, and those
        closed less than CLOSED_PID_SECONDS ago."""
        now = time.monotonic()
        with self._pids_lock:
            for pid, closed in list(self._pids.items()):
                if closed is not None and now - closed > CLOSED_PID_SECONDS:
                    del self._pids[pid]
            return frozenset(self._pids)

    def on_lost(self, hook: LostHook) -> Callable[[], None]:
        """Call `hook(reason)` (from whichever thread saw it) when a connection is lost or
        cannot be made; returns a function that removes the hook."""
        self._lost_hooks.append(hook)
        return lambda: self._lost_hooks.remove(hook) if hook in self._lost_hooks else None

    def forget_connections(self) -> None:
        """Treat every connection made so far as dead: each thread makes a new one at its
        next statement outside a transaction (after the server came back)."""
        self.generation += 1

    # --- peewee's hooks ---------------------------------------------------------------
    def _initialize_connection(self, conn: Any) -> None:
        super()._initialize_connection(conn)
        pid = conn.info.backend_pid
        self._local.generation = self.generation
        self._local.pid = pid
        with self._pids_lock:
            self._pids[pid] = None

    def _close(self, conn: Any) -> None:
        pid = getattr(self._local, "pid", None)
        if pid is not None:
            with self._pids_lock:
                if pid in self._pids:
                    self._pids[pid] = time.monotonic()
            self._local.pid = None
        super()._close(conn)

    def connect(self, reuse_if_open: bool = False) -> bool:
        try:
            return super().connect(reuse_if_open)
        except (DatabaseError, InterfaceError) as exc:
            if self.deferred:  # closed, possibly while this thread was on its way here
                from reader.storage.database import LibraryClosedError

                raise LibraryClosedError("The library has been closed.") from None
            raise self._lost(exc, "cannot connect") from exc

    def begin(self, isolation_level: Any = None) -> None:
        self._renew_if_stale()
        try:
            super().begin(isolation_level)
        except (DatabaseError, InterfaceError) as exc:
            if self._broken():
                raise self._lost(exc, "the change was not saved") from exc
            raise

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        alone = self.transaction_depth() == 0
        if alone:
            self._renew_if_stale()
        try:
            return super().execute_sql(sql, params)
        except (DatabaseError, InterfaceError) as exc:
            if not self._broken():
                raise
            if not (alone and _reads_only(sql)):
                note = "the change was not saved" if self.in_transaction() else ""
                raise self._lost(exc, note) from exc
        # A connection that broke while idle (the server restarted since it was last
        # used): a read is simply asked again on a new one.
        self._drop()
        try:
            return super().execute_sql(sql, params)
        except (DatabaseError, InterfaceError) as exc:
            if not self._broken():
                raise
            raise self._lost(exc) from exc

    def commit(self) -> None:
        if self._broken():  # lost before the COMMIT was sent: certainly not saved
            raise self._lost(InterfaceError("the connection is closed"),
                             "the change was not saved")
        try:
            super().commit()
        except (DatabaseError, InterfaceError) as exc:
            if not self._broken():
                raise
            raise self._lost(exc, "the server did not confirm the change, so it may not "
                                  "have been saved: look again once the connection is back",
                             in_doubt=True) from exc

    def rollback(self) -> None:
        # With its connection the server ended the transaction: nothing to roll back, and
        # the error that brought us here is the one to tell.
        if self._broken():
            self._drop()
            return
        try:
            super().rollback()
        except (DatabaseError, InterfaceError):
            if not self._broken():
                raise
            self._drop()

    # --- the thread's connection --------------------------------------------------------
    def _broken(self) -> bool:
        return not self._state.closed and is_broken(self._state.conn)

    def _renew_if_stale(self) -> None:
        """Close this thread's connection when it broke or belongs to an earlier
        generation; peewee opens a new one at the statement about to run."""
        if self._state.closed or self.transaction_depth() > 0:
            return
        if self._broken() or getattr(self._local, "generation", 0) < self.generation:
            self._drop()

    def _drop(self) -> None:
        """Forget this thread's connection (closing it if it still can be)."""
        conn = self._state.conn
        try:
            if conn is not None:
                self._close(conn)
        except Exception:  # noqa: BLE001 - a lost connection may fail to close; it is gone
            pass
        self._state.reset()

    def _lost(self, error: BaseException, note: str = "",
              in_doubt: bool = False) -> LibraryConnectionError:
        reason = reason_of(error, self.scrub)
        self.forget_connections()
        for hook in list(self._lost_hooks):
            hook(reason)
        message = f"Lost the connection to the team library at {self.shown_url}: {reason}"
        if note == "cannot connect":
            message = f"Cannot connect to the team library at {self.shown_url}: {reason}"
        elif note:
            message += f"; {note}"
        return LibraryConnectionError(sentence(message), in_doubt=in_doubt, reason=reason)
