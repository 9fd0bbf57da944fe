"""Fetching and reading feeds, without Qt and without touching the library.

`fetch_feed` is `fetch_page`'s counterpart for feeds: one blocking call that sends the
conditional headers (If-None-Match, If-Modified-Since) and returns the raw bytes, or says
the feed is unchanged (304). The same checks hold as for pages: only http and https,
every redirect hop checked, the body streamed and capped while it is decoded.

`read_feed` turns those bytes into a `ParsedFeed`: RSS 0.9x, 1.0 and 2.0 and Atom are
read by feedparser (always from the bytes: feedparser never fetches anything itself),
JSON Feed 1.0 and 1.1 with the standard json module. `feed_links` finds the feeds a web
page names (`<link rel="alternate" type="application/rss+xml" href="...">`).
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape, unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx

from reader.web.fetch import (
    CONNECT_TIMEOUT,
    MAX_REDIRECTS,
    READ_TIMEOUT,
    TOTAL_TIMEOUT,
    USER_AGENT,
    FetchCancelled,
    FetchError,
    _address_reason,
    read_body,
    _check_redirect,
    _content_type,
    _network_reason,
    _redirect_target,
    _RefusedRedirect,
    _timeout_reason,
)
from reader.web.urls import AddressError, check_fetchable, is_fetchable

MAX_FEED_BYTES = 10 * 1024 * 1024
FEED_ACCEPT = ("application/rss+xml,application/atom+xml,application/feed+json,"
               "application/rdf+xml;q=0.9,application/xml;q=0.9,text/xml;q=0.9,"
               "application/json;q=0.8,text/html;q=0.5,*/*;q=0.1")
# The media types a feed (or a page naming its feeds) comes as. Servers often send feeds
# as text/plain or text/html too; feedparser then decides what the bytes are.
FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
    "text/xml", "application/feed+json", "application/json", "application/x-rss+xml",
    "text/rss+xml", "text/atom+xml", "application/octet-stream", "text/plain",
})
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
JSON_TYPES = frozenset({"application/feed+json", "application/json"})
# The link types that name a feed in a page's head, in the order they are preferred.
ALTERNATE_TYPES = ("application/atom+xml", "application/rss+xml", "application/feed+json",
                   "application/rdf+xml", "application/json")
_FEED_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b",
                         re.DOTALL | re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_WORDS = re.compile(r"\w+")


class FeedError(FetchError):
    """A feed that cannot be subscribed to or read; str() is one line, "ADDRESS: reason"."""


@dataclass(frozen=True)
class FeedResponse:
    """What a feed's address answered: its bytes, or `not_modified` (304) and none."""

    url: str  # the address asked for
    final_url: str  # where the redirects ended
    not_modified: bool
    media_type: str = ""
    charset: str | None = None
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, as the library needs it."""

    key: str  # what it is known by: "id:…" (id/guid), else "link:…", else "hash:…"
    link: str | None  # absolute http(s) address of the entry's page, if it names one
    title: str
    author: str
    published: str | None  # ISO date
    content: str  # the entry's full content (HTML), if it carries any
    summary: str  # its summary or description (HTML)

    @property
    def content_words(self) -> int:
        return count_words(self.content)

    @property
    def summary_words(self) -> int:
        return count_words(self.summary)


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str | None
    items: tuple[FeedItem, ...]
    kind: str  # "rss20", "atom10", "json", … (feedparser's version names; "json" for JSON Feed)


def count_words(html_text: str) -> int:
    return len(_WORDS.findall(unescape(_TAGS.sub(" ", html_text))))


# --- fetching ----------------------------------------------------------------------------

def feed_client(*, connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                transport: httpx.BaseTransport | None = None, **_other: Any) -> httpx.Client:
    """A client for many `fetch_feed` calls (from any threads: httpx's client is
    thread-safe); close it when done. Making one costs ~20 ms (its TLS context), which
    for 100 feeds answering 304 would be most of the refresh."""
    timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout,
                            pool=connect_timeout)
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
    headers = {"User-Agent": USER_AGENT, "Accept": FEED_ACCEPT,
               "Accept-Encoding": "gzip, deflate"}
    return httpx.Client(timeout=timeout, follow_redirects=False, headers=headers,
                        transport=transport, limits=limits,
                        event_hooks={"response": [_check_redirect]})


def fetch_feed(url: str, *, etag: str | None = None, last_modified: str | None = None,
               cancelled: Callable[[], bool] | None = None,
               connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
               total_timeout: float = TOTAL_TIMEOUT, max_bytes: int = MAX_FEED_BYTES,
               max_redirects: int = MAX_REDIRECTS,
               transport: httpx.BaseTransport | None = None,
               client: httpx.Client | None = None) -> FeedResponse:
    """Fetch a feed (or a page naming feeds), conditionally; raises FetchError.

    Blocking and touching nothing but the network: safe from any thread. With `etag` or
    `last_modified` (as the server last sent them) the request is conditional, and an
    unchanged feed comes back as `not_modified` without a body. `client` (from
    `feed_client`) is shared between calls; without one, the call makes its own.
    """
    try:
        check_fetchable(url)
    except AddressError as exc:
        raise FetchError(url, _address_reason(url, str(exc))) from None
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + total_timeout
    check = cancelled or (lambda: False)
    own = client is None
    if client is None:
        client = feed_client(connect_timeout=connect_timeout, read_timeout=read_timeout,
                             transport=transport)
    try:
        return _follow(client, url, headers, check, max_bytes, max_redirects, deadline,
                       total_timeout)
    except FetchError:
        raise
    except _RefusedRedirect as exc:
        raise FetchError(url, exc.reason) from None
    except httpx.TimeoutException as exc:
        raise FetchError(url, _timeout_reason(exc, connect_timeout, read_timeout)) from exc
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as exc:
        raise FetchError(url, _network_reason(exc)) from exc
    finally:
        if own:
            client.close()


def _follow(client: httpx.Client, url: str, headers: dict[str, str],
            cancelled: Callable[[], bool], max_bytes: int, max_redirects: int,
            deadline: float, total_timeout: float) -> FeedResponse:
    hops = 0
    current = url
    while True:
        if cancelled():
            raise FetchCancelled(url)
        if time.monotonic() > deadline:
            raise FetchError(url, f"timed out: the feed took more than {total_timeout:g} s")
        hops += 1
        response = client.send(client.build_request("GET", current, headers=headers),
                               stream=True)
        try:
            if response.has_redirect_location:
                if hops > max_redirects:
                    raise FetchError(url, f"too many redirects (more than {max_redirects})")
                current = _redirect_target(response)
                continue
            if response.status_code == 304:
                return FeedResponse(url, str(response.url), True,
                                    etag=response.headers.get("etag"),
                                    last_modified=response.headers.get("last-modified"))
            if not 200 <= response.status_code < 300:
                phrase = response.reason_phrase or httpx.codes.get_reason_phrase(
                    response.status_code)
                phrase = f" {phrase}" if phrase else ""
                raise FetchError(url, f"the server answered {response.status_code}{phrase}")
            return _read(response, url, cancelled, max_bytes, deadline, total_timeout)
        finally:
            response.close()


def _read(response: httpx.Response, url: str, cancelled: Callable[[], bool], max_bytes: int,
          deadline: float, total_timeout: float) -> FeedResponse:
    media_type, charset = _content_type(response.headers.get("content-type", ""))
    if media_type and media_type not in FEED_TYPES | PAGE_TYPES:
        raise FeedError(url, f"not a feed ({media_type})")
    body = read_body(response, url, cancelled, max_bytes, deadline,
                     f"timed out: the feed took more than {total_timeout:g} s")
    if not body.strip():
        raise FeedError(url, "the feed is empty")
    return FeedResponse(url, str(response.url), False, media_type, charset, body,
                        response.headers.get("etag"), response.headers.get("last-modified"))


# --- reading -----------------------------------------------------------------------------

def is_page(response: FeedResponse) -> bool:
    """Whether the answer is a web page (to look for feed links in) rather than a feed."""
    if response.media_type in PAGE_TYPES:
        return not _FEED_START.match(response.body[:4096].lstrip(b"\xef\xbb\xbf"))
    if response.media_type:
        return False
    head = response.body[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    return head[:15].lower().startswith((b"<!doctype html", b"<html"))


def read_feed(response: FeedResponse) -> ParsedFeed:
    """The feed in a fetched answer; raises FeedError when it is no feed."""
    head = response.body.lstrip(b"\xef\xbb\xbf").lstrip()
    if response.media_type in JSON_TYPES or head.startswith(b"{"):
        return _read_json_feed(response)
    return _read_xml_feed(response)


def _read_xml_feed(response: FeedResponse) -> ParsedFeed:
    import feedparser

    headers = {"content-location": response.final_url}
    if response.media_type:
        headers["content-type"] = response.media_type + (
            f"; charset={response.charset}" if response.charset else "")
    # A stream, never a string: feedparser fetches a string that looks like an address.
    result = feedparser.parse(io.BytesIO(response.body), response_headers=headers)
    if not result.get("version") and not result.entries:
        problem = result.get("bozo_exception")
        reason = "not a feed" + (f" ({_first_line(problem)})" if problem else "")
        raise FeedError(response.url, reason)
    feed = result.feed
    site_url = _absolute(feed.get("link"), response.final_url)
    items = []
    for entry in result.entries:
        link = _absolute(entry.get("link"), response.final_url)
        contents = [c.get("value", "") for c in entry.get("content", []) or []]
        content = max(contents, key=count_words, default="")
        summary = entry.get("summary", "") or ""
        if summary == content:
            summary = ""
        title = _plain(entry.get("title", ""))
        published = _iso_from_struct(entry.get("published_parsed") or entry.get("updated_parsed"))
        items.append(FeedItem(_entry_key(entry.get("id"), link, title, content or summary),
                              link, title, _plain(entry.get("author", "")), published,
                              content, summary))
    return ParsedFeed(_plain(feed.get("title", "")), site_url, tuple(items),
                      result.get("version") or "xml")


def _read_json_feed(response: FeedResponse) -> ParsedFeed:
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(response.url, f"not a feed (invalid JSON: {_first_line(exc)})") from None
    if not isinstance(data, dict) or "jsonfeed.org/version/" not in str(data.get("version", "")):
        raise FeedError(response.url, "not a feed (JSON without a JSON Feed version)")
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise FeedError(response.url, "not a feed (a JSON Feed without items)")
    base = _absolute(data.get("feed_url"), response.final_url) or response.final_url
    items = []
    for item in raw_items:
        if not isinstance(item, dict):
            continue
        link = _absolute(_text(item.get("url")) or _text(item.get("external_url")), base)
        title = _text(item.get("title"))
        content = _text(item.get("content_html"))
        if not content and _text(item.get("content_text")):
            content = _paragraphs(_text(item.get("content_text")))
        summary = escape(_text(item.get("summary")))
        authors = item.get("authors") or data.get("authors") or []
        if not authors and isinstance(item.get("author") or data.get("author"), dict):
            authors = [item.get("author") or data.get("author")]  # JSON Feed 1.0
        author = ", ".join(_text(a.get("name")) for a in authors
                           if isinstance(a, dict) and _text(a.get("name")))
        published = _iso_date(_text(item.get("date_published") or item.get("date_modified")))
        item_id = item.get("id")
        items.append(FeedItem(
            _entry_key(str(item_id) if item_id not in (None, "") else None, link, title,
                       content or summary),
            link, title, author, published, content, summary))
    return ParsedFeed(_text(data.get("title")), _absolute(data.get("home_page_url"), base),
                      tuple(items), "json")


def _entry_key(entry_id: str | None, link: str | None, title: str, content: str) -> str:
    """What an entry is known by across refreshes: its id (RSS guid, Atom id, JSON Feed
    id), else its link, else a hash of its title and content. Long keys are hashed."""
    if entry_id and entry_id.strip():
        key = "id:" + entry_id.strip()
    elif link:
        key = "link:" + link
    else:
        return "hash:" + hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()
    if len(key) > 1000:
        key = key[:3] + hashlib.sha256(key.encode()).hexdigest()
    return key


def feed_links(page_html: str, base_url: str) -> list[str]:
    """The feeds a page names in its head (`<link rel="alternate" type=…>`), absolute,
    Atom first, then RSS, then JSON Feed; relative addresses are resolved against the
    page's `<base href>` or its own address."""
    finder = _AlternateLinks()
    try:
        finder.feed(page_html[:2_000_000])
        finder.close()
    except _EndOfHead:
        pass
    base = urljoin(base_url, finder.base) if finder.base else base_url
    found: list[tuple[int, int, str]] = []
    for position, (media_type, href) in enumerate(finder.links):
        address = urljoin(base, href)
        if is_fetchable(address):
            found.append((ALTERNATE_TYPES.index(media_type), position, address))
    return list(dict.fromkeys(address for _, _, address in sorted(found)))


class _EndOfHead(Exception):
    pass


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "").strip() for name, value in attrs}
        if tag == "body":
            raise _EndOfHead
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        if tag == "link" and "alternate" in values.get("rel", "").lower().split():
            media_type = values.get("type", "").lower().split(";")[0].strip()
            if media_type in ALTERNATE_TYPES and values.get("href"):
                self.links.append((media_type, values["href"]))

    handle_startendtag = handle_starttag


# --- small helpers -----------------------------------------------------------------------

def _absolute(href: Any, base: str) -> str | None:
    if not isinstance(href, str) or not href.strip():
        return None
    address = urljoin(base, href.strip())
    return address if is_fetchable(address) else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _plain(value: str) -> str:
    """A title as text: feedparser keeps markup in some titles."""
    return " ".join(unescape(_TAGS.sub("", value or "")).split())


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "".join(f"<p>{escape(b)}</p>" for b in blocks)


def _iso_from_struct(value: Any) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).date().isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _iso_date(value: str) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date().isoformat()  # 3.11 reads "Z" too
    except ValueError:
        return None


def _first_line(value: object) -> str:
    text = str(value).strip()
    return " ".join(text.split()) if text else type(value).__name__
