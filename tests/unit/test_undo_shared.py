"""Undo never undoes someone else's change: two readers on one library (two Library
objects on one PostgreSQL database, or on one file, as two processes would be), each
with its own undo history. An action another reader has changed since is refused by
name and taken off the history; the older actions beneath it still undo."""

from __future__ import annotations

import pytest

from reader.annotations.undo import UndoConflictError
from reader.library import Library


@pytest.fixture
def me(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


@pytest.fixture
def colleague(me):
    where = me.path if me.path is not None else me.storage.url
    with Library.open(where) as other:
        yield other


@pytest.fixture
def article(me, write_file):
    (article_id,) = me.import_files(
        [write_file("a.md", "# Title\n\nFirst paragraph here.\n\nSecond paragraph there.")]).added
    return article_id


def _refused(library, verb: str, label: str) -> str:
    with pytest.raises(UndoConflictError) as refused:
        getattr(library, verb)()
    message = str(refused.value)
    assert message.startswith(f"Cannot {verb} “{label}”: someone else has changed it since.")
    return message


def test_my_highlight_annotated_by_a_colleague_is_not_undone(me, colleague, article):
    hid = me.highlights.create(article, 6, 15).highlight_id
    colleague.highlights.set_note(hid, "Their note")
    _refused(me, "undo", "Highlight")
    assert colleague.highlights.get(hid).note == "Their note"  # their work stays
    assert me.undo_stack.undo_label is None  # the refused entry is gone …
    assert me.undo_stack.redo_label is None  # … and not offered for redo either
    assert me.undo() is None


@pytest.mark.parametrize("their_change", [
    lambda lib, hid: lib.highlights.recolour(hid, "blue"),
    lambda lib, hid: lib.highlights.set_tags(hid, ["theirs"]),
    lambda lib, hid: lib.highlights.delete(hid),
])
def test_any_change_by_a_colleague_to_my_new_highlight_stops_its_undo(
        me, colleague, article, their_change):
    hid = me.highlights.create(article, 6, 15).highlight_id
    their_change(colleague, hid)
    before = colleague.highlights.for_article(article)
    _refused(me, "undo", "Highlight")
    assert colleague.highlights.for_article(article) == before


def test_a_colleague_changing_the_same_highlight_stops_only_that_step(me, colleague, article):
    # Mine: the highlight, then its note; theirs: its colour. Undoing my note touches
    # the note only, which they left alone: it is undone. Undoing the highlight would
    # remove their colour with it: refused.
    hid = me.highlights.create(article, 6, 15).highlight_id
    me.highlights.set_note(hid, "mine")
    colleague.highlights.recolour(hid, "green")
    assert me.undo().highlight_id == hid  # "Edit note": only the note, theirs unchanged
    assert (me.highlights.get(hid).note, me.highlights.get(hid).colour) == ("", "green")
    _refused(me, "undo", "Highlight")
    assert me.highlights.get(hid).colour == "green"
    # The note's undo is still there to redo.
    assert me.undo_stack.redo_label == "Edit note"
    me.redo()
    assert me.highlights.get(hid).note == "mine"


def test_a_note_a_colleague_rewrote_is_not_put_back(me, colleague, article):
    hid = me.highlights.create(article, 6, 15).highlight_id
    me.highlights.set_note(hid, "mine")
    colleague.highlights.set_note(hid, "theirs")
    _refused(me, "undo", "Edit note")
    assert me.highlights.get(hid).note == "theirs"
    # The older step beneath it is checked on its own: the highlight was changed too.
    _refused(me, "undo", "Highlight")
    assert me.highlights.get(hid).note == "theirs"


def test_redo_is_refused_too_when_a_colleague_acted_after_my_undo(me, colleague, article):
    hid = me.highlights.create(article, 6, 15).highlight_id
    me.highlights.delete(hid)
    me.undo()  # the highlight is back …
    colleague.highlights.set_tags(hid, ["kept"])  # … and a colleague tags it
    message = _refused(me, "redo", "Delete highlight")
    assert "taken off the redo history" in message
    assert colleague.highlights.get(hid).tags == ("kept",)
    assert me.undo_stack.redo_label is None
    assert me.undo_stack.undo_label == "Highlight"


def test_a_highlight_deleted_with_its_article_by_a_colleague_is_not_put_back(
        me, colleague, article):
    hid = me.highlights.create(article, 6, 15).highlight_id
    me.highlights.delete(hid)
    colleague.articles.delete(article)
    _refused(me, "undo", "Delete highlight")
    assert not me.articles.exists(article) and me.highlights.count() == 0


def test_changes_by_a_colleague_elsewhere_do_not_stop_undo(me, colleague, article):
    mine = me.highlights.create(article, 6, 15).highlight_id
    me.highlights.set_note(mine, "mine")
    theirs = colleague.highlights.create(article, 20, 30).highlight_id
    colleague.highlights.set_tags(theirs, ["theirs"])
    colleague.articles.set_note(article, "their article note")
    me.undo()
    me.undo()
    assert [h.id for h in me.highlights.for_article(article)] == [theirs]
    me.redo()
    assert me.highlights.get(mine).exact == me.articles.text(article)[6:15]


def test_my_own_changes_in_turn_undo_as_before(me, article):
    hid = me.highlights.create(article, 6, 15).highlight_id
    me.highlights.set_tags(hid, ["a"])
    me.highlights.recolour(hid, "blue")
    me.highlights.set_note(hid, "n")
    for _ in range(4):
        me.undo()
    assert me.highlights.count() == 0
    for _ in range(4):
        me.redo()
    record = me.highlights.get(hid)
    assert (record.tags, record.colour, record.note) == (("a",), "blue", "n")


def test_many_at_once_are_refused_if_a_colleague_changed_any_of_them(me, colleague, article):
    first = me.highlights.create(article, 6, 15).highlight_id
    second = me.highlights.create(article, 20, 30).highlight_id
    me.undo_stack.clear()
    me.highlights.recolour_many([first, second], "purple")
    colleague.highlights.recolour(second, "green")
    _refused(me, "undo", "Change colour of 2 highlights")
    assert [me.highlights.get(h).colour for h in (first, second)] == ["purple", "green"]
    me.highlights.tag_many([first, second], add=["both"])
    colleague.highlights.set_tags(first, ["both", "more"])
    _refused(me, "undo", "Tag 2 highlights")
    me.highlights.delete_many([first, second])
    colleague.highlights.create(article, 40, 50)
    me.undo()  # their new highlight is another: mine come back
    assert me.highlights.get(first).tags == ("both", "more")


def test_article_notes_tags_and_deletion_by_a_colleague_stop_undo(me, colleague, article):
    me.articles.set_note(article, "mine")
    colleague.articles.set_note(article, "theirs")
    _refused(me, "undo", "Edit article note")
    me.articles.set_tags(article, ["mine"])
    colleague.articles.set_tags(article, ["mine", "theirs"])
    _refused(me, "undo", "Tag article")
    assert me.articles.tag_names(article) == ("mine", "theirs")
    me.articles.delete(article)
    me.undo()  # back, with its note and tags
    hid = colleague.highlights.create(article, 6, 15).highlight_id
    _refused(me, "redo", "Delete article")  # it would take their highlight with it
    assert colleague.highlights.get(hid).article_id == article


def test_saved_views_a_colleague_changed_are_not_undone(me, colleague):
    first = me.views.add("Unread", "is:unread")
    second = me.views.add("Later", "tag:later")
    colleague.views.set_query(second.id, "tag:later OR tag:soon")
    _refused(me, "undo", "Add view “Later”")  # it would delete their query with it
    me.views.move(first.id, 1)
    colleague.views.remove(first.id)
    _refused(me, "undo", "Move view “Unread”")
    names = [v.name for v in me.views.list()]
    assert "Later" in names and "Unread" not in names  # their removal stays
    me.views.rename(second.id, "Soon")
    me.undo()  # nothing changed it since: undone
    assert colleague.views.get(second.id).name == "Later"


def test_no_one_changes_the_rows_between_undos_check_and_its_write(me, colleague, article):
    """Undo's check holds the rows it read until its write is committed (on PostgreSQL a
    row lock, on SQLite the file's write lock): a colleague's save waits, then lands."""
    import threading

    hid = me.highlights.create(article, 6, 15).highlight_id
    me.highlights.set_note(hid, "mine")
    entry = me.undo_stack._done[-1]
    checked, release, saved = threading.Event(), threading.Event(), threading.Event()
    revert = entry.undo

    def revert_slowly():
        checked.set()  # the check has passed, inside undo's transaction
        release.wait(10)
        return revert()

    def in_thread(library, work, *after):
        try:
            work()
            for event in after:
                event.set()
        finally:
            library.release_thread()

    entry.undo = revert_slowly
    undoing = threading.Thread(target=in_thread, args=(me, me.undo))
    undoing.start()
    assert checked.wait(10)
    saving = threading.Thread(target=in_thread, args=(
        colleague, lambda: colleague.highlights.set_note(hid, "theirs"), saved))
    saving.start()
    assert not saved.wait(0.5)  # it waits for the undo to commit …
    release.set()
    undoing.join(10)
    saving.join(30)
    assert saved.is_set()  # … then lands after it
    assert me.highlights.get(hid).note == "theirs"
