"""Undo and redo of annotation actions, kept in the core so every front end shares them.

The stack holds this process's own actions only, but the library may be shared (a team
library on PostgreSQL, or one file open in two processes): another reader may have
changed the same highlight or article since. So an action can say what it touches (a
`state` read of those rows); the stack keeps what that read when this process last
left them, and undoes or redoes only while they are still so. Otherwise it refuses,
undoing nothing of the other reader's change, and drops the entry: it can never apply
again, and the older entries beneath it stay reachable, each checked in its turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reader.records import Changes
from reader.storage.database import LibraryError, Storage

Step = Callable[[], Changes]
State = Callable[[], Any]  # the rows an action touches, as undo compares them


class UndoConflictError(LibraryError):
    """Undo or redo refused: someone else changed what the action touched since."""


@dataclass
class UndoEntry:
    label: str  # e.g. "Delete highlight"
    undo: Step
    redo: Step
    state: State | None = None  # None: nothing to compare (the rows are this process's)
    left: Any = None  # what `state()` read when this process last changed the rows


class UndoStack:
    """A bounded history of actions; each undo or redo runs in one transaction."""

    def __init__(self, store: Storage, limit: int = 500) -> None:
        self._store = store
        self._done: list[UndoEntry] = []
        self._undone: list[UndoEntry] = []
        self._limit = limit

    def push(self, label: str, undo: Step, redo: Step, state: State | None = None) -> None:
        """Record an action just made. `state` reads the rows it touched; called now (best
        inside the action's own transaction) and before each undo and redo."""
        self._done.append(UndoEntry(label, undo, redo, state,
                                    state() if state is not None else None))
        del self._done[:-self._limit]
        self._undone.clear()

    @property
    def undo_label(self) -> str | None:
        return self._done[-1].label if self._done else None

    @property
    def redo_label(self) -> str | None:
        return self._undone[-1].label if self._undone else None

    def undo(self) -> Changes | None:
        """Undo the last action; None when there is nothing to undo. UndoConflictError
        (the entry dropped, nothing changed) when someone else changed it since."""
        if not self._done:
            return None
        entry = self._done.pop()
        changes = self._run(entry, entry.undo, "undo")
        self._undone.append(entry)
        return changes

    def redo(self) -> Changes | None:
        if not self._undone:
            return None
        entry = self._undone.pop()
        changes = self._run(entry, entry.redo, "redo")
        self._done.append(entry)
        return changes

    def _run(self, entry: UndoEntry, step: Step, verb: str) -> Changes:
        """Run one direction of the entry in one transaction, if its rows are as this
        process left them; what they are after it is kept for the next check."""
        with self._store.write():
            if entry.state is not None and entry.state() != entry.left:
                raise UndoConflictError(
                    f"Cannot {verb} “{entry.label}”: someone else has changed it since. "
                    f"Their change stays, and “{entry.label}” is taken off the {verb} "
                    "history.")
            changes = step()
            if entry.state is not None:
                entry.left = entry.state()
        return changes

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()
