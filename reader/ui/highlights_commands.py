"""What the All Highlights window does with the chosen highlights (its `cmd_<id>`
handlers: recolour, tag, delete, undo, export, open), and the questions it asks, each
behind a classmethod that tests replace.

A mixin of HighlightsWindow, as WindowCommands is of the main window: the window lays
out the list and keeps it in step with the query and the library; this module holds
the actions the user invokes by key, button or menu. Each change runs in a LibraryOp
announced on the main window's ChangeBus (one transaction and one undo step however
many highlights it touches); what it changed is then shown in the list.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reader.annotations.colours import COLOURS
from reader.annotations.tags import normalise
from reader.commands import CONDITIONS
from reader.library import LibraryError
from reader.links import Link
from reader.records import Changes
from reader.ui.actions import key_text
from reader.ui.annotation_editors import TagCompleter
from reader.ui.operations import LibraryOp, QueryOp, report_error
from reader.ui.plain import isolate, plain_label

EXPORT_FILTER = "Markdown (*.md);;All files (*)"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def parse_tag_changes(text: str) -> tuple[list[str], list[str]]:
    """The tags to add and to take off in what was typed: names separated by commas, a
    `-` before a name to take it off ("history, -later")."""
    add: list[str] = []
    remove: list[str] = []
    for raw in text.split(","):
        raw = raw.strip()
        taking_off = raw.startswith("-")
        name = normalise(raw[1:] if taking_off else raw)
        if name:
            (remove if taking_off else add).append(name)
    return add, remove


# --- questions, each behind a classmethod that tests replace ---------------------------------

class _TagChangeCompleter(TagCompleter):
    """Completes the tag after the last comma, also after a `-` (a tag to take off)."""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 (Qt name)
        return [path.rsplit(",", 1)[-1].strip().lstrip("-").strip()]

    def pathFromIndex(self, index) -> str:  # noqa: N802 (Qt name)
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        head, comma, last = text.rpartition(",")
        sign = "-" if last.strip().startswith("-") else ""
        return (head + ", " if comma else "") + sign + str(index.data())


class TagChoice(QDialog):
    """Asks which tags to add to the chosen highlights and which to take off, completing
    the names of the library's tags."""

    def __init__(self, parent: QWidget | None, names: list[str], count: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tag highlights")
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(
            f"Tags for the {plural(count, 'chosen highlight')}, separated by commas. "
            "A tag with - before it is taken off (history, -later)."))
        self.field = QLineEdit()
        self.field.setAccessibleName("Tags to add or take off")
        self.field.setPlaceholderText("history, -later")
        completer = _TagChangeCompleter(QStringListModel(names, self), self.field)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.field.setCompleter(completer)
        layout.addWidget(self.field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Tag")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 130)

    @classmethod
    def ask(cls, parent: QWidget | None, names: list[str], count: int) -> str | None:
        """What was typed, or None when cancelled."""
        dialog = cls(parent, names, count)
        try:
            return dialog.field.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class ExportHighlightsFile:
    """Asks where to write the chosen highlights (replaceable in tests)."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: Path) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(parent, "Export chosen highlights",
                                                    str(suggested), EXPORT_FILTER)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix(".md")


# --- the commands -----------------------------------------------------------------------

class HighlightsCommands:
    """The handlers; `self` is the HighlightsWindow."""

    @property
    def busy(self) -> bool:
        """A change is being made (the next one waits for it)."""
        return self._change_op is not None and self._change_op.running

    def _change(self, job: Callable[[], Changes | None], done: Callable[[Changes], None],
                working: str) -> None:
        """Make a change in a worker, saying `working` meanwhile (thousands take
        seconds); it is announced on the bus (the main window follows), then
        `done(changes)` shows it here. No Cancel: a change is made whole or not at all."""
        if self.busy:
            self.say("Still making the last change; try again in a moment.")
            return
        self.status.setText(working)
        self._status_timer.stop()

        def failed(error: Exception) -> None:
            if isinstance(error, (LibraryError, ValueError)):
                self.say(str(error))
                self._update_actions()  # an undo refused is off the history
                return
            self.status.clear()
            report_error(error)

        self._change_op = LibraryOp(self, self.library, job, self.bus,
                                    changes=lambda changes: changes or Changes(),
                                    initiator=self).success(
            lambda changes: (done(changes or Changes()), self._update_actions())).failure(
            failed).run()

    def _chosen_or_say(self) -> list[int]:
        ids = self.chosen_ids()
        if not ids:
            self.say(CONDITIONS["chosen"])
        return ids

    def cmd_highlights_colour(self, number: str) -> None:
        ids = self._chosen_or_say()
        if not ids:
            return
        colour = COLOURS[int(number) - 1]
        name = self.library.colours.name(colour)
        highlights = self.library.highlights

        def done(_changes: Changes) -> None:
            self.model.refresh(ids)
            self.say(f"{plural(len(ids), 'highlight')} coloured {name}.")

        self._change(lambda: highlights.recolour_many(ids, colour), done,
                     f"Colouring {plural(len(ids), 'highlight')} {name}…")

    def cmd_highlights_tag(self) -> None:
        ids = self._chosen_or_say()
        if not ids:
            return
        typed = TagChoice.ask(self, self.library.tags.names(), len(ids))
        if typed is None:
            return
        add, remove = parse_tag_changes(typed)
        if not (add or remove):
            self.say("No tags were given.")
            return
        highlights = self.library.highlights

        def done(changes: Changes) -> None:
            self.model.refresh(ids)
            if changes == Changes():
                self.say("They already had those tags; nothing changed.")
                return
            said = [f"added {', '.join(isolate(n) for n in add)}" if add else "",
                    f"took off {', '.join(isolate(n) for n in remove)}" if remove else ""]
            self.say(f"Tags of {plural(len(ids), 'highlight')}: "
                     f"{'; '.join(p for p in said if p)}.")

        self._change(lambda: highlights.tag_many(ids, add, remove), done,
                     f"Tagging {plural(len(ids), 'highlight')}…")

    def cmd_highlights_delete(self) -> None:
        ids = self._chosen_or_say()
        if not ids:
            return
        rows = self.chosen_rows()
        highlights = self.library.highlights
        undo = key_text(self.command_actions["highlights.undo"])

        def done(_changes: Changes) -> None:
            gone = set(ids)
            kept = [hid for hid in self.model.ids() if hid not in gone]
            self.model.set_ids(kept)
            if kept:
                self.select_rows([min(rows[0], len(kept) - 1)])
            self._update_header()
            self.say(f"Deleted {plural(len(ids), 'highlight')}."
                     + (f" {undo} brings {'it' if len(ids) == 1 else 'them'} back." if undo
                        else ""))

        self._change(lambda: highlights.delete_many(ids), done,
                     f"Deleting {plural(len(ids), 'highlight')}…")

    def cmd_highlights_undo(self) -> None:
        self._undo_or_redo(self.library.undo_stack.undo_label, self.library.undo, "undo")

    def cmd_highlights_redo(self) -> None:
        self._undo_or_redo(self.library.undo_stack.redo_label, self.library.redo, "redo")

    def _undo_or_redo(self, label: str | None, step: Callable[[], Changes | None],
                      verb: str) -> None:
        if label is None:
            self.say(f"Nothing to {verb}.")
            return

        def done(_changes: Changes) -> None:
            # What it brought back or took away is listed by the query again.
            self.reload(keep=True)
            self.say(f"{verb.capitalize()}ne: {label}.")

        self._change(step, done, f"{verb.capitalize()}ing: {label}…")

    def cmd_highlights_export(self) -> None:
        ids = self._chosen_or_say()
        if not ids:
            return
        if self._export_op is not None and self._export_op.running:
            self.say("An export is already running.")
            return
        path = ExportHighlightsFile.ask(self, self._export_path)
        if path is None:
            return
        self._export_path = path
        from reader.export.selection import SelectionExportError, export_selection

        library = self.library

        def failed(error: Exception) -> None:
            if isinstance(error, SelectionExportError | LibraryError):
                self.say(str(error))
                return
            report_error(error)

        def done(result) -> None:
            self.say(f"Exported {plural(result.highlights, 'highlight')} from "
                     f"{plural(result.articles, 'article')} to {result.path}.")

        self._export_op = QueryOp(
            self, library, lambda progress: export_selection(library, ids, path, progress)
        ).with_progress("Exporting highlights…").success(done).failure(failed).on_cancel(
            lambda: self.say("The export was cancelled.")).run()

    def cmd_highlights_open(self) -> None:
        index = self.list_view.currentIndex()
        if not index.isValid():
            self.say(CONDITIONS["chosen"])
            return
        record = self.model.record(index.row())
        if record is None:
            self.say("This highlight was deleted meanwhile.")
            return
        self._opener(Link(record.article_id, record.id))

    def cmd_highlights_query(self) -> None:
        self.query.setFocus()
        self.query.selectAll()

    def cmd_highlights_sort(self) -> None:
        self.order.setCurrentIndex((self.order.currentIndex() + 1) % self.order.count())
        self.say(f"Order: {self.order.currentText()}."
                 + (" The query's sort: decides while it has one." if self.sorted_by_query
                    else ""))

