"""Scheduling by FSRS, through the fsrs library: which scheduler each kind of card uses,
and the card's state as the library stores it (columns) and as the log keeps it (JSON).

Two configurations of the library's Scheduler, both with its default model weights:

- A plain highlight is resurfaced, not drilled: no learning steps, so every grade
  schedules it days ahead (Again: tomorrow) and it is shown at most once a day, as in
  Readwise's Daily Review.
- A mastery card (a cloze or a question, which the user made to learn the passage) uses
  the library's learning steps (1 and 10 minutes; 10 minutes to relearn), as Anki does:
  a forgotten card comes back in the same session.

Intervals are fuzzed by the library (a card due in 50 days may come on day 49 or 51), so
that highlights first seen together do not stay together for ever.

The library is imported on first use: building the queue and counting what is due need
only SQL, and start-up need not load it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reader.review.clock import parse_stamp, stamp

HIGHLIGHT, CLOZE, QUESTION = "highlight", "cloze", "question"
KINDS = (HIGHLIGHT, CLOZE, QUESTION)
RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
DEFAULT_RETENTION = 0.9

if TYPE_CHECKING:
    from fsrs import Card, Scheduler


@lru_cache(maxsize=16)
def scheduler(kind: str, retention: float = DEFAULT_RETENTION, fuzz: bool = True) -> Scheduler:
    """The fsrs Scheduler for a kind of card (see the module's docstring)."""
    from fsrs import Scheduler

    if kind == HIGHLIGHT:
        return Scheduler(desired_retention=retention, learning_steps=(), relearning_steps=(),
                         enable_fuzzing=fuzz)
    return Scheduler(desired_retention=retention, enable_fuzzing=fuzz)


@dataclass(frozen=True)
class CardState:
    """A card's scheduling, as stored in its row (state None: new)."""

    state: int | None = None
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: str | None = None
    last_review: str | None = None

    @property
    def new(self) -> bool:
        return self.state is None

    def fsrs_card(self, card_id: int, now: datetime) -> Card:
        """The fsrs library's Card for this state (a new one, due now, when new)."""
        from fsrs import Card, State

        if self.state is None:
            return Card(card_id=card_id, state=State.Learning, step=0, due=now)
        return Card(card_id=card_id, state=State(self.state), step=self.step,
                    stability=self.stability, difficulty=self.difficulty,
                    due=parse_stamp(self.due) if self.due else now,
                    last_review=parse_stamp(self.last_review) if self.last_review else None)

    @classmethod
    def of(cls, card: Card) -> CardState:
        return cls(int(card.state), card.step, card.stability, card.difficulty, stamp(card.due),
                   stamp(card.last_review) if card.last_review else None)

    def columns(self) -> dict[str, Any]:
        return {"state": self.state, "step": self.step, "stability": self.stability,
                "difficulty": self.difficulty, "due": self.due, "last_review": self.last_review}

    def to_json(self, card_id: int) -> str | None:
        """The fsrs library's card JSON (None for a new card, which the library never saw)."""
        if self.state is None:
            return None
        return json.dumps({"card_id": card_id, "state": self.state, "step": self.step,
                           "stability": self.stability, "difficulty": self.difficulty,
                           "due": self.due, "last_review": self.last_review})

    @classmethod
    def from_json(cls, text: str | None) -> CardState:
        if not text:
            return cls()
        from fsrs import Card

        return cls.of(Card.from_json(text))


def review(kind: str, state: CardState, card_id: int, rating: int, now: datetime,
           retention: float = DEFAULT_RETENTION) -> CardState:
    """The card's state after a grade (1-4) given at `now`, by the fsrs library."""
    from fsrs import Rating

    card, _log = scheduler(kind, retention).review_card(
        state.fsrs_card(card_id, now), Rating(rating), now)
    return CardState.of(card)


def preview(kind: str, state: CardState, card_id: int, now: datetime,
            retention: float = DEFAULT_RETENTION) -> dict[int, timedelta]:
    """How long until the card would be due again after each grade, without fuzz (what
    the grade buttons show; the grade itself may land a day or two either side)."""
    from fsrs import Rating

    plain = scheduler(kind, retention, fuzz=False)
    card = state.fsrs_card(card_id, now)
    return {rating: plain.review_card(card, Rating(rating), now)[0].due - now
            for rating in RATINGS}


def interval_text(delta: timedelta) -> str:
    """A time until due, short: "10 min", "5 h", "3 d", "2 mo", "1.5 y"."""
    minutes = delta.total_seconds() / 60
    if minutes < 60:
        return f"{max(1, round(minutes))} min"
    if minutes < 60 * 24:
        return f"{round(minutes / 60)} h"
    days = minutes / (60 * 24)
    if days < 31:
        return f"{round(days)} d"
    if days < 365:
        return f"{round(days / 30.4)} mo"
    years = days / 365
    return f"{years:.1f} y".replace(".0 y", " y")
