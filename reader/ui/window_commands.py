"""What each command of the registry does in the main window (`cmd_<id>` handlers).

A mixin of MainWindow: the window lays out the views and keeps them in step with
the library; this module holds the actions the user invokes by key, menu or palette.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.annotations.colours import COLOURS, DEFAULT_COLOUR
from reader.commands import WINDOW_INVOCATIONS, invocation, unmet
from reader.ui import theme
from reader.library import LibraryError
from reader.links import Link
from reader.records import Changes

# Each dialog is imported by the command that opens it: none is needed to show the
# window, and together they are a noticeable part of start-up.

STATUS_MS = 6000
SORT_NAMES = {"added": "date added", "published": "date published", "title": "title"}


class WindowCommands:
    """The command handlers; `self` is the MainWindow."""

    def cmd_app_quit(self) -> None:
        self.close()

    def cmd_edit_undo(self) -> None:
        self._undo_or_redo(self.library.undo_stack.undo_label, self.library.undo, "Undone",
                           "Nothing to undo.")

    def cmd_edit_redo(self) -> None:
        self._undo_or_redo(self.library.undo_stack.redo_label, self.library.redo, "Redone",
                           "Nothing to redo.")

    def _undo_or_redo(self, label: str | None, step: Callable[[], Changes | None], done: str,
                      nothing: str) -> None:
        try:
            changes = step()
        except LibraryError as exc:  # another reader changed it since: refused, nothing done
            self.update_undo_actions()  # the refused step is off the history
            self.statusBar().showMessage(str(exc), STATUS_MS)
            return
        if changes is None:
            self.statusBar().showMessage(nothing, STATUS_MS)
            return
        self.announce(changes)
        self.update_undo_actions()  # also when the undone action changed nothing visible
        self.statusBar().showMessage(f"{done}: {label}", STATUS_MS)

    def update_undo_actions(self) -> None:
        """Edit › Undo and Redo say what they would undo or redo, and are disabled when
        there is nothing to."""
        stack = self.library.undo_stack
        for command_id, verb, label in (("edit.undo", "Undo", stack.undo_label),
                                        ("edit.redo", "Redo", stack.redo_label)):
            self.actions.set_title(command_id, f"{verb} {label}" if label else verb)
            self.actions.refresh(command_id)

    def cmd_web_save(self) -> None:
        from reader.ui.saving import SaveAddresses, addresses_in

        clipboard = QApplication.clipboard().text()
        asked = SaveAddresses.ask(self, "\n".join(addresses_in(clipboard)))
        if asked is not None:
            self.save_addresses(*asked)

    def cmd_web_paste(self) -> None:
        from reader.ui.saving import addresses_from_mime

        urls = addresses_from_mime(QApplication.clipboard().mimeData())
        if not urls:
            self.statusBar().showMessage(
                "The clipboard holds no web address (http or https) to save.", STATUS_MS)
            return
        self.save_addresses(urls)

    def save_addresses(self, urls: list[str], tags: list[str] | tuple[str, ...] = (),
                       then: Callable[[], None] | None = None) -> bool:
        """Fetch and save these pages in the background, then open the first one saved."""
        reason = self.why_not("web.save")
        if reason is not None:
            self.statusBar().showMessage(reason, STATUS_MS)
            if then is not None:
                then()
            return False
        self.statusBar().showMessage(
            "Saving " + (urls[0] if len(urls) == 1 else f"{len(urls)} web pages") + "…",
            STATUS_MS)
        return self.saves.start(urls, tags, then)

    def cmd_article_revisions(self) -> None:
        from reader.ui.revisions_dialog import RevisionsDialog

        article_id = self.current_article_id()
        if article_id is not None:
            RevisionsDialog.ask(self.library, article_id, self)

    def cmd_export_article(self) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            self.statusBar().showMessage("Open an article to export its annotations.", STATUS_MS)
            return
        self.annotation_panel.save_pending()
        self.exports.export([article_id])

    def cmd_export_all(self) -> None:
        self.annotation_panel.save_pending()
        self.exports.export(None)

    def cmd_export_copy(self) -> None:
        article_id = self.current_article_id()
        if article_id is not None:
            self.annotation_panel.save_pending()
            self.exports.copy(article_id)

    # --- when commands can run --------------------------------------------------------
    def condition_holds(self, name: str) -> bool:
        """Whether a registry condition (`commands.CONDITIONS`) holds in the window now."""
        pane = self.reading_pane
        article = self.current_article_id() is not None
        selection = article and pane.selection_span() is not None
        if name == "article":
            return article
        if name == "selection":
            return selection
        if name == "passage":
            return selection or (article and pane.focused_paragraph is not None)
        if name == "highlight":
            return article and self._target_highlight() is not None
        if name == "selection-or-highlight":
            return selection or (article and self._target_highlight() is not None)
        if name == "highlights":
            return article and any(not h.orphaned for h in self._highlights)
        if name == "revised":
            article_id = self.current_article_id()
            return article_id is not None and bool(self.library.articles.revised_at(article_id))
        if name == "writable":
            return self.watch.writable()
        if name == "undo":
            return self.library.undo_stack.undo_label is not None
        if name == "redo":
            return self.library.undo_stack.redo_label is not None
        raise KeyError(f"the window cannot tell whether {name!r} holds")

    def why_not(self, text: str) -> str | None:
        """Why the invocation ("highlight.colour 3") cannot run now; None if it can."""
        return unmet(invocation(text), self.condition_holds)

    def run_command(self, text: str) -> bool:
        """Runs an invocation if it can run now; otherwise says why in the status bar."""
        reason = self.why_not(text)
        if reason is not None:
            self.statusBar().showMessage(reason, STATUS_MS)
            return False
        self.actions.run(text)
        return True

    def cmd_view_palette(self) -> None:
        from reader.ui.palette import CommandPalette, entries_from_registry

        disabled = {item.text: reason for item in WINDOW_INVOCATIONS
                    if (reason := self.why_not(item.text)) is not None}
        chosen = CommandPalette.ask(
            self, entries_from_registry(self.actions.keymap, self._colour_titles(),
                                        disabled=disabled, extra=self.extra_invocations()))
        if chosen:
            self.run_command(chosen)

    def extra_invocations(self) -> list:
        """Invocations the registry does not list that the palette offers (each saved
        view's; see WindowViews)."""
        return []

    def cmd_view_cheat_sheet(self) -> None:
        from reader.ui.cheat_sheet import CheatSheet

        titles = self._colour_titles()  # and the All Highlights window's colour keys:
        titles.update({text.replace("highlight.", "highlights.", 1): title
                       for text, title in titles.items()})
        CheatSheet.show_for(self, self.actions.keymap, titles)

    def _colour_titles(self) -> dict[str, str]:
        return {f"highlight.colour {c.number}": f"Colour {c.number}: {c.name}"
                for c in self.library.colours.all()}

    def cmd_search_focus(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def cmd_view_archive(self) -> None:
        self._keep_current_after(lambda: self.model.set_archived(not self.model.archived))
        self.statusBar().showMessage(
            "Showing the archive (E unarchives)." if self.model.archived
            else "Showing the reading list.", STATUS_MS)

    def cmd_view_theme(self, name: str | None = None) -> None:
        """Use the theme called `name`; without one, the next theme."""
        if name is None:
            names = list(theme.THEMES)
            name = names[(names.index(theme.current) + 1) % len(names)]
        self.set_theme(name)
        self.statusBar().showMessage(f"{name.capitalize()} theme", STATUS_MS)

    def cmd_view_font_larger(self) -> None:
        self.set_font_size(self.reading_pane.font_size() + 1)

    def cmd_view_font_smaller(self) -> None:
        self.set_font_size(self.reading_pane.font_size() - 1)

    def cmd_view_font_reset(self) -> None:
        self.set_font_size(theme.BODY_POINT_SIZE)

    def cmd_view_cycle_focus(self) -> None:
        panel = self.annotation_panel
        panes = [self.list_view, self.reading_pane, panel]
        focus = QApplication.focusWidget()
        current = next((i for i, pane in enumerate(panes)
                        if focus is not None and (focus is pane or pane.isAncestorOf(focus))), -1)
        target = panes[(current + 1) % len(panes)]
        if target is panel:
            # Into the panel: its highlight list when it shows any, else the article's tags.
            target = panel.list_view if panel.list_view.isVisible() else panel.article_tags
        target.setFocus(Qt.FocusReason.TabFocusReason)

    def _step_article(self, step: int) -> None:
        if not self.model.rowCount():
            return
        row = self.list_view.currentIndex().row()
        row = 0 if row < 0 else max(0, min(self.model.rowCount() - 1, row + step))
        self.open_article(self.model.article_id(row))

    def cmd_list_next(self) -> None:
        self._step_article(1)

    def cmd_list_previous(self) -> None:
        self._step_article(-1)

    def cmd_article_toggle_read(self) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            return
        read = not self.library.articles.get(article_id).read
        self.announce(self.library.articles.set_read(article_id, read))
        self.statusBar().showMessage("Marked as read." if read else "Marked as unread.", STATUS_MS)

    def cmd_article_archive(self) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            return
        archived = not self.library.articles.get(article_id).archived
        self.announce(self.library.articles.set_archived(article_id, archived))
        self.statusBar().showMessage(
            "Archived. It is in the archive view (View › Show archive)." if archived
            else "Back in the reading list.", STATUS_MS)

    def cmd_reader_next_paragraph(self) -> None:
        self.reading_pane.move_paragraph_focus(1)

    def cmd_reader_previous_paragraph(self) -> None:
        self.reading_pane.move_paragraph_focus(-1)

    def cmd_reader_page_down(self) -> None:
        self.reading_pane.page(1)

    def cmd_reader_page_up(self) -> None:
        self.reading_pane.page(-1)

    def cmd_reader_top(self) -> None:
        self.reading_pane.go_to_start()

    def cmd_reader_end(self) -> None:
        self.reading_pane.go_to_end()

    def cmd_selection_start(self) -> None:
        self.reading_pane.begin_keyboard_selection()
        self.statusBar().showMessage(
            "Selecting: W/B a word more/less, S/Shift+S a sentence, Shift+arrows; H highlights, "
            "Esc cancels.", STATUS_MS)

    def cmd_selection_grow_word(self) -> None:
        self.reading_pane.extend_keyboard_selection("word", grow=True)

    def cmd_selection_shrink_word(self) -> None:
        self.reading_pane.extend_keyboard_selection("word", grow=False)

    def cmd_selection_grow_sentence(self) -> None:
        self.reading_pane.extend_keyboard_selection("sentence", grow=True)

    def cmd_selection_shrink_sentence(self) -> None:
        self.reading_pane.extend_keyboard_selection("sentence", grow=False)

    def cmd_article_open(self) -> None:
        if self.current_article_id() is not None:
            self.reading_pane.setFocus()

    def cmd_reader_back(self) -> None:
        if self.reading_pane.textCursor().hasSelection():
            self.reading_pane.clear_selection()
            return
        self.list_view.setFocus()

    def _edit_in_panel(self, focus_editor) -> None:
        """Put the focus in a panel editor; Enter or Esc there brings it back here."""
        came_from = QApplication.focusWidget()
        if focus_editor():
            self._return_focus = came_from

    def _edit_finished(self) -> None:
        target, self._return_focus = self._return_focus, None
        if target is not None and target.isVisible():
            target.setFocus()

    def cmd_article_tag(self) -> None:
        if self.current_article_id() is not None:
            self._edit_in_panel(self.annotation_panel.focus_article_tags)

    def cmd_article_note(self) -> None:
        if self.current_article_id() is not None:
            self._edit_in_panel(self.annotation_panel.focus_article_note)

    def cmd_article_delete(self) -> None:
        from reader.ui.dialogs import Confirm
        from reader.ui.plain import isolate

        article_id = self.current_article_id()
        if article_id is None:
            return
        article = self.library.articles.get(article_id)
        count = self.library.highlights.count(article_id)
        detail = f" and its {count} highlight{'s' if count != 1 else ''}" if count else ""
        if not Confirm.ask(self, "Delete article",
                           f"Delete “{isolate(article.title)}”{detail}? You can undo this with Ctrl+Z.",
                           "Delete"):
            return
        self.announce(self.library.articles.delete(article_id))
        self.statusBar().showMessage(f"Deleted “{isolate(article.title)}”. Ctrl+Z brings it back.", STATUS_MS)

    def cmd_highlight_create(self) -> None:
        self._create_highlight(DEFAULT_COLOUR)

    def cmd_highlight_colour(self, number: str) -> None:
        """Highlight the selection in colour `number` (1-5), else recolour the highlight here."""
        colour = COLOURS[int(number) - 1]
        if self.reading_pane.selection_span() is not None:
            self._create_highlight(colour)
            return
        target = self._target_highlight()
        if target is None:
            self.statusBar().showMessage("Select a passage or a highlight first.", STATUS_MS)
            return
        self.announce(self.library.highlights.recolour(target.id, colour))

    def cmd_highlight_tag(self) -> None:
        target = self._target_highlight()
        if target is None:
            self.statusBar().showMessage("There is no highlight here to tag.", STATUS_MS)
            return
        self.annotation_panel.select_highlight(target.id)
        self._edit_in_panel(self.annotation_panel.focus_highlight_tags)

    def cmd_highlight_note(self) -> None:
        target = self._target_highlight()
        if target is None:
            self.statusBar().showMessage("There is no highlight here to annotate.", STATUS_MS)
            return
        self.annotation_panel.select_highlight(target.id)
        self._edit_in_panel(self.annotation_panel.focus_highlight_note)

    def _step_highlight(self, step: int) -> None:
        placed = [h for h in self._highlights if not h.orphaned]
        if not placed:
            self.statusBar().showMessage("This article has no highlights yet.", STATUS_MS)
            return
        ids = [h.id for h in placed]
        active = self.reading_pane.active_highlight
        if active in ids:
            index = (ids.index(active) + step) % len(ids)
        else:
            top = self.reading_pane.offset_at_top()
            after = [i for i, h in enumerate(placed) if h.start >= top]
            index = (after[0] if after else 0) if step > 0 else ((after[0] - 1) if after else -1)
        self._mark(ids[index], scroll=True)

    def cmd_highlight_next(self) -> None:
        self._step_highlight(1)

    def cmd_highlight_previous(self) -> None:
        self._step_highlight(-1)

    def cmd_highlight_delete(self) -> None:
        target = self._target_highlight()
        if target is None:
            self.statusBar().showMessage("There is no highlight here to delete.", STATUS_MS)
            return
        self.announce(self.library.highlights.delete(target.id))
        self.reading_pane.set_active_highlight(None)
        self.statusBar().showMessage("Highlight deleted. Ctrl+Z brings it back.", STATUS_MS)

    def cmd_highlight_reattach(self) -> None:
        highlight_id = self.annotation_panel.current_highlight_id()
        if highlight_id is None:
            self.statusBar().showMessage("Choose the highlight to re-attach in the panel.", STATUS_MS)
            return
        self._reattach(highlight_id)

    def cmd_highlights_all(self) -> None:
        """Show the All Highlights window (one per main window, kept while it is open)."""
        from shiboken6 import isValid

        from reader.ui.highlights_window import HighlightsWindow

        window = getattr(self, "highlights_window", None)
        self.annotation_panel.save_pending()  # a note being typed is listed as it is
        if window is None or not isValid(window):
            window = self.highlights_window = HighlightsWindow(
                self.library, self.bus, self.open_link, self.actions.keymap, main=self)
        window.present()

    def cmd_tags_manage(self) -> None:
        from reader.ui.tag_manager import TagManagerDialog

        dialog = TagManagerDialog(self.library, self, self.actions.keymap)
        dialog.changed.connect(lambda changes: self.announce(changes, dialog))
        dialog.exec()

    def cmd_colours_names(self) -> None:
        from reader.ui.colour_dialog import ColourNamesDialog

        dialog = ColourNamesDialog(self.library, self)
        dialog.changed.connect(lambda changes: self.announce(changes, dialog))
        dialog.exec()

    # library views
    def cmd_file_import(self) -> None:
        from reader.ui.importing import ImportFiles

        paths = ImportFiles.ask(self)
        if paths:
            self.import_paths(paths)

    def cmd_file_import_from(self) -> None:
        from reader.ui.import_report import ChooseExport, ExportImport

        path = ChooseExport.ask(self)
        if path is not None:
            self.export_import = ExportImport(self, self.library, self.bus, path)
            self.export_import.start()

    def cmd_search_highlights(self) -> None:
        from reader.ui.highlight_search import HighlightSearch

        hit = HighlightSearch.ask(self, self.library)
        if hit is not None:
            self.open_link(Link(hit.article_id, hit.highlight_id))

    def cmd_view_sort(self) -> None:
        orders = ["added", "published", "title"]
        order = orders[(orders.index(self.model.order) + 1) % len(orders)]
        self._keep_current_after(lambda: self.model.set_order(order))
        self.statusBar().showMessage(f"Sorted by {SORT_NAMES[order]}.", STATUS_MS)

    def cmd_view_unread_only(self) -> None:
        self._keep_current_after(lambda: self.model.set_unread_only(not self.model.unread_only))
        self.statusBar().showMessage(
            "Showing unread articles only." if self.model.unread_only else "Showing all articles.",
            STATUS_MS)
