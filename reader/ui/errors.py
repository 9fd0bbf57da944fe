"""Unexpected errors reach the user: a dialog with the traceback, and a line in the log file.

`install_error_handler(window)` replaces `sys.excepthook` (PySide6 calls it for an
exception raised in a slot, a timer callback or a Qt virtual, and then carries on) and
`threading.excepthook`. Each unexpected exception is written to `marginalia.log` in the
user's log folder, passed to the hook that was there before (which prints it), and shown
in a non-modal dialog; the event loop keeps running.

A LibraryError is not unexpected: its message is written for the user (a feature that
does not run on this library, a change refused, a file that cannot be read). One that
reaches the hook (a command's handler did not catch it) is shown as it is, in a notice
without a traceback, and logged as one line.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from reader import APP_NAME, __version__
from reader.paths import log_dir
from reader.ui import theme
from reader.ui.plain import message_box, plain_label

LOG_FILE = "marginalia.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
# The file handler sits on the package's logger, so `logging.getLogger(__name__)` in any
# reader module writes to the same file.
LOGGER_NAME = "reader"
INTRO = (f"{APP_NAME} ran into a problem it did not expect. It is still running, but what "
         "you just did may not have finished.")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_path() -> Path:
    """The log file: `marginalia.log` in the user log folder ($XDG_STATE_HOME on Linux)."""
    return log_dir() / LOG_FILE


def is_refusal(exc: BaseException | None) -> bool:
    """Whether the exception is a LibraryError, whose message is meant for the user.
    (reader.storage.database is not imported for this: without it, none was raised.)"""
    database = sys.modules.get("reader.storage.database")
    return database is not None and isinstance(exc, database.LibraryError)


def summary(exc_type: type[BaseException], exc: BaseException | None) -> str:
    """One line naming the exception, as the dialog shows it."""
    text = str(exc) if exc is not None else ""
    return f"{exc_type.__name__}: {text}" if text else exc_type.__name__


class ErrorDialog(QDialog):
    """Shows an error's message and its details (the traceback) in copyable text."""

    def __init__(self, parent: QWidget | None, message: str, details: str) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(f"{APP_NAME}: unexpected error")
        self.setAccessibleName("Unexpected error")
        # Closing the main window still quits the app while this is open.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.resize(640, 420)
        intro = plain_label(INTRO)
        intro.setWordWrap(True)
        self.message_label = plain_label(message, clipped=True)
        self.message_label.setObjectName("errorMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.message_label.font()
        font.setBold(True)
        self.message_label.setFont(font)
        self.details = QPlainTextEdit(details)
        self.details.setObjectName("errorDetails")
        self.details.setAccessibleName("Error details")
        self.details.setReadOnly(True)
        # Read-only text is selectable by mouse only unless told otherwise.
        self.details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(theme.code_font(10))
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.setAutoDefault(False)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.message_label)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.setTabOrder(self.details, self.copy_button)
        self.setTabOrder(self.copy_button, self.close_button)
        self._message = message

    @classmethod
    def show_error(cls, parent: QWidget | None, message: str, details: str) -> ErrorDialog | None:
        """Show the error without blocking, and return the dialog (tests replace this)."""
        dialog = cls(parent, message, details)
        dialog.finished.connect(dialog.deleteLater)
        dialog.show()
        dialog.activateWindow()
        dialog.close_button.setFocus()
        return dialog

    def add_error(self, message: str, details: str) -> None:
        """Another error came while this one was shown: add it rather than open a window."""
        self.details.appendPlainText(f"\n--- and then: {message}\n\n{details}")

    def report_text(self) -> str:
        return f"{self._message}\n\n{self.details.toPlainText()}"

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())


class RefusalNotice:
    """Says why something cannot be done, without a traceback (tests replace `show_refusal`)."""

    @classmethod
    def show_refusal(cls, parent: QWidget | None, message: str,
                     shown: QMessageBox | None = None) -> QMessageBox | None:
        """Show the message without blocking; `shown`, the notice still open from
        before, takes the new message instead of a second window opening."""
        if shown is not None and isValid(shown) and shown.isVisible():
            shown.setText(message)
            return shown
        box = message_box(QMessageBox.Icon.Warning, APP_NAME, message,
                          buttons=QMessageBox.StandardButton.Ok, parent=parent)
        box.setObjectName("refusalNotice")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()
        return box


class ErrorHandler(QObject):
    """Logs each unexpected exception, passes it on to the previous hook, and shows it.

    Create and install it on the GUI thread; exceptions in other threads are logged there
    and shown on the GUI thread.
    """

    _from_thread = Signal(object)  # ExcInfo, queued to the GUI thread

    def __init__(self, parent_window: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__()
        self.path = path or log_path()
        self._window = parent_window
        self._dialog: ErrorDialog | None = None
        self._notice: QMessageBox | None = None
        self._file_handler: logging.Handler | None = None
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._installed = False
        self._from_thread.connect(self._show)

    def install(self) -> ErrorHandler:
        if self._installed:
            return self
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._file_handler = _open_log(self.path)
        logger = logging.getLogger(LOGGER_NAME)
        if self._file_handler is not None:
            logger.addHandler(self._file_handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        self._installed = True
        return self

    def uninstall(self) -> None:
        """Put back the hooks that were there before, and close the log file."""
        if not self._installed:
            return
        # Only if nobody replaced ours meanwhile; theirs stays.
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous_thread_hook
        if self._file_handler is not None:
            logging.getLogger(LOGGER_NAME).removeHandler(self._file_handler)
            self._file_handler.close()
            self._file_handler = None
        self._installed = False

    def set_parent(self, window: QWidget | None) -> None:
        """The window the dialog belongs to (it may not exist yet when installing)."""
        self._window = window

    # --- hooks --------------------------------------------------------------------------
    def excepthook(self, exc_type: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        if not issubclass(exc_type, Exception):
            # KeyboardInterrupt, SystemExit: not errors to report.
            self._previous_hook(exc_type, exc, tb)
            return
        if is_refusal(exc):
            self._refuse(exc)
            return
        self.log((exc_type, exc, tb))
        self._pass_on(self._previous_hook, exc_type, exc, tb)
        self._show((exc_type, exc, tb))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or not issubclass(args.exc_type, Exception):
            self._previous_thread_hook(args)
            return
        info = (args.exc_type, args.exc_value, args.exc_traceback)
        if not is_refusal(args.exc_value):  # a refusal is logged by `_refuse`
            self.log(info, thread=args.thread.name if args.thread is not None else "?")
            self._pass_on(self._previous_thread_hook, args)
        if threading.current_thread() is threading.main_thread():
            self._show(info)
        else:
            self._from_thread.emit(info)

    # --- what each error gets -----------------------------------------------------------
    def log(self, info: ExcInfo, thread: str | None = None) -> None:
        where = f" in thread {thread}" if thread else ""
        logging.getLogger(LOGGER_NAME).error(
            "Unexpected error%s (%s %s, Python %s, Qt %s)", where, APP_NAME, __version__,
            platform.python_version(), pyside_version, exc_info=info)

    def details(self, info: ExcInfo) -> str:
        """What the dialog shows and copies: versions, where the log is, the traceback."""
        header = (f"{APP_NAME} {__version__} · Python {platform.python_version()} · "
                  f"PySide6 {pyside_version} · {platform.platform()}\n"
                  f"Also written to {self.path}\n\n")
        return header + "".join(traceback.format_exception(*info))

    def _refuse(self, exc: BaseException) -> None:
        """A LibraryError: logged as one line and its message shown as it is."""
        logging.getLogger(LOGGER_NAME).warning("Refused: %s", exc)
        if QApplication.instance() is None:
            return
        try:
            window = self._window if self._window is not None and isValid(self._window) else None
            self._notice = RefusalNotice.show_refusal(window, str(exc), self._notice)
        except Exception:  # noqa: BLE001 (see _show)
            traceback.print_exc()

    def _show(self, info: ExcInfo) -> None:
        if QApplication.instance() is None:
            return
        if is_refusal(info[1]):  # from another thread
            self._refuse(info[1])
            return
        message, details = summary(info[0], info[1]), self.details(info)
        try:
            if self._dialog is not None and isValid(self._dialog) and self._dialog.isVisible():
                self._dialog.add_error(message, details)
                return
            window = self._window if self._window is not None and isValid(self._window) else None
            self._dialog = ErrorDialog.show_error(window, message, details)
        except Exception:  # noqa: BLE001
            # Reporting must never raise from inside the hook: the log has it already.
            traceback.print_exc()

    @staticmethod
    def _pass_on(hook, *args) -> None:
        try:
            hook(*args)
        except Exception:  # noqa: BLE001 (someone else's hook must not break ours)
            traceback.print_exc()


def _open_log(path: Path) -> logging.Handler | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                      encoding="utf-8", delay=True)
    except OSError as exc:
        print(f"marginalia: cannot write the log file {path}: {exc}", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def install_error_handler(window: QWidget | None = None) -> ErrorHandler:
    """Report unexpected exceptions to the user and the log file from now on.

    Call `set_parent(window)` once the main window exists, and `uninstall()` when done.
    """
    return ErrorHandler(window).install()
