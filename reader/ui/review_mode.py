"""The daily review in the main window: the Review entry at the top of the sidebar, the
review screen in place of the panes while it runs, and the review commands.

A mixin of MainWindow (`self`), which calls `_build_review` once its layouts exist.
The screen is made on the first `R`, so that start-up does not pay for it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QBoxLayout, QWidget

from reader.library import LibraryError
from reader.links import Link
from reader.review import ReviewOptions
from reader.ui.review_dialogs import ClozeDialog, QuestionDialog, ScopeDialog
from reader.ui.review_entry import ReviewEntry
from reader.ui.window_commands import STATUS_MS

Keymap = dict[str, dict[str, str]]


class ReviewMode:
    """The review's part of the main window."""

    review_screen = None  # made on first use (reader.ui.review_screen.ReviewScreen)

    def _build_review(self, sidebar_layout: QBoxLayout, central_layout: QBoxLayout,
                      keymap: Keymap) -> None:
        """The Review entry above the sidebar's other sections; the place the screen
        will take in the central area, under the banner."""
        self._review_layout = central_layout
        self._review_keymap = keymap
        self._review_scope: str | None = None  # chosen without a settings file to keep it
        self._review_return: QWidget | None = None
        self.review_entry = ReviewEntry(self.library, self.review_options)
        sidebar_layout.insertWidget(0, self.review_entry)
        self.review_entry.chosen.connect(self.cmd_review_start)
        self.review_entry.listen(self.bus)

    def review_options(self) -> ReviewOptions:
        """The review's settings (settings.toml's review_*), defaults without a file."""
        options = (ReviewOptions.from_settings(self.preferences.get)
                   if self.preferences is not None else ReviewOptions())
        if self._review_scope is not None:
            options = ReviewOptions(self._review_scope, options.limits, options.skip_tag,
                                    options.order, options.retention)
        return options

    @property
    def reviewing(self) -> bool:
        return self.review_screen is not None and self.review_screen.isVisible()

    # --- entering and leaving -------------------------------------------------------------
    def cmd_review_start(self) -> None:
        self.annotation_panel.save_pending()
        screen = self._screen()
        if not self.reviewing:
            focus = QApplication.focusWidget()
            self._review_return = focus if focus is not None and self.isAncestorOf(focus) \
                else None
            self.splitter.hide()
            screen.show()
        screen.start(self.review_entry.fresh_queue(self.review_options()))
        screen.setFocus()

    def leave_review(self) -> None:
        """Show the library again, with the focus where it was before the review."""
        if not self.reviewing:
            return
        self.review_screen.hide()
        self.splitter.show()
        target, self._review_return = self._review_return, None
        (target if target is not None and target.isVisible() else self.list_view).setFocus()
        self.review_entry.refresh()

    def _screen(self):
        if self.review_screen is None:
            from reader.ui.review_screen import ReviewScreen

            screen = ReviewScreen(self.library, self._review_keymap, self.review_options)
            screen.hide()
            self._review_layout.addWidget(screen, 1)
            screen.left.connect(self.leave_review)
            screen.open_passage.connect(self._open_reviewed_passage)
            screen.changed.connect(lambda changes: self.announce(changes, screen))
            screen.graded.connect(self.review_entry.refresh)
            screen.scope_wanted.connect(self._choose_review_scope)
            self.bus.library_changed.connect(
                lambda changes, initiator: initiator is not screen
                and screen.library_changed(changes))
            self.review_screen = screen
        return self.review_screen

    def _open_reviewed_passage(self, article_id: int, highlight_id: int) -> None:
        self.leave_review()
        if self.open_link(Link(article_id, highlight_id)):
            self.statusBar().showMessage(
                "The passage in its article. R goes back to the review.", STATUS_MS)

    def _choose_review_scope(self) -> None:
        current = self.review_options().scope
        chosen = ScopeDialog.ask(self, self.library, current)
        if chosen is None or chosen == current:
            return
        if self.preferences is not None:
            self.remember("review_scope", chosen)
            if self.preferences.get("review_scope") != chosen:
                return  # not saved: remember() said why
        else:
            self._review_scope = chosen
        self.review_screen.scope_changed()
        self.review_entry.refresh()

    # --- commands that need the library's panes: leave the review first ----------------------
    def cmd_search_focus(self) -> None:
        self.leave_review()
        super().cmd_search_focus()

    def cmd_view_cycle_focus(self) -> None:
        self.leave_review()
        super().cmd_view_cycle_focus()

    # --- mastery from the reading pane or the panel -----------------------------------------
    def cmd_highlight_cloze(self) -> None:
        target = self._target_highlight()
        if target is None:
            self.statusBar().showMessage("There is no highlight here to make a card of.",
                                         STATUS_MS)
            return
        try:
            card = self.library.review.card(target.id)
            gaps = ClozeDialog.ask(self, target.exact, card.gaps)
            if gaps is None:
                return
            self.library.review.set_cloze(target.id, gaps)
        except LibraryError as exc:
            self.statusBar().showMessage(str(exc), STATUS_MS)
            return
        self.review_entry.refresh()
        self.statusBar().showMessage(
            "A cloze card: the daily review will show the gaps and ask for the words."
            if gaps else "A plain highlight again in the daily review.", STATUS_MS)

    def cmd_highlight_question(self) -> None:
        target = self._target_highlight()
        if target is None:
            self.statusBar().showMessage("There is no highlight here to ask about.", STATUS_MS)
            return
        try:
            card = self.library.review.card(target.id)
            question = QuestionDialog.ask(self, target.exact, card.question)
            if question is None:
                return
            self.library.review.set_question(target.id, question)
        except LibraryError as exc:
            self.statusBar().showMessage(str(exc), STATUS_MS)
            return
        self.review_entry.refresh()
        self.statusBar().showMessage(
            "A question card: the daily review will ask it, then show the highlight."
            if question else "A plain highlight again in the daily review.", STATUS_MS)
