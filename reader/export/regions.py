"""Marginalia's regions in an exported file, and merging a new export into a file the user edited.

Each part of an exported file that Marginalia keeps up to date sits between two marker
lines, HTML comments that every CommonMark renderer (Obsidian's reading view, GitHub,
static site generators) hides:

    <!-- marginalia:begin hl-40 -->
    > The bridge at Glushkovo fell first.
    ...
    <!-- marginalia:end hl-40 -->

Everything outside the markers is the user's and is kept as it is. Re-exporting into a
file the user changed (see `merge_body`):

* a region still in Marginalia is replaced by its new text, where it is in the file;
* a region whose highlight was deleted in Marginalia is removed;
* a region the user deleted (its id was exported before) is not brought back;
* a new region goes before the next region (in Marginalia's order) the file still has;
  after the last one, it goes after the text written under the region before it, but
  before a heading there (the user's own section), or at the end of the file;
* a region the user wrote inside is left as it is while Marginalia's side of it has
  not changed; when both changed, the user's version stays, outside markers, just above
  the new region: nothing the user wrote is lost.

A marker is a whole line, at the start of the line; one indented or inside a block quote
(a note quoting a marker) is text. Markers that do not pair up (a begin without its end,
two regions with one id) make the file one the export leaves alone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MARKER_START = "<!-- marginalia:"
BEGIN = "<!-- marginalia:begin {} -->"
END = "<!-- marginalia:end {} -->"
# A marker is a whole line (only '\n' ends a line here, as in CommonMark; a lone '\r' is
# rare enough to be text).
_MARKER = re.compile(r"^<!-- marginalia:(begin|end) ([A-Za-z0-9_-]{1,100}) -->[ \t]*\r?(?:\n|\Z)",
                     re.MULTILINE)
REGION_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|\r?$)", re.MULTILINE)
BOM = "\ufeff"


class RegionError(ValueError):
    """Markers that do not pair up; the message says where."""


@dataclass(frozen=True)
class Region:
    """A part of the file that Marginalia keeps up to date: the lines between its markers,
    each with its line ending."""

    id: str
    text: str


@dataclass
class ExportedFile:
    """An exported file in parts: an optional byte-order mark, the front matter's lines
    between its `---` lines (None when there is none), and the body as text of the user's
    and regions, in order."""

    front: str | None
    parts: list[str | Region]
    bom: str = ""
    newline: str = "\n"

    def regions(self) -> dict[str, Region]:
        return {part.id: part for part in self.parts if isinstance(part, Region)}

    def text(self) -> str:
        nl = self.newline
        out = [self.bom]
        if self.front is not None:
            out += ["---", nl, self.front, "---", nl]
        for part in self.parts:
            if isinstance(part, Region):
                out += [BEGIN.format(part.id), nl, _with_newline(part.text, nl),
                        END.format(part.id), nl]
            else:
                out.append(part)
        return "".join(out)


def region(text: str, region_id: object) -> str:
    """`text` between the markers of region `region_id` (the template filter `region`),
    its blank lines at either end dropped."""
    name = str(region_id)
    if not REGION_ID.fullmatch(name):
        raise RegionError(f"{name!r} cannot name a region: use letters, digits, '-' and '_'.")
    body = text.strip("\n")
    return "\n".join([BEGIN.format(name), *([body] if body else []), END.format(name), ""])


def parse(text: str, wrap: str | None = None) -> ExportedFile:
    """The file's parts; RegionError when its markers do not pair up. With `wrap`, a body
    without any region becomes one region of that id (what a template without regions
    exports: all of it is Marginalia's)."""
    bom = BOM if text.startswith(BOM) else ""
    text = text[len(bom):]
    newline = "\r\n" if "\r\n" in text else "\n"
    front, body = _split_front_matter(text)
    parts = _parse_body(body, first_line=text.count("\n", 0, len(text) - len(body)) + 1)
    if wrap is not None and not any(isinstance(p, Region) for p in parts):
        inner = body.strip("\r\n")
        parts = [Region(wrap, inner + newline if inner else "")]
    return ExportedFile(front, parts, bom, newline)


_OPENING = re.compile(r"---[ \t]*\r?\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?(?:\n|\Z)", re.MULTILINE)


def _split_front_matter(text: str) -> tuple[str | None, str]:
    opening = _OPENING.match(text)
    if opening is None:
        return None, text
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        return None, text  # no closing line: not front matter
    return text[opening.end():closing.start()], text[closing.end():]


def _parse_body(body: str, first_line: int = 1) -> list[str | Region]:
    parts: list[str | Region] = []
    open_id: str | None = None
    seen: set[str] = set()
    last = 0  # where the text after the previous marker line starts

    def line(match: re.Match) -> int:
        return first_line + body.count("\n", 0, match.start())

    for marker in _MARKER.finditer(body):
        kind, region_id = marker.groups()
        between = body[last:marker.start()]
        last = marker.end()
        if kind == "begin":
            if open_id is not None:
                raise RegionError(f"line {line(marker)}: region {region_id} begins inside "
                                  f"region {open_id}")
            if region_id in seen:
                raise RegionError(f"line {line(marker)}: a second region {region_id}")
            if between:
                parts.append(between)
            open_id = region_id
            seen.add(region_id)
        else:
            if open_id != region_id:
                where = f"region {open_id}" if open_id else "no region"
                raise RegionError(f"line {line(marker)}: the end of region {region_id} in "
                                  f"{where}")
            parts.append(Region(region_id, between))
            open_id = None
    if open_id is not None:
        raise RegionError(f"region {open_id} has no end marker")
    if body[last:]:
        parts.append(body[last:])
    return parts


def digest(text: str) -> str:
    """A short hash of a region's text that ignores line endings, trailing spaces and
    blank lines at either end (an editor's tidying is not an edit)."""
    lines = [line.rstrip() for line in text.splitlines()]
    normal = "\n".join(lines).strip("\n")
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _with_newline(text: str, newline: str) -> str:
    if not text:
        return ""
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", newline)


def merge_body(old: list[str | Region], new: list[Region], written: dict[str, str],
               newline: str = "\n") -> tuple[list[str | Region], list[str]]:
    """The body of a file the user changed, brought up to date with the export's regions
    `new` (in Marginalia's order), and what the user should know.

    `written` holds the digest of each region as last exported (the regions of the
    file's manifest entry): a region whose text no longer has that digest was edited by
    the user; an id in it that the file lacks is a region the user deleted."""
    fresh = {r.id: r for r in new}
    parts: list[str | Region] = []
    notes: list[str] = []
    present: set[str] = set()
    removed_before = False
    for part in old:
        if not isinstance(part, Region):
            if removed_before and _ends_with_blank_line(parts):
                # The blank line that separated the removed region goes with it.
                first = part[:part.find("\n") + 1] if "\n" in part else part
                if not first.strip():
                    part = part[len(first):]
            if part:
                parts.append(part)
            removed_before = False
            continue
        was = written.get(part.id)
        edited = was is not None and digest(part.text) != was
        replacement = fresh.get(part.id)
        if replacement is None:  # deleted in Marginalia
            if edited:
                parts.append(_with_newline(part.text, newline))
                notes.append(f"{part.id} is gone from Marginalia; the text you wrote inside "
                             "its markers is kept, without them")
            else:
                removed_before = True
            continue
        present.add(part.id)
        if not edited or digest(replacement.text) == was:
            parts.append(part if edited else replacement)
            continue
        # Both sides changed: the user's version stays, as their text, above the new one.
        parts += [_with_newline(part.text, newline), newline, replacement]
        notes.append(f"{part.id} changed in Marginalia and you had written inside its "
                     "markers: your version is kept just above the new one, without markers")
    order = [r.id for r in new]
    for index, item in enumerate(new):
        if item.id in present or item.id in written:
            continue  # kept, or deleted by the user: not brought back
        following = next((i for i in order[index + 1:] if i in present), None)
        if following is not None:
            spot = _position(parts, following)
            parts[spot:spot] = [item, newline]
        else:
            preceding = next((i for i in reversed(order[:index]) if i in present), None)
            _insert_after(parts, item, preceding, newline)
        present.add(item.id)
    return parts, notes


def _position(parts: list[str | Region], region_id: str) -> int:
    return next(n for n, p in enumerate(parts) if isinstance(p, Region) and p.id == region_id)


def _insert_after(parts: list[str | Region], item: Region, preceding: str | None,
                  newline: str) -> None:
    """Put a region that comes after every region the file has: after the text written
    under the region before it, but before a heading there (the start of a section of
    the user's own); at the end of the file when nothing of Marginalia's is left."""
    spot = len(parts)
    if preceding is not None:
        after = _position(parts, preceding) + 1
        spot = after
        while spot < len(parts) and not isinstance(parts[spot], Region):
            chunk = parts[spot]
            heading = _HEADING.search(chunk)
            if heading:
                parts[spot:spot + 1] = [chunk[:heading.start()], chunk[heading.start():]]
                spot += 1
                break
            spot += 1
    before = parts[:spot]
    insert: list[str | Region] = []
    if before and not _ends_with_blank_line(before):
        insert.append(newline if _ends_with_newline(before) else newline * 2)
    insert.append(item)
    if spot < len(parts):
        insert.append(newline)
    parts[spot:spot] = insert


def _ends_with_newline(parts: list[str | Region]) -> bool:
    last = parts[-1]
    return isinstance(last, Region) or last.endswith("\n")


def _ends_with_blank_line(parts: list[str | Region]) -> bool:
    """Whether what `parts` make ends with a blank line (or is only blank so far)."""
    tail: list[str] = []
    for part in reversed(parts):
        if isinstance(part, Region):
            tail.append("region\n")  # a region's end marker ends its line
            break
        tail.append(part)
    else:
        if not "".join(tail).strip():
            return True
    return "".join(reversed(tail)).replace("\r\n", "\n").endswith("\n\n")
