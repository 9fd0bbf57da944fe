"""Live updates from a library on PostgreSQL: what other readers commit, as `Changes`.

The schema's triggers announce each committed change on CHANGES_CHANNEL as
"<backend pid> <table> <article id or nothing>" (schema step 13). A `ChangeListener`
holds a connection of its own that LISTENs there, in a thread that waits on the
connection's socket (psycopg's `notifies`); nothing polls the tables. Announcements made
by this process's own connections are dropped (the window already showed those), a
burst is gathered for COALESCE_SECONDS, and the rest is handed on as one `Changes`.

The listener also watches the connection: when it breaks (or any of the library's
connections is lost) it reports `on_lost(reason)` once, reconnects with growing waits,
and when the server is back makes every connection of the library reconnect and
reports `on_back()`; what was committed meanwhile was not heard, so the receiver
refreshes everything.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from reader.records import Changes
from reader.storage.database import LibraryConnectionError

log = logging.getLogger(__name__)

COALESCE_SECONDS = 0.1  # one refresh for a burst (an import of a hundred files)
WAIT_SECONDS = 0.25  # how often the thread looks at its stop flag while nothing comes
KEEPALIVE_SECONDS = 5.0  # a quiet connection is asked `SELECT 1` to find out it is gone
RETRY_SECONDS = (0.25, 0.5, 1.0, 2.0, 4.0)  # waits between reconnection attempts; then the last

_HIGHLIGHT_TABLES = ("highlight", "highlight_tag", "note_history", "review_card")


def changes_from(payloads: Iterable[str], own_pids: frozenset[int]) -> Changes:
    """The Changes that announcements ("<pid> <table> <article id>") name, leaving out
    those sent by the connections in `own_pids`."""
    changes = Changes()
    for payload in payloads:
        pid, _, rest = payload.partition(" ")
        table, _, article = rest.partition(" ")
        if not pid.isdigit() or int(pid) in own_pids:
            continue
        changes |= _table_changes(table, int(article) if article.isdigit() else None)
    return changes


def _table_changes(table: str, article: int | None) -> Changes:
    ids = frozenset() if article is None else frozenset({article})
    if table == "article":
        return Changes(article_list=True, articles=ids)
    if table in _HIGHLIGHT_TABLES:
        # A highlight's tags are counted in the tag sidebar too.
        return Changes(highlights=ids, tags=table == "highlight_tag",
                       article_list=article is None)
    if table == "article_tag":
        return Changes(articles=ids, tags=True, article_list=article is None)
    if table == "revision":
        return Changes(articles=ids, article_list=article is None)
    if table == "tag":
        return Changes(tags=True)
    if table == "meta":
        return Changes(colours=True)
    if table == "saved_view":
        return Changes(views=True)
    if table == "feed":
        return Changes(feeds=True, article_list=True)
    # A table announced by a newer schema: refresh what a window shows.
    return Changes(article_list=True, tags=True, colours=True, views=True, feeds=True)


class ChangeListener:
    """Hears other connections' committed changes to a library on PostgreSQL.

    `on_changes(changes)`, `on_lost(reason)` and `on_back()` are called from the
    listener's own thread; `stop()` ends it. Made and started by
    `Library.watch_changes`."""

    def __init__(self, storage: Any, on_changes: Callable[[Changes], None],
                 on_lost: Callable[[str], None] | None = None,
                 on_back: Callable[[], None] | None = None) -> None:
        self._storage = storage
        self._on_changes = on_changes
        self._on_lost = on_lost or (lambda _reason: None)
        self._on_back = on_back or (lambda: None)
        self._stop = threading.Event()
        self._loss_seen = threading.Event()  # another connection of the library broke
        self._loss_reason = ""
        self._lost: str | None = None  # the reason, while the connection is lost
        self._listening = threading.Event()
        self._remove_hook = storage.on_lost(self._storage_lost)
        self._thread = threading.Thread(target=self._run, name="marginalia-listen",
                                        daemon=True)

    def start(self) -> ChangeListener:
        """Start listening; returns once the channel is listened to (or the first
        attempt failed, which is reported through on_lost)."""
        self._thread.start()
        self._listening.wait(timeout=30)
        return self

    @property
    def lost(self) -> str | None:
        """Why the connection is lost, while it is; None when listening."""
        return self._lost

    @property
    def running(self) -> bool:
        """Whether the listening thread still runs (it ends soon after `stop`)."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection (waits for the thread)."""
        self._stop.set()
        self._remove_hook()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    # --- the thread -------------------------------------------------------------------
    def _storage_lost(self, reason: str) -> None:
        self._loss_reason = reason
        self._loss_seen.set()

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                connection = self._storage.listen()
            except LibraryConnectionError as exc:
                self._report_lost(exc.reason)
                self._listening.set()
                self._stop.wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
                attempt += 1
                continue
            attempt = 0
            self._loss_seen.clear()
            if self._lost is not None:
                self._lost = None
                self._storage.forget_connections()
                _tell(self._on_back)
            self._listening.set()
            try:
                self._listen(connection)
            except Exception as exc:  # noqa: BLE001 - any failure of the connection is a loss
                self._report_lost(self._storage.reason(exc))
            finally:
                try:
                    connection.close()
                except Exception:  # noqa: BLE001 - a broken connection may not close cleanly
                    pass

    def _listen(self, connection: Any) -> None:
        quiet_since = time.monotonic()
        while not self._stop.is_set():
            if self._loss_seen.is_set():
                raise _Lost(self._loss_reason)
            heard = [n.payload for n in connection.notifies(timeout=WAIT_SECONDS,
                                                            stop_after=1)]
            if not heard:
                if time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
                    connection.execute("SELECT 1")
                    quiet_since = time.monotonic()
                continue
            heard += [n.payload for n in connection.notifies(timeout=COALESCE_SECONDS)]
            quiet_since = time.monotonic()
            changes = changes_from(heard, self._storage.own_pids())
            if changes != Changes():
                _tell(self._on_changes, changes)

    def _report_lost(self, reason: str) -> None:
        if self._lost is None and not self._stop.is_set():
            self._lost = reason
            _tell(self._on_lost, reason)


def _tell(callback: Callable[..., None], *args: Any) -> None:
    """Call a receiver; its bug is logged and must not stop live updates."""
    try:
        callback(*args)
    except Exception:
        log.exception("a receiver of live updates failed")


class _Lost(Exception):
    """Another connection of the library was lost: check this one by reconnecting."""
