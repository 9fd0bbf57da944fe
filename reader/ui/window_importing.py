"""Importing into the main window: files in the background, files and links dropped on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from reader import APP_NAME
from reader.records import ImportReport
from reader.ui.plain import message_box
from reader.ui.saving import addresses_from_mime
from reader.ui.window_commands import STATUS_MS


class WindowImporting:
    """A mixin of MainWindow (`self`): the glue between the window and its ImportController."""

    def show_import_problems(self, report: ImportReport) -> None:
        lines = "\n".join(str(problem) for problem in report.problems)
        box = message_box(QMessageBox.Icon.Warning, APP_NAME,
                          "Some files could not be imported:", lines, parent=self)
        box.open()
        self.statusBar().showMessage(f"{len(report.problems)} file(s) could not be imported", 10000)

    def import_paths(self, paths: list[Path], open_unchanged: bool = False,
                     then: Callable[[], None] | None = None, wait_turn: bool = False) -> bool:
        """Import files in the background and open the first (see ImportController)."""
        started = self.imports.start(paths, open_unchanged, then, wait_turn)
        if not started:
            self.statusBar().showMessage("An import is already running.", STATUS_MS)
        return started

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt name)
        data = event.mimeData()
        if any(url.isLocalFile() for url in data.urls()) or addresses_from_mime(data):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt name)
        """Files dropped are imported; a link dropped from a browser is saved."""
        data = event.mimeData()
        paths = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
        addresses = addresses_from_mime(data)
        if paths or addresses:
            event.acceptProposedAction()
        if paths:
            self.import_paths(paths)
        elif addresses:
            self.save_addresses(addresses)
