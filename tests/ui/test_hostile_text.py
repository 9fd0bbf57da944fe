"""Text from strangers is shown as plain text everywhere in the window and its dialogs.

A library whose titles, authors, publication, tags, colour names, notes and import
problems are HTML-like is opened; then every widget of the window, of each dialog and of
each popup is walked. Nothing may be read as rich text: a label (or button, message box
text) that holds data shows it literally (PlainText), a tooltip is either not rich text
or rich text built from escaped parts that loads nothing, and no file under /dev or /etc
is opened. Modal dialogs are walked from inside their `exec()`, then cancelled.
"""

from __future__ import annotations

import builtins
import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QTimer
from PySide6.QtGui import Qt, QTextDocument  # QtGui's Qt has mightBeRichText
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTextBrowser,
    QTextEdit,
    QWidget,
)

from reader.annotations.tags import normalise
from reader.records import ImportProblem, ImportReport
from reader.ui.plain import isolate
from reader.ui import app, importing
from reader.ui.errors import ErrorDialog
from reader.ui.highlight_search import HighlightSearch
from reader.ui.tag_manager import TagManagerDialog

ZERO = "<img src=file:/dev/zero>"
PASSWD = '<img src="file:///etc/passwd">'
LINK = '<a href="http://x.example/">link</a>'
ENTITY = "&#60;b&#62;"
BOLD = "<b>bold</b>"
BIDI = "\u202eevil"  # an override never ended
LONG = "<b>" + "L" * 10_000
HOSTILE = [ZERO, PASSWD, LINK, ENTITY, BOLD, BIDI, LONG]
HOSTILE_FILE = '<img src="&#47;dev&#47;zero">.md'


def _yaml(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _article(title: str, author: str, tags: list[str]) -> str:
    tag_lines = "".join(f"  - {_yaml(tag)}\n" for tag in tags)
    body = "\n\n".join(
        value.replace("&", "&amp;").replace("<", "&lt;") for value in HOSTILE[:-1])
    return (f"---\ntitle: {_yaml(title)}\nauthor: {_yaml(author)}\n"
            f"publication: {_yaml(PASSWD)}\ntags:\n{tag_lines}---\n\n"
            f"Hostile words follow.\n\n{body}\n")


@pytest.fixture
def hostile_library(library, write_file):
    files = [write_file(f"a{n}.md", _article(title, HOSTILE[(n + 1) % len(HOSTILE)],
                                             [ZERO, PASSWD, LINK, BOLD, ENTITY, LONG]))
             for n, title in enumerate(HOSTILE)]
    report = library.import_files(files)
    assert not report.problems and len(report.added) == len(HOSTILE)
    for n, colour in enumerate(("yellow", "green", "blue", "pink", "purple")):
        library.colours.rename(colour, HOSTILE[n])
    for article_id in report.added[:3]:
        text = library.articles.text(article_id)
        library.articles.set_note(article_id, "\n".join(HOSTILE))
        for value in (ZERO, PASSWD, BOLD):
            start = text.index(value)
            changes = library.highlights.create(article_id, start, start + len(value), "green")
            library.highlights.set_note(changes.highlight_id, LINK + " " + ZERO)
            library.highlights.set_tags(changes.highlight_id, [PASSWD, BIDI, LINK])
    return library


def _override_leaks(text: str) -> bool:
    """Whether an embedding or override in `text` is still open at its end (a label
    that sets data inside its own words must isolate it)."""
    stack: list[str] = []
    for char in text:
        if char in "\u202a\u202b\u202d\u202e":
            stack.append("embedding")
        elif char == "\u202c" and stack and stack[-1] == "embedding":
            stack.pop()
        elif char in "\u2066\u2067\u2068":
            stack.append("isolate")
        elif char == "\u2069" and "isolate" in stack:
            while stack.pop() != "isolate":
                pass
    return bool(stack)


class Watch:
    """What the walk found: widgets that interpret text, and files opened under /dev, /etc."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.opened: list[str] = []
        self.walked: list[str] = []
        self.loads: list[str] = []

    # --- files ------------------------------------------------------------------------
    def spy_files(self, monkeypatch) -> None:
        real_open, real_os_open = builtins.open, os.open

        def note(path) -> None:
            text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
            if text.startswith(("/dev/", "/etc/", "file:")):
                self.opened.append(text)

        def spy_open(file, *args, **kwargs):
            note(file)
            return real_open(file, *args, **kwargs)

        def spy_os_open(path, *args, **kwargs):
            note(path)
            return real_os_open(path, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", spy_open)
        monkeypatch.setattr(os, "open", spy_os_open)

    # --- rendering --------------------------------------------------------------------
    def render(self, text: str) -> tuple[str, str]:
        """(plain text, HTML) of `text` as rich text, in a document that loads nothing."""
        watch = self

        class Sandbox(QTextDocument):
            def loadResource(self, kind, url):  # noqa: N802 (Qt name)
                watch.loads.append(url.toString())
                return None

        document = Sandbox()
        document.setHtml(text)
        return document.toPlainText(), document.toHtml()

    def check_tip(self, where: str, tip: str | None) -> None:
        """A tooltip Qt reads as rich text must be escaped text: paragraphs and line
        breaks are its only tags, and rendering it loads nothing."""
        if not tip or not Qt.mightBeRichText(tip):
            return  # shown as plain text
        before = len(self.loads)
        self.render(tip)
        if len(self.loads) > before or "<" in re.sub(r"</?p\b[^>]*>|<br ?/?>", "", tip):
            self.problems.append(f"{where}: tooltip interpreted: {tip[:80]!r}")

    def check_label(self, where: str, label: QLabel) -> None:
        text = label.text()
        if _override_leaks(text):
            self.problems.append(f"{where}: a bidi override reaches past its data: {text[:80]!r}")
        rich = (label.textFormat() == Qt.TextFormat.RichText
                or (label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)))
        if rich:
            self.problems.append(f"{where}: label shows rich text: {text[:80]!r}")
        elif label.textFormat() != Qt.TextFormat.PlainText and ("<" in text or "&" in text):
            self.problems.append(f"{where}: label guesses the format of {text[:80]!r}")

    # --- walking ----------------------------------------------------------------------
    def walk(self, top: QWidget) -> None:
        name = type(top).__name__
        self.walked.append(name)
        QApplication.processEvents()
        for widget in [top, *top.findChildren(QWidget)]:
            where = f"{name}/{type(widget).__name__}:{widget.objectName()}"
            if isinstance(widget, QLabel):
                self.check_label(where, widget)
            if isinstance(widget, QMessageBox):
                for label in widget.findChildren(QLabel):
                    self.check_label(where, label)
            self.check_tip(where, widget.toolTip())
            if isinstance(widget, QTextBrowser) and (
                    type(widget).loadResource is QTextBrowser.loadResource):
                self.problems.append(f"{where}: a text browser that may load resources")
            if isinstance(widget, QTextEdit) and not isinstance(widget, QTextBrowser):
                if "<img" in widget.toHtml():
                    self.problems.append(f"{where}: an edit showing an image")
            if isinstance(widget, QAbstractItemView) and widget.model() is not None:
                self.walk_model(where, widget.model())

    def walk_model(self, where: str, model, parent: QModelIndex = QModelIndex(),
                   depth: int = 0) -> None:
        for row in range(min(model.rowCount(parent), 300)):
            index = model.index(row, 0, parent)
            self.check_tip(f"{where} row {row}", index.data(Qt.ItemDataRole.ToolTipRole))
            if depth < 6 and model.rowCount(index) > 0:
                self.walk_model(where, model, index, depth + 1)

    def walk_top_levels(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible():
                self.walk(widget)


@pytest.fixture
def watch(monkeypatch, qtbot):
    watch = Watch()
    watch.spy_files(monkeypatch)
    during: list[QDialog] = []

    def walking_exec(dialog):
        """Show the dialog, walk it (and what it opens), then cancel it."""
        during.append(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        watch.walk(dialog)
        exercise(dialog, watch)
        dialog.reject()
        during.pop()
        return 0

    monkeypatch.setattr(QDialog, "exec", walking_exec)
    monkeypatch.setattr(QMessageBox, "exec", walking_exec)
    monkeypatch.setattr(QInputDialog, "exec", walking_exec)

    def close_stray_modal() -> None:
        # A dialog run by Qt itself (a static QMessageBox or QInputDialog function)
        # cannot be walked: it is a problem, closed so that the test goes on.
        # (A box shown with open() is window-modal, and walked as a top-level widget.)
        modal = QApplication.activeModalWidget()
        if (modal is not None and modal not in during
                and modal.windowModality() == Qt.WindowModality.ApplicationModal):
            watch.problems.append(f"a modal {type(modal).__name__} the test cannot walk")
            modal.close()

    stray = QTimer()
    stray.timeout.connect(close_stray_modal)
    stray.start(300)
    yield watch
    stray.stop()


def exercise(dialog: QDialog, watch: Watch) -> None:
    """What a modal dialog opens in its turn, walked too."""
    if isinstance(dialog, TagManagerDialog):
        for tag in (ZERO, PASSWD, BIDI):
            assert dialog.select(normalise(tag))
            dialog.rename_selected()  # the new-name dialog, cancelled
            dialog.delete_selected()  # the confirmation, cancelled
        TagManagerDialog.show_error(dialog, f"Cannot rename {ZERO} to {PASSWD}")
    if isinstance(dialog, HighlightSearch):
        for text in ("hostile", "passwd", "bold", "zero"):
            dialog.query.setText(text)
            dialog.run_query()
            watch.walk(dialog)


def test_hostile_text_is_shown_literally_everywhere(hostile_library, show_window, watch,
                                                    qtbot, monkeypatch):
    window = show_window(hostile_library)
    watch.walk(window)
    # A colour's name in the menus: its '&' are letters, not mnemonics.
    colour = window.actions.menu_actions["highlight.colour 4"]
    assert colour.iconText() == f"Colour 4: {ENTITY}"

    # The list header names the chosen tag literally.
    assert window.tag_sidebar.select_tag(ZERO)
    qtbot.waitUntil(lambda: ZERO in window.list_header.text())
    assert window.list_header.text().endswith(f"#{ZERO}")
    assert window.list_header.textFormat() == Qt.TextFormat.PlainText
    watch.walk(window)
    # A 10,000-character tag is cut off in the header rather than widening the window.
    assert window.tag_sidebar.select_tag(normalise(LONG))
    qtbot.waitUntil(lambda: window.list_header.text().endswith(f"#{normalise(LONG)}"))
    qtbot.wait(50)
    assert window.minimumSizeHint().width() < 2000 and window.width() < 2000
    watch.walk(window)
    assert window.tag_sidebar.select_tag(BIDI)
    qtbot.waitUntil(lambda: BIDI in window.list_header.text())
    watch.walk(window)
    window.search_box.setText(BOLD)
    watch.walk(window)
    window.search_box.setText("")
    assert window.tag_sidebar.select_tag(None)

    # Each article with its highlights, tags and notes, in the panel and the pane.
    for row in range(window.model.rowCount()):
        window.open_article(window.model.article_id(row))
        watch.walk(window)

    # The dialogs and popups.
    window.cmd_tags_manage()
    window.cmd_colours_names()
    window.cmd_view_palette()
    window.cmd_view_cheat_sheet()
    window.cmd_search_highlights()
    window.cmd_article_delete()  # the confirmation, cancelled
    assert window.model.rowCount() == len(HOSTILE)

    # Import problems: the summary after an import, and the box at start-up.
    report = ImportReport(problems=(ImportProblem(f"/tmp/{HOSTILE_FILE}", f"is {BOLD}"),
                                    ImportProblem(f"/tmp/{PASSWD}.md", f"{ZERO} {LINK}")))
    importing.ImportSummary.show(window, report)
    window.show_import_problems(report)
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 2
    for box in boxes:
        shown = "\n".join(label.text() for label in box.findChildren(QLabel))
        assert f"/tmp/{HOSTILE_FILE}: is {BOLD}" in shown
    watch.walk_top_levels()
    for box in boxes:
        box.close()

    # Settings that could not be used, and a damaged library with or without a backup.
    monkeypatch.setattr(window, "setting_problems", lambda: [f"/tmp/{ZERO}.toml: {BOLD}"])
    window.show_setting_problems()
    watch.walk_top_levels()
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox) and box.isVisible():
            box.close()
    damaged = Path("/tmp") / f"{PASSWD}.sqlite3"
    for backup in (None, Path("/tmp") / f"{ZERO}.sqlite3"):
        assert not app.RestoreOffer.ask(damaged, LINK, backup)

    # The error dialog, and messages in the status bar (an export's end among them).
    dialog = ErrorDialog.show_error(window, f"OSError: {PASSWD}", f"{ZERO}\n{LONG}")
    watch.walk(dialog)
    assert dialog.message_label.text() == f"OSError: {PASSWD}"
    dialog.close()
    dialog = ErrorDialog.show_error(window, f"OSError: {LONG}", LONG)
    watch.walk(dialog)
    assert dialog.message_label.text() == f"OSError: {LONG}"
    assert dialog.width() < 2000
    dialog.close()
    window.exports.finished.emit(f"Exported to /tmp/{ZERO}: 1 written")
    assert window.statusBar().currentMessage() == f"Exported to /tmp/{ZERO}: 1 written"
    watch.walk(window)

    assert {"TagManagerDialog", "QInputDialog", "ColourNamesDialog", "CommandPalette",
            "CheatSheet", "HighlightSearch", "ErrorDialog"} <= set(watch.walked)
    assert watch.walked.count("QMessageBox") >= 7
    assert watch.opened == []
    assert watch.loads == []
    assert watch.problems == []


@pytest.mark.parametrize("text", ["\u202eevil", "\u2069\u202eevil", "\u2067\u202eevil",
                                  "\u202aa\u202c\u2069\u2069\u202eb"])
def test_isolated_data_ends_its_own_overrides(text):
    assert _override_leaks(f"Delete “{text}”?")
    assert not _override_leaks(f"Delete “{isolate(text)}”?")
    assert isolate(text).count(text) == 1


def test_text_without_bidi_controls_is_not_isolated():
    assert isolate("Ukraine <b>") == "Ukraine <b>"
