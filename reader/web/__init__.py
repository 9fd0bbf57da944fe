"""Saving web pages by their address, without Qt: fetch, normalise, store.

    from reader.web import save_pages
    report = save_pages(library, ["https://example.com/post"], tags=["later"])

Every call blocks; run it in a worker thread (and call `library.release_thread()` there
when done). Failures are `FetchError`s (a `LibraryError`) whose message is one line naming
the address and the reason.
"""

from __future__ import annotations

from reader.web.fetch import FetchCancelled, FetchedPage, FetchError, fetch_page
from reader.web.save import (
    SaveProblem,
    SaveReport,
    SaveResult,
    parse_page,
    save_page,
    save_pages,
    store_page,
)
from reader.web.urls import AddressError, address_from_text, canonical_url, normalise_url

__all__ = [
    "AddressError", "FetchCancelled", "FetchError", "FetchedPage", "SaveProblem", "SaveReport",
    "SaveResult", "address_from_text", "canonical_url", "fetch_page", "normalise_url",
    "parse_page", "save_page", "save_pages", "store_page",
]
