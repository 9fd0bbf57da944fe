"""The change bus: every change to the library is announced once, and each view refreshes
only what the change names (after Anki's `operation_did_execute(changes, initiator)`)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from reader.records import Changes


class ChangeBus(QObject):
    """One per window (and library). `announce(changes, initiator)` after each mutation;
    views connect to `library_changed(changes, initiator)` and skip a change whose
    initiator is themselves: they have already shown it.

    Receivers run in the order they subscribed (Qt calls a signal's slots in connection
    order), so a view that depends on another's refresh subscribes after it.
    """

    library_changed = Signal(object, object)  # Changes, initiator (a view, or None)

    def announce(self, changes: Changes | None, initiator: object | None = None) -> None:
        """Tell every view what changed; nothing is announced for no change."""
        if changes is None or changes == Changes():
            return
        self.library_changed.emit(changes, initiator)


def touches_article(changes: Changes, article_id: int | None) -> bool:
    """Whether the open article's annotations, tags or colours may look different now."""
    return article_id is not None and (
        article_id in changes.highlights or article_id in changes.articles
        or changes.tags or changes.colours)
