"""The annotation panel's widgets and their layout: article, filters, highlight list, editor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reader.ui import theme
from reader.ui.annotation_editors import NoteEdit, NoteView, TagsEdit
from reader.ui.highlight_list import ORPHAN_LABEL, HighlightDelegate
from reader.ui.plain import plain_label

NO_ARTICLE_HINT = "Open an article to see its highlights and notes here."
NO_HIGHLIGHTS_HINT = "No highlights yet. Select text and press H to highlight it."
NO_MATCH_HINT = "No highlights match these filters."
EVERYONE = "Everyone"
MINE = "Mine"
PRIVATE_LABEL = "Private: only I can see it, its note and the note's history"
NO_SELECTION_HINT = "Select a highlight to edit its tags and note."
ORPHAN_HINT = (f"{ORPHAN_LABEL}. Select the passage in the article, then re-attach the "
               "highlight to it.")


class AnnotationLayout:
    """A mixin of AnnotationPanel (`self`): builds its widgets, once, from its models."""

    def _build(self) -> None:
        self.placeholder = _hint(NO_ARTICLE_HINT)
        self.article_tags = TagsEdit(self.tag_names)
        self.article_tags.setAccessibleName("Article tags")
        self.article_note = NoteEdit("A note on the article (Markdown; Ctrl+Enter saves)")
        self.article_note.setAccessibleName("Article note")
        self.article_note.setMaximumHeight(90)

        self.colour_filter = QComboBox()
        self.colour_filter.setAccessibleName("Filter by colour")
        self.tag_filter = QLineEdit()
        self.tag_filter.setAccessibleName("Filter by tag")
        self.tag_filter.setPlaceholderText("Filter by tag")
        self.tag_filter.setClearButtonEnabled(True)
        tag_filter_completer = QCompleter(self.filter_tag_names, self.tag_filter)
        tag_filter_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        tag_filter_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tag_filter.setCompleter(tag_filter_completer)
        # A team library's: whose highlights to list (hidden in a personal library).
        self.author_filter = QComboBox()
        self.author_filter.setObjectName("authorFilter")
        self.author_filter.setAccessibleName("Filter by author")
        self.author_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.author_filter.setMinimumContentsLength(8)
        self.author_filter.hide()
        self.count_label = _heading("HIGHLIGHTS")

        self.list_view = QListView()
        self.list_view.setObjectName("highlightList")
        self.list_view.setAccessibleName("Highlights")
        self.list_view.setModel(self.model)
        self.delegate = HighlightDelegate(self.list_view)
        self.list_view.setItemDelegate(self.delegate)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list_view.setMinimumHeight(self.delegate.row_height())
        self.empty_label = _hint(NO_HIGHLIGHTS_HINT)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.list_view)
        self.list_stack.addWidget(self.empty_label)

        self.editor_hint = _hint(NO_SELECTION_HINT)
        self.changed_label = plain_label()  # a revision changed this highlight's passage
        self.changed_label.setWordWrap(True)
        self.changed_label.setObjectName("changedHint")
        self.orphan_label = plain_label(ORPHAN_HINT)
        self.orphan_label.setWordWrap(True)
        self.orphan_label.setStyleSheet(f"color: {theme.ACCENT};")
        self.author_label = plain_label(clipped=True)  # "By ann" on a team library
        self.author_label.setObjectName("authorHint")
        self.private_check = QCheckBox(PRIVATE_LABEL)
        self.private_check.setObjectName("privateCheck")
        self.private_check.setAccessibleDescription(
            "Other readers of the team library cannot see a private highlight")
        self.tags_edit = TagsEdit(self.tag_names)
        self.tags_edit.setAccessibleName("Highlight tags")
        self.tags_edit.setAccessibleDescription("Enter saves, Escape reverts")
        self.note_edit = NoteEdit("A note on this highlight (Markdown; Ctrl+Enter saves)")
        self.note_edit.setAccessibleName("Highlight note")
        self.note_edit.setAccessibleDescription("Ctrl+Enter saves, Escape reverts")
        self.note_edit.setMinimumHeight(60)
        self.note_edit.setMaximumHeight(130)
        self.note_view = NoteView()
        self.note_view.setAccessibleName("Highlight note, formatted")
        self.note_view.setPlaceholderText("The formatted note appears here.")
        self.note_view.setMinimumHeight(40)
        self.note_view.setMaximumHeight(110)
        self.history_heading = _heading("EARLIER VERSIONS OF THIS NOTE")
        self.history_view = QPlainTextEdit()  # plain text: notes are shown, never rendered
        self.history_view.setObjectName("noteHistory")
        self.history_view.setAccessibleName("Earlier versions of this note")
        self.history_view.setReadOnly(True)
        self.history_view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history_view.setTabChangesFocus(True)
        self.history_view.setMaximumHeight(110)
        # Shown only when they have something to say (a team library, a note's history):
        # hidden, they ask no room of the editor, nor of the window's least height.
        for widget in (self.author_label, self.private_check, self.history_heading,
                       self.history_view):
            widget.hide()
        self.reattach_button = QPushButton("Re-attach to selection")
        self.reattach_button.setAccessibleDescription(
            "Place this highlight on the passage selected in the article")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleDescription("Delete this highlight")
        self.message = plain_label(clipped=True)
        self.message.setObjectName("annotationMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        self.editor = QWidget()
        self.editor.setObjectName("highlightEditor")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reattach_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        editor_layout = _column(self.editor, _heading("SELECTED HIGHLIGHT"), self.changed_label,
                                self.orphan_label, self.author_label, self.private_check,
                                self.tags_edit, self.note_edit, self.note_view,
                                self.history_heading, self.history_view)
        editor_layout.addLayout(buttons)
        self.editor_stack = QStackedWidget()
        self.editor_stack.addWidget(self.editor_hint)
        self.editor_stack.addWidget(self.editor)

        filters = QHBoxLayout()
        filters.addWidget(self.colour_filter)
        filters.addWidget(self.tag_filter, 1)
        filters.addWidget(self.author_filter)
        top = QWidget()
        self.revised_label = plain_label()  # "Revised 3 March 2026 · 2 earlier versions …"
        self.revised_label.setObjectName("revisedHint")
        self.revised_label.hide()
        _column(top, _heading("ARTICLE"), self.revised_label, self.article_tags,
                self.article_note).addLayout(filters)
        list_part = QWidget()
        _column(list_part, self.count_label, self.list_stack)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(list_part)
        self.splitter.addWidget(self.editor_stack)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([500, 320])  # proportions: the list gets the spare height
        self.splitter.setChildrenCollapsible(False)
        content = QWidget()
        content_layout = _column(content, top, self.splitter, self.message)
        content_layout.setStretch(1, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 10)
        outer.addWidget(self.stack)
        order = [self.article_tags, self.article_note, self.colour_filter, self.tag_filter,
                 self.author_filter, self.list_view, self.private_check, self.tags_edit,
                 self.note_edit, self.note_view, self.history_view, self.reattach_button,
                 self.delete_button]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)


def _heading(text: str) -> QLabel:
    label = plain_label(text)
    label.setProperty("heading", True)
    return label


def _hint(text: str) -> QLabel:
    label = plain_label(text)
    label.setProperty("hint", True)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def _column(widget: QWidget, *children: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    for child in children:
        layout.addWidget(child)
    return layout
