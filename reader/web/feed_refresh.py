"""Refreshing feeds: conditional fetches in a pool, new entries made articles, back-off.

`FeedManager.refresh` (reader.web.feeds) takes its lock and runs `FeedRefresh`.

How an entry becomes an article
-------------------------------
Each entry is imported once: the feed remembers the entries it has brought in
(`FeedEntry`, keyed by the entry's id or guid, else its link, else a hash of its title and
content), however often it is read and even after its article is deleted. A new entry
becomes an unread article carrying the feed's id and, as its address, the entry's link
(normalised). Its text is the entry's own content when that is the whole article, else
the page it links to, fetched and extracted as a saved page is (`reader.web.save`: a page
already in the library is linked to the feed, never stored twice).

The rule for "the whole article": the entry's full content (RSS content:encoded, Atom
<content>, JSON Feed content_html/content_text), or failing that its description or
summary, holding at least FULL_TEXT_WORDS (150) words. Shorter ones are teasers: the
linked page is fetched. An entry without a link is imported from whatever text it has.
An entry whose page cannot be fetched for now (offline, a timeout, a server error) is
not marked seen, and the feed's validators are not stored, so the next refresh tries it
again; one whose page will not become an article (404, not an article) is imported from
its own text when it has some, else recorded as seen without an article.

Refreshing, and why 100 unchanged feeds are cheap
-------------------------------------------------
Requests are conditional (If-None-Match / If-Modified-Since from the feed's stored ETag
and Last-Modified): an unchanged feed answers 304 with no body, and only its checked_at
changes. The network and parsing work runs in a small thread pool (REFRESH_WORKERS);
workers never touch the database: every read and write happens on the thread that
called `refresh`, and the state of all feeds that brought nothing new is written in one
transaction at the end (one sync to disk, not one a feed). A feed that fails is retried
after interval × 2^failures (capped at a day); a success resets it. Failures are
recorded, never raised from a refresh: being offline is normal.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from reader.importing.sources import HTML, ParsedArticle, SourceError, parse_article
from reader.records import FeedOutcome, FeedRefreshReport
from reader.storage.database import LibraryError
from reader.web.feeds import DEFAULT_INTERVAL_MINUTES, REFRESH_WORKERS, iso
from reader.web.feedparse import (
    FeedItem,
    FeedResponse,
    ParsedFeed,
    count_words,
    feed_client,
    fetch_feed,
    read_feed,
)
from reader.web.fetch import FetchCancelled, FetchedPage, FetchError, fetch_page
from reader.web.urls import AddressError, normalise_url

if TYPE_CHECKING:
    from reader.library import Library

__all__ = ["DEFAULT_INTERVAL_MINUTES", "FULL_TEXT_WORDS", "REFRESH_WORKERS", "FeedRefresh",
           "backoff_minutes", "iso"]

FULL_TEXT_WORDS = 150
MAX_BACKOFF_MINUTES = 24 * 60
_log = logging.getLogger(__name__)
# Answers that say a page will never become an article: no use asking again.
_PERMANENT = ("the server answered 4", "not an article", "has no article", "the page is empty",
              "redirected to", "too large", "not a valid address")


def backoff_minutes(failures: int, interval_minutes: float = DEFAULT_INTERVAL_MINUTES) -> float:
    """How long after a check a feed is due again: the interval, doubled for each failure
    in a row, at most a day (and never less than the interval)."""
    if failures <= 0:
        return interval_minutes
    return max(interval_minutes, min(interval_minutes * 2 ** min(failures, 30),
                                     MAX_BACKOFF_MINUTES))




@dataclass(frozen=True)
class _FeedRow:
    id: int
    url: str
    title: str
    etag: str | None
    last_modified: str | None
    failures: int


@dataclass
class _Entry:
    """A new entry on its way to the library."""

    item: FeedItem
    url: str | None  # its link, normalised
    own: str | None  # its own text (HTML): full content, else summary
    needs_page: bool  # its own text is not the whole article: the page is fetched
    existing: int | None = None  # the article already holding its page
    fetch_error: FetchError | None = None
    parsed: ParsedArticle | None = None
    page: FetchedPage | None = None
    page_url: str = ""
    problem: str = ""
    retry: bool = False  # not imported now; tried again at the next refresh


@dataclass
class _Checked:
    feed: _FeedRow
    response: FeedResponse | None = None
    parsed: ParsedFeed | None = None
    error: str = ""
    entries: list[_Entry] = dataclasses.field(default_factory=list)



class FeedRefresh:
    """One library's refresh machinery; `FeedManager.refresh` holds the lock around `run`."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._store = library.storage
        self._m = library.storage.models

    def run(self, ids: list[int], interval: float, now: datetime | None, workers: int,
            cancelled: Callable[[], bool], progress: Callable[[int, int], None] | None,
            fetch_options: dict[str, Any]) -> FeedRefreshReport:
        feeds = self._rows(ids)
        if not feeds:
            return FeedRefreshReport()
        if self._store.read_only is not None or self._store.damaged:
            with self._store.write():  # raises the library's own words for it
                pass
        checked: list[_Checked] = []
        stopped = False
        # One client for all the feeds: making one costs more than a 304.
        client = feed_client(**fetch_options)
        with client, ThreadPoolExecutor(max_workers=min(workers, len(feeds)),
                                        thread_name_prefix="feed") as pool:
            futures = [pool.submit(_check, feed, client, cancelled, fetch_options)
                       for feed in feeds]
            for done, future in enumerate(futures, start=1):
                result = future.result()
                if result is None:
                    stopped = True
                    continue
                checked.append(result)
                if progress is not None:
                    progress(done, len(feeds))
            # New entries: those the feed has not brought in before (read here, on the
            # calling thread); the pages of those that are teasers are fetched in the pool.
            for result in checked:
                if result.parsed is not None:
                    result.entries = self._new_entries(result.feed.id, result.parsed)
            pending = [entry for result in checked for entry in result.entries
                       if entry.existing is None and entry.needs_page]
            list(pool.map(lambda entry: _fetch_page(entry, cancelled, fetch_options), pending))
            stopped = stopped or cancelled()
        # Extraction (CPU-bound, so no faster in threads) happens here, on one thread.
        for result in checked:
            for entry in result.entries:
                if entry.existing is None:
                    _make_article(entry, result.parsed)
        outcomes = self._store_results(checked, interval, now)
        order = {feed.id: n for n, feed in enumerate(feeds)}
        outcomes.sort(key=lambda o: order[o.feed_id])
        return FeedRefreshReport(tuple(outcomes), stopped)

    def _rows(self, ids: list[int]) -> list[_FeedRow]:
        found: dict[int, _FeedRow] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in self._store.rows(
                    "SELECT id, url, title, etag, last_modified, failures FROM feed "
                    f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
                found[row[0]] = _FeedRow(*row)
        return [found[i] for i in ids if i in found]

    def _new_entries(self, feed_id: int, parsed: ParsedFeed) -> list[_Entry]:
        keys = [item.key for item in parsed.items]
        seen: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            seen.update(row[0] for row in self._store.rows(
                "SELECT entry_key FROM feed_entry WHERE feed_id = ? AND entry_key IN "
                f"({', '.join('?' * len(chunk))})", [feed_id, *chunk]))
        entries: list[_Entry] = []
        for item in parsed.items:
            if item.key in seen:
                continue
            seen.add(item.key)  # a feed listing one entry twice
            url = _normalised(item.link)
            own = _own_text(item)
            whole = own is not None and (count_words(own) >= FULL_TEXT_WORDS or url is None)
            entry = _Entry(item, url, own, needs_page=not whole and url is not None)
            if url is not None:
                entry.existing = self._library.articles.find_by_url(url)
            entries.append(entry)
        return entries

    def _store_results(self, checked: list[_Checked], interval: float,
                       now: datetime | None) -> list[FeedOutcome]:
        outcomes: list[FeedOutcome] = []
        quiet: list[tuple[_Checked, dict[str, Any]]] = []  # written together at the end
        for result in checked:
            moment = now or datetime.now(UTC)
            fields = self._feed_state(result, interval, moment)
            if result.entries:
                try:
                    outcomes.append(self._store_feed(result, fields))
                except Exception as exc:  # one feed's fault must not stop the others
                    if self._store.read_only is not None or self._store.damaged:
                        raise
                    _log.exception("Storing the entries of %s failed", result.feed.url)
                    outcomes.append(FeedOutcome(
                        result.feed.id, result.feed.url, result.feed.title, "failed",
                        error=f"its entries could not be stored ({_one_line(exc)})"))
                continue
            quiet.append((result, fields))
            outcomes.append(_outcome(result))
        if quiet:
            try:
                with self._store.write():
                    for result, fields in quiet:
                        self._m.Feed.update(**fields).where(
                            self._m.Feed.id == result.feed.id).execute()
            except LibraryError:
                if self._store.read_only is not None or self._store.damaged:
                    raise
                # Busy: another Marginalia writing. Nothing was imported from these feeds;
                # they stay due and are checked again next time.
                _log.warning("The state of %d feeds could not be saved", len(quiet))
        return outcomes

    def _feed_state(self, result: _Checked, interval: float, moment: datetime) -> dict[str, Any]:
        feed = result.feed
        fields: dict[str, Any] = {"checked_at": iso(moment)}
        if result.error:
            failures = feed.failures + 1
            fields.update(failures=failures, error=result.error,
                          next_check_at=iso(moment + timedelta(
                              minutes=backoff_minutes(failures, interval))))
            return fields
        fields.update(succeeded_at=iso(moment), failures=0, error="",
                      next_check_at=iso(moment + timedelta(minutes=interval)))
        response = result.response
        if (response is not None and not response.not_modified
                and not any(e.retry for e in result.entries)):
            # Remembered only once every entry is in: a 304 would hide one tried again.
            fields.update(etag=response.etag, last_modified=response.last_modified)
        if result.parsed is not None:
            if result.parsed.title and not feed.title:
                fields["title"] = result.parsed.title
            if result.parsed.site_url:
                fields["site_url"] = result.parsed.site_url
        return fields

    def _store_feed(self, result: _Checked, fields: dict[str, Any]) -> FeedOutcome:
        from reader.web.save import store_page

        library = self._library
        m = self._m
        feed = result.feed
        added: list[int] = []
        linked: list[int] = []
        problems: list[str] = []
        with self._store.write():
            # Oldest first, so that the newest entry is the newest article.
            for entry in reversed(result.entries):
                if entry.retry:
                    problems.append(entry.problem)
                    continue
                if self._store.rows("SELECT 1 FROM feed_entry WHERE feed_id = ? AND "
                                    "entry_key = ?", (feed.id, entry.item.key)):
                    continue  # brought in meanwhile
                article_id: int | None = entry.existing
                if article_id is None and entry.url is not None:
                    article_id = library.articles.find_by_url(entry.url)
                if article_id is not None:
                    linked.append(article_id)
                elif entry.page is not None and entry.parsed is not None:
                    saved = store_page(library, entry.page, entry.parsed, entry.page_url)
                    article_id = saved.article_id
                    (added if saved.status == "added" else linked).append(article_id)
                elif entry.parsed is not None:
                    article_id = library.articles.find_by_hash(entry.parsed.content_hash)
                    if article_id is not None:
                        linked.append(article_id)
                    else:
                        article_id = library.articles.add(entry.parsed)
                        added.append(article_id)
                elif entry.problem:
                    problems.append(entry.problem)
                if article_id in added:
                    m.Article.update(feed=feed.id).where(m.Article.id == article_id).execute()
                elif article_id is not None:
                    m.Article.update(feed=feed.id).where(
                        (m.Article.id == article_id) & m.Article.feed.is_null()).execute()
                m.FeedEntry.insert(feed=feed.id, entry_key=entry.item.key,
                                   article=article_id).on_conflict_ignore().execute()
            m.Feed.update(**fields).where(m.Feed.id == feed.id).execute()
        return FeedOutcome(feed.id, feed.url, fields.get("title", feed.title), "updated",
                           tuple(reversed(added)), tuple(reversed(linked)), tuple(problems))


# --- the pool's work: network and parsing only, never the database -------------------------

def _check(feed: _FeedRow, client: Any, cancelled: Callable[[], bool],
           fetch_options: dict[str, Any]) -> _Checked | None:
    if cancelled():
        return None
    try:
        response = fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified,
                              cancelled=cancelled, client=client, **fetch_options)
        if response.not_modified:
            return _Checked(feed, response)
        return _Checked(feed, response, read_feed(response))
    except FetchCancelled:
        return None
    except FetchError as exc:
        return _Checked(feed, error=exc.reason)
    except Exception as exc:  # noqa: BLE001 - one odd feed must not stop the others
        _log.exception("Reading the feed %s failed", feed.url)
        return _Checked(feed, error=f"could not be read ({_one_line(exc)})")


def _fetch_page(entry: _Entry, cancelled: Callable[[], bool],
                fetch_options: dict[str, Any]) -> None:
    """Fetch a teaser entry's page (network only: safe in the pool)."""
    assert entry.url is not None
    if cancelled():
        entry.fetch_error = FetchCancelled(entry.url)
        return
    try:
        entry.page = fetch_page(entry.url, cancelled=cancelled, **fetch_options)
    except FetchError as exc:
        entry.fetch_error = exc
    except Exception as exc:  # noqa: BLE001 - one odd page must not stop the others
        _log.exception("Fetching %s failed", entry.url)
        entry.fetch_error = FetchError(entry.url, f"could not be fetched ({_one_line(exc)})")


def _make_article(entry: _Entry, feed: ParsedFeed | None) -> None:
    """Make the entry's article: from its own content when that is whole, else from its
    page. Fills entry.parsed (and entry.page_url), or entry.problem and entry.retry."""
    from reader.web.save import parse_page

    item = entry.item
    name = item.title or item.link or "an entry"
    if not entry.needs_page:
        if entry.own is None:
            entry.problem = f"{name}: the entry has no text and no link"
            return
        try:
            entry.parsed = _parse_content(item, entry.own, entry.url, feed)
        except SourceError as exc:
            entry.problem = f"{name}: {exc}"
        return
    error = entry.fetch_error
    if error is None and entry.page is not None:
        try:
            entry.parsed, entry.page_url = parse_page(entry.page)
            return
        except FetchError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - one odd page must not stop the others
            _log.exception("Extracting %s failed", entry.url)
            error = FetchError(entry.url or "", f"could not be read ({_one_line(exc)})")
        entry.page = None
    assert error is not None
    entry.problem = f"{name}: {error}"
    if isinstance(error, FetchCancelled) or not error.reason.startswith(_PERMANENT):
        entry.retry = True  # offline, a timeout, a server error: tried again next time
        return
    if entry.own is not None:  # the page will not do: the entry's own words, then
        try:
            entry.parsed = _parse_content(item, entry.own, entry.url, feed)
            entry.problem = ""
        except SourceError:
            pass


def _own_text(item: FeedItem) -> str | None:
    """The entry's own text: its full content, else its summary; None when it has none."""
    for text in (item.content, item.summary):
        if text.strip() and count_words(text):
            return text
    return None


def _parse_content(item: FeedItem, content: str, url: str | None,
                   feed: ParsedFeed | None) -> ParsedArticle:
    """An entry's own content as an article, read as a saved page is (extracted and
    sanitised), with the entry's title, author, date and link in the page's head."""
    head = [f"<title>{escape(item.title or 'Untitled')}</title>"]
    if item.author:
        head.append(f'<meta name="author" content="{escape(item.author)}">')
    if item.published:
        head.append(f'<meta property="article:published_time" content="{item.published}">')
    if feed is not None and feed.title:
        head.append(f'<meta property="og:site_name" content="{escape(feed.title)}">')
    if url:
        head.append(f'<link rel="canonical" href="{escape(url)}">')
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8">' + "".join(head)
            + "</head><body><article>"
            + (f"<h1>{escape(item.title)}</h1>" if item.title else "")
            + content + "</article></body></html>")
    parsed = parse_article(page, HTML, url or "")
    return dataclasses.replace(parsed, url=url)


def _outcome(result: _Checked) -> FeedOutcome:
    feed = result.feed
    if result.error:
        return FeedOutcome(feed.id, feed.url, feed.title, "failed", error=result.error)
    status = "not_modified" if result.parsed is None else "updated"
    title = feed.title or (result.parsed.title if result.parsed else "")
    return FeedOutcome(feed.id, feed.url, title, status)




def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _normalised(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return normalise_url(url)
    except AddressError:
        return None
