"""Escaping a line of text for Markdown: only what CommonMark or Obsidian would read as syntax.

A quote exported as `Ukraine\\.` is hard to read in the file; `Ukraine.` is what was
written and renders the same. So a character is escaped only where a CommonMark, GFM or
Obsidian parser would otherwise read it as syntax, in any of the places the export puts
text (see `escape_inline`). Three kinds of rule decide:

* Line starts, read by fixed rules: an ATX heading (`# `), a block quote (`>`), a list
  item (`- `, `+ `, `* `, `1. `, `1) `), a thematic break or setext underline (`***`,
  `---`, `===`), a code fence, an HTML block, a link reference definition, an Obsidian
  callout (`[!note]`).
* Syntax that a regular expression decides exactly, anywhere in the line: a backslash
  before punctuation; `<` that starts raw HTML or an autolink (markdown-it's own
  patterns); `&` that starts a character reference (a real entity name); and Obsidian's
  additions, which have no CommonMark parser here: `#tag`, `==mark==`, `%%comment%%`,
  `$math$`, a trailing `^block-id`, `^[inline footnote]` and `[[wiki links]]`.
* Delimiters that pair with each other — emphasis (`*`, `_`), code spans (backticks),
  links (`[`, `]`) and strikethrough (`~`) — whose rules (flanking, the rule of three,
  precedence) are too intricate to restate safely: every candidate is escaped, and then
  each escape is dropped again if markdown-it, the CommonMark parser Marginalia already
  uses, still reads the line (alone and inside emphasis, strong emphasis and link text)
  as plain text without it. The check runs only on lines that hold such a character and
  costs a few tens of microseconds; prose mostly has none.

Escapes are backslashes before ASCII punctuation, which every CommonMark parser (and
Obsidian) reads as the character itself.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable

from markdown_it import MarkdownIt
from markdown_it.common.entities import entities
from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.rules_block.html_block import HTML_SEQUENCES
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE

ASCII_PUNCTUATION = frozenset(string.punctuation)

# Characters some rule looks at anywhere in a line; a line without any (and without a
# special first character) is returned as it is. "." "," "-" "(" ")" ":" "!" "?" "'"
# are not among them: they are syntax only at a line start, checked separately.
_ANYWHERE = re.compile(r"[\\`*_\[\]<&#=%$^~]")
_LINE_START = frozenset("#>-+*=`~<[_!0123456789")

# The pairing delimiters, judged by markdown-it.
_PAIRING = re.compile(r"[*_`\[\]~]")
# Past this many candidates on one line (code pasted as a quote, say), all are kept
# escaped: correct, just not the fewest escapes, and the check stays cheap.
MAX_JUDGED = 24

_ATX_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_BULLET = re.compile(r"[-+*](?:[ \t]|$)")
_ORDERED = re.compile(r"\d{1,9}([.)])(?:[ \t]|$)")
_THEMATIC = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"-+[ \t]*$")  # an underline, after a hard line break
_EQUALS_LINE = re.compile(r"=+[ \t]*$")
_FENCE = re.compile(r"`{3,}[^`]*$|~{3,}")
_CALLOUT = re.compile(r"\[![\w-]+\]")
_CALLOUT_IN_LINK = re.compile(r"![\w-]+(?:\]|$)")
_HEADING_CLOSE = re.compile(r"(?:^|[ \t])(#+)$")  # `# Title #`: a closing sequence
_DIGITAL = re.compile(r"&#(?:[xX][0-9a-fA-F]{1,6}|[0-9]{1,7});")
_NAMED = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_ID = re.compile(r"(?:^|(?<=\s))\^[A-Za-z0-9-]+$")
_BACKSLASH_LT_AMP = re.compile(r"[\\<&]")
_DOLLAR = re.compile(r"\$")
_RUN = {ch: re.compile(re.escape(ch) + "+") for ch in "=%"}
# A tag: '#' then letters, digits, '_', '-', '/' or any non-ASCII character, not all digits.
_NOT_NUMERIC = re.compile(r"[^\d/]")
_TAG_BODY = re.compile(r"[^\s!-,.:-@\[-^`{-~]+")


def _judges() -> list[MarkdownIt]:
    # GFM's strikethrough as markdown-it has it, and GitHub's variant with single tildes.
    double = MarkdownIt("commonmark").enable(["strikethrough"])
    single = MarkdownIt("commonmark", {"strikethrough_single_tilde": True}).enable(
        ["strikethrough"])
    for judge in (double, single):
        # markdown-it leaves `[x](javascript:…)` as text for safety; other parsers make a
        # link of it, so for the judge every destination is a link.
        judge.validateLink = lambda url: True
    return [double, single]


_JUDGES = _judges()
_BLOCKS = MarkdownIt("commonmark")
# (before, after, token types around the text): the places escaped text must stay text.
_WRAPPERS = (("", "", (), ()), ("*", "*", ("em_open",), ("em_close",)),
             ("**", "**", ("strong_open",), ("strong_close",)),
             ("[", "](<u>)", ("link_open",), ("link_close",)))


def plain(line: str) -> bool:
    """Whether no rule could escape anything in `line` (most prose): no character any
    rule looks at, and an ordinary first character."""
    return not _ANYWHERE.search(line) and not (line and line[0] in _LINE_START)


def escape_line(line: str, escapable: Callable[[int], bool], expected: str,
                wrapped: bool = True) -> str:
    """`line` with a backslash before each character that would otherwise be syntax.

    `escapable(i)` says whether the character at i is the text's own (character
    references the caller wrote, such as `&#32;` for an edge space, are not);
    `expected` is the text the line must render to (its references decoded). The line
    stays text alone, after a hard line break and after `# `; when `wrapped`, also as the
    text of emphasis, strong emphasis, a link or a mark."""
    return apply(line, escapes(line, escapable, expected, wrapped))


def escapes(line: str, escapable: Callable[[int], bool], expected: str,
            wrapped: bool = True) -> set[int]:
    """The positions in `line` that `escape_line` puts a backslash before."""
    if plain(line):
        return set()
    fixed = {i for i in _fixed_escapes(line, wrapped) if escapable(i)}
    candidates = [m.start() for m in _PAIRING.finditer(line) if escapable(m.start())]
    while True:
        escaped = _judge(line, fixed, [i for i in candidates if i not in fixed], expected,
                         _WRAPPERS if wrapped else _WRAPPERS[:1])
        if 0 in escaped or not escapable(0) or not _defines_link(apply(line, escaped)):
            # Tags last: an escaped character ends a tag (`#a\_b` is the tag #a).
            return escaped | {i for i in _tags(line, escaped) if escapable(i)}
        # `[label]: destination` at the start of a paragraph defines a link and vanishes:
        # its '[' is escaped, and the rest judged again with that.
        fixed = fixed | {0}


# Cut into pieces by inserted delimiters (marks), a line's characters could pair across
# a cut where they did not before; in such a line every one of these is escaped.
_SPLITTABLE = re.compile(r"[\\`*_\[\]~<$=#%^&!]")


def strict_escapes(line: str, escapable: Callable[[int], bool]) -> set[int]:
    """Every position `escape_line` might escape in any cut of the line, and more: for a
    line that `==` marks will be inserted into (reader.export.full_text)."""
    found = {m.start() for m in _SPLITTABLE.finditer(line) if escapable(m.start())}
    return found | {i for i in _line_start(line) if escapable(i)}


def _defines_link(line: str) -> bool:
    if not line.startswith("[") or "]:" not in line:
        return False
    tokens = _BLOCKS.parse(line)
    return not tokens or tokens[0].type != "paragraph_open"


def apply(line: str, escaped: Iterable[int]) -> str:
    """`line` with a backslash before each of the positions `escaped`."""
    out, last = [], 0
    for i in sorted(escaped):
        out.append(line[last:i])
        out.append("\\")
        last = i
    out.append(line[last:])
    return "".join(out)


def _judge(line: str, fixed: set[int], candidates: list[int], expected: str,
           wrappers: tuple) -> set[int]:
    """The fixed escapes plus the fewest candidates markdown-it needs to read `line` as
    `expected` in every wrapper: first without any, then dropping them one at a time."""
    if not candidates:
        return set(fixed)
    if _plain(apply(line, fixed), expected, wrappers):
        return set(fixed)
    escaped = fixed | set(candidates)
    if len(candidates) > MAX_JUDGED:
        return escaped
    changed = True
    while changed:  # until no escape can go: each one left is needed
        changed = False
        for i in candidates:
            if i in escaped and _plain(apply(line, escaped - {i}), expected, wrappers):
                escaped.discard(i)
                changed = True
    return escaped


def _plain(source: str, expected: str, wrappers: tuple) -> bool:
    """Whether markdown-it reads `source` as the text `expected` in each of `wrappers`
    (alone, and as the text of emphasis, strong emphasis and a link)."""
    judges = _JUDGES if "~" in source else _JUDGES[:1]
    for before, after, opening, closing in wrappers:
        for judge in judges:
            children = [t for t in judge.parseInline(before + source + after)[0].children or ()
                        if t.type != "text" or t.content]  # emphasis leaves empty texts
            inner = children[len(opening):len(children) - len(closing)]
            if (tuple(t.type for t in children[:len(opening)]) != opening
                    or tuple(t.type for t in children[len(children) - len(closing):])
                    != closing or any(t.type != "text" for t in inner)
                    or "".join(t.content for t in inner) != expected):
                return False
    return True


def _fixed_escapes(line: str, wrapped: bool) -> set[int]:
    found: set[int] = set()
    found |= _line_start(line)
    found |= _heading_close(line)
    for match in _BACKSLASH_LT_AMP.finditer(line):
        i, ch = match.start(), match.group()
        if ch == "\\":
            if line[i + 1:i + 2] in ASCII_PUNCTUATION or (wrapped and i + 1 == len(line)):
                found.add(i)  # at the end it would escape the delimiter after the text
        elif ch == "<":
            if _html_or_autolink(line, i):
                found.add(i)
        elif _DIGITAL.match(line, i) or (
                (named := _NAMED.match(line, i)) and named.group(1) in entities):
            found.add(i)
    marks = _runs(line, "=", wrapped)
    found |= marks | _runs(line, "%", wrapped)
    if not marks and _EQUALS_LINE.match(line):
        # A setext underline after a hard line break: broken like a mark's run (`=\==`),
        # so that what is left of the run is no mark's delimiter either.
        length = len(line) - len(line.lstrip("="))
        found |= {0} if length == 1 else set(range(1, length, 2))
    found |= _math(line)
    found |= _links_and_footnotes(line, wrapped)
    block_id = _BLOCK_ID.search(line)
    if block_id:
        found.add(block_id.start())
    return found


def _line_start(line: str) -> set[int]:
    """Block syntax at the start of a line: alone, or after a hard line break."""
    if not line:
        return set()
    first = line[0]
    if first == "#" and _ATX_HEADING.match(line):
        return {0}
    if first == ">":
        return {0}
    if first in "-+*" and _BULLET.match(line):
        return {0}
    if first.isdigit():
        ordered = _ORDERED.match(line)
        return {ordered.start(1)} if ordered else set()
    if _THEMATIC.match(line) or _SETEXT.match(line) or _FENCE.match(line):
        return {0}
    if first == "<" and any(opening.search(line) for opening, _close, _ in HTML_SEQUENCES):
        return {0}
    if first == "[" and _CALLOUT.match(line):
        return {0}  # an Obsidian callout's title, when the line starts a block quote
    return set()


def _heading_close(line: str) -> set[int]:
    # `# ` + text: a run of '#' at the end after a space would be a closing sequence.
    closing = _HEADING_CLOSE.search(line)
    return {closing.start(1)} if closing else set()


def _html_or_autolink(line: str, i: int) -> bool:
    if HTML_TAG_RE.match(line, i):
        return True
    end = line.find(">", i + 1)
    if end < 0:
        return False
    inside = line[i + 1:end]
    return "<" not in inside and bool(AUTOLINK_RE.match(inside) or EMAIL_RE.match(inside))


def _tags(line: str, escaped: set[int]) -> set[int]:
    """Obsidian tags: '#' after a line start, a space or punctuation, then a tag's
    characters up to an escaped one, not all of them digits (`#1984` is not a tag)."""
    found = set()
    start = line.find("#")
    while start >= 0:
        before = line[start - 1] if start else " "
        if before.isspace() or (before in ASCII_PUNCTUATION and before not in "#&"):
            body = _TAG_BODY.match(line, start + 1)
            end = min((i for i in escaped if body and start < i < body.end()),
                      default=body.end() if body else 0)
            if body and _NOT_NUMERIC.search(line[start + 1:end]):
                found.add(start)
        start = line.find("#", start + 1)
    return found


def _runs(line: str, ch: str, wrapped: bool) -> set[int]:
    """Obsidian's `==mark==` and `%%comment%%`: no run of two or more may stay.

    A `=` run is a mark's delimiter where it touches a word (an unclosed `==` marks the
    rest of the block); runs of one are text, so every second character is escaped. A
    `=` at either end of the text would join the `==` of a mark around it."""
    found = set()
    for run in _RUN[ch].finditer(line):
        start, end = run.span()
        if ch == "=":
            touches_word = ((start > 0 and not line[start - 1].isspace())
                            or (end < len(line) and not line[end].isspace()))
            at_start, at_end = wrapped and start == 0, wrapped and end == len(line)
            if not (at_start or at_end or (end - start >= 2 and touches_word)):
                continue
            if at_start:
                found.update(range(start, end, 2))
                if at_end and (end - start) % 2 == 0:
                    found.add(end - 1)
            elif at_end:
                found.update(range(end - 1, start - 1, -2))
            else:
                found.update(range(start + 1, end, 2))
        elif end - start >= 2:
            found.update(range(start + 1, end, 2))
    return found


def _math(line: str) -> set[int]:
    """Obsidian's `$math$`: a `$` before a non-space opens, one after a non-space closes;
    every opener with a closer somewhere after it is escaped."""
    dollars = [m.start() for m in _DOLLAR.finditer(line)]
    if len(dollars) < 2:
        return set()
    closers = [i for i in dollars if i > 0 and not line[i - 1].isspace()]
    last_closer = closers[-1] if closers else -1
    return {i for i in dollars
            if i + 1 < len(line) and not line[i + 1].isspace() and i < last_closer}


def _links_and_footnotes(line: str, wrapped: bool) -> set[int]:
    """Obsidian's `[[wiki links]]` and `^[inline footnotes]`: the '[' after the first
    '[' (or after '^') is escaped, when a closing bracket follows."""
    found = set()
    if not wrapped:
        pass
    elif line.startswith("[") and ("]]" in line or line.endswith("]")):
        found.add(0)  # as a link's text, `[` + `[…]` + `](…)` would be `[[…]]`
    elif _CALLOUT_IN_LINK.match(line):
        found.add(0)  # as a link's text at a line start: `[!note]…`
    after = "]" if wrapped else ""  # a link's text is followed by its `]`
    i = line.find("[")
    while i >= 0:
        if i + 1 < len(line) and line[i + 1] == "[" and i not in found \
                and "]]" in line[i + 2:] + after:
            found.add(i + 1)
        elif i > 0 and line[i - 1] == "^" and "]" in line[i + 1:] + after:
            found.add(i)
        i = line.find("[", i + 1)
    return found
