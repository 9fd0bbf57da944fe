"""The main window: tags and articles on the left, the reading pane, the annotation panel."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reader import APP_NAME
from reader.colours import COLOURS, DEFAULT_COLOUR
from reader.commands import DEFAULT_KEYMAP, LIST, READER, command
from reader.db import LibraryError
from reader.library import Library
from reader.records import Changes, HighlightRecord, ImportReport
from reader.settings import Settings, SettingsError
from reader.ui.actions import CommandActions
from reader.ui.annotation_panel import AnnotationPanel
from reader.ui.article_list import ID_ROLE, ArticleDelegate, ArticleListModel
from reader.ui.cheat_sheet import CheatSheet
from reader.ui.colour_dialog import ColourNamesDialog
from reader.links import Link
from reader.ui.dialogs import Confirm
from reader.ui.exporting import ExportController
from reader.ui.palette import CommandPalette, entries_from_registry
from reader.ui.reading_pane import ReadingPane
from reader.ui.search_box import SearchBox
from reader.ui.tag_manager import TagManagerDialog
from reader.ui.tag_sidebar import TagSidebar
from reader.ui import theme

STATUS_MS = 6000
FONT_MIN = 8.0
FONT_MAX = 32.0


class MainWindow(QMainWindow):
    """Lists the library's articles, shows the chosen one, and annotates it."""

    def __init__(self, library: Library, settings: QSettings,
                 preferences: Settings | None = None) -> None:
        super().__init__()
        self.library = library
        self.settings = settings  # window geometry and per-library view state
        self.preferences = preferences  # the user's settings.toml
        self._library_key = "library-" + hashlib.sha1(
            str(library.path.resolve()).encode()).hexdigest()[:12]
        self._highlights: list[HighlightRecord] = []
        self.setWindowTitle(APP_NAME)
        self.resize(1360, 820)

        self.model = ArticleListModel(library, self)
        self.list_view = QListView()
        self.list_view.setObjectName("articleList")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(ArticleDelegate(self.list_view))
        # Uniform sizes let Qt lay out 100,000 rows without asking each for its size.
        self.list_view.setUniformItemSizes(True)
        self.list_view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list_view.setAccessibleName("Articles")
        self.list_header = QLabel()
        self.list_header.setObjectName("listHeader")
        self.search_box = SearchBox()

        self.tag_sidebar = TagSidebar(library)
        articles = QWidget()
        articles_layout = QVBoxLayout(articles)
        articles_layout.setContentsMargins(0, 0, 0, 0)
        articles_layout.setSpacing(0)
        articles_layout.addWidget(self.search_box)
        articles_layout.addWidget(self.list_header)
        articles_layout.addWidget(self.list_view)
        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.addWidget(self.tag_sidebar)
        self.left_splitter.addWidget(articles)
        self.left_splitter.setSizes([180, 620])

        self.reading_pane = ReadingPane()
        if preferences is not None:
            self.reading_pane.set_font_size(float(preferences.get("font_size")))
        self.reading_pane.setAccessibleName("Reading pane")
        self.annotation_panel = AnnotationPanel(library)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left_splitter)
        self.splitter.addWidget(self.reading_pane)
        self.splitter.addWidget(self.annotation_panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 720, 320])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        keymap = preferences.keymap() if preferences is not None else DEFAULT_KEYMAP
        self.actions = CommandActions(
            self, {LIST: self.list_view, READER: self.reading_pane}, keymap)
        self._update_colour_titles()

        self.list_view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.list_view.doubleClicked.connect(lambda _index: self.cmd_article_open())
        self.model.modelReset.connect(self._update_header)
        self.tag_sidebar.tag_chosen.connect(self._filter_by_tag)
        self.search_box.search_changed.connect(self._search)
        self.search_box.left.connect(self._leave_search)
        self.search_box.to_results.connect(self._to_results)
        self.reading_pane.paragraph_focused.connect(self._paragraph_focused)
        self.reading_pane.link_refused.connect(self._refuse_link)
        self.reading_pane.cursorPositionChanged.connect(self._cursor_moved)
        self.annotation_panel.highlight_chosen.connect(self._highlight_chosen)
        self.annotation_panel.changed.connect(self.apply_changes)
        self.annotation_panel.reattach_requested.connect(self._reattach)
        self.annotation_panel.edit_finished.connect(self._edit_finished)
        self.exports = ExportController(self, library, preferences)
        self.exports.finished.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self._return_focus: QWidget | None = None
        self._update_header()
        self._restore_state()

    # --- articles -------------------------------------------------------------------
    def open_article(self, article_id: int) -> None:
        """Select the article in the list and show it."""
        row = self.model.row_of(article_id)
        if row is None:
            return
        index = self.model.index(row)
        self.list_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list_view.scrollTo(index)

    def current_article_id(self) -> int | None:
        index = self.list_view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def _current_row_changed(self, current, _previous) -> None:
        self.annotation_panel.save_pending()
        if not current.isValid():
            self.reading_pane.show_placeholder()
            self.annotation_panel.show_article(None)
            self._highlights = []
            return
        article_id = current.data(ID_ROLE)
        self.reading_pane.show_document(self.library.articles.document(article_id))
        self._load_highlights(article_id)
        self.annotation_panel.show_article(article_id)
        self.settings.setValue(f"{self._library_key}/last_article", article_id)

    def _load_highlights(self, article_id: int, active: int | None = None) -> None:
        self._highlights = self.library.highlights.for_article(article_id)
        if active is None and any(h.id == self.reading_pane.active_highlight for h in self._highlights):
            active = self.reading_pane.active_highlight
        self.reading_pane.set_highlights(self._highlights, active)

    def _update_header(self) -> None:
        count = self.model.rowCount()
        noun = "ARTICLE" if count == 1 else "ARTICLES"
        where = "IN THE ARCHIVE" if self.model.archived else ""
        scope = f" · #{self.model.tag}" if self.model.tag else ""
        found = " FOUND" if self.model.search.strip() else ""
        self.list_header.setText(" ".join(p for p in (f"{count} {noun}{found}", where) if p) + scope)

    def _filter_by_tag(self, tag: str | None) -> None:
        self._keep_current_after(lambda: self.model.set_tag(tag))

    def _search(self, text: str) -> None:
        self._keep_current_after(lambda: self.model.set_search(text))

    def _keep_current_after(self, change) -> None:
        """Change the list's filter, staying on the open article if it is still listed."""
        current = self.current_article_id()
        change()
        if current is not None and self.model.row_of(current) is not None:
            self.open_article(current)
        elif self.model.rowCount():
            self.open_article(self.model.article_id(0))
        else:
            self.reading_pane.show_placeholder()
            self.annotation_panel.show_article(None)

    def _leave_search(self) -> None:
        self.list_view.setFocus()

    def _to_results(self, open_first: bool) -> None:
        if not self.model.rowCount():
            return
        self.open_article(self.model.article_id(0))
        if open_first:
            self.reading_pane.setFocus()
        else:
            self.list_view.setFocus()

    def _paragraph_focused(self, index: int) -> None:
        # The highlight at the focus follows the paragraph focus, so that t, n, x and
        # 1-5 act on what the reader is looking at.
        start, end = self.reading_pane.paragraph_span(index)
        inside = [h for h in self._highlights if not h.orphaned and h.start < end and h.end > start]
        if self.reading_pane.active_highlight in {h.id for h in inside}:
            return
        self.reading_pane.set_active_highlight(inside[0].id if inside else None)
        if inside:
            self.annotation_panel.select_highlight(inside[0].id)

    def show_import_problems(self, report: ImportReport) -> None:
        lines = "\n".join(str(problem) for problem in report.problems)
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                          "Some files could not be imported:", parent=self)
        box.setInformativeText(lines)
        box.open()
        self.statusBar().showMessage(f"{len(report.problems)} file(s) could not be imported", 10000)

    def _refuse_link(self, url: str) -> None:
        self.statusBar().showMessage(f"Only web links (http, https) are opened: {url}", STATUS_MS)

    # --- keeping views in step with the library ----------------------------------------
    def apply_changes(self, changes: Changes) -> None:
        """Refresh exactly what a change touched."""
        current = self.current_article_id()
        if changes.article_list or changes.tags:
            self.tag_sidebar.reload()
        if changes.article_list:
            row = self.list_view.currentIndex().row()
            self.model.reload()
            if current is not None and self.model.row_of(current) is not None:
                self.open_article(current)
            elif self.model.rowCount():
                self.open_article(self.model.article_id(min(max(row, 0), self.model.rowCount() - 1)))
            else:
                self.reading_pane.show_placeholder()
                self.annotation_panel.show_article(None)
            current = self.current_article_id()
        elif changes.articles:
            self.model.refresh_articles(changes.articles)
        if current is not None and (current in changes.highlights or changes.tags
                                    or current in changes.articles or changes.colours):
            self._load_highlights(current, changes.highlight_id)
            self.annotation_panel.refresh()
            if changes.highlight_id is not None and any(
                    h.id == changes.highlight_id for h in self._highlights):
                self.annotation_panel.select_highlight(changes.highlight_id)
        if changes.colours:
            self._update_colour_titles()

    def _update_colour_titles(self) -> None:
        for command_id, title in self._colour_titles().items():
            self.actions.set_title(command_id, title)

    # --- highlights -----------------------------------------------------------------
    def _target_highlight(self) -> HighlightRecord | None:
        """The highlight commands act on: the marked one, else the one at the cursor."""
        active = self.reading_pane.active_highlight
        for record in self._highlights:
            if record.id == active:
                return record
        panel = self.annotation_panel.current_highlight_id()
        return next((h for h in self._highlights if h.id == panel), None)

    def _cursor_moved(self) -> None:
        if self.reading_pane.textCursor().hasSelection() or not self._highlights:
            return
        under = self.reading_pane.highlights_at(self.reading_pane.cursor_offset())
        if under:
            self._mark(under[0].id, scroll=False)

    def _highlight_chosen(self, highlight_id: int) -> None:
        self._mark(highlight_id, scroll=True, select_in_panel=False)

    def _mark(self, highlight_id: int, scroll: bool, select_in_panel: bool = True) -> None:
        record = next((h for h in self._highlights if h.id == highlight_id), None)
        if record is None:
            return
        self.reading_pane.set_active_highlight(highlight_id)
        if not record.orphaned:
            paragraph = self.reading_pane.paragraph_at(record.start)
            if paragraph != self.reading_pane.focused_paragraph:
                self.reading_pane.focus_paragraph(paragraph, scroll=False)
        if scroll and not record.orphaned:
            self.reading_pane.scroll_to_offset(record.start)
        if select_in_panel:
            self.annotation_panel.select_highlight(highlight_id)

    def _create_highlight(self, colour: str) -> None:
        article_id = self.current_article_id()
        span = self.reading_pane.selection_span()
        if span is None and self.reading_pane.focused_paragraph is not None:
            span = self.reading_pane.paragraph_span(self.reading_pane.focused_paragraph)
        if article_id is None or span is None:
            self.statusBar().showMessage(
                "Select a passage (or press J to focus a paragraph) first.", STATUS_MS)
            return
        try:
            changes = self.library.highlights.create(article_id, *span, colour)
        except LibraryError as exc:
            self.statusBar().showMessage(str(exc), STATUS_MS)
            return
        self.reading_pane.clear_selection()
        self.apply_changes(changes)
        self._mark(changes.highlight_id, scroll=False)
        self.statusBar().showMessage(
            f"Highlighted in {self.library.colours.name(colour)}. T tags it, N adds a note.", STATUS_MS)

    def _reattach(self, highlight_id: int) -> None:
        span = self.reading_pane.selection_span()
        if span is None:
            self.statusBar().showMessage(
                "Select the passage in the article, then choose Re-attach.", STATUS_MS)
            return
        self.apply_changes(self.library.highlights.reattach(highlight_id, *span))
        self.reading_pane.clear_selection()

    # --- commands (named after the registry's ids) -------------------------------------
    def cmd_app_quit(self) -> None:
        self.close()

    def cmd_edit_undo(self) -> None:
        label = self.library.undo_stack.undo_label
        changes = self.library.undo()
        if changes is None:
            self.statusBar().showMessage("Nothing to undo.", STATUS_MS)
            return
        self.apply_changes(changes)
        self.statusBar().showMessage(f"Undone: {label}", STATUS_MS)

    def cmd_edit_redo(self) -> None:
        label = self.library.undo_stack.redo_label
        changes = self.library.redo()
        if changes is None:
            self.statusBar().showMessage("Nothing to redo.", STATUS_MS)
            return
        self.apply_changes(changes)
        self.statusBar().showMessage(f"Redone: {label}", STATUS_MS)

    # export
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

    def open_link(self, link: Link) -> bool:
        """Show the article (and highlight) a marginalia:// link points at."""
        if self.model.row_of(link.article_id) is None:
            try:
                record = self.library.articles.get(link.article_id)
            except LibraryError as exc:
                self.statusBar().showMessage(str(exc), STATUS_MS)
                return False
            # Clear whatever hides it: a search, a tag filter, the archive view.
            self.search_box.clear()
            self.model.set_search("")
            self.tag_sidebar.select_tag(None)
            self.model.set_tag(None)
            if self.model.archived != record.archived:
                self.model.set_archived(record.archived)
        self.open_article(link.article_id)
        self.reading_pane.setFocus()
        if link.highlight_id is not None:
            if not any(h.id == link.highlight_id for h in self._highlights):
                self.statusBar().showMessage(
                    f"Highlight {link.highlight_id} is not in this article any more.", STATUS_MS)
                return False
            self._mark(link.highlight_id, scroll=True)
        self.raise_()
        self.activateWindow()
        return True

    # view
    def cmd_view_palette(self) -> None:
        disabled = [cid for cid, action in self.actions.menu_actions.items() if not action.isEnabled()]
        chosen = CommandPalette.ask(
            self, entries_from_registry(self.actions.keymap, self._colour_titles(), disabled=disabled))
        if chosen:
            getattr(self, command(chosen).handler)()

    def cmd_view_cheat_sheet(self) -> None:
        CheatSheet.show_for(self, self.actions.keymap, self._colour_titles())

    def _colour_titles(self) -> dict[str, str]:
        return {f"highlight.colour-{c.number}": f"Colour {c.number}: {c.name}"
                for c in self.library.colours.all()}

    def cmd_search_focus(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def cmd_view_archive(self) -> None:
        self._keep_current_after(lambda: self.model.set_archived(not self.model.archived))
        self.statusBar().showMessage(
            "Showing the archive (E unarchives)." if self.model.archived
            else "Showing the reading list.", STATUS_MS)

    def cmd_view_theme(self) -> None:
        names = list(theme.THEMES)
        name = names[(names.index(theme.current) + 1) % len(names)]
        self.set_theme(name)
        self.statusBar().showMessage(f"{name.capitalize()} theme", STATUS_MS)

    def set_theme(self, name: str) -> None:
        theme.apply(QApplication.instance(), name)
        self.reading_pane.restyle()
        self.list_view.viewport().update()
        self.remember("theme", theme.current)

    def cmd_view_font_larger(self) -> None:
        self.set_font_size(self.reading_pane.font_size() + 1)

    def cmd_view_font_smaller(self) -> None:
        self.set_font_size(self.reading_pane.font_size() - 1)

    def cmd_view_font_reset(self) -> None:
        self.set_font_size(theme.BODY_POINT_SIZE)

    def set_font_size(self, size: float) -> None:
        size = max(FONT_MIN, min(FONT_MAX, size))
        self.reading_pane.set_font_size(size)
        article_id = self.current_article_id()
        if article_id is not None:
            self.reading_pane.set_highlights(self._highlights, self.reading_pane.active_highlight)
        self.font_size_changed(size)
        self.statusBar().showMessage(f"Text size {size:g} pt", STATUS_MS)

    def font_size_changed(self, size: float) -> None:
        self.remember("font_size", size)

    def remember(self, name: str, value: object) -> None:
        """Save a setting to settings.toml; a file that cannot be written is said, not fatal."""
        if self.preferences is None:
            return
        try:
            self.preferences.set(name, value)
        except (ValueError, SettingsError) as exc:
            self.statusBar().showMessage(str(exc), STATUS_MS)

    def setting_problems(self) -> list[str]:
        """What was wrong in settings.toml (defaults were used instead)."""
        found = list(self.preferences.problems) if self.preferences is not None else []
        if self.preferences is not None and self.actions.problems:
            found += [f"{self.preferences.path}: {p}" for p in self.actions.problems]
        return found

    def show_setting_problems(self) -> None:
        problems = self.setting_problems()
        if not problems:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                          "Some of your settings could not be used; the defaults apply instead.",
                          parent=self)
        box.setInformativeText("\n".join(problems))
        box.open()

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

    # list
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
        self.apply_changes(self.library.articles.set_read(article_id, read))
        self.statusBar().showMessage("Marked as read." if read else "Marked as unread.", STATUS_MS)

    def cmd_article_archive(self) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            return
        archived = not self.library.articles.get(article_id).archived
        self.apply_changes(self.library.articles.set_archived(article_id, archived))
        self.statusBar().showMessage(
            "Archived. It is in the archive view (View › Show archive)." if archived
            else "Back in the reading list.", STATUS_MS)

    # reading
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
        article_id = self.current_article_id()
        if article_id is None:
            return
        article = self.library.articles.get(article_id)
        count = self.library.highlights.count(article_id)
        detail = f" and its {count} highlight{'s' if count != 1 else ''}" if count else ""
        if not Confirm.ask(self, "Delete article",
                           f"Delete “{article.title}”{detail}? You can undo this with Ctrl+Z.",
                           "Delete"):
            return
        self.apply_changes(self.library.articles.delete(article_id))
        self.statusBar().showMessage(f"Deleted “{article.title}”. Ctrl+Z brings it back.", STATUS_MS)

    def cmd_highlight_create(self) -> None:
        self._create_highlight(DEFAULT_COLOUR)

    def _colour(self, number: int) -> None:
        colour = COLOURS[number - 1]
        if self.reading_pane.selection_span() is not None:
            self._create_highlight(colour)
            return
        target = self._target_highlight()
        if target is None:
            self.statusBar().showMessage("Select a passage or a highlight first.", STATUS_MS)
            return
        self.apply_changes(self.library.highlights.recolour(target.id, colour))

    def cmd_highlight_colour_1(self) -> None:
        self._colour(1)

    def cmd_highlight_colour_2(self) -> None:
        self._colour(2)

    def cmd_highlight_colour_3(self) -> None:
        self._colour(3)

    def cmd_highlight_colour_4(self) -> None:
        self._colour(4)

    def cmd_highlight_colour_5(self) -> None:
        self._colour(5)

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
        self.apply_changes(self.library.highlights.delete(target.id))
        self.reading_pane.set_active_highlight(None)
        self.statusBar().showMessage("Highlight deleted. Ctrl+Z brings it back.", STATUS_MS)

    def cmd_highlight_reattach(self) -> None:
        highlight_id = self.annotation_panel.current_highlight_id()
        if highlight_id is None:
            self.statusBar().showMessage("Choose the highlight to re-attach in the panel.", STATUS_MS)
            return
        self._reattach(highlight_id)

    def cmd_tags_manage(self) -> None:
        dialog = TagManagerDialog(self.library, self)
        dialog.changed.connect(self.apply_changes)
        dialog.exec()

    def cmd_colours_names(self) -> None:
        dialog = ColourNamesDialog(self.library, self)
        dialog.changed.connect(self.apply_changes)
        dialog.exec()

    # --- state ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for name, splitter in (("splitter", self.splitter), ("left_splitter", self.left_splitter)):
            state = self.settings.value(f"window/{name}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)
        last = self.settings.value(f"{self._library_key}/last_article")
        row = self.model.row_of(int(last)) if last is not None and str(last).isdigit() else None
        if row is None and self.model.rowCount():
            row = 0
        if row is not None:
            self.open_article(self.model.article_id(row))
        self.list_view.setFocus()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.annotation_panel.save_pending()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/left_splitter", self.left_splitter.saveState())
        self.settings.sync()
        super().closeEvent(event)
