"""Exporting chosen highlights to one Markdown file: grouped by article in the order
chosen, each highlight with its quote, colour, tags, note and a link back."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from reader.export.selection import SelectionExportError, export_selection, selection_markdown
from reader.importing.sources import parse_article
from reader.links import Link, parse_link


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


TITLE = 'Kursk: "bridges" & war'
SOURCE_A = (f"# {TITLE}\n\nBy Ana Lopez\n\n"
            "The bridge at Glushkovo fell first. Then the rail line was cut.\n\n"
            "Supplies stopped for a week.\n")
SOURCE_B = "# Salt roads\n\nSalt was traded along the coast. Ships carried it north.\n"


def _mark(library, article_id, needle, colour="yellow"):
    start = library.articles.text(article_id).index(needle)
    return library.highlights.create(article_id, start, start + len(needle), colour).highlight_id


@pytest.fixture
def chosen(library, write_file):
    kursk, salt = library.import_files([write_file("k.md", SOURCE_A),
                                        write_file("s.md", SOURCE_B)]).added
    rail = _mark(library, kursk, "Then the rail line was cut.", "green")
    bridge = _mark(library, kursk, "The bridge at Glushkovo", "pink")
    ships = _mark(library, salt, "Ships carried it north.")
    unchosen = _mark(library, kursk, "Supplies stopped")
    library.highlights.set_tags(bridge, ["war/front", "Key claim"])
    library.highlights.set_note(bridge, "# Not a heading\n\n---\nStill the note.")
    library.colours.rename("pink", "evidence")
    # In the list's order: the salt article's highlight first, then two of Kursk's
    # (the later passage first).
    return kursk, salt, [ships, rail, bridge], unchosen


def test_articles_in_the_order_chosen_and_highlights_in_reading_order(library, chosen):
    kursk, salt, ids, unchosen = chosen
    text, highlights, articles = selection_markdown(library, ids, exported="2024-08-20")
    assert (highlights, articles) == (3, 2)
    assert text.startswith("# Highlights from Marginalia\n\n3 highlights from 2 articles, "
                           "exported 2024-08-20\n")
    assert text.index("## Salt roads") < text.index("## Kursk")
    assert text.index("> The bridge at Glushkovo") < text.index("> Then the rail line")
    assert "Supplies stopped" not in text  # only what was chosen
    links = [parse_link(part.split(")", 1)[0]) for part in text.split("](")[1:]]
    assert links == [Link(salt), Link(salt, ids[0]), Link(kursk), Link(kursk, ids[2]),
                     Link(kursk, ids[1])]
    assert unchosen not in {link.highlight_id for link in links}


def test_each_highlight_renders_its_quote_colour_tags_and_note_literally(library, chosen):
    kursk, _salt, ids, _unchosen = chosen
    # A title as a page may give it: Markdown and HTML in it are text.
    library.storage.models.Article.update(title="*War* <b>x</b> [link](y) # 1").where(
        library.storage.models.Article.id == kursk).execute()
    text, _highlights, _articles = selection_markdown(library, ids, exported="now")
    html = MarkdownIt("commonmark").render(text)
    assert "<h2>*War* &lt;b&gt;x&lt;/b&gt; [link](y) # 1</h2>" in html
    assert "<p>Ana Lopez</p>" in html  # the byline
    # The note's Markdown is kept, inside its callout: its heading and rule stay there.
    assert ("<blockquote>\n<p>[!note] Note</p>\n<h1>Not a heading</h1>\n<hr />\n"
            "<p>Still the note.</p>\n</blockquote>") in html
    assert html.count("<h1>") == 2 and html.count("<hr />") == 1
    bridge_part = text[text.index("> The bridge"):text.index("> Then the rail")]
    assert "evidence · #Key-claim #war/front · [Open in Marginalia]" in bridge_part
    assert "> [!note] Note\n>\n> # Not a heading\n>\n> ---\n> Still the note." in bridge_part
    rail_part = text[text.index("> Then the rail"):]
    assert rail_part.split("\n")[2].startswith("Green · [Open in Marginalia]")
    assert "[!note]" not in rail_part  # no note, no callout
    assert "<blockquote>\n<p>Then the rail line was cut.</p>\n</blockquote>" in html


def test_a_highlight_not_found_in_the_text_says_so(library, chosen):
    kursk, _salt, ids, _unchosen = chosen
    library.articles.replace_source(kursk, parse_article(
        f"# {TITLE}\n\nSomething else entirely.\n", "markdown", "k.md"))
    text, _h, _a = selection_markdown(library, ids, exported="now")
    assert "not found in the current text" in text


def test_the_file_is_written_whole_and_replaces_an_older_one(library, chosen, tmp_path):
    _kursk, _salt, ids, _unchosen = chosen
    target = tmp_path / "out" / "chosen.md"
    target.parent.mkdir()
    target.write_text("old export", encoding="utf-8")
    done = export_selection(library, ids, target)
    assert (done.path, done.highlights, done.articles) == (target, 3, 2)
    written = target.read_text(encoding="utf-8")
    assert written.startswith("# Highlights from Marginalia") and written.endswith("\n")
    assert [p.name for p in target.parent.iterdir()] == ["chosen.md"]  # no temporary left


def test_a_folder_that_cannot_be_written_leaves_the_old_file(library, chosen, tmp_path,
                                                            unwritable):
    _kursk, _salt, ids, _unchosen = chosen
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "chosen.md"
    target.write_text("old export", encoding="utf-8")
    unwritable(folder)
    with pytest.raises(SelectionExportError, match="chosen.md: cannot write"):
        export_selection(library, ids, target)
    assert target.read_text(encoding="utf-8") == "old export"
    assert [p.name for p in folder.iterdir()] == ["chosen.md"]


def test_ids_that_no_longer_exist_are_left_out(library, chosen):
    _kursk, _salt, ids, _unchosen = chosen
    library.highlights.delete(ids[0])
    text, highlights, articles = selection_markdown(library, ids + [ids[1]], exported="x")
    assert (highlights, articles) == (2, 1)
    assert "Salt roads" not in text
