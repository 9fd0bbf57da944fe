"""The review screen's widgets and their layout, built once: the start page (today's
count, the scope, the chart, the streak) and the card page (the passage with its
context, its article, tags and note, the editors, the grade buttons)."""

from __future__ import annotations

import html

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reader.annotations.colours import HEX
from reader.review import CLOZE, RATINGS, ReviewCard
from reader.review.cards import cloze_parts
from reader.ui import theme
from reader.ui.annotation_editors import NoteEdit, TagsEdit
from reader.ui.plain import plain_label
from reader.ui.review_chart import ReviewChart
from reader.ui.review_dialogs import GAP_SHOWN

START, CARD = 0, 1  # the pages
COLUMN_WIDTH = 760  # the card's measure, as a page of a book
FEEDBACK_MS = 6000  # how long the line saying what a key did stays


def _tint(colour: str, paper: str, alpha: float = 0.45) -> str:
    """The highlight's colour laid over the paper, as one solid colour (rich text draws
    no translucency)."""
    top, bottom = QColor(colour), QColor(paper)
    mixed = QColor(round(top.red() * alpha + bottom.red() * (1 - alpha)),
                   round(top.green() * alpha + bottom.green() * (1 - alpha)),
                   round(top.blue() * alpha + bottom.blue() * (1 - alpha)))
    return mixed.name()


def passage_html(card: ReviewCard, revealed: bool, context_points: float | None = None) -> str:
    """The passage with its context, as rich text made of escaped parts: the context
    muted (and smaller, at `context_points`), the quote on its colour; a cloze card's
    gaps as […] until revealed."""
    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    quote_parts = []
    if card.kind == CLOZE and card.gaps:
        for words, hidden in cloze_parts(card.highlight.exact, card.gaps):
            if not hidden:
                quote_parts.append(esc(words))
            elif revealed:
                quote_parts.append(f'<b style="color:{theme.ACCENT}"><u>{esc(words)}</u></b>')
            else:
                quote_parts.append(f'<b style="color:{theme.ACCENT}">{GAP_SHOWN}</b>')
    else:
        quote_parts.append(esc(card.highlight.exact))
    tint = _tint(HEX.get(card.highlight.colour, HEX["yellow"]), theme.PAPER)
    quote = (f'<span style="background-color:{tint}; color:{theme.TEXT}">'
             + "".join(quote_parts).replace("\n", "<br>") + "</span>")
    size = f"; font-size:{context_points:.1f}pt" if context_points else ""
    before = (f'<span style="color:{theme.MUTED}{size}">{esc(card.before)} </span>'
              if card.before else "")
    after = (f'<span style="color:{theme.MUTED}{size}"> {esc(card.after)}</span>'
             if card.after else "")
    return f'<p style="line-height:150%">{before}{quote}{after}</p>'


class ReviewLayout:
    """A mixin of ReviewScreen (`self`): builds its widgets, once."""

    def _build(self) -> None:
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_start())
        self.pages.addWidget(self._build_card())
        column = QWidget()
        column.setObjectName("reviewColumn")
        column.setMaximumWidth(COLUMN_WIDTH)
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(24, 28, 24, 24)
        column_layout.addWidget(self.pages)
        holder = QWidget()
        holder.setObjectName("reviewColumnHolder")
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(column, 100)
        row.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("reviewScroll")
        self.scroll.setWidget(holder)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.feedback = plain_label()
        self.feedback.setObjectName("reviewFeedback")
        self._feedback_timer = QTimer(self)
        self._feedback_timer.setSingleShot(True)
        self._feedback_timer.setInterval(FEEDBACK_MS)
        self._feedback_timer.timeout.connect(lambda: self.feedback.setText(""))
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keys_hint = plain_label()
        self.keys_hint.setObjectName("reviewKeys")
        self.keys_hint.setWordWrap(True)
        self.keys_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.setSpacing(4)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.feedback)
        layout.addWidget(self.keys_hint)

    def _build_start(self) -> QWidget:
        page = QWidget()
        self.heading = plain_label("Daily review")
        self.heading.setObjectName("reviewHeading")
        self.summary = plain_label()
        self.summary.setObjectName("reviewSummary")
        self.summary.setWordWrap(True)
        self.scope_line = plain_label()
        self.scope_line.setObjectName("reviewMuted")
        self.scope_line.setWordWrap(True)
        self.scope_note = plain_label()
        self.scope_note.setObjectName("queryNote")
        self.scope_note.setWordWrap(True)
        self.scope_note.hide()
        self.chart = ReviewChart()
        self.chart_caption = plain_label("REVIEWS PER DAY, LAST 12 WEEKS")
        self.chart_caption.setObjectName("reviewCaption")
        self.streak = plain_label()
        self.streak.setObjectName("reviewStreak")
        self.streak.setWordWrap(True)
        self.library_line = plain_label()
        self.library_line.setObjectName("reviewMuted")
        self.library_line.setWordWrap(True)
        self.begin_button = QPushButton("Begin")
        self.begin_button.setObjectName("reviewBegin")
        self.begin_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.begin_button.clicked.connect(self.cmd_review_continue)
        self.scope_button = QPushButton("What to review…")
        self.scope_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scope_button.clicked.connect(self.cmd_review_scope)
        buttons = QHBoxLayout()
        buttons.addWidget(self.begin_button)
        buttons.addWidget(self.scope_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for widget in (self.heading, self.summary, self.scope_line, self.scope_note):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addSpacing(24)
        layout.addWidget(self.chart_caption)
        layout.addWidget(self.chart)
        layout.addWidget(self.streak)
        layout.addWidget(self.library_line)
        layout.addStretch(1)
        return page

    def _build_card(self) -> QWidget:
        page = QWidget()
        self.progress = plain_label()
        self.progress.setObjectName("reviewMuted")
        self.why = plain_label()
        self.why.setObjectName("reviewMuted")
        self.why.setWordWrap(True)
        self.question = plain_label()
        self.question.setObjectName("reviewQuestion")
        self.question.setWordWrap(True)
        self.passage = QLabel()
        self.passage.setObjectName("reviewPassage")
        self.passage.setTextFormat(Qt.TextFormat.RichText)  # made of escaped parts only
        self.passage.setWordWrap(True)
        self.passage.setOpenExternalLinks(False)
        self.passage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.passage.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.passage.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.source = plain_label()
        self.source.setObjectName("reviewSource")
        self.source.setWordWrap(True)
        self.tags_line = plain_label()
        self.tags_line.setObjectName("reviewMuted")
        self.tags_line.setWordWrap(True)
        self.note_line = plain_label()
        self.note_line.setObjectName("reviewNote")
        self.note_line.setWordWrap(True)
        self.tag_names = QStringListModel(self)
        self.tags_edit = TagsEdit(self.tag_names)
        self.tags_edit.setAccessibleName("Highlight tags")
        self.tags_edit.setAccessibleDescription("Enter saves, Escape reverts")
        self.tags_edit.hide()
        self.note_edit = NoteEdit("A note on this highlight (Markdown; Ctrl+Enter saves)")
        self.note_edit.setAccessibleName("Highlight note")
        self.note_edit.setAccessibleDescription("Ctrl+Enter saves, Escape reverts")
        self.note_edit.setMaximumHeight(140)
        self.note_edit.hide()
        self.tags_edit.returnPressed.connect(self._save_tags)
        self.tags_edit.reverted.connect(self._close_editors)
        self.tags_edit.left.connect(self._editor_left)
        self.note_edit.committed.connect(self._save_note)
        self.note_edit.reverted.connect(self._close_editors)
        self.note_edit.left.connect(self._editor_left)
        self.show_button = QPushButton("Show the answer")
        self.show_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.show_button.clicked.connect(self._reveal)
        self.grade_buttons: dict[int, QPushButton] = {}
        grades = QHBoxLayout()
        grades.addStretch(1)
        grades.addWidget(self.show_button)
        for rating, name in RATINGS.items():
            button = QPushButton(name)
            button.setObjectName("reviewGrade")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, r=rating: self.cmd_review_grade(str(r)))
            self.grade_buttons[rating] = button
            grades.addWidget(button)
        grades.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.progress)
        layout.addWidget(self.why)
        layout.addSpacing(12)
        layout.addWidget(self.question)
        layout.addWidget(self.passage)
        layout.addSpacing(6)
        layout.addWidget(self.source)
        layout.addWidget(self.tags_line)
        layout.addWidget(self.note_line)
        layout.addWidget(self.tags_edit)
        layout.addWidget(self.note_edit)
        layout.addSpacing(16)
        layout.addLayout(grades)
        layout.addStretch(1)
        return page
