"""Revisions kept: a newer version of an article keeps the one it replaces, highlights whose
passage changed or went are marked with it, and the old words stay readable."""

from __future__ import annotations

import json
import random
import re

import pytest

from reader.cli.main import main
from reader.export.exporter import Exporter
from reader.importing.head import format_date
from reader.library import Library
from reader.revisions import format_diff, word_diff
from reader.storage.database import LibraryError


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

URL = "https://example.org/rivers"
HEAD = f"---\ntitle: Rivers\nurl: {URL}\n---\n\n"
FIRST = HEAD + (
    "The river rose in the night. Nobody in the town had expected it.\n\n"
    "By morning the old stone bridge was gone and the road was cut.\n\n"
    "The mayor called for help from the capital at noon.\n"
)
# The first paragraph kept, the second edited, the third removed, a fourth added.
SECOND = HEAD + (
    "The river rose in the night. Nobody in the town had expected it.\n\n"
    "By morning the old wooden bridge was gone and the road was cut.\n\n"
    "Help came late, in the spring.\n"
)


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


@pytest.fixture
def revised(library, write_file):
    """An article with three highlights, then imported again in a changed version."""
    (article_id,) = library.import_files([write_file("v1.md", FIRST)]).added
    old_text = library.articles.text(article_id)
    create = library.highlights.create
    kept = create(article_id, *_span(old_text, "Nobody in the town had expected it.")).highlight_id
    edited = create(article_id, *_span(old_text, "the old stone bridge was gone")).highlight_id
    removed = create(article_id, *_span(old_text, "The mayor called for help")).highlight_id
    report = library.import_files([write_file("v2.md", SECOND)])
    assert report.updated == (article_id,) and report.added == ()
    return article_id, old_text, kept, edited, removed


def test_a_changed_version_keeps_the_old_one_as_a_revision(library, revised):
    article_id, old_text, *_ = revised
    (revision,) = library.articles.revisions(article_id)
    assert library.articles.revision_text(revision.id) == old_text
    assert revision.article_id == article_id and revision.title == "Rivers"
    assert revision.words == len(old_text.split())
    article = library.articles.get(article_id)
    assert revision.saved_at == article.added_at  # the first version: saved when added
    assert library.articles.revised_at(article_id) == revision.replaced_at
    assert "wooden bridge" in library.articles.text(article_id)
    stored = library.storage.models.Revision.get_by_id(revision.id)
    assert "old stone bridge" in stored.source_text and stored.source_format == "markdown"


def test_an_unchanged_passage_moves_and_is_not_marked(library, revised):
    article_id, _old, kept, _edited, _removed = revised
    record = library.highlights.get(kept)
    text = library.articles.text(article_id)
    assert not record.orphaned and text[record.start:record.end] == record.exact
    assert record.exact == "Nobody in the town had expected it."
    assert (record.changed_in, record.previous_exact, record.changed_at) == (None, "", None)


def test_an_edited_passage_moves_approximately_and_is_marked(library, revised):
    article_id, _old, _kept, edited, _removed = revised
    (revision,) = library.articles.revisions(article_id)
    record = library.highlights.get(edited)
    assert not record.orphaned
    assert record.exact == "the old wooden bridge was gone"
    assert record.changed_in == revision.id
    assert record.previous_exact == "the old stone bridge was gone"
    assert record.changed_at == revision.replaced_at
    # The article's list of highlights reads the same in its one query.
    (listed,) = [h for h in library.highlights.for_article(article_id) if h.id == edited]
    assert listed == record


def test_a_removed_passage_is_orphaned_and_its_words_stay_readable(library, revised):
    article_id, _old, _kept, _edited, removed = revised
    (revision,) = library.articles.revisions(article_id)
    record = library.highlights.get(removed)
    assert record.orphaned and record.changed_in == revision.id
    assert record.previous_exact == "The mayor called for help"
    assert record.changed_at == revision.replaced_at
    assert record.previous_exact not in library.articles.text(article_id)
    assert record.previous_exact in library.articles.revision_text(record.changed_in)


def test_the_same_text_again_makes_no_revision(library, revised, write_file):
    article_id, *_ = revised
    again = library.import_files([write_file("v2-again.md", SECOND.replace(
        "title: Rivers", "title: Rivers\ntags: [water]"))])
    assert again.updated == (article_id,)  # other front matter: the fields are updated
    assert len(library.articles.revisions(article_id)) == 1


def test_a_marked_passage_found_exactly_again_keeps_its_mark(library, revised, write_file):
    article_id, _old, kept, edited, _removed = revised
    (first,) = library.articles.revisions(article_id)
    third = SECOND.replace("The river rose", "The grey river rose")
    library.import_files([write_file("v3.md", third)])
    newest, older = library.articles.revisions(article_id)
    assert older.id == first.id and newest.saved_at == first.replaced_at
    record = library.highlights.get(edited)
    assert record.changed_in == first.id  # history: changed in the first revision
    assert record.previous_exact == "the old stone bridge was gone"
    assert library.highlights.get(kept).changed_in is None


def test_an_orphan_stays_marked_with_the_revision_it_went_in(library, revised, write_file):
    article_id, _old, _kept, _edited, removed = revised
    (first,) = library.articles.revisions(article_id)
    library.import_files([write_file("v3.md", SECOND + "\nA fourth paragraph.\n")])
    assert len(library.articles.revisions(article_id)) == 2
    record = library.highlights.get(removed)
    assert record.orphaned and record.changed_in == first.id


def test_rendering_again_marks_nothing(library, revised):
    article_id, *_ = revised
    library.articles.document(article_id)
    assert len(library.articles.revisions(article_id)) == 1


def test_deleting_an_article_deletes_its_revisions_and_undo_brings_them_back(library, revised):
    article_id, old_text, kept, edited, removed = revised
    (revision,) = library.articles.revisions(article_id)
    before = {h.id: h for h in library.highlights.for_article(article_id)}
    library.articles.delete(article_id)
    assert library.storage.models.Revision.select().count() == 0
    assert library.articles.revisions(article_id) == []
    with pytest.raises(LibraryError):
        library.articles.revision_text(revision.id)
    library.undo()
    assert library.articles.revisions(article_id) == [revision]
    assert library.articles.revision_text(revision.id) == old_text
    assert {h.id: h for h in library.highlights.for_article(article_id)} == before
    assert library.articles.revised_at(article_id) == revision.replaced_at
    library.redo()
    assert library.storage.models.Revision.select().count() == 0


def test_export_marks_the_changed_highlight(library, revised):
    article_id, _old, kept, edited, removed = revised
    (revision,) = library.articles.revisions(article_id)
    markdown = Exporter(library).to_text([article_id])
    date = format_date(revision.replaced_at[:10])
    placed, orphans = markdown.split("## Not found in the current text")
    line = f"Changed in the revision of {date}; it read: “the old stone bridge was gone”"
    assert line in placed
    assert placed.index(f"^hl-{edited}") < placed.index(line)
    assert placed.count("Changed in the revision") == 1  # the unchanged one is not marked
    assert f"Removed in the revision of {date}; quoted as it read before." in orphans


def test_export_gives_templates_the_revision_fields(library, revised, tmp_path):
    article_id, _old, _kept, edited, _removed = revised
    template = tmp_path / "t.md.j2"
    template.write_text("{% for h in highlights %}{{ h.id }}|{{ h.changed }}|{{ h.changed_in }}"
                        "|{{ h.previous_quote }}|{{ h.changed_date }}\n{% endfor %}")
    (revision,) = library.articles.revisions(article_id)
    lines = Exporter(library, template).to_text([article_id]).splitlines()
    assert f"{edited}|True|{revision.id}|the old stone bridge was gone|" \
           f"{format_date(revision.replaced_at[:10])}" in lines
    assert any(line.endswith("|False|None||") for line in lines)


def test_the_diff_against_the_current_text(library, revised):
    article_id, *_ = revised
    (revision,) = library.articles.revisions(article_id)
    pieces = library.articles.diff(article_id, revision.id)
    assert ("removed", "stone ") in pieces and ("added", "wooden ") in pieces
    assert "".join(text for op, text in pieces if op != "removed") == \
        library.articles.text(article_id)
    shown = format_diff(pieces)
    assert "the old [-stone-] {+wooden+} bridge" in shown
    assert "[-The mayor called for help from the capital at noon.-]" in shown
    with pytest.raises(LibraryError):
        library.articles.diff(article_id + 1, revision.id)


def test_the_diff_between_two_revisions(library, revised, write_file):
    article_id, *_ = revised
    library.import_files([write_file("v3.md", SECOND.replace("in the spring", "in May"))])
    newest, first = library.articles.revisions(article_id)
    # What the first replacement changed: the first version against the second.
    pieces = library.articles.diff(article_id, first.id, newer=newest.id)
    assert ("added", "wooden ") in pieces and not any("May" in t for _op, t in pieces)
    assert "".join(t for op, t in pieces if op != "removed") == \
        library.articles.revision_text(newest.id)


def test_undoing_a_highlight_delete_keeps_its_mark(library, revised):
    _article_id, _old, _kept, edited, _removed = revised
    before = library.highlights.get(edited)
    library.highlights.delete(edited)
    library.undo()
    assert library.highlights.get(edited) == before


def test_word_diff_pieces():
    assert word_diff("a b c", "a b c") == [("same", "a b c")]
    assert word_diff("", "new words") == [("added", "new words")]
    assert word_diff("old words", "") == [("removed", "old words")]
    assert word_diff("a  b\nc", "a b c") == [("same", "a b c")]  # white space alone
    assert format_diff(word_diff("one two three", "one 2 three")) == "one [-two-] {+2+} three"


def test_a_long_article_is_diffed_word_by_word():
    # 5,000 words with a few edits: a few milliseconds (see word_diff's note); timed in
    # the benchmarks, not here.
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(700)] + ["the", "of", "and", "a"] * 60
    words = [rng.choice(vocabulary) for _ in range(5000)]
    old = " ".join(words)
    words[100] = "CHANGED"
    del words[2000:2050]
    words.insert(4000, "INSERTED")
    new = " ".join(words)
    pieces = word_diff(old, new)
    assert "".join(text for op, text in pieces if op != "removed") == new
    assert [text.strip() for op, text in pieces if op == "added"] == ["CHANGED", "INSERTED"]
    assert sum(len(text.split()) for op, text in pieces if op == "removed") == 51


def test_cli_lists_revisions_shows_a_diff_and_revised_at(any_library_location, write_file,
                                                         capsys):
    with Library.open(any_library_location) as library:
        (article_id,) = library.import_files([write_file("v1.md", FIRST)]).added
        library.import_files([write_file("v2.md", SECOND)])
        (revision,) = library.articles.revisions(article_id)
    db = ["--db", any_library_location]
    assert main([*db, "revisions", str(article_id)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Rivers: 1 earlier version\n")
    assert re.search(rf"^\s+{revision.id}  \d+ \w+ \d{{4}} to \d+ \w+ \d{{4}}  "
                     rf"{revision.words} words  Rivers$", out, re.M)
    assert main([*db, "revisions", str(article_id), "--diff", str(revision.id)]) == 0
    assert "the old [-stone-] {+wooden+} bridge" in capsys.readouterr().out
    assert main([*db, "revisions", str(article_id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == revision.id
    assert main([*db, "show", str(article_id), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["revised_at"] == revision.replaced_at
    assert main([*db, "revisions", str(article_id), "--diff", "999"]) == 1
    assert "no revision with id 999" in capsys.readouterr().err
