"""The All Highlights window: every highlight of the library in one list, filtered by a
query, in the order chosen; several chosen at once are recoloured (1-5), tagged (T),
deleted (Del, undoable) or exported to a Markdown file (E), and Enter shows one in
its article in the main window (the handlers are in reader.ui.highlights_commands).

A window of its own beside the main one (Ctrl+Shift+H brings it back), so that the list
and the article it opens can be seen together. Its keys are the registry's
`highlights` context, acting while the list has the focus; in the query box keys are
text. Every read runs in a worker (the query's ids, the rows ahead of the view, the
export) and every change is a LibraryOp announced on the main window's ChangeBus:
the main window's views and its Undo follow, and a change made there or anywhere else
brings this list up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader.annotations.colours import COLOURS
from reader.commands import DEFAULT_KEYMAP, HIGHLIGHTS, invocation, unmet
from reader.library import Library, LibraryError
from reader.links import Link
from reader.query.sql import HIGHLIGHT
from reader.records import Changes
from reader.ui.actions import dialog_actions, key_text, update_dialog_actions
from reader.ui.change_bus import ChangeBus
from reader.ui.highlights_commands import HighlightsCommands
from reader.ui.highlights_model import HighlightsModel, HighlightsView, selection_of_rows
from reader.ui.operations import QueryOp, report_error
from reader.ui.plain import plain_label, tooltip
from reader.ui.search_box import SearchBox

TITLE = "All highlights"
ORDERS = (("newest", "Newest first"), ("oldest", "Oldest first"), ("article", "By article"))
REFRESH_DELAY_MS = 150  # changes made elsewhere in a burst bring one new query
STATUS_MS = 8000


class HighlightsWindow(HighlightsCommands, QDialog):
    """The list of every highlight matching the query. `opener(Link)` shows a highlight
    in the main window; `main`, when given, is the window this one closes with."""

    def __init__(self, library: Library, bus: ChangeBus, opener: Callable[[Link], object],
                 keymap: dict[str, dict[str, str]] | None = None,
                 main: QWidget | None = None) -> None:
        # No parent: a window of its own, which the main window does not keep on top of
        # itself when it shows the article opened from here.
        super().__init__(None)
        self.library, self.bus, self._opener = library, bus, opener
        self.setObjectName("highlightsWindow")
        self.setWindowTitle(TITLE)
        self.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.WindowMinMaxButtonsHint
                            | Qt.WindowType.WindowCloseButtonHint)
        self.resize(780, 760)
        self._query_op: QueryOp | None = None
        self._change_op: QueryOp | None = None
        self._export_op: QueryOp | None = None
        self._stale = True  # the list must be read again before it is shown
        self._export_path = Path.home() / "Highlights.md"
        self.sorted_by_query = False
        self._main = main

        self.query = SearchBox()
        self.query.setObjectName("searchBox")
        self.query.setPlaceholderText("Filter: words, colour:pink, tag:history, has:note, "
                                      "is:orphaned, title:…   /")
        self.query.setAccessibleName("Filter highlights by a query")
        self.order = QComboBox()
        self.order.setAccessibleName("Order")
        for key, title in ORDERS:
            self.order.addItem(title, key)
        self.messages = plain_label(clipped=True)
        self.messages.setObjectName("highlightsMessages")
        self.messages.setWordWrap(True)
        self.messages.hide()
        self.header = plain_label(clipped=True)
        self.header.setObjectName("listHeader")
        self.empty = plain_label()
        self.empty.setObjectName("dialogHint")
        self.empty.setWordWrap(True)
        self.empty.hide()

        self.model = HighlightsModel(library, self)
        self.list_view = HighlightsView()
        self.list_view.setModel(self.model)

        keymap = DEFAULT_KEYMAP if keymap is None else keymap
        self.command_actions = dialog_actions(self, self.list_view, HIGHLIGHTS, keymap)
        self._name_colours()

        self.colour_button = QPushButton("&Colour")
        colour_menu = QMenu(self.colour_button)
        for number in range(1, len(COLOURS) + 1):
            colour_menu.addAction(self.command_actions[f"highlights.colour {number}"])
        self.colour_button.setMenu(colour_menu)
        self.buttons: dict[str, QPushButton] = {"colour": self.colour_button}
        row = QHBoxLayout()
        row.addWidget(self.colour_button)
        for text, label in (("highlights.tag", "&Tag…"), ("highlights.delete", "&Delete"),
                            ("highlights.export", "&Export…"), ("highlights.open", "&Open")):
            button = QPushButton(label)
            action = self.command_actions[text]
            key = key_text(action)
            button.setToolTip(tooltip(f"{action.statusTip()} ({key})" if key
                                      else action.statusTip()))
            button.clicked.connect(action.trigger)
            row.addWidget(button)
            self.buttons[text] = button
        row.addStretch(1)
        for button in self.buttons.values():
            button.setAutoDefault(False)  # Enter in the list opens, never presses these
            button.setDefault(False)
        self.hint = plain_label(clipped=True)
        self.hint.setObjectName("dialogHint")
        self.hint.setWordWrap(True)
        self.status = plain_label(clipped=True)
        self.status.setObjectName("highlightsStatus")
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(self.status.clear)

        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.order)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.messages)
        layout.addWidget(self.header)
        layout.addWidget(self.empty)
        layout.addWidget(self.list_view, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.hint)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(lambda: self.reload(keep=True))
        self.query.search_changed.connect(lambda _text: self.reload(keep=False))
        self.query.left.connect(self.list_view.setFocus)
        self.query.to_results.connect(lambda _enter: self._to_list())
        self.order.currentIndexChanged.connect(lambda _index: self.reload(keep=True))
        self.list_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.list_view.selectionModel().currentChanged.connect(self._update_actions)
        self.list_view.doubleClicked.connect(lambda _index: self.cmd_highlights_open())
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.customContextMenuRequested.connect(self._context_menu)
        bus.library_changed.connect(self._library_changed)
        if main is not None:
            main.installEventFilter(self)
        self._update_header()
        self._update_actions()
        self.list_view.setFocus()

    # --- showing ------------------------------------------------------------------------
    def present(self) -> None:
        """Show the window (reading the list if it changed while hidden), in front, with
        the focus in the list."""
        if self._stale:
            self.reload(keep=True)
        self.show()
        self.raise_()
        self.activateWindow()
        self.list_view.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self._main and event.type() == QEvent.Type.Close:
            self.close()  # goes with the main window (and the app can quit)
            self.deleteLater()
        return False

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._refresh_timer.stop()
        super().closeEvent(event)

    def _to_list(self) -> None:
        if self.model.rowCount():
            if not self.list_view.currentIndex().isValid():
                self.select_rows([0])
            self.list_view.setFocus()

    # --- the query ----------------------------------------------------------------------
    def current_order(self) -> str:
        return self.order.currentData()

    def reload(self, keep: bool = True) -> None:
        """Read the query's ids in a worker, then show them. With `keep`, the chosen
        highlights and the current one stay chosen if they are still listed; else the
        first row becomes current."""
        self._refresh_timer.stop()
        self._stale = False
        chosen = set(self.chosen_ids()) if keep else set()
        current = self.current_id() if keep else None
        if self._query_op is not None:
            self._query_op.cancel()
        text, order, library = self.query.text(), self.current_order(), self.library

        def read() -> tuple[object, bool]:
            return (library.query.highlights(text, order=order),
                    bool(library.query.compile(text, HIGHLIGHT).sort))

        self._query_op = QueryOp(self, library, read).success(
            lambda found: self._show(found, chosen, current)).failure(
            self._query_failed).run()
        self._update_header()

    @property
    def loading(self) -> bool:
        return self._query_op is not None and self._query_op.running

    def _show(self, found: tuple, chosen: set[int], current: int | None) -> None:
        result, self.sorted_by_query = found
        self.model.set_ids(result.ids)
        messages = list(result.messages)
        if self.sorted_by_query:
            messages.append("The query's sort: sets the order.")
        self.messages.setText("\n".join(messages))
        self.messages.setVisible(bool(messages))
        rows = [row for hid in chosen if (row := self.model.row_of(hid)) is not None]
        current_row = self.model.row_of(current)
        if current_row is None and self.model.rowCount():
            current_row = min(rows) if rows else 0
        if current_row is not None:
            self.select_rows(rows or [current_row], current_row)
        self._update_header()
        self._update_actions()

    def _query_failed(self, error: Exception) -> None:
        if isinstance(error, LibraryError):
            self.say(str(error))
            self._update_header()
            return
        report_error(error)

    def _library_changed(self, changes: Changes, initiator: object) -> None:
        """A change made elsewhere (the main window, an import, another process): read
        the list again, staying on what is chosen. This window's own changes are shown
        by the change itself."""
        if changes.colours:
            self._name_colours()
            self.model.refresh()
        if initiator is self:
            return
        if (changes.highlights or changes.tags or changes.article_list or changes.articles
                or changes.colours):
            if self.isVisible():
                self._refresh_timer.start()
            else:
                self._stale = True
        self._update_actions()  # Undo and Redo follow the stack

    # --- the chosen highlights ----------------------------------------------------------
    def chosen_rows(self) -> list[int]:
        """The rows chosen, in list order (from the selection's ranges: quick for all
        100,000 rows)."""
        rows: set[int] = set()
        for span in self.list_view.selectionModel().selection():
            rows.update(range(span.top(), span.bottom() + 1))
        return sorted(rows)

    def chosen_ids(self) -> list[int]:
        ids = self.model.ids()
        return [ids[row] for row in self.chosen_rows() if row < len(ids)]

    def chosen_count(self) -> int:
        return sum(span.bottom() - span.top() + 1
                   for span in self.list_view.selectionModel().selection())

    def current_id(self) -> int | None:
        index = self.list_view.currentIndex()
        return self.model.highlight_id(index.row()) if index.isValid() else None

    def select_rows(self, rows: list[int], current: int | None = None) -> None:
        """Choose these rows (only them); `current` (else the first) gets the focus."""
        selection_model = self.list_view.selectionModel()
        if not rows:
            selection_model.clearSelection()
            return
        current = rows[0] if current is None else current
        flag = QItemSelectionModel.SelectionFlag
        selection_model.setCurrentIndex(self.model.index(current), flag.NoUpdate)
        selection_model.select(selection_of_rows(self.model, rows), flag.ClearAndSelect)
        self.list_view.scrollTo(self.model.index(current))

    def _selection_changed(self, *_args) -> None:
        self._update_header()
        self._update_actions()

    # --- what can run -------------------------------------------------------------------
    def condition_holds(self, name: str) -> bool:
        """Whether a registry condition of this window's commands holds now."""
        if name == "chosen":
            return self.list_view.selectionModel().hasSelection()
        if name == "writable":
            return self.library.read_only is None and self.library.damaged is None
        if name == "undo":
            return self.library.undo_stack.undo_label is not None
        if name == "redo":
            return self.library.undo_stack.redo_label is not None
        raise KeyError(f"the highlights window cannot tell whether {name!r} holds")

    def why_not(self, text: str) -> str | None:
        return unmet(invocation(text), self.condition_holds)

    def _update_actions(self, *_args) -> None:
        update_dialog_actions(self.command_actions, self.condition_holds)
        stack = self.library.undo_stack
        for text, verb, label in (("highlights.undo", "Undo", stack.undo_label),
                                  ("highlights.redo", "Redo", stack.redo_label)):
            self.command_actions[text].setText(f"{verb} {label}" if label else verb)
        for text, button in self.buttons.items():
            action = self.command_actions.get(text, self.command_actions["highlights.colour 1"])
            button.setEnabled(action.isEnabled())
        self._update_hint()

    def _name_colours(self) -> None:
        for colour in self.library.colours.all():
            self.command_actions[f"highlights.colour {colour.number}"].setText(
                f"Colour {colour.number}: {colour.name}".replace("&", "&&"))

    def _update_header(self) -> None:
        count = self.model.rowCount()
        found = " FOUND" if self.query.text().strip() else ""
        text = f"{count:,} HIGHLIGHT{'S' * (count != 1)}{found}"
        chosen = self.chosen_count()
        if chosen > 1:
            text += f" · {chosen:,} CHOSEN"
        if self.loading:
            text += " · READING…"
        self.header.setText(text)
        if count:
            self.empty.hide()
        else:
            self.empty.setText(
                "No highlight matches this query." if self.query.text().strip() else
                "No highlights yet. Select a passage in an article and press H to highlight it.")
            self.empty.setVisible(not self.loading)

    def _update_hint(self) -> None:
        def key(text: str) -> str:
            return key_text(self.command_actions[text])

        colours = [key(f"highlights.colour {n}") for n in range(1, len(COLOURS) + 1)]
        colour_keys = ("1–5" if colours == ["1", "2", "3", "4", "5"]
                       else "/".join(k for k in colours if k))
        parts = [(colour_keys, "colour"), (key("highlights.tag"), "tag"),
                 (key("highlights.delete"), "delete"), (key("highlights.export"), "export"),
                 (key("highlights.open"), "open in the reader"),
                 (key("highlights.undo"), "undo"), (key("highlights.query"), "filter"),
                 (key("highlights.sort"), "order")]
        said = " · ".join(f"{k} {what}" for k, what in parts if k)
        if not self.condition_holds("writable"):
            said = "The library cannot be changed now. " + said
        self.hint.setText("Shift/Ctrl+click or Shift+arrows choose several, Ctrl+A all. "
                          + said)

    def say(self, text: str) -> None:
        """A message under the list, for a few seconds."""
        self.status.setText(text)
        self._status_timer.start(STATUS_MS)

    def _context_menu(self, point) -> None:
        index = self.list_view.indexAt(point)
        if index.isValid() and not self.list_view.selectionModel().isSelected(index):
            self.select_rows([index.row()])
        menu = QMenu(self.list_view)
        menu.addAction(self.command_actions["highlights.open"])
        colours = menu.addMenu("Colour")
        for number in range(1, len(COLOURS) + 1):
            colours.addAction(self.command_actions[f"highlights.colour {number}"])
        for text in ("highlights.tag", "highlights.delete", "highlights.export"):
            menu.addAction(self.command_actions[text])
        menu.exec(self.list_view.viewport().mapToGlobal(point))
        menu.deleteLater()
