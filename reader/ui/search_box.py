"""The search box above the article list: filters as you type; Esc clears it and leaves."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

TYPING_PAUSE_MS = 120  # wait for a pause in typing before searching


class SearchBox(QLineEdit):
    """Emits `search_changed` shortly after typing pauses; Esc clears and emits `left`,
    Down or Enter emit `to_results` so the keyboard can move on to the list."""

    search_changed = Signal(str)
    left = Signal()
    to_results = Signal(bool)  # True when Enter asked to open the first result

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("searchBox")
        self.setPlaceholderText("Search articles   /")
        self.setClearButtonEnabled(True)
        self.setAccessibleName("Search articles")
        self.setToolTip("Words, or a query: tag:history is:unread added:<2w colour:pink "
                        "-tag:later (a OR b) sort:-published — see the README")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.emit_now)
        self.textChanged.connect(lambda _text: self._timer.start())

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt name)
        # A search typed just before the window closed is dropped, not run on a library
        # that is being closed.
        self._timer.stop()
        super().hideEvent(event)

    def clear_quietly(self) -> None:
        """Empty the box without announcing a search (the caller changes the list)."""
        self._timer.stop()
        blocked = self.blockSignals(True)
        self.clear()
        self.blockSignals(blocked)

    def set_text_quietly(self, text: str) -> None:
        """Show this text without announcing a search (the caller changes the list)."""
        self._timer.stop()
        blocked = self.blockSignals(True)
        self.setText(text)
        self.blockSignals(blocked)

    def emit_now(self) -> None:
        self._timer.stop()
        self.search_changed.emit(self.text())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.clear()
            self.emit_now()
            self.left.emit()
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.emit_now()
            self.to_results.emit(key != Qt.Key.Key_Down)
        else:
            super().keyPressEvent(event)
