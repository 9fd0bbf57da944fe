"""Saved views: named queries listed above the tags, each counted, with an optional key.

A view is a name, a query in the query language (reader.query), an optional key
sequence that shows it from anywhere in the window, and a place in the sidebar's
order. The four built in (Inbox, Annotated, Orphans, Feeds) are ordinary rows, made by
the schema's migration: they can be edited and deleted like the user's own. Every
change is undoable on the library's undo stack.

A view spans the whole library, the archive too, unless its query says otherwise (as
Inbox's `-is:archived` does); what it counts is what choosing it lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from peewee import IntegrityError

from reader.annotations.undo import State, UndoStack
from reader.commands import (
    ANYWHERE,
    CONTEXT_TITLES,
    DEFAULT_KEYMAP,
    DIALOGS,
    invocation,
    invocation_problem,
    is_key,
    normal_key,
)
from reader.query.syntax import MAX_QUERY_CHARS
from reader.records import Changes, SavedView
from reader.storage.database import LibraryDamagedError, LibraryError, Storage

MAX_NAME_CHARS = 80
SHOW = "view.show"  # the command a view's key runs, with the view's name
CHANGED = Changes(views=True)

Keymap = Mapping[str, Mapping[str, str]]


def normal_name(name: str) -> str:
    """A view's name as stored: single spaces, none at either end."""
    return " ".join(name.split())


def show_text(name: str) -> str:
    """The invocation that shows the view called `name` ("view.show Inbox")."""
    return f"{SHOW} {normal_name(name)}"


def key_conflict(key: str, keymap: Keymap, ignore: str | None = None) -> str | None:
    """Why `key` cannot be a view's key in this window's keymap, said for the user; None
    when it is free. A view's key works anywhere in the window, so it must differ from
    every key of the window (those of its panes too: both would fight over it), and be
    neither the start of another key nor begin with one (Qt would wait for the rest, or
    never get there). `ignore` is an invocation whose keys do not count (the view's own
    key, when it is changed)."""
    chords = normal_key(key).split(", ")
    for context, bindings in keymap.items():
        if context in DIALOGS:
            continue  # a dialog's keys work only while it is open
        where = "" if context == ANYWHERE else f" in the {CONTEXT_TITLES[context].lower()}"
        for bound_key, bound in bindings.items():
            if bound == ignore or invocation_problem(bound) is not None:
                continue
            other = normal_key(bound_key).split(", ")
            shorter = min(len(chords), len(other))
            if chords[:shorter] != other[:shorter]:
                continue
            owner = f"“{invocation(bound).title}”{where}"
            if bound.startswith(SHOW + " "):
                owner = f"the saved view “{bound[len(SHOW) + 1:]}”"
            spelt = normal_key(bound_key)
            if len(chords) == len(other):
                return f"{normal_key(key)} is already the key of {owner}."
            if len(chords) < len(other):
                return (f"{normal_key(key)} is the start of {spelt}, the key of {owner}; "
                        "choose a key that is not.")
            return (f"{normal_key(key)} begins with {spelt}, the key of {owner}; choose "
                    "a key that does not.")
    return None


def view_bindings(views: Iterable[SavedView]) -> dict[str, str]:
    """The key of each view that has one, bound to showing it (key → invocation text)."""
    return {view.key: show_text(view.name) for view in views if view.key}


class ViewManager:
    """The library's saved views, in their order."""

    def __init__(self, store: Storage, query: Any, undo: UndoStack) -> None:
        self._store = store
        self._m = store.models
        self._query = query  # reader.query.manager.QueryManager
        self._undo = undo

    # --- reading ------------------------------------------------------------------------
    def list(self) -> list[SavedView]:
        """Every view, in the sidebar's order."""
        rows = self._store.rows(
            "SELECT id, name, query, key, position FROM saved_view ORDER BY position, id")
        return [SavedView(*row) for row in rows]

    def get(self, view_id: int) -> SavedView:
        rows = self._store.rows(
            "SELECT id, name, query, key, position FROM saved_view WHERE id = ?", (view_id,))
        if not rows:
            raise LibraryError(f"There is no saved view with id {view_id}.")
        return SavedView(*rows[0])

    def find(self, name: str) -> SavedView | None:
        """The view called `name`, ignoring case; None if there is none."""
        wanted = normal_name(name).casefold()
        return next((v for v in self.list() if v.name.casefold() == wanted), None)

    def count(self, query: str) -> int:
        """How many articles a view with this query lists, archived ones too unless the
        query leaves them out (one SQL count)."""
        return self._query.count(query)

    def counts(self, views: Iterable[SavedView] | None = None) -> dict[int, int | None]:
        """Each view's count, by id (None for one whose query cannot run). One SQL count
        each, a few milliseconds at 100,000 articles for most queries, more for a word
        found in most of them: the window runs this in a worker."""
        found: dict[int, int | None] = {}
        for view in self.list() if views is None else views:
            try:
                found[view.id] = self.count(view.query)
            except LibraryDamagedError:
                raise
            except LibraryError:
                found[view.id] = None
        return found

    # --- rules --------------------------------------------------------------------------
    def check_name(self, name: str, own_id: int | None = None) -> str:
        """The name as stored; LibraryError when it is empty, too long or another
        view's (ignoring case)."""
        name = normal_name(name)
        if not name:
            raise LibraryError("A saved view needs a name.")
        if len(name) > MAX_NAME_CHARS:
            raise LibraryError(f"A saved view's name can be at most {MAX_NAME_CHARS} "
                               f"characters long; this one has {len(name)}.")
        for view in self.list():
            if view.id != own_id and view.name.casefold() == name.casefold():
                raise LibraryError(f"There is already a saved view called “{view.name}”; "
                                   "choose another name.")
        return name

    @staticmethod
    def check_query(query: str) -> str:
        """The query as stored; LibraryError when it is empty or too long."""
        query = query.strip()
        if not query:
            raise LibraryError("A saved view needs a query: what it finds, such as "
                               "is:unread or tag:history.")
        if len(query) > MAX_QUERY_CHARS:
            raise LibraryError(f"A saved view's query can be at most {MAX_QUERY_CHARS} "
                               "characters long.")
        return query

    def check_key(self, key: str | None, keymap: Keymap | None = None,
                  own_id: int | None = None) -> str | None:
        """The key in its one spelling ("G, I"), or None for no key. LibraryError when it
        is not a key sequence, or when it is taken: by another view, or in `keymap` (the
        window's keys; the default keymap when not given)."""
        if key is None or not key.strip():
            return None
        if not is_key(key):
            raise LibraryError(
                f"“{key.strip()}” is not a key: write one such as G, I (G then I), "
                "Ctrl+1 or Alt+Shift+R.")
        normal = normal_key(key)
        own = next((v for v in self.list() if v.id == own_id), None)
        views = {k: text for k, text in view_bindings(self.list()).items()
                 if own is None or text != show_text(own.name)}
        base = {context: dict(bindings) for context, bindings in
                (DEFAULT_KEYMAP if keymap is None else keymap).items()}
        base.setdefault(ANYWHERE, {}).update(views)
        problem = key_conflict(normal, base, ignore=show_text(own.name) if own else None)
        if problem is not None:
            raise LibraryError(problem)
        return normal

    # --- changes ------------------------------------------------------------------------
    def add(self, name: str, query: str, key: str | None = None,
            keymap: Keymap | None = None) -> SavedView:
        """A new view, last in the order. LibraryError, saying why, for an empty or
        taken name, an empty query, or a key that is not one or is taken."""
        name = self.check_name(name)
        query = self.check_query(query)
        key = self.check_key(key, keymap)
        with self._store.write():
            position = self._store.rows(
                "SELECT coalesce(max(position), -1) + 1 FROM saved_view")[0][0]
            view_id = self._m.SavedView.insert(
                name=name, query=query, key=key, position=position).execute()
        view = SavedView(view_id, name, query, key, position)
        self._undo.push(f"Add view “{name}”", lambda: self._delete(view_id),
                        lambda: self._insert(view), self._state(view_id))
        return view

    def update(self, view_id: int, *, name: str | None = None, query: str | None = None,
               key: str | None | bool = False, keymap: Keymap | None = None) -> Changes:
        """Change a view's name, query and key at once (those given; `key=None` or ""
        removes its key, `key=False` keeps it): one undoable step."""
        before = self.get(view_id)
        after = SavedView(
            view_id,
            before.name if name is None else self.check_name(name, view_id),
            before.query if query is None else self.check_query(query),
            before.key if key is False else self.check_key(key or None, keymap, view_id),
            before.position)
        if after == before:
            return Changes()
        self._write(after)
        label = ("Rename view" if after.name != before.name and after.query == before.query
                 and after.key == before.key else "Edit view")
        self._undo.push(f"{label} “{before.name}”", lambda: self._write(before),
                        lambda: self._write(after), self._state(view_id))
        return CHANGED

    def rename(self, view_id: int, name: str) -> Changes:
        return self.update(view_id, name=name)

    def set_query(self, view_id: int, query: str) -> Changes:
        return self.update(view_id, query=query)

    def set_key(self, view_id: int, key: str | None, keymap: Keymap | None = None) -> Changes:
        """Give the view this key (None or "": no key); see `check_key`."""
        return self.update(view_id, key=key or None, keymap=keymap)

    def move(self, view_id: int, step: int) -> Changes:
        """Move the view `step` places down the order (up when negative); at an end it
        stays. Changes() when it did not move."""
        views = self.list()
        index = next((i for i, v in enumerate(views) if v.id == view_id), None)
        if index is None:
            raise LibraryError(f"There is no saved view with id {view_id}.")
        target = max(0, min(len(views) - 1, index + step))
        if target == index:
            return Changes()
        before = [v.id for v in views]
        after = list(before)
        after.insert(target, after.pop(index))
        self._order(after)
        self._undo.push(f"Move view “{views[index].name}”", lambda: self._order(before),
                        lambda: self._order(after), lambda: [v.id for v in self.list()])
        return CHANGED

    def remove(self, view_id: int) -> Changes:
        """Delete the view (undo brings it back, in its place and with its key)."""
        view = self.get(view_id)
        self._delete(view_id)
        self._undo.push(f"Delete view “{view.name}”", lambda: self._insert(view),
                        lambda: self._delete(view_id), self._state(view_id))
        return CHANGED

    def _state(self, view_id: int) -> State:
        """What undo compares before it reverts a change to the view (see
        reader.annotations.undo): its name, query and key; None once it is gone."""

        def state() -> tuple | None:
            found = self._store.rows(
                "SELECT name, query, key FROM saved_view WHERE id = ?", (view_id,))
            return tuple(found[0]) if found else None

        return state

    # --- the writes, shared by the changes and their undo -------------------------------
    def _write(self, view: SavedView) -> Changes:
        try:
            with self._store.write():
                self._m.SavedView.update(name=view.name, query=view.query, key=view.key).where(
                    self._m.SavedView.id == view.id).execute()
        except IntegrityError as exc:  # undoing a rename onto a name taken since
            raise LibraryError(f"There is already a saved view called “{view.name}”.") from exc
        return CHANGED

    def _insert(self, view: SavedView) -> Changes:
        try:
            with self._store.write():
                self._m.SavedView.insert(id=view.id, name=view.name, query=view.query,
                                         key=view.key, position=view.position).execute()
        except IntegrityError as exc:
            raise LibraryError(f"There is already a saved view called “{view.name}”.") from exc
        return CHANGED

    def _delete(self, view_id: int) -> Changes:
        with self._store.write():
            self._m.SavedView.delete().where(self._m.SavedView.id == view_id).execute()
        return CHANGED

    def _order(self, ids: list[int]) -> Changes:
        """Number the views in this order; views not named (made since) follow, in
        their order."""
        rest = [v.id for v in self.list() if v.id not in ids]
        with self._store.write():
            for position, view_id in enumerate(ids + rest):
                self._m.SavedView.update(position=position).where(
                    self._m.SavedView.id == view_id).execute()
        return CHANGED
