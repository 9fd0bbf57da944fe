"""`export --full-text`: the whole article, every highlight marked ==…== where it is (split at
paragraphs and styles), notes as callouts beside their passage, and all of the text there."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reader.document.model import Document
from reader.export import full_text
from reader.export.exporter import Exporter
from reader.importing.sources import parse_article, render, split_body
from reader.records import HighlightRecord


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


SOURCE = """# Rivers and bridges

By Ana Lopez

August 18, 2024

The bridge at Glushkovo fell first. Then the **rail line** was cut, and the *Seym* rose.

Supplies stopped for a week; see [the map](https://example.org/map) and `route 7`.

- Trucks waited at the ford.
- Boats came later, [sic] by night.

> Nobody had planned for the river.

```
ferry schedule: none
```

By winter the front had moved north again.
"""

COMMONMARK = MarkdownIt("commonmark")


class _Text(HTMLParser):
    """The text a reader sees, without the HTML comments (region markers)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown(markdown: str) -> str:
    parser = _Text()
    parser.feed(COMMONMARK.render(markdown))
    parser.close()
    return "".join(parts for parts in parser.parts)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def marked(markdown: str) -> str:
    """The text between == marks, in order, without white space. markdown-it has no mark
    syntax here (mdit-py-plugins is not installed), so the marks stay in the text."""
    return "".join(squeeze(m) for m in re.findall(r"==(.+?)==", shown(markdown), re.S))


def union_text(text: str, ranges: list[tuple[int, int]]) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return "".join(squeeze(text[s:e]) for s, e in merged)


def document() -> Document:
    parsed = parse_article(SOURCE, "markdown", "rivers.md")
    _head, body = split_body(parsed.source_text, parsed.source_format)
    return render(parsed.title, parsed.author, parsed.publication, parsed.published, body)


def record(highlight_id: int, start: int, end: int, text: str, note: str = "") -> HighlightRecord:
    return HighlightRecord(highlight_id, 1, start, end, text[start:end], "", "", "yellow", note,
                           (), False, "2026-01-01", "2026-01-01")


def as_markdown(rendered: full_text.FullText) -> str:
    return "\n\n".join([rendered.head, *(p.markdown for p in rendered.passages)]) + "\n"


@pytest.fixture
def article(library, write_file):
    (article_id,) = library.import_files([write_file("rivers.md", SOURCE)]).added
    return article_id


def _highlight(library, article_id, words, note=""):
    text = library.articles.text(article_id)
    start = text.index(words)
    highlight_id = library.highlights.create(article_id, start, start + len(words)).highlight_id
    if note:
        library.highlights.set_note(highlight_id, note)
    return highlight_id


def test_every_highlight_is_marked_and_the_whole_text_is_there(library, article, tmp_path):
    text = library.articles.text(article)
    passages = ["fell first. Then the rail line was cut",  # across a bold span
                "rail line was cut, and the Seym rose.\nSupplies stopped",  # two paragraphs
                "the map",  # a link's text
                "Boats came later, [sic]",  # a list item
                "planned for the river"]  # a block quote
    ids = [_highlight(library, article, words, note=f"Note {n}.")
           for n, words in enumerate(passages)]
    (path,) = Exporter(library, full_text=True).to_folder(tmp_path / "vault", [article]).written
    markdown = path.read_text()
    body = markdown.split("---\n", 2)[2]
    starts = [text.index(words) for words in passages]
    assert marked(body) == union_text(text, [(s, s + len(w)) for s, w in zip(starts, passages)])
    seen = squeeze(shown(body).replace("==", ""))
    position = 0
    for block in library.articles.document(article).blocks:  # in order, all of it
        position = seen.index(squeeze(block.text), position)
    for n, highlight_id in enumerate(ids):
        assert f"Note {n}." in markdown
        assert f"^hl-{highlight_id}" in markdown
    # The block id ends the paragraph the highlight starts in; the note follows the
    # paragraph it ends in; the list's note is inside its item, so the list goes on.
    assert re.search(rf"==was cut, and the== \*==Seym==\* ==rose\.== \^hl-{ids[0]}\n", markdown)
    assert "> [!note] Yellow\n>\n> Note 3.\n" not in markdown
    assert "  > [!note] Yellow\n  >\n  > Note 3.\n" in markdown
    html_text = COMMONMARK.render(body)
    assert html_text.count("<ul>") == 1 and html_text.count("<li>") == 2


def test_highlights_in_one_paragraph_share_its_block_id(library, article, tmp_path):
    first = _highlight(library, article, "The bridge at Glushkovo")
    second = _highlight(library, article, "fell first", note="Why first?")
    third = _highlight(library, article, "Glushkovo fell")  # overlaps both
    (path,) = Exporter(library, full_text=True).to_folder(tmp_path / "vault", [article]).written
    markdown = path.read_text()
    assert "==The bridge at Glushkovo fell first==" in markdown  # one stretch
    assert markdown.count(f"^hl-{first}") == 1
    # The second has a callout, which carries its id; the third has neither.
    assert re.search(rf"> \[Open in Marginalia\]\([^)]*highlight={second}\)\n\n\^hl-{second}\n",
                     markdown)
    assert f"^hl-{third}" not in markdown


def test_passages_are_regions_and_text_under_a_highlighted_paragraph_survives(
        library, article, tmp_path):
    first = _highlight(library, article, "The bridge at Glushkovo")
    folder = tmp_path / "vault"
    (path,) = Exporter(library, full_text=True).to_folder(folder, [article]).written
    text = path.read_text()
    end = f"<!-- marginalia:end text-{first} -->\n"
    assert end in text
    path.write_text(text.replace(end, end + "\nMy reading of this paragraph.\n"))
    second = _highlight(library, article, "By winter the front", note="Later.")
    report = Exporter(library, full_text=True).to_folder(folder, [article])
    text = path.read_text()
    assert report.written == (path,) and "My reading of this paragraph." in text
    assert "==By winter the front==" in text and "Later." in text
    assert text.index(end) < text.index("My reading") < text.index(f"^hl-{second}")


def test_a_code_line_that_looks_like_a_marker_cannot_cut_a_region(library, write_file, tmp_path):
    source = ("# Markers\n\nSome words to mark here.\n\n```\n<!-- marginalia:end text-end -->\n"
              "```\n\nMore words after the code.\n")
    (article_id,) = library.import_files([write_file("m.md", source)]).added
    _highlight(library, article_id, "More words")
    folder = tmp_path / "vault"
    (path,) = Exporter(library, full_text=True).to_folder(folder, [article_id]).written
    text = path.read_text()
    assert "&lt;!-- marginalia:end text-end --&gt;" in text
    assert "<!-- marginalia:end text-end -->\n```" not in text
    assert Exporter(library, full_text=True).to_folder(folder, [article_id]).conflicts == ()


def test_full_text_on_the_command_line(any_library_location, write_file, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from reader.library import Library

    with Library.open(any_library_location) as library:
        (article_id,) = library.import_files([write_file("rivers.md", SOURCE)]).added
        _highlight(library, article_id, "Supplies stopped for a week", note="A week!")
    command = Path(sys.executable).parent / "marginalia"
    out = tmp_path / "vault"
    result = subprocess.run([str(command), "--db", any_library_location, "export", "--out",
                             str(out), "--full-text"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("*.md")
    text = path.read_text()
    assert "==Supplies stopped for a week==" in text and "> A week!" in text
    assert "By winter the front had moved north again." in text


TEXT = document().text
SPANS = st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 80)).map(
    lambda pair: (pair[0], min(len(TEXT), pair[0] + pair[1])))


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(SPANS, min_size=1, max_size=6))
def test_any_highlights_are_marked_exactly_and_leave_the_text_whole(spans):
    doc = document()
    spans = [(s, e) for s, e in spans if doc.text[s:e].strip()]
    highlights = [record(n + 1, s, e, doc.text) for n, (s, e) in enumerate(spans)]
    markdown = as_markdown(full_text.render(doc, highlights, lambda h: []))
    code_start = doc.text.index("ferry schedule")  # code is shown, but cannot be marked
    code = (code_start, code_start + len("ferry schedule: none"))
    outside = [piece for s, e in spans
               for piece in ((s, min(e, code[0])), (max(s, code[1]), e)) if piece[0] < piece[1]]
    assert marked(markdown) == union_text(doc.text, outside)
    seen = squeeze(html.unescape(shown(markdown)).replace("==", ""))
    position = 0
    for block in doc.blocks:
        position = seen.index(squeeze(block.text), position)
