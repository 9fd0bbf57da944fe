"""The daily review's screen: the start page (today's count, the twelve-week chart, the
streak) and the card page (one highlight at a time, graded from the keyboard).

It takes the main window's central area while the review runs. Its keys are the
registry's `review` context (`dialog_actions`): they act while the screen itself has
the focus; a tag or note editor opened on it takes the keys it types. Every grade is
written (and committed) by the core before the next card shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

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
from reader.review.cards import why_line
from reader.review.clock import parse_stamp
from reader.review.scheduling import interval_text
from reader.ui import theme
from reader.ui.actions import dialog_actions
from reader.ui.operations import QueryOp, report_error
from reader.ui.plain import isolate
from reader.ui.review_dialogs import ClozeDialog, QuestionDialog, scope_name
from reader.ui.review_entry import today_phrase
from reader.ui.review_layout import CARD, START, ReviewLayout, passage_html

LONGEST_TIMED_MS = 10 * 60 * 1000  # a card left on screen longer is timed as this

Keymap = dict[str, dict[str, str]]


class ReviewScreen(ReviewLayout, QWidget):
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
