"""What an import from another tool did, or would do: one dialog for the preview and the result.

File › Import from Another Tool… first runs the import as a dry run in the background and
shows its report (what would be added, anchored exactly or approximately, and left
unanchored, with each of those listed) with Import and Cancel; Import then runs it for
real, with progress and Cancel, and the same dialog shows what was done. An import
through File › Import or a drop shows the result the same way.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reader.library import Library
from reader.links import Link
from reader.records import Changes
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import LibraryOp, QueryOp
from reader.ui.plain import plain_label, warn

EXPORT_FILTER = ("Exports of other tools (*.txt *.html *.htm *.csv *.md *.json *.zip);;"
                 "All files (*)")
IMPORTED = Changes(article_list=True, tags=True)


class ImportReportDialog(QDialog):
    """The lines of one or more reports; with `preview`, Import and Cancel buttons."""

    def __init__(self, parent: QWidget | None, title: str, heading: str, lines: list[str],
                 preview: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 440)
        layout = QVBoxLayout(self)
        self.heading = plain_label(heading)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.text = QPlainTextEdit("\n".join(lines))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.text)
        if preview:
            self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
            self.import_button = self.buttons.addButton(
                "Import", QDialogButtonBox.ButtonRole.AcceptRole)
            self.import_button.setDefault(True)
        else:
            self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        # Enter imports (or closes), Escape cancels: the buttons have the focus, not the
        # text (Tab reaches it, to scroll or copy).
        super().showEvent(event)
        button = getattr(self, "import_button", None) or self.buttons.buttons()[0]
        button.setFocus()


class ChooseExport:
    """Asks which export to import (replaceable in tests)."""

    @classmethod
    def ask(cls, parent: QWidget) -> Path | None:
        chosen, _filter = QFileDialog.getOpenFileName(
            parent, "Import from another tool", str(Path.home()), EXPORT_FILTER)
        return Path(chosen) if chosen else None


class ExportImport(QObject):
    """One import from another tool, previewed: dry run, preview, import, report."""

    finished = Signal(object)  # ImportFromReport, once imported (not when cancelled)
    preview_shown = Signal(object)  # the preview dialog (for tests)

    def __init__(self, window: QWidget, library: Library, bus: ChangeBus, path: Path) -> None:
        super().__init__(window)
        self._window, self._library, self._bus, self._path = window, library, bus, path
        self.dialog: ImportReportDialog | None = None
        self.op: QueryOp | None = None

    def start(self) -> None:
        from reader.other_tools.importer import import_export

        library, path = self._library, self._path
        self.op = QueryOp(
            self, library,
            lambda progress: import_export(library, path, dry_run=True, progress=progress,
                                           cancelled=progress.cancelled),
        ).with_progress(f"Reading {path.name}…").success(self._preview).failure(
            self._failed).run()

    def _preview(self, report) -> None:
        self.dialog = ImportReportDialog(
            self._window, f"Import from {report.source}",
            f"What importing {self._path.name} would do (nothing is written until you "
            "choose Import):", report.lines(), preview=True)
        self.dialog.accepted.connect(self._import)
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.open()
        self.preview_shown.emit(self.dialog)

    def _import(self) -> None:
        from reader.other_tools.importer import import_export

        library, path = self._library, self._path
        self.op = LibraryOp(
            self, library,
            lambda progress: _paused(lambda: import_export(
                library, path, progress=progress, cancelled=progress.cancelled)),
            self._bus, changes=lambda report: report.changes() | IMPORTED,
        ).with_progress(f"Importing {path.name}…").success(self._done).failure(
            self._failed).on_cancel(lambda: self._bus.announce(IMPORTED)).run()

    def _done(self, report) -> None:
        show_reports(self._window, [report])
        self.finished.emit(report)

    def _failed(self, error: Exception) -> None:
        self._bus.announce(IMPORTED)  # items written before the failure stay
        warn(self._window, "Import", f"{self._path.name} could not be imported: {error}")


def _paused(job):
    from reader.ui.operations import collector_paused

    with collector_paused():
        return job()


def show_reports(window: QWidget, reports: list) -> ImportReportDialog:
    """Show what imports from other tools did, and open the first article they added."""
    lines: list[str] = []
    for report in reports:
        lines.extend(report.lines())
        lines.extend(f"Problem: {problem}" for problem in report.problems)
        lines.append("")
    sources = ", ".join(dict.fromkeys(report.source for report in reports))
    dialog = ImportReportDialog(window, f"Imported from {sources}",
                                f"What was imported from {sources}:", lines[:-1])
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    window.last_import_report = dialog  # for tests and for the window to find it
    added = sorted(a for report in reports for a in report.new_articles)
    if added and hasattr(window, "open_link"):
        QTimer.singleShot(0, lambda: window.open_link(Link(added[0])))
    return dialog
