"""Stored ISO dates written for people: "7 August 2024", the same on every machine.

Apart from reader.importing.head (which reads dates out of articles, and needs the
document model and dataclasses) so that `marginalia list` writes dates without them."""

from __future__ import annotations

from datetime import date

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)


def format_date(iso: str | None) -> str:
    """A stored ISO date written for people, the same on every machine: "7 August 2024"."""
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
