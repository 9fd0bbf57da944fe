"""The review's dialogs: making a cloze card (words to hide), a question card, and
choosing what to review (a scope). Each has an `ask()` classmethod that tests replace."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QStandardItem,
    QStandardItemModel,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListView,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from reader.document.model import Utf16Map
from reader.library import Library
from reader.query.sql import HIGHLIGHT
from reader.review import Gap
from reader.review.cards import cloze_parts, toggle_gap
from reader.ui import theme
from reader.ui.plain import plain_label

GAP_SHOWN = "[…]"
QUERY_ROLE = Qt.ItemDataRole.UserRole + 1


def cloze_preview(text: str, gaps: tuple[Gap, ...]) -> str:
    """The card's front, in words: the text with each gap as […]."""
    return "".join(GAP_SHOWN if hidden else words for words, hidden in cloze_parts(text, gaps))


# --- cloze ------------------------------------------------------------------------------

class ClozeText(QTextEdit):
    """The highlight's text, read-only, with a cursor: H (or Space) hides the selected
    words or the word at the cursor, or shows them again; a double-click does the same."""

    toggled = Signal(int, int)  # code-point span
    accepted = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlainText(text)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                     | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAcceptRichText(False)
        self.setFont(theme.body_font(theme.BODY_POINT_SIZE + 2))
        self.setAccessibleName("The highlight's words")
        self.setAccessibleDescription("Select words and press H to hide them; Enter saves")
        self._offsets = Utf16Map(text)

    def selected_span(self) -> tuple[int, int]:
        cursor = self.textCursor()
        return (self._offsets.to_codepoint(cursor.selectionStart()),
                self._offsets.to_codepoint(cursor.selectionEnd()))

    def show_gaps(self, gaps: tuple[Gap, ...]) -> None:
        marks = []
        for gap in gaps:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._offsets.to_utf16(gap.start))
            cursor.setPosition(self._offsets.to_utf16(gap.end), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            fmt = QTextCharFormat()
            background = QColor(theme.ACCENT)
            background.setAlpha(60)
            fmt.setBackground(background)
            fmt.setFontUnderline(True)
            selection.format = fmt
            marks.append(selection)
        self.setExtraSelections(marks)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in (
                Qt.Key.Key_H, Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_H, Qt.Key.Key_Space) and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            self.toggled.emit(*self.selected_span())
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accepted.emit()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        position = self.cursorForPosition(event.position().toPoint()).position()
        at = self._offsets.to_codepoint(position)
        self.toggled.emit(at, at)


class ClozeDialog(QDialog):
    """Choose the words a cloze card hides; the card shows the rest and asks for them."""

    def __init__(self, text: str, gaps: tuple[Gap, ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Make a cloze card")
        self.text = text
        self.gaps = tuple(gaps)
        hint = plain_label("Select the words to hide (with the mouse, or arrows and Shift) "
                           "and press H; H on hidden words shows them again. Enter saves, "
                           "Esc cancels.")
        hint.setWordWrap(True)
        hint.setObjectName("dialogHint")
        self.editor = ClozeText(text)
        self.preview = plain_label()
        self.preview.setWordWrap(True)
        self.preview.setObjectName("dialogHint")
        self.toggle_button = QPushButton("Hide / show words (H)")
        self.clear_button = QPushButton("Show every word")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.toggle_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.clear_button, QDialogButtonBox.ButtonRole.ResetRole)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.preview)
        layout.addWidget(buttons)
        self.editor.toggled.connect(self.toggle)
        self.editor.accepted.connect(self.accept)
        self.toggle_button.clicked.connect(lambda: self.toggle(*self.editor.selected_span()))
        self.clear_button.clicked.connect(self.clear)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.resize(560, 320)
        self._update()
        self.editor.setFocus()

    def toggle(self, start: int, end: int) -> None:
        self.gaps = toggle_gap(self.text, self.gaps, start, end)
        self._update()

    def clear(self) -> None:
        self.gaps = ()
        self._update()

    def _update(self) -> None:
        self.editor.show_gaps(self.gaps)
        self.preview.setText(("The card will show: " + cloze_preview(self.text, self.gaps))
                             if self.gaps else "No words hidden yet: the card stays a plain "
                                               "highlight.")

    @classmethod
    def ask(cls, parent: QWidget | None, text: str,
            gaps: tuple[Gap, ...] = ()) -> tuple[Gap, ...] | None:
        """The gaps chosen (empty: none, a plain highlight again), or None if cancelled."""
        dialog = cls(text, gaps, parent)
        try:
            return dialog.gaps if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


# --- question ---------------------------------------------------------------------------

class QuestionDialog(QDialog):
    """A question whose answer is the highlight."""

    def __init__(self, quote: str, question: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Ask a question")
        label = plain_label("The review will ask this question, then show the highlight as "
                            "its answer. Leave it empty for a plain highlight again.")
        label.setWordWrap(True)
        label.setObjectName("dialogHint")
        answer = plain_label(quote if len(quote) < 600 else quote[:600] + "…")
        answer.setWordWrap(True)
        answer.setFont(theme.body_font())
        self.field = QLineEdit(question)
        self.field.setPlaceholderText("What question does this passage answer?")
        self.field.setAccessibleName("Question")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(answer)
        layout.addWidget(self.field)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.field.returnPressed.connect(self.accept)
        self.resize(520, 200)

    @classmethod
    def ask(cls, parent: QWidget | None, quote: str, question: str = "") -> str | None:
        """The question typed ("" to have none), or None if cancelled."""
        dialog = cls(quote, question, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return " ".join(dialog.field.text().split())
        finally:
            dialog.deleteLater()


# --- scope ------------------------------------------------------------------------------

WHOLE_LIBRARY = "The whole library"


def scope_suggestions(library: Library) -> list[tuple[str, str]]:
    """(what the picker shows, the query) for the whole library, each saved view, colour
    and tag."""
    found = [(WHOLE_LIBRARY, "")]
    found += [(f"View: {view.name}", view.query) for view in library.views.list()]
    found += [(f"Colour: {c.name}", f"colour:{c.key}") for c in library.colours.all()]
    found += [(f"Tag: {name}", 'tag:"' + name.replace('"', "") + '"')
              for name in library.tags.names()]
    return found


def scope_name(library: Library, query: str) -> str:
    """A scope as the review screen names it: "the whole library", "Tag: history"…"""
    query = query.strip()
    if not query:
        return "the whole library"
    for title, text in scope_suggestions(library):
        if text == query:
            return title
    return query


class ScopeDialog(QDialog):
    """Type a query, or pick the whole library, a colour or a tag (arrows move through
    the suggestions, typing filters them; Enter chooses)."""

    def __init__(self, library: Library, current: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("What to review")
        self._library = library
        hint = plain_label("Review highlights from the whole library, a colour, a tag, or "
                           "any query (tag:history colour:yellow, added:<3m, …).")
        hint.setWordWrap(True)
        hint.setObjectName("dialogHint")
        self.field = QLineEdit(current)
        self.field.setPlaceholderText("A query; empty for the whole library")
        self.field.setAccessibleName("What to review")
        self.field.installEventFilter(self)
        self.note = plain_label()
        self.note.setWordWrap(True)
        self.note.setObjectName("queryNote")
        self.model = QStandardItemModel(self)
        for title, query in scope_suggestions(library):
            item = QStandardItem(title)
            item.setData(query, QUERY_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.setAccessibleName("Suggestions")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.field)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self._navigating = False
        self.field.textEdited.connect(self._filter)
        self.field.textChanged.connect(self._check)
        self.list.clicked.connect(self._choose)
        self.list.doubleClicked.connect(lambda index: (self._choose(index), self.accept()))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._check(current)
        self.resize(480, 420)

    def query(self) -> str:
        return self.field.text().strip()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())

    def _choose(self, index) -> None:
        if index.isValid():
            self.field.setText(index.data(QUERY_ROLE))

    def _check(self, text: str) -> None:
        """Say what the query mends or leaves out, as the search box does."""
        messages = self._library.query.compile(text, HIGHLIGHT).messages if text.strip() else []
        self.note.setText("\n".join(f"⚠ {m}" for m in messages))
        self.note.setVisible(bool(messages))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt name)
        if watched is self.field and event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Down, Qt.Key.Key_Up):
            rows = self.proxy.rowCount()
            if rows:
                row = self.list.currentIndex().row()
                row = (0 if row < 0 else row + 1) if event.key() == Qt.Key.Key_Down else (
                    rows - 1 if row < 0 else row - 1)
                index = self.proxy.index(max(0, min(rows - 1, row)), 0)
                self.list.setCurrentIndex(index)
                self._choose(index)
            return True
        return super().eventFilter(watched, event)

    @classmethod
    def ask(cls, parent: QWidget | None, library: Library, current: str = "") -> str | None:
        """The query chosen ("" for the whole library), or None if cancelled."""
        dialog = cls(library, current, parent)
        try:
            return dialog.query() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
