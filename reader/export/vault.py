"""Bringing one exported file up to date without losing anything the user wrote in it.

The file's regions and front matter are Marginalia's, the rest is the user's (see
reader.export.regions and reader.export.front_matter for the rules). A file from an
export older than the markers has no record of what was written: it is replaced, as
exports did then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reader.export import front_matter
from reader.export.regions import ExportedFile, Region, RegionError, digest, merge_body, parse


@dataclass
class Outcome:
    """What to do with one file: write `text` (None: leave the file as it is, because
    nothing changed or, with `conflict`, because it cannot be merged safely)."""

    text: str | None
    rendered: ExportedFile | None  # what Marginalia exported this time
    exported: str  # the time the file's Marginalia parts were rendered with
    notes: list[str] = field(default_factory=list)
    conflict: str | None = None


def state(rendered: ExportedFile, known: tuple[str, dict] | None = None) -> dict:
    """What the manifest keeps of an export: each region's digest, each front matter
    value's digest and the tags, to tell the user's changes from Marginalia's later.
    `known`: a front matter's text and the values it was written from (saves reading
    the YAML back)."""
    if rendered.front is not None and known is not None and rendered.front == known[0]:
        values = known[1]
    else:
        values = (front_matter.load(rendered.front) if rendered.front is not None
                  else None) or {}
    return {"regions": {r.id: digest(r.text) for r in rendered.regions().values()},
            "front": front_matter.digests(values),
            "tags": front_matter.tag_list(values.get("tags"))}


def update(old: bytes | None, written: dict, render: Callable[[str], ExportedFile],
           previous: str, now: str) -> Outcome:
    """The outcome for a file holding `old` (None: there is none), last exported with
    `written` (the manifest entry's record), whose export `render(time)` gives. The
    export is first rendered with the time it was last written (`previous`): if that
    leaves the file as it is, nothing changed; otherwise it is rendered with `now`."""
    if old is None:
        fresh = render(now)
        return Outcome(fresh.text(), fresh, now)
    try:
        old_text = old.decode("utf-8")
    except UnicodeDecodeError:
        return Outcome(None, None, previous, conflict="it is not UTF-8 text")
    before = render(previous)
    if "sha" not in written:  # written by an older export, without markers: replaced
        if before.text() == old_text:
            return Outcome(None, before, previous)
        after = render(now)
        return Outcome(after.text(), after, now)
    try:
        text, _notes = merge(old_text, before, written)
    except RegionError as exc:
        return Outcome(None, None, previous, conflict=f"its region markers do not pair up "
                                                      f"({exc})")
    if text == old_text:
        return Outcome(None, before, previous)
    after = render(now)
    text, notes = merge(old_text, after, written)
    return Outcome(text, after, now, notes)


def merge(old_text: str, new: ExportedFile, written: dict) -> tuple[str, list[str]]:
    """The file `old_text` with Marginalia's parts brought up to date from `new`."""
    old = parse(old_text)
    nl = old.newline
    front, notes = old.front, []
    values = front_matter.load(new.front) if new.front is not None else None
    if values:
        front, notes = front_matter.merge(old.front, values, written.get("front", {}),
                                          written.get("tags", []))
        if front is not None and front != old.front:
            front = front.replace("\r\n", "\n").replace("\n", nl)
    regions = [part for part in new.parts if isinstance(part, Region)]
    parts, region_notes = merge_body(old.parts, regions, written.get("regions", {}), nl)
    return ExportedFile(front, parts, old.bom, nl).text(), notes + region_notes
