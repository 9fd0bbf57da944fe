"""Run something once a widget has painted for the first time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

# A window that is never painted (started minimised, on a screen that is off) still gets
# the work done after this long.
FALLBACK_MS = 1000


class FirstPaint(QObject):
    """Calls `then()` once, in the event loop's next turn after `widget` first paints
    (or after FALLBACK_MS if it does not paint by then): start-up work the first frame
    does not need waits until the user can see the window."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._run)

    @property
    def pending(self) -> bool:
        return self._then is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Paint and self._then is not None:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self._run)
        return False

    def run_now(self) -> None:
        """Do it now if it has not been done (then not again after the paint)."""
        self._run()

    def _run(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            self._widget.removeEventFilter(self)
            then()
