"""Pocket's exports: the HTML list ``ril_export.html`` and the CSV zip of 2024-2025.

1. ``ril_export.html`` (getpocket.com/export until 2024), as in real exports kept in
   public repositories (e.g. dandavison/pocket, ril_export.html)::

       <!DOCTYPE html>
       <html>
           <!--So long and thanks for all the fish-->
           <head>
               <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
               <title>Pocket Export</title>
           </head>
           <body>
               <h1>Unread</h1>
               <ul>
                   <li><a href="https://..." time_added="1585881748" tags="">Title</a></li>
               </ul>
               <h1>Read Archive</h1>
               <ul>...</ul>

   ``time_added`` is in Unix seconds, ``tags`` separated by commas, titles HTML-escaped
   (``&#039;``) and the page's URL when it had no title.

2. ``pocket.zip``, written by Pocket's own exporter (Pocket/pocket-monorepo,
   servers/account-data-deleter/src/dataService/listDataExportService.ts and
   annotationsExportService.ts):

   - ``part_000000.csv`` (then ``part_000001.csv``...), by csv-stringify with a header
     from the records' keys: ``title,url,time_added,cursor,tags,status`` (later exports
     without ``cursor``). ``title`` is the saved URL when the page had none,
     ``time_added`` Unix seconds, ``tags`` joined with ``|``, ``status`` ``unread`` or
     ``archive``;
   - ``annotations/part_000000.json``: ``[{"url", "title", "highlights": [{"quote",
     "created_at"}]}]`` with ``created_at`` in Unix seconds: the highlights made in
     Pocket, joined to their saves by URL.

   The zip, one of its CSV files alone, or ``ril_export.html`` can be imported.

Items are web pages keyed by their URL, without content (the importer fetches or matches
them): ``saved_at`` from ``time_added``, ``archived`` from the section or status. Entries
whose URL is not an http(s) address are Problems.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from reader.other_tools.common import (
    csv_header,
    decode_text,
    digest,
    from_timestamp,
    parse_moment,
    read_bytes,
    sniff_text,
    split_tags,
)
from reader.other_tools.formats.instapaper import Items, no_address, web_address
from reader.other_tools.formats.readwise_csv import safe_rows
from reader.other_tools.formats.readwise_markdown import members, unpacked
from reader.other_tools.model import Export, FormatError, Highlight, Item, Problem

NAME = "pocket"
SOURCE = "Pocket"
DESCRIPTION = "Pocket's export (HTML list or CSV)"

_SECTIONS = {"unread": False, "read archive": True}
_STATUS = {"unread": False, "archive": True}
_POCKET_HTML = re.compile(r"<title>\s*Pocket Export\s*</title>|<h1>\s*(?:Unread|Read Archive)"
                          r"\s*</h1>", re.IGNORECASE)


def detect(path: Path, head: bytes) -> bool:
    """Pocket's HTML list, its CSV, or a zip holding that CSV."""
    try:
        if head.startswith(b"PK\x03\x04"):
            return _zip_has_list(path)
        text = sniff_text(head)
        if text.lstrip().startswith("<"):
            return _is_pocket_html(text)
        return _is_pocket_csv(text)
    except Exception:  # noqa: BLE001 - detection never raises
        return False


def _is_pocket_html(text: str) -> bool:
    return (re.search(r"<a\s[^>]*\btime_added\s*=", text, re.IGNORECASE) is not None
            and _POCKET_HTML.search(text) is not None)


def _is_pocket_csv(text: str) -> bool:
    names = {name.lower() for name in csv_header(text)}
    return {"url", "time_added"} <= names and bool(names & {"status", "tags"})


def _zip_has_list(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        for info in members(archive, ".csv")[:10]:
            with archive.open(info) as member:
                if _is_pocket_csv(sniff_text(member.read(4096))):
                    return True
    return False


def read(path: Path) -> Export:
    data = read_bytes(path)
    export = Export(NAME, SOURCE)
    items = Items()
    if data.startswith(b"PK\x03\x04"):
        _read_zip(data, items, export.problems)
    else:
        text = decode_text(data)
        if text.lstrip().startswith("<"):
            _read_html(text, items, export.problems)
        else:
            _read_csv(text, "", items, export.problems)
    export.items = items.list()
    return export


# --- the HTML list --------------------------------------------------------------------


def _read_html(text: str, items: Items, problems: list[Problem]) -> None:
    parser = _ListParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # noqa: BLE001 - html.parser is lenient; never crash on it
        problems.append(Problem(f"line {parser.getpos()[0]}",
                                f"the rest of the file cannot be read as HTML ({exc})"))
    if not parser.links:
        raise FormatError("is not a Pocket export: it has no saved links (<a href=... "
                          "time_added=...>)")
    for line, section, attrs, title in parser.links:
        where = f"line {line}"
        url = web_address(attrs.get("href") or "")
        if url is None:
            problems.append(Problem(where, no_address(attrs.get("href") or "")))
            continue
        items.add(Item(key=url, title=" ".join(title.split()) or url, url=url,
                       tags=split_tags(attrs.get("tags") or ""),
                       saved_at=from_timestamp(attrs.get("time_added") or ""),
                       archived=_SECTIONS.get(section.lower())))


class _ListParser(HTMLParser):
    """The saves of ril_export.html (links with a time_added), each with the <h1>
    section it stands under."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str, dict[str, str | None], str]] = []
        self.section = ""
        self._heading: list[str] | None = None
        self._link: tuple[int, dict[str, str | None], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self._heading = []
        elif tag == "a":
            self._finish_link()
            found = dict(attrs)
            if "time_added" in found:  # a save; other links of a page are not
                self._link = (self.getpos()[0], found, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1" and self._heading is not None:
            self.section = " ".join("".join(self._heading).split())
            self._heading = None
        elif tag == "a":
            self._finish_link()

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._link is not None:
            self._link[2].append(data)

    def close(self) -> None:
        super().close()
        self._finish_link()

    def _finish_link(self) -> None:
        if self._link is not None:
            line, attrs, parts = self._link
            self.links.append((line, self.section, attrs, "".join(parts)))
            self._link = None


# --- the CSV list and the zip around it ----------------------------------------------


def _read_csv(text: str, name: str, items: Items, problems: list[Problem]) -> bool:
    """Read one CSV list into `items`; False (with a Problem, or a FormatError for a file
    on its own) when it is not a Pocket list."""
    try:
        names = {column.lower() for column in csv_header(text)}
    except csv.Error as exc:
        names = set()
        reason = f"cannot be read as CSV ({exc})"
    else:
        reason = "is missing the column url that a Pocket CSV export has"
    if "url" not in names:
        if not name:
            raise FormatError(reason)
        problems.append(Problem(name, reason))
        return False
    prefix = f"{name} " if name else ""
    for line, row in safe_rows(text, problems, prefix):
        url = web_address(row.get("url", ""))
        if url is None:
            problems.append(Problem(f"{prefix}line {line}", no_address(row.get("url", ""))))
            continue
        items.add(Item(key=url, title=row.get("title", "") or url, url=url,
                       tags=split_tags(row.get("tags", ""), separators="|"),
                       saved_at=from_timestamp(row.get("time_added", "")),
                       archived=_STATUS.get(row.get("status", "").lower())))
    return True


def _read_zip(data: bytes, items: Items, problems: list[Problem]) -> None:
    lists = 0
    annotations: list[tuple[str, str]] = []
    for name, text in unpacked(data, (".csv", ".json"), problems):
        if name.lower().endswith(".json"):
            annotations.append((name, text))  # after the lists: they join them by URL
        elif _read_csv(text, name, items, problems):
            lists += 1
    for name, text in annotations:
        _read_annotations(text, name, items, problems)
    if not lists and not items.list():
        raise FormatError("is a zip file without a Pocket list (part_000000.csv)")


def _read_annotations(text: str, name: str, items: Items, problems: list[Problem]) -> None:
    """annotations/part_*.json: each entry's highlights go to the save with its URL."""
    try:
        entries = json.loads(text)
    except ValueError as exc:
        problems.append(Problem(name, f"is not valid JSON ({exc})"))
        return
    if not isinstance(entries, list):
        problems.append(Problem(name, "is not a list of Pocket annotations"))
        return
    for number, entry in enumerate(entries, start=1):
        where = f"{name} entry {number}"
        if not isinstance(entry, dict):
            problems.append(Problem(where, "is not an annotation entry"))
            continue
        title = entry.get("title") if isinstance(entry.get("title"), str) else ""
        if title:
            where += f" ({title[:60]!r})"
        raw_url = entry.get("url") if isinstance(entry.get("url"), str) else ""
        url = web_address(raw_url)
        if url is None:
            problems.append(Problem(where, no_address(raw_url)))
            continue
        highlights = _highlights(url, entry.get("highlights"), where, problems)
        if highlights:  # merged into the save of the same URL when the list has it
            items.add(Item(key=url, title=title or url, url=url, highlights=highlights))


def _highlights(url: str, found: object, where: str,
                problems: list[Problem]) -> tuple[Highlight, ...]:
    if not isinstance(found, list):
        problems.append(Problem(where, "has no list of highlights"))
        return ()
    kept: dict[str, Highlight] = {}
    for number, highlight in enumerate(found, start=1):
        quote = highlight.get("quote") if isinstance(highlight, dict) else None
        if not isinstance(quote, str) or not quote.strip():
            problems.append(Problem(f"{where} highlight {number}", "has no quoted text"))
            continue
        key = digest(url, quote)
        kept[key] = Highlight(key=key, text=quote, created_at=_moment(highlight.get(
            "created_at")))
    return tuple(kept.values())


def _moment(value: object) -> str | None:
    """Pocket's created_at: Unix seconds (a number, or digits as text), or a date text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return from_timestamp(value)
    if isinstance(value, str):
        return from_timestamp(value) if value.strip().isdigit() else parse_moment(value)
    return None

