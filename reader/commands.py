"""Every command of the application, declared once, and the default keymap.

The window builds its menus, shortcuts, command palette and cheat sheet from these
tables; nothing else binds keys. A command's `id` also names its handler in the UI
(`highlight.create` → `cmd_highlight_create`).

Contexts say where a key works: `anywhere` in the window, `list` while the article list
has the focus, `reader` while the reading pane has it. While a text field has the
focus, the keys it types are text and never commands.
"""

from __future__ import annotations

from dataclasses import dataclass

ANYWHERE = "anywhere"
LIST = "list"
READER = "reader"
CONTEXTS = (ANYWHERE, LIST, READER)


@dataclass(frozen=True)
class Command:
    id: str
    title: str
    menu: str  # the menu it appears in
    description: str = ""

    @property
    def handler(self) -> str:
        return "cmd_" + self.id.replace(".", "_").replace("-", "_")


COMMANDS: tuple[Command, ...] = (
    Command("app.quit", "Quit", "File"),
    Command("edit.undo", "Undo", "Edit"),
    Command("edit.redo", "Redo", "Edit"),
    Command("article.open", "Open article", "Article", "Show the chosen article and read it"),
    Command("article.tag", "Tag article…", "Article"),
    Command("article.note", "Edit article note", "Article"),
    Command("article.delete", "Delete article…", "Article"),
    Command("reader.back", "Back to the list", "Article"),
    Command("highlight.create", "Highlight selection", "Highlight",
            "Highlight the selected passage in the default colour"),
    Command("highlight.colour-1", "Colour 1", "Highlight"),
    Command("highlight.colour-2", "Colour 2", "Highlight"),
    Command("highlight.colour-3", "Colour 3", "Highlight"),
    Command("highlight.colour-4", "Colour 4", "Highlight"),
    Command("highlight.colour-5", "Colour 5", "Highlight"),
    Command("highlight.tag", "Tag highlight…", "Highlight"),
    Command("highlight.note", "Edit highlight note", "Highlight"),
    Command("highlight.next", "Next highlight", "Highlight"),
    Command("highlight.previous", "Previous highlight", "Highlight"),
    Command("highlight.delete", "Delete highlight", "Highlight"),
    Command("highlight.reattach", "Re-attach highlight to selection", "Highlight",
            "Place a highlight that was not found in the current text on the selected passage"),
    Command("tags.manage", "Manage tags…", "Tags"),
    Command("colours.names", "Highlight colours…", "Tags", "Give the five colours names of your own"),
)

# context → key sequence (Qt's portable text form) → command id
DEFAULT_KEYMAP: dict[str, dict[str, str]] = {
    ANYWHERE: {
        "Ctrl+Q": "app.quit",
        "Ctrl+Z": "edit.undo",
        "Ctrl+Shift+Z": "edit.redo",
    },
    LIST: {
        "Return": "article.open",
        "Enter": "article.open",
        "O": "article.open",
        "Shift+T": "article.tag",
        "Del": "article.delete",
    },
    READER: {
        "H": "highlight.create",
        "1": "highlight.colour-1",
        "2": "highlight.colour-2",
        "3": "highlight.colour-3",
        "4": "highlight.colour-4",
        "5": "highlight.colour-5",
        "T": "highlight.tag",
        "N": "highlight.note",
        "]": "highlight.next",
        "[": "highlight.previous",
        "X": "highlight.delete",
        "Shift+T": "article.tag",
        "Shift+N": "article.note",
        "Esc": "reader.back",
    },
}

_BY_ID = {command.id: command for command in COMMANDS}


def command(command_id: str) -> Command:
    return _BY_ID[command_id]


def keymap_problems(keymap: dict[str, dict[str, str]]) -> list[str]:
    """What is wrong with a keymap: unknown contexts or commands, and keys that a context
    shares with `anywhere` (where the two would fight over the key)."""
    problems = []
    for context, bindings in keymap.items():
        if context not in CONTEXTS:
            problems.append(f"unknown context {context!r}")
            continue
        for key, command_id in bindings.items():
            if command_id not in _BY_ID:
                problems.append(f"{context}: {key} is bound to unknown command {command_id!r}")
            if context != ANYWHERE and key.casefold() in {k.casefold() for k in keymap.get(ANYWHERE, {})}:
                problems.append(f"{context}: {key} is also bound anywhere")
        lowered = [key.casefold() for key in bindings]
        for key in sorted({k for k in lowered if lowered.count(k) > 1}):
            problems.append(f"{context}: {key} is bound twice")
    return problems


def keys_for(command_id: str, keymap: dict[str, dict[str, str]] | None = None) -> list[tuple[str, str]]:
    """(context, key) pairs bound to a command."""
    keymap = DEFAULT_KEYMAP if keymap is None else keymap
    return [(context, key) for context, bindings in keymap.items()
            for key, bound in bindings.items() if bound == command_id]
