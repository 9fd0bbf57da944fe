"""Reading the values of query fields: dates and date ranges, relative ages, comparisons.

    added:2024-08          the month
    added:2024-01..2024-06 January to June, both included
    published:>2023        after 2023 (2024 onwards)
    added:<2w              added less than two weeks ago
    published:>1y          published more than a year ago
    words:>2000  progress:<50  words:500..1500

Each reader returns a half-open interval [low, high) of ISO strings or numbers (None for
an open end) or raises ValueError with a message for people.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_AGE = re.compile(r"^(\d{1,5})\s*(h|d|w|m|y)$", re.I)
_UNITS = {"h": "hours", "d": "days", "w": "weeks", "m": "months", "y": "years"}
_NUMBER = re.compile(r"^\d{1,12}$")

Interval = tuple[object, object]  # [low, high): None for an open end


def _period(text: str) -> tuple[date, date]:
    """The first day of a year, month or day written in ISO form, and of the next one."""
    found = _DATE.match(text.strip())
    if not found:
        raise ValueError(f"'{text}' is not a date (write 2024, 2024-08 or 2024-08-07)")
    year, month, day = found.groups()
    try:
        if day:
            start = date(int(year), int(month), int(day))
            return start, start + timedelta(days=1)
        if month:
            start = date(int(year), int(month), 1)
            following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            return start, following
        return date(int(year), 1, 1), date(int(year) + 1, 1, 1)
    except ValueError:
        raise ValueError(f"'{text}' is not a date of the calendar") from None


def _ago(amount: int, unit: str, now: datetime) -> datetime:
    unit = unit.lower()
    if unit == "m":
        month = now.month - 1 - amount
        year = now.year + month // 12
        day = min(now.day, 28)
        return now.replace(year=year, month=month % 12 + 1, day=day)
    if unit == "y":
        return now.replace(year=now.year - amount, day=min(now.day, 28))
    return now - timedelta(**{_UNITS[unit]: amount})


def date_interval(value: str, now: datetime | None = None) -> Interval:
    """The interval of dates a date value means (as ISO date strings)."""
    now = now or datetime.now(timezone.utc)
    text = value.strip()
    if not text:
        raise ValueError("needs a date (2024-08, 2024-01..2024-06, <2w, >1y)")
    relative = re.match(r"^([<>])\s*(.+)$", text)
    if relative and _AGE.match(relative.group(2)):
        amount, unit = _AGE.match(relative.group(2)).groups()
        moment = _ago(int(amount), unit, now).isoformat(timespec="seconds")
        # <2w: newer than two weeks ago; >1y: older than a year ago.
        return (moment, None) if relative.group(1) == "<" else (None, moment)
    if _AGE.match(text):  # "2w": within the last two weeks, as <2w
        amount, unit = _AGE.match(text).groups()
        return (_ago(int(amount), unit, now).isoformat(timespec="seconds"), None)
    if relative:
        start, end = _period(relative.group(2))
        return (end.isoformat(), None) if relative.group(1) == ">" else (None, start.isoformat())
    if ".." in text:
        first, _, last = text.partition("..")
        low = _period(first)[0].isoformat() if first.strip() else None
        high = _period(last)[1].isoformat() if last.strip() else None
        if low is not None and high is not None and low >= high:
            raise ValueError(f"'{text}' ends before it starts")
        return low, high
    start, end = _period(text)
    return start.isoformat(), end.isoformat()


def number_interval(value: str) -> Interval:
    """The interval of whole numbers a value means: 2000, >2000, <50, >=10, 500..1500."""
    text = value.strip().replace(",", "").replace("_", "")
    found = re.match(r"^(<=|>=|<|>|=)?\s*(\d{1,12})$", text)
    if found:
        op, number = found.group(1) or "=", int(found.group(2))
        return {"<": (None, number), "<=": (None, number + 1), ">": (number + 1, None),
                ">=": (number, None), "=": (number, number + 1)}[op]
    found = re.match(r"^(\d{0,12})\.\.(\d{0,12})$", text)
    if found and (found.group(1) or found.group(2)):
        low = int(found.group(1)) if found.group(1) else None
        high = int(found.group(2)) + 1 if found.group(2) else None
        return low, high
    raise ValueError(f"'{value}' is not a number or a range (write >2000, <50 or 500..1500)")
