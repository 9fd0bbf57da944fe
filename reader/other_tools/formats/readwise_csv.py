"""Readwise's CSV export (readwise.io/export → "Export to CSV"): one row per highlight.

The shape followed is that of real exports kept in public repositories (no exporter source
is public): ``readwise-data.csv`` in davidlove/fastai-nlp-course (2020, ten columns) and in
franco3x/bookshq and SteshinSS/readerwise_summary (2022-2026, eleven columns)::

    Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,
    Highlighted at,Document tags

- a standard CSV writer: cells quoted only when needed, quotes doubled, line breaks kept
  inside quoted cells (a highlight of several paragraphs);
- ``Highlighted at``: ``2020-09-21 04:53:16.752500+00:00`` or ``2019-08-24 04:56:00+00:00``;
- ``Tags`` and ``Document tags``: names in one cell, separated by commas
  (``sports,interesting facts,data``); Kindle colours often come as tags (``pink``);
- ``Color``: ``yellow``, ``blue``, ``pink``, ``orange``, ``purple`` or empty;
- ``Location Type``: ``location`` (Kindle), ``page``, ``order`` (place in a thread or a
  Reader document), ``offset``, ``time_offset`` (seconds into a podcast) or empty (with
  ``Location`` 0);
- older exports have no ``Document tags``; columns are read by name, so missing or
  reordered ones are fine. Only ``Highlight`` and ``Book Title`` are needed.

The CSV carries no URL, so every document is a book (``Item.book``): the importer builds
its article from the highlights, or matches it by title and author first. An item's key is
its Amazon id (``asin:B00G3L6JQ4``) when it has one, else a digest of title and author.

Headings: Readwise's "action tags" (docs.readwise.io/readwise/guides/action-tags) let a
reader mark a highlight as a heading of the book (part, chapter, section) with the note
``.h1`` ... ``.h6``. Readwise turns such a note into the tag ``h1`` ... ``h6`` as it does
every inline tag (Readwise API clients read headings from those tags, e.g. NotePlan's
Readwise plugin). Such a highlight stays a highlight; the mark is taken out of its note
and its tags.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from reader.other_tools.common import (
    colour,
    csv_header,
    csv_rows,
    decode_text,
    digest,
    parse_moment,
    read_bytes,
    require_columns,
    sniff_text,
    split_tags,
)
from reader.other_tools.model import Export, FormatError, Highlight, Item, Problem

NAME = "readwise"
SOURCE = "Readwise"
DESCRIPTION = "Readwise's CSV export"

NEEDED = ("Highlight", "Book Title")
# Columns only a Readwise highlights export has beside the two it needs.
_TELLING = {"book author", "amazon book id", "location type", "highlighted at"}
_HEADING = re.compile(r"^\s*\.h[1-6](?=\s|$)\s*", re.IGNORECASE)


def detect(path: Path, head: bytes) -> bool:
    """A CSV whose header names Highlight and Book Title and another Readwise column."""
    try:
        names = {name.lower() for name in csv_header(sniff_text(head))}
    except Exception:  # noqa: BLE001 - detection never raises
        return False
    return {"highlight", "book title"} <= names and bool(names & _TELLING)


def read(path: Path) -> Export:
    text = decode_text(read_bytes(path))
    try:
        header = csv_header(text)
    except csv.Error as exc:
        raise FormatError(f"cannot be read as CSV ({exc})") from exc
    require_columns(header, NEEDED, "Readwise CSV export")
    export = Export(NAME, SOURCE)
    books: dict[str, _Book] = {}
    for line, row in safe_rows(text, export.problems):
        title = row.get("book title", "")
        if not title:
            export.problems.append(Problem(f"line {line}", "has no book title"))
            continue
        author = row.get("book author", "")
        key = book_key(title, author, row.get("amazon book id", ""))
        book = books.setdefault(key, _Book(key, title, author))
        book.tags += split_tags(row.get("document tags", ""))
        highlight = _highlight(key, row)
        if highlight is None:
            export.problems.append(Problem(f"line {line}", "has neither a highlight nor a note"))
            continue
        book.add(highlight)
    export.items = [book.item() for book in books.values()]
    return export


def safe_rows(text: str, problems: list[Problem],
              prefix: str = "") -> Iterator[tuple[int, dict[str, str]]]:
    """`csv_rows`, stopping with a Problem where the CSV breaks (a cell over the csv
    module's size limit, a stray NUL) instead of raising: the rows before still count.
    `prefix` goes before the line number of the Problem (a zip member's name)."""
    rows = csv_rows(text)
    last = 1
    while True:
        try:
            line, row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(f"{prefix}after line {last}",
                                    f"the rest of the file cannot be read as CSV ({exc})"))
            return
        last = line
        yield line, row


def book_key(title: str, author: str, asin: str = "") -> str:
    """A book's key: its Amazon id when known, else a digest of its title and author."""
    asin = asin.strip()
    if asin:
        return f"asin:{asin}"
    return digest(title.strip(), author.strip())


def place(kind: str, value: str) -> tuple[str, float | None]:
    """(location for people, order number) of Readwise's Location Type and Location."""
    value = value.strip()
    try:
        number: float | None = float(value.replace(",", ""))
    except ValueError:
        number = None
    kind = kind.strip().lower()
    if not value:
        return "", None
    if kind == "location":
        return f"Location {value}", number
    if kind == "page":
        return f"Page {value}", number
    if kind == "time_offset" and number is not None:
        minutes, seconds = divmod(int(number), 60)
        hours, minutes = divmod(minutes, 60)
        at = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
        return f"At {at}", number
    return "", number  # order, offset: a position, nothing to show


def strip_heading(note: str) -> str:
    """A note without Readwise's heading marker (".h1" ... ".h6") at its start."""
    return _HEADING.sub("", note, count=1)


def split_colour(tags: tuple[str, ...], current: str | None) -> tuple[tuple[str, ...],
                                                                     str | None]:
    """The tags a highlight really has, and its colour. Readwise keeps a Kindle
    highlight's colour as a tag ("pink"): colour tags leave the list, and the first
    becomes the colour when the row names none. Heading marks ("h1" ... "h6", what
    Readwise makes of a ".h1" note) leave it too: they are structure, not a tag."""
    kept: list[str] = []
    for tag in tags:
        name = tag.strip().lower()
        if name in COLOUR_TAGS:
            current = current or colour(tag)
        elif not HEADING_TAG.fullmatch(name):
            kept.append(tag)
    return tuple(kept), current


COLOUR_TAGS = {"yellow", "blue", "pink", "orange", "purple", "green", "red"}
HEADING_TAG = re.compile(r"\.?h[1-6]")


def merge(old: Highlight, new: Highlight) -> Highlight:
    """One highlight from two rows with the same key: the later one, with the longer
    note, both rows' tags and the first colour or date known."""
    note = new.note if len(new.note) >= len(old.note) else old.note
    tags = tuple(dict.fromkeys(old.tags + new.tags))
    return Highlight(
        key=new.key, text=new.text or old.text, note=note, colour=new.colour or old.colour,
        tags=tags, created_at=new.created_at or old.created_at,
        location=new.location or old.location,
        order=new.order if new.order is not None else old.order, kind=new.kind)


def _highlight(book: str, row: dict[str, str]) -> Highlight | None:
    text = row.get("highlight", "")
    note = strip_heading(row.get("note", "")).strip()
    if not text and not note:
        return None
    kind_name, value = row.get("location type", ""), row.get("location", "")
    location, order = place(kind_name, value)
    tags, shade = split_colour(split_tags(row.get("tags", "")), colour(row.get("color")))
    return Highlight(
        key=digest(book, kind_name.strip().lower(), value.strip(), text),
        text=text, note=note, colour=shade, tags=tags,
        created_at=parse_moment(row.get("highlighted at", "")),
        location=location, order=order, kind="highlight" if text else "note")


class _Book:
    """The rows of one book, gathered in file order."""

    def __init__(self, key: str, title: str, author: str) -> None:
        self.key, self.title, self.author = key, title, author
        self.tags: tuple[str, ...] = ()
        self.highlights: dict[str, Highlight] = {}

    def add(self, highlight: Highlight) -> None:
        old = self.highlights.get(highlight.key)
        self.highlights[highlight.key] = merge(old, highlight) if old else highlight

    def item(self) -> Item:
        return Item(key=self.key, title=self.title, author=self.author,
                    tags=split_tags(",".join(self.tags)),
                    highlights=tuple(self.highlights.values()), book=True)
