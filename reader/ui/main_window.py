"""The main window: saved views, tags and articles on the left, the reading pane, the
annotation panel."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reader import APP_NAME
from reader.commands import DEFAULT_KEYMAP, LIST, READER, VIEWS
from reader.library import Library, LibraryDamagedError, LibraryError
from reader.records import Changes, HighlightRecord
from reader.settings import Settings
from reader.ui.actions import CommandActions
from reader.ui.annotation_panel import AnnotationPanel
from reader.ui.article_list import ID_ROLE, ArticleListModel, ArticleListView
from reader.ui.change_bus import ChangeBus, touches_article
from reader.links import Link
from reader.ui.exporting import ExportController
from reader.ui.feed_sidebar import FeedSidebar
from reader.ui.feed_window import FeedCommands, FeedController
from reader.ui.first_paint import FirstPaint
from reader.ui.reading_pane import ReadingPane
from reader.ui.search_box import SearchBox
from reader.ui.tag_sidebar import TagSidebar
from reader.ui.view_sidebar import ViewSidebar
from reader.ui.library_watch import LibraryWatch
from reader.ui.saving import SaveController
from reader.ui.importing import ImportController
from reader.ui.reading_state import ReadingTracker
from reader.ui.review_mode import ReviewMode
from reader.ui.window_commands import STATUS_MS, WindowCommands
from reader.ui.window_importing import WindowImporting
from reader.ui.window_preferences import WindowPreferences
from reader.ui.window_views import WindowViews
from reader.ui import operations
from reader.ui.plain import isolate, plain_label


QUERY_WARM_UP_MS = 1500


class MainWindow(ReviewMode, WindowPreferences, WindowImporting, WindowViews, FeedCommands,
                 WindowCommands,
                 QMainWindow):
    """Lists the library's articles, shows the chosen one, and annotates it."""

    def __init__(self, library: Library, settings: QSettings,
                 preferences: Settings | None = None, *, article_after_paint: bool = False) -> None:
        """`article_after_paint`: open the last article once the window has painted its
        list, not before (the app's start-up: the window shows ~100 ms sooner, without
        the article's parser and rendering in the way)."""
        super().__init__()
        self.library = library
        self.settings = settings  # window geometry and per-library view state
        self.preferences = preferences  # the user's settings.toml
        # The file's full path, or a PostgreSQL library's URL without its password.
        where = library.url if library.path is None else str(library.path.resolve())
        self._library_key = "library-" + hashlib.sha1(where.encode()).hexdigest()[:12]
        self._highlights: list[HighlightRecord] = []
        self._shown_article: int | None = None
        self._pending: tuple[int, int] | None = None  # (article, fallback row) to select
        # The open article and its row when the list was last rebuilt, to stay on it.
        self._place: tuple[int | None, int] = (None, -1)
        self.bus = ChangeBus(self)  # every change to the library is announced here
        # A team library: its address, never the password (the desktop adds " — Marginalia").
        self.setWindowTitle(APP_NAME if library.url is None else library.url)
        self.resize(1360, 820)

        self.model = ArticleListModel(library, self)
        self.list_view = ArticleListView()
        self.list_view.setModel(self.model)
        self.list_header = plain_label(clipped=True)
        self.list_header.setObjectName("listHeader")
        self.search_box = SearchBox()

        self.view_sidebar = ViewSidebar(library)  # above the feeds and tags
        self.tag_sidebar = TagSidebar(library)
        self.feed_sidebar = FeedSidebar(library)  # above the tags; hidden without feeds
        sidebar = QWidget()
        sidebar_layout = QVBoxLayout(sidebar)
        sidebar_layout.setContentsMargins(0, 0, 0, 0)
        sidebar_layout.setSpacing(0)
        sidebar_layout.addWidget(self.view_sidebar)
        sidebar_layout.addWidget(self.feed_sidebar)
        sidebar_layout.addWidget(self.tag_sidebar, 1)
        articles = QWidget()
        articles_layout = QVBoxLayout(articles)
        articles_layout.setContentsMargins(0, 0, 0, 0)
        articles_layout.setSpacing(0)
        articles_layout.addWidget(self.search_box)
        # What the query language mended or left out of the search (hidden when nothing).
        self.query_note = plain_label()
        self.query_note.setObjectName("queryNote")
        self.query_note.setWordWrap(True)
        self.query_note.hide()
        articles_layout.addWidget(self.query_note)
        articles_layout.addWidget(self.list_header)
        articles_layout.addWidget(self.list_view)
        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.addWidget(sidebar)
        self.left_splitter.addWidget(articles)
        self.left_splitter.setSizes([300, 500])

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
        self.watch = LibraryWatch(library, self.bus, self)  # read-only, damage, others' edits
        # The query language's parser takes ~100 ms to load: loaded in a worker once the
        # window is up, so that the first query typed does not wait for it.
        QTimer.singleShot(QUERY_WARM_UP_MS, self._warm_up_queries)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.watch.banner)
        central_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        keymap = preferences.keymap() if preferences is not None else DEFAULT_KEYMAP
        self._build_review(sidebar_layout, central_layout, keymap)  # the Review entry on top
        self.actions = CommandActions(
            self, {LIST: self.list_view, READER: self.reading_pane, VIEWS: self.view_sidebar.list},
            keymap, self.why_not)
        self._update_colour_titles()
        self.update_undo_actions()
        # Named again as the menu opens: another window's undo may have been refused
        # (another reader changed it since), which takes it off the shared history.
        self.actions.menus["Edit"].aboutToShow.connect(self.update_undo_actions)

        # The views follow the bus in this order: the sidebar's sections (whose reload may
        # change the list's filter), the list, then this window (which stays on the open
        # article in the rebuilt list and refreshes the reading pane and the annotation
        # panel).
        self.view_sidebar.listen(self.bus)
        self.tag_sidebar.listen(self.bus)
        self.feed_sidebar.listen(self.bus)
        self.model.listen(self.bus)
        self.bus.library_changed.connect(self._library_changed)
        self.model.modelAboutToBeReset.connect(self._remember_place)
        self.list_view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.list_view.doubleClicked.connect(lambda _index: self.cmd_article_open())
        self.model.modelReset.connect(self._update_header)
        self.model.completed.connect(self._update_header)
        self.model.completed.connect(self._list_completed)
        self.model.reranked.connect(self._reselect_shown)
        self.tag_sidebar.tag_chosen.connect(self._filter_by_tag)
        self.feed_sidebar.feed_chosen.connect(self._filter_by_feed)
        self.search_box.search_changed.connect(self._search)
        self.search_box.left.connect(self._leave_search)
        self.search_box.to_results.connect(self._to_results)
        self.reading_pane.paragraph_focused.connect(self._paragraph_focused)
        self.reading_pane.link_refused.connect(self._refuse_link)
        self.reading_pane.cursorPositionChanged.connect(self._cursor_moved)
        self.annotation_panel.highlight_chosen.connect(self._highlight_chosen)
        self.annotation_panel.changed.connect(
            lambda changes: self.announce(changes, self.annotation_panel))
        self.annotation_panel.reattach_requested.connect(self._reattach)
        self.annotation_panel.edit_finished.connect(self._edit_finished)
        self.exports = ExportController(self, library, preferences)
        self.imports = ImportController(self, library, self.bus)
        self.saves = SaveController(self, library, self.bus)
        self.feeds = FeedController(self, library, self.bus, preferences)
        self.tracker = ReadingTracker(library, self.reading_pane, self)
        self.tracker.changed.connect(lambda changes: self.announce(changes, self.tracker))
        self.setup_views()
        self.setAcceptDrops(True)
        self.exports.finished.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self._return_focus: QWidget | None = None
        self._update_header()
        # At start-up the article's row is selected now and its text shown once the list
        # has painted (parsing and laying it out would hold up the first frame).
        self._first_paint = (FirstPaint(self.list_view.viewport(), self._show_deferred)
                             if article_after_paint else None)
        self._deferred: tuple[int | None] | None = None
        self._restore_state()

    # --- articles -------------------------------------------------------------------
    def open_article(self, article_id: int, row: int | None = None) -> None:
        """Select the article in the list and show it (`row`: its row, if known)."""
        if row is None:
            row = self.model.row_of(article_id)
        if row is None:
            return
        index = self.model.index(row)
        self.list_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list_view.scrollTo(index)

    @property
    def shown_article(self) -> int | None:
        """The article in the reading pane (None while none is, or before the first paint)."""
        return self._shown_article

    def current_article_id(self) -> int | None:
        index = self.list_view.currentIndex()
        if index.isValid():
            return index.data(ID_ROLE)
        # Shown while its row is still being read (selected when it arrives).
        return self._pending[0] if self._pending is not None else None

    def _reselect(self, article_id: int, fallback_row: int = 0) -> None:
        """Stay on this article: select its row. While the list is still reading the rows
        after its first ones, the article stays shown and is selected when they arrive
        (reading them here took 150 ms at 100,000 articles after every import). If it is
        not listed, the article at `fallback_row` is opened instead."""
        if self.model.row_of(article_id, wait=False) is not None:
            self._pending = None
            self.open_article(article_id)
            return
        if (self.model.loading and not self.model.search.strip()
                and self.library.articles.exists(article_id)):
            self._pending = (article_id, fallback_row)
            if self._shown_article != article_id or not self.reading_pane.shown:
                self._show_article(article_id)
            return
        self._pending = None
        if self.model.rowCount():
            self.open_article(self.model.article_id(
                min(max(fallback_row, 0), self.model.rowCount() - 1)))
        else:
            self._show_article(None)

    def _list_completed(self) -> None:
        if self._pending is not None:
            self._reselect(*self._pending)

    def _current_row_changed(self, current, _previous) -> None:
        shown = self.reading_pane.shown and self._shown_article
        if current.isValid() and current.data(ID_ROLE) == shown:
            self._pending = None
            return  # the same article, selected again after the list was rebuilt
        if not current.isValid() and shown and (
                self.model.loading or self.model.row_of(shown, wait=False) is not None):
            return  # the list was rebuilt around it; it is selected again (or pending)
        self._pending = None  # another article chosen meanwhile
        self._show_article(current.data(ID_ROLE) if current.isValid() else None)

    def _show_article(self, article_id: int | None) -> None:
        """Show the article (None: none) in the reading pane and the annotation panel."""
        if self._first_paint is not None and self._first_paint.pending:
            self._deferred = (article_id,)  # the last one chosen before the first paint
            return
        self._deferred = None  # a choice made since wins over one still waiting
        self.annotation_panel.save_pending()
        if article_id is None:
            self._shown_article = None
            self.tracker.article_shown(None)
            self.reading_pane.show_placeholder()
            self.annotation_panel.show_article(None)
            self._highlights = []
            return
        self.tracker.article_shown(None)  # saves the place in the article being left
        self._shown_article = article_id
        try:
            record = self.library.articles.get(article_id)  # read once, for all the views
            document = self.library.articles.document(article_id)
        except LibraryDamagedError as exc:  # the banner says what now; no traceback
            self.watch.update_banner()
            self.statusBar().showMessage(str(exc), STATUS_MS)
            self._show_article(None)
            return
        self.reading_pane.show_document(document)
        # The place first: highlights are drawn around it.
        self.tracker.article_shown(article_id, record)
        self._load_highlights(article_id)
        self.annotation_panel.show_article(article_id, self._highlights, record)
        self.settings.setValue(f"{self._library_key}/last_article", article_id)

    def _show_deferred(self) -> None:
        if self._deferred is None:
            return
        # The article parser's modules load in one turn of the event loop and the article
        # is shown in the next: two short pauses after the first paint, not one long one.
        from reader.importing import sources  # noqa: F401

        QTimer.singleShot(0, self, self._show_deferred_article)

    def _show_deferred_article(self) -> None:
        if self._deferred is not None:
            (article_id,), self._deferred = self._deferred, None
            self._show_article(article_id)

    def show_now(self) -> None:
        """Show the chosen article now if it waits for the first paint (before acting on
        it: a link to one of its highlights)."""
        if self._first_paint is not None:
            self._first_paint.run_now()
            self._show_deferred_article()

    def _load_highlights(self, article_id: int, active: int | None = None) -> None:
        self._highlights = self.library.highlights.for_article(article_id)
        if active is None and any(h.id == self.reading_pane.active_highlight for h in self._highlights):
            active = self.reading_pane.active_highlight
        self.reading_pane.set_highlights(self._highlights, active)

    def _update_header(self) -> None:
        count = self.model.rowCount()
        noun = "ARTICLE" if count == 1 else "ARTICLES"
        # While the rest of a long list is read, what is known is a lower bound.
        shown = f"{count}+" if self.model.loading else str(count)
        where = "IN THE ARCHIVE" if self.model.archived else ""
        if self.model.unread_only:
            noun = "UNREAD " + noun
        scope = f" · #{isolate(self.model.tag)}" if self.model.tag else ""
        if self.model.feed is not None:
            scope = f" · {isolate(self.feed_sidebar.feed_name(self.model.feed))}"
        found = " FOUND" if self.model.search.strip() else ""
        view = self.view_sidebar.current_view()
        if view is not None:
            scope, found = f" · {isolate(view.name)}", ""
        self.list_header.setText(" ".join(p for p in (f"{shown} {noun}{found}", where) if p) + scope)

    def _filter_by_tag(self, tag: str | None) -> None:
        self.feed_sidebar.clear_choice()
        left = self.leave_view()  # a tag and a view do not go together
        self._keep_current_after(lambda: self.model.set_filters(tag=tag, feed=None, **left))

    def _search(self, text: str) -> None:
        follows = self.view_follows_search(text)  # a view's query chooses the view
        try:
            self._keep_current_after(lambda: self.model.set_filters(search=text, **follows))
            self._show_query_note(text)
        except LibraryError as exc:
            # Searching cannot run on this library (not on PostgreSQL yet, say): said
            # under the box, where the reader is typing, and the list shown unfiltered.
            self._keep_current_after(lambda: self.model.set_filters(search=""))
            self._say_under_search([str(exc)])

    def _warm_up_queries(self) -> None:
        from reader.query.syntax import parse

        operations.QueryOp(self, None, lambda: parse("tag:a (b OR -c)")).run()

    def _show_query_note(self, text: str) -> None:
        """Say under the search box what could not be read in a query (and was mended or
        left out), so that a typo in a field or a date does not pass unnoticed."""
        from reader.query.syntax import is_query

        self._say_under_search(self.library.query.messages(text) if is_query(text) else ())

    def _say_under_search(self, messages) -> None:
        self.query_note.setText("\n".join(f"⚠ {m}" for m in messages))
        self.query_note.setVisible(bool(messages))

    def _keep_current_after(self, change) -> None:
        """Change the list's filter, staying on the open article if it is still listed."""
        current = self.current_article_id()
        change()
        if current is not None:
            self._reselect(current)
        elif self.model.rowCount():
            self.open_article(self.model.article_id(0))
        else:
            self._show_article(None)

    def _reselect_shown(self) -> None:
        """After a search's ranked results replaced its first matches, stay on the article."""
        if self._shown_article is not None and self.model.row_of(self._shown_article) is not None:
            self.open_article(self._shown_article)

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

    def _refuse_link(self, url: str) -> None:
        self.statusBar().showMessage(f"Only web links (http, https) are opened: {url}", STATUS_MS)

    # --- keeping views in step with the library ----------------------------------------
    def announce(self, changes: Changes | None, initiator: object | None = None) -> None:
        """Tell every view what a change touched (see `ChangeBus`)."""
        self.bus.announce(changes, initiator)

    def _remember_place(self) -> None:
        self._place = (self.current_article_id(), self.list_view.currentIndex().row())

    def _library_changed(self, changes: Changes, initiator: object) -> None:
        """Stay on the open article when the list was rebuilt, and show what changed in
        it: the reading pane's highlights and the annotation panel (unless the panel made
        the change: it shows it already)."""
        if changes.article_list:
            current, row = self._place
            if current is not None:
                self._reselect(current, row)
            elif self.model.rowCount():
                self.open_article(self.model.article_id(min(max(row, 0), self.model.rowCount() - 1)))
            else:
                self._show_article(None)
        current = self.current_article_id()
        if touches_article(changes, current):
            self._load_highlights(current, changes.highlight_id)
            if initiator is not self.annotation_panel:
                self.annotation_panel.refresh(self._highlights)
                if changes.highlight_id is not None and any(
                        h.id == changes.highlight_id for h in self._highlights):
                    self.annotation_panel.select_highlight(changes.highlight_id)
        if changes.colours:
            self._update_colour_titles()
        self.update_undo_actions()

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
        self.announce(changes)
        self._mark(changes.highlight_id, scroll=False)
        self.statusBar().showMessage(
            f"Highlighted in {self.library.colours.name(colour)}. T tags it, N adds a note.", STATUS_MS)

    def _reattach(self, highlight_id: int) -> None:
        span = self.reading_pane.selection_span()
        if span is None:
            self.statusBar().showMessage(
                "Select the passage in the article, then choose Re-attach.", STATUS_MS)
            return
        self.announce(self.library.highlights.reattach(highlight_id, *span))
        self.reading_pane.clear_selection()

    def open_link(self, link: Link) -> bool:
        """Show the article (and highlight) a marginalia:// link points at."""
        self.leave_review()
        row = self.model.row_of(link.article_id)
        if row is None:
            try:
                record = self.library.articles.get(link.article_id)
            except LibraryError as exc:
                self.statusBar().showMessage(str(exc), STATUS_MS)
                return False
            # Clear whatever hides it (a search, a tag filter, the archive view), reading
            # the list once.
            self.search_box.clear_quietly()
            self.view_sidebar.clear_choice()
            self.tag_sidebar.select_tag(None, notify=False)
            self.feed_sidebar.clear_choice()
            self.model.set_filters(search="", tag=None, archived=record.archived, feed=None)
            row = self.model.row_of(link.article_id)
        if row is not None:
            self.open_article(link.article_id, row)
        self.show_now()  # its highlights are needed below
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
        if last is not None and str(last).isdigit():
            self._reselect(int(last))
        elif self.model.rowCount():
            self.open_article(self.model.article_id(0))
        self.list_view.setFocus()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        # A long import or export stops at its next file; the app waits for the jobs
        # still running (the daily backup among them) before it closes the library.
        operations.cancel_for(self, quietly=True)
        self.tracker.save()
        self.annotation_panel.save_pending()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/left_splitter", self.left_splitter.saveState())
        self.settings.sync()
        super().closeEvent(event)
