"""The daily review's screen: the start page (today's count, the twelve-week chart, the
streak) and the card page (one highlight at a time, graded from the keyboard).

It takes the main window's central area while the review runs. Its keys are the
registry's `review` context (`dialog_actions`): they act while the screen itself has
the focus; a tag or note editor opened on it takes the keys it types. Every grade is
written (and committed) by the core before the next card shows.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCursor
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
from reader.commands import REVIEW, keys_for
from reader.library import Library, LibraryError
from reader.records import Changes
from reader.review import (
    CLOZE,
    QUESTION,
    RATINGS,
    ReviewCard,
    ReviewHistory,
    ReviewOptions,
    ReviewQueue,
    ReviewSession,
)
from reader.review.cards import cloze_parts, why_line
from reader.review.clock import parse_stamp
from reader.review.scheduling import interval_text
from reader.ui import theme
from reader.ui.actions import dialog_actions
from reader.ui.annotation_editors import NoteEdit, TagsEdit
from reader.ui.operations import QueryOp, report_error
from reader.ui.plain import isolate, plain_label
from reader.ui.review_chart import ReviewChart
from reader.ui.review_dialogs import GAP_SHOWN, ClozeDialog, QuestionDialog, scope_name
from reader.ui.review_entry import today_phrase

START, CARD = 0, 1
COLUMN_WIDTH = 760  # the card's measure, as a page of a book
LONGEST_TIMED_MS = 10 * 60 * 1000  # a card left on screen longer is timed as this
FEEDBACK_MS = 6000  # how long the line saying what a key did stays

Keymap = dict[str, dict[str, str]]


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


class ReviewScreen(QWidget):
    """The review: `start()` shows the start page (or resumes a session of today)."""

    left = Signal()  # Esc: the window shows the library again
    open_passage = Signal(int, int)  # article id, highlight id
    changed = Signal(object)  # Changes made here (tags, notes), for the window's bus
    graded = Signal()  # a grade (or never again, or undo) was written
    scope_wanted = Signal()  # S: the window asks for a scope and calls `scope_changed`
    message = Signal(str)  # what a key did (shown under the card; for the window too)

    def __init__(self, library: Library, keymap: Keymap,
                 options: Callable[[], ReviewOptions], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.review = library.review
        self.keymap = keymap
        self._options = options
        self.queue: ReviewQueue | None = None
        self.history: ReviewHistory | None = None
        self.tomorrow = 0
        self.overview = None
        self.session: ReviewSession | None = None
        self._session_day = None
        self.card: ReviewCard | None = None
        self.revealed = False
        self._shown_at = 0.0
        self._ops: list[QueryOp] = []
        self.setObjectName("reviewScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Daily review")
        self._build()
        self.command_actions = dialog_actions(self, self, REVIEW, keymap)

    # --- construction -------------------------------------------------------------------
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

    # --- the start page ------------------------------------------------------------------
    def start(self, queue: ReviewQueue | None = None) -> None:
        """Show the review: the current card of today's session if one is under way,
        else the start page, whose counts and chart are read in workers. `queue`:
        today's queue if it was just counted (by the sidebar's entry)."""
        if (self.session is not None and self.session.remaining
                and self._session_day == self.review.clock.today()):
            self._show_card()
            return
        self.session = None
        self.queue = queue
        self._show_start()
        self.reload(counted=queue is not None)

    def reload(self, counted: bool = False) -> None:
        """Read today's queue (unless `counted`), the history, tomorrow's count and the
        library's, in workers: the queue and the rest at once, side by side."""
        for op in self._ops:
            op.cancel()
        options, review = self._options(), self.review
        self._ops = []
        if not counted:
            self.queue = None
            self._ops.append(QueryOp(self, self.library, lambda: review.today(options))
                             .success(self._queue_read).failure(self._load_failed).run())

        def read_history():
            return (review.history(), review.due_tomorrow(options.scope, options.skip_tag),
                    review.overview())

        self._ops.append(QueryOp(self, self.library, read_history).success(
            self._history_read).failure(self._load_failed).run())
        self._fill_start()

    @property
    def loading(self) -> bool:
        return any(op.running for op in self._ops)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the start page's counts are shown (for tests and the benchmark)."""
        for op in list(self._ops):
            op.wait(timeout)

    def _queue_read(self, queue: ReviewQueue) -> None:
        self.queue = queue
        self._fill_start()

    def _history_read(self, result) -> None:
        self.history, self.tomorrow, self.overview = result
        self._fill_start()

    def _load_failed(self, error: Exception) -> None:
        if not isinstance(error, LibraryError):
            report_error(error)
        self.summary.setText(str(error))

    def _show_start(self) -> None:
        self.card = None
        self.pages.setCurrentIndex(START)
        self._fill_start()
        self._update_keys_hint()

    def _fill_start(self) -> None:
        options = self._options()
        queue = self.queue
        if queue is None:
            self.summary.setText("Counting today's review…")
        else:
            text = today_phrase(queue)
            if len(queue) and queue.due_total > queue.due_count:
                later = queue.due_total - queue.due_count
                text += f" ({later} more due wait for tomorrow's limit)"
            self.summary.setText(text)
            self.scope_note.setText("\n".join(f"⚠ {m}" for m in queue.messages))
            self.scope_note.setVisible(bool(queue.messages))
        limits = options.limits
        self.scope_line.setText(
            f"From {isolate(scope_name(self.library, options.scope))} · up to {limits.new} new "
            f"and {limits.due} due a day" + (f" · skipping #{isolate(options.skip_tag)}"
                                              if options.skip_tag else ""))
        can_begin = queue is not None and len(queue) > 0
        self.begin_button.setEnabled(can_begin)
        key = self._key("review.continue")
        self.begin_button.setText((f"Begin ({key})" if key else "Begin") if can_begin
                                  else "Nothing to review")
        self.chart.set_history(self.history)
        history = self.history
        if history is not None:
            parts = [f"Streak: {history.streak} day{'s' * (history.streak != 1)}",
                     f"{history.total} review{'s' * (history.total != 1)} in 12 weeks",
                     f"{history.today} today"]
            if self.tomorrow:
                parts.append(f"{self.tomorrow} due tomorrow")
            self.streak.setText(" · ".join(parts))
        overview = self.overview
        if overview is not None:
            parts = [f"{overview.highlights} highlight{'s' * (overview.highlights != 1)} in "
                     f"the library: {overview.reviewed} reviewed", f"{overview.unseen} not yet"]
            if overview.retired:
                parts.append(f"{overview.retired} never shown again")
            self.library_line.setText(", ".join(parts) + ".")

    # --- the card page -------------------------------------------------------------------
    def _begin(self) -> None:
        if self.queue is None or not len(self.queue):
            self._say("Nothing to review now." if self.queue is not None
                      else "Still counting today's review…")
            return
        self.review.retention = self._options().retention
        self.session = ReviewSession(self.review, self.queue)
        self._session_day = self.review.clock.today()
        self._show_card()

    def _show_card(self) -> None:
        """Show the session's current card; the start page when none is left."""
        session = self.session
        while session is not None and session.current is not None:
            try:
                self.card = self.review.card(session.current.highlight_id)
                break
            except LibraryError:  # deleted meanwhile
                session.drop(session.current.highlight_id)
        else:
            self._finished()
            return
        self.revealed = not self.card.hides_answer
        self._shown_at = time.monotonic()
        self._close_editors()
        self.pages.setCurrentIndex(CARD)
        self._render_card()
        self.scroll.verticalScrollBar().setValue(0)
        self.setFocus()

    def _finished(self) -> None:
        graded = self.session.graded if self.session else 0
        self.session = None
        self._show_start()
        self.reload()
        if graded:
            self._say(f"Done for today: {graded} reviewed.")

    def _render_card(self) -> None:
        card, session = self.card, self.session
        if card is None or session is None:
            return
        done = session.graded
        total = done + session.remaining
        new = session.remaining_new
        self.progress.setText(f"Card {done + 1} of {total}"
                              + (f" · {new} new to come" if new else ""))
        self.why.setText(why_line(card, self.review.clock))
        asks = card.kind == QUESTION and bool(card.question)
        self.question.setText(card.question)
        self.question.setVisible(asks)
        self.passage.setFont(theme.body_font(theme.BODY_POINT_SIZE * 1.3))
        self.passage.setText(self._passage_html())
        self.passage.setVisible(self.revealed or card.kind == CLOZE)
        hidden = not self.revealed
        key = self._key("review.continue")
        byline = card.byline()
        self.source.setText(f"— {card.title}" + (f", {byline}" if byline else ""))
        self.source.setVisible(self.revealed or card.kind != QUESTION)
        tags = [f"#{t}" for t in card.highlight.tags]
        self.tags_line.setText("  ".join(tags))
        self.tags_line.setVisible(bool(tags) and self.revealed)
        self.note_line.setText(card.highlight.note)
        self.note_line.setVisible(bool(card.highlight.note) and self.revealed)
        self.show_button.setVisible(hidden)
        self.show_button.setText(f"Show the answer ({key})" if key else "Show the answer")
        intervals = self.review.intervals(card) if self.revealed else {}
        for rating, button in self.grade_buttons.items():
            button.setVisible(self.revealed)
            if self.revealed:
                button.setText(f"{self._key(f'review.grade {rating}')}  {RATINGS[rating]}"
                               f"\n{interval_text(intervals[rating])}")
                button.setToolTip(f"{RATINGS[rating]}: due again in about "
                                  f"{interval_text(intervals[rating])}")
        self._update_keys_hint()

    def _reveal(self) -> None:
        if self.card is not None and not self.revealed:
            self.revealed = True
            self._render_card()

    # --- commands (the `review` context of the keymap) ----------------------------------------
    def cmd_review_continue(self) -> None:
        if self.pages.currentIndex() == START:
            self._begin()
        elif not self.revealed:
            self._reveal()
        else:
            self.cmd_review_grade("3")  # Space again: Good, as in Anki

    def cmd_review_grade(self, grade: str) -> None:
        if self.card is None or self.session is None:
            self._say("Begin the review first (Space).")
            return
        if not self.revealed:
            self._reveal()
            return
        rating = int(grade)
        elapsed = min(int((time.monotonic() - self._shown_at) * 1000), LONGEST_TIMED_MS)
        try:
            result = self.session.grade(rating, elapsed)
        except LibraryError as exc:
            self._say(str(exc))
            return
        due = result.state.due
        when = ""
        if due:
            when = interval_text(parse_stamp(due) - self.review.clock.now())
        self._say(f"{RATINGS[rating]}: again in {when}." if when else f"{RATINGS[rating]}.")
        self.graded.emit()
        self._show_card()

    def cmd_review_never(self) -> None:
        if self.card is None or self.session is None:
            return
        try:
            self.session.retire()
        except LibraryError as exc:
            self._say(str(exc))
            return
        self._say(f"That highlight will not come back. {self._key('review.undo')} brings it "
                  "back.")
        self.graded.emit()
        self._show_card()

    def cmd_review_undo(self) -> None:
        if self.session is None or not self.session.can_undo:
            self._say("Nothing to undo in this review.")
            return
        try:
            self.session.undo()
        except LibraryError as exc:
            self._say(str(exc))
            return
        self._say("Undone: the card is back.")
        self.graded.emit()
        self._show_card()

    def cmd_review_tag(self) -> None:
        if self.card is None:
            return
        self.tag_names.setStringList(self.library.tags.names())
        self.tags_edit.load(self.card.highlight.tags)
        edit = self.tags_edit
        if edit.text().strip():
            edit.setText(edit.text().rstrip() + ", ")
        self.note_edit.hide()
        edit.show()
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.end(False)

    def cmd_review_note(self) -> None:
        if self.card is None:
            return
        self.note_edit.load(self.card.highlight.note)
        self.tags_edit.hide()
        self.note_edit.show()
        self.note_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.note_edit.moveCursor(QTextCursor.MoveOperation.End)

    def cmd_review_open(self) -> None:
        if self.card is not None:
            self.open_passage.emit(self.card.article_id, self.card.highlight_id)

    def cmd_review_cloze(self) -> None:
        if self.card is None:
            return
        gaps = ClozeDialog.ask(self, self.card.highlight.exact, self.card.gaps)
        if gaps is None:
            return
        self._change_card(lambda: self.review.set_cloze(self.card.highlight_id, gaps),
                          "A cloze card now: the review shows the gaps and asks for the "
                          "words." if gaps else "A plain highlight again.")

    def cmd_review_question(self) -> None:
        if self.card is None:
            return
        question = QuestionDialog.ask(self, self.card.highlight.exact, self.card.question)
        if question is None:
            return
        self._change_card(lambda: self.review.set_question(self.card.highlight_id, question),
                          "A question card now: the review asks it, then shows the highlight."
                          if question else "A plain highlight again.")

    def cmd_review_scope(self) -> None:
        self.scope_wanted.emit()

    def scope_changed(self) -> None:
        """The scope was changed (by the window, in the settings): today's queue again."""
        self.session = None
        self.queue = None
        self._show_start()
        self.reload()

    def cmd_review_leave(self) -> None:
        self._close_editors()
        self.left.emit()

    def _change_card(self, change: Callable[[], None], done: str) -> None:
        try:
            change()
            self.card = self.review.card(self.card.highlight_id)
        except LibraryError as exc:
            self._say(str(exc))
            return
        self.revealed = not self.card.hides_answer
        self._render_card()
        self._say(done)
        self.graded.emit()

    # --- editing the highlight ---------------------------------------------------------------
    def _save_tags(self) -> None:
        if self.card is not None and self.tags_edit.is_dirty():
            self._save(lambda: self.library.highlights.set_tags(self.card.highlight_id,
                                                                self.tags_edit.value()))
        self._close_editors()

    def _save_note(self) -> None:
        if self.card is not None and self.note_edit.is_dirty():
            self._save(lambda: self.library.highlights.set_note(self.card.highlight_id,
                                                                self.note_edit.value()))
        self._close_editors()

    def _editor_left(self) -> None:
        """Focus left an editor (a click elsewhere): what was typed is kept, as in the
        annotation panel."""
        if self.tags_edit.isVisible() and self.tags_edit.is_dirty():
            self._save_tags()
        elif self.note_edit.isVisible() and self.note_edit.is_dirty():
            self._save_note()

    def _save(self, change: Callable[[], Changes]) -> None:
        try:
            changes = change()
            self.card = self.review.card(self.card.highlight_id)
        except LibraryError as exc:
            self._say(str(exc))
            return
        self.changed.emit(changes)
        self._render_card()
        self._say("Saved.")

    def _close_editors(self) -> None:
        refocus = self.tags_edit.hasFocus() or self.note_edit.hasFocus()
        self.tags_edit.hide()
        self.note_edit.hide()
        if refocus:
            self.setFocus()

    def library_changed(self, changes: Changes) -> None:
        """Edits made elsewhere (another window or process) to the card's article show."""
        card = self.card
        if card is not None and (card.article_id in changes.highlights or changes.tags
                                 or card.article_id in changes.articles) \
                and not (self.tags_edit.isVisible() or self.note_edit.isVisible()):
            try:
                self.card = self.review.card(card.highlight_id)
            except LibraryError:
                return
            self._render_card()

    def _passage_html(self) -> str:
        return passage_html(self.card, self.revealed, theme.BODY_POINT_SIZE * 1.05)

    # --- words ------------------------------------------------------------------------------
    def _key(self, text: str) -> str:
        keys = [key for context, key in keys_for(text, self.keymap) if context == REVIEW]
        return keys[0] if keys else ""

    def _update_keys_hint(self) -> None:
        if self.pages.currentIndex() == START:
            items = [("review.continue", "begin"), ("review.scope", "what to review"),
                     ("review.leave", "leave")]
        else:
            items = [("review.tag", "tag"), ("review.note", "note"),
                     ("review.open", "open in the article"), ("review.cloze", "cloze"),
                     ("review.question", "question"), ("review.never", "never again"),
                     ("review.undo", "undo"), ("review.leave", "leave")]
        self.keys_hint.setText("   ".join(f"{key} {words}" for text, words in items
                                          if (key := self._key(text))))

    def _say(self, text: str) -> None:
        """A line under the card for a few seconds: what the last key did."""
        self.feedback.setText(text)
        self._feedback_timer.start()
        self.message.emit(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        # A new theme: the passage's colours are in its rich text.
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange) \
                and self.card is not None and self.pages.currentIndex() == CARD:
            self.passage.setText(self._passage_html())
        super().changeEvent(event)
