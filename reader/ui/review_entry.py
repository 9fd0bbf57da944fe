"""The sidebar's Review entry, at its top: how many highlights today's review holds.

Counted in a worker (the queue is built in SQL: milliseconds, but never on the UI
thread), again after anything that changes what is due: highlights or tags edited,
articles added or removed, grades given, and when a new review day begins. Changes
that come in a burst (highlighting one passage after another) are counted once, when
they pause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from reader.library import Library, LibraryError
from reader.records import Changes
from reader.review import ReviewOptions, ReviewQueue
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import QueryOp, report_error
from reader.ui.plain import plain_label, tooltip

_log = logging.getLogger(__name__)
SETTLE_MS = 250  # a change waits this long for others before the count runs
UNCOUNTED_MARK = "⚠"  # the count failed; the tooltip says why


def today_phrase(queue: ReviewQueue | None) -> str:
    """What today's review holds, in words: "12 highlights today: 4 due, 8 new"."""
    if queue is None:
        return "Counting today's review…"
    if not len(queue):
        done = queue.new_done + queue.due_done
        return (f"Done for today: {done} reviewed." if done
                else "Nothing to review today.")
    parts = [f"{queue.due_count} due" if queue.due_count else "",
             f"{queue.new_count} new" if queue.new_count else ""]
    count = len(queue)
    return (f"{count} highlight{'s' * (count != 1)} to review today: "
            + ", ".join(p for p in parts if p))


class ReviewEntry(QWidget):
    """"Review" and today's count; Enter, Space or a click emits `chosen`."""

    chosen = Signal()
    counted = Signal(object)  # the ReviewQueue counted (for tests and the window)

    def __init__(self, library: Library, options: Callable[[], ReviewOptions],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._options = options
        self._op: QueryOp | None = None
        self.queue: ReviewQueue | None = None
        self._counted: tuple[ReviewOptions, object] | None = None  # the options and day
        self.setObjectName("reviewEntry")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.title = plain_label("Review")
        self.title.setObjectName("reviewEntryTitle")
        self.count = plain_label("")
        self.count.setObjectName("reviewEntryCount")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.addWidget(self.title)
        layout.addStretch(1)
        layout.addWidget(self.count)
        self._day_timer = QTimer(self)
        self._day_timer.setSingleShot(True)
        self._day_timer.timeout.connect(self.count_now)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.count_now)
        self.count_now()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(200, super().sizeHint().height())

    def listen(self, bus: ChangeBus) -> None:
        bus.library_changed.connect(self._library_changed)

    def _library_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.highlights or changes.tags or changes.article_list or changes.colours:
            self.refresh()

    @property
    def loading(self) -> bool:
        return self._settle.isActive() or (self._op is not None and self._op.running)

    def refresh(self) -> None:
        """Count today's review again once changes pause (the count shown until then is
        no longer taken as fresh)."""
        self._counted = None
        self._settle.start()

    def count_now(self) -> None:
        """Count today's review again, now, in a worker (a count running is dropped)."""
        self._settle.stop()
        if self._op is not None:
            self._op.cancel()
        try:
            options, review = self._options(), self._library.review
        except LibraryError as exc:  # the review does not run on this library: said here
            self._failed(exc)
            return
        day = review.clock.today()
        self._counted = None
        self._op = QueryOp(self, self._library, lambda: review.today(options)).success(
            lambda queue: self._show(queue, (options, day))).failure(self._failed).run()
        self._arm_day_timer()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the count is shown, starting one that waits for changes to pause
        (for tests)."""
        if self._settle.isActive():
            self.count_now()
        if self._op is not None:
            self._op.wait(timeout)

    def fresh_queue(self, options: ReviewOptions) -> ReviewQueue | None:
        """Today's queue as last counted, if nothing has changed since (no count is
        running, the same options, the same day): the review screen starts from it."""
        if self.loading or self._counted != (options, self._library.review.clock.today()):
            return None
        return self.queue

    def _show(self, queue: ReviewQueue, counted=None) -> None:
        self.queue = queue
        self._counted = counted
        count = len(queue)
        self.count.setText(f"{count} today" if count else (
            "✓ done" if queue.new_done + queue.due_done else ""))
        phrase = today_phrase(queue)
        self.setToolTip(phrase + " (R)")
        self.setAccessibleName("Review")
        self.setAccessibleDescription(phrase)
        self.counted.emit(queue)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, LibraryError):  # a scope the query cannot run, a damaged file
            _log.warning("Today's review could not be counted: %s", error)
            self.queue = None
            self.count.setText(UNCOUNTED_MARK)
            self.setToolTip(tooltip(str(error)))
            self.setAccessibleDescription(str(error))
        else:
            report_error(error)

    def _arm_day_timer(self) -> None:
        """Count again when the next review day begins."""
        clock = self._library.review.clock
        left = (clock.day_end() - datetime.now(timezone.utc)).total_seconds()
        self._day_timer.start(int(min(max(left, 60.0), 86_400.0) * 1000))

    # --- choosing it ------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.chosen.emit()
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.chosen.emit()
            return
        super().mouseReleaseEvent(event)
