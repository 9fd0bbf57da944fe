"""Work off the UI thread, one way for the whole app: `QueryOp` for reads, `LibraryOp` for
changes that are announced on the window's `ChangeBus` (after Anki's aqt/operations).

    QueryOp(owner, library, lambda: library.tags.counts()).success(show).run()
    LibraryOp(owner, library, job, bus).with_progress("Importing…").run()

The rules that keep this safe:

- Worker threads never touch a Qt object. A job's result waits in its future until the
  UI thread collects it (one timer polls every running operation) and hands it to the
  callbacks there; progress travels the same way.
- An operation whose owner QObject was deleted is dropped, and its cancelled flag is set
  so that a long job stops at its next step. A worker that emits a signal on a model
  while the window is being destroyed can crash the process; this never does.
- An exception in a job goes to its failure callback if it has one, otherwise to the
  application's error handler (`report_error`, which logs it and shows the dialog).
- After each job its worker closes the database connection it opened
  (`Library.release_thread`).

The workers are one small pool for the app. At exit `drain()` cancels what is left and
waits for running jobs, so that none runs while Qt and the library are torn down.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from reader.progress import INTERVAL
from reader.records import Changes
from reader.ui.change_bus import ChangeBus

if TYPE_CHECKING:
    from reader.library import Library

log = logging.getLogger(__name__)

POLL_MS = 10
# Short reads (list pages, counts, snippets) share the pool with the occasional long job
# (an import, an export, the daily backup); three workers keep reads flowing meanwhile.
WORKERS = 3
THREAD_PREFIX = "marginalia-op"
PROGRESS_MIN_MS = 400  # quick jobs never flash a progress dialog
# While a worker runs Python code it holds the GIL for up to the interpreter's switch
# interval (5 ms) before the UI thread may take it, and the UI thread needs it after each
# of the many calls into Qt a paint makes: a dozen such waits are a visible stall. While
# any operation runs, the interval is 1 ms.
BUSY_SWITCH_INTERVAL = 0.001
PROGRESS_INTERVAL = INTERVAL  # seconds between progress updates on the UI thread


class Cancelled(Exception):
    """Raised in a worker by `Progress` once its operation was cancelled."""


class Progress:
    """What a job that reports progress is handed: call it as `progress(done, total)` from
    the worker. Once the operation is cancelled the call raises `Cancelled`, so a long job
    stops at its next step; `cancelled()` asks without raising.

    Reports are not queued: the UI thread picks up the latest one at most ten times a
    second (and the last one before the result), so a job may report every step however
    many there are.
    """

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self.latest: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        self.check()
        self.latest = (done, total)  # one assignment: safe to read from the UI thread

    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        self._cancelled.set()


_paused_lock = threading.Lock()
_paused = 0  # jobs running with the cyclic garbage collector paused


@contextlib.contextmanager
def collector_paused():
    """Run a job that makes many objects (an import of thousands of entries) with the
    cyclic garbage collector paused. Its full passes scan every object the job holds and
    keep the GIL meanwhile: a worker's collection is a stall of the window of 100 ms and
    more. Objects are still freed as they go (reference counting); what is cyclic waits
    for the collector, which resumes when the last such job ends. Nested and concurrent
    jobs share one pause."""
    global _paused
    with _paused_lock:
        if _paused == 0:
            was_enabled = gc.isenabled()
            gc.disable()
            collector_paused.was_enabled = was_enabled
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and getattr(collector_paused, "was_enabled", True):
                gc.enable()


def report_error(error: BaseException) -> None:
    """Hand an unexpected exception to the application's error handler (sys.excepthook,
    which the app replaces with `reader.ui.errors.ErrorHandler`): logged and shown.

    Damage met by a background read is not unexpected: the library is now in its
    damaged state, which the window's banner shows (LibraryWatch); it is logged only."""
    from reader.library import LibraryDamagedError

    if isinstance(error, LibraryDamagedError):
        log.warning("%s", error)
        return
    sys.excepthook(type(error), error, error.__traceback__)


class QueryOp:
    """Runs `job` in a worker and calls back on the UI thread; for reads.

    `job()` takes no argument, or `job(progress)` when the operation reports progress
    (`on_progress` or `with_progress`). Build, then `run()`; each setter returns the op.
    """

    def __init__(self, parent: QObject, library: Library | None,
                 job: Callable[..., Any]) -> None:
        self._parent = parent
        self._library = library
        self._job = job
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[Exception], None] | None = None
        self._progress_cb: Callable[[int, int], None] | None = None
        self._on_cancel: Callable[[], None] | None = None
        self._label: str | None = None
        self._progress: Progress | None = None
        self._shown_progress: tuple[int, int] | None = None
        self._progress_shown_at = float("-inf")
        self._dialog: QProgressDialog | None = None
        self._future: Future | None = None
        self._over = False  # delivered, failed or cancelled

    # --- building -------------------------------------------------------------------
    def success(self, callback: Callable[[Any], None]) -> QueryOp:
        self._success = callback
        return self

    def failure(self, callback: Callable[[Exception], None]) -> QueryOp:
        """Called instead of the error handler when the job raises."""
        self._failure = callback
        return self

    def on_progress(self, callback: Callable[[int, int], None]) -> QueryOp:
        """`callback(done, total)` on the UI thread as the job reports progress."""
        self._progress_cb = callback
        return self

    def on_cancel(self, callback: Callable[[], None]) -> QueryOp:
        """Called on the UI thread when the operation is cancelled before it finished."""
        self._on_cancel = callback
        return self

    def with_progress(self, label: str) -> QueryOp:
        """Show a progress dialog (after PROGRESS_MIN_MS) whose Cancel cancels the job."""
        self._label = label
        return self

    # --- running --------------------------------------------------------------------
    def run(self) -> QueryOp:
        if self._future is not None:
            raise RuntimeError("an operation runs once")
        if self._progress_cb is not None or self._label is not None:
            self._progress = Progress()
        if self._label is not None:
            self._dialog = self._make_dialog(self._label)
        _runner().submit(self)
        return self

    @property
    def running(self) -> bool:
        """Started and not yet delivered, failed or cancelled."""
        return self._future is not None and not self._over

    def cancel(self, quietly: bool = False) -> None:
        """Forget the result; a job not started yet never runs, a running one sees its
        cancelled flag (its next `progress()` raises Cancelled). The `on_cancel` callback
        is called unless `quietly` (when shutting down, nothing more may start)."""
        if self._over:
            return
        self._over = True
        if self._progress is not None:
            self._progress.cancel()
        if self._future is not None:
            self._future.cancel()
        _runner().forget(self)
        self._close_dialog()
        if self._on_cancel is not None and not quietly and isValid(self._parent):
            self._on_cancel()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the job has finished (even a cancelled one that had started), then
        deliver its result unless it was cancelled (for tests and for shutting down)."""
        if self._future is None:
            return
        with contextlib.suppress(Exception):  # cancelled before it started, or timed out
            self._future.exception(timeout)
        if not self._over:
            _runner().collect()

    # --- in the worker --------------------------------------------------------------
    def _work(self) -> Any:
        try:
            if self._progress is not None:
                self._progress.check()
                return self._job(self._progress)
            return self._job()
        finally:
            if self._library is not None:
                self._library.release_thread()  # the connection this worker opened

    # --- on the UI thread -----------------------------------------------------------
    def _abandon(self) -> None:
        """The owner is gone: nothing is delivered, and a long job is told to stop."""
        self._over = True
        if self._progress is not None:
            self._progress.cancel()
        if self._future is not None:
            self._future.cancel()
        self._close_dialog()  # if it was not deleted with the owner

    def _deliver_progress(self, final: bool = False) -> None:
        """Show the job's latest progress: at most every PROGRESS_INTERVAL, and the last
        report before the result."""
        latest = self._progress.latest if self._progress is not None else None
        if latest is None or latest == self._shown_progress:
            return
        now = time.monotonic()
        if not final and now - self._progress_shown_at < PROGRESS_INTERVAL:
            return
        self._progress_shown_at = now
        self._shown_progress = latest
        done, total = latest
        if self._dialog is not None:
            self._dialog.setMaximum(max(total, 1))
            self._dialog.setValue(min(done, max(total, 1)))
        if self._progress_cb is not None:
            self._progress_cb(done, total)

    def _finish(self) -> None:
        self._over = True
        self._close_dialog()
        future = self._future
        if future.cancelled():
            return
        error = future.exception()
        if isinstance(error, Cancelled):
            if self._on_cancel is not None:
                self._on_cancel()
            return
        if error is not None:
            if self._failure is not None:
                self._failure(error)
            else:
                report_error(error)
            return
        self._succeeded(future.result())

    def _succeeded(self, result: Any) -> None:
        if self._success is not None:
            self._success(result)

    def _make_dialog(self, label: str) -> QProgressDialog:
        parent = self._parent if isinstance(self._parent, QWidget) else None
        dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(PROGRESS_MIN_MS)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.canceled.connect(self.cancel)
        return dialog

    def _close_dialog(self) -> None:
        dialog, self._dialog = self._dialog, None
        if dialog is not None and isValid(dialog):
            dialog.canceled.disconnect(self.cancel)
            dialog.reset()
            dialog.hide()
            dialog.deleteLater()

    def _owner_alive(self) -> bool:
        return isValid(self._parent)


class LibraryOp(QueryOp):
    """Runs a change to the library in a worker; when it succeeds, its `Changes` are
    announced on the bus once (with `initiator`), and then `success` is called.

    The job returns a `Changes`, or anything `changes(result)` turns into one (an import
    returns its report, say); the success callback gets the job's result.
    """

    def __init__(self, parent: QObject, library: Library | None, job: Callable[..., Any],
                 bus: ChangeBus, changes: Callable[[Any], Changes] | None = None,
                 initiator: object | None = None) -> None:
        super().__init__(parent, library, job)
        self._bus = bus
        self._changes_of = changes
        self._initiator = initiator

    def _succeeded(self, result: Any) -> None:
        changes = self._changes_of(result) if self._changes_of is not None else result
        if isValid(self._bus):
            self._bus.announce(changes, self._initiator)
        super()._succeeded(result)


class _Runner(QObject):
    """The pool and the timer that collects finished jobs on the UI thread."""

    def __init__(self) -> None:
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix=THREAD_PREFIX)
        self._ops: list[QueryOp] = []
        self._idle_interval = sys.getswitchinterval()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.collect)

    def submit(self, op: QueryOp) -> None:
        if not self._ops:
            self._idle_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(BUSY_SWITCH_INTERVAL, self._idle_interval))
        op._future = self._pool.submit(op._work)
        self._ops.append(op)
        self._timer.start()

    def _stop_if_idle(self) -> None:
        if not self._ops:
            self._timer.stop()
            sys.setswitchinterval(self._idle_interval)

    def forget(self, op: QueryOp) -> None:
        if op in self._ops:
            self._ops.remove(op)
        self._stop_if_idle()

    def running(self) -> list[QueryOp]:
        return list(self._ops)

    def collect(self) -> None:
        for op in list(self._ops):
            if op not in self._ops:
                continue  # cancelled by a callback of an op delivered before it
            try:
                if not op._owner_alive():
                    self._ops.remove(op)
                    op._abandon()
                    continue
                finished = op._future.done()
                op._deliver_progress(final=finished)
                if finished:
                    self._ops.remove(op)
                    op._finish()
            except Exception as exc:  # noqa: BLE001 - a callback's error; the rest go on
                report_error(exc)
        self._stop_if_idle()


_instance: _Runner | None = None


def _runner() -> _Runner:
    """The app's runner, made on first use (on the UI thread, where every op starts)."""
    global _instance
    if _instance is None or not isValid(_instance):
        _instance = _Runner()
    return _instance


def cancel_for(owner: QObject, quietly: bool = False) -> None:
    """Cancel every operation this owner started (its results are no longer wanted);
    long jobs stop at their next step."""
    if _instance is None:
        return
    for op in _instance.running():
        if op._parent is owner:
            op.cancel(quietly)


def running() -> list[QueryOp]:
    """The operations started and not yet delivered."""
    return _runner().running() if _instance is not None else []


def drain(timeout: float | None = None) -> None:
    """Before the library closes (at exit, and after each test): cancel every operation
    quietly and wait for the jobs still running in workers, so that none touches the
    library after it is closed."""
    if _instance is None:
        return
    ops = _instance.running()
    for op in ops:
        op.cancel(quietly=True)
    for op in ops:
        if op._future is not None:
            with contextlib.suppress(Exception):  # cancelled before it started, or timed out
                op._future.exception(timeout)
