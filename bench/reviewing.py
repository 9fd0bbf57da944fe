"""The daily review at scale: today's queue from 50,000 highlights, 20,000 with history.

Run inside the session probe (bench.session). The library's highlights are topped up to
50,000 (plain SQL inserts spread over its articles), and 20,000 of them get a review
card in the Review state, due from two months ago to two months ahead (about half due
today), with a grade or two each in the log over the last twelve weeks. Then:

- the core: `library.review.queue()` with the default limits (10 new, 50 due), the
  whole library and one tag as scope, beside a floor measured in the same run: the
  plain SQL of the due query and of the new query (no scope, no skip tag) on a raw
  sqlite3 connection;
- the window: R until the review's start screen shows today's count and the chart
  (the screen made on the first open, then shown again), and Space until the first
  card is painted. The sidebar's Review entry counts today's queue in a worker after
  every change, and the screen starts from that count; the same open is also timed
  with the queue counted again on the way (as when a change is still being counted).

Everything added is deleted again afterwards, so the library is as it was.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timezone

HIGHLIGHTS = 50_000
WITH_HISTORY = 20_000
OPEN_LABEL = "open the review (start screen with counts and chart)"
CARD_LABEL = "begin the review (first card painted)"
CORE_LABEL = "review queue (core, timed on the UI thread)"

FLOOR_DUE = ("SELECT highlight_id FROM review_card WHERE retired = 0 AND due < ? AND state = 2"
             " ORDER BY due LIMIT 50")
FLOOR_NEW = ("SELECT id FROM highlight WHERE id NOT IN (SELECT highlight_id FROM review_card"
             " WHERE state IS NOT NULL OR retired = 1) ORDER BY id DESC LIMIT 10")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def populate(library) -> dict:
    """Top the highlights up to HIGHLIGHTS and give WITH_HISTORY of them a review history;
    returns the marks to delete them by (see `remove`)."""
    storage = library.storage
    rows = storage.rows("SELECT (SELECT coalesce(max(id), 0) FROM highlight),"
                        " (SELECT count(*) FROM highlight),"
                        " (SELECT coalesce(max(id), 0) FROM review_card),"
                        " (SELECT coalesce(max(id), 0) FROM review_log)")
    highlight_mark, existing, card_mark, log_mark = rows[0]
    missing = max(0, HIGHLIGHTS - existing)
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    with storage.write():
        db = storage.database
        # New highlights on the first 2,000 articles, a sentence-sized passage each.
        db.execute_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?),"
            " a(rn, id) AS (SELECT row_number() OVER (ORDER BY id), id FROM"
            " (SELECT id FROM article ORDER BY id LIMIT 2000))"
            " INSERT INTO highlight (article_id, start, \"end\", exact, prefix, suffix, colour,"
            " note, orphaned, created_at, updated_at)"
            " SELECT a.id, 0, 40, 'A passage kept for the review benchmark, number ' || n.i,"
            " '', '', 'yellow', '', 0, ?, ?"
            " FROM n JOIN a ON a.rn = (n.i % (SELECT count(*) FROM a)) + 1",
            (missing, _stamp(now), _stamp(now)))
        # Cards for WITH_HISTORY of them (every other one of the newest), due from 60
        # days ago to 60 days ahead, and one or two grades each in the last 12 weeks.
        db.execute_sql(
            "INSERT INTO review_card (highlight_id, kind, state, step, stability, difficulty,"
            " due, last_review, created_at)"
            " SELECT id, 'highlight', 2, NULL, 1 + (id % 90), 1 + (id % 9),"
            " strftime('%Y-%m-%dT%H:%M:%S+00:00', ?, ((id * 7919) % 120 - 60) || ' days'),"
            " strftime('%Y-%m-%dT%H:%M:%S+00:00', ?, '-' || (id % 80 + 2) || ' days'), ?"
            " FROM (SELECT id FROM highlight WHERE id NOT IN (SELECT highlight_id FROM"
            " review_card) ORDER BY id DESC LIMIT ?)",
            (_stamp(now), _stamp(now), _stamp(now), WITH_HISTORY))
        db.execute_sql(
            "INSERT INTO review_log (card_id, highlight_id, rating, reviewed_at, day,"
            " previous_state, card_before, card_after)"
            " SELECT c.id, c.highlight_id, 1 + (c.id % 4), c.last_review,"
            " substr(c.last_review, 1, 10), CASE WHEN g.k = 1 THEN NULL ELSE 2 END, NULL, '{}'"
            " FROM review_card c JOIN (SELECT 1 AS k UNION ALL SELECT 2) g"
            " ON g.k = 1 OR c.id % 3 = 0 WHERE c.id > ?", (card_mark,))
    counts = storage.rows("SELECT (SELECT count(*) FROM highlight),"
                          " (SELECT count(*) FROM review_card),"
                          " (SELECT count(*) FROM review_log)")[0]
    return {"highlight_mark": highlight_mark, "card_mark": card_mark, "log_mark": log_mark,
            "highlights": counts[0], "cards": counts[1], "log_rows": counts[2],
            "populate_ms": (time.perf_counter() - started) * 1000}


def remove(library, marks: dict) -> None:
    with library.storage.write():
        db = library.storage.database
        db.execute_sql("DELETE FROM review_log WHERE id > ?", (marks["log_mark"],))
        db.execute_sql("DELETE FROM review_card WHERE id > ?", (marks["card_mark"],))
        db.execute_sql("DELETE FROM highlight WHERE id > ?", (marks["highlight_mark"],))


def measure(session) -> dict:
    from reader.review import Limits

    library, window = session.library, session.window
    marks = populate(library)
    window.review_entry.refresh()  # what the window does after a change it is told of
    session._wait(lambda: window.review_entry.loading, 30)
    out: dict = {**marks, "core_ms": [], "core_tag_ms": [], "floor_ms": [], "open_ms": [],
                 "open_counting_ms": [], "card_ms": []}
    tag_rows = library.storage.rows(
        "SELECT t.name FROM article_tag at JOIN tag t ON t.id = at.tag_id GROUP BY t.id"
        " ORDER BY count(*) DESC LIMIT 1")
    tag = tag_rows[0][0] if tag_rows else None
    raw = sqlite3.connect(f"file:{session.args['db']}?mode=ro", uri=True)
    review = library.review
    try:
        for _ in session.repetitions(max(session.reps, 5)):
            started = time.perf_counter()
            queue = review.queue(limits=Limits(10, 50))
            out["core_ms"].append((time.perf_counter() - started) * 1000)
            if tag:
                started = time.perf_counter()
                tagged = review.queue(f'tag:"{tag}"', Limits(10, 50))
                out["core_tag_ms"].append((time.perf_counter() - started) * 1000)
                out["tag_queue"] = {"tag": tag, "due": tagged.due_count, "new": tagged.new_count}
            end = review.clock.day_end().isoformat()
            started = time.perf_counter()
            raw.execute(FLOOR_DUE, (end,)).fetchall()
            raw.execute(FLOOR_NEW).fetchall()
            out["floor_ms"].append((time.perf_counter() - started) * 1000)
        out["queue"] = {"due": queue.due_count, "new": queue.new_count,
                        "due_total": queue.due_total}
        # The window: R until the start screen shows the counts and the chart.
        for rep in session.repetitions(max(session.reps, 3)):
            def open_review() -> None:
                window.cmd_review_start()
                window.review_screen.wait()
                session.app.processEvents()
                window.review_screen.repaint()

            out["open_ms"].append(session.timed(OPEN_LABEL, open_review))
            if rep == 0:
                out["first_open_ms"] = out["open_ms"][-1]  # the screen made on the way

            def first_card() -> None:
                window.review_screen.cmd_review_continue()
                session.app.processEvents()
                window.review_screen.repaint()

            out["card_ms"].append(session.timed(CARD_LABEL, first_card))
            window.review_screen.session = None  # no grade given: start afresh
            window.leave_review()
            session._wait(lambda: window.review_entry.loading, 30)
            window.review_entry._counted = None  # as if a change were being counted
            out["open_counting_ms"].append(session.timed(OPEN_LABEL, open_review))
            window.leave_review()
            session._wait(lambda: window.review_entry.loading, 30)
    finally:
        raw.close()
        if window.reviewing:
            window.leave_review()
        remove(library, marks)
        window.review_entry.refresh()
        session._wait(lambda: window.review_entry.loading, 30)
    return out
