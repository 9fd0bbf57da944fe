"""Importing from the window: File › Import, files dropped on the window, and the summary."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from reader.library import Library
from reader.progress import throttled
from reader.records import ImportProblem, ImportReport

FILE_FILTER = "Articles (*.md *.markdown *.txt *.html *.htm);;All files (*)"


class ImportFiles:
    """Asks which files to import (replaceable in tests)."""

    @classmethod
    def ask(cls, parent: QWidget) -> list[Path]:
        chosen, _filter = QFileDialog.getOpenFileNames(parent, "Import articles", str(Path.home()),
                                                       FILE_FILTER)
        return [Path(p) for p in chosen]


class ImportSummary:
    """Tells what an import did, naming every file that could not be imported and why."""

    @classmethod
    def show(cls, parent: QWidget, report: ImportReport) -> None:
        if not report.problems:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Import", report.summary(), parent=parent)
        box.setInformativeText("\n".join(str(problem) for problem in report.problems))
        box.open()


class ImportJob(QObject):
    """Imports in a worker thread so that the window stays responsive."""

    progress = Signal(int, int)
    done = Signal(object)  # ImportReport

    def __init__(self, library: Library, paths: list[Path]) -> None:
        super().__init__()
        self._library, self._paths = library, paths

    def run(self) -> None:
        try:
            report = self._library.import_files(self._paths, throttled(self.progress.emit))
        except Exception as exc:  # noqa: BLE001 - said to the user, never lost silently
            report = ImportReport(problems=(ImportProblem(", ".join(map(str, self._paths)),
                                                          f"the import stopped: {exc}"),))
        finally:
            self._library.release_thread()  # this thread's own connection
        self.done.emit(report)


class ImportController(QObject):
    """Runs imports one at a time and reports when each is done."""

    finished = Signal(object)  # ImportReport

    def __init__(self, window: QWidget, library: Library) -> None:
        super().__init__(window)
        self._window, self._library = window, library
        self._thread: QThread | None = None
        self._job: ImportJob | None = None
        self._dialog: QProgressDialog | None = None

    def is_running(self) -> bool:
        return self._thread is not None

    def start(self, paths: list[Path]) -> bool:
        if self._thread is not None or not paths:
            return False
        self._dialog = QProgressDialog("Importing…", "", 0, 0, self._window)
        self._dialog.setCancelButton(None)
        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setMinimumDuration(400)
        self._thread = QThread(self)
        self._job = ImportJob(self._library, paths)
        self._job.moveToThread(self._thread)
        self._thread.started.connect(self._job.run)
        self._job.progress.connect(self._progress)
        self._job.done.connect(self._done)
        self._thread.start()
        return True

    def _progress(self, done: int, total: int) -> None:
        if self._dialog is not None:
            self._dialog.setMaximum(total)
            self._dialog.setValue(done)

    def _done(self, report: ImportReport) -> None:
        self._dialog.reset()
        self._dialog.deleteLater()
        self._thread.quit()
        self._thread.wait()
        self._thread = self._job = self._dialog = None
        self.finished.emit(report)
