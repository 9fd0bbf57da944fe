"""Undo and redo of annotation actions, kept in the core so every front end shares them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reader.records import Changes
from reader.storage.database import Storage

Step = Callable[[], Changes]


@dataclass(frozen=True)
class UndoEntry:
    label: str  # e.g. "Delete highlight"
    undo: Step
    redo: Step


class UndoStack:
    """A bounded history of actions; each undo or redo runs in one transaction."""

    def __init__(self, store: Storage, limit: int = 500) -> None:
        self._store = store
        self._done: list[UndoEntry] = []
        self._undone: list[UndoEntry] = []
        self._limit = limit

    def push(self, label: str, undo: Step, redo: Step) -> None:
        self._done.append(UndoEntry(label, undo, redo))
        del self._done[:-self._limit]
        self._undone.clear()

    @property
    def undo_label(self) -> str | None:
        return self._done[-1].label if self._done else None

    @property
    def redo_label(self) -> str | None:
        return self._undone[-1].label if self._undone else None

    def undo(self) -> Changes | None:
        """Undo the last action; None when there is nothing to undo."""
        if not self._done:
            return None
        entry = self._done.pop()
        with self._store.write():
            changes = entry.undo()
        self._undone.append(entry)
        return changes

    def redo(self) -> Changes | None:
        if not self._undone:
            return None
        entry = self._undone.pop()
        with self._store.write():
            changes = entry.redo()
        self._done.append(entry)
        return changes

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()
