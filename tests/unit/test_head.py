"""Title, author and date read from an article's head."""

from __future__ import annotations

import pytest

from reader.document.model import HEADING, LINE_BREAK, PARAGRAPH, Block, Span
from reader.importing.head import format_date, parse_author, parse_date, split_head


@pytest.mark.parametrize(
    "written",
    ["7 August 2024", "August 7, 2024", "2024-08-07", "Aug 7, 2024", "7 Aug 2024",
     "Wednesday, 7 August 2024", "Published on August 7, 2024", "Updated: 7 August 2024",
     "2024-08-07T09:30:00Z", "07/08/2024", "7. August 2024"],
)
def test_common_date_forms_become_iso(written):
    assert parse_date(written) == "2024-08-07"


@pytest.mark.parametrize(
    "line",
    ["Clara Weiss", "In 2024 the war went on", "The year 1990", "2024-13-45", "Hello world 2024",
     "", "Chapter 7, 2024 edition of the report that runs on and on"],
)
def test_lines_that_are_not_only_a_date(line):
    assert parse_date(line) is None


@pytest.mark.parametrize(
    ("line", "author"),
    [("Clara Weiss", "Clara Weiss"), ("By Clara Weiss", "Clara Weiss"),
     ("by john smith", "john smith"), ("Jean-Paul de Vries and Ana Lopez", "Jean-Paul de Vries and Ana Lopez"),
     ("Written by J. R. Hartley", "J. R. Hartley")],
)
def test_bylines(line, author):
    assert parse_author(line) == author


@pytest.mark.parametrize(
    "line",
    ["The Ukrainian military", "Early Tuesday morning, Ukrainian forces launched",
     "Kursk", "It ended.", "Room 101"],
)
def test_not_bylines(line):
    assert parse_author(line) is None


def test_format_date_is_the_same_everywhere():
    assert format_date("2024-08-07") == "7 August 2024"
    assert format_date(None) == ""


def _para(text: str) -> Block:
    return Block(PARAGRAPH, (Span(text),))


def test_split_head_title_byline_and_date_on_separate_lines():
    blocks = [Block(HEADING, (Span("A Title"),), level=1),
              _para(f"Ana Lopez{LINE_BREAK}August 7, 2024"), _para("Body text.")]
    head, body = split_head(blocks)
    assert (head.title, head.author, head.published) == ("A Title", "Ana Lopez", "2024-08-07")
    assert [b.text for b in body] == ["Body text."]


def test_split_head_byline_and_date_in_separate_paragraphs_and_one_line():
    head, body = split_head([_para("Plain title"), _para("By Ana Lopez | 7 Aug 2024"), _para("Body.")])
    assert (head.title, head.author, head.published) == ("Plain title", "Ana Lopez", "2024-08-07")
    head, body = split_head([_para("Plain title"), _para("Ana Lopez"), _para("2024-08-07"), _para("Body.")])
    assert (head.author, head.published) == ("Ana Lopez", "2024-08-07")
    assert [b.text for b in body] == ["Body."]


def test_split_head_leaves_a_body_that_starts_at_once():
    head, body = split_head([Block(HEADING, (Span("Title"),), level=1),
                             _para("The war began in 2022 and has not ended.")])
    assert (head.author, head.published) == ("", None)
    assert len(body) == 1


def _dateutil(line: str) -> str | None:
    from datetime import datetime

    from dateutil import parser

    try:
        return parser.parse(line, default=datetime(2000, 1, 1), dayfirst=True).date().isoformat()
    except (ValueError, OverflowError):
        return None


def test_the_quick_path_for_written_dates_agrees_with_dateutil():
    """"7 August 2024" and "August 7, 2024" are read without dateutil (it is slow to
    import, and opening an article parses its head); the result must be the same."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from reader.importing.head import _MONTHS, _plain_date

    months = st.sampled_from([m for m in _MONTHS] + [m[:3] for m in _MONTHS]
                             + [m.upper() for m in _MONTHS] + ["Sept", "Sep."])
    weekdays = st.sampled_from(["", "Wednesday, ", "Wed ", "mon, ", "Thursday "])

    @settings(max_examples=400, deadline=None)
    @given(st.integers(1, 31), months, st.integers(1900, 2100), weekdays,
           st.sampled_from(["", "th", "st"]), st.booleans(), st.booleans())
    def agree(day, month, year, weekday, suffix, day_first, comma):
        line = (f"{weekday}{day}{suffix} {month}{',' if comma else ''} {year}" if day_first
                else f"{weekday}{month} {day}{suffix}{',' if comma else ''} {year}")
        fast = _plain_date(line)
        if fast is not None:
            assert fast == _dateutil(line), line
        assert parse_date(line) == _dateutil(line), line

    agree()
    assert _plain_date("7 August 2024") == "2024-08-07"
    assert _plain_date("Foo 7 August 2024") is None
