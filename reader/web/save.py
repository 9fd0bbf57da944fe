"""Saving web pages into the library by their address: one article per page.

A fetched page goes the way of a page saved from a browser and imported
(`reader.importing.sources.parse_article`), so both become the same article. It is
stored under its normalised address, the page's own canonical address when it names
one. Saving a page the library already has (by that address, the address asked for, or
any address its redirects passed through) updates the article in place and re-anchors
its highlights; the same content again leaves it "unchanged". Never a duplicate.

Everything here blocks and touches no Qt: call it from a worker thread, and call
`library.release_thread()` there when done.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

from reader.importing.sources import HTML, ParsedArticle, SourceError, parse_article
from reader.library import Library
from reader.records import Changes
from reader.storage.database import LibraryError, database_errors
from reader.web.fetch import FetchCancelled, FetchedPage, FetchError, fetch_page, page_client
from reader.web.urls import AddressError, address_from_text, canonical_url, normalise_url

Status = Literal["added", "updated", "unchanged"]
_log = logging.getLogger(__name__)
_HEAD_TAG = re.compile(r"<head\b[^>]*>", re.I)


@dataclass(frozen=True)
class SaveResult:
    """A page saved: its article, and what saving did to it."""

    url: str  # the address the article is stored under (normalised)
    article_id: int
    status: Status
    title: str = ""
    orphaned: tuple[int, ...] = ()  # highlights that could not be placed in the new text
    requested: str = ""  # the address as it was given

    def __str__(self) -> str:
        return f"{self.status}: {self.title} — {self.url}"


@dataclass(frozen=True)
class SaveProblem:
    """A page that could not be saved, and why."""

    url: str  # the address as it was given
    reason: str

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


@dataclass(frozen=True)
class SaveReport:
    """What `save_pages` did with each address, in the order they were given."""

    results: tuple[SaveResult | SaveProblem, ...] = ()
    cancelled: bool = False  # stopped early: the addresses after the last result were not tried

    @property
    def saved(self) -> tuple[SaveResult, ...]:
        return tuple(r for r in self.results if isinstance(r, SaveResult))

    @property
    def problems(self) -> tuple[SaveProblem, ...]:
        return tuple(r for r in self.results if isinstance(r, SaveProblem))

    @property
    def orphaned(self) -> tuple[int, ...]:
        return tuple(h for r in self.saved for h in r.orphaned)

    def changes(self) -> Changes:
        """What the views must refresh: the list, the tags, the updated articles' text."""
        if not self.saved:
            return Changes()
        updated = frozenset(r.article_id for r in self.saved if r.status == "updated")
        return Changes(articles=frozenset(r.article_id for r in self.saved),
                       article_list=True, tags=True, highlights=updated)

    def summary(self) -> str:
        """One line for people: what happened to the pages."""
        counts = {status: sum(r.status == status for r in self.saved)
                  for status in ("added", "updated", "unchanged")}
        parts = [f"{counts['added']} added"]
        if counts["updated"]:
            parts.append(f"{counts['updated']} updated")
        if counts["unchanged"]:
            parts.append(f"{counts['unchanged']} unchanged")
        if self.problems:
            parts.append(f"{len(self.problems)} could not be saved")
        if self.cancelled:
            parts.append("cancelled")
        return ", ".join(parts) + "."


def save_page(library: Library, url: str, tags: Iterable[str] = (), *,
              cancelled: Callable[[], bool] | None = None, **fetch_options: Any) -> SaveResult:
    """Fetch the page at url and store it as an article (added, updated or unchanged).

    url may be typed or pasted text ("example.com/post" means https). `tags` are added to
    the article's own tags (not an undoable step, as for an import). The article and its
    tags are written in one transaction. Raises FetchError (naming the address and the
    reason) when the page cannot be fetched or holds no article, FetchCancelled when
    `cancelled()` stopped it, LibraryError when the library cannot be written.
    `fetch_options` go to `fetch_page` (timeouts, limits, transport).
    """
    tags = tuple(tags)
    _check_writable(library)
    try:
        address = address_from_text(url)
    except AddressError as exc:
        raise FetchError(url.strip() or "(no address)", _without_prefix(str(exc), url)) from None
    page = fetch_page(address, cancelled=cancelled, **fetch_options)
    parsed, article_url = parse_page(page)
    if cancelled is not None and cancelled():
        raise FetchCancelled(address)
    return store_page(library, page, parsed, article_url, tags, requested=url)


def parse_page(page: FetchedPage) -> tuple[ParsedArticle, str]:
    """The article in a fetched page and the (normalised) address to store it under.

    Raises FetchError when the page holds no article. Relative links in the article are
    kept, made absolute against the page's address.
    """
    text = page.text
    article_url = page.final_url
    if page.source_format == HTML:
        canonical = canonical_url(text, page.final_url)
        article_url = canonical or page.final_url
        # The import resolves the article's links against the canonical address it
        # finds in the page; a page that names none (or a relative one) is given its own.
        if canonical is None or not _names_absolute_canonical(text, canonical):
            text = _with_canonical(text, article_url)
    try:
        parsed = parse_article(text, page.source_format, page.final_url)
    except SourceError as exc:
        raise FetchError(page.url, str(exc)) from exc
    article_url = normalise_url(article_url)
    return dataclasses.replace(parsed, url=article_url), article_url


def store_page(library: Library, page: FetchedPage, parsed: ParsedArticle, article_url: str,
               tags: Sequence[str] = (), requested: str = "") -> SaveResult:
    """Store a parsed page: update the article it already is, or add it; one transaction."""
    requested = requested or page.url
    with database_errors(library.storage, "Saving the page"), library.storage.write():
        existing = find_saved_page(library, page, article_url)
        if existing is None:
            existing = library.articles.find_by_hash(parsed.content_hash)
            if existing is not None:
                _add_tags(library, existing, tags)
                return SaveResult(article_url, existing, "unchanged", parsed.title,
                                  requested=requested)
            # Tags a Markdown page's front matter carries are kept, as an import keeps them.
            every_tag = tuple(dict.fromkeys([*parsed.tags, *tags]))
            article_id = library.articles.add(dataclasses.replace(parsed, tags=every_tag))
            return SaveResult(article_url, article_id, "added", parsed.title, requested=requested)
        _add_tags(library, existing, tags)
        if _same_content(library, existing, parsed):
            return SaveResult(article_url, existing, "unchanged", parsed.title,
                              requested=requested)
        orphaned = library.articles.replace_source(existing, parsed)
        return SaveResult(article_url, existing, "updated", parsed.title, tuple(orphaned),
                          requested=requested)


def find_saved_page(library: Library, page: FetchedPage, article_url: str) -> int | None:
    """The article already holding this page: found by its stored address, the final
    address, the address asked for or any redirect between (normalised or as given)."""
    candidates = [article_url, *reversed(page.hops), page.url]
    seen: set[str] = set()
    for candidate in candidates:
        for spelling in (candidate, _normalised_or_none(candidate)):
            if spelling and spelling not in seen:
                seen.add(spelling)
                found = library.articles.find_by_url(spelling)
                if found is not None:
                    return found
    return None


FETCH_AHEAD = 4  # pages fetched ahead of the one being stored


def save_pages(library: Library, urls: Iterable[str], tags: Iterable[str] = (),
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None,
               on_result: Callable[[SaveResult | SaveProblem], None] | None = None,
               **fetch_options: Any) -> SaveReport:
    """Save each page in turn; one that fails never stops the others.

    Each page is stored whole or not at all. `progress(done, total)` is called after each
    address, and `on_result` with what became of it (to show results as they come).
    `cancelled()` stops the batch (the page being fetched is dropped, nothing
    after it is tried). Raises LibraryError only when the library cannot be written at
    all (read-only or damaged): that is no fault of one address.
    """
    _check_writable(library)
    urls = list(urls)
    tags = tuple(tags)
    results: list[SaveResult | SaveProblem] = []
    stopped = False
    is_cancelled = cancelled or (lambda: False)
    # The pages are fetched a few ahead, on one shared client, while the ones fetched
    # are extracted and stored here, in order: fetching is waiting on the network, and
    # a client of its own for each page cost more than fetching it from a near server.
    client_options = {name: fetch_options.pop(name) for name in
                      ("connect_timeout", "read_timeout", "transport") if name in fetch_options}
    timeouts = {k: v for k, v in client_options.items() if k != "transport"}
    with page_client(**client_options) as client, \
            ThreadPoolExecutor(FETCH_AHEAD, thread_name_prefix="marginalia-fetch") as pool:
        ahead: deque[tuple[str, Future]] = deque()
        queued = iter(urls)

        def fetch(url: str) -> FetchedPage:
            address = address_from_text(url)
            return fetch_page(address, cancelled=is_cancelled, client=client, **timeouts,
                              **fetch_options)

        def top_up() -> None:
            while len(ahead) < FETCH_AHEAD:
                url = next(queued, None)
                if url is None:
                    return
                ahead.append((url, pool.submit(fetch, url)))

        top_up()
        done = 0
        while ahead:
            url, future = ahead.popleft()
            if is_cancelled():
                stopped = True
                break
            result = _store_fetched(library, url, future, tags, is_cancelled)
            if result is None:  # cancelled while it was fetched
                stopped = True
                break
            top_up()
            done += 1
            results.append(result)
            if on_result is not None:
                on_result(result)
            if progress is not None:
                progress(done, len(urls))
        for _url, future in ahead:
            future.cancel()
    return SaveReport(tuple(results), stopped)


def _store_fetched(library: Library, url: str, future: Future, tags: tuple[str, ...],
                   cancelled: Callable[[], bool]) -> SaveResult | SaveProblem | None:
    """Extract and store a page fetched by `save_pages`: what became of it, or None when
    the batch was cancelled meanwhile."""
    try:
        try:
            page = future.result()
        except AddressError as exc:
            raise FetchError(url.strip() or "(no address)",
                             _without_prefix(str(exc), url)) from None
        parsed, article_url = parse_page(page)
        if cancelled():
            return None
        return store_page(library, page, parsed, article_url, tags, requested=url)
    except FetchCancelled:
        return None
    except FetchError as exc:
        return SaveProblem(url, exc.reason)
    except LibraryError as exc:
        if library.read_only is not None or library.damaged:
            raise
        return SaveProblem(url, str(exc))  # e.g. busy: another writer held on too long
    except Exception as exc:  # a fault of ours on one odd page must not stop the rest
        if library.read_only is not None or library.damaged:
            raise
        _log.exception("Saving %s failed", url)
        return SaveProblem(url, f"could not be saved ({type(exc).__name__}: {exc})")


def _check_writable(library: Library) -> None:
    if library.read_only is not None:
        raise LibraryError(f"{library.path} is read-only ({library.read_only}); "
                           "nothing was saved.")
    if library.damaged:
        raise LibraryError(f"{library.path} is damaged ({library.damaged}); nothing was saved.")


def _add_tags(library: Library, article_id: int, names: Sequence[str]) -> None:
    """Add tags to an article, as an import carries them (no undo step); inside a write."""
    links = library.storage.models.ArticleTag
    for tag_id in library.tags.ensure(names):
        links.insert(article=article_id, tag=tag_id).on_conflict_ignore().execute()


def _same_content(library: Library, article_id: int, parsed: ParsedArticle) -> bool:
    """Whether the stored article already is this version of the page. A page whose markup
    changes on every visit (a date, a token) but whose article does not is unchanged."""
    record = library.articles.get(article_id)
    if record.content_hash == parsed.content_hash:
        return True
    return (library.articles.source(article_id) == parsed.source_text
            and (record.title, record.author, record.published, record.publication, record.url)
            == (parsed.title, parsed.author, parsed.published, parsed.publication, parsed.url))


def _names_absolute_canonical(text: str, canonical: str) -> bool:
    return canonical in text or escape(canonical) in text


def _with_canonical(page_html: str, url: str) -> str:
    link = f'<link rel="canonical" href="{escape(url)}">'
    head = _HEAD_TAG.search(page_html)
    if head is None:
        return link + page_html
    return page_html[:head.end()] + link + page_html[head.end():]


def _normalised_or_none(url: str) -> str | None:
    try:
        return normalise_url(url)
    except AddressError:
        return None


def _without_prefix(message: str, url: str) -> str:
    url = url.strip()
    return message[len(url):].lstrip(" :") if url and message.startswith(url) else message
