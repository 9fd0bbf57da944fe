"""Undo and redo of every annotation action."""

from __future__ import annotations

import pytest


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library



@pytest.fixture
def article(library, write_file):
    (article_id,) = library.import_files(
        [write_file("a.md", "# Title\n\nFirst paragraph here.\n\nSecond paragraph there.")]).added
    return article_id


def test_nothing_to_undo(library):
    assert library.undo() is None and library.redo() is None


def test_undo_redo_create(library, article):
    hid = library.highlights.create(article, 6, 15).highlight_id
    assert library.undo_stack.undo_label == "Highlight"
    changes = library.undo()
    assert library.highlights.count() == 0 and changes.highlights == {article}
    changes = library.redo()
    assert library.highlights.get(hid).exact == library.articles.text(article)[6:15]
    assert changes.highlight_id == hid  # the same id comes back


def test_undo_redo_delete_restores_note_and_tags(library, article):
    hid = library.highlights.create(article, 6, 15, "purple").highlight_id
    library.highlights.set_note(hid, "note")
    library.highlights.set_tags(hid, ["t1", "t2"])
    library.highlights.delete(hid)
    library.undo()
    record = library.highlights.get(hid)
    assert (record.colour, record.note, record.tags) == ("purple", "note", ("t1", "t2"))
    library.redo()
    assert library.highlights.count() == 0
    assert library.tags.names() == []


def test_undo_redo_recolour_note_and_retag(library, article):
    hid = library.highlights.create(article, 6, 15).highlight_id
    library.highlights.recolour(hid, "blue")
    library.highlights.set_note(hid, "one")
    library.highlights.set_note(hid, "two")
    library.highlights.set_tags(hid, ["x"])
    library.highlights.set_tags(hid, ["y", "z"])
    seen = []
    for _ in range(5):
        library.undo()
        record = library.highlights.get(hid)
        seen.append((record.colour, record.note, record.tags))
    assert seen == [
        ("blue", "two", ("x",)), ("blue", "two", ()), ("blue", "one", ()),
        ("blue", "", ()), ("yellow", "", ()),
    ]
    for _ in range(5):
        library.redo()
    record = library.highlights.get(hid)
    assert (record.colour, record.note, record.tags) == ("blue", "two", ("y", "z"))


def test_undo_redo_article_delete_brings_everything_back(library, article):
    hid = library.highlights.create(article, 6, 15, "green").highlight_id
    library.highlights.set_tags(hid, ["h"])
    library.articles.set_tags(article, ["a"])
    library.articles.set_note(article, "article note")
    before = library.articles.get(article)
    changes = library.articles.delete(article)
    assert changes.article_list and library.articles.count() == 0
    changes = library.undo()
    assert changes.article_list
    assert library.articles.get(article) == before
    assert library.highlights.get(hid).tags == ("h",)
    library.redo()
    assert library.articles.count() == 0 and library.highlights.count() == 0


def test_undo_article_note_and_tags(library, article):
    library.articles.set_note(article, "first")
    library.articles.set_tags(article, ["a", "b"])
    library.undo()
    assert library.articles.get(article).tags == ()
    library.undo()
    assert library.articles.get(article).note == ""
    library.redo()
    assert library.articles.get(article).note == "first"


def test_a_new_action_clears_redo(library, article):
    library.highlights.create(article, 6, 15)
    library.undo()
    library.highlights.create(article, 16, 20)
    assert library.redo() is None
