"""Article › Revisions…: the earlier versions of a revised article, and what changed.

The list shows each version with the dates it was current and its length; beside it,
the changes from that version to the one after it (or to the current text), word by
word: removed words struck through in red, added ones underlined in green. Everything
shown is built from escaped text, and the view loads no resource.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QByteArray, QStringListModel
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reader.importing.head import format_date
from reader.library import Library
from reader.records import RevisionRecord
from reader.ui import theme
from reader.ui.plain import isolate, plain_label

REMOVED = "#b3261e"
ADDED = "#1e7b34"


def day(timestamp: str | None) -> str:
    """A stored UTC timestamp as a date for people ("3 March 2026")."""
    return format_date((timestamp or "")[:10])


def revised_line(revised_at: str | None, count: int) -> str:
    """What the annotation panel says of a revised article; "" for one never revised."""
    if not revised_at:
        return ""
    versions = "1 earlier version" if count == 1 else f"{count} earlier versions"
    return f"Revised {day(revised_at)} · {versions} (Article › Revisions…)"


def diff_html(pieces: list[tuple[str, str]]) -> str:
    """A word diff as HTML built from escaped parts."""
    out = []
    for op, text in pieces:
        words = html.escape(text).replace("\n", "<br>")
        if op == "removed":
            out.append(f'<span style="color:{REMOVED}; text-decoration:line-through">{words}</span>')
        elif op == "added":
            out.append(f'<span style="color:{ADDED}; text-decoration:underline">{words}</span>')
        else:
            out.append(words)
    return "".join(out)


class _DiffView(QTextBrowser):
    """A read-only view of a diff that never loads anything the text might name."""

    def loadResource(self, kind: int, name):  # noqa: N802 (Qt name)
        return QByteArray()


class RevisionsDialog(QDialog):
    """The revisions of one article, newest first, each with its changes."""

    def __init__(self, library: Library, article_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library, self._article_id = library, article_id
        record = library.articles.get(article_id)
        self._revisions: list[RevisionRecord] = library.articles.revisions(article_id)
        self.setWindowTitle("Revisions")
        layout = QVBoxLayout(self)
        heading = plain_label(f"{isolate(record.title)} — revised {day(record.revised_at)}"
                              if record.revised_at else record.title, clipped=True)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        row = QHBoxLayout()
        self.model = QStringListModel(
            [f"{day(r.saved_at)} – {day(r.replaced_at)} · {r.words} words" for r in self._revisions])
        self.list_view = QListView()
        self.list_view.setModel(self.model)
        self.list_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list_view.setAccessibleName("Earlier versions")
        self.list_view.setMaximumWidth(260)
        row.addWidget(self.list_view)
        right = QVBoxLayout()
        self.against_current = QCheckBox("Compare with the current text")
        self.against_current.setToolTip("Otherwise: with the version that replaced it")
        right.addWidget(self.against_current)
        self.diff_view = _DiffView()
        self.diff_view.setOpenLinks(False)
        self.diff_view.setFont(theme.body_font(11))
        right.addWidget(self.diff_view, 1)
        row.addLayout(right, 1)
        layout.addLayout(row, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_diff())
        self.against_current.toggled.connect(lambda _checked: self.show_diff())
        self.resize(900, 560)
        if self._revisions:
            self.list_view.setCurrentIndex(self.model.index(0))
        else:
            self.diff_view.setPlainText("This article has no earlier versions.")

    def show_diff(self) -> None:
        row = self.list_view.currentIndex().row()
        if not 0 <= row < len(self._revisions):
            return
        revision = self._revisions[row]
        # The next newer revision is the one just above in the list (newest first).
        newer = None if self.against_current.isChecked() or row == 0 else self._revisions[row - 1].id
        pieces = self._library.articles.diff(self._article_id, revision.id, newer=newer)
        self.diff_view.setHtml(diff_html(pieces))

    @classmethod
    def ask(cls, library: Library, article_id: int, parent: QWidget | None = None) -> None:
        """Show the dialog (replaceable in tests)."""
        cls(library, article_id, parent).exec()
