"""One sitting of review: today's queue worked through card by card, with undo."""

from __future__ import annotations

from dataclasses import dataclass

from reader.review.cards import QueueItem, ReviewQueue
from reader.review.manager import ReviewManager

# A card graded Again in a learning step comes back after this many other cards (or at
# the end, when fewer are left), as Anki brings it back once its step has passed.
LEARNING_GAP = 3


@dataclass(frozen=True)
class _Action:
    item: QueueItem
    log_id: int | None  # the grade's log row; None for "never show again"
    requeued: bool  # the card was put back in the queue (due again today)


class ReviewSession:
    """The cards still to show today, the one shown (`current`), and what was done.

    Every grade and "never again" is written to the library when it is given; `undo`
    takes the last one back (grades as far back as this session goes)."""

    def __init__(self, review: ReviewManager, queue: ReviewQueue) -> None:
        self.review = review
        self.queue = queue
        self._pending: list[QueueItem] = list(queue.items)
        self._actions: list[_Action] = []
        self.graded = 0

    @property
    def current(self) -> QueueItem | None:
        return self._pending[0] if self._pending else None

    @property
    def remaining(self) -> int:
        return len(self._pending)

    @property
    def remaining_new(self) -> int:
        return sum(1 for item in self._pending if item.new)

    @property
    def can_undo(self) -> bool:
        return bool(self._actions)

    def grade(self, rating: int, duration_ms: int | None = None):
        """Grade the current card (1-4); it leaves the queue, or comes back later today
        if the scheduler wants it again within the day (a learning step)."""
        item = self._current()
        result = self.review.grade(item.highlight_id, rating, duration_ms)
        self._pending.pop(0)  # only once written: a grade refused leaves the card shown
        if result.again_today:
            self._pending.insert(min(LEARNING_GAP, len(self._pending)),
                                 QueueItem(item.highlight_id, False))
        self._actions.append(_Action(item, result.log_id, result.again_today))
        self.graded += 1
        return result

    def retire(self) -> QueueItem:
        """Never show the current card again."""
        item = self._current()
        self.review.retire(item.highlight_id)
        self._pending.pop(0)
        self._actions.append(_Action(item, None, False))
        return item

    def undo(self) -> QueueItem | None:
        """Take back the last grade (or "never again"): the card is shown again."""
        if not self._actions:
            return None
        action = self._actions.pop()
        if action.log_id is None:
            self.review.retire(action.item.highlight_id, False)
        else:
            self.review.undo_grade(action.log_id)
            self.graded -= 1
        if action.requeued:
            for index, item in enumerate(self._pending):
                if item.highlight_id == action.item.highlight_id:
                    del self._pending[index]
                    break
        self._pending.insert(0, action.item)
        return action.item

    def drop(self, highlight_id: int) -> None:
        """Leave out a card whose highlight went (deleted meanwhile)."""
        self._pending = [i for i in self._pending if i.highlight_id != highlight_id]

    def _current(self) -> QueueItem:
        if not self._pending:
            raise IndexError("the review is over: no card is shown")
        return self._pending[0]
