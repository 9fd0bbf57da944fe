"""Saving web pages from the window: Ctrl+L's "Save a web page…", an address pasted onto
the window or a link dropped from a browser, and `marginalia://save?url=…` handed over by
a browser's bookmarklet. Pages are fetched in the background (the operation runner);
the first one saved is opened, and a summary names every address that failed and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QMimeData, QObject, QTimer, QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reader.annotations.tags import parse_tag_list
from reader.library import Library
from reader.links import Link
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import LibraryOp
from reader.ui.plain import message_box, plain_label

MAX_ADDRESSES = 500  # in one paste or drop: more is surely not a list of pages


def addresses_in(text: str) -> list[str]:
    """The web addresses in pasted or dropped text, one a line (blank lines skipped);
    empty when a line is no web address (so that ordinary text is never fetched)."""
    from reader.web import AddressError, address_from_text

    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            found.append(address_from_text(line))
        except AddressError:
            return []
    return found[:MAX_ADDRESSES]


def addresses_from_mime(data: QMimeData) -> list[str]:
    """The http(s) addresses a drop or paste carries: a browser's dragged link, or text."""
    urls = [url.toString() for url in data.urls()
            if url.scheme().lower() in ("http", "https")]
    if urls:
        return urls[:MAX_ADDRESSES]
    if data.urls() and all(QUrl(url).isLocalFile() for url in data.urls()):
        return []  # files: the import's business
    return addresses_in(data.text()) if data.hasText() else []


class SaveAddresses(QDialog):
    """Asks for the addresses to save (one a line) and tags to give them."""

    def __init__(self, parent: QWidget | None, initial: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Save a web page")
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Address of the page to save (several: one a line):"))
        self.addresses = QPlainTextEdit(initial)
        self.addresses.setPlaceholderText("https://…")
        self.addresses.setTabChangesFocus(True)
        layout.addWidget(self.addresses)
        layout.addWidget(plain_label("Tags (optional, separated by commas):"))
        self.tags = QLineEdit()
        layout.addWidget(self.tags)
        self.problem = plain_label(clipped=True)
        self.problem.setObjectName("saveProblem")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 220)

    def _accept_if_valid(self) -> None:
        if not self.value()[0]:
            self.problem.setText("Give the address of a web page (http or https).")
            return
        self.accept()

    def value(self) -> tuple[list[str], list[str]]:
        return addresses_in(self.addresses.toPlainText()), parse_tag_list(self.tags.text())

    @classmethod
    def ask(cls, parent: QWidget | None, initial: str = "") -> tuple[list[str], list[str]] | None:
        """(addresses, tags), or None when cancelled (replaceable in tests)."""
        dialog = cls(parent, initial)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.value()


class SaveSummary:
    """Names every address that could not be saved, and why (replaceable in tests)."""

    @classmethod
    def show(cls, parent: QWidget, summary: str, problems: Iterable[str]) -> None:
        problems = list(problems)
        if not problems:
            return
        # Addresses and reasons are strangers' words: shown literally.
        message_box(QMessageBox.Icon.Warning, "Save web pages", summary,
                    "\n".join(problems), parent=parent).open()


class SaveController(QObject):
    """The window's page saving: one batch at a time in the operation runner, a progress
    dialog whose Cancel stops between pages, the change announced on the bus, then the
    first page saved opened. A batch asked for while one runs waits its turn."""

    def __init__(self, window: QMainWindow, library: Library, bus: ChangeBus) -> None:
        super().__init__(window)
        self._window, self._library, self._bus = window, library, bus
        self._op: LibraryOp | None = None
        self._waiting: list[tuple[list[str], list[str], Callable[[], None] | None]] = []

    def is_running(self) -> bool:
        return self._op is not None and self._op.running

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running batch is over and delivered (for tests)."""
        if self._op is not None:
            self._op.wait(timeout)

    def start(self, urls: list[str], tags: Iterable[str] = (),
              then: Callable[[], None] | None = None) -> bool:
        if not urls:
            return False
        tags = list(tags)
        if self.is_running():
            self._waiting.append((urls, tags, then))
            return True
        from reader.web import save_pages

        library = self._library

        def job(progress) -> object:
            return save_pages(library, urls, tags, progress=progress,
                              cancelled=progress.cancelled)

        label = "Saving the web page…" if len(urls) == 1 else f"Saving {len(urls)} web pages…"
        self._op = LibraryOp(self._window, library, job, self._bus,
                             changes=lambda report: report.changes()
                             ).with_progress(label).success(
            lambda report: self._done(report, then)
        ).failure(lambda error: self._failed(error, then)).on_cancel(self._start_next).run()
        return True

    def _done(self, report, then: Callable[[], None] | None) -> None:
        window = self._window
        window.statusBar().showMessage(f"Web pages: {report.summary()}", 10000)
        SaveSummary.show(window, report.summary(),
                         (f"{problem.url}: {problem.reason}" for problem in report.problems))
        saved = report.saved

        def open_it() -> None:
            if saved:
                window.open_link(Link(saved[0].article_id))
            if then is not None:
                then()

        QTimer.singleShot(0, open_it)  # after the views' refresh, as an import does
        self._start_next()

    def _failed(self, error: Exception, then: Callable[[], None] | None) -> None:
        self._window.statusBar().showMessage(f"Nothing was saved: {error}", 10000)
        if then is not None:
            then()
        self._start_next()

    def _start_next(self) -> None:
        if self._waiting and not self.is_running():
            self.start(*self._waiting.pop(0))
