"""The web features, measured against a server on 127.0.0.1 (never the internet).

Run inside the session probe (bench.session), beside floors measured in the same process:

- Saving pages: 200 generated article pages (head with title, meta and og tags, nav, an
  <article> of several paragraphs, footer) saved with `reader.web.save_pages`, in pages
  per second, beside `trafilatura.extract(html)` alone over the same pages' HTML (the
  extraction every saved page goes through). Then 200 other pages saved through the
  window (`window.save_addresses`), timing the longest UI stall meanwhile.
- Refreshing feeds: 100 RSS 2.0 feeds subscribed (`library.feeds.add`) and refreshed once
  (their entries imported, not timed); then a second refresh, where every feed answers
  304 to its ETag, beside 100 plain conditional GETs with one httpx client, one after
  another (the same GETs REFRESH_WORKERS at a time, as the refresh checks feeds, are
  timed too, with a client of their own). Then the window refreshes
  them (`window.feeds.refresh_all`, the Feeds › Refresh command), timing the UI stall.

Everything saved or subscribed is deleted again afterwards (and bench.build.restore
removes what an interrupted run left).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from bench import corpus

PAGES = 200
FEEDS = 100
ITEMS_PER_FEED = 3
PAGE_BASE = 5 * 10**8  # article numbers of the pages: far from the library's own
FEED_BASE = 6 * 10**8
SAVE_LABEL = "save pages (background, window)"
SAVE_OPERATION = f"save {PAGES} web pages in the window's worker"
FEEDS_LABEL = "refresh feeds (background, window)"
FEEDS_OPERATION = f"refresh {FEEDS} unchanged feeds in the window's worker"


# --- the documents served -----------------------------------------------------------------
def _blocks(markdown: str) -> tuple[str, str, list[str]]:
    """(title, byline, body blocks as HTML) of a generated article's Markdown."""
    parts = markdown.strip().split("\n\n")
    title = parts[0].removeprefix("# ").strip()
    byline = parts[1].replace("  \n", " — ")
    blocks = []
    for part in parts[2:]:
        if part.startswith("## "):
            blocks.append(f"<h2>{escape(part[3:])}</h2>")
        else:
            blocks.append(f"<p>{escape(part)}</p>")
    return title, byline, blocks


def page_html(seed: int, number: int, address: str) -> str:
    """A realistic article page: head with metadata, navigation, the article, a footer."""
    generated = corpus.article(seed, number, words=800 + number % 1200)
    title, byline, blocks = _blocks(generated.markdown)
    description = escape(blocks[0][3:-4][:160]) if blocks else ""
    author = escape(byline.split(" — ")[0])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} | The Bench Review</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{description}">
<meta name="author" content="{author}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(title)}">
<meta property="og:description" content="{description}">
<meta property="og:url" content="{address}">
<meta property="og:site_name" content="The Bench Review">
<link rel="canonical" href="{address}">
<link rel="stylesheet" href="/static/site.css">
<script>window.analytics = window.analytics || [];</script>
</head>
<body>
<header class="site-header"><a href="/" class="logo">The Bench Review</a>
<nav><ul><li><a href="/politics">Politics</a></li><li><a href="/science">Science</a></li>
<li><a href="/culture">Culture</a></li><li><a href="/opinion">Opinion</a></li>
<li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<main>
<article>
<h1>{escape(title)}</h1>
<p class="byline">By {escape(byline)}</p>
{chr(10).join(blocks)}
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/page/{number + 1}">Next story</a></li>
<li><a href="/page/{number + 2}">More from this section</a></li></ul></aside>
</main>
<footer><p>© 2026 The Bench Review. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a> · <a href="/contact">Contact</a></p>
</footer>
</body>
</html>
"""


def feed_xml(seed: int, number: int, base: str) -> str:
    """An RSS 2.0 feed of ITEMS_PER_FEED entries, each with its whole text
    (content:encoded, over 150 words: imported from the feed, no page fetched)."""
    items = []
    for item in range(ITEMS_PER_FEED):
        index = FEED_BASE + number * ITEMS_PER_FEED + item
        title, _byline, blocks = _blocks(corpus.article(seed, index, words=300).markdown)
        link = f"{base}/post/{number}/{item}"
        published = format_datetime(datetime(2026, 1, 1 + item, 12, tzinfo=UTC))
        items.append(f"""<item>
<title>{escape(title)}</title>
<link>{link}</link>
<guid isPermaLink="true">{link}</guid>
<pubDate>{published}</pubDate>
<description>{escape(blocks[0][3:-4][:200]) if blocks else ""}</description>
<content:encoded><![CDATA[{"".join(blocks)}]]></content:encoded>
</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Bench feed {number}</title>
<link>{base}/blog/{number}</link>
<description>Generated feed number {number}</description>
{chr(10).join(items)}
</channel>
</rss>
"""


class Server:
    """A ThreadingHTTPServer on 127.0.0.1 in a thread, serving /page/N (HTML) and
    /feed/N.xml (RSS, with an ETag: 304 when If-None-Match names it). Documents are made
    before they are served (`add_pages`, `add_feeds`), not while a request waits."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.documents: dict[str, tuple[bytes, str, str | None]] = {}  # path -> body, type, etag
        self.counts: dict[int, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

            def do_GET(self) -> None:
                found = server.documents.get(self.path)
                if found is None:
                    self._answer(404, b"not found", "text/plain", None)
                    return
                body, media_type, etag = found
                if etag is not None and self.headers.get("If-None-Match") == etag:
                    self._answer(304, b"", None, etag)
                    return
                self._answer(200, body, media_type, etag)

            def _answer(self, status: int, body: bytes, media_type: str | None,
                        etag: str | None) -> None:
                with server._lock:
                    server.counts[status] = server.counts.get(status, 0) + 1
                self.send_response(status)
                if media_type:
                    self.send_header("Content-Type", media_type)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="bench-web",
                                       daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_pages(self, first: int, count: int) -> list[str]:
        urls = []
        for number in range(first, first + count):
            url = f"{self.base}/page/{number}"
            self.documents[f"/page/{number}"] = (
                page_html(self.seed, number, url).encode(), "text/html; charset=utf-8", None)
            urls.append(url)
        return urls

    def html(self, url: str) -> str:
        return self.documents[url.removeprefix(self.base)][0].decode()

    def add_feeds(self, count: int) -> list[str]:
        urls = []
        for number in range(count):
            path = f"/feed/{number}.xml"
            self.documents[path] = (feed_xml(self.seed, number, self.base).encode(),
                                    "application/rss+xml; charset=utf-8", f'"feed-{number}-v1"')
            urls.append(self.base + path)
        return urls


# --- the measurements ------------------------------------------------------------------------
def measure(session) -> dict:
    """Both web rows, in the session's process (`session` is a bench.session.Session)."""
    window = session.window
    # The window's own feed timers would refresh the new feeds in the background a few
    # seconds after they are added, in the middle of the measurements: stopped.
    controller = getattr(window, "feeds", None)
    for name in ("start_timer", "check_timer"):
        timer = getattr(controller, name, None)
        if timer is not None:
            timer.stop()
    with Server(int(session.args.get("seed", 1))) as server:
        return {"save": saving(session, server), "feeds": refreshing(session, server)}


def _new_article_ids(session, above: int) -> list[int]:
    return [row[0] for row in session.library.storage.rows(
        "SELECT id FROM article WHERE id > ? ORDER BY id", (above,))]


def _max_article_id(session) -> int:
    return session.library.storage.rows("SELECT coalesce(max(id), 0) FROM article")[0][0]


def _delete(session, ids: list[int]):
    """Delete these articles; the Changes to announce (None when there were none)."""
    changes = None
    for article_id in ids:
        done = session.library.articles.delete(article_id)
        changes = done if changes is None else changes | done
    return changes


def saving(session, server: Server) -> dict:
    import trafilatura

    from reader.records import Changes
    from reader.web import save_pages

    library = session.library
    out: dict = {"pages": PAGES, "ms": [], "floor_ms": []}
    reps = 0
    for rep in session.repetitions(min(session.reps, 3)):  # lazily: --budget stops it
        reps += 1
        urls = server.add_pages(PAGE_BASE + rep * PAGES, PAGES)
        html = [server.html(url) for url in urls]
        # The floor first, over the same pages' HTML: trafilatura alone.
        started = time.perf_counter()
        extracted = [trafilatura.extract(text) for text in html]
        out["floor_ms"].append((time.perf_counter() - started) * 1000)
        out["floor_extracted"] = sum(1 for text in extracted if text)
        if rep == 0:  # where the time goes: fetching alone, then parsing alone
            from reader.web import fetch_page, parse_page

            started = time.perf_counter()
            fetched = [fetch_page(url) for url in urls]
            out["fetch_ms"] = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            for page in fetched:
                parse_page(page)
            out["parse_ms"] = (time.perf_counter() - started) * 1000
        before = _max_article_id(session)
        # Timed on the UI thread only to measure the core (its stall is the benchmark's
        # own, under "idle"); the window saves in its worker, measured below.
        started = time.perf_counter()
        report = save_pages(library, urls)
        out["ms"].append((time.perf_counter() - started) * 1000)
        out["saved"] = sum(1 for r in report.saved if r.status == "added")
        out["problems"] = [str(p) for p in report.problems][:5]
        _delete(session, _new_article_ids(session, before))
    # Through the window: 200 other pages, in its worker, then the first one opened.
    urls = server.add_pages(PAGE_BASE + reps * PAGES, PAGES)
    before = _max_article_id(session)
    saves = session.window.saves
    with session.heartbeat.during(SAVE_LABEL, SAVE_OPERATION):
        started = time.perf_counter()
        session.window.save_addresses(urls)
        session._wait(saves.is_running)
        out["window_ms"] = (time.perf_counter() - started) * 1000
    added = _new_article_ids(session, before)
    out["window_saved"] = len(added)
    out["long_gaps"] = session._gaps(SAVE_LABEL, started)
    session.window.announce(_delete(session, added) or Changes())
    from bench.heartbeat import pump
    pump(0.1)
    return out


def refreshing(session, server: Server) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from reader.records import Changes
    from reader.web.feeds import REFRESH_WORKERS

    library = session.library
    feeds = library.feeds
    urls = server.add_feeds(FEEDS)
    before = _max_article_id(session)
    ids = [feeds.add(url) for url in urls]
    out: dict = {"feeds": len(ids), "workers": REFRESH_WORKERS, "ms": [], "floor_ms": [],
                 "concurrent_ms": []}
    try:
        started = time.perf_counter()
        first = feeds.refresh(ids)
        out["first_ms"] = (time.perf_counter() - started) * 1000
        out["first_added"] = len(first.added)
        out["first_failed"] = [o.error for o in first.outcomes if o.status == "failed"][:5]
        for _ in session.repetitions():
            answered = server.counts.get(304, 0)
            started = time.perf_counter()
            report = feeds.refresh(ids)
            out["ms"].append((time.perf_counter() - started) * 1000)
            out["not_modified"] = sum(1 for o in report.outcomes if o.status == "not_modified")
            out["answered_304"] = server.counts.get(304, 0) - answered
        # The floor: the same conditional GETs with one (fresh) httpx client, one after
        # another; and REFRESH_WORKERS at a time, as the refresh checks them, with another.
        etags = {url: server.documents[url.removeprefix(server.base)][2] for url in urls}

        def get(client, url: str) -> int:
            return client.get(url, headers={"If-None-Match": etags[url]}).status_code

        for _ in range(max(1, len(out["ms"]))):
            with httpx.Client() as client:
                started = time.perf_counter()
                codes = [get(client, url) for url in urls]
                out["floor_ms"].append((time.perf_counter() - started) * 1000)
            with httpx.Client() as client:
                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=REFRESH_WORKERS) as pool:
                    codes += list(pool.map(lambda url, c=client: get(c, url), urls))
                out["concurrent_ms"].append((time.perf_counter() - started) * 1000)
            out["floor_304"] = sum(1 for code in codes if code == 304) // 2
        # Through the window: Feeds › Refresh (its sidebar must list the feeds first).
        window = session.window
        window.announce(Changes(feeds=True))
        session._wait(lambda: getattr(window.feed_sidebar.model, "loading", False))
        controller = window.feeds
        answered = server.counts.get(304, 0)
        with session.heartbeat.during(FEEDS_LABEL, FEEDS_OPERATION):
            started = time.perf_counter()
            out["window_started"] = bool(controller.refresh_all())
            session._wait(controller.is_refreshing)
            out["window_ms"] = (time.perf_counter() - started) * 1000
        out["window_304"] = server.counts.get(304, 0) - answered
        out["long_gaps"] = session._gaps(FEEDS_LABEL, started)
    finally:
        for feed_id in ids:
            feeds.remove(feed_id)
        deleted = _delete(session, _new_article_ids(session, before))
        session.window.announce((deleted or Changes()) | Changes(feeds=True))
        from bench.heartbeat import pump
        pump(0.1)
    return out
