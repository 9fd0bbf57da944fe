"""Background reads: results come back on the UI thread, and only for live owners."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject

from reader.ui.background import Background


def test_the_result_comes_back_on_the_ui_thread(qtbot):
    owner = QObject()
    background = Background(owner, lambda: None)
    seen = []
    background.run(lambda: threading.current_thread().name,
                   lambda name: seen.append((name, threading.current_thread().name)))
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    worker, caller = seen[0]
    assert worker.startswith("marginalia-read")
    assert caller == threading.main_thread().name
    assert not background.busy()


def test_a_cancelled_job_is_never_delivered(qtbot):
    owner = QObject()
    background = Background(owner, lambda: None)
    release = threading.Event()
    seen = []
    background.run(lambda: release.wait(5) and "first", seen.append)
    background.cancel()
    background.run(lambda: "second", seen.append)
    release.set()
    background.wait(5)
    qtbot.wait(50)
    assert seen == ["second"]


def test_a_failing_job_raises_on_the_ui_thread(qtbot):
    owner = QObject()
    background = Background(owner, lambda: None)
    failed = []

    def job():
        raise OSError("disk I/O error")

    background.run(job, lambda _result: None, failed.append)
    with qtbot.captureExceptions() as raised:
        qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    assert [str(e) for e in failed] == ["disk I/O error"]
    assert [str(exc[1]) for exc in raised] == ["disk I/O error"]


def test_a_deleted_owner_gets_nothing(qtbot):
    owner = QObject()
    background = Background(owner, lambda: None)
    release = threading.Event()
    seen = []
    background.run(lambda: release.wait(5), seen.append)
    with qtbot.waitSignal(owner.destroyed, timeout=1000):
        owner.deleteLater()
    release.set()
    qtbot.wait(100)
    assert seen == []
