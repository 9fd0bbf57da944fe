"""Saving web pages by their address, without Qt: fetch, normalise, store.

    from reader.web import save_pages
    report = save_pages(library, ["https://example.com/post"], tags=["later"])

Every call blocks; run it in a worker thread (and call `library.release_thread()` there
when done). Failures are `FetchError`s (a `LibraryError`) whose message is one line naming
the address and the reason.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each name and the module it lives in. They are imported when first asked for, so that
# using one part (the feed list the sidebar reads at start-up) does not load the HTTP
# client and the page extractor, a fifth of a second and several megabytes.
_WHERE = {
    "FetchCancelled": "fetch", "FetchError": "fetch", "FetchedPage": "fetch",
    "fetch_page": "fetch",
    "SaveProblem": "save", "SaveReport": "save", "SaveResult": "save", "parse_page": "save",
    "save_page": "save", "save_pages": "save", "store_page": "save",
    "AddressError": "urls", "address_from_text": "urls", "canonical_url": "urls",
    "normalise_url": "urls",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'reader.web' has no attribute {name!r}")
    return getattr(importlib.import_module(f"reader.web.{_WHERE[name]}"), name)


__all__ = [
    "AddressError", "FetchCancelled", "FetchError", "FetchedPage", "SaveProblem", "SaveReport",
    "SaveResult", "address_from_text", "canonical_url", "fetch_page", "normalise_url",
    "parse_page", "save_page", "save_pages", "store_page",
]
