"""marginalia:// links: the way back from an exported note to an article or a highlight
(`marginalia://open?article=ID[&highlight=ID]`), and the way in from a browser's
bookmarklet (`marginalia://save?url=ADDRESS`: save that page)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

SCHEME = "marginalia"
MAX_ID = str(2**63 - 1)  # SQLite's largest integer


@dataclass(frozen=True)
class Link:
    article_id: int
    highlight_id: int | None = None

    def __str__(self) -> str:
        url = f"{SCHEME}://open?article={self.article_id}"
        return url + (f"&highlight={self.highlight_id}" if self.highlight_id is not None else "")


@dataclass(frozen=True)
class SaveLink:
    """A request to save the web page at `url` (from a bookmarklet in a browser)."""

    url: str

    def __str__(self) -> str:
        return f"{SCHEME}://save?url={quote(self.url, safe='')}"


MAX_SAVE_URL = 8192  # longer is no page address a browser would hand over


def is_link(text: str) -> bool:
    return text.lower().startswith(f"{SCHEME}:")


def parse_link(url: str) -> Link | SaveLink:
    """What a marginalia:// URL asks for: an article (and highlight) to open, or a page
    to save; ValueError saying why not."""
    parts = urlsplit(url.strip())
    shown = _short(url.strip(), 120)
    action = (parts.netloc or parts.path.lstrip("/")).lower()
    if parts.scheme.lower() != SCHEME or action not in ("open", "save"):
        raise ValueError(f"{shown}: not a Marginalia link (expected {SCHEME}://open?article=ID "
                         f"or {SCHEME}://save?url=ADDRESS).")
    query = parse_qs(parts.query)
    if action == "save":
        addresses = query.get("url") or [""]
        address = addresses[0].strip()
        if not address:
            raise ValueError(f"{shown}: the link names no page to save (url=…).")
        if len(address) > MAX_SAVE_URL:
            raise ValueError(f"{shown}: the address is too long to be a web page's.")
        return SaveLink(address)

    def number(name: str) -> int | None:
        values = query.get(name)
        if not values:
            return None
        try:
            return parse_id(values[0])
        except ValueError as error:
            raise ValueError(f"{shown}: {name} {error}.") from None

    article = number("article")
    if article is None:
        raise ValueError(f"{shown}: the link names no article.")
    return Link(article, number("highlight"))


def parse_id(text: str) -> int:
    """An article's or highlight's id written in digits: a positive SQLite integer.

    ValueError, with a reason completing "<name> ...", for anything else; the digits
    are compared, never given to int() unchecked (which fails, slowly, on thousands).
    """
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"must be a number, not {_short(text)!r}")
    digits = text.lstrip("0")
    if not digits or len(digits) > len(MAX_ID) or (len(digits) == len(MAX_ID)
                                                   and digits > MAX_ID):
        raise ValueError(f"must be a number from 1 to {MAX_ID}, not {_short(text)}")
    return int(digits)


def _short(text: str, limit: int = 40) -> str:
    """text, or its start and length if it is longer than limit."""
    return text if len(text) <= limit else f"{text[:limit // 2]}…({len(text)} characters)"
