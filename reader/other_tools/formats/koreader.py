"""KOReader: the JSON file of its "Export highlights" plugin.

Shape followed (read in koreader/koreader, not guessed):

- ``plugins/exporter.koplugin/target/json.lua`` writes, for one book, ``{"title",
  "author", "entries": [...], "file", "md5sum" (only with "Include book checksum"),
  "number_of_pages", "exported", "created_on": Unix seconds, "version": "json/1.0.0"}``
  and, for several books ("all books in history"), ``{"created_on", "version",
  "documents": [book, …]}`` with the same book objects. It is written by rapidjson from
  Lua tables: the keys come in no fixed order, and an empty Lua table (a book without
  entries) is written as ``{}`` rather than ``[]``.
- ``plugins/exporter.koplugin/clip.lua`` (``parseAnnotations``, ``parseHighlight``,
  ``parseMyClippings``) makes the entries: ``{"sort": "highlight" (or "note" /
  "bookmark" for entries taken from a Kindle's My Clippings.txt), "page": the page
  number or the book's own page label (``pageref``, a string), "time": Unix seconds,
  "text", "note" (optional), "chapter", "drawer": "lighten" / "underscore" /
  "strikeout" / "invert", "color": "yellow" / "red" / "orange" / "green" / "olive" /
  "cyan" / "blue" / "purple" / "gray"}``. Newer versions add ``pn_xp`` / ``pos0_xp`` /
  ``pos1_xp`` (xpointers into the EPUB): they are not needed and are ignored.
- The book's ``author`` holds several authors on separate lines (KOReader's
  ``doc_props.authors``); it is read as "A, B".

What becomes what: every book is an ``Item`` with ``book=True`` (KOReader reads local
files, whose text the export does not carry), keyed by its ``md5sum`` when the export has
it, else by its title and author. Each entry is a ``Highlight`` keyed by the book, page,
time and text, placed by its page ("Chapter · Page 12") and ordered by page, then by its
place among the book's entries (the exporter writes them in the book's order).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from reader.other_tools.common import (
    clean_text,
    colour,
    digest,
    from_timestamp,
    json_type,
    parse_moment,
    read_json,
    sniff_text,
)
from reader.other_tools.model import Export, FormatError, Highlight, Item, Problem

NAME = "koreader"
SOURCE = "KOReader"
DESCRIPTION = "KOReader's exporter JSON"

_UNKNOWN_AUTHOR = "Unknown Author"  # what KOReader writes when a book names none

# What detection looks for when the file is longer than the part it is given.
_VERSION = re.compile(r'"version"\s*:\s*"json/\d')
_BOOKS_KEY = re.compile(r'"(?:entries|documents)"\s*:\s*[\[{]')
_ENTRIES_LIST = re.compile(r'"entries"\s*:\s*\[')
_ENTRY_KEYS = re.compile(r'"(?:drawer"\s*:\s*"|sort"\s*:\s*"(?:highlight|note|bookmark)")')
_TIME_KEY = re.compile(r'"time"\s*:\s*\d')


# --- detection -----------------------------------------------------------------------


def detect(path: Path, head: bytes) -> bool:
    """Whether the file is the JSON of KOReader's highlight exporter."""
    try:
        text = sniff_text(head).lstrip()
        if not text.startswith("{"):
            return False
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return _head_looks_like(text)  # longer than the head, or broken
        return _data_looks_like(data)
    except Exception:  # detection never fails the caller
        return False


def _head_looks_like(text: str) -> bool:
    """Detection on the start of a file too long to parse here."""
    if _VERSION.search(text) and _BOOKS_KEY.search(text):
        return True
    return bool(_ENTRIES_LIST.search(text) and _ENTRY_KEYS.search(text)
                and _TIME_KEY.search(text))


def _data_looks_like(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    version = data.get("version")
    books = data.get("documents")
    if isinstance(version, str) and version.startswith("json/") and (
            "entries" in data or isinstance(books, (list, dict))):
        return True
    if isinstance(books, list):
        return any(isinstance(book, dict) and _entries_look_like(book.get("entries"))
                   for book in books)
    return _entries_look_like(data.get("entries"))


def _entries_look_like(entries: Any) -> bool:
    """Whether a list holds KOReader's entries (a few are enough)."""
    if not isinstance(entries, list):
        return False
    objects = [entry for entry in entries[:20] if isinstance(entry, dict)]
    return bool(objects) and all(
        "text" in entry and ("drawer" in entry or entry.get("sort") in
                             ("highlight", "note", "bookmark")) for entry in objects)


# --- reading ---------------------------------------------------------------------------


def read(path: Path) -> Export:
    """The books in the file, each with its highlights and notes."""
    export = Export(format=NAME, source=SOURCE)
    items: dict[str, Item] = {}
    for number, book in enumerate(_books(read_json(path)), start=1):
        if not isinstance(book, dict):
            export.problems.append(Problem(f"document {number}", "is not a book object "
                                           f"(it is {json_type(book)})"))
            continue
        item = _item(book, export.problems)
        if item is None:
            continue
        if item.key in items:  # the same book twice: one item with all its highlights
            earlier = items[item.key]
            item = replace(earlier, highlights=_in_order(
                _merged(earlier.highlights + item.highlights)))
        items[item.key] = item
    export.items = list(items.values())
    return export




def _books(data: Any) -> list[Any]:
    """The book objects of a one-book export, an all-books export or a list of books."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if "documents" in data:
            books = _as_list(data["documents"])
            if books is None:
                raise FormatError('has "documents" that are not a list of books (they are '
                                  f'{json_type(data["documents"])})')
            return books
        if "entries" in data:
            return [data]
    raise FormatError('is JSON but not a KOReader export (it has no "entries" or '
                      '"documents")')


def _as_list(value: Any) -> list[Any] | None:
    """A JSON list; an object (rapidjson writes an empty Lua table as {}) gives its values
    in the order of their keys; None for anything else."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value[key] for key in sorted(value, key=_numeric_first)]
    return None


def _numeric_first(key: str) -> tuple[int, float, str]:
    try:
        return (0, float(key), "")
    except ValueError:
        return (1, 0.0, key)


def _item(book: dict[str, Any], problems: list[Problem]) -> Item | None:
    """One book and its entries; None (and a problem) when its entries cannot be read."""
    raw_title, raw_author = _text(book.get("title")), _text(book.get("author"))
    title = " ".join(raw_title.split()) or _file_title(_text(book.get("file"))) or "Untitled"
    author = ", ".join(line.strip() for line in raw_author.splitlines() if line.strip())
    md5sum = _text(book.get("md5sum")).strip().lower()
    key = md5sum or digest(title, author)
    raw_entries = book.get("entries")
    entries = [] if raw_entries is None else _as_list(raw_entries)
    if entries is None:
        problems.append(Problem(f'book "{title}"', "its entries are not a list (they are "
                                f"{json_type(raw_entries)})"))
        return None
    highlights: list[Highlight] = []
    for index, entry in enumerate(entries):
        where = f'entry {index + 1} ("{title}")'
        try:
            highlights.append(_highlight(entry, key, index / (len(entries) + 1)))
        except _Bad as bad:
            problems.append(Problem(where, str(bad)))
    return Item(key=key, title=title, author="" if author == _UNKNOWN_AUTHOR else author,
                url=None, content=None, highlights=_in_order(_merged(highlights)), book=True)


def _file_title(file: str) -> str:
    """A title from the book's file path, without folders and extension."""
    name = file.replace("\\", "/").rpartition("/")[2]
    stem = name.rpartition(".")[0] if "." in name.strip(".") else name
    return " ".join(stem.split())


class _Bad(Exception):
    """An entry that cannot be read; str() is the reason."""


def _highlight(entry: Any, item_key: str, place: float) -> Highlight:
    """One entry as a highlight, note or bookmark; `place` orders it within its page."""
    if not isinstance(entry, dict):
        raise _Bad(f"is not an entry object (it is {json_type(entry)})")
    text = _text(entry.get("text"), "its text").strip()
    note = _text(entry.get("note"), "its note").strip()
    sort = _text(entry.get("sort")).strip().lower() or "highlight"
    kind = {"note": "note", "bookmark": "bookmark"}.get(sort, "highlight")
    if kind == "note" and not note:  # My Clippings: a note's own text is in "text"
        text, note = "", text
    elif kind == "highlight" and not text:
        if not note:
            raise _Bad("has no text (KOReader leaves it empty for a highlighted picture)")
        kind = "note"
    if kind == "note":
        text = ""
    page = _page(entry.get("page"))
    time = entry.get("time")
    return Highlight(
        key=digest(item_key, page, _time_key(time), text if kind != "note" else note),
        text=text,
        note=note,
        colour=colour(_text(entry.get("color"))) or colour(_text(entry.get("drawer"))),
        created_at=_moment(time),
        location=_location(_text(entry.get("chapter")), page),
        order=_page_number(page) + place,
        kind=kind,
    )


def _page(value: Any) -> str:
    """The entry's page as written: a number, or the book's own label ("xii", "12")."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return " ".join(clean_text(str(value)).split())
    return ""


def _page_number(page: str) -> float:
    """The page as a number for ordering; 0 for none or a front-matter label ("xii")."""
    try:
        number = float(page)
    except ValueError:
        return 0.0
    return number if 0 <= number < 1e9 else 0.0


def _location(chapter: str, page: str) -> str:
    """Where the entry is, for people: "Chapter · Page 12", "Page 12" or "Chapter"."""
    parts = [" ".join(chapter.split()), f"Page {page}" if page else ""]
    return " · ".join(part for part in parts if part)


def _time_key(value: Any) -> str:
    """The entry's time as it goes into its key (as written, numbers without ".0")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return clean_text(str(value)).strip()
    return ""


def _moment(value: Any) -> str | None:
    """The entry's time (Unix seconds; a written date is read too) in UTC ISO."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return from_timestamp(value) if value > 0 else None
    if isinstance(value, str):
        value = value.strip()
        return from_timestamp(value) if value.isdigit() else parse_moment(value)
    return None


def _merged(highlights: list[Highlight] | tuple[Highlight, ...]) -> tuple[Highlight, ...]:
    """Highlights with one of each key: the later one, with the longer of their notes."""
    by_key: dict[str, Highlight] = {}
    for highlight in highlights:
        earlier = by_key.get(highlight.key)
        if earlier is not None and len(earlier.note) > len(highlight.note):
            highlight = replace(highlight, note=earlier.note)
        by_key[highlight.key] = highlight
    return tuple(by_key.values())


def _in_order(highlights: tuple[Highlight, ...]) -> tuple[Highlight, ...]:
    """Highlights in the book's order (by page, then by their place in the export)."""
    return tuple(sorted(highlights, key=lambda highlight: highlight.order or 0.0))


# --- values ----------------------------------------------------------------------------


def _text(value: Any, what: str = "") -> str:
    """A text field's value ("" when absent or null); _Bad naming `what` when it is of
    another type and `what` is given, else "" for it. Lone surrogates are replaced."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if what:
        raise _Bad(f"{what} is not text (it is {json_type(value)})")
    return ""



