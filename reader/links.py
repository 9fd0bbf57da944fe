"""marginalia:// links: the way back from an exported note to an article or a highlight."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

SCHEME = "marginalia"
MAX_ID = str(2**63 - 1)  # SQLite's largest integer


@dataclass(frozen=True)
class Link:
    article_id: int
    highlight_id: int | None = None

    def __str__(self) -> str:
        url = f"{SCHEME}://open?article={self.article_id}"
        return url + (f"&highlight={self.highlight_id}" if self.highlight_id is not None else "")


def is_link(text: str) -> bool:
    return text.lower().startswith(f"{SCHEME}:")


def parse_link(url: str) -> Link:
    """The article (and highlight) a marginalia:// URL points at; ValueError saying why not."""
    parts = urlsplit(url.strip())
    shown = _short(url.strip(), 120)
    action = (parts.netloc or parts.path.lstrip("/")).lower()
    if parts.scheme.lower() != SCHEME or action != "open":
        raise ValueError(f"{shown}: not a Marginalia link (expected {SCHEME}://open?article=ID).")
    query = parse_qs(parts.query)

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
