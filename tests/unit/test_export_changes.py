"""Re-exporting costs what changed: an unchanged article is neither read nor rendered, and every
kind of change to what a file shows has it rendered again."""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.conftest import trace_statements
from reader.export.exporter import MANIFEST, Exporter


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


SOURCE = ("# Rivers\n\nBy Ana Lopez\n\nThe river rose in the night. Nobody expected it.\n\n"
          "The ferry stopped at noon.\n")


@pytest.fixture
def annotated(library, write_file):
    ids = []
    for n in range(3):
        (article_id,) = library.import_files(
            [write_file(f"r{n}.md", SOURCE + f"\nArticle {n}.\n")]).added
        text = library.articles.text(article_id)
        highlight = library.highlights.create(article_id, text.index("The river"),
                                              text.index("the night.") + 10).highlight_id
        library.highlights.set_tags(highlight, ["water"])
        ids.append(article_id)
    (plain,) = library.import_files([write_file("plain.md", "# Plain\n\nNo marks.\n")]).added
    return ids, plain


BODY = re.compile(r'source_text|"text"|\.text\b|\btext\s*(,|FROM)', re.IGNORECASE)


@pytest.mark.parametrize("full_text", [False, True])
def test_an_unchanged_re_export_reads_no_body_and_renders_nothing(
        library, annotated, tmp_path, monkeypatch, rendered, full_text):
    ids, plain = annotated
    folder = tmp_path / "vault"
    first = Exporter(library, full_text=full_text).to_folder(folder, [*ids, plain])
    assert len(first.written) == 3 and first.skipped == (plain,)
    manifest_time = (folder / MANIFEST).stat().st_mtime_ns
    rendered.clear()

    def no_document(article_id):
        raise AssertionError("the article's text was read")

    monkeypatch.setattr(library.articles, "document", no_document)
    statements = trace_statements(library)
    report = Exporter(library, full_text=full_text).to_folder(folder, [*ids, plain])
    assert report.written == () and sorted(report.unchanged) == sorted(first.written)
    assert report.skipped == (plain,)
    assert rendered == []
    assert statements and not [s for s in statements if BODY.search(s)], statements
    assert (folder / MANIFEST).stat().st_mtime_ns == manifest_time  # not even rewritten


def test_the_body_query_pattern_would_see_a_body_read(library, annotated):
    ids, _plain = annotated
    statements = trace_statements(library)
    library.articles.text(ids[0])
    library.articles.document(ids[1])
    assert [s for s in statements if BODY.search(s)]


def _changes(library, ids, tmp_path):
    first, second, third = ids
    highlight = library.highlights.for_article(first)[0].id
    return {
        "a highlight's note": lambda: library.highlights.set_note(highlight, "A note."),
        "a highlight's tags": lambda: library.highlights.set_tags(highlight, ["water", "x"]),
        "a tag's name": lambda: library.tags.rename("water", "rivers"),
        "a colour's name": lambda: library.colours.rename("yellow", "claims"),
        "the article's note": lambda: library.articles.set_note(second, "Why?"),
        "the article's tags": lambda: library.articles.set_tags(third, ["later"]),
        "a new highlight": lambda: library.highlights.create(second, 0, 6),
        "a deleted highlight": lambda: library.highlights.delete(highlight),
    }


@pytest.mark.parametrize("change", ["a highlight's note", "a highlight's tags", "a tag's name",
                                    "a colour's name", "the article's note",
                                    "the article's tags", "a new highlight",
                                    "a deleted highlight"])
def test_every_kind_of_change_is_exported(library, annotated, tmp_path, change):
    ids, _plain = annotated
    folder = tmp_path / "vault"
    first = Exporter(library).to_folder(folder, ids)
    before = {p: p.read_text() for p in first.written}
    _changes(library, ids, tmp_path)[change]()
    report = Exporter(library).to_folder(folder, ids)
    assert report.written
    for path in report.written:
        assert path.read_text() != before[path]
    assert Exporter(library).to_folder(folder, ids).written == ()


def test_a_changed_template_or_option_renders_everything_again(library, annotated, tmp_path,
                                                                rendered):
    ids, _plain = annotated
    folder = tmp_path / "vault"
    Exporter(library).to_folder(folder, ids)
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ article.title }}\n{% for h in highlights %}{{ h.quote }}\n{% endfor %}")
    rendered.clear()
    assert len(Exporter(library, template).to_folder(folder, ids).written) == 3
    assert sorted(set(rendered)) == sorted(ids)
    rendered.clear()
    assert Exporter(library, template).to_folder(folder, ids).written == ()
    assert rendered == []
    assert len(Exporter(library, full_text=True).to_folder(folder, ids).written) == 3


def test_a_file_touched_or_edited_is_read_again_and_kept(library, annotated, tmp_path,
                                                          rendered):
    ids, _plain = annotated
    folder = tmp_path / "vault"
    paths = Exporter(library).to_folder(folder, ids).written
    touched, edited, _same = paths
    os.utime(touched, ns=(1, 1))
    edited.write_text(edited.read_text() + "\nMy own line.\n")
    rendered.clear()
    report = Exporter(library).to_folder(folder, ids)
    assert report.written == () and set(report.unchanged) == set(paths)
    assert sorted(set(rendered)) == sorted(ids[:2])  # the third was not touched
    assert "My own line." in edited.read_text()
    entries = json.loads((folder / MANIFEST).read_text())["articles"]
    assert entries[str(ids[0])]["mtime_ns"] == 1
    rendered.clear()
    assert Exporter(library).to_folder(folder, ids).written == () and rendered == []


def test_a_revised_article_is_exported_again(library, annotated, tmp_path):
    from reader.importing.sources import parse_article

    ids, _plain = annotated
    folder = tmp_path / "vault"
    paths = Exporter(library, full_text=True).to_folder(folder, ids).written
    library.articles.replace_source(ids[0], parse_article(
        "# Rivers\n\nBy Ana Lopez\n\nA new first paragraph.\n\nThe river rose in the night. "
        "Nobody expected it.\n", "markdown"))
    report = Exporter(library, full_text=True).to_folder(folder, ids)
    assert report.written == (paths[0],)
    assert "A new first paragraph." in paths[0].read_text()
