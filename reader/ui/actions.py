"""Builds the window's menus and key bindings, and a dialog's, from the command registry."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from reader.commands import (
    ANYWHERE,
    DIALOGS,
    INVOCATIONS,
    WINDOW_INVOCATIONS,
    Invocation,
    invocation,
    keys_for,
    unmet,
)

MENU_ORDER = ("File", "Edit", "View", "Go", "Article", "Highlight", "Tags", "Feeds", "Saved Views")

Keymap = dict[str, dict[str, str]]


def runner(target: object, item: Invocation) -> Callable[..., None]:
    """A slot that runs the invocation's handler on target (`cmd_<id>`), passing the
    argument if it has one; it ignores the `checked` flag of QAction.triggered."""
    method = getattr(target, item.command.handler)
    if item.argument is None:
        return lambda checked=False: method()
    argument = item.argument
    return lambda checked=False: method(argument)


def readable(key: str) -> bool:
    """Whether Qt can read the key name (an unknown one gives an empty sequence)."""
    return bool(QKeySequence.fromString(key, QKeySequence.SequenceFormat.PortableText).toString())


class CommandActions:
    """One menu action per invocation (a command, or a command with one of its
    arguments), plus one shortcut action per (context, key) binding.

    `anywhere` keys live on the window; `list` and `reader` keys on their widget, with
    a widget-only shortcut context so they act only while that widget has the focus.
    """

    def __init__(self, window: QMainWindow, context_widgets: dict[str, QWidget],
                 keymap: Keymap, why_not: Callable[[str], str | None] | None = None) -> None:
        self.window = window
        self.base_keymap = keymap  # the registry's keys with the user's settings
        self.keymap = keymap  # those and the extra bindings (`set_extra_bindings`)
        self._context_widgets = context_widgets
        self._extra_actions: list[QAction] = []
        # Why an invocation cannot run now (None: it can); menus ask it when they open.
        self.why_not = why_not or (lambda _text: None)
        self.menu_actions: dict[str, QAction] = {}  # by invocation text
        self.key_actions: list[QAction] = []
        self.problems: list[str] = []  # keys Qt cannot read, said to the user
        self.menus: dict[str, QMenu] = {
            name: window.menuBar().addMenu("&" + name) for name in MENU_ORDER}
        submenus: dict[str, QMenu] = {}
        for item in WINDOW_INVOCATIONS:
            handler = runner(window, item)
            action = QAction(item.title, window)
            action.setStatusTip(item.command.description)
            action.setData(item.text)
            action.triggered.connect(handler)
            bindings = [(context, key) for context, key in keys_for(item.text, keymap)
                        if self._readable(context, key)]
            if bindings:
                # The menu shows the first key; it only fires from the menu.
                action.setShortcut(QKeySequence(bindings[0][1]))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self._menu_for(item, submenus).addAction(action)
            self.menu_actions[item.text] = action
            for context, key in bindings:
                self._bind(context_widgets, context, key, handler, item)
        for menu in [*self.menus.values(), *submenus.values()]:
            menu.aboutToShow.connect(lambda menu=menu: self.update_enabled(menu))
        for context in DIALOGS:  # bound when the dialog opens; said once, here
            for key in keymap.get(context, {}):
                self._readable(context, key)

    def _menu_for(self, item: Invocation, submenus: dict[str, QMenu]) -> QMenu:
        """The command's menu, or the submenu its argument's choices are listed in."""
        menu = self.menus[item.command.menu]
        argument = item.command.argument
        if item.argument is None or argument is None or not argument.submenu:
            return menu
        if item.command.id not in submenus:
            submenus[item.command.id] = menu.addMenu(argument.submenu)
        return submenus[item.command.id]

    def _readable(self, context: str, key: str) -> bool:
        if not readable(key):
            self.problems.append(f"[keys.{context}] {key!r} is not a key Marginalia knows; ignored.")
            return False
        return True

    def _bind(self, widgets: dict[str, QWidget], context: str, key: str,
              handler: Callable[..., None], item: Invocation) -> None:
        target = self.window if context == ANYWHERE else widgets[context]
        action = QAction(f"{item.title} ({key})", target)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(
            Qt.ShortcutContext.WindowShortcut if context == ANYWHERE
            else Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(handler)
        target.addAction(action)
        self.key_actions.append(action)

    def set_extra_bindings(self, context: str, bindings: dict[str, str]) -> None:
        """Bind keys in `context` to invocations the registry does not list (a saved
        view's key to "view.show Inbox"), replacing the extra bindings made before.
        `keymap` then holds them too, so that the cheat sheet and the palette show them.
        The caller checks that the keys are free; keys Qt cannot read are left out."""
        for action in self._extra_actions:
            for widget in action.associatedObjects():
                if isinstance(widget, QWidget):
                    widget.removeAction(action)
            action.deleteLater()
        self._extra_actions = []
        keymap = {name: dict(keys) for name, keys in self.base_keymap.items()}
        for key, text in bindings.items():
            if not readable(key):
                continue
            item = invocation(text)
            keymap.setdefault(context, {})[key] = text
            before = len(self.key_actions)
            self._bind(self._context_widgets, context, key, runner(self.window, item), item)
            self._extra_actions += self.key_actions[before:]
            del self.key_actions[before:]
        self.keymap = keymap

    def run(self, text: str) -> None:
        """Runs an invocation by its text ("highlight.colour 3"), as its menu item would."""
        runner(self.window, invocation(text))()

    def update_enabled(self, menu: QMenu) -> None:
        """Enables the menu's items that can run now and disables the others, the reason
        in their status tip. Called as the menu opens."""
        for action in menu.actions():
            text = action.data()
            if not isinstance(text, str) or text not in self.menu_actions:
                continue
            reason = self.why_not(text)
            action.setEnabled(reason is None)
            action.setStatusTip(reason or invocation(text).command.description)

    def set_title(self, text: str, title: str) -> None:
        # A title may hold data (a colour's name): an '&' in it is a letter, not a mnemonic.
        self.menu_actions[text].setText(title.replace("&", "&&"))

    def refresh(self, text: str) -> None:
        """Enable or disable one item now, by its conditions (menus do it as they open;
        this is for items whose state shows elsewhere too, like Undo's)."""
        reason = self.why_not(text)
        action = self.menu_actions[text]
        action.setEnabled(reason is None)
        action.setStatusTip(reason or invocation(text).command.description)


def dialog_actions(dialog: QWidget, target: QWidget, context: str,
                   keymap: Keymap) -> dict[str, QAction]:
    """One action per invocation of the dialog's commands (those whose `dialog` is
    `context`), on `target` with the keys the keymap binds in that context; they act
    only while `target` has the focus. Each runs `dialog.cmd_<id>`. By invocation text;
    an action whose keys were all unbound is still there, for buttons to mirror."""
    actions: dict[str, QAction] = {}
    for item in INVOCATIONS:
        if item.command.dialog != context:
            continue
        action = QAction(item.title, target)
        action.setStatusTip(item.command.description)
        action.setData(item.text)
        action.setShortcuts([QKeySequence(key) for key in keymap.get(context, {})
                             if keymap[context][key] == item.text and readable(key)])
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(runner(dialog, item))
        target.addAction(action)
        actions[item.text] = action
    return actions


def update_dialog_actions(actions: dict[str, QAction], holds: Callable[[str], bool]) -> None:
    """Enables each of a dialog's actions whose command's conditions hold (`holds`); a
    disabled action's keys do nothing."""
    for text, action in actions.items():
        action.setEnabled(unmet(invocation(text), holds) is None)


def key_text(action: QAction) -> str:
    """The action's first key as this platform writes it; "" if it has none."""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
