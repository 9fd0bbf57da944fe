"""A modal overlay that closes like a popup: when the user clicks elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog


class PopupDialog(QDialog):
    """The command palette and the cheat sheet: modal, gone when the window loses them."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._finished = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        self._finished = False
        super().showEvent(event)

    def done(self, result: int) -> None:
        # Hiding deactivates the window; that must not turn an accept into a reject.
        self._finished = True
        super().done(result)

    def event(self, event: QEvent) -> bool:
        # A click elsewhere closes it, as a popup would.
        if (event.type() == QEvent.Type.WindowDeactivate and self.isVisible()
                and not self._finished):
            self.reject()
        return super().event(event)
