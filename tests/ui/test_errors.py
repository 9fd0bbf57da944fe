"""Unexpected errors reach the user: a dialog with the traceback, the log file, and the app
keeps running.

Tests that raise on purpose turn off pytest-qt's own capture (which would fail them), and
replace `ErrorDialog.show_error` to see what the user would be shown.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from reader.ui import app as app_module
from reader.ui import errors
from reader.ui.errors import ErrorDialog, ErrorHandler, install_error_handler, log_path
from reader.ui.main_window import MainWindow

no_capture = pytest.mark.qt_no_exception_capture


@pytest.fixture
def shown(monkeypatch):
    """What the error dialog would show: (parent, message, details, on the GUI thread?)."""
    calls: list[tuple] = []

    def record(cls, parent, message, details):
        on_gui_thread = threading.current_thread() is threading.main_thread()
        calls.append((parent, message, details, on_gui_thread))

    monkeypatch.setattr(ErrorDialog, "show_error", classmethod(record))
    return calls


@pytest.fixture
def handler(qapp):
    installed = install_error_handler(None)
    yield installed
    installed.uninstall()


def failing_slot_for_the_test() -> None:
    raise ValueError("the shelf collapsed")


def _log_text() -> str:
    path = log_path()
    return path.read_text(encoding="utf-8") if path.exists() else ""


@no_capture
def test_an_exception_in_a_slot_is_shown_once_logged_and_the_app_carries_on(qtbot, handler, shown):
    QTimer.singleShot(0, failing_slot_for_the_test)
    qtbot.waitUntil(lambda: bool(shown))
    later: list[int] = []
    QTimer.singleShot(0, lambda: later.append(1))
    qtbot.waitUntil(lambda: bool(later))  # the event loop still runs
    assert len(shown) == 1
    _parent, message, details, on_gui_thread = shown[0]
    assert message == "ValueError: the shelf collapsed"
    assert "Traceback (most recent call last)" in details
    assert "failing_slot_for_the_test" in details
    assert on_gui_thread
    # The log lives under XDG_STATE_HOME (isolated per test by conftest).
    assert log_path().is_relative_to(Path(os.environ["XDG_STATE_HOME"]))
    assert log_path().name == "marginalia.log"
    logged = _log_text()
    assert "the shelf collapsed" in logged and "failing_slot_for_the_test" in logged


@no_capture
def test_an_exception_in_a_signal_handler_is_reported_too(qtbot, handler, shown):
    button = QPushButton("Break")
    qtbot.addWidget(button)
    button.clicked.connect(lambda: {}["missing key"])
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown))
    assert shown[0][1] == "KeyError: 'missing key'"
    assert "KeyError" in _log_text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # and again: the button still works
    qtbot.waitUntil(lambda: len(shown) == 2)


@no_capture
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_exception_in_another_thread_is_shown_on_the_gui_thread(qtbot, handler, shown):
    def work() -> None:
        raise RuntimeError("the worker tripped")

    worker = threading.Thread(target=work, name="importer")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown))
    _parent, message, details, on_gui_thread = shown[0]
    assert message == "RuntimeError: the worker tripped"
    assert "in work" in details
    assert on_gui_thread
    assert "in thread importer" in _log_text()


@no_capture
def test_errors_go_on_to_the_previous_hook_and_interrupts_are_not_errors(qtbot, monkeypatch,
                                                                         shown):
    passed_on: list[type] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: passed_on.append(kind))
    handler = ErrorHandler().install()
    try:
        try:
            failing_slot_for_the_test()
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    finally:
        handler.uninstall()
    assert passed_on == [ValueError, KeyboardInterrupt]
    assert [message for _p, message, _d, _g in shown] == ["ValueError: the shelf collapsed"]
    assert "KeyboardInterrupt" not in _log_text()


def test_uninstall_puts_the_previous_hooks_back(qapp):
    before, before_thread = sys.excepthook, threading.excepthook
    handler = install_error_handler(None)
    assert sys.excepthook == handler.excepthook
    assert threading.excepthook == handler.thread_excepthook
    assert log_path().parent.is_dir()  # the log folder is created on install
    handler.uninstall()
    assert sys.excepthook is before and threading.excepthook is before_thread


@no_capture
def test_a_second_error_while_the_dialog_is_open_is_added_to_it(qtbot, handler):
    def another() -> None:
        raise OSError("the disk is full")

    try:
        QTimer.singleShot(0, failing_slot_for_the_test)
        qtbot.waitUntil(lambda: bool(_error_dialogs()))
        (dialog,) = _error_dialogs()
        assert not dialog.isModal()
        QTimer.singleShot(0, another)
        qtbot.waitUntil(lambda: "the disk is full" in dialog.details.toPlainText())
        assert _error_dialogs() == [dialog]
        assert "the shelf collapsed" in dialog.details.toPlainText()
        dialog.reject()  # closed: the next error opens a new dialog
        QTimer.singleShot(0, another)
        qtbot.waitUntil(lambda: len(_error_dialogs()) == 1 and _error_dialogs()[0] is not dialog)
    finally:
        for open_dialog in _error_dialogs():
            open_dialog.reject()


def _error_dialogs() -> list[ErrorDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, ErrorDialog) and w.isVisible()]


def test_the_dialog_shows_the_message_and_copyable_read_only_details(qtbot):
    details = 'Traceback (most recent call last):\n  File "x.py", line 1, in broken\nValueError: x'
    dialog = ErrorDialog(None, "ValueError: x", details)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert dialog.message_label.text() == "ValueError: x"
    assert dialog.details.isReadOnly()
    assert dialog.details.toPlainText() == details
    flags = dialog.details.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert dialog.details.accessibleName() == "Error details"
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith("ValueError: x") and "in broken" in copied
    assert dialog.close_button.isDefault() and not dialog.copy_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_show_error_opens_a_dialog_that_does_not_block(qtbot):
    dialog = ErrorDialog.show_error(None, "KeyError: 'k'", "details")
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.details.toPlainText() == "details"
    dialog.add_error("OSError: later", "more details")
    assert "OSError: later" in dialog.details.toPlainText()
    assert errors.INTRO


@no_capture
def test_run_reports_errors_in_front_of_its_window_and_restores_the_hooks(qtbot, library_path):
    before = sys.excepthook
    seen: dict[str, object] = {}

    def fail_once_the_window_is_up() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(20, fail_once_the_window_is_up)
            return
        QTimer.singleShot(0, lambda: close_once_the_error_is_shown(windows[0]))
        raise LookupError("raised while the window was open")

    def close_once_the_error_is_shown(window: MainWindow) -> None:
        dialogs = _error_dialogs()
        if not dialogs:
            QTimer.singleShot(20, lambda: close_once_the_error_is_shown(window))
            return
        seen["parent"] = dialogs[0].parent()
        seen["message"] = dialogs[0].message_label.text()
        window.close()  # with the error dialog still open: the app must end all the same

    # If the open dialog kept the app running, this ends it, and the test fails, not hangs.
    safety_net = QTimer()
    safety_net.setSingleShot(True)
    safety_net.timeout.connect(lambda: (seen.setdefault("stuck", True), QApplication.exit(0)))
    safety_net.start(20000)
    QTimer.singleShot(0, fail_once_the_window_is_up)
    try:
        assert app_module.run(library_path) == 0
    finally:
        safety_net.stop()
        for dialog in _error_dialogs():
            dialog.reject()
    assert "stuck" not in seen
    assert isinstance(seen["parent"], MainWindow)
    assert seen["message"] == "LookupError: raised while the window was open"
    assert "raised while the window was open" in _log_text()
    assert sys.excepthook is before


@no_capture
def test_a_failed_background_operation_is_logged_and_shown_once(qtbot, handler, shown):
    from PySide6.QtCore import QObject

    from reader.ui.operations import QueryOp

    def job_for_the_test():
        raise OSError("the disk is full")

    owner = QObject()
    QueryOp(owner, None, job_for_the_test).run()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    qtbot.wait(30)
    assert len(shown) == 1
    _parent, message, details, on_gui_thread = shown[0]
    assert message == "OSError: the disk is full"
    assert "job_for_the_test" in details  # the worker's traceback
    assert on_gui_thread
    assert "the disk is full" in _log_text()


# --- a LibraryError is a refusal in the user's words, not an unexpected error -------------


def refused_slot_for_the_test() -> None:
    from reader.library import LibraryError

    raise LibraryError("Saved views is not available on a PostgreSQL library yet (db).")


@no_capture
def test_a_library_error_in_a_slot_is_shown_as_its_message_without_a_traceback(
        qtbot, handler, shown):
    QTimer.singleShot(0, refused_slot_for_the_test)
    qtbot.waitUntil(lambda: any(w.objectName() == "refusalNotice" and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    (notice,) = [w for w in QApplication.topLevelWidgets()
                 if w.objectName() == "refusalNotice" and w.isVisible()]
    assert notice.text() == "Saved views is not available on a PostgreSQL library yet (db)."
    assert notice.textFormat() == Qt.TextFormat.PlainText
    # A second refusal while it is open takes its place: one notice, not a pile of them.
    QTimer.singleShot(0, lambda: _refuse_again(
        "Export is not available on a PostgreSQL library yet."))
    qtbot.waitUntil(lambda: notice.text().startswith("Export"))
    assert [w for w in QApplication.topLevelWidgets()
            if w.objectName() == "refusalNotice" and w.isVisible()] == [notice]
    notice.close()
    assert shown == []  # never the unexpected-error window
    logged = _log_text()
    assert "Refused: Saved views is not available" in logged
    assert "Traceback" not in logged


def _refuse_again(message: str) -> None:
    from reader.library import LibraryError

    raise LibraryError(message)


@no_capture
def test_a_library_error_in_a_worker_thread_is_shown_as_its_message_on_the_gui_thread(
        qtbot, handler, shown, monkeypatch):
    refusals: list[tuple[str, bool]] = []
    monkeypatch.setattr(errors.RefusalNotice, "show_refusal", classmethod(
        lambda cls, parent, message, notice=None: refusals.append(
            (message, threading.current_thread() is threading.main_thread()))))
    thread = threading.Thread(target=_refuse_again, args=("Feeds are not here yet.",))
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(refusals))
    assert refusals == [("Feeds are not here yet.", True)] and shown == []
