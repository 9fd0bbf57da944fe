"""Importing from the window: File › Import, files dropped on the window, and the summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from reader.library import Library
from reader.links import Link
from reader.records import Changes, ImportProblem, ImportReport
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import LibraryOp
from reader.ui.plain import message_box

FILE_FILTER = ("Articles and exports of other tools (*.md *.markdown *.txt *.html *.htm *.csv "
               "*.json *.zip);;All files (*)")
IMPORTED = Changes(article_list=True, tags=True)  # what any import may have changed


def import_paths(library: Library, paths: list[Path], progress, cancelled) -> ImportReport:
    from reader.other_tools.importer import import_paths as run
    from reader.ui.operations import collector_paused

    with collector_paused():
        return run(library, paths, progress, cancelled)


def _changes(report: ImportReport) -> Changes:
    changes = IMPORTED
    for export in report.exports:
        changes = changes | export.changes()
    return changes


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
        box = message_box(QMessageBox.Icon.Warning, "Import", report.summary(),
                          "\n".join(str(problem) for problem in report.problems), parent=parent)
        box.open()


class ImportController(QObject):
    """The window's imports: one at a time through the operation runner, with a progress
    dialog whose Cancel stops the import between files. Each import is announced on the
    bus; then the status bar and the summary say what it did, `finished(report)` is
    emitted, and the first article it brought is opened."""

    finished = Signal(object)  # ImportReport

    def __init__(self, window: QMainWindow, library: Library, bus: ChangeBus) -> None:
        super().__init__(window)
        self._window, self._library, self._bus = window, library, bus
        self._op: LibraryOp | None = None
        self._waiting: list[tuple[list[Path], bool, Callable[[], None] | None]] = []

    def is_running(self) -> bool:
        return self._op is not None and self._op.running

    def start(self, paths: list[Path], open_unchanged: bool = False,
              then: Callable[[], None] | None = None, wait_turn: bool = False) -> bool:
        """Import these files in a worker. The first article added or updated is opened
        (or, with open_unchanged, one the library had already); then `then()`. False if
        an import is running already, unless `wait_turn`: then this one starts after it
        (a file handed over by another launch must not be lost)."""
        if not paths:
            return False
        if self.is_running():
            if wait_turn:
                self._waiting.append((paths, open_unchanged, then))
            return wait_turn
        library = self._library

        def failed(error: Exception) -> None:
            # Files before the failing one may be in: the views must see them.
            self._bus.announce(IMPORTED)
            self._done(ImportReport(problems=(ImportProblem(
                ", ".join(map(str, paths)), f"the import stopped: {error}"),)), False, then)

        self._op = LibraryOp(
            self._window, library, lambda progress: import_paths(
                library, paths, progress, cancelled=progress.cancelled),
            self._bus, changes=_changes,
        ).with_progress("Importing…").success(
            lambda report: self._done(report, open_unchanged, then)
        ).failure(failed).on_cancel(self._cancelled).run()
        return True

    def _cancelled(self) -> None:
        self._bus.announce(IMPORTED)  # the files before the cancel stay imported
        self._start_next()

    def _start_next(self) -> None:
        if self._waiting and not self.is_running():
            self.start(*self._waiting.pop(0))

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running import is over and delivered (for tests)."""
        if self._op is not None:
            self._op.wait(timeout)

    def _done(self, report: ImportReport, open_unchanged: bool,
              then: Callable[[], None] | None) -> None:
        # The views were refreshed when the import was announced on the bus.
        window = self._window
        window.statusBar().showMessage(report.summary(), 10000)
        if report.exports:
            from reader.ui.import_report import show_reports

            show_reports(window, list(report.exports))
        ImportSummary.show(window, report)
        self.finished.emit(report)
        opened = report.added or report.updated or (report.unchanged if open_unchanged else ())

        def open_it() -> None:
            if opened:
                window.open_link(Link(opened[0]))
            if then is not None:
                then()

        # On the next turn of the event loop: refreshing the views and opening the
        # article each take tens of milliseconds at 100,000 articles; done in one go
        # they held the window for 150 ms.
        QTimer.singleShot(0, open_it)
        self._start_next()
