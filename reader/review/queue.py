"""Today's review queue, in SQL: the due cards by the due index, the new ones by the
highlights' ids, both within a scope (a query) and without the articles and highlights
tagged "no review". Nothing is loaded into Python but the ids shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reader.annotations.tags import normalise as normal_tag
from reader.query.sql import HIGHLIGHT
from reader.review.cards import NEW_ORDERS, Limits, QueueItem, ReviewQueue
from reader.review.clock import Clock, stamp
from reader.storage.database import LibraryError, Storage

# A highlight's card, and its article: what every queue statement starts from.
_CARDS = ("FROM review_card c JOIN highlight h ON h.id = c.highlight_id"
          " JOIN article a ON a.id = h.article_id")
# Highlights never graded (no card, or a cloze or question card made before its first
# review) and not retired. The set of cards seen is built once (a non-correlated
# subquery), then the highlights are walked by id.
# The subquery's WHERE is the partial index review_card_seen's, which answers it alone.
_NEW = ("WHERE h.id NOT IN (SELECT highlight_id FROM review_card"
        " WHERE state IS NOT NULL OR retired = 1)")
_SHUFFLE = "(h.id * 2654435761 + ?) % 4294967296"  # a fixed permutation per seed


class Scope:
    """The condition of a scope (a query of the query language, "" for the whole
    library) and of the skip tag, in SQL over `h` (the highlight) and `a` (its article).

    A skip tag no article or highlight carries adds no condition; with neither a scope
    nor a skip tag in use the statements need not join the article at all."""

    def __init__(self, store: Storage, query: Any, text: str, skip_tag: str) -> None:
        self.text = text.strip()
        self.where: list[str] = []
        self.params: list[Any] = []
        self.messages: tuple[str, ...] = ()
        if self.text:
            compiled = query.compile(self.text, HIGHLIGHT)
            self.where.append(compiled.where)
            self.params.extend(compiled.params)
            self.messages = tuple(compiled.messages)
        name = normal_tag(skip_tag or "")
        if name:
            pattern = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"
            tags = [row[0] for row in store.rows(
                "SELECT id FROM tag WHERE name = ? COLLATE NOCASE OR name LIKE ? ESCAPE '\\'",
                (name, pattern))]
            if tags:
                marks = ", ".join("?" * len(tags))
                self.where.append(
                    f"a.id NOT IN (SELECT article_id FROM article_tag WHERE tag_id IN ({marks}))"
                    f" AND h.id NOT IN (SELECT highlight_id FROM highlight_tag WHERE tag_id IN"
                    f" ({marks}))")
                self.params.extend([*tags, *tags])

    def sql(self) -> str:
        return "".join(f" AND {part}" for part in self.where)

    def cards(self) -> str:
        """FROM a highlight's card (`c`), its highlight and, when a condition needs it,
        its article: what the due statements start from."""
        if not self.where:
            return "FROM review_card c JOIN highlight h ON h.id = c.highlight_id"
        return _CARDS

    def highlights(self) -> str:
        """FROM the highlights (`h`) and, when a condition needs it, their articles."""
        if not self.where:
            return "FROM highlight h"
        return "FROM highlight h JOIN article a ON a.id = h.article_id"


def build(store: Storage, query: Any, clock: Clock, scope: str = "",
          limits: Limits = Limits(), skip_tag: str = "", order: str = "newest") -> ReviewQueue:
    """Today's queue (see ReviewQueue)."""
    if order not in NEW_ORDERS:
        raise ValueError(f"new cards come in one of the orders {', '.join(NEW_ORDERS)}")
    where = Scope(store, query, scope, skip_tag)
    today = clock.today().isoformat()
    end = stamp(clock.day_end())
    new_done, due_done = done_today(store, today)
    rows = _rows(store, scope,
                 f"SELECT c.highlight_id {where.cards()} WHERE c.retired = 0 AND c.due < ?"
                 f" AND c.state IN (1, 3){where.sql()} ORDER BY c.due, c.id",
                 [end, *where.params])
    items = [QueueItem(row[0], False) for row in rows]
    learning = len(items)
    due_left = max(0, limits.due - due_done)
    if due_left:
        rows = _rows(store, scope,
                     f"SELECT c.highlight_id {where.cards()} WHERE c.retired = 0"
                     f" AND c.state = 2 AND c.due < ?{where.sql()} ORDER BY c.due, c.id LIMIT ?",
                     [end, *where.params, due_left])
        items += [QueueItem(row[0], False) for row in rows]
    new_left = max(0, limits.new - new_done)
    if new_left:
        params: list[Any] = list(where.params)
        if order == "shuffled":
            sort = _SHUFFLE
            params.append(clock.today().toordinal())
        else:
            sort = "h.id DESC" if order == "newest" else "h.id"
        rows = _rows(store, scope, f"SELECT h.id {where.highlights()} {_NEW}{where.sql()}"
                                   f" ORDER BY {sort} LIMIT ?",
                     [*params, new_left])
        items += [QueueItem(row[0], True) for row in rows]
    due_count = len(items) - sum(1 for item in items if item.new)
    due_total = due_count
    if due_count >= due_left + learning:  # the limit was reached: how many more wait?
        # Without a scope or skip tag, counted from the due index alone: joining 10,000
        # due cards to their highlights took 8 ms, only to leave out the few cards of
        # deleted highlights (kept for undo), which may be counted here.
        cards = where.cards() if where.where else "FROM review_card c"
        (due_total,) = _rows(store, scope,
                             f"SELECT count(*) {cards} WHERE c.retired = 0"
                             f" AND c.state IN (1, 2, 3) AND c.due < ?{where.sql()}",
                             [end, *where.params])[0]
    return ReviewQueue(tuple(items), due_total, new_done, due_done, limits, scope.strip(),
                       where.messages)


def done_today(store: Storage, day: str) -> tuple[int, int]:
    """Grades given on a review day to new cards, and to cards in review (the learning
    steps of mastery cards count against neither limit)."""
    rows = store.rows("SELECT count(CASE WHEN previous_state IS NULL THEN 1 END),"
                      " count(CASE WHEN previous_state = 2 THEN 1 END)"
                      " FROM review_log WHERE day = ?", (day,))
    return rows[0][0] or 0, rows[0][1] or 0


def due_between(store: Storage, query: Any, start: datetime, end: datetime, scope: str = "",
                skip_tag: str = "") -> int:
    """How many cards of the scope fall due between two moments (for "tomorrow: 5")."""
    where = Scope(store, query, scope, skip_tag)
    return _rows(store, scope,
                 f"SELECT count(*) {where.cards()} WHERE c.retired = 0"
                 f" AND c.state IN (1, 2, 3) AND c.due >= ? AND c.due < ?"
                 f"{where.sql()}", [stamp(start), stamp(end), *where.params])[0][0]


def _rows(store: Storage, scope: str, sql: str, params: list[Any]) -> list[tuple]:
    from peewee import OperationalError, ProgrammingError

    try:
        return store.rows(sql, params)
    except (OperationalError, ProgrammingError) as exc:
        raise LibraryError(f"Cannot build the review of {scope!r}: {exc}.") from exc
