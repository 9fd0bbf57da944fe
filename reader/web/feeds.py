"""Feeds the library follows: subscribe, refresh, list, remove, OPML in and out.

    library.feeds.subscribe("https://example.com/blog")   # the feed, or a page naming it
    report = library.feeds.refresh()                       # every feed that is due
    library.feeds.list()                                   # FeedRecords with unread counts

Refreshing, with how an entry becomes an article and the back-off of a failing feed, is
reader.web.feed_refresh's job; this module holds the subscriptions.

Threads: every call blocks, and all but `list`, `get`, `find` and `due` may use the
network. Call them from a worker thread, and there call `library.release_thread()` when
done. The manager holds no state between calls but a lock that keeps two refreshes of
one library from running at once (the second waits).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from reader.records import Changes, FeedRecord, FeedRefreshReport, OpmlImportReport
from reader.storage.database import LibraryError, database_errors
from reader.web.urls import AddressError, address_from_text, normalise_url

if TYPE_CHECKING:
    from reader.library import Library

__all__ = ["FeedManager"]  # and FeedError, imported when first asked for

DEFAULT_INTERVAL_MINUTES = 60
REFRESH_WORKERS = 6


def iso(moment: datetime) -> str:
    """A moment as the feed table stores it (UTC, to the second)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def __getattr__(name: str) -> Any:
    # The fetching machinery (httpx, feedparser) is imported when a feed is fetched, not
    # when the sidebar lists the feeds at start-up.
    if name == "FeedError":
        from reader.web.feedparse import FeedError

        return FeedError
    raise AttributeError(f"module 'reader.web.feeds' has no attribute {name!r}")


def _said_in_words(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A FeedManager method whose database errors are raised as LibraryErrors led by
    `action` (see reader.storage.database.database_errors)."""
    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def run(self: FeedManager, *args: Any, **kwargs: Any) -> Any:
            with database_errors(self._store, action):
                return method(self, *args, **kwargs)
        return run
    return decorate


class FeedManager:
    """The library's feeds. Every method blocks; see the module's docstring for threads."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._store = library.storage
        self._m = library.storage.models
        self._refreshing = threading.Lock()

    # --- reading ---------------------------------------------------------------------

    def list(self) -> list[FeedRecord]:
        """Every feed, by name, with its unread articles counted (one query)."""
        rows = self._store.rows(
            "SELECT f.id, f.url, f.title, f.site_url, f.added_at, f.checked_at, "
            "f.succeeded_at, f.failures, f.next_check_at, f.error, "
            "(SELECT count(*) FROM article a WHERE a.feed_id = f.id AND a.read = 0 "
            "AND a.archived = 0) "
            "FROM feed f ORDER BY CASE f.title WHEN '' THEN f.url ELSE f.title END "
            "COLLATE NOCASE, f.id")
        return [_record(row) for row in rows]

    def get(self, feed_id: int) -> FeedRecord:
        for record in self.list_ids([feed_id]):
            return record
        raise LibraryError(f"There is no feed with id {feed_id}.")

    def list_ids(self, feed_ids: Sequence[int]) -> list[FeedRecord]:
        wanted = set(feed_ids)
        return [r for r in self.list() if r.id in wanted]

    def find(self, text: str) -> int | None:
        """The feed with this id (digits) or address (in any spelling), or None."""
        text = text.strip()
        if text.isdigit():
            found = self._store.rows("SELECT id FROM feed WHERE id = ?", (int(text),))
            return found[0][0] if found else None
        try:
            url = normalise_url(address_from_text(text))
        except AddressError:
            return None
        found = self._store.rows("SELECT id FROM feed WHERE url = ?", (url,))
        return found[0][0] if found else None

    def due(self, now: datetime | None = None) -> list[int]:
        """The feeds due for a check: never checked, or their next_check_at has passed."""
        moment = iso(now or datetime.now(UTC))
        return [row[0] for row in self._store.rows(
            "SELECT id FROM feed WHERE next_check_at IS NULL OR next_check_at <= ? ORDER BY id",
            (moment,))]

    def article_ids(self, feed_id: int) -> list[int]:
        """The feed's articles, newest first (for a sidebar entry that shows them)."""
        return [row[0] for row in self._store.rows(
            "SELECT id FROM article WHERE feed_id = ? ORDER BY added_at DESC, id DESC",
            (feed_id,))]

    # --- subscribing -----------------------------------------------------------------

    @_said_in_words("Subscribing to the feed")
    def add(self, url: str, title: str = "", site_url: str | None = None) -> int:
        """Subscribe to a feed by its address without fetching it (the next refresh does);
        returns its id. Raises FeedError for an invalid address or a duplicate."""
        address = self._feed_address(url)
        with self._store.write():
            self._refuse_duplicate(address)
            return self._m.Feed.insert(url=address, title=title.strip(),
                                       site_url=site_url).execute()

    @_said_in_words("Subscribing to the feed")
    def subscribe(self, url: str, *, cancelled: Callable[[], bool] | None = None,
                  **fetch_options: Any) -> int:
        """Subscribe by the feed's address or a page's (whose head names its feed); returns
        the new feed's id. Fetches (blocking) to find and check the feed; its entries come
        in at the next refresh (`refresh([feed_id])`). Raises FeedError (a FetchError, so a
        LibraryError) saying why, in one line: duplicate, not a feed, no feed found."""
        from reader.web.feedparse import FeedError, feed_links, fetch_feed, is_page, read_feed
        from reader.web.fetch import FetchCancelled, FetchError

        address = self._feed_address(url)
        self._refuse_duplicate(address)
        response = fetch_feed(address, cancelled=cancelled, **fetch_options)
        if is_page(response):
            text = response.body.decode(response.charset or "utf-8", errors="replace")
            candidates = feed_links(text, response.final_url)
            if not candidates:
                raise FeedError(address, "no feed found: the page names none")
            page_address = address
            first_error: FetchError | None = None
            # The page's first feed that can be read (Atom, then RSS, then JSON Feed).
            for candidate in candidates:
                address = normalise_url(candidate)
                self._refuse_duplicate(address)
                try:
                    parsed = read_feed(fetch_feed(address, cancelled=cancelled,
                                                  **fetch_options))
                    break
                except FetchCancelled:
                    raise
                except FetchError as exc:
                    first_error = first_error or exc
            else:
                assert first_error is not None
                raise FeedError(page_address, f"the feed it names cannot be read ({first_error})")
        else:
            parsed = read_feed(response)
        with self._store.write():
            self._refuse_duplicate(address)
            return self._m.Feed.insert(url=address, title=parsed.title,
                                       site_url=parsed.site_url).execute()

    def _feed_address(self, url: str) -> str:
        from reader.web.feedparse import FeedError

        try:
            return normalise_url(address_from_text(url))
        except AddressError as exc:
            text = url.strip() or "(no address)"
            reason = str(exc)
            reason = reason[len(text):].lstrip(" :") if reason.startswith(text) else reason
            raise FeedError(text, reason) from None

    def _refuse_duplicate(self, address: str) -> None:
        from reader.web.feedparse import FeedError

        found = self._store.rows("SELECT id, title FROM feed WHERE url = ?", (address,))
        if found:
            feed_id, title = found[0]
            raise FeedError(address, f"already subscribed (feed {feed_id}"
                            + (f", {title})" if title else ")"))

    @_said_in_words("Renaming the feed")
    def rename(self, feed_id: int, title: str) -> None:
        with self._store.write():
            if not self._m.Feed.update(title=title.strip()).where(
                    self._m.Feed.id == feed_id).execute():
                raise LibraryError(f"There is no feed with id {feed_id}.")

    @_said_in_words("Removing the feed")
    def remove(self, feed_id: int) -> Changes:
        """Unsubscribe; the feed's articles, with their highlights and notes, stay."""
        with self._store.write():
            had_articles = bool(self._store.rows(
                "SELECT 1 FROM article WHERE feed_id = ? LIMIT 1", (feed_id,)))
            if not self._m.Feed.delete().where(self._m.Feed.id == feed_id).execute():
                raise LibraryError(f"There is no feed with id {feed_id}.")
        return Changes(article_list=had_articles)

    # --- refreshing ------------------------------------------------------------------

    @property
    def refreshing(self) -> bool:
        """Whether a refresh is running (another `refresh` call would wait for it)."""
        return self._refreshing.locked()

    @_said_in_words("Refreshing the feeds")
    def refresh(self, feed_ids: Iterable[int] | None = None, *,
                interval_minutes: float = DEFAULT_INTERVAL_MINUTES,
                now: datetime | None = None, workers: int = REFRESH_WORKERS,
                cancelled: Callable[[], bool] | None = None,
                progress: Callable[[int, int], None] | None = None,
                **fetch_options: Any) -> FeedRefreshReport:
        """Check these feeds (None: every feed that is due) and import their new entries.

        Never raises for a feed or an entry that fails (the report says, and the feed's
        `error` and back-off record it); raises LibraryError only when the library cannot
        be written at all. `progress(done, total)` follows the feeds as they are checked;
        `cancelled()` stops the batch (nothing more is fetched; what was imported stays).
        `fetch_options` go to the fetches (timeouts, `transport`).
        """
        from reader.web.feed_refresh import FeedRefresh

        with self._refreshing:
            ids = self.due(now) if feed_ids is None else list(dict.fromkeys(feed_ids))
            return FeedRefresh(self._library).run(
                ids, interval_minutes, now, max(1, workers), cancelled or (lambda: False),
                progress, fetch_options)

    # --- OPML ------------------------------------------------------------------------

    @_said_in_words("Importing the list of feeds")
    def import_opml(self, data: bytes) -> OpmlImportReport:
        """Subscribe to every feed an OPML list names (nothing is fetched: the next
        refresh does); duplicates are skipped, unusable outlines reported by name.
        Raises OpmlError (a LibraryError) when data is no OPML list at all."""
        from reader.web.opml import import_opml

        with self._store.write():  # one transaction (and one sync) for the whole list
            return import_opml(self, data)

    def export_opml(self, title: str = "Marginalia feeds") -> bytes:
        """The feeds as an OPML 2.0 document (UTF-8 bytes)."""
        from reader.web.opml import export_opml

        return export_opml(self.list(), title)


def _record(row: Sequence[Any]) -> FeedRecord:
    (feed_id, url, title, site_url, added_at, checked_at, succeeded_at, failures,
     next_check_at, error, unread) = row
    return FeedRecord(feed_id, url, title, site_url, unread, added_at, checked_at,
                      succeeded_at, failures, next_check_at, error)
