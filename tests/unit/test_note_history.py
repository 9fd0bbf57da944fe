"""A highlight's note keeps the versions a conflicting save replaced, on both engines;
one's own saves as one types keep none, and undo puts things back as they were."""

from __future__ import annotations

import pytest

from reader.library import LibraryError
from reader.records import NoteSaved


@pytest.fixture
def library(any_library):
    return any_library


@pytest.fixture
def highlight(library, write_file):
    (article_id,) = library.import_files(
        [write_file("a.md", "# Title\n\nFirst paragraph here.\n\nSecond paragraph there.")]).added
    return library.highlights.create(article_id, 6, 15).highlight_id


def test_own_consecutive_saves_keep_no_history(library, highlight):
    notes = library.highlights
    saved = ""
    for typed in ("A", "A tho", "A thought"):  # an editor saving as one types
        result = notes.set_note(highlight, typed, based_on=saved)
        assert isinstance(result, NoteSaved) and not result.conflict and result.kept is None
        saved = typed
    assert notes.get(highlight).note == "A thought"
    assert notes.note_history(highlight) == []
    # Without a base (a caller that does not know it) the reader's own note is theirs too.
    notes.set_note(highlight, "Rewritten.")
    assert notes.note_history(highlight) == []


def test_a_note_changed_while_editing_keeps_both_and_the_later_wins(library, highlight):
    notes = library.highlights
    notes.set_note(highlight, "First version.")
    before = notes.get(highlight)
    # Someone saves while another editor, opened on "First version.", is still typing.
    notes.set_note(highlight, "Changed elsewhere.", based_on="First version.")
    changed_at = notes.get(highlight).updated_at
    result = notes.set_note(highlight, "My later version.", based_on="First version.")
    assert result.conflict is True
    assert result.kept.note == "Changed elsewhere."
    assert result.kept.written_by == result.kept.replaced_by == notes.reader
    assert result.kept.written_at == changed_at and result.kept.replaced_at >= changed_at
    assert result.highlight_id == highlight and result.highlights == {before.article_id}
    assert notes.get(highlight).note == "My later version."
    assert notes.note_history(highlight) == [result.kept]
    # The editor goes on from what it saved: no further conflict, no further history.
    again = notes.set_note(highlight, "My later version, more.", based_on="My later version.")
    assert not again.conflict and again.kept is None
    assert [v.note for v in notes.note_history(highlight)] == ["Changed elsewhere."]


def test_no_history_for_an_empty_note_or_the_same_text(library, highlight):
    notes = library.highlights
    assert notes.set_note(highlight, "Typed twice.", based_on="something else").kept is None
    assert notes.set_note(highlight, "Typed twice.  ", based_on="other").kept is None
    assert notes.note_history(highlight) == []


def test_history_is_newest_first(library, highlight):
    notes = library.highlights
    notes.set_note(highlight, "one")
    notes.set_note(highlight, "two", based_on="zero")
    notes.set_note(highlight, "three", based_on="zero")
    assert [v.note for v in notes.note_history(highlight)] == ["two", "one"]


def test_undo_of_a_conflicting_save_puts_the_replaced_version_back(library, highlight):
    notes = library.highlights
    notes.set_note(highlight, "Theirs.")
    notes.set_note(highlight, "Mine.", based_on="")
    assert [v.note for v in notes.note_history(highlight)] == ["Theirs."]
    assert library.undo_stack.undo_label == "Edit note"
    library.undo()
    assert notes.get(highlight).note == "Theirs."
    assert notes.note_history(highlight) == []  # current again, not a replaced version
    library.redo()
    assert notes.get(highlight).note == "Mine."
    assert [v.note for v in notes.note_history(highlight)] == ["Theirs."]
    library.undo()
    library.undo()
    assert notes.get(highlight).note == ""
    assert notes.note_history(highlight) == []


def test_deleting_and_undoing_keeps_the_notes_history(library, highlight):
    notes = library.highlights
    notes.set_note(highlight, "old")
    notes.set_note(highlight, "new", based_on="")
    kept = notes.note_history(highlight)
    library.highlights.delete(highlight)
    assert notes.note_history(highlight) == []  # the history goes with its highlight
    library.undo()
    assert [(v.note, v.written_at, v.replaced_at) for v in notes.note_history(highlight)] == \
        [(v.note, v.written_at, v.replaced_at) for v in kept]
    library.highlights.delete_many([highlight])
    library.undo()
    assert [v.note for v in notes.note_history(highlight)] == ["old"]


def test_personal_library_has_no_authors_or_private_highlights(library, highlight):
    notes = library.highlights
    record = notes.get(highlight)
    assert (record.author, record.private) == ("", False)
    assert notes.is_team is False
    article = record.article_id
    assert notes.authors(article) == []
    assert [r.id for r in notes.for_article(article, author=None)] == [highlight]
    assert [r.id for r in notes.for_article(article, author="")] == [highlight]
    assert notes.for_article(article, author="someone") == []
    with pytest.raises(LibraryError, match="Only a highlight in a team library can be private"):
        notes.set_private(highlight, True)


def test_set_note_on_a_missing_highlight(library):
    with pytest.raises(LibraryError, match="no highlight with id 999"):
        library.highlights.set_note(999, "x")
