"""What earlier imports from a tool brought in: the `imported` table, read once an import.

Each imported item and highlight is kept by the tool's key for it (see model.py), with
the article or highlight it became. Importing the same export again finds them here and
adds nothing twice; an import that stopped resumes past them; one deleted here since
stays deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.storage.database import Storage, utc_now

ITEM = "item"  # an item matched to, or stored as, an article
BOOK = "book"  # an item stored as an article made of its highlights (books.py)
HIGHLIGHT = "highlight"
NOTE = "note"  # a note or bookmark without a passage, added to the article's note


@dataclass(frozen=True)
class Link:
    kind: str
    key: str
    item_key: str
    article_id: int | None
    highlight_id: int | None
    passage: str = ""
    location: str = ""
    position: float | None = None


class Links:
    """The links of one source (format), loaded at once: an import asks for thousands."""

    def __init__(self, store: Storage, source: str) -> None:
        self._store = store
        self.source = source
        self._links: dict[tuple[str, str], Link] = {}
        self._by_item: dict[str, dict[str, Link]] = {}  # item key -> its highlights' links
        for row in store.rows(
                "SELECT kind, key, item_key, article_id, highlight_id, passage, location,"
                " position FROM imported WHERE source = ?", (source,)):
            self._remember(Link(*row))
        self.articles = {row[0] for row in store.rows("SELECT id FROM article")}
        self.highlights = {row[0] for row in store.rows("SELECT id FROM highlight")}

    def get(self, kind: str, key: str) -> Link | None:
        return self._links.get((kind, key))

    def item(self, key: str) -> Link | None:
        return self.get(BOOK, key) or self.get(ITEM, key)

    def book_passages(self, item_key: str) -> list[Link]:
        """The passages of a book article that are still highlighted there."""
        return [link for link in self._by_item.get(item_key, {}).values()
                if link.highlight_id in self.highlights and link.passage]

    def add(self, link: Link) -> None:
        """Store a link (inside the caller's transaction) and remember it."""
        self._store.run(
            "INSERT INTO imported (source, kind, key, item_key, article_id, highlight_id,"
            " passage, location, position, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (source, kind, key) DO UPDATE SET item_key = excluded.item_key,"
            " article_id = excluded.article_id, highlight_id = excluded.highlight_id,"
            " passage = excluded.passage, location = excluded.location,"
            " position = excluded.position, imported_at = excluded.imported_at",
            (self.source, link.kind, link.key, link.item_key, link.article_id,
             link.highlight_id, link.passage, link.location, link.position, utc_now()))
        self._remember(link)
        if link.article_id is not None:
            self.articles.add(link.article_id)
        if link.highlight_id is not None:
            self.highlights.add(link.highlight_id)

    def _remember(self, link: Link) -> None:
        self._links[(link.kind, link.key)] = link
        if link.kind == HIGHLIGHT:
            self._by_item.setdefault(link.item_key, {})[link.key] = link
