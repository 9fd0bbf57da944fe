"""`library.review`: the daily review of highlights, scheduled by FSRS.

Each grade is one write transaction, committed before the call returns: the card's new
state and the log row (grade, time, the scheduler's state before and after) together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from reader.annotations.highlights import HighlightManager
from reader.review import queue as queue_sql
from reader.review.cards import (
    CONTEXT_WINDOW,
    DEFAULT_SKIP_TAG,
    HISTORY_DAYS,
    GradeResult,
    Limits,
    ReviewCard,
    ReviewHistory,
    ReviewOptions,
    ReviewOverview,
    context_after,
    context_before,
    gaps_from_json,
    gaps_to_json,
)
from reader.review.clock import Clock, parse_stamp, stamp
from reader.review.scheduling import (
    CLOZE,
    DEFAULT_RETENTION,
    HIGHLIGHT,
    KINDS,
    QUESTION,
    RATINGS,
    CardState,
    preview,
    review,
)
from reader.storage.database import LibraryError, Storage

_STATE_COLUMNS = "state, step, stability, difficulty, due, last_review"


class ReviewManager:
    """Cards, grades and history of the daily review over one library.

    `clock` is where every "now" comes from (tests and `--today` move it);
    `retention` the share of cards the scheduler aims to have remembered when due."""

    def __init__(self, store: Storage, query: Any, highlights: HighlightManager,
                 clock: Clock | None = None) -> None:
        self._store = store
        self._query = query
        self._highlights = highlights
        self.clock = clock or Clock()
        self.retention = DEFAULT_RETENTION

    # --- the queue --------------------------------------------------------------------------
    def queue(self, scope: str = "", limits: Limits = Limits(),
              skip_tag: str = DEFAULT_SKIP_TAG, order: str = "newest") -> queue_sql.ReviewQueue:
        """Today's cards, in the order to show them (see ReviewQueue): in the scope (a
        query, "" for the whole library), without articles or highlights tagged
        `skip_tag`, within the day's limits less what was graded today already."""
        return queue_sql.build(self._store, self._query, self.clock, scope, limits, skip_tag,
                               order)

    def today(self, options: ReviewOptions) -> queue_sql.ReviewQueue:
        """Today's queue as the user's options have it (their retention applies from now)."""
        self.retention = options.retention
        return self.queue(options.scope, options.limits, options.skip_tag, options.order)

    def due_tomorrow(self, scope: str = "", skip_tag: str = DEFAULT_SKIP_TAG) -> int:
        """Cards of the scope falling due during the next review day."""
        today = self.clock.today()
        return queue_sql.due_between(self._store, self._query, self.clock.day_end(today),
                                     self.clock.day_end(today + timedelta(days=1)), scope,
                                     skip_tag)

    # --- one card ---------------------------------------------------------------------------
    def card(self, highlight_id: int) -> ReviewCard:
        """The highlight as the review shows it: the passage with a sentence of context
        on each side, its article, its card. LibraryError if it is gone."""
        record = self._highlights.get(highlight_id)
        before_from = max(0, record.start - CONTEXT_WINDOW)
        rows = self._store.rows(
            "SELECT title, author, publication, published, substr(text, ?, ?),"
            " substr(text, ?, ?) FROM article WHERE id = ?",
            (before_from + 1, record.start - before_from, record.end + 1, CONTEXT_WINDOW,
             record.article_id))
        if not rows:
            raise LibraryError(f"There is no article with id {record.article_id}.")
        title, author, publication, published, before, after = rows[0]
        if record.orphaned:  # not placed in the current text: the words kept around it
            before, after = record.prefix, record.suffix
        tags = tuple(r[0] for r in self._store.rows(
            "SELECT t.name FROM article_tag at JOIN tag t ON t.id = at.tag_id"
            " WHERE at.article_id = ? ORDER BY t.name", (record.article_id,)))
        card_row = self._card_row(highlight_id)
        kind, gaps, question, card_id, state, retired = HIGHLIGHT, (), "", None, CardState(), False
        reviews = lapses = 0
        if card_row is not None:
            card_id, kind, cloze, question, retired = card_row[:5]
            state = CardState(*card_row[5:])
            gaps = gaps_from_json(record.exact, cloze)
            reviews, lapses = self._store.rows(
                "SELECT count(*), count(CASE WHEN rating = 1 AND previous_state = 2 THEN 1 END)"
                " FROM review_log WHERE card_id = ?", (card_id,))[0]
        return ReviewCard(record, title, author, publication, published, tags,
                          context_before(before), context_after(after), kind, gaps, question,
                          card_id, state, bool(retired), reviews, lapses)

    def intervals(self, card: ReviewCard) -> dict[int, timedelta]:
        """How long until the card is due again after each grade (unfuzzed)."""
        return preview(card.kind, card.state, card.card_id or 0, self.clock.now(),
                       self.retention)

    # --- grading ----------------------------------------------------------------------------
    def grade(self, highlight_id: int, rating: int,
              duration_ms: int | None = None) -> GradeResult:
        """Grade a card 1-4 (Again, Hard, Good, Easy) now; a highlight without a card
        becomes a new card first. Committed before it returns."""
        if rating not in RATINGS:
            raise ValueError(f"a grade is 1, 2, 3 or 4 ({', '.join(RATINGS.values())}), "
                             f"not {rating!r}")
        now = self.clock.now()
        with self._store.write():
            self._check_highlight(highlight_id)
            card_id = self._ensure_card(highlight_id)
            row = self._card_row(highlight_id)
            kind, before = row[1], CardState(*row[5:])
            after = review(kind, before, card_id, rating, now, self.retention)
            self._set_state(card_id, after)
            log = self._store.models.ReviewLog.insert(
                card=card_id, highlight_id=highlight_id, rating=rating, reviewed_at=stamp(now),
                day=self.clock.today().isoformat(), previous_state=before.state,
                card_before=before.to_json(card_id), card_after=after.to_json(card_id),
                duration_ms=duration_ms).execute()
        again = after.due is not None and parse_stamp(after.due) < self.clock.day_end()
        return GradeResult(log, highlight_id, rating, after, again)

    def undo_grade(self, log_id: int | None = None) -> int | None:
        """Take back a grade (the last one given, by default): the card returns to its
        state before it and the log row goes. Returns the highlight's id (None when
        there was nothing to undo). Refused (LibraryError) when the card has been graded
        again since: only a card's latest grade can be taken back."""
        with self._store.write():
            if log_id is None:
                found = self._store.rows("SELECT max(id) FROM review_log")
                log_id = found[0][0]
                if log_id is None:
                    return None
            rows = self._store.rows(
                "SELECT card_id, highlight_id, card_before, (SELECT max(id) FROM review_log"
                " l2 WHERE l2.card_id = l.card_id) FROM review_log l WHERE id = ?", (log_id,))
            if not rows:
                return None
            card_id, highlight_id, before, latest = rows[0]
            if latest != log_id:
                raise LibraryError("That card was graded again since; only its latest grade "
                                   "can be taken back.")
            self._set_state(card_id, CardState.from_json(before))
            self._store.run("DELETE FROM review_log WHERE id = ?", (log_id,))
        return highlight_id

    def retire(self, highlight_id: int, retired: bool = True) -> None:
        """Never show this highlight in the review again (or, with False, show it again)."""
        with self._store.write():
            self._check_highlight(highlight_id)
            card_id = self._ensure_card(highlight_id)
            self._store.run(
                "UPDATE review_card SET retired = ? WHERE id = ?", (int(retired), card_id))

    # --- mastery ----------------------------------------------------------------------------
    def set_cloze(self, highlight_id: int, gaps: Iterable[Any]) -> None:
        """Make the highlight a cloze card hiding these gaps (cards.Gap, offsets into its
        text); no gaps makes it a plain highlight again."""
        record = self._highlights.get(highlight_id)
        stored = gaps_to_json(record.exact, tuple(gaps))
        self._set_kind(highlight_id, CLOZE if stored != "[]" else HIGHLIGHT, cloze=stored)

    def set_question(self, highlight_id: int, question: str) -> None:
        """Make the highlight the answer to a question ("" makes it a plain highlight)."""
        question = " ".join(question.split())
        self._set_kind(highlight_id, QUESTION if question else HIGHLIGHT, question=question)

    def _set_kind(self, highlight_id: int, kind: str, **fields: str) -> None:
        """A plain highlight made into a mastery card starts again as a new card:
        remembering hidden words is another task than recognising a passage. Editing a
        mastery card, or making it plain again, keeps its schedule."""
        assert kind in KINDS
        with self._store.write():
            self._check_highlight(highlight_id)
            card_id = self._ensure_card(highlight_id)
            (old_kind,) = self._store.rows("SELECT kind FROM review_card WHERE id = ?",
                                           (card_id,))[0]
            values = {"kind": kind, "cloze": "", "question": ""}
            if kind != HIGHLIGHT:
                values.update(fields)
            if old_kind == HIGHLIGHT and kind != HIGHLIGHT:
                values.update(CardState().columns())
            sets = ", ".join(f"{name} = ?" for name in values)
            self._store.run(f"UPDATE review_card SET {sets} WHERE id = ?",
                                             (*values.values(), card_id))

    # --- history ----------------------------------------------------------------------------
    def history(self, days: int = HISTORY_DAYS) -> ReviewHistory:
        """Reviews per day over the last `days` review days, and the streak."""
        today = self.clock.today()
        first = today - timedelta(days=days - 1)
        counts = dict(self._store.rows(
            "SELECT day, count(*) FROM review_log WHERE day >= ? AND day <= ? GROUP BY day",
            (first.isoformat(), today.isoformat())))
        series = tuple((first + timedelta(days=n), counts.get((first + timedelta(days=n))
                                                              .isoformat(), 0))
                       for n in range(days))
        return ReviewHistory(series, self._streak(today), sum(counts.values()))

    def _streak(self, today) -> int:
        expected = today
        streak = 0
        for (day,) in self._store.rows(
                "SELECT DISTINCT day FROM review_log WHERE day <= ? ORDER BY day DESC",
                (today.isoformat(),)):
            if day == expected.isoformat():
                streak += 1
                expected -= timedelta(days=1)
            elif streak == 0 and day == (today - timedelta(days=1)).isoformat():
                streak, expected = 1, today - timedelta(days=2)  # today still to do
            else:
                break
        return streak

    def due_dates(self, highlight_ids: Iterable[int]) -> dict[int, str]:
        """Each scheduled highlight's next due date, as the review day (YYYY-MM-DD) it
        comes on; highlights never reviewed, and those retired, are left out."""
        ids = list(highlight_ids)
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for highlight_id, due in self._store.rows(
                    f"SELECT highlight_id, due FROM review_card WHERE highlight_id IN ({marks})"
                    " AND due IS NOT NULL AND retired = 0", chunk):
                found[highlight_id] = self.clock.day_of(parse_stamp(due)).isoformat()
        return found

    def overview(self) -> ReviewOverview:
        """How many highlights there are, how many have been reviewed, how many retired.
        Counted from the indexes alone (a card whose highlight was deleted, kept for
        undo, may be counted)."""
        row = self._store.rows(
            "SELECT (SELECT count(*) FROM highlight),"
            " (SELECT count(*) FROM review_card WHERE retired = 0 AND state IN (1, 2, 3)),"
            " (SELECT count(*) FROM review_card WHERE retired = 1)")[0]
        return ReviewOverview(*row)

    def reviewed(self) -> int:
        """How many grades have been given, ever."""
        return self._store.rows("SELECT count(*) FROM review_log")[0][0]

    # --- internals --------------------------------------------------------------------------
    def _card_row(self, highlight_id: int) -> tuple | None:
        rows = self._store.rows(
            f"SELECT id, kind, cloze, question, retired, {_STATE_COLUMNS} FROM review_card"
            " WHERE highlight_id = ?", (highlight_id,))
        return rows[0] if rows else None

    def _ensure_card(self, highlight_id: int) -> int:
        """The highlight's card id, made (new) if it has none; inside a write."""
        found = self._store.rows("SELECT id FROM review_card WHERE highlight_id = ?",
                                 (highlight_id,))
        if found:
            return found[0][0]
        return self._store.models.ReviewCard.insert(
            highlight_id=highlight_id, created_at=stamp(self.clock.now())).execute()

    def _set_state(self, card_id: int, state: CardState) -> None:
        columns = state.columns()
        sets = ", ".join(f"{name} = ?" for name in columns)
        self._store.run(f"UPDATE review_card SET {sets} WHERE id = ?",
                                         (*columns.values(), card_id))

    def _check_highlight(self, highlight_id: int) -> None:
        if not self._store.rows("SELECT 1 FROM highlight WHERE id = ?", (highlight_id,)):
            raise LibraryError(f"There is no highlight with id {highlight_id}.")
