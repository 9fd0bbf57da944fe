"""marginalia:// links: the way back from an exported note to an article or a highlight."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

SCHEME = "marginalia"
_MAX_ID = str(2**63 - 1)  # SQLite's largest integer


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
        digits = values[0]
        if not re.fullmatch(r"[0-9]+", digits):
            raise ValueError(f"{shown}: {name} must be a number, not {_short(digits)!r}.")
        # An id is a positive SQLite integer: compare digits, not int() (any length).
        digits = digits.lstrip("0")
        if not digits or len(digits) > len(_MAX_ID) or (len(digits) == len(_MAX_ID)
                                                       and digits > _MAX_ID):
            raise ValueError(f"{shown}: {name} must be a number from 1 to {_MAX_ID}, "
                             f"not {_short(values[0])}.")
        return int(digits)

    article = number("article")
    if article is None:
        raise ValueError(f"{shown}: the link names no article.")
    return Link(article, number("highlight"))


def _short(text: str, limit: int = 40) -> str:
    """text, or its start and length if it is longer than limit."""
    return text if len(text) <= limit else f"{text[:limit // 2]}…({len(text)} characters)"
