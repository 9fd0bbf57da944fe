"""Reads an article's title, author and date from the head of its text.

Articles saved from the web start with a title, then a byline and a date in one of
many written forms, on one line or several. This module recognises them so that
they become metadata instead of body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from reader.document.model import HEADING, LINE_BREAK, PARAGRAPH, Block
from reader.importing.dates import MONTHS as _MONTHS
from reader.importing.dates import format_date  # noqa: F401 - its users import it from here

_MONTH_NUMBERS = {name[:3].casefold(): number for number, name in enumerate(_MONTHS, start=1)}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
# The two forms web articles use most, read without dateutil (slow to import, and an
# article's head is parsed again each time it is opened): "7 August 2024", "August 7, 2024".
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_PLAIN_DATES = (
    re.compile(rf"^{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})$", re.IGNORECASE),
    re.compile(rf"^{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})$", re.IGNORECASE),
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.+\-Z]*)?$")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d|2100)\b")
_DATE_PREFIX = re.compile(
    r"^(published|posted|updated|last updated|first published|date|dated)\b[:\s]*(on\b\s*)?",
    re.IGNORECASE,
)
_BY_PREFIX = re.compile(r"^(written\s+)?by\s+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s+[|·•—–]\s+|\s+-\s+")
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.\-]*,?$|^(and|&|de|da|del|der|van|von|la|le|di|du|bin|al)$")
_MAX_HEAD_PARAGRAPHS = 3
_MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class Head:
    title: str = ""
    author: str = ""
    published: str | None = None  # ISO date


def _plain_date(line: str) -> str | None:
    for pattern in _PLAIN_DATES:
        found = pattern.match(line)
        if not found:
            continue
        word = found.group("month").casefold()
        month = _MONTH_NUMBERS.get(word[:3])
        if month is None or not (_MONTHS[month - 1].casefold().startswith(word)
                                 or word == "sept"):
            return None  # not a month name: dateutil decides
        try:
            return date(int(found.group("year")), month, int(found.group("day"))).isoformat()
        except ValueError:
            return None
    return None


def parse_date(text: str) -> str | None:
    """ISO date (YYYY-MM-DD) of a short line that is only a date, else None."""
    line = _DATE_PREFIX.sub("", text.strip()).strip(" .,")
    if not line or len(line) > 40 or not _YEAR.search(line):
        return None
    if re.search(r"[A-Za-z]{2,}", line) and not _has_month_word(line):
        return None
    iso = _ISO_DATE.match(line)
    if iso:
        try:
            return date(*map(int, iso.groups())).isoformat()
        except ValueError:
            return None
    plain = _plain_date(line)
    if plain is not None:
        return plain
    try:
        # Numeric dates like 07/08/2024 are read day first, as most of the world writes them.
        from dateutil import parser as date_parser  # only when importing: slow to load

        parsed = date_parser.parse(line, default=datetime(2000, 1, 1), dayfirst=True)
    except (ValueError, OverflowError):
        return None
    return parsed.date().isoformat()


def _has_month_word(line: str) -> bool:
    words = re.findall(r"[A-Za-z]{3,}", line.lower())
    months = {m.lower() for m in _MONTHS} | {m[:3].lower() for m in _MONTHS} | {"sept"}
    weekdays = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                "mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    return any(w in months for w in words) and all(w in months | weekdays for w in words)


def parse_author(text: str) -> str | None:
    """The name(s) of a byline such as "By Clara Weiss", else None."""
    line = _BY_PREFIX.sub("", text.strip()).strip()
    explicit = line != text.strip()
    words = line.split()
    if not words or len(words) > 8 or re.search(r"\d", line):
        return None
    if line[-1] in ".!?:;" and not re.search(r"\b[A-Z]\.$", line):
        return None
    if not explicit and (len(words) < 2 or not all(_NAME_WORD.match(w) for w in words)):
        return None
    return line.rstrip(",")


def split_head(blocks: list[Block]) -> tuple[Head, list[Block]]:
    """The title, author and date found at the head of the blocks, and the body after them."""
    body = list(blocks)
    title = ""
    if body and body[0].kind == HEADING and body[0].level <= 2:
        title = body.pop(0).text.strip()
    elif body and body[0].kind == PARAGRAPH and _looks_like_title(body[0].text):
        title = body.pop(0).text.strip()
    author, published = "", None
    for _ in range(_MAX_HEAD_PARAGRAPHS):
        if not body or body[0].kind != PARAGRAPH:
            break
        found = _byline_fields(body[0].text)
        if found is None:
            break
        body.pop(0)
        author = author or found[0]
        published = published or found[1]
    return Head(title, author, published), body


def _looks_like_title(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= _MAX_TITLE_CHARS and LINE_BREAK not in text and text[-1] not in ".,;:"


def _byline_fields(text: str) -> tuple[str, str | None] | None:
    """(author, date) when every line of a head paragraph is a byline or a date."""
    author, published = "", None
    for line in filter(None, (part.strip() for part in text.split(LINE_BREAK))):
        fields = _line_fields(line)
        if fields is None:
            return None
        author = author or fields[0]
        published = published or fields[1]
    return (author, published) if (author or published) else None


def _line_fields(line: str) -> tuple[str, str | None] | None:
    when = parse_date(line)
    if when:
        return "", when
    who = parse_author(line)
    if who:
        return who, None
    # "Clara Weiss | 7 August 2024", "By Clara Weiss, August 7, 2024"
    parts = [p for p in _SEPARATORS.split(line) if p.strip()]
    if len(parts) < 2:
        comma = line.find(",")
        parts = [line[:comma], line[comma + 1:]] if comma > 0 else []
    if len(parts) == 2:
        first, second = parts[0].strip(), parts[1].strip()
        who, when = parse_author(first), parse_date(second)
        if who and when:
            return who, when
    return None
