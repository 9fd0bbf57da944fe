"""Export escaping: quotes render literally and readably (only what would be syntax is escaped),
tags are valid, notes stay inside their callout."""

from __future__ import annotations

import importlib.util
import re
import string
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml as escape_html

from reader.export.markdown_safe import (blockquote, contained, escape_inline, escape_marked,
                                         hashtag, representable)


def _renderer(preset: str) -> MarkdownIt:
    """A markdown-it preset, without linkify when linkify-it-py is not installed."""
    md = MarkdownIt(preset)
    if md.options.get("linkify") and importlib.util.find_spec("linkify_it") is None:
        md.disable("linkify")
        md.options["linkify"] = False
    return md


def _gfm_like() -> MarkdownIt:
    try:
        return _renderer("gfm-like")
    except KeyError:  # preset not shipped by this markdown-it-py version
        return MarkdownIt("commonmark").enable(["table", "strikethrough"])


RENDERERS = {"commonmark": MarkdownIt("commonmark"), "gfm-like": _gfm_like()}
try:  # gfm-like2 adds alerts ("> [!NOTE]"), task lists and single-tilde strikethrough
    RENDERERS["gfm-like2"] = _renderer("gfm-like2")
except KeyError:
    pass
COMMONMARK = RENDERERS["commonmark"]


class _Structure(HTMLParser):
    """Tags in order, the text of each <p>, and anything found outside paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.paragraphs: list[str] = []
        self.stray: list[str] = []
        self._in_p = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "p":
            self.paragraphs.append("")
            self._in_p = True

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)
        if tag == "p":
            self._in_p = False

    def handle_data(self, data: str) -> None:
        if self._in_p:
            self.paragraphs[-1] += data
        elif data.strip("\n"):
            self.stray.append(data)

    def handle_comment(self, data: str) -> None:
        self.stray.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.stray.append(decl)

    def handle_pi(self, data: str) -> None:
        self.stray.append(data)

    def unknown_decl(self, data: str) -> None:
        self.stray.append(data)


def structure(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser


def expected_paragraphs(text: str) -> list[str]:
    """What blockquote() promises, written independently of the module: split at \\r\\n, \\r
    or \\n, empty paragraphs dropped, unrepresentable control characters shown as U+FFFD."""
    shown = "".join(
        "\ufffd" if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0c" else ch
        for ch in text
    )
    return [part for part in re.split(r"\r\n|\r|\n", shown) if part]


def assert_quote_renders_literally(text: str, md: MarkdownIt = COMMONMARK) -> None:
    html = md.render(blockquote(text))
    found = structure(html)
    wanted = expected_paragraphs(text)
    assert found.tags == ["blockquote"] + ["p", "/p"] * len(wanted) + ["/blockquote"], html
    assert found.stray == [], html
    assert found.paragraphs == wanted, html


HOSTILE = [
    "<b>bold</b> and <span>raw html</span>",
    "<script>alert(1)</script>",
    "<div>",
    "<!-- x -->",
    "[x](javascript:alert(1))",
    "<https://e.org>",
    "<me@example.org>",
    "https://e.org and www.example.com",
    "---",
    "***",
    "___",
    "===",
    "- - -",
    "`code` and ``more``",
    "```",
    "```python",
    "~~~",
    "# heading",
    "###### heading",
    "#",
    "> quote",
    ">",
    "- item",
    "+ item",
    "* item",
    "-",
    "1. item",
    "1) item",
    "1.",
    "[!NOTE]",
    "[!note] Callout title",
    "- [ ] task",
    "[x] done",
    "[[wiki]]",
    "[[wiki|alias]]",
    "![img](x)",
    "![[embed.png]]",
    "[^1]",
    "[^1]: footnote",
    "[ref]: /url",
    "#tag",
    "a #tag in the middle",
    "==mark==",
    "%%c%%",
    "$x$",
    "$$",
    "&amp;",
    "&#65;",
    "&copy; &nbsp; &#x41;",
    "a  ",
    "a\\",
    "a\\\\",
    "\\*not emphasis\\*",
    "    indented code",
    "\ttab",
    "a\tb",
    "tab at end\t",
    "|a|b|",
    "| a | b |",
    "^blockid",
    "end of line ^blockid",
    "*emphasis* _emphasis_ **strong** __strong__",
    "~~strike~~ ~sub~",
    "{{macro}} ((block-ref)) key:: value",
    "<<<>>>",
    "  leading and   inner   and trailing  ",
    "\u201ccurly quotes\u201d \u2018single\u2019 \U0001f600 emoji\u00a0nbsp \u6f22\u5b57",
    "\u00a0nbsp at both ends\u00a0",
    "\u3000ideographic space\u2003",
    "\ufeffbyte order mark",
    "carriage\rreturn",
    "form\x0cfeed",
    "nul\x00 bell\x07 escape\x1b del\x7f",
    (
        "Multi-paragraph quote:\n# not a heading\n\n- not a list\n```\n<div>not html</div>\n"
        "---\n  [[wiki]] ==mark== $x$ &amp; a  \r\n1. [^1] %%c%% ^id |a|b|"
    ),
]


@pytest.mark.parametrize("name", sorted(RENDERERS))
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_literally_in_a_blockquote(text, name):
    assert_quote_renders_literally(text, RENDERERS[name])


def test_multi_paragraph_quote_keeps_its_paragraphs():
    text = "First *line*\n## second\n\n\nthird | with | pipes"
    html = COMMONMARK.render(blockquote(text))
    assert structure(html).paragraphs == ["First *line*", "## second", "third | with | pipes"]
    assert blockquote(text).splitlines()[1] == ">"


def test_blockquote_of_nothing_is_an_empty_quote():
    assert structure(COMMONMARK.render(blockquote(""))).tags == ["blockquote", "/blockquote"]
    assert blockquote("\n\r\n") == ">"


def test_spaces_inside_a_line_and_tabs_stay_literal_in_the_source():
    escaped = escape_inline("a   b\tc")
    assert escaped == "a   b\tc"


def test_escape_inline_is_one_line_that_renders_to_the_text():
    text = "line one\nline two\r\n# three"
    escaped = escape_inline(text)
    assert "\n" not in escaped and "\r" not in escaped
    found = structure(COMMONMARK.render(escaped))
    assert found.tags == ["p", "/p"]
    assert found.paragraphs == [text]


def test_non_ascii_is_kept_as_is():
    text = "\u201cQuoted\u201d \U0001f600 caf\u00e9\u00a0\u6f22\u5b57"
    assert escape_inline(text) == text


# Hypothesis: any text at all, with hostile fragments and line endings mixed in often.
FRAGMENTS = st.sampled_from(
    ["\n", "\r\n", "\r", " ", "  ", "\t", "\\", "&", "#", "<", ">", "`", "~", "*", "_", "=",
     "-", "|", "[", "]", "!", "$", "%", "^", ":", "1.", "    ", "\u00a0", "\u2028", "&amp;",
     "&#65;", "<div>", "```", "---", "[[", "]]", "www.x.org", "http://x.org", "\x00", "\x0b"]
)
TEXTS = st.one_of(st.text(), st.lists(st.one_of(st.text(max_size=5), FRAGMENTS)).map("".join))


@given(TEXTS)
def test_any_text_renders_literally_as_a_quote(text):
    for md in RENDERERS.values():
        assert_quote_renders_literally(text, md)


@given(TEXTS)
def test_any_text_renders_literally_inline(text):
    escaped = escape_inline(text)
    assert "\n" not in escaped and "\r" not in escaped
    html = COMMONMARK.render(escaped)
    found = structure(html)
    shown = "".join(  # the control-character rule of expected_paragraphs, lines kept whole
        "\ufffd" if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0c" else ch
        for ch in text
    )
    if not text:
        assert html == ""
    else:
        assert found.tags == ["p", "/p"], html
        assert found.stray == [], html
        assert found.paragraphs == [shown], html


# Obsidian's own syntax has no parser here: a small model of it, written apart from the
# escaper, finds what Obsidian would read as syntax in a line of Markdown source.
def _units(source: str) -> list[tuple[str, bool]]:
    """The source's characters, each with whether a backslash escapes it."""
    units, i = [], 0
    while i < len(source):
        if source[i] == "\\" and i + 1 < len(source) and source[i + 1] in string.punctuation:
            units.append((source[i + 1], True))
            i += 2
        else:
            units.append((source[i], False))
            i += 1
    return units


def _runs(units, ch):
    """(start, length) of each run of unescaped `ch`."""
    runs, i = [], 0
    while i < len(units):
        if units[i] == (ch, False):
            start = i
            while i < len(units) and units[i] == (ch, False):
                i += 1
            runs.append((start, i - start))
        else:
            i += 1
    return runs


def obsidian_syntax(source: str) -> list[str]:
    """What Obsidian reads as its own syntax in a line: tags, == marks (unclosed ones too),
    %% comments, $math$, a trailing ^block-id, ^[inline footnotes], [[wiki links]] and
    a callout's [!type]. Marks are listed with their positions: a mark around the text
    is expected in one place."""
    units = _units(source)
    chars = [ch for ch, _ in units]
    found = []

    def space(i):
        return i < 0 or i >= len(units) or chars[i].isspace()

    for i, (ch, escaped) in enumerate(units):
        if escaped:
            continue
        if ch == "#":
            before = chars[i - 1] if i else " "
            if before.isspace() or (before in string.punctuation and before not in "#&"):
                body = ""
                for other, other_escaped in units[i + 1:]:
                    if other_escaped or other.isspace() or (
                            other in string.punctuation and other not in "_-/"):
                        break
                    body += other
                if body and not re.fullmatch(r"[\d/]+", body):
                    found.append(f"tag #{body}")
        elif ch == "[" and i + 1 < len(units) and units[i + 1] == ("[", False) \
                and "]]" in source[len("".join(chars[:i])):]:
            found.append("wiki link")
        elif ch == "^" and i + 1 < len(units) and units[i + 1] == ("[", False) \
                and "]" in chars[i + 2:]:
            found.append("inline footnote")
    for start, length in _runs(units, "="):
        if length >= 2 and not (space(start - 1) and space(start + length)):
            found.append(f"mark delimiter {start}:{length}")
    for start, length in _runs(units, "%"):
        if length >= 2:
            found.append("comment")
    dollars = [i for i, unit in enumerate(units) if unit == ("$", False)]
    if any(not space(i + 1) and any(j > i and not space(j - 1) for j in dollars)
           for i in dollars):
        found.append("math")
    ending = re.search(r"(?:^|\s)(\^)[A-Za-z0-9-]+$", source)
    if ending and (ending.start(1) == 0 or source[ending.start(1) - 1] != "\\"):
        found.append("block id")
    if units[:2] == [("[", False), ("!", False)] and re.match(r"\[![\w-]+\]", source):
        found.append("callout")
    return found


def test_the_obsidian_model_finds_raw_syntax_and_not_escaped_syntax():
    for raw in ["#tag", "a (#tag)", "[[x]]", "==m==", "a==b", "%%c%%", "a %% b", "$x$",
                "x ^id", "^[note]", "[!note] title", "\\\\#tag"]:
        assert obsidian_syntax(raw), raw
    for text in ["#1984", "a#b", "#", "# heading", "a == b", "=", "$5 and $6", "x^2",
                 "100%", "[x]", "[!note"]:
        assert obsidian_syntax(text) == [], text
    for raw in ["#tag", "[[x]]", "==m==", "%%c%%", "$x$", "x ^id", "^[note]", "[!note] t"]:
        assert obsidian_syntax(escape_inline(raw)) == [], raw


# Every place the export puts escaped text, and what markdown-it must render there.
LINE_CONTEXTS = {
    "alone": ("{}", "<p>{}</p>\n"),
    "after a hard line break": ("x\\\n{}", "<p>x<br />\n{}</p>\n"),
    "heading": ("# {}", "<h1>{}</h1>\n"),
}
CONTEXTS = {
    **LINE_CONTEXTS,
    "emphasis": ("*{}*", "<p><em>{}</em></p>\n"),
    "strong emphasis": ("**{}**", "<p><strong>{}</strong></p>\n"),
    "link text": ("[{}](<u>)", '<p><a href="u">{}</a></p>\n'),
    "mark": ("=={}==", "<p>=={}==</p>\n"),
}
JUDGES = dict(RENDERERS)
JUDGES["gfm, single tildes"] = MarkdownIt(
    "commonmark", {"strikethrough_single_tilde": True}).enable(["strikethrough"])
for _judge in JUDGES.values():
    _judge.validateLink = lambda url: True  # `javascript:` links are links elsewhere


def _expected_obsidian(context: str, source: str) -> list[str]:
    if context != "mark":
        return []
    return ["mark delimiter 0:2", f"mark delimiter {len(_units(source)) - 2}:2"]


def assert_text_everywhere(text: str, wrapped: bool = True) -> None:
    escaped = escape_inline(text, wrapped)
    if not text:
        assert escaped == ""
        return
    shown = escape_html(representable(text))
    for context, (source, html) in (CONTEXTS if wrapped else LINE_CONTEXTS).items():
        line = source.format(escaped)
        for name, md in JUDGES.items():
            assert md.render(line) == html.format(shown), (context, name, line)
        assert obsidian_syntax(line) == _expected_obsidian(context, line), (context, line)


# Prose as quotes have it, with Markdown's and Obsidian's punctuation mixed in.
WORDS = st.text(alphabet="abcxyzAÉé漢0123456789", min_size=1, max_size=6)
PUNCTUATION = st.sampled_from(
    [". ", ", ", "; ", ": ", "! ", "? ", ".", "'", '"', "(", ")", "-", " - ", "*", "**", "_",
     "__", "#", "[", "]", "<", ">", "&", "&amp;", "&#65;", "=", "==", "%", "%%", "$", "^",
     "|", "~", "~~", "\\", "`", "``", "1. ", "2) ", "- ", "+ ", "> ", "<b>", "</b>",
     "<https://e.org>", "[[", "]]", "[!note]", " ^id", "![", "](", "(u)", "!", "{", "}"])
PROSE = st.lists(st.one_of(WORDS, WORDS, st.just(" "), PUNCTUATION), max_size=16).map(
    "".join)


@pytest.mark.parametrize("wrapped", [True, False])
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_text_in_every_place(text, wrapped):
    assert_text_everywhere(text, wrapped)


@settings(deadline=None)  # markdown-it renders each text in seven places, three ways
@given(st.one_of(PROSE, TEXTS), st.booleans())
def test_any_text_stays_text_in_every_place(text, wrapped):
    assert_text_everywhere(text, wrapped)


def _escapes(source: str) -> list[int]:
    """The position of each escaping backslash."""
    found, i = [], 0
    while i < len(source):
        if source[i] == "\\" and i + 1 < len(source) and source[i + 1] in string.punctuation:
            found.append(i)
            i += 2
        else:
            i += 1
    return found


@settings(max_examples=300, deadline=None)
@given(PROSE, st.booleans())
def test_every_escape_is_needed(text, wrapped):
    """Without any one of its backslashes, the escaped text renders differently in some
    place it is promised for (in markdown-it, or by the Obsidian model)."""
    escaped = escape_inline(text, wrapped)
    contexts = CONTEXTS if wrapped else LINE_CONTEXTS
    for i in _escapes(escaped):
        without = escaped[:i] + escaped[i + 1:]
        assert any(
            md.render(source.format(without)) != md.render(source.format(escaped))
            or obsidian_syntax(source.format(without)) != obsidian_syntax(
                source.format(escaped))
            for source, _html in contexts.values() for md in JUDGES.values()
        ), (text, escaped, i)


@pytest.mark.parametrize(("text", "escaped"), [
    ("So far, Ukraine has blown up two bridges in the region.",
     "So far, Ukraine has blown up two bridges in the region."),
    ("It cost $5 (about €4.60): a 20% rise - or so they say!",
     "It cost $5 (about €4.60): a 20% rise - or so they say!"),
    ("snake_case and 2 * 3 = 6, x^2, #1984, a#b", "snake_case and 2 * 3 = 6, x^2, #1984, a#b"),
    ("2*3", "2*3"),
    ("1. first", "1\\. first"), ("1984. A year", "1984\\. A year"), ("- item", "\\- item"),
    ("# heading", "\\# heading"), ("#tag", "\\#tag"), ("> quoted", "\\> quoted"),
    ("==mark==", "=\\=mark=\\="), ("%%comment%%", "%\\%comment%\\%"), ("$x$", "\\$x$"),
    ("end ^block-id", "end \\^block-id"), ("<b>bold</b>", "\\<b>bold\\</b>"),
    ("&amp;", "\\&amp;"), ("AT&T & co", "AT&T & co"), ("a < b > c", "a < b > c"),
    ("_emphasis_", "_emphasis\\_"), ("[sic]", "[sic]"), ("[link](u)", "[link\\](u)"),
    ("a `code` span", "a \\`code` span"), ("a*", "a*"), ("[[wiki]]", "[\\[wiki]]"),
])
def test_only_what_would_be_syntax_is_escaped(text, escaped):
    """Quotes: every line of a block quote is a paragraph of its own."""
    assert escape_inline(text, wrapped=False) == escaped
    assert blockquote(text) == "> " + escaped
    assert_text_everywhere(text, wrapped=False)


@pytest.mark.parametrize(("text", "escaped"), [
    ("So far, Ukraine has blown up two bridges.", "So far, Ukraine has blown up two bridges."),
    # Inside a word '*' can still open or close emphasis, as the text of `*…*` would show.
    ("[sic]", "\\[sic\\]"), ("a]", "a\\]"), ("a*", "a\\*"), ("2*3", "2\\*3"), ("=a", "\\=a"), ("a\\", "a\\\\"),
])
def test_text_inside_emphasis_links_and_marks_escapes_a_little_more(text, escaped):
    assert escape_inline(text) == escaped
    assert_text_everywhere(text)


# Tags
@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("history/rome", "#history/rome"),
        ("Key claim", "#Key-claim"),
        ("  many   spaces  here ", "#many-spaces-here"),
        ("2024", "#_2024"),
        ("2024/05", "#_2024/05"),
        ("C++", "#C__"),
        ("a#b", "#a_b"),
        ("#already", "#already"),
        ("\u00fc-ber", "#\u00fc-ber"),
        ("u\u0308ber", "#\u00fcber"),  # decomposed umlaut composed, so it stays a letter
        ("\u6f22\u5b57", "#\u6f22\u5b57"),
        ("/leading/trailing/", "#leading/trailing"),
        ("a//b", "#a/b"),
        ("a / b", "#a/b"),
        ("", "#_"),
        ("///", "#_"),
        ("with.dot & amp", "#with_dot-_-amp"),
    ],
)
def test_hashtag(name, tag):
    assert hashtag(name) == tag


@given(st.text())
def test_hashtag_is_always_a_valid_tag(name):
    tag = hashtag(name)
    assert re.fullmatch(r"#[\w\-/]+", tag), tag
    assert re.search(r"[^\d/]", tag[1:]), tag


@given(st.text())
def test_a_valid_tag_is_its_own_hashtag(name):
    tag = hashtag(name)
    assert hashtag(tag[1:]) == tag


# Notes
NEXT = "\n\n## Next section\n"


def top_level(markdown: str) -> list[tuple[str, str]]:
    return [(t.type, t.tag) for t in COMMONMARK.parse(markdown) if t.level == 0]


def assert_contained(note: str) -> None:
    exported = contained(note)
    assert all(line.startswith(">") for line in exported.split("\n")), exported
    tokens = COMMONMARK.parse(exported + NEXT)
    assert [(t.type, t.tag) for t in tokens if t.level == 0] == [
        ("blockquote_open", "blockquote"),
        ("blockquote_close", "blockquote"),
        ("heading_open", "h2"),
        ("heading_close", "h2"),
    ]
    assert tokens[-2].content == "Next section"


HOSTILE_NOTE = "A **bold** start\n```python\nunclosed = True\n---\n# Heading\n<div>\nunclosed div"


def test_a_hostile_note_cannot_swallow_the_next_section():
    assert_contained(HOSTILE_NOTE)
    html = COMMONMARK.render(contained(HOSTILE_NOTE) + NEXT)
    assert html.endswith("</blockquote>\n<h2>Next section</h2>\n")


def test_the_note_s_own_markdown_still_renders_inside_the_callout():
    html = COMMONMARK.render(contained("Some **bold** and a [link](https://e.org)\n\n- item"))
    inside = html.split("</blockquote>")[0]
    assert inside.startswith("<blockquote>\n<p>[!note] Note</p>")
    assert "<strong>bold</strong>" in inside
    assert '<a href="https://e.org">link</a>' in inside
    assert "<ul>\n<li>item</li>" in inside


def test_callout_header_and_blank_lines():
    assert contained("a\n\nb\n\n") == "> [!note] Note\n>\n> a\n>\n> b"
    assert contained("") == "> [!note] Note"
    assert contained("x", label="") == "> [!note]\n>\n> x"


def test_the_label_is_shown_literally():
    html = COMMONMARK.render(contained("x", label="[evil](javascript:x) *Quote*"))
    assert structure(html).paragraphs == ["[!note] [evil](javascript:x) *Quote*", "x"]
    assert structure(html).tags == ["blockquote", "p", "/p", "p", "/p", "/blockquote"]


def test_the_title_stays_its_own_paragraph_whatever_the_note_starts_with():
    for note in ["---", "===", "text"]:
        html = COMMONMARK.render(contained(note))
        assert html.startswith("<blockquote>\n<p>[!note] Note</p>\n"), html


def test_fake_front_matter_is_not_front_matter():
    exported = contained("---\ntitle: evil\n---\nbody")
    assert exported.startswith("> [!note] Note\n>\n> ---\n")
    assert "\n---" not in exported


@pytest.mark.parametrize("ending", ["\r", "\r\n"])
def test_every_line_ending_stays_inside(ending):
    note = f"first{ending}# Not a top-level heading{ending}```"
    assert_contained(note)
    assert ("heading_open", "h1") not in top_level(contained(note) + NEXT)


NOTE_FRAGMENTS = st.sampled_from(
    ["\n", "\r\n", "\r", "\n\n", "```", "~~~", "---", "===", "# ", "## Next section", "<div>",
     "<!--", "<pre>", "<script>", "    ", "> ", ">", "- ", "1. ", "[x]: /u", "|a|\n|-|", "  ",
     "\\", "\t", "**"]
)


@given(st.lists(st.one_of(st.text(max_size=8), NOTE_FRAGMENTS)).map("".join))
def test_no_note_escapes_its_callout(note):
    assert_contained(note)


# Marked text (the full-text export): == inserted around ranges of the text.
def _marks(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    points = sorted({min(c, len(text)) for c in cuts})
    return [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2)]


def _with_marks(text: str, marks: list[tuple[int, int]]) -> tuple[str, int]:
    """The text as shown, with == around each range less its white space at the ends."""
    out, last, count = [], 0, 0
    for start, end in marks:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out += [text[last:start], "==", text[start:end], "=="]
            last, count = end, count + 1
    out.append(text[last:])
    return representable("".join(out)), count


@settings(deadline=None)
@given(st.one_of(PROSE, TEXTS), st.lists(st.integers(0, 40), max_size=6))
def test_marked_text_shows_the_text_with_its_marks_and_nothing_else(text, cuts):
    marks = _marks(text, cuts)
    escaped = escape_marked(text, marks)
    expected, count = _with_marks(text, marks)
    assert "\n" not in escaped and "\r" not in escaped
    shown = escape_html(expected)
    for context in ("alone", "emphasis", "strong emphasis", "link text"):
        source, html = CONTEXTS[context]
        for name, md in JUDGES.items():
            if expected:
                assert md.render(source.format(escaped)) == html.format(shown), (context, name)
    found = obsidian_syntax(escaped)
    assert [f for f in found if not f.startswith("mark delimiter")] == []
    assert len(found) == 2 * count and all(f.endswith(":2") for f in found), (escaped, found)
