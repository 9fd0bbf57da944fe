"""marginalia:// links: the way back from an exported note to an article or a highlight."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

SCHEME = "marginalia"


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
    action = (parts.netloc or parts.path.lstrip("/")).lower()
    if parts.scheme.lower() != SCHEME or action != "open":
        raise ValueError(f"{url}: not a Marginalia link (expected {SCHEME}://open?article=ID).")
    query = parse_qs(parts.query)

    def number(name: str) -> int | None:
        values = query.get(name)
        if not values:
            return None
        if not values[0].isdigit():
            raise ValueError(f"{url}: {name} must be a number, not {values[0]!r}.")
        return int(values[0])

    article = number("article")
    if article is None:
        raise ValueError(f"{url}: the link names no article.")
    return Link(article, number("highlight"))
