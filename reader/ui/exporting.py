"""Exporting from the window: choose a folder, export off the UI thread with progress,
or copy an article's annotations to the clipboard as Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QWidget

from reader.library import Library
from reader.progress import throttled

if TYPE_CHECKING:
    from reader.export.exporter import Exporter, ExportReport

# reader.export.exporter (with Jinja2 and PyYAML) is imported on the first export, not at
# start-up, where it would cost a tenth of the time to the first window.


class ExportFolder:
    """Asks where to export (replaceable in tests)."""

    @classmethod
    def ask(cls, parent: QWidget, start: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(parent, "Export annotations to folder", start)
        return Path(chosen) if chosen else None


class ExportJob(QObject):
    """Runs an export in a worker thread (peewee gives each thread its own connection)."""

    progress = Signal(int, int)
    done = Signal(object)  # ExportReport
    failed = Signal(str)

    def __init__(self, exporter: Exporter, folder: Path, article_ids: list[int]) -> None:
        super().__init__()
        self._exporter, self._folder, self._ids = exporter, folder, article_ids

    def run(self) -> None:
        from reader.export.exporter import ExportError

        try:
            report = self._exporter.to_folder(self._folder, self._ids,
                                              throttled(self.progress.emit))
        except ExportError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the user, never lost silently
            self.failed.emit(f"The export stopped: {exc}")
        else:
            self.done.emit(report)
        finally:
            self._exporter.library.release_thread()  # this thread's own connection


class ExportController(QObject):
    """The window's export commands."""

    finished = Signal(str)  # a message for the status bar

    def __init__(self, window: QWidget, library: Library, preferences) -> None:
        super().__init__(window)
        self._window, self._library, self._preferences = window, library, preferences
        self._thread: QThread | None = None
        self._job: ExportJob | None = None
        self._dialog: QProgressDialog | None = None
        self._folder: Path | None = None

    def _exporter(self) -> Exporter:
        from reader.export.exporter import Exporter

        template = self._preferences.get("export_template") if self._preferences else ""
        return Exporter(self._library, Path(template) if template else None)

    def export(self, article_ids: list[int] | None) -> None:
        """Export these articles (all when None) to a folder the user chooses."""
        from reader.export.exporter import ExportError

        if self._thread is not None:
            self.finished.emit("An export is already running.")
            return
        start = str(self._preferences.get("export_folder")) if self._preferences else ""
        folder = ExportFolder.ask(self._window, start or str(Path.home()))
        if folder is None:
            return
        if self._preferences is not None:
            try:
                self._preferences.set("export_folder", str(folder))
            except Exception as exc:  # noqa: BLE001 - the export goes on; the user is told
                self.finished.emit(str(exc))
        try:
            exporter = self._exporter()
            ids = exporter.select(article_ids or [])
        except ExportError as exc:
            self.finished.emit(str(exc))
            return
        self._start(exporter, folder, ids)

    def _start(self, exporter: Exporter, folder: Path, ids: list[int]) -> None:
        dialog = QProgressDialog("Exporting annotations…", "", 0, max(1, len(ids)), self._window)
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)  # quick exports never flash a dialog
        self._dialog, self._folder = dialog, folder
        self._thread = QThread(self)
        self._job = ExportJob(exporter, folder, ids)
        self._job.moveToThread(self._thread)
        self._thread.started.connect(self._job.run)
        # Receivers are objects of the UI thread, so these calls are queued to it.
        self._job.progress.connect(self._progress)
        self._job.done.connect(self._done)
        self._job.failed.connect(self._done)
        self._thread.start()

    def _progress(self, done: int, _total: int) -> None:
        if self._dialog is not None:
            self._dialog.setValue(done)

    def _done(self, outcome: ExportReport | str) -> None:
        dialog, folder = self._dialog, self._folder
        dialog.reset()
        dialog.deleteLater()
        self._thread.quit()
        self._thread.wait()
        self._thread = self._job = self._dialog = None
        if isinstance(outcome, str):
            self.finished.emit(outcome)
            return
        self.finished.emit(
            f"Exported to {folder}: {len(outcome.written)} written, {len(outcome.unchanged)} "
            f"unchanged, {len(outcome.skipped)} without annotations.")

    def is_running(self) -> bool:
        return self._thread is not None

    def copy(self, article_id: int) -> None:
        """Put the article's annotations on the clipboard as Markdown."""
        from reader.export.exporter import ExportError

        try:
            text = self._exporter().to_text([article_id])
        except ExportError as exc:
            self.finished.emit(str(exc))
            return
        if not text:
            self.finished.emit("This article has no annotations to copy yet.")
            return
        QApplication.clipboard().setText(text)
        self.finished.emit("Annotations copied to the clipboard as Markdown.")
