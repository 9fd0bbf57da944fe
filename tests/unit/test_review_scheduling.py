"""Scheduling by FSRS: a scripted month of reviews with a moved clock gives the due dates
the fsrs library computes itself for the same grades at the same moments.

The month is played through the library (queue, session, grades, the clock moved a few
minutes per card and a day at a time); every grade given is recorded. The same grades
are then given to fsrs Cards directly, in the same order and at the same moments, with
the scheduler configuration the review documents (plain highlights without learning
steps, mastery cards with the library's). Python's random generator is seeded the same
before each run, so the library's interval fuzz draws the same numbers.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler

from reader.importing.parsing import MARKDOWN
from reader.importing.sources import parse_article
from reader.review import Clock, Gap, Limits, ReviewSession
from reader.review.clock import parse_stamp


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

START = datetime(2025, 3, 3, 8, 30, tzinfo=timezone.utc)
SEED = 20250303
ARTICLE = "# Notes\n\n" + "\n\n".join(
    f"Paragraph {n} says something worth remembering about topic {n}." for n in range(12))


def _library_with_highlights(library, count: int) -> list[int]:
    article_id = library.articles.add(parse_article(ARTICLE, MARKDOWN, "notes.md"))
    text = library.articles.text(article_id)
    ids = []
    for n in range(count):
        start = text.index(f"Paragraph {n} ")
        end = text.index(".", start) + 1
        ids.append(library.highlights.create(article_id, start, end).highlight_id)
    return ids


def _grade_for(highlight_id: int, review_number: int, cloze: int = 0) -> int:
    """A scripted grade: mostly Good, with Again, Hard and Easy mixed in."""
    if highlight_id == cloze:  # forgotten at once, and again later: learning steps
        return (1, 3, 3, 3, 1, 3, 3, 4)[review_number % 8]
    return (3, 3, 1, 3, 2, 4, 3, 1, 3, 3, 4, 2)[(highlight_id * 5 + review_number) % 12]


def test_a_month_of_reviews_matches_the_fsrs_library(library):
    ids = _library_with_highlights(library, 12)
    cloze = ids[-1]  # the newest: seen on the first day
    library.review.set_cloze(cloze, [Gap(0, 12)])  # "Paragraph 0" hidden: learning steps
    clock = Clock(START, tz=timezone.utc)
    library.review.clock = clock
    grades: list[tuple[int, int, datetime]] = []
    queued: list[tuple[datetime, set[int]]] = []
    counts: dict[int, int] = {}
    random.seed(SEED)
    for day in range(30):
        clock.set(START + timedelta(days=day))
        queue = library.review.queue(limits=Limits(new=3, due=50))
        queued.append((clock.now(), {item.highlight_id for item in queue.items}))
        session = ReviewSession(library.review, queue)
        while session.current is not None:
            clock.advance(minutes=4)
            highlight_id = session.current.highlight_id
            rating = _grade_for(highlight_id, counts.get(highlight_id, 0), cloze)
            counts[highlight_id] = counts.get(highlight_id, 0) + 1
            session.grade(rating)
            grades.append((highlight_id, rating, clock.now()))
    assert len(grades) > 45  # a real month: every card seen, most several times
    assert set(counts) == set(ids) and max(counts.values()) >= 5
    assert any(h == cloze and r == 1 for h, r, _ in grades)

    # The same grades, given to the fsrs library directly.
    plain = Scheduler(learning_steps=(), relearning_steps=())
    mastery = Scheduler()
    cards: dict[int, Card] = {}
    dues: list[datetime] = []
    random.seed(SEED)
    for highlight_id, rating, moment in grades:
        card = cards.get(highlight_id) or Card(card_id=highlight_id, due=moment)
        scheduler = mastery if highlight_id == cloze else plain
        cards[highlight_id], _log = scheduler.review_card(card, Rating(rating), moment)
        dues.append(cards[highlight_id].due)

    for highlight_id, card in cards.items():
        stored = library.review.card(highlight_id).state
        assert parse_stamp(stored.due) == card.due, highlight_id
        assert stored.stability == card.stability
        assert stored.difficulty == card.difficulty
        assert stored.state == int(card.state)
        assert parse_stamp(stored.last_review) == card.last_review
    # Each day's queue held exactly the cards the library's own due dates make due that
    # day (and the new cards the limit let in).
    seen: dict[int, datetime] = {}
    replay = iter(zip(grades, dues, strict=True))
    pending = next(replay, None)
    for moment, queued_ids in queued:
        day_end = clock.day_end(clock.day_of(moment))
        while pending is not None and pending[0][2] < moment:
            (highlight_id, _rating, _at), due = pending
            seen[highlight_id] = due
            pending = next(replay, None)
        due_now = {h for h, due in seen.items() if due < day_end}
        assert due_now <= queued_ids
        assert len(queued_ids - due_now) <= 3  # the new cards
        assert all(h not in seen for h in queued_ids - due_now)


def test_the_scheduler_state_before_and_after_each_grade_is_logged(library):
    (highlight_id,) = _library_with_highlights(library, 1)
    library.review.clock = Clock(START, tz=timezone.utc)
    first = library.review.grade(highlight_id, 3)
    library.review.clock.advance(days=3)
    second = library.review.grade(highlight_id, 4)
    rows = library.storage.rows(
        "SELECT rating, reviewed_at, day, previous_state, card_before, card_after"
        " FROM review_log ORDER BY id")
    assert [r[0] for r in rows] == [3, 4]
    assert rows[0][1] == "2025-03-03T08:30:00+00:00" and rows[0][2] == "2025-03-03"
    assert rows[0][3] is None and rows[0][4] is None  # new: the library never saw it
    after_first = Card.from_json(rows[0][5])
    assert after_first.due == parse_stamp(first.state.due)
    assert Card.from_json(rows[1][4]).due == after_first.due  # before = the previous after
    assert Card.from_json(rows[1][5]).due == parse_stamp(second.state.due)
    assert rows[1][3] == 2  # it was in review


def test_a_plain_highlight_comes_back_on_a_later_day_whatever_the_grade(library):
    ids = _library_with_highlights(library, 4)
    library.review.clock = Clock(START, tz=timezone.utc)
    for highlight_id, rating in zip(ids, (1, 2, 3, 4), strict=True):
        result = library.review.grade(highlight_id, rating)
        assert not result.again_today
        assert parse_stamp(result.state.due) >= START + timedelta(days=1)
    assert library.review.queue().items == ()


def test_a_forgotten_cloze_card_comes_back_in_the_same_session(library):
    ids = _library_with_highlights(library, 3)
    library.review.set_cloze(ids[0], [Gap(0, 9)])
    library.review.clock = Clock(START, tz=timezone.utc)
    session = ReviewSession(library.review, library.review.queue())
    order = []
    while session.current is not None and len(order) < 10:
        order.append(session.current.highlight_id)
        session.grade(1 if order.count(ids[0]) == 1 and order[-1] == ids[0] else 3)
        library.review.clock.advance(minutes=5)
    assert order.count(ids[0]) >= 2  # Again on a learning card: seen again today
