"""A SIGKILL right after a grade keeps it: every grade the core acknowledged is in the
library after the process is killed, with the card's state in step with its log.

A subprocess (review_grader.py) grades cards through the core and prints each grade as
soon as `library.review.grade` returns; the test kills it with SIGKILL the moment it has
read a chosen number of grades (the writer is then usually inside its next grade's
transaction), again and again on the same file.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGKILL")

GRADER = Path(__file__).with_name("review_grader.py")
ROUNDS = 8
SEED = int(os.environ.get("MARGINALIA_CRASH_SEED", "20250602"))
STARTUP_LIMIT = 60.0


def _grade_then_kill(library_path: Path, grades: int) -> list[tuple[int, int, int]]:
    """Start a grader, read `grades` acknowledged grades, SIGKILL it at once."""
    process = subprocess.Popen([sys.executable, str(GRADER), str(library_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acknowledged = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("graded "):
                _word, highlight_id, log_id, rating = line.split()
                acknowledged.append((int(highlight_id), int(log_id), int(rating)))
                if len(acknowledged) >= grades:
                    break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(STARTUP_LIMIT)
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    return acknowledged


def test_a_sigkill_right_after_a_grade_keeps_it(tmp_path):
    print(f"review crash seed {SEED} (set MARGINALIA_CRASH_SEED={SEED} to repeat)")
    rng = random.Random(SEED)
    library_path = tmp_path / "library.sqlite3"
    acknowledged: list[tuple[int, int, int]] = []
    for _round in range(ROUNDS):
        acknowledged += _grade_then_kill(library_path, rng.randint(1, 25))
    conn = sqlite3.connect(library_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        logged = {row[0]: row[1:] for row in conn.execute(
            "SELECT id, highlight_id, rating FROM review_log")}
        latest = conn.execute(
            "SELECT c.state, c.stability, c.difficulty, c.due, l.card_after FROM review_card c"
            " JOIN review_log l ON l.id = (SELECT max(id) FROM review_log WHERE card_id = c.id)"
        ).fetchall()
    finally:
        conn.close()
    lost = [grade for grade in acknowledged if logged.get(grade[1]) != grade[::2]]
    assert not lost, f"seed {SEED}: acknowledged grades missing or changed: {lost}"
    # At most one grade per round committed after its acknowledgement was cut short.
    assert len(logged) - len(acknowledged) <= ROUNDS
    # A card's state and its log's newest row were written together, or not at all.
    for state, stability, difficulty, due, after in latest:
        card = json.loads(after)
        assert (state, stability, difficulty, due) == (
            card["state"], card["stability"], card["difficulty"], card["due"])
