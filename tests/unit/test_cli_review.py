"""`marginalia review`: today's count and streak, and `--due` (text or JSON) at any day."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from reader.cli.main import main
from reader.importing.parsing import MARKDOWN
from reader.importing.sources import parse_article
from reader.library import Library
from reader.paths import config_dir
from reader.review import Clock

MONDAY = date(2025, 6, 2)


@pytest.fixture
def location(any_library_location):
    """Every test here runs on a SQLite file and on PostgreSQL (the --db it is given)."""
    return any_library_location


@pytest.fixture
def db(location):
    """Three highlights; the first graded Again on Monday at noon (local time), so due
    on Tuesday."""
    with Library.open(location) as library:
        article_id = library.articles.add(parse_article(
            "# Bridges\n\nOne bridge was old. Two bridges were new. Three were planned.",
            MARKDOWN, "b.md"))
        text = library.articles.text(article_id)
        ids = []
        for words, colour in (("One bridge was old.", "yellow"),
                              ("Two bridges were new.", "green"),
                              ("Three were planned.", "yellow")):
            start = text.index(words)
            ids.append(library.highlights.create(article_id, start, start + len(words),
                                                 colour).highlight_id)
        library.review.clock = Clock(datetime(2025, 6, 2, 12, 0))
        library.review.grade(ids[0], 1)
    return location, ids


def test_due_lists_todays_cards_as_json_on_any_day(db, capsys):
    path, ids = db
    assert main(["--db", path, "review", "--due", "--json", "--today", "2025-06-03"]) == 0
    cards = json.loads(capsys.readouterr().out)
    assert [c["highlight_id"] for c in cards] == [ids[0], ids[2], ids[1]]  # due, then new
    first = cards[0]
    assert first["due"] == "2025-06-03" and first["new"] is False and first["reviews"] == 1
    assert first["quote"] == "One bridge was old." and first["article_title"] == "Bridges"
    assert first["kind"] == "highlight" and first["question"] is None
    assert cards[1]["new"] is True and cards[1]["due"] is None
    # On Monday itself, the graded card is not due again yet.
    assert main(["--db", path, "review", "--due", "--json", "--today", "2025-06-02"]) == 0
    assert [c["highlight_id"] for c in json.loads(capsys.readouterr().out)] == [ids[2], ids[1]]


def test_due_as_text_and_a_scope(db, capsys):
    path, ids = db
    assert main(["--db", path, "review", "--due", "--today", "2025-06-03",
                 "--scope", "colour:green"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "1 highlight to review today: 0 due, 1 new."
    assert lines[1].split("\t") == [str(ids[1]), "new", "highlight", "Bridges",
                                    "Two bridges were new."]


def test_the_summary_says_counts_streak_and_tomorrow(db, capsys):
    path, _ids = db
    assert main(["--db", path, "review", "--today", "2025-06-02"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "2 highlights to review today: 0 due, 2 new (up to 10 new and 50 due a day).",
        "Reviewed today: 1; streak: 1 day; 1 reviews in 12 weeks; 1 due tomorrow."]
    assert main(["--db", path, "review", "--json", "--today", "2025-06-04"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["day"] == "2025-06-04" and summary["due"] == 1 and summary["new"] == 2
    assert summary["streak"] == 0 and summary["reviews_12_weeks"] == 1


def test_the_limits_come_from_the_settings_file(db, capsys):
    path, ids = db
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.toml").write_text("review_new_per_day = 1\n", encoding="utf-8")
    assert main(["--db", path, "review", "--due", "--json", "--today", "2025-06-03"]) == 0
    assert [c["highlight_id"] for c in json.loads(capsys.readouterr().out)] == [ids[0], ids[2]]


def test_a_bad_day_is_refused(db, capsys):
    path, _ids = db
    with pytest.raises(SystemExit) as stopped:
        main(["--db", path, "review", "--today", "June 3rd"])
    assert stopped.value.code == 2
    assert "a date is written YYYY-MM-DD" in capsys.readouterr().err


def test_nothing_to_review_in_an_empty_library(location, capsys):
    assert main(["--db", location, "review", "--due"]) == 0
    assert capsys.readouterr().out.strip() == "Nothing to review today."
