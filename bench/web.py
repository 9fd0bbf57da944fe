"""The web features, measured against a server on 127.0.0.1 (never the internet).

Run inside the session probe (bench.session), beside floors measured in the same process:

- Saving pages: 200 generated article pages (`page_html`: a head with title, meta, og and
  JSON-LD tags, a site's chrome and an <article> of several paragraphs) saved with
  `reader.web.save_pages`, in pages per second, beside its floor: the same pages fetched
  with one httpx client and each given to `trafilatura.extract` (what saving a page must
  do at least), one after another, in the same run. `trafilatura.extract` alone over the
  pages' HTML is kept as a detail. Then 200 other pages saved through the window
  (`window.save_addresses`), timing the longest UI stall meanwhile.
- Importing saved pages: the same pages as .html files in a folder, imported with
  `Library.import_files` (what `marginalia import FOLDER` runs), beside reading the same
  files and `trafilatura.extract` of each, interleaved with it.
- Refreshing feeds: 100 RSS 2.0 feeds subscribed (`library.feeds.add`) and refreshed once
  (their entries imported, not timed); then a second refresh, where every feed answers
  304 to its ETag, beside 100 plain conditional GETs with one httpx client, one after
  another (the same GETs REFRESH_WORKERS at a time, as the refresh checks feeds, are
  timed too, with a client of their own). Then the window refreshes
  them (`window.feeds.refresh_all`, the Feeds › Refresh command), timing the UI stall.

Everything saved or subscribed is deleted again afterwards (and bench.build.restore
removes what an interrupted run left).

The two page rows run alone, against a throw-away library:

    python -m bench.web [--pages 200] [--reps 3]
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
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


# How each page declares its date (and author), by its number: as sites do, in JSON-LD
# (an author as an object, or a list), OpenGraph, <meta name=date> or a <time> in the
# byline; one page in six declares none (its date is only in the byline's text).
DATE_FORMS = ("json-ld", "json-ld authors", "opengraph", "meta date", "time element", "none")


def page_html(seed: int, number: int, address: str) -> str:
    """A realistic article page: head with metadata, a site's chrome (inline state and
    styles, a menu, related stories, comments, a footer of links) around the article, at
    the weight of pages saved from news sites (40-60 KB, a quarter of it the article)."""
    import json
    import random
    from datetime import datetime

    generated = corpus.article(seed, number, words=800 + number % 1200)
    title, byline, blocks = _blocks(generated.markdown)
    description = escape(blocks[0][3:-4][:160]) if blocks else ""
    author, _, shown_date = byline.partition(" — ")
    iso = datetime.strptime(shown_date, "%d %B %Y").date().isoformat()
    form = DATE_FORMS[number % len(DATE_FORMS)]
    rng = random.Random(seed * 7919 + number)

    def words(count: int) -> str:
        return " ".join(rng.choice(corpus.VOCABULARY) for _ in range(count))

    head = [f'<meta name="author" content="{escape(author)}">']
    shown = escape(byline)
    if form.startswith("json-ld"):
        people = {"@type": "Person", "name": author}
        if form == "json-ld authors":
            people = [people, {"@type": "Person", "name": author}]  # listed twice, as sites do
        head.append('<script type="application/ld+json">' + json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "datePublished": f"{iso}T08:30:00+00:00", "author": people,
            "publisher": {"@type": "Organization", "name": "The Bench Review"},
            "mainEntityOfPage": address}) + "</script>")
    elif form == "opengraph":
        head.append(f'<meta property="article:published_time" content="{iso}T08:30:00Z">')
    elif form == "meta date":
        head.append(f'<meta name="date" content="{iso}">')
    elif form == "time element":
        shown = f'{escape(author)} — <time datetime="{iso}">{escape(shown_date)}</time>'
    state = json.dumps({"props": {"page": {"id": number, "teasers": [
        {"id": rng.randrange(10**9), "title": words(8), "summary": words(30),
         "image": f"/img/{rng.randrange(10**6)}.jpg"} for _ in range(40)]}}})
    style = "\n".join(f".c{i} {{ margin: {i % 9}px; padding: {i % 5}px; color: #{i:06x}; }}"
                      for i in range(200))
    menu = "".join(f'<li><a href="/section/{i}">{escape(words(2).title())}</a></li>'
                   for i in range(80))
    related = "".join(
        f'<li class="teaser"><a href="/page/{number + i}"><img src="/img/{i}.jpg" alt="">'
        f'<h3>{escape(words(7).capitalize())}</h3></a><p>{escape(words(25))}</p></li>'
        for i in range(1, 13))
    comments = "".join(
        f'<li class="comment"><span class="comment-author">{escape(words(2).title())}</span>'
        f'<p>{escape(words(rng.randint(15, 60)).capitalize())}.</p></li>' for _ in range(8))
    footer = "".join(f'<a href="/about/{i}">{escape(words(2).title())}</a> '
                     for i in range(40))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} | The Bench Review</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{description}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(title)}">
<meta property="og:description" content="{description}">
<meta property="og:url" content="{address}">
<meta property="og:site_name" content="The Bench Review">
{chr(10).join(head)}
<link rel="canonical" href="{address}">
<link rel="stylesheet" href="/static/site.css">
<style>{style}</style>
<script>window.analytics = window.analytics || [];</script>
<script id="__STATE__" type="application/json">{state}</script>
</head>
<body>
<header class="site-header"><a href="/" class="logo">The Bench Review</a>
<nav class="menu"><ul>{menu}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search"></form></header>
<main>
<article>
<h1>{escape(title)}</h1>
<p class="byline">By {shown}</p>
{chr(10).join(blocks)}
</article>
<aside class="related"><h2>Related stories</h2><ul>{related}</ul></aside>
<section class="comments"><h2>Comments</h2><ol>{comments}</ol></section>
<div class="newsletter"><h2>Sign up to our newsletter</h2><form action="/subscribe">
<input type="email" name="email"><button>Subscribe</button></form></div>
</main>
<footer><nav class="footer-links">{footer}</nav>
<p>© 2026 The Bench Review. All rights reserved.</p>
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
            # The headers and the body go out in two writes: with Nagle's algorithm the
            # body waits for the client's delayed ACK, 40 ms a response on Linux (most
            # of the time of saving a page from this server, and none of a real one's).
            disable_nagle_algorithm = True

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


def fetch_and_extract(urls: list[str]) -> int:
    """The floor of saving pages: each fetched with one httpx client and given to
    trafilatura.extract, one after another; how many gave text."""
    import httpx
    import trafilatura

    extracted = 0
    with httpx.Client(timeout=30) as client:
        for url in urls:
            response = client.get(url)
            response.raise_for_status()
            extracted += bool(trafilatura.extract(response.text))
    return extracted


def read_and_extract(paths: list[Path]) -> int:
    """The floor of importing saved pages: each file read and given to
    trafilatura.extract; how many gave text."""
    import trafilatura

    return sum(bool(trafilatura.extract(path.read_bytes().decode("utf-8"))) for path in paths)


def write_pages(server: Server, urls: list[str], folder: Path) -> list[Path]:
    """The served pages as .html files in `folder`, as a browser saves them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for url in urls:
        path = folder / f"{url.rsplit('/', 1)[-1]}.html"
        path.write_text(server.html(url), encoding="utf-8")
        paths.append(path)
    return paths


def saving_core(library, server: Server, first: int, reps: int, folder: Path,
                repetitions=None) -> dict:
    """The save and import rows' figures (the core alone): each repetition saves PAGES new
    pages and imports them again from files into the library (deleting both afterwards),
    each beside its floor, interleaved."""
    from reader.web import fetch_page, parse_page, save_pages

    out: dict = {"pages": PAGES, "ms": [], "floor_ms": [], "extract_ms": [],
                 "import_ms": [], "import_floor_ms": []}
    done = 0
    for rep in (repetitions if repetitions is not None else range(reps)):
        done += 1
        urls = server.add_pages(first + rep * PAGES, PAGES)
        html = [server.html(url) for url in urls]
        # Floors first: trafilatura alone over the HTML, then with the fetch it needs.
        import trafilatura

        started = time.perf_counter()
        out["floor_extracted"] = sum(1 for text in html if trafilatura.extract(text))
        out["extract_ms"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        out["floor_fetched_extracted"] = fetch_and_extract(urls)
        out["floor_ms"].append((time.perf_counter() - started) * 1000)
        if rep == 0:  # where the time goes: fetching alone, then parsing alone
            started = time.perf_counter()
            fetched = [fetch_page(url) for url in urls]
            out["fetch_ms"] = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            for page in fetched:
                parse_page(page)
            out["parse_ms"] = (time.perf_counter() - started) * 1000
        before = _max_id(library)
        started = time.perf_counter()
        report = save_pages(library, urls)
        out["ms"].append((time.perf_counter() - started) * 1000)
        out["saved"] = sum(1 for r in report.saved if r.status == "added")
        out["problems"] = [str(p) for p in report.problems][:5]
        _delete_ids(library, _ids_above(library, before))
        # The same pages saved as files: the floor, then `marginalia import FOLDER`.
        paths = write_pages(server, urls, folder / f"pages-{rep}")
        started = time.perf_counter()
        out["import_floor_extracted"] = read_and_extract(paths)
        out["import_floor_ms"].append((time.perf_counter() - started) * 1000)
        before = _max_id(library)
        started = time.perf_counter()
        imported = library.import_files([paths[0].parent])
        out["import_ms"].append((time.perf_counter() - started) * 1000)
        out["imported"] = len(imported.added)
        out["import_problems"] = [str(p) for p in imported.problems][:5]
        _delete_ids(library, _ids_above(library, before))
    out["reps_done"] = done
    return out


def _max_id(library) -> int:
    return library.storage.rows("SELECT coalesce(max(id), 0) FROM article")[0][0]


def _ids_above(library, above: int) -> list[int]:
    return [row[0] for row in library.storage.rows(
        "SELECT id FROM article WHERE id > ? ORDER BY id", (above,))]


def _delete_ids(library, ids: list[int]):
    changes = None
    for article_id in ids:
        done = library.articles.delete(article_id)
        changes = done if changes is None else changes | done
    return changes


def saving(session, server: Server) -> dict:
    from reader.records import Changes

    # Timed on the UI thread only to measure the core (its stall is the benchmark's
    # own, under "idle"); the window saves in its worker, measured below.
    out = saving_core(session.library, server, PAGE_BASE, min(session.reps, 3),
                      session.tmp / "saved-pages",
                      session.repetitions(min(session.reps, 3)))  # lazily: --budget stops it
    reps = out["reps_done"]
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


def main(argv: list[str] | None = None) -> int:
    """The save and import rows alone, against a throw-away library; prints their rows."""
    import argparse
    import json
    import tempfile

    from bench import report
    from reader.library import Library

    parser = argparse.ArgumentParser(prog="python -m bench.web",
                                     description="Saving and importing pages, beside their floors.")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the raw figures too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="marginalia-bench-web-") as folder, \
            Server(args.seed) as server:
        library = Library.open(Path(folder) / "library.sqlite3")
        try:
            save = saving_core(library, server, PAGE_BASE, args.reps, Path(folder))
        finally:
            library.close()
    if args.json:
        print(json.dumps(save, indent=1))
    for row in report.page_rows(save):
        print(f"{row.measurement}: {report._number(row.value, row.unit)} against "
              f"{report._number(row.floor, row.unit)} ({row.target}: "
              f"{'met' if row.met else 'NOT met'}); {row.detail}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
