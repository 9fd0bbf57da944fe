"""Instapaper's CSV export (instapaper.com/user → "Download .CSV file"): one row per save.

Instapaper's exporter is not public; the shape followed is the one wallabag's importer
reads (wallabag/wallabag, src/Import/InstapaperImport.php) and real rows quoted in public
code::

    URL,Title,Selection,Folder,Timestamp,Tags
    https://theoatmeal.com:443/,,,Unread,1747964343,[]
    https://example.com/a,Title A,,Archive,1783091650,"[""coding""]"

- older exports have only ``URL,Title,Selection,Folder`` (then ``Timestamp`` was added,
  and in November 2025 ``Tags``); columns are read by name;
- ``Timestamp``: when the page was saved, in Unix seconds;
- ``Tags``: a JSON list of names (``[]`` when none);
- ``Folder``: ``Unread``, ``Archive``, ``Starred`` or a folder of the user's own;
- ``Selection``: the text the user had selected when saving, often empty;
- ``Title`` may be empty.

Folders: ``Unread`` is not archived, ``Archive`` is; ``Starred`` becomes the tag
"starred" and any other folder a tag of its name (neither archived). A selection becomes
the item's one highlight. Items are web pages keyed by their URL, without content: the
importer fetches or matches them. Rows whose URL is not an http(s) address are Problems.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from reader.other_tools.common import (
    csv_header,
    decode_text,
    digest,
    from_timestamp,
    read_bytes,
    require_columns,
    sniff_text,
    split_tags,
)
from reader.other_tools.formats.readwise_csv import merge, safe_rows
from reader.other_tools.model import Export, FormatError, Highlight, Item, Problem

NAME = "instapaper"
SOURCE = "Instapaper"
DESCRIPTION = "Instapaper's CSV export"

_STATES = {"unread": False, "archive": True}


def detect(path: Path, head: bytes) -> bool:
    """A CSV whose header names URL, Selection and Folder."""
    try:
        names = {name.lower() for name in csv_header(sniff_text(head))}
    except Exception:  # noqa: BLE001 - detection never raises
        return False
    return {"url", "selection", "folder"} <= names


def read(path: Path) -> Export:
    text = decode_text(read_bytes(path))
    try:
        header = csv_header(text)
    except csv.Error as exc:
        raise FormatError(f"cannot be read as CSV ({exc})") from exc
    require_columns(header, ("URL",), "CSV export of Instapaper")
    export = Export(NAME, SOURCE)
    items = Items()
    for line, row in safe_rows(text, export.problems):
        where = f"line {line}"
        url = web_address(row.get("url", ""))
        if url is None:
            export.problems.append(Problem(where, no_address(row.get("url", ""))))
            continue
        items.add(_item(url, row))
    export.items = items.list()
    return export


def _item(url: str, row: dict[str, str]) -> Item:
    folder = row.get("folder", "")
    tags = _tags(row.get("tags", ""))
    if folder and folder.lower() not in _STATES:
        tags = unique_tags((*tags, "starred" if folder.lower() == "starred" else folder))
    selection = row.get("selection", "")
    highlights = (Highlight(key=digest(url, selection), text=selection),) if selection else ()
    return Item(key=url, title=row.get("title", "") or url, url=url, tags=tags,
                saved_at=from_timestamp(row["timestamp"]) if row.get("timestamp") else None,
                archived=_STATES.get(folder.lower(), False) if folder else None,
                highlights=highlights)


def _tags(cell: str) -> tuple[str, ...]:
    """The Tags cell: a JSON list of names; a plain comma-separated list is read too."""
    cell = cell.strip()
    if not cell:
        return ()
    try:
        names = json.loads(cell)
    except ValueError:
        return split_tags(cell)
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list):
        return ()
    return unique_tags(str(name) for name in names if isinstance(name, (str, int, float)))


# --- shared by the read-later formats (Pocket reads its lists the same way) ----------


def web_address(text: str) -> str | None:
    """The text when it is an http(s) address with a host, else None."""
    text = (text or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


def unique_tags(names: Iterable[str]) -> tuple[str, ...]:
    """Tag names without '#', blanks or repeats (whatever their case), in order."""
    kept: dict[str, str] = {}
    for name in names:
        name = name.strip().lstrip("#").strip()
        if name:
            kept.setdefault(name.casefold(), name)
    return tuple(kept.values())


def no_address(text: str) -> str:
    """Why an entry is left out when its address is not a web address."""
    text = (text or "").strip()
    if not text:
        return "has no web address"
    shown = text if len(text) <= 80 else text[:77] + "..."
    return f"has no web address that can be opened ({shown!r})"


class Items:
    """Items in file order; the same key twice (a page saved twice) is one item with both
    entries' tags and highlights, the first title and date, and archived if either is."""

    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def add(self, item: Item) -> None:
        old = self._items.get(item.key)
        self._items[item.key] = _merge(old, item) if old else item

    def get(self, key: str) -> Item | None:
        return self._items.get(key)

    def list(self) -> list[Item]:
        return list(self._items.values())


def _merge(old: Item, new: Item) -> Item:
    highlights = {highlight.key: highlight for highlight in old.highlights}
    for highlight in new.highlights:
        known = highlights.get(highlight.key)
        highlights[highlight.key] = merge(known, highlight) if known else highlight
    states = [state for state in (old.archived, new.archived) if state is not None]
    return Item(key=old.key, title=old.title if old.title != old.url else new.title,
                url=old.url or new.url, tags=unique_tags(old.tags + new.tags),
                saved_at=old.saved_at or new.saved_at,
                archived=any(states) if states else None,
                highlights=tuple(highlights.values()))
