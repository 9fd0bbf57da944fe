"""Safe Markdown for exports: quotes that render literally, valid tags, notes that cannot escape."""

from __future__ import annotations

import re
import unicodedata

from collections.abc import Callable

from reader.export.escaping import (ASCII_PUNCTUATION, apply, escape_line, plain,
                                    strict_escapes)

# Control characters that survive as numeric character references. markdown-it (and HTML)
# turn references to the other C0/C1 controls into U+FFFD, and CommonMark replaces U+0000
# even when written literally, so those can never render as themselves.
_REFERABLE_CONTROLS = frozenset("\t\n\x0c\r")

REPLACEMENT = "\ufffd"

_LINE_ENDING = re.compile(r"\r\n|\r|\n")
# Line endings and the control characters that cannot be written as themselves.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_UNREPRESENTABLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_TAG_UNSAFE = re.compile(r"[^\w-]")
_HAS_NON_DIGIT = re.compile(r"[^\d/]")


def _is_edge_space(ch: str) -> bool:
    # Paragraph text is trimmed before inline parsing, by markdown-it-py of Unicode spaces,
    # NBSP and U+2028/9, and by JavaScript's String.trim (markdown-it, Obsidian) of U+FEFF
    # too; any of these at either end of a line is written as a reference, never trimmed.
    return ch.isspace() or ch == "\ufeff"


def _reference(ch: str) -> str:
    return f"&#{ord(ch)};"


def _is_unrepresentable(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category == "Cs":  # a lone surrogate cannot even be written to a UTF-8 file
        return True
    return category == "Cc" and ch not in _REFERABLE_CONTROLS


def representable(text: str) -> str:
    """`text` as a Markdown export can show it: lone surrogates and control characters other
    than tab, line feed, form feed and carriage return become U+FFFD (the replacement character)."""
    if not _UNREPRESENTABLE.search(text):
        return text
    return "".join(REPLACEMENT if _is_unrepresentable(ch) else ch for ch in text)




def escape_inline(text: str, wrapped: bool = True) -> str:
    """Text that CommonMark (and Obsidian) renders as exactly `text`, as one line.

    The result stays text wherever a line of text goes: as a line of its own (a
    paragraph, a block quote's line, a list item), as the line after a hard line break,
    as a heading's text after `# `, and, when `wrapped` (the default), as the text of
    emphasis (`*…*`, `**…**`), a link (`[…](…)`) or an Obsidian mark (`==…==`) in such a
    line. Only characters that would be syntax in one of those places get a backslash
    (see reader.export.escaping); text that is never wrapped, such as a quote's line,
    needs fewer (`[sic]` stays as it is, where as a link's text it would close the link):
    `Ukraine.` stays as it is, `1. item` at a line start becomes `1\\. item`, `#tag`
    becomes `\\#tag`, `**bold**` becomes `\\*\\*bold\\*\\*`.

    Whitespace at either end (spaces, tabs, NBSP, other Unicode spaces) and line feeds,
    carriage returns and form feeds anywhere become numeric character references
    (`&#32;`, `&#9;`, `&#10;`, ...); spaces and tabs inside the line are kept literally.
    Other control characters and lone surrogates become U+FFFD, see `representable`.
    Everything else, including all non-ASCII text, is kept as is.
    """
    if (text and not _is_edge_space(text[0]) and not _is_edge_space(text[-1])
            and plain(text) and not _CONTROL.search(text)):
        return text  # most prose: nothing to escape, no reference to write
    line, escapable, _offset = _surface(text)
    return escape_line(line, escapable, representable(text), wrapped)


def escape_marked(text: str, marks: list[tuple[int, int]]) -> str:
    """`text` as one line, as `escape_inline` gives it, with each range of `marks`
    (code-point offsets into `text`, in order, not overlapping) between `==` (Obsidian's
    mark). White space at either end of a range is left outside it (`== a==` would not be
    a mark). Characters that could pair with others across a mark's delimiters are all
    escaped, so the text reads a little less cleanly where it is marked."""
    kept = []
    for start, end in marks:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            kept.append((start, end))
    if not kept:
        return escape_inline(text)
    line, escapable, offset = _surface(text)
    escaped = sorted(strict_escapes(line, escapable))
    inserts = sorted((offset(k), n) for n, k in enumerate(k for span in kept for k in span))
    out, last = [], 0
    for position, _n in inserts:
        out.append(apply(line[last:position], [e - last for e in escaped
                                                if last <= e < position]))
        out.append("==")
        last = position
    out.append(apply(line[last:], [e - last for e in escaped if e >= last]))
    return "".join(out)


def _surface(text: str) -> tuple[str, Callable[[int], bool], Callable[[int], int]]:
    """The line `text` becomes before escaping: white space at either end and line
    endings as character references, unrepresentable characters as U+FFFD. With it,
    whether a position in the line holds one of the text's own punctuation characters
    (one that may be escaped), and the line's position of each of the text's."""
    lead = 0
    while lead < len(text) and _is_edge_space(text[lead]):
        lead += 1
    body_end = len(text)
    while body_end > lead and _is_edge_space(text[body_end - 1]):
        body_end -= 1

    def edge(part: str) -> str:
        return "".join(REPLACEMENT if _is_unrepresentable(ch) else _reference(ch)
                       for ch in part)

    head, middle, tail = edge(text[:lead]), text[lead:body_end], edge(text[body_end:])
    if _CONTROL.search(middle):
        parts, own, starts, at = [], set(), [], len(head)
        for ch in middle:
            if ch in _REFERABLE_CONTROLS and ch != "\t":
                piece = _reference(ch)  # a literal line ending would end the line
            elif _is_unrepresentable(ch):
                piece = REPLACEMENT
            else:
                piece = ch
                if ch in ASCII_PUNCTUATION:
                    own.add(at)
            parts.append(piece)
            starts.append(at)
            at += len(piece)
        starts.append(at)
        middle = "".join(parts)

        def escapable(i: int) -> bool:
            return i in own

        def offset(k: int) -> int:
            return starts[min(max(k - lead, 0), len(starts) - 1)]
    else:
        low, high = len(head), len(head) + len(middle)

        def escapable(i: int) -> bool:
            return low <= i < high

        def offset(k: int) -> int:
            return low + min(max(k - lead, 0), high - low)

    return head + middle + tail, escapable, offset


def paragraphs(text: str) -> list[str]:
    """The paragraphs `blockquote` makes of `text`: split at every line ending (\\n, \\r\\n or
    a lone \\r), empty ones dropped (a line of only spaces is kept, it is not empty)."""
    return [part for part in _LINE_ENDING.split(text) if part]


def blockquote(text: str) -> str:
    """The text as a Markdown block quote ("> " lines), without a trailing newline.

    Each line of `text` becomes its own quoted paragraph (a "> " line, with an empty ">"
    line between paragraphs), escaped with `escape_inline` so the quote renders to exactly
    its text. Empty lines collapse (see `paragraphs`); text without any paragraph gives a
    lone ">", an empty block quote. Separate the result from what follows with a blank line.
    """
    parts = paragraphs(text)
    if not parts:
        return ">"
    return "\n>\n".join("> " + escape_inline(part, wrapped=False) for part in parts)


def hashtag(name: str) -> str:
    """An Obsidian/Logseq tag for a Marginalia tag name, e.g. 'history/rome' -> '#history/rome'.

    The name is NFC-normalised; a leading '#' is dropped; nesting by '/' is kept, with
    empty segments and surrounding spaces removed; runs of whitespace become '-' and every
    other character that is not a letter, digit, '_' or '-' becomes '_' ('Key claim' ->
    '#Key-claim', 'C++' -> '#C__'). A tag of only digits and '/' (Obsidian ignores purely
    numeric tags such as '#2024') gets a leading '_': '#_2024'; an empty name gives '#_'.
    The result always matches `^#[\\w/-]+$`.
    """
    name = unicodedata.normalize("NFC", name).strip().lstrip("#")
    segments = []
    for raw in name.split("/"):
        segment = "-".join(_TAG_UNSAFE.sub("_", word) for word in raw.split())
        if segment:
            segments.append(segment)
    body = "/".join(segments)
    if not _HAS_NON_DIGIT.search(body):
        body = "_" + body
    return "#" + body


def contained(markdown: str, label: str = "Note") -> str:
    """The user's Markdown kept as written, inside an Obsidian/GitHub callout it cannot escape.

    The first line is '> [!note] <label>' (label escaped with `escape_inline`), then an
    empty '>' line and every line of `markdown` prefixed with '> ' ('>' for empty lines;
    trailing empty lines dropped). Lines are split at every CommonMark line ending (\\n,
    \\r\\n and a lone \\r) so that none can start outside the quote. A block quote closes
    everything opened inside it, so an unclosed code fence or HTML block, a '---' line, a
    heading or fake front matter in the note stays inside. No trailing newline: separate
    the result from what follows with a blank line, otherwise a following paragraph line
    would continue the quote lazily.

    What stays the user's responsibility: raw HTML that is valid Markdown but unbalanced as
    HTML (an unclosed `<!--` or `<script>`) reaches the HTML unchanged; Obsidian renders
    each block separately, but a tool rendering the whole file as one HTML page may not.
    """
    title = escape_inline(label, wrapped=False)
    lines = [f"> [!note] {title}" if title else "> [!note]"]
    body = _LINE_ENDING.split(markdown)
    while body and not body[-1]:
        body.pop()  # trailing blank lines mean nothing in Markdown
    if body:
        # A blank quoted line after the title: Obsidian ignores it, and elsewhere (plain
        # CommonMark, Logseq) the title stays its own paragraph instead of running into the
        # note's first line, which could otherwise turn it into a setext heading ('---').
        lines.append(">")
    lines.extend("> " + line if line else ">" for line in body)
    return "\n".join(lines)
