"""Hypothesis: the JSON export of its sidebar, and the annotation lists of its API.

Shapes followed (read in the tools' source, not guessed):

- The sidebar's "Export annotations" as JSON: hypothesis/client,
  ``src/sidebar/services/annotations-exporter.tsx`` (``buildJSONExportContent``):
  ``{"export_date": ISO, "export_userid": "acct:…", "client_version": "…",
  "annotations": [annotation, …]}``; the annotations are the API's, with the client's
  own ``$``-prefixed properties stripped.
- One annotation, as the h API presents it: hypothesis/h,
  ``h/presenters/annotation_json.py`` and ``document_json.py``, and the client's
  ``src/types/api.ts``: ``id``, ``created``/``updated`` (ISO 8601 in UTC), ``user``
  (``acct:name@authority``), ``uri``, ``text`` (the note, Markdown), ``tags`` (list),
  ``group``, ``permissions``, ``target: [{"source": uri, "selector": [RangeSelector,
  TextPositionSelector {start, end}, TextQuoteSelector {exact, prefix, suffix},
  PageSelector {index, label}, EPUBContentSelector, …]}]``, ``document: {"title":
  [title]}`` (a list from the API; the client's type says a string: both are read),
  ``links``, ``user_info: {display_name}``, ``references`` (only on replies: the ids of
  the thread above it, the thread's root first).
- The API's search answer ``{"total": N, "rows": [...]}`` (with ``"replies": [...]``
  when asked to separate them), and a bare list of annotations, are read too.

What becomes what:

- One ``Item`` per document (``uri``): keyed by the uri as given, titled from
  ``document.title``. Web pages (http/https) have ``url`` and ``book=False``; any other
  uri (``urn:x-pdf:…`` of a local PDF, ``file:…``, ``urn:x-epub:…``) cannot be fetched,
  so the item is a book made of its highlights.
- An annotation with a ``TextQuoteSelector`` is a highlight (quote, prefix, suffix,
  ``TextPositionSelector`` offsets, the note, tags, id as key, start as order); one
  without a quote is a page note (``kind="note"``).
- Replies are not highlights of their own: their text is added to the note of the
  annotation that starts their thread ("Reply from NAME: …"), in the order they were
  written, so the conversation is kept with the passage it is about. A reply whose
  thread is not in the file is reported as a problem.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from reader.other_tools.common import (
    clean_text,
    json_type,
    parse_moment,
    read_json,
    sniff_text,
    split_tags,
)
from reader.other_tools.model import Export, FormatError, Highlight, Item, Problem

NAME = "hypothesis"
SOURCE = "Hypothesis"
DESCRIPTION = "Hypothesis's JSON export"

_WEB = re.compile(r"^https?://", re.IGNORECASE)

# What detection looks for when the file is longer than the part it is given.
_EXPORT_KEYS = re.compile(r'"(?:export_userid|client_version)"\s*:')
_ANNOTATIONS_LIST = re.compile(r'"annotations"\s*:\s*\[')
_TARGET_LIST = re.compile(r'"target"\s*:\s*\[\s*\{')
_SOURCE_KEY = re.compile(r'"source"\s*:\s*"')
_URI_KEY = re.compile(r'"uri"\s*:\s*"')
_USER_KEYS = re.compile(r'"(?:user|permissions)"\s*:')
_ROWS_LIST = re.compile(r'"rows"\s*:\s*\[')


# --- detection -----------------------------------------------------------------------


def detect(path: Path, head: bytes) -> bool:
    """Whether the file is a Hypothesis export or an API list of its annotations."""
    try:
        text = sniff_text(head).lstrip()
        if not text.startswith(("{", "[")):
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
    if _EXPORT_KEYS.search(text) and _ANNOTATIONS_LIST.search(text):
        return True
    if not (text.startswith("[") or _ROWS_LIST.search(text)):
        return False
    return all(pattern.search(text)
               for pattern in (_TARGET_LIST, _SOURCE_KEY, _URI_KEY, _USER_KEYS))


def _data_looks_like(data: Any) -> bool:
    if isinstance(data, dict):
        if isinstance(data.get("annotations"), list) and (
                "export_userid" in data or "client_version" in data):
            return True
        rows = data.get("rows")
        return isinstance(rows, list) and _annotations_look_like(rows)
    return isinstance(data, list) and _annotations_look_like(data)


def _annotations_look_like(entries: list[Any]) -> bool:
    """Whether the objects of a list are Hypothesis annotations (a few are enough)."""
    objects = [entry for entry in entries[:20] if isinstance(entry, dict)]
    return bool(objects) and all(_is_annotation(entry) for entry in objects)


def _is_annotation(entry: dict[str, Any]) -> bool:
    return (isinstance(entry.get("target"), list) and "uri" in entry
            and any(name in entry for name in ("user", "permissions", "links", "group")))


# --- reading ---------------------------------------------------------------------------


def read(path: Path) -> Export:
    """The documents annotated in the file, each with its highlights and page notes."""
    entries = _annotation_list(read_json(path))
    export = Export(format=NAME, source=SOURCE)
    notes: dict[str, _Note] = {}
    replies: list[tuple[str, dict[str, Any]]] = []
    for number, entry in enumerate(entries, start=1):
        where = _where(number, entry)
        try:
            parsed = _annotation(entry)
        except _Bad as bad:
            export.problems.append(Problem(where, str(bad)))
            continue
        if parsed is None:  # a reply, attached below once every thread root is known
            replies.append((where, entry))
            continue
        if parsed.highlight.key in notes:  # the same annotation twice: keep the fuller
            parsed = _merged(notes[parsed.highlight.key], parsed)
        notes[parsed.highlight.key] = parsed
    _attach_replies(replies, notes, export.problems)
    export.items = _items(list(notes.values()))
    return export




def _annotation_list(data: Any) -> list[Any]:
    """The annotations of an export, of an API search answer or of a bare list."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise FormatError("is JSON but not a Hypothesis export (it holds no annotations)")
    if "annotations" in data:
        if not isinstance(data["annotations"], list):
            raise FormatError('has an "annotations" field that is not a list of '
                              "annotations")
        return data["annotations"]
    if "rows" in data:
        rows, replies = data["rows"], data.get("replies")
        if not isinstance(rows, list):
            raise FormatError('has a "rows" field that is not a list of annotations')
        return rows + (replies if isinstance(replies, list) else [])
    raise FormatError('is JSON but not a Hypothesis export (it has no "annotations" list)')


class _Bad(Exception):
    """An annotation that cannot be read; str() is the reason."""


@dataclass
class _Note:
    """One annotation read, with what is needed to group it and attach replies to it."""

    uri: str
    title: str
    highlight: Highlight
    replies: list[tuple[str, str]] = field(default_factory=list)  # (created, text)


def _where(number: int, entry: Any) -> str:
    ident = entry.get("id") if isinstance(entry, dict) else None
    if isinstance(ident, str) and ident.strip():
        return f'annotation {number} (id "{clean_text(ident.strip())[:40]}")'
    return f"annotation {number}"


def _annotation(entry: Any) -> _Note | None:
    """An annotation as a highlight or page note; None for a reply; _Bad if unreadable."""
    if not isinstance(entry, dict):
        raise _Bad(f"is not an annotation object (it is {json_type(entry)})")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise _Bad("has no id")
    if _thread_root(entry):
        return None
    target = _first_target(entry)
    uri = _text(entry.get("uri")).strip() or _text(target.get("source")).strip()
    if not uri:
        raise _Bad("has no uri (the address of the document it was made on)")
    selectors = _selectors(target)
    note = _text(entry.get("text"), "its text")
    tags = _tags(entry.get("tags"))
    quote = selectors.get("TextQuoteSelector", {})
    exact = _text(quote.get("exact"), "its quote (TextQuoteSelector.exact)")
    position = _position(selectors.get("TextPositionSelector", {}))
    if not exact.strip() and not note.strip() and not tags:
        raise _Bad("has neither a quoted passage nor a note")
    highlight = Highlight(
        key=clean_text(ident.strip()),
        text=exact if exact.strip() else "",
        note=note,
        tags=tags,
        created_at=parse_moment(_text(entry.get("created"))),
        location=_page(selectors.get("PageSelector", {})),
        order=float(position[0]) if position and exact.strip() else None,
        start=position[0] if position else None,
        end=position[1] if position else None,
        prefix=_text(quote.get("prefix")) if exact.strip() else "",
        suffix=_text(quote.get("suffix")) if exact.strip() else "",
        kind="highlight" if exact.strip() else "note",
    )
    return _Note(uri=uri, title=_document_title(entry.get("document")), highlight=highlight)


def _thread_root(entry: dict[str, Any]) -> str:
    """The id of the annotation a reply's thread starts with ("" when not a reply)."""
    references = entry.get("references")
    if isinstance(references, str):
        references = [references]
    if not isinstance(references, list):
        return ""
    for reference in references:
        if isinstance(reference, str) and reference.strip():
            return clean_text(reference.strip())
    return ""


def _first_target(entry: dict[str, Any]) -> dict[str, Any]:
    """The annotation's target (h keeps one); {} for none."""
    targets = entry.get("target")
    if targets is None:
        return {}
    if isinstance(targets, dict):  # one target not wrapped in a list
        return targets
    if not isinstance(targets, list):
        raise _Bad(f"its target is not a list (it is {json_type(targets)})")
    if not targets:
        return {}
    if not isinstance(targets[0], dict):
        raise _Bad(f"its target is not an object (it is {json_type(targets[0])})")
    return targets[0]


def _selectors(target: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The target's selectors by type (the first of each type)."""
    selectors = target.get("selector")
    if selectors is None:
        return {}
    if not isinstance(selectors, list):
        raise _Bad(f"its selector is not a list (it is {json_type(selectors)})")
    found: dict[str, dict[str, Any]] = {}
    for selector in selectors:
        if isinstance(selector, dict) and isinstance(selector.get("type"), str):
            found.setdefault(selector["type"], selector)
    return found


def _position(selector: dict[str, Any]) -> tuple[int, int] | None:
    """A TextPositionSelector's (start, end), when they are whole numbers in order."""
    start, end = selector.get("start"), selector.get("end")
    if not all(isinstance(value, int) and not isinstance(value, bool)
               for value in (start, end)):
        return None
    return (start, end) if 0 <= start <= end else None


def _page(selector: dict[str, Any]) -> str:
    """A PageSelector as "Page 12" (its label, else its index counted from 1)."""
    label = selector.get("label")
    if isinstance(label, (str, int)) and not isinstance(label, bool) and str(label).strip():
        return f"Page {clean_text(str(label).strip())}"
    index = selector.get("index")
    if isinstance(index, int) and not isinstance(index, bool) and index >= 0:
        return f"Page {index + 1}"
    return ""


def _document_title(document: Any) -> str:
    """The title of `document` (a list of titles from the API, or one string)."""
    if not isinstance(document, dict):
        return ""
    titles = document.get("title")
    for title in titles if isinstance(titles, list) else [titles]:
        if isinstance(title, str) and title.strip():
            return " ".join(clean_text(title).split())
    return ""


def _tags(value: Any) -> tuple[str, ...]:
    """Tag names from the annotation's list (or a comma-separated string), without '#'."""
    if isinstance(value, str):
        return split_tags(clean_text(value))
    if not isinstance(value, list):
        return ()
    return split_tags(",".join(clean_text(tag).replace(",", " ") for tag in value
                                if isinstance(tag, str)))


def _merged(old: _Note, new: _Note) -> _Note:
    """The later copy of an annotation that appears twice, with the longer note."""
    if len(old.highlight.note) > len(new.highlight.note):
        new.highlight = replace(new.highlight, note=old.highlight.note)
    new.replies = old.replies + new.replies
    return new


def _attach_replies(replies: list[tuple[str, dict[str, Any]]],
                    notes: dict[str, _Note], problems: list[Problem]) -> None:
    """Add each reply's text to the note of the annotation its thread starts with."""
    seen: set[str] = set()
    for where, entry in replies:
        if entry["id"] in seen:  # the same reply twice
            continue
        seen.add(entry["id"])
        root = notes.get(_thread_root(entry))
        if root is None:
            problems.append(Problem(where, "is a reply to an annotation that is not in "
                                           "this file"))
            continue
        try:
            text = _text(entry.get("text"), "its text").strip()
        except _Bad as bad:
            problems.append(Problem(where, str(bad)))
            continue
        if text:
            root.replies.append((_text(entry.get("created")),
                                 f"Reply from {_author(entry)}: {text}"))
    for note in notes.values():
        if note.replies:
            parts = [note.highlight.note.strip()] if note.highlight.note.strip() else []
            parts += [text for _created, text in sorted(note.replies, key=lambda r: r[0])]
            note.highlight = replace(note.highlight, note="\n\n".join(parts))


def _author(entry: dict[str, Any]) -> str:
    """Who wrote an annotation: the display name, else the name of its acct: user id."""
    info = entry.get("user_info")
    if isinstance(info, dict):
        name = _text(info.get("display_name")).strip()
        if name:
            return name
    user = _text(entry.get("user")).strip()
    match = re.match(r"^acct:([^@]+)@", user)
    return match.group(1) if match else (user or "someone")


def _items(notes: list[_Note]) -> list[Item]:
    """One item per document, in the order the documents first appear."""
    by_uri: dict[str, list[_Note]] = {}
    for note in notes:
        by_uri.setdefault(note.uri, []).append(note)
    return [_item(uri, group) for uri, group in by_uri.items()]


def _item(uri: str, notes: list[_Note]) -> Item:
    web = bool(_WEB.match(uri))
    title = next((note.title for note in notes if note.title), "") or _uri_title(uri)
    highlights = sorted((note.highlight for note in notes),
                        key=lambda h: (h.order is None, h.order or 0.0))
    created = sorted(h.created_at for h in highlights if h.created_at)
    return Item(key=uri, title=title, url=uri if web else None, content=None,
                saved_at=created[0] if created else None,
                highlights=tuple(highlights), book=not web)


def _uri_title(uri: str) -> str:
    """A title for a document Hypothesis kept none for: a local file's name, else its uri."""
    if uri.lower().startswith("file:"):
        name = unquote(urlsplit(uri).path.rstrip("/").rpartition("/")[2])
        if name.strip():
            return name.strip()
    return uri


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



