"""The annotation panel beside the reading pane: the article's tags and note, its highlights
(filtered by colour, tag and, in a team library, author), and an editor for the selected
highlight's tags and note, with the note's earlier versions when a save replaced one.

Edits are saved on Enter (tags), Ctrl+Enter (notes), when focus leaves an editor, and
before the selection, the filters or the article change; Escape reverts an editor. A
refresh from outside (after undo, say) never overwrites what the user is still typing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QItemSelectionModel, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap, QTextCursor
from PySide6.QtWidgets import QWidget

from reader.library import Library, LibraryError
from reader.records import ArticleRecord, Changes, HighlightRecord, NoteSaved
from reader.annotations.tags import SEPARATOR
from reader.ui.annotation_editors import NoteEdit
from reader.ui.annotation_layout import (
    EVERYONE,
    MINE,
    NO_HIGHLIGHTS_HINT,
    NO_MATCH_HINT,
    AnnotationLayout,
)
from reader.ui.highlight_list import (
    ID_ROLE,
    HighlightListModel,
    author_line,
    changed_line,
    note_history_text,
)
from reader.ui.revisions_dialog import revised_line

ALL_COLOURS = "All colours"


class AnnotationPanel(AnnotationLayout, QWidget):
    """Tags and note of the open article, and its highlights with their tags and notes."""

    highlight_chosen = Signal(int)
    changed = Signal(object)
    reattach_requested = Signal(int)
    # The user finished with an editor from the keyboard (Enter, Ctrl+Enter or Escape):
    # the window hands the focus back to where the edit was started from.
    edit_finished = Signal()

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationPanel")
        self.library = library
        self._article_id: int | None = None
        self._loaded_id: int | None = None  # the highlight whose values the editor holds
        self._quiet = 0
        self.tag_names = QStringListModel(self)
        self.filter_tag_names = QStringListModel(self)
        self.model = HighlightListModel(library, self)
        self._build()
        self._connect()
        self.show_article(None)

    # --- construction (the widgets: AnnotationLayout._build) ----------------------------
    def _connect(self) -> None:
        for signal in (self.article_tags.returnPressed, self.article_tags.reverted,
                       self.article_note.committed, self.article_note.reverted,
                       self.tags_edit.returnPressed, self.tags_edit.reverted,
                       self.note_edit.committed, self.note_edit.reverted):
            # Connected before the savers below would be too early: queue it after them.
            signal.connect(self.edit_finished.emit, Qt.ConnectionType.QueuedConnection)
        self.article_tags.returnPressed.connect(self._save_article)
        self.article_tags.left.connect(self._save_article)
        self.article_note.committed.connect(self._save_article)
        self.article_note.left.connect(self._save_article)
        self.tags_edit.returnPressed.connect(self._save_highlight)
        self.tags_edit.left.connect(self._save_highlight)
        self.note_edit.committed.connect(self._save_highlight)
        self.note_edit.left.connect(self._save_highlight)
        self.note_edit.textChanged.connect(self._render_note)
        self.colour_filter.currentIndexChanged.connect(self._apply_filters)
        self.tag_filter.textChanged.connect(self._apply_filters)
        self.author_filter.currentIndexChanged.connect(self._apply_filters)
        self.private_check.clicked.connect(self._set_private)
        self.list_view.selectionModel().currentChanged.connect(self._current_changed)
        self.list_view.activated.connect(self._activated)
        self.delete_button.clicked.connect(self.delete_current)
        self.reattach_button.clicked.connect(self._request_reattach)

    # --- public interface ---------------------------------------------------------------
    def show_article(self, article_id: int | None,
                     highlights: list[HighlightRecord] | None = None,
                     article: ArticleRecord | None = None) -> None:
        """Show this article's tags, note and highlights (None: no article is open).
        `highlights` and `article`, if given, are the article's, just read by the caller."""
        if article_id is not None and article_id == self._article_id:
            self.refresh(highlights)
            return
        self.save_pending()
        self._article_id = article_id
        self._show_message("")
        with self._quietly():
            self.model.set_article(article_id, highlights)
            self.list_view.selectionModel().clear()
        self._load_editor()
        if article_id is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self._load_lookups()
        self._load_article(keep_edits=False, article=article)
        self._update_counts()

    def refresh(self, highlights: list[HighlightRecord] | None = None) -> None:
        """Re-read the open article's data (after undo, redo or edits made elsewhere), keeping
        the selected highlight and any text the user has not saved yet. `highlights`, if
        given, are the article's, just read by the caller."""
        if self._article_id is None:
            return
        try:
            article = self.library.articles.get(self._article_id)
        except LibraryError:
            self.show_article(None)
            return
        selected, loaded = self.current_highlight_id(), self._loaded_id
        self._load_lookups()
        self._load_article(keep_edits=True, article=article)
        with self._quietly():
            self.model.reload(records=highlights)
            if loaded is not None and self.model.row_of(loaded) is None:
                if self._exists(loaded):
                    # It left the list; what was typed must not be lost.
                    self._save_highlight(leaving=True)
                self._loaded_id = None
            self._select_row(self.model.row_of(selected))
        self._load_editor(keep_edits=True)
        self._update_counts()

    def select_highlight(self, highlight_id: int | None) -> None:
        """Select a highlight in the list (without emitting highlight_chosen)."""
        with self._quietly():
            if highlight_id is not None and self.model.row_of(highlight_id) is None \
                    and self.model.is_filtered():
                self.tag_filter.clear()  # a filter must not hide what was asked for
                self.colour_filter.setCurrentIndex(0)
                self.author_filter.setCurrentIndex(0)
            self._select_row(self.model.row_of(highlight_id))

    def current_highlight_id(self) -> int | None:
        index = self.list_view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def focus_highlight_tags(self) -> bool:
        """Put the cursor after the highlight's tags, ready to add one (False: no highlight)."""
        if self._loaded_id is None:
            return False
        edit = self.tags_edit
        if edit.text().strip() and not edit.text().rstrip().endswith(","):
            edit.setText(edit.text().rstrip() + ", ")
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.end(False)
        return True

    def focus_highlight_note(self) -> bool:
        if self._loaded_id is None:
            return False
        self._focus_note(self.note_edit)
        return True

    def focus_article_tags(self) -> bool:
        if self._article_id is None:
            return False
        self.article_tags.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.article_tags.end(False)
        return True

    def focus_article_note(self) -> bool:
        if self._article_id is None:
            return False
        self._focus_note(self.article_note)
        return True

    def save_pending(self) -> None:
        """Save whatever has been typed and not saved yet."""
        self._save_highlight()
        self._save_article()

    def delete_current(self) -> None:
        """Delete the selected highlight (undoable); the next one is selected."""
        highlight_id = self.current_highlight_id()
        if highlight_id is None:
            return
        self._save_highlight(leaving=True)  # so that undoing the delete restores what was typed
        row = self.list_view.currentIndex().row()
        try:
            changes = self.library.highlights.delete(highlight_id)
        except LibraryError as exc:
            self._show_message(str(exc))
            return
        self._loaded_id = None
        with self._quietly():
            self.model.reload()
            self._select_row(min(row, self.model.rowCount() - 1) if self.model.rowCount() else None)
        self._load_editor()
        self._update_counts()
        self._load_lookups()
        self.list_view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit(changes)

    # --- selection and filters ----------------------------------------------------------
    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Selection changes made by the program, not the user: no highlight_chosen."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _select_row(self, row: int | None) -> None:
        selection = self.list_view.selectionModel()
        if row is None:
            selection.clear()
            self._load_editor()
            return
        index = self.model.index(row)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list_view.scrollTo(index)

    def _current_changed(self, current, _previous) -> None:
        highlight_id = self.current_highlight_id()
        # The same highlight selected again (the list was rebuilt) is no change of selection:
        # its unsaved edits stay unsaved and on screen.
        same = highlight_id is not None and highlight_id == self._loaded_id
        if not same:
            self._save_highlight(leaving=True)
        self._load_editor(keep_edits=same)
        if not self._quiet and current.isValid() and highlight_id is not None:
            self.highlight_chosen.emit(highlight_id)

    def _activated(self, index) -> None:
        if index.isValid():
            self.highlight_chosen.emit(index.data(ID_ROLE))

    def _apply_filters(self) -> None:
        selected = self._loaded_id
        self._save_highlight(leaving=True)
        with self._quietly():
            self.model.set_filter(self.colour_filter.currentData(), self.tag_filter.text(),
                                  self.author_filter.currentData())
            self._select_row(self.model.row_of(selected))
        self._load_editor()
        self._update_counts()

    def _update_counts(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count()
        self.count_label.setText(f"HIGHLIGHTS · {shown}" if shown == total
                                 else f"HIGHLIGHTS · {shown} OF {total}")
        self.empty_label.setText(NO_HIGHLIGHTS_HINT if total == 0 else NO_MATCH_HINT)
        self.list_stack.setCurrentIndex(0 if shown else 1)

    # --- loading ------------------------------------------------------------------------
    def _load_lookups(self) -> None:
        """Tag names for the completers and colour names for the filter."""
        names = self.library.tags.names()
        self.tag_names.setStringList(names)
        with_parents = {SEPARATOR.join(n.split(SEPARATOR)[:d]) for n in names
                        for d in range(1, n.count(SEPARATOR) + 2)}
        self.filter_tag_names.setStringList(sorted(with_parents, key=str.casefold))
        chosen = self.colour_filter.currentData()
        self.colour_filter.blockSignals(True)
        self.colour_filter.clear()
        self.colour_filter.addItem(ALL_COLOURS, None)
        for colour in self.library.colours.all():
            swatch = QPixmap(12, 12)
            swatch.fill(QColor(colour.hex))
            self.colour_filter.addItem(QIcon(swatch), colour.name, colour.key)
        self.colour_filter.setCurrentIndex(max(0, self.colour_filter.findData(chosen)))
        self.colour_filter.blockSignals(False)
        self._load_authors()

    def _load_authors(self) -> None:
        """The author filter of a team library: Everyone, Mine, then each other reader
        with highlights in the article (a chosen one stays, with none left)."""
        highlights = self.library.highlights
        team = highlights.is_team
        self.author_filter.setVisible(team)
        if not team:
            return
        me = highlights.reader
        chosen = self.author_filter.currentData()
        others = [name for name in highlights.authors(self._article_id) if name != me] \
            if self._article_id is not None else []
        if chosen not in (None, me, *others):
            others.append(chosen)
        self.author_filter.blockSignals(True)
        self.author_filter.clear()
        self.author_filter.addItem(EVERYONE, None)
        self.author_filter.addItem(MINE, me)
        for name in others:
            self.author_filter.addItem(name, name)
        self.author_filter.setCurrentIndex(max(0, self.author_filter.findData(chosen)))
        self.author_filter.blockSignals(False)

    def _load_article(self, keep_edits: bool, article: ArticleRecord | None = None) -> None:
        if article is None or article.id != self._article_id:
            article = self.library.articles.get(self._article_id)
        self.article_tags.load(article.tags, keep_edits)
        self.article_note.load(article.note, keep_edits)
        line = revised_line(article.revised_at, len(self.library.articles.revisions(article.id))
                            if article.revised_at else 0)
        self.revised_label.setText(line)
        self.revised_label.setVisible(bool(line))

    def _load_editor(self, keep_edits: bool = False) -> None:
        """Fill the editor from the current highlight. Unsaved edits of the same highlight
        survive with keep_edits; otherwise they were saved before we got here."""
        highlight_id = self.current_highlight_id()
        record = None
        if highlight_id is not None:
            try:
                record = self.library.highlights.get(highlight_id)
            except LibraryError:
                record = None
        if record is None:
            self._loaded_id = None
            self.editor_stack.setCurrentIndex(0)
            self.tags_edit.load(())
            self.note_edit.load("")
            return
        keep = keep_edits and record.id == self._loaded_id
        self._loaded_id = record.id
        self.tags_edit.load(record.tags, keep)
        self.note_edit.load(record.note, keep)
        self._render_note()
        self._load_authorship(record)
        self.changed_label.setText(changed_line(record))
        self.changed_label.setVisible(record.changed_in is not None)
        self.orphan_label.setVisible(record.orphaned)
        self.reattach_button.setVisible(record.orphaned)
        self.editor_stack.setCurrentIndex(1)

    def _load_authorship(self, record: HighlightRecord) -> None:
        """Who made the highlight and whether it is private (a team library's; its author
        may change that), and the note's earlier versions, if a save replaced any."""
        me = self.library.highlights.reader
        line = author_line(record, me)
        self.author_label.setText(line)
        self.author_label.setVisible(bool(line))
        self.private_check.setChecked(record.private)
        self.private_check.setVisible(bool(record.author) and record.author == me)
        try:
            versions = self.library.highlights.note_history(record.id)
        except LibraryError:
            versions = []
        text = note_history_text(versions, me)
        if self.history_view.toPlainText() != text:
            self.history_view.setPlainText(text)
        self.history_heading.setVisible(bool(versions))
        self.history_view.setVisible(bool(versions))

    def _set_private(self, private: bool) -> None:
        highlight_id = self._loaded_id
        if highlight_id is None:
            return
        self._save_highlight()
        try:
            changes = self.library.highlights.set_private(highlight_id, private)
        except LibraryError as exc:
            self._show_message(str(exc))
            self._load_editor(keep_edits=True)
            return
        self._show_message("")
        self.model.refresh_highlight(highlight_id)
        self._load_editor(keep_edits=True)
        self.changed.emit(changes)

    def _exists(self, highlight_id: int) -> bool:
        try:
            self.library.highlights.get(highlight_id)
        except LibraryError:
            return False
        return True

    def _render_note(self) -> None:
        self.note_view.setMarkdown(self.note_edit.toPlainText())

    @staticmethod
    def _focus_note(edit: NoteEdit) -> None:
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.moveCursor(QTextCursor.MoveOperation.End)

    # --- saving -------------------------------------------------------------------------
    def _save_highlight(self, leaving: bool = False) -> None:
        """Commit the editor's unsaved edits. When the user is leaving the highlight, the
        Changes emitted name no highlight, so that no view goes back to it."""
        highlight_id = self._loaded_id
        if highlight_id is None or not (self.tags_edit.is_dirty() or self.note_edit.is_dirty()):
            return
        changes: Changes | None = None
        saved_note: NoteSaved | None = None
        try:
            if self.tags_edit.is_dirty():
                changes = _merge(changes, self.library.highlights.set_tags(
                    highlight_id, self.tags_edit.value()))
            if self.note_edit.is_dirty():
                saved_note = self.library.highlights.set_note(
                    highlight_id, self.note_edit.value(), based_on=self.note_edit.started_from)
                changes = _merge(changes, saved_note)
            record = self.library.highlights.get(highlight_id)
        except LibraryError as exc:
            self._show_message(str(exc))
            return
        self._show_message(conflict_message(saved_note, self.library.highlights.reader))
        self.tags_edit.load(record.tags)  # as stored: tidied, existing tags' spelling
        self.note_edit.mark_saved(record.note)
        if saved_note is not None and saved_note.kept is not None \
                and highlight_id == self.current_highlight_id():
            self._load_authorship(record)  # the replaced version joins the history
        self.model.refresh_highlight(highlight_id)
        if changes is not None and changes.tags:
            self._load_lookups()
        if changes is not None and leaving:
            changes = dataclasses.replace(changes, highlight_id=None)
        self.changed.emit(changes)

    def _save_article(self) -> None:
        article_id = self._article_id
        if article_id is None or not (self.article_tags.is_dirty() or self.article_note.is_dirty()):
            return
        changes: Changes | None = None
        try:
            if self.article_tags.is_dirty():
                changes = _merge(changes, self.library.articles.set_tags(
                    article_id, self.article_tags.value()))
            if self.article_note.is_dirty():
                changes = _merge(changes, self.library.articles.set_note(
                    article_id, self.article_note.value()))
            article = self.library.articles.get(article_id)
        except LibraryError as exc:
            self._show_message(str(exc))
            return
        self._show_message("")
        self.article_tags.load(article.tags)
        self.article_note.saved = article.note
        if changes is not None and changes.tags:
            self._load_lookups()
        self.changed.emit(changes)

    def _request_reattach(self) -> None:
        highlight_id = self.current_highlight_id()
        if highlight_id is not None:
            self._save_highlight()
            self.reattach_requested.emit(highlight_id)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


def conflict_message(saved: NoteSaved | None, reader: str) -> str:
    """What to tell the reader whose note save won over a change made while they typed
    ("" when there was no such change)."""
    if saved is None or not saved.conflict or saved.kept is None:
        return ""
    writer = saved.kept.written_by
    if not writer:
        return ("This note was changed elsewhere while you were editing; that version is "
                "kept in the note's history.")
    if writer == reader:
        return ("You changed this note in another window while you were editing here; "
                "that version is kept in the note's history.")
    return (f"{writer} changed this note while you were editing; their version is kept "
            "in the note's history.")


def _merge(changes: Changes | None, more: Changes) -> Changes:
    return more if changes is None else changes | more
