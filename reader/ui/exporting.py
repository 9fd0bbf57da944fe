"""Exporting from the window: choose a folder, export off the UI thread with progress,
or copy an article's annotations to the clipboard as Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from reader.library import Library
from reader.ui.operations import QueryOp

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


class ExportController(QObject):
    """The window's export commands."""

    finished = Signal(str)  # a message for the status bar

    def __init__(self, window: QWidget, library: Library, preferences) -> None:
        super().__init__(window)
        self._window, self._library, self._preferences = window, library, preferences
        self._op: QueryOp | None = None

    def _exporter(self) -> Exporter:
        from reader.export.exporter import Exporter

        template = self._preferences.get("export_template") if self._preferences else ""
        return Exporter(self._library, Path(template) if template else None)

    def export(self, article_ids: list[int] | None) -> None:
        """Export these articles (all when None) to a folder the user chooses."""
        from reader.export.exporter import ExportError

        if self.is_running():
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
        """Export in a worker with a progress dialog; Cancel stops between articles."""
        from reader.export.exporter import ExportError

        def failed(error: Exception) -> None:
            self.finished.emit(str(error) if isinstance(error, ExportError)
                               else f"The export stopped: {error}")

        def done(report: ExportReport) -> None:
            extra = ""
            if report.not_recreated:
                extra += (f", {len(report.not_recreated)} you deleted from the folder not "
                          "written again")
            if report.conflicts:
                extra += f", {len(report.conflicts)} left as they are (edited on both sides)"
            self.finished.emit(
                f"Exported to {folder}: {len(report.written)} written, "
                f"{len(report.unchanged)} unchanged, {len(report.skipped)} without annotations"
                f"{extra}.")
            if report.warnings:
                from PySide6.QtWidgets import QMessageBox

                from reader.ui.plain import message_box

                box = message_box(QMessageBox.Icon.Warning, "Export",
                                  f"The export to {folder} is done, with "
                                  f"{len(report.warnings)} warning"
                                  f"{'s' * (len(report.warnings) != 1)}:",
                                  "\n".join(report.warnings), parent=self._window)
                box.open()

        self._op = QueryOp(
            self._window, self._library,
            lambda progress: exporter.to_folder(folder, ids, progress),
        ).with_progress("Exporting annotations…").success(done).failure(failed).on_cancel(
            lambda: self.finished.emit("The export was cancelled.")).run()

    def is_running(self) -> bool:
        return self._op is not None and self._op.running

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
