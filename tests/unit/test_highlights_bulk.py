"""Changing many highlights at once (the highlights view's selection): recolour, tag and
delete, each one transaction and one undo step that puts back every highlight as it was."""

from __future__ import annotations

import pytest

from reader.records import Changes


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

SOURCE_A = ("# Rivers\n\nThe river rose in the night. Nobody in the town had expected it.\n\n"
            "By morning the bridge was gone. The mayor called for help.\n")
SOURCE_B = "# Salt\n\nSalt was traded along the coast. Ships carried it north.\n"


def _span(library, article_id, needle):
    start = library.articles.text(article_id).index(needle)
    return start, start + len(needle)


@pytest.fixture
def marks(library, write_file):
    """Four highlights in two articles, with colours, notes and tags of their own."""
    rivers, salt = library.import_files([write_file("a.md", SOURCE_A),
                                         write_file("b.md", SOURCE_B)]).added
    made = []
    for article_id, needle, colour, note, tags in (
            (rivers, "The river rose", "yellow", "", ["water"]),
            (rivers, "the bridge was gone", "blue", "Which *bridge*?", ["water", "infra/bridges"]),
            (rivers, "The mayor called", "pink", "", []),
            (salt, "Salt was traded", "green", "Trade note", ["trade"])):
        hid = library.highlights.create(article_id, *_span(library, article_id, needle),
                                        colour).highlight_id
        if note:
            library.highlights.set_note(hid, note)
        if tags:
            library.highlights.set_tags(hid, tags)
        made.append(hid)
    library.undo_stack.clear()
    return rivers, salt, made


def _state(library, ids):
    return [(r.id, r.colour, r.note, r.tags, r.created_at, r.start, r.end, r.exact)
            for r in library.highlights.records(ids)]


def _writes(library, monkeypatch):
    """Count the write transactions begun (`Storage.write`), nested ones included."""
    count = []
    real = library.storage.write
    monkeypatch.setattr(library.storage, "write", lambda: count.append(1) or real())
    return count


def test_recolour_many_is_one_step_that_undo_puts_back(library, marks, monkeypatch):
    rivers, salt, ids = marks
    before = _state(library, ids)
    writes = _writes(library, monkeypatch)
    changes = library.highlights.recolour_many(ids[:2] + ids[3:], "purple")
    assert len(writes) == 1  # one transaction for them all
    assert changes == Changes(highlights=frozenset({rivers, salt}))
    assert [r.colour for r in library.highlights.records(ids)] == [
        "purple", "purple", "pink", "purple"]
    assert library.undo_stack.undo_label == "Change colour of 3 highlights"
    library.undo()
    assert _state(library, ids) == before  # each its own colour again
    assert library.undo_stack.undo_label is None  # one step undid all three
    library.redo()
    assert [r.colour for r in library.highlights.records(ids)] == [
        "purple", "purple", "pink", "purple"]


def test_recolour_many_refuses_an_unknown_colour_and_skips_missing_ids(library, marks):
    _rivers, _salt, ids = marks
    with pytest.raises(ValueError, match="unknown colour"):
        library.highlights.recolour_many(ids, "orange")
    assert library.highlights.recolour_many([999_999], "blue") == Changes()
    assert library.undo_stack.undo_label is None  # nothing done, nothing to undo
    library.highlights.recolour_many([ids[0], 999_999, ids[0]], "green")
    assert library.highlights.get(ids[0]).colour == "green"
    assert library.undo_stack.undo_label == "Change colour of 1 highlight"


def test_tag_many_adds_and_removes_and_undo_restores_each_highlights_tags(library, marks,
                                                                            monkeypatch):
    rivers, salt, ids = marks
    before = _state(library, ids)
    writes = _writes(library, monkeypatch)
    changes = library.highlights.tag_many(ids, add=["#Review", "later", "LATER"],
                                          remove=["water", "nothing-such"])
    assert len(writes) == 1
    assert changes == Changes(tags=True, highlights=frozenset({rivers, salt}))
    assert [r.tags for r in library.highlights.records(ids)] == [
        ("later", "Review"), ("infra/bridges", "later", "Review"), ("later", "Review"),
        ("later", "Review", "trade")]
    assert "water" not in library.tags.names()  # no longer used anywhere
    assert library.undo_stack.undo_label == "Tag 4 highlights"
    library.undo()
    assert _state(library, ids) == before
    assert sorted(library.tags.names()) == ["infra/bridges", "trade", "water"]
    library.redo()
    assert library.highlights.get(ids[1]).tags == ("infra/bridges", "later", "Review")


def test_tagging_with_a_tag_they_all_have_changes_nothing(library, marks):
    _rivers, _salt, ids = marks
    assert library.highlights.tag_many(ids[:2], add=["WATER"]) == Changes()
    assert library.highlights.tag_many(ids, remove=["absent"]) == Changes()
    assert library.highlights.tag_many(ids, add=[" ", "#"]) == Changes()
    assert library.undo_stack.undo_label is None
    # An existing tag keeps its own spelling.
    library.highlights.tag_many(ids[2:3], add=["WATER"])
    assert library.highlights.get(ids[2]).tags == ("water",)


def test_delete_many_then_one_undo_restores_all_with_notes_tags_and_ids(library, marks,
                                                                         monkeypatch):
    rivers, salt, ids = marks
    keep = ids[2]
    chosen = [ids[0], ids[1], ids[3]]
    before = _state(library, chosen)
    writes = _writes(library, monkeypatch)
    changes = library.highlights.delete_many(chosen)
    assert len(writes) == 1
    assert changes == Changes(tags=True, highlights=frozenset({rivers, salt}))
    assert [h.id for h in library.highlights.for_article(rivers)] == [keep]
    assert library.highlights.for_article(salt) == []
    assert library.tags.names() == []  # every tag was on a deleted highlight
    assert library.undo_stack.undo_label == "Delete 3 highlights"
    library.undo()
    assert _state(library, chosen) == before  # same ids, notes, tags, dates
    assert library.highlights.count() == 4
    assert library.undo_stack.undo_label is None
    # The full-text index follows: the notes and quotes are found again.
    assert library.query.highlights("trade").ids == [ids[3]]
    assert set(library.query.highlights("bridge").ids) == {ids[1]}
    library.redo()
    assert library.highlights.count() == 1
    assert library.query.highlights("trade").ids == []


def test_many_highlights_are_changed_in_statements_of_a_few_hundred(library, write_file):
    (article_id,) = library.import_files([write_file("long.md", "# Long\n\n" + " ".join(
        f"word{i}" for i in range(3000)))]).added
    text = library.articles.text(article_id)
    spans = [(article_id, text.index(f"word{i} "), text.index(f"word{i} ") + len(f"word{i}"),
              "yellow", "", ["t"] if i % 2 else []) for i in range(1200)]
    library.highlights.create_many(spans)
    ids = library.query.highlights("").ids
    assert len(ids) == 1200
    library.highlights.recolour_many(ids, "blue")
    library.highlights.tag_many(ids, add=["u"], remove=["t"])
    library.highlights.delete_many(ids)
    assert library.highlights.count() == 0
    for _ in range(3):
        library.undo()
    records = library.highlights.records(ids)
    assert len(records) == 1200
    assert {r.colour for r in records} == {"yellow"}
    assert sum(r.tags == ("t",) for r in records) == 600
