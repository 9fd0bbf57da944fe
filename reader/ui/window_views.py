"""Saved views in the window: choosing one, the `view.*` commands, the views' keys and
their entries in the Saved Views menu and the palette.

How a view, the search box and the sidebar's other sections go together: choosing a
view puts its query in the search box and lists what it finds, with no tag and no feed
chosen, in the reading list and the archive together (a view spans the library unless
its query says otherwise, as Inbox's does; its count is of that list). Choosing a tag or
a feed leaves the view, and empties the box it had filled; the list is the reading list
again. Typing in the box leaves the view too, unless the text is still its query; and a
search typed that is exactly a view's query chooses that view, when no tag or feed is
chosen.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from reader.commands import ANYWHERE, Invocation, invocation
from reader.library import LibraryError
from reader.records import Changes, SavedView
from reader.ui.plain import isolate
from reader.ui.view_dialog import ViewDialog
from reader.ui.window_commands import STATUS_MS
from reader.views import key_conflict, normal_name, show_text

VIEWS_MENU = "Saved Views"
# The Saved Views menu's commands that concern the chosen view: its context menu.
CONTEXT_COMMANDS = ("view.rename", "view.edit-query", "view.set-key", "view.move-up",
                    "view.move-down", "view.delete", "view.save")


class WindowViews:
    """A mixin of MainWindow (`self`): the saved views' part of the window."""

    def setup_views(self) -> None:
        """Connect the sidebar, bind the views' keys and list them in the menu."""
        sidebar = self.view_sidebar
        self.view_key_problems: list[str] = []  # views whose key another command has
        self._view_actions: list[QAction] = []
        self._view_group = QActionGroup(self)
        sidebar.view_chosen.connect(self._filter_by_view)
        sidebar.list.to_results.connect(lambda: self._to_results(False))
        sidebar.list.customContextMenuRequested.connect(self._view_context_menu)
        self.bus.library_changed.connect(self._views_changed)
        self.actions.menus[VIEWS_MENU].aboutToShow.connect(self._check_chosen_view)
        self._views_changed(Changes(views=True), None)

    # --- when the views change --------------------------------------------------------
    def _views_changed(self, changes: Changes, _initiator: object) -> None:
        if not changes.views:
            return
        views = self.view_sidebar.model.views()
        self._bind_view_keys(views)
        self._list_views_in_menu(views)
        self._update_header()  # the chosen view's name

    def _bind_view_keys(self, views: list[SavedView]) -> None:
        """Each view's key shows it, unless the window's own keys (settings.toml may have
        bound one since) take it: then it is said once, in the status bar."""
        bound: dict[str, str] = {}
        problems = []
        for view in views:
            if not view.key:
                continue
            keymap = {**self.actions.base_keymap,
                      ANYWHERE: {**self.actions.base_keymap.get(ANYWHERE, {}), **bound}}
            problem = key_conflict(view.key, keymap)
            if problem is None:
                bound[view.key] = show_text(view.name)
            else:
                problems.append(f"The key of the view “{isolate(view.name)}” does nothing: "
                                f"{problem}")
        self.actions.set_extra_bindings(ANYWHERE, bound)
        if problems and problems != self.view_key_problems:
            self.statusBar().showMessage(" ".join(problems), STATUS_MS * 2)
        self.view_key_problems = problems

    def _list_views_in_menu(self, views: list[SavedView]) -> None:
        """The views below the menu's commands, the chosen one checked, each with its key
        (which the window's own shortcut runs: the menu's only shows it)."""
        menu: QMenu = self.actions.menus[VIEWS_MENU]
        for action in self._view_actions:
            menu.removeAction(action)
            self._view_group.removeAction(action)
            action.deleteLater()
        self._view_actions = []
        if not views:
            return
        self._view_actions.append(menu.addSeparator())
        for view in views:
            action = QAction(view.name.replace("&", "&&"), self)
            action.setCheckable(True)
            action.setData(show_text(view.name))
            action.setStatusTip(view.query)
            if view.key and self.actions.keymap.get(ANYWHERE, {}).get(view.key):
                action.setShortcut(QKeySequence(view.key))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _checked=False, view_id=view.id:
                                     self.view_sidebar.select_view(view_id))
            self._view_group.addAction(action)
            menu.addAction(action)
            self._view_actions.append(action)
        self._check_chosen_view()

    def _check_chosen_view(self) -> None:
        chosen = self.view_sidebar.current_view()
        for action in self._view_actions:
            if action.isCheckable():
                action.setChecked(chosen is not None and action.data() == show_text(chosen.name))
        if chosen is None and (checked := self._view_group.checkedAction()) is not None:
            self._view_group.setExclusive(False)
            checked.setChecked(False)
            self._view_group.setExclusive(True)

    def extra_invocations(self) -> list[Invocation]:
        """Showing each saved view, for the command palette."""
        return [invocation(show_text(view.name)) for view in self.view_sidebar.model.views()]

    # --- choosing -----------------------------------------------------------------------
    def _filter_by_view(self, view: SavedView | None) -> None:
        """A view chosen in the sidebar: list what its query finds; None (the chosen view
        was deleted): every article."""
        if view is not None:
            self.tag_sidebar.clear_choice()
        else:
            self.tag_sidebar.select_tag(None, notify=False)
        self.feed_sidebar.clear_choice()
        query = view.query if view is not None else ""
        self.search_box.set_text_quietly(query)
        archived = None if view is not None else self._after_view()
        self._keep_current_after(lambda: self.model.set_filters(
            search=query, tag=None, feed=None, archived=archived))
        self._show_query_note(query)
        self._check_chosen_view()

    def _after_view(self) -> bool:
        """The list's archive filter once a view is left: the reading list again, or the
        archive if it was asked for while in the view."""
        return bool(self.model.archived)

    def leave_view(self) -> dict:
        """Leave the chosen view (a tag or a feed is chosen now): the search box it had
        filled is emptied. The filters to change with it, for `set_filters`."""
        if self.view_sidebar.current_view() is None:
            return {}
        self.view_sidebar.clear_choice()
        self.search_box.clear_quietly()
        return {"search": "", "archived": self._after_view()}

    def view_follows_search(self, text: str) -> dict:
        """The search box's text changed: leave the chosen view if the text is no longer
        its query. A text that is a view's query chooses that view (when no tag or feed
        filters the list: those and a view do not go together). The filters to change
        with the search, for `set_filters`."""
        sidebar = self.view_sidebar
        chosen = sidebar.current_view()
        typed = normal_name(text)
        if chosen is not None and normal_name(chosen.query) == typed:
            return {}
        match = next((v for v in sidebar.model.views()
                      if typed and normal_name(v.query) == typed), None)
        if chosen is None and (match is None or self.model.tag is not None
                               or self.model.feed is not None):
            return {}  # the user's own search, in the tag or feed chosen
        if match is not None:
            sidebar.select_view(match.id, notify=False)
            self.tag_sidebar.clear_choice()
            filters = {"archived": None}
        else:
            sidebar.clear_choice()
            self.tag_sidebar.select_tag(None, notify=False)  # "All articles"
            filters = {"archived": self._after_view()}
        self._check_chosen_view()
        return filters

    # --- the commands -------------------------------------------------------------------
    def condition_holds(self, name: str) -> bool:
        if name == "view":
            return self.view_sidebar.current_view() is not None
        return super().condition_holds(name)

    def _say(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MS)

    def cmd_view_show(self, name: str | None = None) -> None:
        """Without a name: put the keyboard in the views. With one: show that view."""
        sidebar = self.view_sidebar
        if name is None:
            if not sidebar.model.rowCount():
                self._say("There are no saved views: search, then Saved Views › Save search "
                          "as view…")
                return
            if sidebar.list.currentIndex().row() < 0:
                sidebar.list.setCurrentIndex(sidebar.model.index(0))
            sidebar.list.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        wanted = normal_name(name).casefold()
        view = next((v for v in sidebar.model.views() if v.name.casefold() == wanted), None)
        if view is None:
            self._say(f"There is no saved view called “{isolate(name)}”.")
            return
        sidebar.select_view(view.id)

    def cmd_view_next(self) -> None:
        if not self.view_sidebar.step(1):
            self._say("This is the last saved view." if self.view_sidebar.model.rowCount()
                      else "There are no saved views.")

    def cmd_view_previous(self) -> None:
        if not self.view_sidebar.step(-1):
            self._say("This is the first saved view." if self.view_sidebar.model.rowCount()
                      else "There are no saved views.")

    def cmd_view_save(self) -> None:
        """Save the search box's query as a new view (asking its name), and choose it."""
        views = self.library.views
        made: list[SavedView] = []

        def apply(name: str, query: str, key: str) -> tuple[str, str] | None:
            problem = self._check_view(name, query, key, None)
            if problem is not None:
                return problem
            try:
                made.append(views.add(name, query, key or None, keymap=self.actions.base_keymap))
            except LibraryError as exc:
                return "name", str(exc)
            return None

        if not ViewDialog.ask(self, "Save search as view", apply,
                              query=self.search_box.text().strip()):
            return
        self.announce(Changes(views=True))
        view = made[0]
        self.view_sidebar.select_view(view.id)
        key = f" {view.key} shows it." if view.key else ""
        self._say(f"Saved the view “{isolate(view.name)}”.{key} Ctrl+Z takes it back.")

    def _check_view(self, name: str, query: str, key: str,
                    own: SavedView | None) -> tuple[str, str] | None:
        """The field at fault and why, or None when the view can be saved so."""
        views = self.library.views
        own_id = own.id if own is not None else None
        for field, check in (("name", lambda: views.check_name(name, own_id)),
                             ("query", lambda: views.check_query(query)),
                             ("key", lambda: views.check_key(
                                 key, self.actions.base_keymap, own_id))):
            try:
                check()
            except LibraryError as exc:
                return field, str(exc)
        return None

    def _edit_view(self, title: str, focus: str) -> None:
        view = self.view_sidebar.current_view()
        if view is None:
            return

        def apply(name: str, query: str, key: str) -> tuple[str, str] | None:
            problem = self._check_view(name, query, key, view)
            if problem is not None:
                return problem
            try:
                self.announce(self.library.views.update(
                    view.id, name=name, query=query, key=key or None,
                    keymap=self.actions.base_keymap))
            except LibraryError as exc:
                return "name", str(exc)
            return None

        ViewDialog.ask(self, title, apply, view.name, view.query, view.key or "", focus)

    def cmd_view_rename(self) -> None:
        self._edit_view("Rename view", "name")

    def cmd_view_edit_query(self) -> None:
        self._edit_view("Edit view", "query")

    def cmd_view_set_key(self) -> None:
        self._edit_view("Set view key", "key")

    def _move_view(self, step: int) -> None:
        view = self.view_sidebar.current_view()
        if view is None:
            return
        changes = self.library.views.move(view.id, step)
        if changes == Changes():
            self._say(f"“{isolate(view.name)}” is {'first' if step < 0 else 'last'} already.")
            return
        self.announce(changes)

    def cmd_view_move_up(self) -> None:
        self._move_view(-1)

    def cmd_view_move_down(self) -> None:
        self._move_view(1)

    def cmd_view_delete(self) -> None:
        from reader.ui.dialogs import Confirm

        view = self.view_sidebar.current_view()
        if view is None:
            return
        if not Confirm.ask(self, "Delete view",
                           f"Delete the saved view “{isolate(view.name)}”? Its articles stay "
                           "in your library; Ctrl+Z brings the view back.", "Delete"):
            return
        self.announce(self.library.views.remove(view.id))
        self._say(f"Deleted the view “{isolate(view.name)}”. Ctrl+Z brings it back.")

    def view_context_menu(self) -> QMenu:
        """The views' context menu: the Saved Views menu's commands that concern a view,
        enabled by their conditions now."""
        menu = QMenu(self.view_sidebar.list)
        for text in CONTEXT_COMMANDS:
            if text == "view.save":
                menu.addSeparator()
            self.actions.refresh(text)
            menu.addAction(self.actions.menu_actions[text])
        return menu

    def _view_context_menu(self, point) -> None:
        sidebar = self.view_sidebar
        index = sidebar.list.indexAt(point)
        if index.isValid():
            sidebar.list.setCurrentIndex(index)  # the view the menu is about is chosen
        menu = self.view_context_menu()
        menu.exec(sidebar.list.viewport().mapToGlobal(point))
        menu.deleteLater()
