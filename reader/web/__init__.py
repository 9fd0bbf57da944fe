"""Saving web pages by their address, without Qt: fetch, normalise, store.

    from reader.web import fetch_page
    page = fetch_page("https://example.com/post")

Every call blocks; run it in a worker thread. Failures are `FetchError`s (a
`LibraryError`) whose message is one line naming the address and the reason.
"""

from __future__ import annotations

from reader.web.fetch import FetchCancelled, FetchedPage, FetchError, fetch_page
from reader.web.urls import AddressError, address_from_text, canonical_url, normalise_url

__all__ = [
    "AddressError", "FetchCancelled", "FetchError", "FetchedPage", "address_from_text",
    "canonical_url", "fetch_page", "normalise_url",
]
