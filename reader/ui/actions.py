"""Builds the window's menus and key bindings from the command registry."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from reader.commands import ANYWHERE, COMMANDS, Command, keys_for

MENU_ORDER = ("File", "Edit", "View", "Go", "Article", "Highlight", "Tags")


class CommandActions:
    """One menu action per command, plus one shortcut action per (context, key) binding.

    `anywhere` keys live on the window; `list` and `reader` keys on their widget, with
    a widget-only shortcut context so they act only while that widget has the focus.
    """

    def __init__(self, window: QMainWindow, context_widgets: dict[str, QWidget],
                 keymap: dict[str, dict[str, str]]) -> None:
        self.window = window
        self.keymap = keymap
        self.menu_actions: dict[str, QAction] = {}
        self.key_actions: list[QAction] = []
        self.problems: list[str] = []  # keys Qt cannot read, said to the user
        menus = {name: window.menuBar().addMenu("&" + name) for name in MENU_ORDER}
        for command in COMMANDS:
            handler = self._handler(command)
            action = QAction(command.title, window)
            action.setStatusTip(command.description)
            action.triggered.connect(handler)
            bindings = [(context, key) for context, key in keys_for(command.id, keymap)
                        if self._readable(context, key)]
            if bindings:
                # The menu shows the command's first key; it only fires from the menu.
                action.setShortcut(QKeySequence(bindings[0][1]))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            menus[command.menu].addAction(action)
            self.menu_actions[command.id] = action
            for context, key in bindings:
                self._bind(context_widgets, context, key, handler, command)

    def _readable(self, context: str, key: str) -> bool:
        # Qt reads an unknown key name as a sequence with no printable form.
        if not QKeySequence.fromString(key, QKeySequence.SequenceFormat.PortableText).toString():
            self.problems.append(f"[keys.{context}] {key!r} is not a key Marginalia knows; ignored.")
            return False
        return True

    def _handler(self, command: Command) -> Callable[[], None]:
        method = getattr(self.window, command.handler)
        return lambda checked=False: method()

    def _bind(self, widgets: dict[str, QWidget], context: str, key: str,
              handler: Callable[[], None], command: Command) -> None:
        target = self.window if context == ANYWHERE else widgets[context]
        action = QAction(f"{command.title} ({key})", target)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(
            Qt.ShortcutContext.WindowShortcut if context == ANYWHERE
            else Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(handler)
        target.addAction(action)
        self.key_actions.append(action)

    def set_title(self, command_id: str, title: str) -> None:
        self.menu_actions[command_id].setText(title)

    def set_enabled(self, command_id: str, enabled: bool) -> None:
        self.menu_actions[command_id].setEnabled(enabled)
