"""Where the review takes "now" from: one clock, fixed or moved by tests and `--today`.

Times are UTC, to the second (what the fsrs library takes and what the library stores).
A review *day* is a day of the user's local calendar that starts at DAY_STARTS_AT
o'clock, as in Anki: reviews done at 1 a.m. still count for the evening before, and a
card due "tomorrow" is due from the first session of the next morning.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

DAY_STARTS_AT = 4  # o'clock, local time


class Clock:
    """The present moment for the review, and the review day it falls on.

    `Clock()` follows the system clock and time zone; `Clock(fixed)` stands still at a
    moment until `set` or `advance` moves it. `tz` is the time zone days are counted in
    (None: the system's, daylight saving included)."""

    def __init__(self, fixed: datetime | None = None, tz: tzinfo | None = None) -> None:
        self.tz = tz
        self._fixed: datetime | None = None
        if fixed is not None:
            self.set(fixed)

    @property
    def fixed(self) -> bool:
        return self._fixed is not None

    def now(self) -> datetime:
        """The present moment: timezone-aware UTC, whole seconds."""
        moment = self._fixed if self._fixed is not None else datetime.now(timezone.utc)
        return moment.replace(microsecond=0)

    def set(self, moment: datetime) -> None:
        """Stop the clock at `moment` (a naive time is read as local time, in `tz`)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz) if self.tz else moment.astimezone()
        self._fixed = moment.astimezone(timezone.utc).replace(microsecond=0)

    def set_day(self, day: date, hour: int = 12) -> None:
        """Stop the clock on `day` at `hour` o'clock, local time (the CLI's --today)."""
        self.set(datetime.combine(day, time(hour)))

    def advance(self, **delta: float) -> None:
        """Move a fixed clock on (`advance(days=1, hours=2)`); a running one is fixed first."""
        self._fixed = self.now() + timedelta(**delta)

    def release(self) -> None:
        """Follow the system clock again."""
        self._fixed = None

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz) if self.tz else moment.astimezone()

    def day_of(self, moment: datetime) -> date:
        """The review day a moment counts for."""
        return (self.local(moment) - timedelta(hours=DAY_STARTS_AT)).date()

    def today(self) -> date:
        return self.day_of(self.now())

    def day_start(self, day: date) -> datetime:
        """When a review day begins, in UTC."""
        start = datetime.combine(day, time(DAY_STARTS_AT))
        start = start.replace(tzinfo=self.tz) if self.tz else start.astimezone()
        return start.astimezone(timezone.utc)

    def day_end(self, day: date | None = None) -> datetime:
        """When a review day (today by default) ends: the next one's start, in UTC."""
        return self.day_start((day or self.today()) + timedelta(days=1))


def stamp(moment: datetime) -> str:
    """A moment as the library stores it: UTC ISO 8601 to the second, which sorts as text."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_stamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
