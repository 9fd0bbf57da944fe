"""Progress reports from long jobs, at a pace a progress bar needs."""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[int, int], None]
INTERVAL = 0.1  # seconds: ten updates a second is smooth for a progress bar


def throttled(report: Progress, interval: float = INTERVAL,
              clock: Callable[[], float] = time.monotonic) -> Progress:
    """`report`, called at most once per interval, and always for the first and last step.

    An export of 1,700 articles reported each one: 1,700 signals queued to the window
    cost about 2 s of its thread and stalled it for 400 ms."""
    last: float | None = None

    def call(done: int, total: int) -> None:
        nonlocal last
        now = clock()
        if last is None or done >= total or now - last >= interval:
            last = now
            report(done, total)

    return call
