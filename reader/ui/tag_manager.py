"""The "Manage Tags" dialog: every tag with its count, to rename, merge or delete."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader.commands import DEFAULT_KEYMAP, TAG_MANAGER
from reader.library import Library, LibraryError
from reader.records import Changes, TagCount
from reader.annotations.tags import normalise
from reader.ui.actions import dialog_actions, key_text, update_dialog_actions
from reader.ui.operations import QueryOp, report_error
from reader.ui.tag_sidebar import COUNT_ROLE, TAG_ROLE, TagCountDelegate, count_phrase
from reader.ui.plain import ask_text, isolate, message_box, plain_label, tooltip, warn

OWN_ROLE = Qt.ItemDataRole.UserRole + 3  # False for a parent that exists only through its children
TITLE = "Manage Tags"


class TagListModel(QAbstractListModel):
    """Every tag by its full name, implied parents included, with its article count.

    The names are listed at once; the counts, which read every tagging in the library
    (seconds at 100,000 articles from a cold disk), follow from a thread (`counted`)."""

    counted = Signal()

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self._library = library
        self._rows: list[TagCount] = []
        self._own: set[str] = set()
        self._counts: QueryOp | None = None
        self.counting = False
        self._load()

    def _load(self) -> None:
        self._rows = [TagCount(name, None) for name in self._library.tags.tree()]
        self._own = {name.casefold() for name in self._library.tags.names()}
        if self._counts is not None:
            self._counts.cancel()
        self.counting = True
        self._counts = QueryOp(self, self._library, self._library.tags.counts).success(
            self._apply_counts).failure(self._count_failed).run()

    def _count_failed(self, error: Exception) -> None:
        self.counting = False
        report_error(error)

    def _apply_counts(self, counts: list[TagCount]) -> None:
        found = {c.name.casefold(): c.count for c in counts}
        # A tag added since the names were read is counted by the next reload.
        self._rows = [TagCount(row.name, found.get(row.name.casefold(), 0)) for row in self._rows]
        self.counting = False
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1),
                                  [COUNT_ROLE, Qt.ItemDataRole.AccessibleTextRole,
                                   Qt.ItemDataRole.ToolTipRole])
        self.counted.emit()

    def reload(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        own = row.name.casefold() in self._own
        if role in (Qt.ItemDataRole.DisplayRole, TAG_ROLE):
            return row.name
        if role == COUNT_ROLE:
            return row.count
        if role == OWN_ROLE:
            return own
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.name}, {count_phrase(row.count)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if own:
                return tooltip(f"{row.name} — {count_phrase(row.count)}")
            return tooltip(f"{row.name} — only through the tags nested under it")
        if role == Qt.ItemDataRole.FontRole and not own:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def row_of(self, name: str) -> int | None:
        """The row of this tag, ignoring case."""
        key = name.casefold()
        return next((r for r, row in enumerate(self._rows) if row.name.casefold() == key), None)


def _with_key(tip: str, action: QAction) -> str:
    key = key_text(action)
    return f"{tip} ({key})" if key else tip


class TagManagerDialog(QDialog):
    """Lists the tags; Rename… (F2) renames or merges, Delete… (Del) deletes. Emits
    `changed(Changes)` after each change that was made. The keys are the keymap's
    (`tag-manager` context); without a keymap, the default one."""

    changed = Signal(object)

    def __init__(self, library: Library, parent: QWidget | None = None,
                 keymap: dict[str, dict[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle(TITLE)
        self.resize(420, 440)

        self.model = TagListModel(library, self)
        self.list_view = QListView()
        self.list_view.setObjectName("tagManagerList")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(TagCountDelegate(self.list_view))
        self.list_view.setUniformItemSizes(True)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setAccessibleName("Tags")

        # The keys of the registry's tag-manager context (F2, Del), acting on the list
        # only while it has the focus, so they stay local.
        keymap = DEFAULT_KEYMAP if keymap is None else keymap
        actions = dialog_actions(self, self.list_view, TAG_MANAGER, keymap)
        self.command_actions = actions  # by invocation; not QWidget.actions()
        self.rename_action = actions["tag-manager.rename"]
        self.delete_action = actions["tag-manager.delete"]
        self.list_view.doubleClicked.connect(lambda _index: self.rename_selected())

        self.rename_button = QPushButton("&Rename…")
        self.rename_button.setToolTip(tooltip(_with_key(self.rename_action.statusTip(),
                                                        self.rename_action)))
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setToolTip(tooltip(_with_key(self.delete_action.statusTip(),
                                                        self.delete_action)))
        self.delete_button.clicked.connect(self.delete_selected)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        # Enter in the list must not close the dialog by pressing a default button.
        for button in (self.rename_button, self.delete_button,
                       self.buttons.button(QDialogButtonBox.StandardButton.Close)):
            button.setAutoDefault(False)
            button.setDefault(False)

        self.hint = plain_label(clipped=True)
        self.hint.setObjectName("dialogHint")
        self.hint.setWordWrap(True)

        side = QVBoxLayout()
        side.addWidget(self.rename_button)
        side.addWidget(self.delete_button)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.list_view, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)

        self.list_view.selectionModel().currentChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        if self.model.rowCount():
            self.select(self.model.data(self.model.index(0), TAG_ROLE))
        self._update_actions()
        self.list_view.setFocus()

    # --- hooks tests replace ------------------------------------------------------------
    @classmethod
    def ask_new_name(cls, parent: QWidget, old: str) -> str | None:
        """The new name the user typed for tag `old`, or None if they cancelled."""
        return ask_text(parent, "Rename Tag", f"New name for '{isolate(old)}':", old)

    @classmethod
    def confirm(cls, parent: QWidget, title: str, text: str) -> bool:
        box = message_box(QMessageBox.Icon.Question, title, text, parent=parent,
                          buttons=QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Ok

    @classmethod
    def show_error(cls, parent: QWidget, text: str) -> None:
        warn(parent, TITLE, text)

    # --- selection ----------------------------------------------------------------------
    def selected_tag(self) -> str | None:
        index = self.list_view.currentIndex()
        return index.data(TAG_ROLE) if index.isValid() else None

    def select(self, name: str) -> bool:
        row = self.model.row_of(name)
        if row is None:
            return False
        index = self.model.index(row)
        self.list_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list_view.scrollTo(index)
        return True

    def _selected_is_own(self) -> bool:
        index = self.list_view.currentIndex()
        return index.isValid() and bool(index.data(OWN_ROLE))

    def condition_holds(self, name: str) -> bool:
        """Whether a registry condition of the dialog's commands holds now. A parent
        known only through its children can be renamed (they move with it), but there
        is no tag of its own to delete."""
        if name == "tag":
            return self.selected_tag() is not None
        if name == "own-tag":
            return self._selected_is_own()
        if name == "writable":
            return self.library.read_only is None and self.library.damaged is None
        raise KeyError(f"the tag manager cannot tell whether {name!r} holds")

    def _update_actions(self, *_args) -> None:
        own = self._selected_is_own()
        update_dialog_actions(self.command_actions, self.condition_holds)
        self.rename_button.setEnabled(self.rename_action.isEnabled())
        self.delete_button.setEnabled(self.delete_action.isEnabled())
        tag = self.selected_tag()
        if not self.model.rowCount():
            self.hint.setText("No tags yet. Tags you give articles or highlights appear here.")
        elif tag is not None and not own:
            self.hint.setText(f"'{isolate(tag)}' has no articles of its own: renaming it moves the tags "
                              "nested under it; delete those one by one.")
        else:
            rename, delete = key_text(self.rename_action), key_text(self.delete_action)
            said = ", ".join(part for part in (
                f"{rename} renames the selected tag" if rename else "",
                f"{delete} deletes it" if delete else "") if part)
            self.hint.setText(f"{said[0].upper()}{said[1:]}." if said else "")

    # --- actions ------------------------------------------------------------------------
    def cmd_tag_manager_rename(self) -> None:
        self.rename_selected()

    def cmd_tag_manager_delete(self) -> None:
        self.delete_selected()

    def rename_selected(self) -> None:
        """Ask for a new name; onto another existing tag, confirm a merge first."""
        old = self.selected_tag()
        if old is None:
            return
        new = self.ask_new_name(self, old)
        if new is None or normalise(new) == old:
            return
        existing = self.library.tags.find(new)
        old_shown, existing_shown = isolate(old), isolate(existing or "")
        if existing is not None and existing.casefold() != old.casefold():
            text = (f"'{old_shown}' will be merged into the existing tag '{existing_shown}'. "
                    f"Articles and highlights tagged '{old_shown}' will be tagged "
                    f"'{existing_shown}' "
                    "instead, and tags nested under them are merged too. This cannot be undone.")
            if not self.confirm(self, "Merge Tags", text):
                return
        try:
            changes = self.library.tags.rename(old, new)
        except LibraryError as exc:
            self.show_error(self, str(exc))
            return
        self._after_change(changes, normalise(new))

    def delete_selected(self) -> None:
        """Confirm, saying how many articles carry the tag, then delete it."""
        name = self.selected_tag()
        index = self.list_view.currentIndex()
        if name is None or not self._selected_is_own():
            return
        count = index.data(COUNT_ROLE)
        if count is None:  # the counts are still being read: count this one
            count = self.library.tags.count(name)
        shown = isolate(name)
        nested = any(self.model.data(self.model.index(r), TAG_ROLE).casefold()
                     .startswith(name.casefold() + "/") for r in range(self.model.rowCount()))
        if nested:
            # The count includes the nested tags, which a delete leaves in place.
            text = (f"'{shown}' and the tags nested under it are on {count_phrase(count)}. "
                    f"'{shown}' itself will be removed from every article and highlight; "
                    "the nested tags stay. This cannot be undone.")
        else:
            text = (f"'{shown}' is on {count_phrase(count)}. It will be removed from every "
                    "article and highlight. This cannot be undone.")
        if not self.confirm(self, "Delete Tag", text):
            return
        try:
            changes = self.library.tags.delete(name)
        except LibraryError as exc:
            self.show_error(self, str(exc))
            return
        row = index.row()
        self._after_change(changes, None, row)

    def _after_change(self, changes: Changes, select: str | None, row: int = 0) -> None:
        self.model.reload()
        if not (select and self.select(select)) and self.model.rowCount():
            # The tag is gone: stay near where it was.
            row = min(row, self.model.rowCount() - 1)
            self.select(self.model.data(self.model.index(row), TAG_ROLE))
        self._update_actions()
        self.changed.emit(changes)
