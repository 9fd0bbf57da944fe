"""Short reads off the UI thread: the rest of a long article list, a search's ranking,
the tag counts.

Worker threads never touch a Qt object. Each job's result waits in its future until the
UI thread collects it with a timer and hands it to the job's callback; a job whose owner
(a model) was deleted meanwhile is dropped with its timer. This matters: a worker that
emits a signal on a model while the window is being destroyed can crash the process.

The workers are a small shared pool; at exit Python waits for running jobs (reads of a
second or two at most), so that none runs while Qt is being torn down.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer

from reader.library import LibraryClosedError


POLL_MS = 10
WORKERS = 2

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="marginalia-read")
        return _pool


def _in_worker(job: Callable[[], Any], release: Callable[[], None]) -> Any:
    try:
        return job()
    finally:
        release()  # the library connection this worker opened


class Background(QObject):
    """Runs jobs in worker threads for one owner and calls back on the UI thread.

    `run(job, done)` calls `done(result)` on the UI thread once `job()` has returned in a
    worker; if the job raised, the exception is raised on the UI thread instead (where
    the application's error handler reports it). `cancel()` forgets every job not yet
    delivered: a job not started yet is not run at all.
    """

    def __init__(self, parent: QObject, release: Callable[[], None]) -> None:
        """`release()` runs in the worker after each job (the library's release_thread)."""
        super().__init__(parent)
        self._release = release
        self._pending: list[tuple[Future, Callable, Callable | None]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)

    def run(self, job: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[Exception], None] | None = None) -> None:
        """Run job() in a worker; then done(result) on the UI thread, or, if it raised,
        failed(exception) and the exception raised again there."""
        self._pending.append((_executor().submit(_in_worker, job, self._release), done, failed))
        self._timer.start()

    def busy(self) -> bool:
        return bool(self._pending)

    def cancel(self) -> None:
        for future, _done, _failed in self._pending:
            future.cancel()
        self._pending.clear()
        self._timer.stop()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the jobs have finished, then deliver their results (for tests and
        for shutting down)."""
        for future, _done, _failed in list(self._pending):
            try:
                future.exception(timeout)
            except Exception:  # noqa: BLE001 - cancelled or timed out: _collect decides
                pass
        self._collect()

    def _collect(self) -> None:
        finished = [job for job in self._pending if job[0].done()]
        if not finished:
            return
        self._pending = [job for job in self._pending if not job[0].done()]
        if not self._pending:
            self._timer.stop()
        errors = []
        for future, done, failed in finished:
            if future.cancelled():
                continue
            error = future.exception()
            if isinstance(error, LibraryClosedError):
                continue  # read for a library closed meanwhile: nothing to show
            try:
                if error is None:
                    done(future.result())
                else:
                    if failed is not None:
                        failed(error)
                    raise error
            except Exception as exc:  # noqa: BLE001 - raised below, after the others
                errors.append(exc)
        if errors:
            raise errors[0]
