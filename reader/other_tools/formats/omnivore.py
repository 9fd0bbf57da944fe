"""Omnivore's export zip (the "Export Data" button of the web app's account settings).

Omnivore closed in November 2024; its last exporter wrote the zip this module reads.
Shape, from the exporter itself (omnivore-app/omnivore, packages/api/src/jobs/export.ts,
its highlight writer `highlightToMarkdown` in packages/api/src/utils/parser.ts, and the
project's docs page using/exporting.md):

- ``metadata_<from>_to_<to>.json``, one per batch of 20 items: a JSON array (written with
  two-space indent) of ``{id, slug, title, description, author, url, state,
  readingProgress, thumbnail, labels: [names], savedAt, updatedAt, publishedAt}``. Dates
  are JavaScript ISO strings ("2024-10-18T20:44:54.069Z"). ``state`` is the library
  item's state: "SUCCEEDED"/"ARCHIVED"/... in the first exporter, "Active"/"Archived"/
  "Unknown" in the last. ``readingProgress`` is the bottom-of-screen percent, 0-100;
  Omnivore's own "is:read" search is ``> 98``, which this module follows.
- ``content/<slug>.html``: the readable HTML of a web item (``content/<slug>.pdf`` for an
  uploaded PDF, which is not read here: its item is imported by URL). An item whose
  content Omnivore never had has no file.
- ``highlights/<slug>.md``, only for items with highlights: each highlight written as
  ``> quote `` (blank lines inside the quote as ``> ``), then a blank line and its labels
  as ``#name #name``, then a blank line and its note; highlights joined by a blank line.
  A note on the whole item (Omnivore's "NOTE" highlight) is written as its text followed
  by a blank line, so it stands after two or more blank lines, or before any quote.

The Markdown carries no ids, positions, colours or dates, so these highlights are keyed by
a digest of the item and the quote and have no reading order (the importer anchors them by
their quote). The item's note is told from a highlight's note by the blank line Omnivore
writes after it (two or more blank lines follow it, or the file ends in one). What stays
ambiguous is read as the more common case: of an item note of several paragraphs written
right after a highlight, only the last paragraph is known as the item's (the others read
as that highlight's note); and a highlight's note whose only line is "#word ..." right
after the quote reads as labels.

Variants accepted beside the exporter's own shape, as third-party re-packagings have them:
the files under one top folder (a zip of the unpacked export), ``contents/`` for
``content/``, ``content/<slug>.md`` (Markdown content), labels as ``{name, color}``
objects, and a ``highlights`` list in the metadata entries (``{id, quote, annotation,
color, createdAt, highlightPositionPercent, prefix, suffix, type, labels}``, as the API
returns them), which then wins over the Markdown file.

The zip is read member by member with caps (member count, each member's and the whole
export's unpacked size, read with a limit rather than trusting the headers); member names
that climb out of the archive ("../") are skipped; a member that cannot be read becomes a
Problem naming it while the others still import.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from reader.other_tools.common import (
    clean_text,
    colour,
    decode_text,
    digest,
    json_text,
    parse_moment,
    short,
    sniff_text,
    split_tags,
)
from reader.other_tools.model import (
    HTML,
    MARKDOWN,
    Export,
    FormatError,
    Highlight,
    Item,
    Problem,
)

NAME = "omnivore"
SOURCE = "Omnivore"
DESCRIPTION = "Omnivore's export zip"

MAX_MEMBERS = 200_000  # an export of 50,000 items has about 100,000 files
MAX_MEMBER_BYTES = 50 * 1024 * 1024  # one article's HTML, unpacked
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # everything read from one export, unpacked
MAX_FIELD_CHARS = 2000  # a title or an author longer than this is cut

# "metadata_0_to_20.json", perhaps under one top folder.
_METADATA = re.compile(r"(?:^|/)metadata_(\d+)_to_(\d+)\.json$", re.IGNORECASE)
_LOCAL_HEADER = b"PK\x03\x04"
_READ_PERCENT = 98  # Omnivore's "is:read": reading_progress_bottom_percent > 98
_NO_URL = re.compile(r"^https?://(?:www\.)?omnivore\.app/no_url", re.IGNORECASE)


class _MemberError(Exception):
    """A member of the zip that cannot be used; str() is the reason."""


def detect(path: Path, head: bytes) -> bool:
    """A zip holding Omnivore's ``metadata_N_to_M.json`` batches.

    The first member's name is read from the head (so a cut-short export is still
    recognised and then reported as damaged); otherwise the zip's directory is listed."""
    try:
        if not head.startswith(_LOCAL_HEADER):
            return False
        if _METADATA.search(_first_member_name(head)):
            return True
        with zipfile.ZipFile(path) as archive:
            return any(_METADATA.search(name) for name in archive.namelist()[:MAX_MEMBERS])
    except Exception:  # detection never raises, whatever the file holds
        return False


def _first_member_name(head: bytes) -> str:
    """The file name in the zip's first local header ("" when the head is too short)."""
    if len(head) < 30:
        return ""
    name_length = int.from_bytes(head[26:28], "little")
    return sniff_text(head[30:30 + name_length])


def read(path: Path) -> Export:
    """Every item of an Omnivore export zip, with its content and highlights."""
    export = Export(format=NAME, source=SOURCE)
    with _open_zip(path) as archive:
        reader = _Reader(archive, export.problems)
        export.items = reader.items()
    return export


def _open_zip(path: Path) -> zipfile.ZipFile:
    """The export as an open zip; FormatError saying why it cannot be one."""
    try:
        info = path.stat()
    except OSError as exc:
        raise FormatError(f"cannot be read ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(info.st_mode):
        raise FormatError("is a folder, not an export file (give the Omnivore zip itself)")
    if not stat.S_ISREG(info.st_mode):
        raise FormatError("is not a regular file")
    if info.st_size == 0:
        raise FormatError("is empty")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise FormatError(f"is not a zip file, or is damaged or cut short ({exc})") from exc
    except Exception as exc:  # a crafted directory can fail in many ways; none may crash
        raise FormatError(f"cannot be read as a zip file ({exc})") from exc
    if len(archive.infolist()) > MAX_MEMBERS:
        archive.close()
        raise FormatError(f"holds more than {MAX_MEMBERS} files, more than an Omnivore "
                          f"export has")
    return archive


@dataclass
class _Reader:
    """Reads the members of one export zip within the size caps."""

    archive: zipfile.ZipFile
    problems: list[Problem]
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    unpacked: int = 0  # bytes read so far, unpacked
    claimed: set[str] = field(default_factory=set)  # highlights files an item names

    def __post_init__(self) -> None:
        for info in self.archive.infolist():
            name = info.filename.replace("\\", "/")
            if info.is_dir():
                continue
            if _climbs_out(name):
                self.problems.append(Problem(info.filename, "is skipped: its name points "
                                                            "outside the export"))
                continue
            self.members[name] = info  # a name written twice: the later one counts

    def items(self) -> list[Item]:
        batches = sorted((name for name in self.members if _METADATA.search(name)),
                         key=_batch_order)
        if not batches:
            raise FormatError("holds no metadata_*.json files, which an Omnivore export has")
        items: dict[str, Item] = {}
        failures: list[Problem] = []
        for name in batches:
            entries = self._metadata(name)
            if entries is None:
                failures.append(self.problems[-1])
                continue
            folder = posixpath.dirname(name)
            for number, entry in enumerate(entries, start=1):
                item = self._item(entry, folder, f"{name}, entry {number}")
                if item is not None:
                    items[item.key] = item  # listed twice (batches shift): the later one
        if len(failures) == len(batches):
            raise FormatError(f"has no readable metadata file ({failures[0]})")
        self._orphans()
        return list(items.values())

    # -- members ------------------------------------------------------------------

    def _member(self, name: str) -> bytes:
        """A member's bytes, read within the caps; _MemberError saying why not."""
        info = self.members[name]
        if info.flag_bits & 0x1:
            raise _MemberError("is encrypted")
        if info.file_size > MAX_MEMBER_BYTES:
            raise _MemberError(f"is larger than {MAX_MEMBER_BYTES // 1024 // 1024} MB "
                               f"unpacked")
        try:
            with self.archive.open(info) as stream:
                data = stream.read(MAX_MEMBER_BYTES + 1)
        except Exception as exc:  # bad CRC, cut-short data, unknown compression...
            raise _MemberError(f"cannot be unpacked ({exc})") from exc
        if len(data) > MAX_MEMBER_BYTES:
            raise _MemberError(f"is larger than {MAX_MEMBER_BYTES // 1024 // 1024} MB "
                               f"unpacked")
        self.unpacked += len(data)
        if self.unpacked > MAX_TOTAL_BYTES:
            raise _MemberError(f"is skipped: the export unpacks to more than "
                               f"{MAX_TOTAL_BYTES // 1024 // 1024} MB")
        return data

    def json_text(self, name: str) -> str | None:
        """A text member (UTF-8, lenient), or None with a Problem when it cannot be read."""
        try:
            data = self._member(name)
        except _MemberError as exc:
            self.problems.append(Problem(name, str(exc)))
            return None
        text = data.decode("utf-8", "replace").lstrip("\ufeff")
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def _metadata(self, name: str) -> list | None:
        """The entries of one metadata batch; None (and a Problem) when unreadable."""
        try:
            text = decode_text(self._member(name))
            entries = json.loads(text)
        except _MemberError as exc:
            self.problems.append(Problem(name, str(exc)))
            return None
        except FormatError as exc:
            self.problems.append(Problem(name, str(exc)))
            return None
        except json.JSONDecodeError as exc:
            self.problems.append(Problem(name, f"is not valid JSON (line {exc.lineno}, "
                                               f"column {exc.colno}: {exc.msg})"))
            return None
        except RecursionError:
            self.problems.append(Problem(name, "is not valid JSON (nested too deeply)"))
            return None
        if not isinstance(entries, list):
            self.problems.append(Problem(name, "is not a list of items"))
            return None
        return entries

    def _find(self, folder: str, *candidates: str) -> str | None:
        """The first of `candidates` (paths inside the export) that the zip holds."""
        for candidate in candidates:
            name = posixpath.join(folder, candidate) if folder else candidate
            if name in self.members:
                return name
        return None

    # -- items --------------------------------------------------------------------

    def _item(self, entry: object, folder: str, where: str) -> Item | None:
        """One metadata entry as an Item with its content and highlights."""
        if not isinstance(entry, dict):
            self.problems.append(Problem(where, "is not an object"))
            return None
        title = json_text(entry.get("title"), MAX_FIELD_CHARS)
        url = json_text(entry.get("url")).strip() or None
        if url and _NO_URL.match(url):
            url = None  # an item without a web address (a newsletter, an upload)
        slug = json_text(entry.get("slug")).strip()
        if title:
            where = f'{where} ("{short(title)}")'
        key = json_text(entry.get("id")).strip() or url or (digest(NAME, slug) if slug else "")
        if not key:
            self.problems.append(Problem(where, "has no id, URL or slug"))
            return None

        content, content_format = self._content(folder, slug)
        highlights, note = self._highlights(entry, folder, slug, key, where)
        if url is None and content is None and not highlights:
            self.problems.append(Problem(where, "has no URL, no content and no highlights"))
            return None
        return Item(
            key=key,
            title=title or url or slug or "Untitled",
            author=json_text(entry.get("author"), MAX_FIELD_CHARS).strip(),
            url=url,
            content=content,
            content_format=content_format,
            tags=_labels(entry.get("labels")),
            published=_day(entry.get("publishedAt")),
            saved_at=parse_moment(json_text(entry.get("savedAt"))),
            archived=_archived(entry),
            read=_read(entry.get("readingProgress")),
            note=note,
            highlights=highlights,
            book=url is None and content is None,
        )

    def _content(self, folder: str, slug: str) -> tuple[str | None, str]:
        """The item's saved text and its format (None when the export has none)."""
        if not slug or "/" in slug or slug in (".", ".."):
            return None, HTML
        for kind, content_format in (("html", HTML), ("md", MARKDOWN)):
            name = self._find(folder, f"content/{slug}.{kind}", f"contents/{slug}.{kind}")
            if name is not None:
                text = self.json_text(name)
                if text is not None and text.strip():
                    return clean_text(text), content_format
        return None, HTML

    def _highlights(self, entry: dict, folder: str, slug: str, key: str,
                    where: str) -> tuple[tuple[Highlight, ...], str]:
        """The item's highlights and its note: from the entry's own list when it has
        one, else from ``highlights/<slug>.md``."""
        listed = entry.get("highlights")
        if isinstance(listed, list) and listed:
            if slug and "/" not in slug:
                self.claimed.add(posixpath.join(folder, f"highlights/{slug}.md"))
            return _listed_highlights(listed, key, where, self.problems)
        if not slug or "/" in slug:
            return (), ""
        name = self._find(folder, f"highlights/{slug}.md")
        if name is None:
            return (), ""
        self.claimed.add(name)
        text = self.json_text(name)
        if text is None:
            return (), ""
        marks, note = parse_highlights(clean_text(text))
        found = [Highlight(key=digest(key, mark.quote), text=mark.quote, note=mark.note,
                           tags=mark.labels) for mark in marks]
        return _merge(found), note

    def _orphans(self) -> None:
        """A Problem for each highlights file that no item of the metadata names."""
        for name in sorted(self.members):
            if re.search(r"(?:^|/)highlights/[^/]+\.md$", name) and name not in self.claimed:
                self.problems.append(Problem(name, "belongs to no item of the metadata "
                                                   "files; its highlights are skipped"))


def _listed_highlights(listed: list, key: str, where: str,
                       problems: list[Problem]) -> tuple[tuple[Highlight, ...], str]:
    """Highlights given as objects in the metadata entry (the API's shape)."""
    found: list[Highlight] = []
    notes: list[str] = []
    for number, raw in enumerate(listed, start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(f"{where}, highlight {number}", "is not an object"))
            continue
        kind = json_text(raw.get("type")).strip().upper()
        quote = json_text(raw.get("quote")).strip()
        annotation = json_text(raw.get("annotation")).strip()
        if kind == "NOTE":
            if annotation:
                notes.append(annotation)
            continue
        if kind == "REDACTION" or not (quote or annotation):
            continue
        order = _number(raw.get("highlightPositionPercent"))
        anchor = _number(raw.get("highlightPositionAnchorIndex"))
        found.append(Highlight(
            key=json_text(raw.get("id")).strip() or digest(key, quote, order),
            text=quote,
            note=annotation,
            colour=colour(json_text(raw.get("color"))),
            tags=_labels(raw.get("labels")),
            created_at=parse_moment(json_text(raw.get("createdAt"))),
            location=f"{order:.0f}%" if order is not None else "",
            order=order if order is not None else anchor,
            prefix=json_text(raw.get("prefix")),
            suffix=json_text(raw.get("suffix")),
            kind="highlight" if quote else "note",
        ))
    return _merge(found), "\n\n".join(notes)


# -- the highlights Markdown ------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One highlight read back from ``highlights/<slug>.md``."""

    quote: str
    note: str = ""
    labels: tuple[str, ...] = ()


def parse_highlights(text: str) -> tuple[list[Mark], str]:
    """The highlights of an Omnivore ``highlights/<slug>.md`` and the item's note.

    The text is cut into blocks at blank lines. A block starting with ">" is a quote and
    starts a highlight; the block right after it (one blank line between) is its labels
    when it is one line of "#name"s; later blocks one blank line apart are its note.
    Omnivore writes the item's note followed by a blank line of its own, so a block
    with two or more blank lines after it (or at the end of a file that ends in a blank
    line), and any block before the first quote or after two or more blank lines, is
    the item's note."""
    marks: list[Mark] = []
    item_note: list[str] = []
    current: dict | None = None
    for before, lines, after in _blocks(text):
        if lines[0].startswith(">"):
            if current is not None:
                marks.append(_mark(current))
            current = {"quote": _unquote(lines), "labels": None, "note": [], "fresh": True}
            continue
        block = "\n".join(lines).strip()
        if current is not None and before <= 1:
            if current["fresh"] and len(lines) == 1 and re.match(r"#[^\s#]", block):
                current["labels"] = split_tags(re.sub(r"\s+#(?=\S)", "\x1f", block[1:]),
                                               "\x1f")
                current["fresh"] = False
                continue
            if after <= 1:
                current["note"].append(block)
                current["fresh"] = False
                continue
        if current is not None:
            marks.append(_mark(current))
            current = None
        item_note.append(block)
    if current is not None:
        marks.append(_mark(current))
    return [mark for mark in marks if mark.quote], "\n\n".join(item_note)


def _blocks(text: str) -> list[tuple[int, list[str], int]]:
    """(blank lines before it, its lines, blank lines after it) for each run of
    non-blank lines (at the end: the line breaks that end the file)."""
    blocks: list[list] = []
    gap = 0
    lines: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            if not lines:
                if blocks:
                    blocks[-1][2] = gap
                blocks.append([gap, lines, 0])
            lines.append(line.rstrip())
            gap = 0
        else:
            lines = []
            gap += 1
    if blocks:
        blocks[-1][2] = gap
    return [(before, block, after) for before, block, after in blocks]


def _unquote(lines: list[str]) -> str:
    """The passage of a quote block: the first line's "> " dropped, and the "> " lines
    Omnivore wrote for the passage's blank lines made blank again."""
    first = lines[0][1:]
    first = first[1:] if first.startswith(" ") else first
    rest = ["" if line.strip() == ">" else line for line in lines[1:]]
    return "\n".join([first, *rest]).strip()


def _mark(current: dict) -> Mark:
    return Mark(quote=current["quote"], note="\n\n".join(current["note"]),
                labels=current["labels"] or ())


# -- fields ------------------------------------------------------------------------------








def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None  # NaN is no position


def _labels(value: object) -> tuple[str, ...]:
    """Label names from a list of names or of ``{name, color}``, or one "a, b" string."""
    if isinstance(value, str):
        return split_tags(clean_text(value))
    if not isinstance(value, list):
        return ()
    names = []
    for label in value:
        if isinstance(label, dict):
            label = label.get("name")
        name = json_text(label).strip().lstrip("#").strip()
        if name:
            names.append(name.replace("\x1f", " "))
    return split_tags("\x1f".join(names), "\x1f")


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


def _archived(entry: dict) -> bool | None:
    """Whether the item was archived: its state, else an archivedAt moment."""
    state = json_text(entry.get("state")).strip().lower()
    if state == "archived" or json_text(entry.get("archivedAt")).strip():
        return True
    if state in {"active", "succeeded", "content_not_fetched", "processing", "failed"}:
        return False
    return None


def _read(value: object) -> bool | None:
    progress = _number(value)
    if progress is None:
        return None
    return progress > _READ_PERCENT


def _merge(highlights: list[Highlight]) -> tuple[Highlight, ...]:
    """Highlights with one per key: a repeated one keeps its first place, the later
    note (the earlier one when the later has none) and the labels of both."""
    merged: dict[str, Highlight] = {}
    for highlight in highlights:
        earlier = merged.get(highlight.key)
        if earlier is None:
            merged[highlight.key] = highlight
        else:
            merged[highlight.key] = replace(
                highlight, note=highlight.note or earlier.note,
                tags=tuple(dict.fromkeys(earlier.tags + highlight.tags)))
    return tuple(merged.values())


def _climbs_out(name: str) -> bool:
    """Whether a member's name is absolute or climbs above the archive ("../")."""
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return True
    return ".." in name.split("/")


def _batch_order(name: str) -> tuple[int, str]:
    match = _METADATA.search(name)
    return (int(match.group(1)) if match else 0, name)
