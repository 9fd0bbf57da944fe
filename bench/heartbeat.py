"""The event-loop heartbeat: the longest stall of each UI operation the benchmark times.

A 10 ms QTimer ticks throughout a probe; the longest gap between two ticks while an
operation runs is that operation's stall (what a user feels as a frozen window).
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

LONG_GAP_S = 0.05  # gaps kept one by one, to see when in an operation they came


class Heartbeat(QObject):
    """Ticks every 10 ms and keeps, per operation label, the longest gap between ticks.

    Each label belongs to an operation (`during(label, operation)`): a search's first
    results, snippets and re-ranked list are parts of one search. The benchmark's own
    work on the UI thread (its floors) is timed under a label with no operation."""

    def __init__(self) -> None:
        super().__init__()
        self.label = "idle"
        self.last = time.perf_counter()
        self.worst: dict[str, float] = {}
        self.operations: dict[str, str | None] = {}  # label -> operation, in first-seen order
        self.long_gaps: list[tuple[str, float, float]] = []  # (label, ended at, gap) over 50 ms
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap, self.last = now - self.last, now
        if gap > self.worst.get(self.label, 0.0):
            self.worst[self.label] = gap
        if gap > LONG_GAP_S:
            self.long_gaps.append((self.label, now, gap))

    @contextmanager
    def during(self, label: str, operation: str | None = "", settle: float = 0.03):
        """Count the gaps while the block runs (and `settle` seconds after it) as `label`'s,
        a part of `operation` (default: the label itself; None: not the app's work)."""
        self.operations.setdefault(label, label if operation == "" else operation)
        # Counted from the start of the operation, not from the tick before it.
        self.label, self.last = label, time.perf_counter()
        try:
            yield
        finally:
            pump(settle)  # the first tick after the operation closes its gap
            self.label = "idle"

    def stalls_ms(self) -> dict[str, float]:
        """The longest stall of each label, in ms."""
        return {k: v * 1000 for k, v in sorted(self.worst.items())}

    def by_operation_ms(self) -> dict[str, dict[str, float]]:
        """{operation: {label: longest stall in ms}}, operations in the order first run;
        labels with no operation (the benchmark's own work) left out."""
        out: dict[str, dict[str, float]] = {}
        for label, operation in self.operations.items():
            if operation is not None and label in self.worst:
                out.setdefault(operation, {})[label] = self.worst[label] * 1000
        return out


def pump(seconds: float) -> None:
    """Run the event loop for a while (timers, queued signals, paints)."""
    app = QApplication.instance()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.001)
