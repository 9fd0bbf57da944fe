"""Operations off the UI thread: results, progress and errors come back on the UI thread,
only for live owners; cancelled work is dropped; changes are announced once."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QProgressDialog, QWidget

from reader.records import Changes
from reader.ui import operations
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import Cancelled, LibraryOp, QueryOp


def test_the_result_comes_back_on_the_ui_thread(qtbot):
    owner = QObject()
    seen = []
    op = QueryOp(owner, None, lambda: threading.current_thread().name).success(
        lambda name: seen.append((name, threading.current_thread().name))).run()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    worker, caller = seen[0]
    assert worker.startswith(operations.THREAD_PREFIX)
    assert caller == threading.main_thread().name
    assert not op.running


def test_each_job_releases_its_threads_connection(qtbot):
    released = []

    class Library:
        def release_thread(self) -> None:
            released.append(threading.current_thread().name)

    owner = QObject()
    QueryOp(owner, Library(), lambda: 1).run().wait(5)
    assert len(released) == 1 and released[0].startswith(operations.THREAD_PREFIX)


def test_a_cancelled_job_is_never_delivered(qtbot):
    owner = QObject()
    release = threading.Event()
    seen = []
    first = QueryOp(owner, None, lambda: release.wait(5) and "first").success(seen.append).run()
    first.cancel()
    second = QueryOp(owner, None, lambda: "second").success(seen.append).run()
    release.set()
    second.wait(5)
    qtbot.wait(50)
    assert seen == ["second"]
    assert not first.running


def test_a_failing_job_goes_to_its_failure_callback_only(qtbot):
    owner = QObject()
    failed = []

    def job():
        raise OSError("disk I/O error")

    with qtbot.captureExceptions() as raised:
        QueryOp(owner, None, job).failure(failed.append).run().wait(5)
    assert [str(e) for e in failed] == ["disk I/O error"]
    assert raised == []


def test_a_failing_job_without_a_failure_callback_reaches_the_error_handler(qtbot):
    owner = QObject()
    seen = []

    def job():
        raise OSError("disk I/O error")

    with qtbot.captureExceptions() as raised:
        QueryOp(owner, None, job).success(seen.append).run().wait(5)
    assert [str(exc[1]) for exc in raised] == ["disk I/O error"]
    assert seen == []


def test_a_deleted_owner_gets_nothing(qtbot):
    owner = QObject()
    release = threading.Event()
    seen = []
    QueryOp(owner, None, lambda: release.wait(5)).success(seen.append).run()
    with qtbot.waitSignal(owner.destroyed, timeout=1000):
        owner.deleteLater()
    release.set()
    qtbot.wait(100)
    assert seen == []


def test_progress_is_delivered_on_the_ui_thread(qtbot):
    owner = QObject()
    steps = threading.Event()
    seen = []

    def job(progress):
        for done in range(1, 4):
            progress(done, 3)
            steps.wait(0.05)
        return "done"

    results = []
    QueryOp(owner, None, job).on_progress(
        lambda done, total: seen.append((done, total, threading.current_thread().name))
    ).success(results.append).run()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert seen and seen[-1][:2] == (3, 3)
    assert {name for _d, _t, name in seen} == {threading.main_thread().name}
    assert [d for d, _t, _n in seen] == sorted(d for d, _t, _n in seen)


def test_cancelling_stops_a_long_job_between_steps(qtbot):
    owner = QObject()
    started, stopped = threading.Event(), threading.Event()
    steps = []
    results, cancelled = [], []

    def job(progress):
        try:
            for step in range(1000):
                progress(step, 1000)
                steps.append(step)
                started.set()
                threading.Event().wait(0.005)
        except Cancelled:
            stopped.set()
            raise
        return "finished"

    op = QueryOp(owner, None, job).on_progress(lambda d, t: None).success(results.append)
    op.on_cancel(lambda: cancelled.append(True)).run()
    assert started.wait(5)
    op.cancel()
    assert stopped.wait(5)  # it stopped at its next step
    qtbot.wait(50)
    assert results == [] and cancelled == [True]
    assert len(steps) < 1000


def test_with_progress_shows_one_dialog_whose_cancel_cancels(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    started, stopped = threading.Event(), threading.Event()

    def job(progress):
        started.set()
        for _ in range(1000):  # bounded: a broken cancel must not hang the test run
            try:
                progress(1, 2)
            except Cancelled:
                stopped.set()
                raise
            threading.Event().wait(0.005)

    op = QueryOp(window, None, job).with_progress("Importing…").run()
    assert started.wait(5)
    dialogs = window.findChildren(QProgressDialog)
    assert len(dialogs) == 1 and dialogs[0].labelText() == "Importing…"
    assert dialogs[0].minimumDuration() == operations.PROGRESS_MIN_MS
    dialogs[0].canceled.emit()  # what its Cancel button (or Esc) does
    assert stopped.wait(5)
    assert not op.running


def test_a_library_op_announces_its_changes_once_then_succeeds(qtbot):
    owner = QObject()
    bus = ChangeBus(owner)
    order = []
    bus.library_changed.connect(lambda changes, initiator: order.append((changes, initiator)))
    changes = Changes(article_list=True)
    LibraryOp(owner, None, lambda: changes, bus, initiator="me").success(
        lambda result: order.append(result)).run().wait(5)
    assert order == [(changes, "me"), changes]


def test_a_failed_library_op_announces_nothing(qtbot):
    owner = QObject()
    bus = ChangeBus(owner)
    announced, failed = [], []
    bus.library_changed.connect(lambda *args: announced.append(args))

    def job():
        raise OSError("read-only file system")

    LibraryOp(owner, None, job, bus).failure(failed.append).run().wait(5)
    assert announced == [] and len(failed) == 1


def test_drain_waits_for_running_jobs_and_drops_their_results(qtbot):
    owner = QObject()
    started, release = threading.Event(), threading.Event()
    finished, seen = [], []

    def job():
        started.set()
        release.wait(0.2)
        finished.append(True)
        return "late"

    QueryOp(owner, None, job).success(seen.append).run()
    assert started.wait(5)
    operations.drain(5)
    assert finished == [True]
    qtbot.wait(30)
    assert seen == []
    assert operations.running() == []


@pytest.mark.parametrize("changes", [None, Changes()])
def test_no_change_is_not_announced(qtbot, changes):
    bus = ChangeBus()
    announced = []
    bus.library_changed.connect(lambda *args: announced.append(args))
    bus.announce(changes)
    assert announced == []


def test_the_daily_backup_runs_in_the_pool_and_exit_waits_for_it(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMainWindow

    from reader.ui import app as app_module

    started, finished = threading.Event(), []

    def slow_backup(path):
        started.set()
        threading.Event().wait(0.2)
        finished.append(threading.current_thread().name)
        return "Today's backup failed: disk full"

    monkeypatch.setattr(app_module, "daily_backup", slow_backup)
    window = QMainWindow()
    qtbot.addWidget(window)
    backups = app_module.BackgroundBackup(tmp_path / "library.sqlite3", window)
    backups.start()
    assert started.wait(5)
    window.close()  # cancels the window's jobs: not the backup
    operations.cancel_for(window)
    backups.wait()
    assert finished and finished[0].startswith(operations.THREAD_PREFIX)
    assert window.statusBar().currentMessage() == "Today's backup failed: disk full"


def test_cancelling_for_an_owner_cancels_only_its_operations(qtbot):
    mine, other = QObject(), QObject()
    release = threading.Event()
    seen = []
    QueryOp(mine, None, lambda: release.wait(5) and "mine").success(seen.append).run()
    theirs = QueryOp(other, None, lambda: release.wait(5) and "theirs").success(seen.append).run()
    operations.cancel_for(mine)
    release.set()
    theirs.wait(5)
    qtbot.wait(30)
    assert seen == ["theirs"]


def test_many_progress_reports_reach_the_ui_thread_a_few_at_a_time(qtbot):
    owner = QObject()
    seen = []

    def job(progress):
        for done in range(1, 20001):
            progress(done, 20000)
        return "done"

    results = []
    QueryOp(owner, None, job).on_progress(lambda done, total: seen.append(done)).success(
        results.append).run()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert seen[-1] == 20000  # the last report always arrives, before the result
    assert len(seen) < 100


def test_a_job_that_makes_many_objects_runs_with_the_collector_paused():
    import gc
    import threading

    from reader.ui.operations import collector_paused

    assert gc.isenabled()
    inside = []
    with collector_paused():
        inside.append(gc.isenabled())
        worker = threading.Thread(target=lambda: inside.append(_nested(collector_paused)))
        worker.start()
        worker.join()
        inside.append(gc.isenabled())  # the other job's end does not resume it
    assert inside == [False, False, False]
    assert gc.isenabled()
    try:
        with collector_paused():
            raise ValueError("the job failed")
    except ValueError:
        pass
    assert gc.isenabled()


def _nested(collector_paused):
    import gc

    with collector_paused():
        return gc.isenabled()
