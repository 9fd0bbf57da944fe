"""Every command of the application, declared once, and the default keymap.

The window builds its menus, shortcuts, command palette and cheat sheet from these
tables; nothing else binds keys. A command's `id` also names its handler in the UI
(`highlight.create` → `cmd_highlight_create`).

Some commands take an argument from a fixed set of choices: `highlight.colour 3`,
`view.theme dark`. The keymap binds a key to such an invocation (the id, a space, the
argument), and the one handler receives the argument as a string. Menus, the palette and
the cheat sheet list each choice as an entry of its own (`INVOCATIONS`).

Contexts say where a key works: `anywhere` in the window, `list` while the article list
has the focus, `reader` while the reading pane has it, `views` while the saved views in
the sidebar have it, `review` on the daily review's screen, `tag-manager` in the Manage
Tags dialog's list, `highlights` in the list of the All Highlights window. While a text
field has the focus, the keys it types are text and never commands. The commands of a
dialog, a window or the review screen (`Command.dialog`) run only there, by its keys;
the window's menus and palette leave them out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

ANYWHERE = "anywhere"
LIST = "list"
READER = "reader"
VIEWS = "views"
TAG_MANAGER = "tag-manager"
HIGHLIGHTS = "highlights"
REVIEW = "review"
CONTEXTS = (ANYWHERE, LIST, READER, VIEWS, REVIEW, TAG_MANAGER, HIGHLIGHTS)
# Contexts inside the main window, whose keys would fight with those bound `anywhere`.
WINDOW_CONTEXTS = (LIST, READER, VIEWS, REVIEW)
# Dialogs, windows and the review screen with commands of their own; each is also the
# context of their keys.
DIALOGS = (TAG_MANAGER, HIGHLIGHTS, REVIEW)


@dataclass(frozen=True)
class Choice:
    """One value a command's argument can take, with the title it is shown under."""

    value: str
    title: str


@dataclass(frozen=True)
class Argument:
    """What a command takes after its id. Without an `optional` argument, the command
    does its plain thing (its own title says what).

    A `free` argument is any text rather than one of `choices` (the name of a saved
    view, which the user makes): its invocations are not in INVOCATIONS, the window
    lists those that exist; `free_title` titles one ("Saved view: {}")."""

    name: str  # as written in help: "highlight.colour NUMBER"
    choices: tuple[Choice, ...]
    optional: bool = False
    submenu: str = ""  # the choices' own submenu in the command's menu; "": listed in it
    free: bool = False
    free_title: str = "{}"

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True)
class Command:
    id: str
    title: str
    menu: str  # the menu it appears in
    description: str = ""
    argument: Argument | None = None
    dialog: str = ""  # one of DIALOGS if the command runs there; "": in the main window
    needs: tuple[str, ...] = ()  # CONDITIONS that must hold for it to run

    @property
    def handler(self) -> str:
        return "cmd_" + self.id.replace(".", "_").replace("-", "_")


@dataclass(frozen=True)
class Invocation:
    """A command with its argument, if any: what a key, a menu item or a palette entry runs."""

    command: Command
    argument: str | None = None

    @property
    def text(self) -> str:
        """As the keymap writes it: "highlight.create", "highlight.colour 3"."""
        return self.command.id if self.argument is None else f"{self.command.id} {self.argument}"

    @property
    def title(self) -> str:
        argument = self.command.argument
        if self.argument is None or argument is None:
            return self.command.title
        if argument.free:
            return argument.free_title.format(self.argument)
        return next(c.title for c in argument.choices if c.value == self.argument)


# When a command can run. The window (or dialog) decides whether each holds; a command
# whose condition does not hold is shown disabled, and this says why.
CONDITIONS = {
    "article": "Open an article first.",
    "passage": "Select a passage, or focus a paragraph with J, first.",
    "selection": "Select a passage in the article first.",
    "highlight": "Put the cursor on a highlight, or choose one in the panel, first.",
    "selection-or-highlight": "Select a passage or a highlight first.",
    "highlights": "This article has no highlights yet.",
    "undo": "Nothing to undo.",
    "redo": "Nothing to redo.",
    "tag": "Choose a tag first.",
    "own-tag": "Choose a tag that is on articles or highlights itself.",
    "revised": "This article has no earlier versions: its page has not changed since it "
               "was saved.",
    "feed": "Choose a feed in the sidebar first.",
    "view": "Choose a saved view in the sidebar first.",
    "chosen": "Choose one or more highlights in the list first.",
    "writable": "The library cannot be changed now: it is read-only or damaged (see the "
                "banner above the panes).",
}

THEME_NAMES = ("light", "sepia", "dark")  # reader.ui.theme.THEMES, without Qt
COLOUR_NUMBERS = ("1", "2", "3", "4", "5")
GRADES = (("1", "Again"), ("2", "Hard"), ("3", "Good"), ("4", "Easy"))  # fsrs.Rating


COMMANDS: tuple[Command, ...] = (
    Command("file.import", "Import articles…", "File",
            "Import Markdown, text files and saved web pages (you can also drop them on the "
            "window)", needs=("writable",)),
    Command("file.import-from", "Import from another tool…", "File",
            "Bring in highlights and articles from Kindle, Readwise, Omnivore, Pocket, "
            "Instapaper, Hypothesis, KOReader or Wallabag: see what would be imported, "
            "then import", needs=("writable",)),
    Command("web.save", "Save a web page…", "File",
            "Save a page by its address (you can also paste an address on the window, or "
            "drop a link from a browser)", needs=("writable",)),
    Command("web.paste", "Save the address on the clipboard", "File",
            "Save the web page whose address you copied", needs=("writable",)),
    Command("export.article", "Export this article's annotations…", "File",
            "Write the open article's highlights and notes as Markdown into a folder",
            needs=("article",)),
    Command("export.all", "Export all annotations…", "File",
            "Write every annotated article as Markdown into a folder"),
    Command("export.copy", "Copy annotations as Markdown", "File",
            "Put the open article's highlights and notes on the clipboard", needs=("article",)),
    Command("app.quit", "Quit", "File"),
    Command("edit.undo", "Undo", "Edit", needs=("writable", "undo")),
    Command("edit.redo", "Redo", "Edit", needs=("writable", "redo")),
    Command("view.palette", "Command palette…", "View", "Find and run any command by name"),
    Command("view.cheat-sheet", "Keyboard shortcuts", "View", "Show every key binding"),
    Command("search.focus", "Search articles", "View", "Filter the list by words in the articles"),
    Command("search.highlights", "Search highlights and notes…", "View",
            "Find any highlight or note in the library and jump to it"),
    Command("view.sort", "Sort by date added / date published / title", "View"),
    Command("view.unread-only", "Show unread only / all", "View"),
    Command("view.archive", "Show archive / reading list", "View",
            "Switch the list between your reading list and archived articles"),
    Command("view.theme", "Next theme (light, sepia, dark)", "View",
            argument=Argument("NAME", tuple(Choice(name, f"{name.capitalize()} theme")
                                            for name in THEME_NAMES),
                              optional=True, submenu="Theme")),
    Command("view.font-larger", "Larger text", "View"),
    Command("view.font-smaller", "Smaller text", "View"),
    Command("view.font-reset", "Default text size", "View"),
    Command("view.cycle-focus", "Next pane", "View",
            "Move between the article list, the reading pane and the annotation panel"),
    Command("list.next", "Next article", "Go"),
    Command("list.previous", "Previous article", "Go"),
    Command("review.start", "Review highlights", "Go",
            "The daily review: today's highlights one at a time, scheduled by how well "
            "you remember each"),
    Command("reader.next-paragraph", "Next paragraph", "Go"),
    Command("reader.previous-paragraph", "Previous paragraph", "Go"),
    Command("reader.page-down", "Page down", "Go"),
    Command("reader.page-up", "Page up", "Go"),
    Command("reader.top", "Go to the top", "Go"),
    Command("reader.end", "Go to the end", "Go"),
    Command("reader.back", "Back to the list", "Go", "Cancel the selection, or return to the list"),
    Command("selection.start", "Start selecting at the paragraph", "Go",
            "Begin a selection at the start of the focused paragraph", needs=("article",)),
    Command("selection.grow-word", "Select one more word", "Go", needs=("article",)),
    Command("selection.shrink-word", "Select one word less", "Go", needs=("article",)),
    Command("selection.grow-sentence", "Select one more sentence", "Go", needs=("article",)),
    Command("selection.shrink-sentence", "Select one sentence less", "Go", needs=("article",)),
    Command("article.open", "Open article", "Article", "Show the chosen article and read it",
            needs=("article",)),
    Command("article.toggle-read", "Mark read / unread", "Article",
            needs=("writable", "article")),
    Command("article.archive", "Archive / unarchive", "Article",
            needs=("writable", "article")),
    Command("article.tag", "Tag article…", "Article", needs=("writable", "article")),
    Command("article.note", "Edit article note", "Article", needs=("writable", "article")),
    Command("article.revisions", "Revisions…", "Article",
            "The earlier versions of a revised page, and what changed in each",
            needs=("article", "revised")),
    Command("article.delete", "Delete article…", "Article", needs=("writable", "article")),
    Command("highlight.create", "Highlight", "Highlight",
            "Highlight the selection, or the focused paragraph when nothing is selected",
            needs=("writable", "passage")),
    Command("highlight.colour", "Colour", "Highlight",
            "Highlight the selection in this colour, or give the highlight here this colour",
            argument=Argument("NUMBER", tuple(Choice(n, f"Colour {n}") for n in COLOUR_NUMBERS)),
            needs=("writable", "selection-or-highlight")),
    Command("highlight.tag", "Tag highlight…", "Highlight", needs=("writable", "highlight")),
    Command("highlight.note", "Edit highlight note", "Highlight", needs=("writable", "highlight")),
    Command("highlight.next", "Next highlight", "Highlight", needs=("highlights",)),
    Command("highlight.previous", "Previous highlight", "Highlight", needs=("highlights",)),
    Command("highlight.delete", "Delete highlight", "Highlight", needs=("writable", "highlight")),
    Command("highlight.cloze", "Make a cloze card…", "Highlight",
            "Hide words of the highlight: the daily review shows the gap and asks for them",
            needs=("writable", "highlight")),
    Command("highlight.question", "Ask a question…", "Highlight",
            "Write a question the highlight answers: the daily review asks it",
            needs=("writable", "highlight")),
    Command("highlight.reattach", "Re-attach highlight to selection", "Highlight",
            "Place a highlight that was not found in the current text on the selected passage",
            needs=("writable", "selection")),
    # The All Highlights window: every highlight of the library in one list, to filter
    # with a query and change many at once. Its own commands act on the chosen ones.
    Command("highlights.all", "All highlights…", "Highlight",
            "Every highlight in the library in one list: filter it with a query, choose "
            "several, then recolour, tag, delete or export them"),
    Command("highlights.open", "Open at the highlight", "Highlight",
            "Show the highlight in its article, in the main window", dialog=HIGHLIGHTS,
            needs=("chosen",)),
    Command("highlights.colour", "Colour", "Highlight", "Give the chosen highlights this colour",
            argument=Argument("NUMBER", tuple(Choice(n, f"Colour {n}") for n in COLOUR_NUMBERS)),
            dialog=HIGHLIGHTS, needs=("writable", "chosen")),
    Command("highlights.tag", "Tag chosen highlights…", "Highlight",
            "Add tags to the chosen highlights, or take tags off them", dialog=HIGHLIGHTS,
            needs=("writable", "chosen")),
    Command("highlights.delete", "Delete chosen highlights", "Highlight",
            "Delete the chosen highlights (undo brings them back)", dialog=HIGHLIGHTS,
            needs=("writable", "chosen")),
    Command("highlights.export", "Export chosen highlights…", "Highlight",
            "Write the chosen highlights to one Markdown file, grouped by article",
            dialog=HIGHLIGHTS, needs=("chosen",)),
    Command("highlights.undo", "Undo", "Highlight", "Undo the last change to annotations",
            dialog=HIGHLIGHTS, needs=("writable", "undo")),
    Command("highlights.redo", "Redo", "Highlight", dialog=HIGHLIGHTS, needs=("writable", "redo")),
    Command("highlights.query", "Edit the query", "Highlight",
            "Filter the list: words, colour:, tag:, is:orphaned, has:note, title:…",
            dialog=HIGHLIGHTS),
    Command("highlights.sort", "Next order (newest, oldest, by article)", "Highlight",
            dialog=HIGHLIGHTS),
    Command("tags.manage", "Manage tags…", "Tags"),
    Command("colours.names", "Highlight colours…", "Tags",
            "Give the five colours names of your own", needs=("writable",)),
    Command("tag-manager.rename", "Rename tag…", "Tags",
            "Rename the selected tag, or merge it into another", dialog=TAG_MANAGER,
            needs=("writable", "tag")),
    Command("tag-manager.delete", "Delete tag…", "Tags",
            "Remove the selected tag from every article and highlight", dialog=TAG_MANAGER,
            needs=("writable", "own-tag")),
    Command("review.continue", "Begin, or show the answer", "Go",
            "Begin the review; on a cloze or question card, show the answer (then, as "
            "Good)", dialog=REVIEW),
    Command("review.grade", "Grade", "Go", "How well you remembered the highlight",
            argument=Argument("GRADE", tuple(Choice(n, f"{n} {name}") for n, name in GRADES)),
            dialog=REVIEW),
    Command("review.tag", "Tag the highlight", "Go", dialog=REVIEW),
    Command("review.note", "Edit the highlight's note", "Go", dialog=REVIEW),
    Command("review.open", "Open the passage in its article", "Go",
            "Leave the review and show the highlight in its article (R comes back)",
            dialog=REVIEW),
    Command("review.never", "Never show this highlight again", "Go", dialog=REVIEW),
    Command("review.undo", "Undo the last grade", "Go",
            "Take back the last grade (or never again): the card is shown again",
            dialog=REVIEW),
    Command("review.cloze", "Make a cloze card…", "Go",
            "Hide words of this highlight: from now on the review asks for them",
            dialog=REVIEW),
    Command("review.question", "Ask a question…", "Go",
            "Write a question this highlight answers: from now on the review asks it",
            dialog=REVIEW),
    Command("review.scope", "Choose what to review…", "Go",
            "The whole library, a tag, a colour or any query", dialog=REVIEW),
    Command("review.leave", "Leave the review", "Go", dialog=REVIEW),
    Command("feeds.subscribe", "Subscribe to a feed…", "Feeds",
            "Follow a site by the address of its feed, or of one of its pages; its new "
            "articles come in by themselves", needs=("writable",)),
    Command("feeds.refresh", "Refresh feeds", "Feeds",
            "Check every feed for new articles now", needs=("writable",)),
    Command("feeds.remove", "Unsubscribe from feed…", "Feeds",
            "Stop following the feed chosen in the sidebar; its articles stay",
            needs=("writable", "feed")),
    Command("feeds.import-opml", "Import subscriptions (OPML)…", "Feeds",
            "Follow every feed of a list exported from another feed reader",
            needs=("writable",)),
    Command("feeds.export-opml", "Export subscriptions (OPML)…", "Feeds",
            "Write the feeds you follow to a file another feed reader can import"),
    Command("view.show", "Go to saved views", "Saved Views",
            "Put the keyboard in the saved views above the tags (with a view's name: show "
            "that view's articles)",
            argument=Argument("NAME", (), optional=True, free=True,
                              free_title="Saved view: {}")),
    Command("view.next", "Next saved view", "Saved Views",
            "Show the articles of the saved view below the chosen one"),
    Command("view.previous", "Previous saved view", "Saved Views",
            "Show the articles of the saved view above the chosen one"),
    Command("view.save", "Save search as view…", "Saved Views",
            "Keep the search box's query as a saved view, with a name and a key of its own",
            needs=("writable",)),
    Command("view.rename", "Rename view…", "Saved Views", needs=("writable", "view")),
    Command("view.edit-query", "Edit view query…", "Saved Views",
            "Change what the chosen saved view finds", needs=("writable", "view")),
    Command("view.set-key", "Set view key…", "Saved Views",
            "Give the chosen saved view a key that shows it from anywhere in the window",
            needs=("writable", "view")),
    Command("view.move-up", "Move view up", "Saved Views", needs=("writable", "view")),
    Command("view.move-down", "Move view down", "Saved Views", needs=("writable", "view")),
    Command("view.delete", "Delete view…", "Saved Views",
            "Remove the chosen saved view (its articles stay; Ctrl+Z brings it back)",
            needs=("writable", "view")),
)

# context → key sequence (Qt's portable text form) → command id
DEFAULT_KEYMAP: dict[str, dict[str, str]] = {
    ANYWHERE: {
        "Ctrl+Q": "app.quit",
        "Ctrl+O": "file.import",
        "Ctrl+Shift+O": "file.import-from",
        "Ctrl+L": "web.save",
        "Ctrl+Shift+L": "feeds.subscribe",
        "F5": "feeds.refresh",
        "Ctrl+E": "export.article",
        "Ctrl+Shift+E": "export.all",
        "Ctrl+Z": "edit.undo",
        "Ctrl+Shift+Z": "edit.redo",
        "Ctrl+K": "view.palette",
        "?": "view.cheat-sheet",
        "/": "search.focus",
        "Ctrl+Shift+F": "search.highlights",
        "Ctrl+Shift+H": "highlights.all",
        "Ctrl+=": "view.font-larger",
        "Ctrl++": "view.font-larger",
        "Ctrl+-": "view.font-smaller",
        "Ctrl+0": "view.font-reset",
        "F6": "view.cycle-focus",
        "G, V": "view.show",
        "Ctrl+]": "view.next",
        "Ctrl+[": "view.previous",
        "Ctrl+Shift+S": "view.save",
        "R": "review.start",
    },
    LIST: {
        "Ctrl+V": "web.paste",
        "J": "list.next",
        "K": "list.previous",
        "Return": "article.open",
        "Enter": "article.open",
        "O": "article.open",
        "M": "article.toggle-read",
        "E": "article.archive",
        "Shift+T": "article.tag",
        "Del": "article.delete",
    },
    READER: {
        "Ctrl+V": "web.paste",
        "J": "reader.next-paragraph",
        "Down": "reader.next-paragraph",
        "K": "reader.previous-paragraph",
        "Up": "reader.previous-paragraph",
        "Space": "reader.page-down",
        "Shift+Space": "reader.page-up",
        "G, G": "reader.top",
        "Shift+G": "reader.end",
        "V": "selection.start",
        "W": "selection.grow-word",
        "B": "selection.shrink-word",
        "S": "selection.grow-sentence",
        "Shift+S": "selection.shrink-sentence",
        "H": "highlight.create",
        "1": "highlight.colour 1",
        "2": "highlight.colour 2",
        "3": "highlight.colour 3",
        "4": "highlight.colour 4",
        "5": "highlight.colour 5",
        "T": "highlight.tag",
        "N": "highlight.note",
        "]": "highlight.next",
        "[": "highlight.previous",
        "X": "highlight.delete",
        "C": "highlight.cloze",
        "Q": "highlight.question",
        "Shift+T": "article.tag",
        "Shift+N": "article.note",
        "Esc": "reader.back",
    },
    VIEWS: {
        "J": "view.next",
        "K": "view.previous",
        "F2": "view.rename",
        "E": "view.edit-query",
        "Alt+Up": "view.move-up",
        "Alt+Down": "view.move-down",
        "Del": "view.delete",
    },
    REVIEW: {
        "Space": "review.continue",
        "Return": "review.continue",
        "Enter": "review.continue",
        "1": "review.grade 1",
        "2": "review.grade 2",
        "3": "review.grade 3",
        "4": "review.grade 4",
        "T": "review.tag",
        "N": "review.note",
        "O": "review.open",
        "X": "review.never",
        "U": "review.undo",
        "C": "review.cloze",
        "Q": "review.question",
        "S": "review.scope",
        "Esc": "review.leave",
    },
    TAG_MANAGER: {
        "F2": "tag-manager.rename",
        "Del": "tag-manager.delete",
    },
    HIGHLIGHTS: {
        "Return": "highlights.open",
        "Enter": "highlights.open",
        "1": "highlights.colour 1",
        "2": "highlights.colour 2",
        "3": "highlights.colour 3",
        "4": "highlights.colour 4",
        "5": "highlights.colour 5",
        "T": "highlights.tag",
        "Del": "highlights.delete",
        "E": "highlights.export",
        "Ctrl+Z": "highlights.undo",
        "Ctrl+Shift+Z": "highlights.redo",
        "/": "highlights.query",
        "Ctrl+F": "highlights.query",
        "S": "highlights.sort",
    },
}

_BY_ID = {command.id: command for command in COMMANDS}

# Ids that became a command with an argument; a settings file may still name them.
RENAMED = {f"highlight.colour-{n}": f"highlight.colour {n}" for n in COLOUR_NUMBERS}


def command(command_id: str) -> Command:
    return _BY_ID[command_id]


def _invocations(item: Command) -> list[Invocation]:
    if item.argument is None:
        return [Invocation(item)]
    bare = [Invocation(item)] if item.argument.optional else []
    return bare + [Invocation(item, choice.value) for choice in item.argument.choices]


# Every command with each of its arguments, in registry order.
INVOCATIONS: tuple[Invocation, ...] = tuple(i for item in COMMANDS for i in _invocations(item))
# Those of the main window: its menus, palette and window-wide keys.
WINDOW_INVOCATIONS: tuple[Invocation, ...] = tuple(i for i in INVOCATIONS if not i.command.dialog)


def invocation_problem(text: str) -> str | None:
    """Why `text` is not a command with a valid argument, said for the user; None if it is."""
    command_id, _, argument = RENAMED.get(text.strip(), text).strip().partition(" ")
    argument = argument.strip()
    item = _BY_ID.get(command_id)
    if item is None:
        return f"unknown command {text!r}"
    if item.argument is None:
        return f"{command_id} takes no argument" if argument else None
    if not argument:
        return None if item.argument.optional else (
            f"{command_id} needs a {item.argument.name}: {', '.join(item.argument.values)}")
    if item.argument.free:
        return None
    if argument not in item.argument.values:
        return (f"{command_id} takes a {item.argument.name} of "
                f"{', '.join(item.argument.values)}, not {argument!r}")
    return None


def unmet(item: Command | Invocation, holds: Callable[[str], bool]) -> str | None:
    """Why the command cannot run now (the reason of its first condition that does not
    hold, by `holds`), or None if it can."""
    needs = (item.command if isinstance(item, Invocation) else item).needs
    return next((CONDITIONS[name] for name in needs if not holds(name)), None)


def invocation(text: str) -> Invocation:
    """The command and argument that `text` names ("highlight.colour 3"; an old id such as
    "highlight.colour-3" too). ValueError, with `invocation_problem`'s words, otherwise."""
    problem = invocation_problem(text)
    if problem is not None:
        raise ValueError(problem)
    command_id, _, argument = RENAMED.get(text.strip(), text).strip().partition(" ")
    return Invocation(_BY_ID[command_id], argument.strip() or None)


# -- key names ---------------------------------------------------------------------------

# Qt's order of modifiers in a key sequence's portable text.
_MODIFIERS = {"meta": "Meta", "ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "num": "Num"}
# Names Qt reads as the same key; Return (main keyboard) and Enter (keypad) are two keys.
_KEY_ALIASES = {"escape": "esc", "delete": "del", "insert": "ins"}
_KEY_NAMES = {name.casefold(): name for name in (
    "Esc", "Del", "Ins", "Return", "Enter", "Space", "Tab", "Backtab", "Backspace", "Home",
    "End", "PgUp", "PgDown", "Up", "Down", "Left", "Right", "Print", "Pause")}
_MODIFIER_PREFIX = re.compile(r"\s*(meta|ctrl|alt|shift|num)\s*\+", re.IGNORECASE)
_KEY = re.compile(r"\s*([A-Za-z0-9_]+|\S)")


def normal_key(key: str) -> str:
    """One spelling for each key sequence, as Qt would read it: the case of letters and
    names does not matter, modifiers come in Qt's order, and Esc/Escape, Del/Delete and
    Ins/Insert are one key. "shift+ctrl+k" and "Ctrl+Shift+K" both give "Ctrl+Shift+K";
    chords keep their order ("g,g" gives "G, G"). Text that is not a key sequence is
    only stripped and case-folded, so that it still compares equal to itself."""
    chords: list[str] = []
    rest = key
    while rest.strip():
        modifiers: set[str] = set()
        while (prefix := _MODIFIER_PREFIX.match(rest)) and rest[prefix.end():].strip():
            modifiers.add(prefix.group(1).casefold())
            rest = rest[prefix.end():]
        found = _KEY.match(rest)
        if found is None:
            return key.strip().casefold()
        rest = rest[found.end():].lstrip()
        if rest.startswith(","):
            rest = rest[1:]
            if not rest.strip():
                return key.strip().casefold()
        elif rest:
            return key.strip().casefold()
        name = found.group(1).casefold()
        name = _KEY_ALIASES.get(name, name)
        if name in _KEY_NAMES:
            name = _KEY_NAMES[name]
        elif len(name) == 1 or re.fullmatch(r"f\d+", name):
            name = name.upper()
        else:
            name = name.capitalize()
        chords.append("+".join([*(_MODIFIERS[m] for m in _MODIFIERS if m in modifiers), name]))
    return ", ".join(chords) if chords else key.strip().casefold()


_CHORD_MODIFIERS = re.compile(r"^(?:(?:Meta|Ctrl|Alt|Shift|Num)\+)*")


def is_key(key: str) -> bool:
    """Whether `key` spells a key sequence: one to four chords, each of modifiers and one
    key (a character, F1 to F35, or a named key such as Esc, Del, PgDown, Up)."""
    normal = normal_key(key)
    chords = normal.split(", ")
    if not key.strip() or len(chords) > 4:
        return False
    for chord in chords:
        name = chord[_CHORD_MODIFIERS.match(chord).end():]
        if not (len(name) == 1 and not name.isspace() or name in _KEY_NAMES.values()
                or re.fullmatch(r"F([1-9]|[12]\d|3[0-5])", name)):
            return False
    return True


def same_key(a: str, b: str) -> bool:
    """Whether two key names spell the same key sequence."""
    return normal_key(a) == normal_key(b)


def keymap_problems(keymap: dict[str, dict[str, str]]) -> list[str]:
    """What is wrong with a keymap: unknown contexts or commands, keys bound twice in a
    context, and keys that a context shares with `anywhere` (where the two would fight
    over the key). Keys are compared by `normal_key`."""
    problems = []
    anywhere = {normal_key(k) for k in keymap.get(ANYWHERE, {})}
    for context, bindings in keymap.items():
        if context not in CONTEXTS:
            problems.append(f"unknown context {context!r}")
            continue
        for key, bound in bindings.items():
            problem = invocation_problem(bound)
            if problem is not None:
                problems.append(f"{context}: {key} is bound to {problem}")
            elif invocation(bound).text != bound:  # keys_for and the menus look for this text
                problems.append(f"{context}: {key} is bound to {bound!r}, which is written "
                                f"{invocation(bound).text!r}")
            elif invocation(bound).command.dialog != (context if context in DIALOGS else ""):
                where = invocation(bound).command.dialog or "the main window"
                problems.append(f"{context}: {key} is bound to {bound}, which works only in "
                                f"{where}")
            if context in WINDOW_CONTEXTS and normal_key(key) in anywhere:
                problems.append(f"{context}: {key} is also bound anywhere")
        seen: dict[str, str] = {}
        for key in bindings:
            first = seen.setdefault(normal_key(key), key)
            if first != key:
                problems.append(f"{context}: {key} is bound twice")
    return problems


def keys_for(command_id: str,
             keymap: dict[str, dict[str, str]] | None = None) -> list[tuple[str, str]]:
    """(context, key) pairs bound to a command, or to one invocation of it
    ("highlight.colour 3")."""
    keymap = DEFAULT_KEYMAP if keymap is None else keymap
    return [(context, key) for context, bindings in keymap.items()
            for key, bound in bindings.items() if bound == command_id]


CONTEXT_TITLES = {ANYWHERE: "Anywhere", LIST: "Article list", READER: "Reading pane",
                  VIEWS: "Saved views", REVIEW: "Review", TAG_MANAGER: "Manage Tags",
                  HIGHLIGHTS: "All highlights"}


def keymap_markdown(keymap: dict[str, dict[str, str]] | None = None) -> str:
    """The keymap as a Markdown table, for the README (kept in sync by a test)."""
    keymap = DEFAULT_KEYMAP if keymap is None else keymap
    lines = ["| where | keys | command |", "|---|---|---|"]
    for context in CONTEXTS:
        for item in INVOCATIONS:
            keys = [key for key, bound in keymap.get(context, {}).items() if bound == item.text]
            if keys:
                shown = " / ".join(f"`{key}`" for key in keys)
                lines.append(f"| {CONTEXT_TITLES[context]} | {shown} | {item.title} "
                             f"(`{item.text}`) |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # python -m reader.commands  prints the README's keymap table.
    print(keymap_markdown(), end="")
