"""An article's whole text as Markdown for an export, with its highlights marked where they are.

`marginalia export --full-text` writes the article as the reading pane shows it (the
document model: headings, paragraphs, lists, quotes, code, emphasis and links), with:

* each highlight marked `==…==` (Obsidian's mark), split at every paragraph (block) it
  crosses and at every change of style inside one; overlapping highlights are marked as
  one stretch;
* the highlight's block id (`^hl-40`) at the end of the block it starts in, where
  Obsidian reads block ids: a paragraph, a list item, and on its own line after a block
  quote or a code block (headings take none: Obsidian links them by their text). A block
  has one id: when several highlights start in one block it carries the first one's, and
  each of the others with a callout carries its id after the callout;
* after the block where a highlight ends, a callout (`> [!note] colour · #tags`) with its
  note, tags and a link back to Marginalia, for each highlight that has a note or tags;
  inside a list item the callout is nested in the item, so the list stays one list.

The text is cut into passages, each a region of the exported file: one ends after each
paragraph, list or code block in which a highlight starts, so that what the user writes
under a highlighted paragraph is outside every region and survives re-exports.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from reader.document.model import (BYLINE, CODE, HEADING, LINE_BREAK, LIST_ITEM, QUOTE, RULE,
                                   TITLE, Block, Document, Span)
from reader.export.markdown_safe import contained, escape_inline, escape_marked, hashtag
from reader.export.regions import MARKER_START
from reader.records import HighlightRecord

HEAD_KINDS = (TITLE, BYLINE)


@dataclass(frozen=True)
class Passage:
    id: str
    markdown: str


@dataclass(frozen=True)
class FullText:
    """The title and byline (`head`), and the rest of the text in passages."""

    head: str
    passages: tuple[Passage, ...]
    placed: frozenset[int] = frozenset()  # the ids of the highlights marked in it


def placed(document: Document, highlights: list[HighlightRecord]) -> list[HighlightRecord]:
    """The highlights that can be marked in this text: not orphaned, within it."""
    length = len(document.text)
    return [h for h in highlights if not h.orphaned and 0 <= h.start < h.end <= length]


def render(document: Document, highlights: list[HighlightRecord],
           callout: Callable[[HighlightRecord], list[str]]) -> FullText:
    """The document as Markdown with `highlights` (placed ones, see `placed`) marked.
    `callout(h)` gives the lines of highlight h's callout, or none."""
    blocks = document.blocks
    starts = document.block_starts()
    marks: list[list[tuple[int, int]]] = [[] for _ in blocks]
    first_block: dict[int, int] = {}
    starting: list[list[HighlightRecord]] = [[] for _ in blocks]
    ending: list[list[HighlightRecord]] = [[] for _ in blocks]
    for h in sorted(highlights, key=lambda h: (h.start, h.end, h.id)):
        inside = []
        b = max(0, bisect_right(starts, h.start) - 1)
        while b < len(blocks) and starts[b] < h.end:
            if h.start < starts[b] + len(blocks[b].text):
                inside.append(b)
            b += 1
        if not inside:
            continue
        for b in inside:
            marks[b].append((max(h.start, starts[b]) - starts[b],
                             min(h.end, starts[b] + len(blocks[b].text)) - starts[b]))
        first_block[h.id] = inside[0]
        starting[inside[0]].append(h)
        ending[inside[-1]].append(h)
    units = _units(blocks)
    given = _given(blocks, units, starting)
    head_units = 0
    while head_units < len(units) and blocks[units[head_units][0]].kind in HEAD_KINDS:
        head_units += 1

    def with_id(h: HighlightRecord) -> list[str]:
        lines = callout(h)
        return lines if not lines or h.id in given else [*lines, "", f"^hl-{h.id}"]

    rendered = [_unit(blocks, unit, [_union(marks[b]) for b in unit], starting, ending,
                      with_id) for unit in units]
    head = "\n\n".join(rendered[:head_units])
    passages: list[Passage] = []
    pending: list[str] = []
    for index in range(head_units, len(units)):
        pending.append(rendered[index])
        opened = [h for b in units[index] for h in starting[b]]
        if opened:
            passages.append(Passage(f"text-{opened[0].id}", "\n\n".join(pending)))
            pending = []
    if pending:
        passages.append(Passage("text-end", "\n\n".join(pending)))
    return FullText(head, tuple(passages), frozenset(first_block))


def _given(blocks, units, starting) -> set[int]:
    """The highlights whose block carries their id: the first to start in a paragraph,
    list item, quote or code block (headings take none)."""
    given = set()
    for unit in units:
        if blocks[unit[0]].kind == CODE:
            opened = [h for b in unit for h in starting[b]]
            given.update(h.id for h in opened[:1])
            continue
        for b in unit:
            if starting[b] and blocks[b].kind not in (TITLE, HEADING, RULE):
                given.add(starting[b][0].id)
    return given


def _units(blocks: tuple[Block, ...]) -> list[list[int]]:
    """Blocks that must stay together: a code block's lines (one fence), a list's items
    (a marker between them would end the list)."""
    units: list[list[int]] = []
    for index, block in enumerate(blocks):
        if units and block.kind in (CODE, LIST_ITEM) and blocks[units[-1][-1]].kind == block.kind:
            units[-1].append(index)
        else:
            units.append([index])
    return units


def _union(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _unit(blocks, unit, marks, starting, ending, callout) -> str:
    kind = blocks[unit[0]].kind
    if kind == CODE:
        lines = [blocks[b].text for b in unit]
        ids = [h for b in unit for h in starting[b]]
        notes = [h for b in unit for h in ending[b]]
        parts = [_fence(lines)]
        if ids:
            parts.append(f"^hl-{ids[0].id}")
        parts += _callouts(notes, callout, "")
        return "\n\n".join(parts)
    out = []
    for b, block_marks in zip(unit, marks):
        out.append(_block(blocks[b], block_marks, starting[b], ending[b], callout))
    return "\n\n".join(out)


def _block(block: Block, marks, starting, ending, callout) -> str:
    text = _edges("".join(_span(span, _within(marks, offset, len(span.text)))
                          for span, offset in _offsets(block.spans)))
    block_id = f"hl-{starting[0].id}" if starting else None
    kind = block.kind
    if kind == RULE:
        return "---"
    if kind == QUOTE:
        body = "\n".join("> " * block.level + line for line in text.split("\n"))
        parts = [body] + ([f"^{block_id}"] if block_id else [])
        return "\n\n".join(parts + _callouts(ending, callout, ""))
    if kind == LIST_ITEM:
        indent = "   " * (block.level - 1)
        marker = ("1. " if block.ordered else "- ") if block.item_start else "   "
        line = indent + marker + text + (f" ^{block_id}" if block_id else "")
        nested = " " * (len(indent) + len(marker))
        return "\n\n".join([line] + _callouts(ending, callout, nested))
    if kind in (TITLE, HEADING):
        level = 1 if kind == TITLE else min(6, block.level + 1)
        line = "#" * level + " " + text  # Obsidian links headings by their text, not ids
        return "\n\n".join([line] + _callouts(ending, callout, ""))
    if kind == BYLINE:
        text = f"*{text}*" if text.strip() else text
    line = text + (f" ^{block_id}" if block_id else "")
    return "\n\n".join([line] + _callouts(ending, callout, ""))


def _callouts(ending, callout, indent: str) -> list[str]:
    """The callouts of the highlights ending here, indented to sit in a list item."""
    parts = []
    for h in ending:
        lines = callout(h)
        if lines:
            parts.append("\n".join(indent + line if line else "" for line in lines))
    return parts


def _offsets(spans: tuple[Span, ...]):
    offset = 0
    for span in spans:
        yield span, offset
        offset += len(span.text)


def _within(marks, offset: int, length: int) -> list[tuple[int, int]]:
    return [(max(s, offset) - offset, min(e, offset + length) - offset)
            for s, e in marks if s < offset + length and offset < e]


def _fence(lines: list[str]) -> str:
    fence = "```"
    while any(fence in line for line in lines):
        fence += "`"
    if any(_looks_like_marker(line) for line in lines):
        # A code line that reads as a region marker would cut the file's regions: this
        # block is written as HTML instead, which shows the same.
        import html

        return "<pre><code>" + html.escape("\n".join(lines)) + "</code></pre>"
    return "\n".join([fence, *lines, fence])


def _looks_like_marker(line: str) -> bool:
    return line.lstrip().startswith(MARKER_START)


def _span(span: Span, marks: list[tuple[int, int]]) -> str:
    """The span as Markdown. White space at its ends is written outside its emphasis or
    link (`**bold** next`, as one would write it), and literally: inside a line a space
    needs no escape."""
    if span.code:
        return _code(span.text, marks)
    core = span.text.strip()
    if not core:
        return span.text.replace(LINE_BREAK, "\\\n")
    lead = span.text[:len(span.text) - len(span.text.lstrip())]
    trail = span.text[len(span.text.rstrip()):]
    marks = _within(marks, len(lead), len(core))
    lines, at = [], 0
    for line in core.split(LINE_BREAK):
        here = _within(marks, at, len(line))
        lines.append(escape_marked(line, here) if here else escape_inline(line))
        at += len(line) + 1
    text = "\\\n".join(lines)  # a hard line break: a backslash at the end of the line
    if span.bold:
        text = f"**{text}**"
    if span.italic:
        text = f"*{text}*"
    if span.link and span.link.startswith(("http://", "https://", "mailto:")):
        text = f"[{text}](<{span.link}>)"
    return _breaks(lead) + text + _breaks(trail)


def _breaks(space: str) -> str:
    return space.replace(LINE_BREAK, "\\\n")


def _edges(text: str) -> str:
    """A block's text with white space at either end as character references: a
    paragraph's ends are trimmed when it is read."""
    body = text.strip(" \t")
    if body == text:
        return text
    lead = text[:len(text) - len(text.lstrip(" \t"))]
    trail = text[len(text.rstrip(" \t")):]
    return ("".join(f"&#{ord(c)};" for c in lead) + body
            + "".join(f"&#{ord(c)};" for c in trail))


def _code(text: str, marks: list[tuple[int, int]]) -> str:
    pieces, at = [], 0
    for start, end in marks:
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    pieces.append((text[at:], False))
    out = []
    for piece, marked in pieces:
        if not piece:
            continue
        ticks = "`" * (_longest_run(piece) + 1)
        pad = " " if piece.startswith("`") or piece.endswith("`") else ""
        code = f"{ticks}{pad}{piece}{pad}{ticks}"
        out.append(f"=={code}==" if marked else code)
    return "".join(out)


def _longest_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


def callout_lines(h: HighlightRecord, colour_name: str, link: str) -> list[str]:
    """A highlight's callout: its colour and tags as the title, its note, what a revision
    changed in it, and a link back; none for a highlight without note, tags or change."""
    changed = h.changed_in is not None
    if not (h.note or h.tags or changed):
        return []
    title = " · ".join(part for part in (escape_inline(colour_name, wrapped=False),
                                         " ".join(hashtag(t) for t in h.tags)) if part)
    lines = [f"> [!note] {title}".rstrip()]
    if h.note:
        lines += contained(h.note).split("\n")[1:]
    if changed:
        lines += [">", "> Changed in a revision of the article; it read: “"
                  + escape_inline(h.previous_exact) + "”"]
    lines += [">", f"> [Open in Marginalia]({link})"]
    return lines
