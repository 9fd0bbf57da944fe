"""Saved views in the core: the built-ins, adding, editing, reordering, deleting, undo,
the rules for names and keys, and what a view counts."""

from __future__ import annotations

import re
import sqlite3

import pytest

from reader.commands import ANYWHERE, DEFAULT_KEYMAP, LIST, READER, is_key
from reader.library import Library, LibraryError
from reader.records import Changes, SavedView
from reader.storage.migrations import MIGRATIONS
from reader.views import key_conflict, view_bindings


@pytest.fixture
def library(any_library):
    """Each test runs on a SQLite file and on a PostgreSQL database."""
    return any_library

BUILT_IN = [("Inbox", "is:unread -is:archived", "G, I"), ("Annotated", "has:highlights", "G, A"),
            ("Orphans", "is:orphaned", "G, O"), ("Feeds", "has:feed", "G, F")]


def _shape(library):
    return [(v.name, v.query, v.key) for v in library.views.list()]


def test_a_new_library_has_the_four_built_in_views_in_order(library):
    views = library.views.list()
    assert _shape(library) == BUILT_IN
    assert [v.position for v in views] == [0, 1, 2, 3]
    assert all(isinstance(v, SavedView) for v in views)
    assert library.views.find("inbox") == views[0]
    assert library.views.get(views[1].id).name == "Annotated"


def test_an_old_library_gets_the_built_ins_when_upgraded(library_path):
    conn = sqlite3.connect(library_path)
    for step in MIGRATIONS[:9]:
        class Db:  # the steps only call execute_sql
            @staticmethod
            def execute_sql(sql, params=()):
                return conn.execute(sql, params)
        step(Db)
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    with Library.open(library_path) as library:
        assert _shape(library) == BUILT_IN


def test_add_puts_the_view_last_and_undo_removes_it(library):
    view = library.views.add("  Long   reads ", " words:>3000 ", key="g,l")
    assert (view.name, view.query, view.key) == ("Long reads", "words:>3000", "G, L")
    assert library.views.list()[-1] == view
    assert library.undo_stack.undo_label == "Add view “Long reads”"
    assert library.undo() == Changes(views=True)
    assert library.views.find("Long reads") is None
    library.redo()
    assert library.views.list()[-1] == view  # the same id, place and key


def test_rename_edit_and_key_are_each_undoable(library):
    inbox = library.views.find("Inbox")
    assert library.views.rename(inbox.id, "To read") == Changes(views=True)
    assert library.undo_stack.undo_label == "Rename view “Inbox”"
    library.views.set_query(inbox.id, "is:unread")
    library.views.set_key(inbox.id, "Ctrl+1")
    assert library.views.get(inbox.id) == SavedView(inbox.id, "To read", "is:unread", "Ctrl+1", 0)
    library.views.set_key(inbox.id, "")
    assert library.views.get(inbox.id).key is None
    for _ in range(4):
        library.undo()
    assert library.views.get(inbox.id) == inbox
    library.redo()
    assert library.views.get(inbox.id).name == "To read"


def test_a_change_that_changes_nothing_is_not_a_step(library):
    inbox = library.views.find("Inbox")
    assert library.views.rename(inbox.id, " Inbox ") == Changes()
    assert library.undo_stack.undo_label is None
    assert library.views.rename(inbox.id, "INBOX") == Changes(views=True)  # its own name, recased
    assert library.views.get(inbox.id).name == "INBOX"


def test_move_reorders_and_undo_puts_it_back(library):
    ids = [v.id for v in library.views.list()]
    assert library.views.move(ids[3], -1) == Changes(views=True)
    assert [v.name for v in library.views.list()] == ["Inbox", "Annotated", "Feeds", "Orphans"]
    assert library.views.move(ids[0], -1) == Changes()  # at the top already
    assert library.views.move(ids[0], 10) == Changes(views=True)  # to the bottom
    assert [v.name for v in library.views.list()] == ["Annotated", "Feeds", "Orphans", "Inbox"]
    library.undo()
    library.undo()
    assert [v.id for v in library.views.list()] == ids


def test_remove_and_undo_bring_it_back_in_its_place_with_its_key(library):
    annotated = library.views.find("Annotated")
    library.views.remove(annotated.id)
    assert [v.name for v in library.views.list()] == ["Inbox", "Orphans", "Feeds"]
    assert library.undo_stack.undo_label == "Delete view “Annotated”"
    library.undo()
    assert library.views.list()[1] == annotated
    library.redo()
    assert library.views.find("Annotated") is None
    with pytest.raises(LibraryError, match="no saved view"):
        library.views.remove(annotated.id)


@pytest.mark.parametrize(("name", "query", "message"), [
    ("", "is:unread", "needs a name"),
    ("   ", "is:unread", "needs a name"),
    ("inbox", "is:unread", "already a saved view called “Inbox”"),
    ("ANNOTATED", "x", "already a saved view called “Annotated”"),
    ("x" * 81, "is:unread", "at most 80 characters"),
    ("Reading", "  ", "needs a query"),
])
def test_names_and_queries_are_checked(library, name, query, message):
    with pytest.raises(LibraryError, match=message):
        library.views.add(name, query)
    assert len(library.views.list()) == 4


def test_a_rename_onto_another_views_name_is_refused(library):
    inbox = library.views.find("Inbox")
    with pytest.raises(LibraryError, match="already a saved view called “Feeds”"):
        library.views.rename(inbox.id, "feeds")
    assert library.views.get(inbox.id) == inbox


@pytest.mark.parametrize(("key", "message"), [
    ("hello", "is not a key"),
    ("Ctrl+", "is not a key"),
    ("A, B, C, D, E", "is not a key"),
    ("Ctrl+Z", "Ctrl+Z is already the key of “Undo”."),
    ("j", "J is already the key of “Next article” in the article list."),
    ("G, G", "G, G is already the key of “Go to the top” in the reading pane."),
    ("g", "G is the start of G, V, the key of “Go to saved views”; choose a key that is not."),
    ("G, I, X", "G, I, X begins with G, I, the key of the saved view “Inbox”"),
    ("shift+g", "Shift+G is already the key of “Go to the end” in the reading pane."),
    ("g, a", "G, A is already the key of the saved view “Annotated”."),
])
def test_a_key_that_is_not_one_or_is_taken_is_refused_clearly(library, key, message):
    with pytest.raises(LibraryError) as caught:
        library.views.add("Mine", "is:unread", key=key)
    assert message in str(caught.value)
    assert library.views.find("Mine") is None


def test_a_free_key_in_the_users_keymap_and_a_views_own_key(library):
    keymap = {ANYWHERE: {"Ctrl+1": "app.quit"}, LIST: {}, READER: {}}
    with pytest.raises(LibraryError, match=re.escape("Ctrl+1 is already the key of “Quit”.")):
        library.views.add("Mine", "x", key="ctrl+1", keymap=keymap)
    assert library.views.add("Mine", "x", key="Ctrl+Z", keymap=keymap).key == "Ctrl+Z"
    inbox = library.views.find("Inbox")
    # Setting a view's key to its own key again, however spelt, is no change.
    assert library.views.set_key(inbox.id, "g,i") == Changes()
    library.views.rename(inbox.id, "Unread")
    assert library.views.set_key(inbox.id, "G, I") == Changes()


def test_key_conflicts_ignore_dialogs_and_the_given_invocation():
    keymap = {**DEFAULT_KEYMAP, ANYWHERE: {**DEFAULT_KEYMAP[ANYWHERE], "G, X": "view.show X"}}
    assert key_conflict("F2", keymap) is not None  # the saved views' Rename
    assert key_conflict("G, X", keymap) == "G, X is already the key of the saved view “X”."
    assert key_conflict("G, X", keymap, ignore="view.show X") is None
    assert key_conflict("Ctrl+1", keymap) is None
    assert view_bindings([SavedView(1, "A b", "q", "G, X", 0), SavedView(2, "C", "q", None, 1)]
                         ) == {"G, X": "view.show A b"}


@pytest.mark.parametrize("key", ["G, I", "Ctrl+1", "Alt+Shift+R", "F12", "Ctrl++", "?", "Del",
                                 "ctrl+pgdown", "Meta+Space"])
def test_key_sequences_are_recognised(key):
    assert is_key(key)


@pytest.mark.parametrize("key", ["", "  ", "Foo", "F36", "Ctrl+Foo", "G, I, J, K, L"])
def test_what_is_not_a_key_is_refused(key):
    assert not is_key(key)


def test_counts_are_what_choosing_the_view_lists(seeded_library):
    library = seeded_library
    first, second = library.articles.ids()
    counts = library.views.counts()
    inbox, annotated, orphans, feeds = library.views.list()
    assert counts == {inbox.id: 2, annotated.id: 0, orphans.id: 0, feeds.id: 0}
    library.articles.set_read(first, True)
    library.highlights.create(second, 0, 10)
    library.articles.set_archived(second, True)
    counts = library.views.counts()
    # A view spans the archive too, unless its query says (as Inbox's does).
    assert counts[inbox.id] == 0
    assert counts[annotated.id] == 1
    for view in library.views.list():
        assert library.views.count(view.query) == len(
            library.articles.ids(search=view.query, archived=None))
    assert library.articles.ids(search="ukraine", archived=None) == library.query.articles(
        "ukraine", archived=None).ids  # plain words too: the query language lists both


def test_a_view_whose_query_cannot_run_counts_none(library, monkeypatch):
    def failing(query, archived=None):
        raise LibraryError("Cannot run the query")

    monkeypatch.setattr(library.query, "count", failing)
    assert set(library.views.counts().values()) == {None}


def test_changes_say_views_and_combine():
    assert (Changes(views=True) | Changes(tags=True)) == Changes(tags=True, views=True)
    assert (Changes(articles=frozenset({1})) | Changes(views=True)).views
    assert not (Changes(feeds=True) | Changes()).views
