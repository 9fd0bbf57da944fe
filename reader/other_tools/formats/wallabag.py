"""Wallabag's JSON export ("Export" → JSON, of one entry, a list, or "All articles").

Shape, from wallabag's source (wallabag/wallabag): ``src/Helper/EntriesExport.php``
(``produceJson`` serialises the entries with JMS Serializer, group ``entries_for_user``),
the serialised fields of ``src/Entity/Entry.php`` and ``src/Entity/Annotation.php``, and
the importer's fixtures ``tests/fixtures/Import/wallabag-v2-*.json``. A JSON array of
entries, each (snake_case names, null fields left out)::

    {"is_archived": 0|1, "is_starred": 0|1, "tags": ["label", ...], "is_public": false,
     "id": 4668, "title": ..., "url": ..., "given_url": ..., "origin_url": ...,
     "archived_at"/"starred_at": moment, "content": "<p>HTML</p>",
     "created_at": "2016-09-08T11:55:58+0200", "updated_at": ..., "published_at": ...,
     "published_by": ["author", ...], "annotations": [...], "mimetype": "text/html",
     "language": "en", "reading_time": 4, "domain_name": ..., "preview_picture": ...,
     "http_status": "200", "headers": {...}}

Annotations (wallabag's annotator.js store) carry ``quote`` (the passage), ``text`` (the
note) and ``ranges`` (``[{start: "/p[1]", startOffset, end, endOffset}]``, XPaths into the
content); exports of older versions add ``id``, ``created_at``, ``updated_at``, ``user``
and ``annotator_schema_version``. The ranges are not resolved here (the importer anchors
a highlight by its quote); they only serve the key when an annotation has no id, and the
order is the annotation's place in the entry's list.

Variants accepted: ``is_archived``/``is_starred`` as booleans or "0"/"1"; ids as numbers
or strings; tags as ``{id, label, slug}`` objects (the API's shape, and wallabag 2.0's
bug that wrote them as empty ``{}``); moments as "+0200", "+02:00" or without a zone
("2017-02-14 17:50:31", taken as UTC); the API's page ``{"_embedded": {"items": [...]}}``;
and wallabag 1's export (``is_read``, ``is_fav``, tags as one "a,b" string). Entries with
a ``deleted_at`` moment (wallabag's trash) are left out.

Mapping: archived and read are both ``is_archived`` (wallabag's "Mark as read" archives);
a starred entry gets the tag "starred"; ``published_by`` joined by ", " is the author.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from reader.other_tools.common import (
    decode_text,
    digest,
    json_text,
    parse_moment,
    read_bytes,
    short,
    sniff_text,
    split_tags,
)
from reader.other_tools.model import HTML, Export, FormatError, Highlight, Item, Problem

NAME = "wallabag"
SOURCE = "Wallabag"
DESCRIPTION = "Wallabag's JSON export"

STARRED_TAG = "starred"
MAX_FIELD_CHARS = 2000  # a title or an author longer than this is cut

_KEY = re.compile(r'"([a-z_]+)"\s*:')
# Keys of an entry that only wallabag's export writes (beside common ones like "url").
_WALLABAG_KEYS = frozenset({
    "is_archived", "is_starred", "given_url", "origin_url", "reading_time", "domain_name",
    "preview_picture", "published_by", "http_status", "mimetype", "is_public",
    "archived_at", "starred_at", "user_name", "user_email", "annotations",
})


def detect(path: Path, head: bytes) -> bool:
    """A JSON array of objects whose keys are wallabag's (``is_archived`` and
    ``is_starred``, or at least three of its other entry fields; wallabag 1's
    ``is_read`` and ``is_fav``)."""
    try:
        text = sniff_text(head).lstrip("\ufeff \t\r\n")
        if not text.startswith("["):
            return False
        if not text[1:].lstrip().startswith("{"):
            return False
        keys = set(_KEY.findall(text))
        if {"is_read", "is_fav", "url"} <= keys:
            return True
        if not keys & {"url", "content", "title"}:
            return False
        return {"is_archived", "is_starred"} <= keys or len(keys & _WALLABAG_KEYS) >= 3
    except Exception:  # detection never raises, whatever the file holds
        return False


def read(path: Path) -> Export:
    """Every entry of a wallabag JSON export, with its content and annotations."""
    entries = _entries(decode_text(read_bytes(path)))
    export = Export(format=NAME, source=SOURCE)
    items: dict[str, Item] = {}
    for number, entry in enumerate(entries, start=1):
        item = _item(entry, f"entry {number}", export.problems)
        if item is not None:
            items[item.key] = item  # an entry listed twice: the later one
    export.items = list(items.values())
    return export


def _entries(text: str) -> list:
    """The list of entries of an export's text; FormatError when it has none."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                          f"{exc.msg})") from exc
    except RecursionError as exc:
        raise FormatError("is not valid JSON (nested too deeply)") from exc
    if isinstance(data, dict):
        embedded = data.get("_embedded")
        data = embedded.get("items") if isinstance(embedded, dict) else None
    if not isinstance(data, list):
        raise FormatError("is not a list of entries, as a wallabag JSON export is")
    return data


def _item(entry: object, where: str, problems: list[Problem]) -> Item | None:
    """One exported entry as an Item, or None (and a Problem) when it cannot be one."""
    if not isinstance(entry, dict):
        problems.append(Problem(where, "is not an object"))
        return None
    title = json_text(entry.get("title"), MAX_FIELD_CHARS).strip()
    if title:
        where = f'{where} ("{short(title)}")'
    if json_text(entry.get("deleted_at")).strip():
        return None  # in wallabag's trash
    url = json_text(entry.get("url")).strip() or json_text(entry.get("given_url")).strip()
    if not url:
        problems.append(Problem(where, "has no URL"))
        return None
    key = json_text(entry.get("id")).strip() or url
    archived = _flag(entry.get("is_archived", entry.get("is_read")))
    starred = _flag(entry.get("is_starred", entry.get("is_fav")))
    tags = _tags(entry.get("tags"))
    if starred:
        tags = split_tags("\x1f".join((*tags, STARRED_TAG)), "\x1f")
    content = json_text(entry.get("content"))
    return Item(
        key=key,
        title=title or url,
        author=_authors(entry.get("published_by")),
        url=url,
        content=content if content.strip() else None,
        content_format=HTML,
        tags=tags,
        published=_day(entry.get("published_at")),
        saved_at=parse_moment(json_text(entry.get("created_at"))),
        archived=archived,
        read=archived,
        highlights=_annotations(entry.get("annotations"), key, where, problems),
    )


def _annotations(value: object, key: str, where: str,
                 problems: list[Problem]) -> tuple[Highlight, ...]:
    """An entry's annotations as highlights, in the order the export lists them."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(Problem(where, "has annotations that are not a list"))
        return ()
    found: list[Highlight] = []
    for number, raw in enumerate(value, start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(f"{where}, annotation {number}", "is not an object"))
            continue
        quote = json_text(raw.get("quote")).strip()
        note = json_text(raw.get("text")).strip()
        if not quote and not note:
            problems.append(Problem(f"{where}, annotation {number}",
                                    "has neither a quote nor a note"))
            continue
        found.append(Highlight(
            key=json_text(raw.get("id")).strip() or digest(key, quote, *_range(raw)),
            text=quote,
            note=note,
            created_at=parse_moment(json_text(raw.get("created_at"))),
            order=float(number),
            kind="highlight" if quote else "note",
        ))
    return _merge(found)


def _range(annotation: dict) -> tuple[str, ...]:
    """Where the first of an annotation's ranges lies, as text (for its key)."""
    ranges = annotation.get("ranges")
    first = ranges[0] if isinstance(ranges, list) and ranges else None
    if not isinstance(first, dict):
        return ()
    return tuple(json_text(first.get(name)).strip()
                 for name in ("start", "startOffset", "end", "endOffset"))


# -- fields ------------------------------------------------------------------------------






def _flag(value: object) -> bool | None:
    """0/1, "0"/"1", true/false as a bool; None when the export does not say."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in {"0", "1", "true", "false"}:
        return value.strip().lower() in {"1", "true"}
    return None


def _tags(value: object) -> tuple[str, ...]:
    """Tag labels from a list of names or of ``{label}`` objects, or one "a,b" string."""
    if isinstance(value, str):
        return split_tags(json_text(value))
    if not isinstance(value, list):
        return ()
    names = []
    for tag in value:
        if isinstance(tag, dict):
            tag = tag.get("label", tag.get("name"))
        name = json_text(tag).strip().lstrip("#").strip()
        if name:
            names.append(name.replace("\x1f", " "))
    return split_tags("\x1f".join(names), "\x1f")


def _authors(value: object) -> str:
    """``published_by`` (a list of names, or one name) as one author line."""
    if isinstance(value, list):
        names = [json_text(name).strip() for name in value]
        return ", ".join(name for name in names if name)[:MAX_FIELD_CHARS]
    return json_text(value, MAX_FIELD_CHARS).strip()


def _day(value: object) -> str | None:
    """A publication moment as YYYY-MM-DD (the date as written, before any offset)."""
    text = json_text(value).strip()
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    moment = parse_moment(text)
    return moment[:10] if moment else None


def _merge(highlights: list[Highlight]) -> tuple[Highlight, ...]:
    """Highlights with one per key: a repeated one keeps its first place and the later
    note (the earlier one when the later has none)."""
    merged: dict[str, Highlight] = {}
    for highlight in highlights:
        earlier = merged.get(highlight.key)
        if earlier is None:
            merged[highlight.key] = highlight
        else:
            merged[highlight.key] = replace(highlight, note=highlight.note or earlier.note,
                                            order=earlier.order)
    return tuple(merged.values())
