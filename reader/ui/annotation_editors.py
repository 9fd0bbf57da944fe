"""The annotation panel's editors: a tag field with completion, a note field, and the
note rendered as Markdown. Each saves on its commit key or when focus leaves, and
Escape reverts it; none of them loads a resource the note names."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QCompleter, QLineEdit, QPlainTextEdit, QTextBrowser

from reader.annotations.tags import parse_tag_list


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma of a comma-separated list."""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 (Qt name)
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index) -> str:  # noqa: N802 (Qt name)
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        head = text.rsplit(",", 1)[0] + ", " if "," in text else ""
        return head + str(index.data())


class TagsEdit(QLineEdit):
    """Comma-separated tags, with the text last saved so that it can tell edits apart."""

    reverted = Signal()
    left = Signal()

    def __init__(self, names: QStringListModel, parent=None) -> None:
        super().__init__(parent)
        self.saved: tuple[str, ...] = ()
        self.setPlaceholderText("Tags, separated by commas")
        completer = TagCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)

    def value(self) -> list[str]:
        return parse_tag_list(self.text())

    def is_dirty(self) -> bool:
        typed, saved = (sorted(t.casefold() for t in tags) for tags in (self.value(), self.saved))
        return typed != saved

    def load(self, tags: tuple[str, ...], keep_edits: bool = False) -> None:
        """Show saved tags; with keep_edits, unsaved typing stays and only the baseline moves."""
        dirty = keep_edits and self.is_dirty()
        self.saved = tuple(tags)
        if not dirty:
            self.revert()

    def revert(self) -> None:
        self.setText(", ".join(self.saved))

    def event(self, event: QEvent) -> bool:
        # Escape belongs to the editor while it has focus, not to window shortcuts.
        if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and not self.completer().popup().isVisible():
            self.revert()
            self.reverted.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:  # the completer's list
            if not self.is_dirty():
                self.revert()  # drop a dangling ", " left by focus_highlight_tags
            self.left.emit()


class NoteEdit(QPlainTextEdit):
    """A Markdown note: Ctrl+Enter commits, Escape reverts, Tab moves on.

    `saved` is the stored note as last read; `started_from` the stored text the typing
    began from. They differ when the note was changed elsewhere while one typed (a
    refresh moves `saved` and keeps the typing): saving then is a conflict, which the
    library records (HighlightManager.set_note's `based_on`)."""

    committed = Signal()
    reverted = Signal()
    left = Signal()

    def __init__(self, placeholder: str, parent=None) -> None:
        super().__init__(parent)
        self.saved = ""
        self.started_from = ""
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)

    def value(self) -> str:
        return self.toPlainText().rstrip()

    def is_dirty(self) -> bool:
        return self.value() != self.saved.rstrip()

    def load(self, note: str, keep_edits: bool = False) -> None:
        dirty = keep_edits and self.is_dirty()
        self.saved = note
        if not dirty:
            self.revert()

    def mark_saved(self, note: str) -> None:
        """The typed text was stored as `note`: the text stays as typed, cursor and all,
        and further typing starts from it."""
        self.saved = self.started_from = note

    def revert(self) -> None:
        self.started_from = self.saved
        if self.toPlainText() != self.saved:
            self.setPlainText(self.saved)

    @staticmethod
    def _is_commit(event: QKeyEvent) -> bool:
        return (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and (
                event.key() == Qt.Key.Key_Escape or self._is_commit(event)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self._is_commit(event):
            self.committed.emit()
        elif event.key() == Qt.Key.Key_Escape:
            self.revert()
            self.reverted.emit()
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:  # e.g. its context menu
            self.left.emit()


class NoteView(QTextBrowser):
    """A note rendered from Markdown. Nothing is fetched (no images, no files) and links
    do not navigate."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)

    def loadResource(self, kind: int, name):  # noqa: N802 (Qt name)
        return None
