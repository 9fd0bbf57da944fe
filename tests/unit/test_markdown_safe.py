"""Export escaping: quotes render literally, tags are valid, notes stay inside their callout."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reader.export.markdown_safe import blockquote, contained, escape_inline, hashtag


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


# Obsidian-only syntax: no parser here, so check that every such character is escaped.
# A character is unescaped when an even number (possibly zero) of backslashes precedes it.
UNESCAPED = r"(?<!\\)(?:\\\\)*"
OBSIDIAN_SYNTAX = [
    ("tag", UNESCAPED + r"#(?=\w)"),
    ("wiki link", UNESCAPED + r"\[\["),
    ("highlight", UNESCAPED + r"=="),
    ("comment", UNESCAPED + r"%%"),
    ("math", UNESCAPED + r"\$"),
    ("block id", UNESCAPED + r"\^"),
    ("footnote", UNESCAPED + r"\[\^"),
    ("strikethrough", UNESCAPED + r"~"),
    ("table", UNESCAPED + r"\|"),
    ("any of them", UNESCAPED + r"[#\[\]=%$^~|]"),
]


def assert_no_obsidian_syntax(source: str) -> None:
    # Character references are decimal on purpose: '#32' is purely numeric, so never a tag
    # (a hexadecimal '&#xA0;' would contain the tag '#xA0').
    assert re.search(r"&#[xX]", source) is None, source
    source = re.sub(r"&#\d+;", "", source)
    for name, pattern in OBSIDIAN_SYNTAX:
        assert re.search(pattern, source) is None, f"unescaped {name} in {source!r}"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_has_no_unescaped_obsidian_syntax(text):
    assert_no_obsidian_syntax(blockquote(text))


@given(TEXTS)
def test_any_text_has_no_unescaped_obsidian_syntax(text):
    assert_no_obsidian_syntax(escape_inline(text))


def test_the_obsidian_check_itself_catches_raw_syntax():
    for raw in ["#tag", "[[x]]", "==m==", "%%c%%", "$x$", "x ^id", "\\\\#tag"]:
        with pytest.raises(AssertionError):
            assert_no_obsidian_syntax(raw)


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
