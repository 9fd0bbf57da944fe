"""The command palette (Ctrl+K): every command, found by typing part of its name, run by Enter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLineEdit,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from reader.commands import WINDOW_INVOCATIONS, Invocation, invocation, keys_for
from reader.ui import theme
from reader.ui.popup import PopupDialog
from reader.ui.plain import plain_label, tooltip

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
COMMAND_ID_ROLE = Qt.ItemDataRole.UserRole + 2
GROUP_ROLE = Qt.ItemDataRole.UserRole + 3
KEYS_ROLE = Qt.ItemDataRole.UserRole + 4

KEY_SEPARATOR = " / "
# Below this a match is noise: "xyz" should list nothing rather than everything.
MIN_SCORE = 62.0
# A hit on the menu name ("hilite" → Highlight) counts a little less than one on the title.
GROUP_WEIGHT = 0.95
ID_WEIGHT = 0.8
VISIBLE_ROWS = 9


@dataclass(frozen=True)
class PaletteEntry:
    command_id: str  # what it runs: a command id, with its argument if any ("highlight.colour 3")
    title: str
    group: str  # the menu the command lives in
    keys: str  # display text of its bindings, joined by KEY_SEPARATOR; may be empty
    enabled: bool = True
    reason: str = ""  # why it cannot run now, when it is not enabled


def native_key_text(portable: str) -> str:
    """A key sequence in Qt's portable form ("Ctrl+Shift+Z") as this platform writes it."""
    return QKeySequence(portable).toString(QKeySequence.SequenceFormat.NativeText)


def join_keys(portable_keys: Iterable[str]) -> str:
    """Display text of several bindings; bindings that look alike ("Shift+T" in two
    contexts) are shown once."""
    shown: list[str] = []
    for key in portable_keys:
        text = native_key_text(key)
        if text and text not in shown:
            shown.append(text)
    return KEY_SEPARATOR.join(shown)


def entries_from_registry(keymap: dict[str, dict[str, str]], titles: dict[str, str] | None = None,
                          *, disabled: Iterable[str] | Mapping[str, str] = (),
                          extra: Iterable[Invocation] = ()) -> list[PaletteEntry]:
    """One entry per invocation of the main window's commands (each choice of a
    command's argument has its own: "Colour 3"), in registry order, with the keys of
    this keymap, then one for each of `extra` (invocations the registry does not list:
    showing each saved view). Commands of a dialog (the tag manager's) are left out.

    `titles` replaces the titles of some invocations (colour names, say); those in
    `disabled` are listed but cannot be run (a mapping gives the reason for each).
    """
    titles = titles or {}
    reasons = dict(disabled) if isinstance(disabled, Mapping) else dict.fromkeys(disabled, "")
    return [PaletteEntry(command_id=item.text, title=titles.get(item.text, item.title),
                         group=item.command.menu,
                         keys=join_keys(key for _context, key in keys_for(item.text, keymap)),
                         enabled=item.text not in reasons, reason=reasons.get(item.text, ""))
            for item in (*WINDOW_INVOCATIONS, *extra)]


def _is_subsequence(needle: str, haystack: str) -> bool:
    rest = iter(haystack)
    return all(char in rest for char in needle)


def match_score(query: str, entry: PaletteEntry) -> float:
    """How well an already processed query (`utils.default_process`) fits an entry.

    WRatio alone misses a misspelt word in a longer title ("hilite" for "Tag highlight"),
    so each title word is also compared on its own, and typing the start of the title,
    the starts of its words, or its letters in order earns a little extra.
    """
    from rapidfuzz import fuzz, utils  # loaded when the palette is first used

    title = utils.default_process(entry.title)
    words = title.split() or [title]
    group = utils.default_process(entry.group)
    ident = utils.default_process(entry.command_id.replace(".", " ").replace("-", " "))
    score = max(fuzz.WRatio(query, title),
                max(fuzz.ratio(query, word) for word in words),
                GROUP_WEIGHT * fuzz.WRatio(query, group),
                ID_WEIGHT * fuzz.WRatio(query, ident))
    if title.startswith(query):
        score += 10
    elif all(any(word.startswith(token) for word in words) for token in query.split()):
        score += 5  # every typed word begins a title word, in any order: "highlight tag"
    elif _is_subsequence(query.replace(" ", ""), title.replace(" ", "")):
        score += 5
    return score


def rank_entries(query: str, entries: Sequence[PaletteEntry]) -> list[PaletteEntry]:
    """The entries that match the query, best first (ties keep registry order); an empty
    query keeps them all, in their order."""
    from rapidfuzz import utils

    processed = utils.default_process(query)
    if not processed:
        return list(entries)
    scored = [(match_score(processed, entry), position, entry)
              for position, entry in enumerate(entries)]
    scored = [item for item in scored if item[0] >= MIN_SCORE]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [entry for _score, _position, entry in scored]


class CommandListModel(QAbstractListModel):
    """The palette's entries that match the current query, best match first."""

    def __init__(self, entries: Sequence[PaletteEntry] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[PaletteEntry] = list(entries)
        self._query = ""
        self._shown: list[PaletteEntry] = list(self._all)

    def query(self) -> str:
        return self._query

    def set_query(self, text: str) -> None:
        self._query = text
        self.beginResetModel()
        self._shown = rank_entries(text, self._all)
        self.endResetModel()

    def set_entries(self, entries: Sequence[PaletteEntry]) -> None:
        """Replace every entry (after keys or titles changed), keeping the query."""
        self._all = list(entries)
        self.set_query(self._query)

    def entry(self, row: int) -> PaletteEntry:
        return self._shown[row]

    def entries(self) -> list[PaletteEntry]:
        return list(self._shown)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._shown)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemNeverHasChildren
        if self._shown[index.row()].enabled:
            flags |= Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        entry = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.title
        if role == ENTRY_ROLE:
            return entry
        if role == COMMAND_ID_ROLE:
            return entry.command_id
        if role == GROUP_ROLE:
            return entry.group
        if role == KEYS_ROLE:
            return entry.keys
        if role == Qt.ItemDataRole.ToolTipRole:
            if not entry.enabled and entry.reason:
                return tooltip(entry.reason)
            try:
                return tooltip(invocation(entry.command_id).command.description or None)
            except ValueError:
                return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            parts = [entry.title, entry.group]
            if entry.keys:
                parts.append(f"shortcut {entry.keys}")
            if not entry.enabled:
                parts.append(f"unavailable: {entry.reason}" if entry.reason else "unavailable")
            return ", ".join(parts)
        return None


class CommandDelegate(QStyledItemDelegate):
    """A row: the title, the menu name muted beside it, and the keys as caps on the right.

    The row under the palette's cursor is the view's current index, not its selection:
    the focus stays in the query field, and disabled rows are not selectable.
    """

    PADDING_X = 14
    ROW_HEIGHT_EXTRA = 16
    CAP_PADDING = 6
    CAP_GAP = 5

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title_font = QFont()
        self.title_font.setPointSizeF(10.5)
        self.group_font = QFont()
        self.group_font.setPointSizeF(9)
        self.key_font = theme.code_font(8.5)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(320, QFontMetrics(self.title_font).height() + self.ROW_HEIGHT_EXTRA)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        rect: QRect = option.rect
        view = option.widget
        current = isinstance(view, QAbstractItemView) and view.currentIndex() == index
        enabled = bool(index.flags() & Qt.ItemFlag.ItemIsEnabled)
        if current:
            painter.fillRect(rect, QColor(theme.SELECTION))
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), QColor(theme.ACCENT))
        text_colour = QColor(theme.TEXT if enabled else theme.MUTED)
        muted = QColor(theme.MUTED)
        if not enabled:
            text_colour.setAlphaF(0.6)
            muted.setAlphaF(0.6)

        right = self._paint_keys(painter, rect, index.data(KEYS_ROLE) or "", muted)
        left = rect.left() + self.PADDING_X
        space = max(0, right - left - self.PADDING_X)
        title_metrics = QFontMetrics(self.title_font)
        title = title_metrics.elidedText(index.data() or "", Qt.TextElideMode.ElideRight, space)
        middle = (rect.height() + title_metrics.ascent() - title_metrics.descent()) // 2
        baseline = rect.top() + middle
        painter.setFont(self.title_font)
        painter.setPen(text_colour)
        painter.drawText(left, baseline, title)
        group = index.data(GROUP_ROLE) or ""
        used = title_metrics.horizontalAdvance(title) + 10
        if group and space - used > 30:
            group_metrics = QFontMetrics(self.group_font)
            group = group_metrics.elidedText(group, Qt.TextElideMode.ElideRight, space - used)
            painter.setFont(self.group_font)
            painter.setPen(muted)
            painter.drawText(left + used, baseline, group)
        painter.restore()

    def _paint_keys(self, painter: QPainter, rect: QRect, keys: str, colour: QColor) -> int:
        """Draws the key caps right-aligned; returns the x where they begin."""
        right = rect.right() - self.PADDING_X
        if not keys:
            return right
        metrics = QFontMetrics(self.key_font)
        cap_height = metrics.height() + 4
        top = rect.top() + (rect.height() - cap_height) // 2
        painter.setFont(self.key_font)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for key in reversed(keys.split(KEY_SEPARATOR)):
            width = metrics.horizontalAdvance(key) + 2 * self.CAP_PADDING
            cap = QRect(right - width, top, width, cap_height)
            painter.setPen(QColor(theme.SELECTION))
            painter.setBrush(QColor(theme.SIDEBAR))
            painter.drawRoundedRect(cap, 4, 4)
            painter.setPen(colour)
            painter.drawText(cap, Qt.AlignmentFlag.AlignCenter, key)
            right = cap.left() - self.CAP_GAP
        painter.setBrush(Qt.BrushStyle.NoBrush)
        return right


class CommandPalette(PopupDialog):
    """A query field over the matching commands. Typing filters, Up/Down (or Ctrl+N/P)
    move, Enter runs the current command, Esc closes with nothing chosen."""

    WIDTH = 580

    def __init__(self, entries: Sequence[PaletteEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commandPalette")
        self.setWindowTitle("Command palette")
        self.setAccessibleName("Command palette")
        # A popup look without Qt.Popup, whose input grab misbehaves in a modal exec().
        self.setWindowFlags(Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self._chosen: str | None = None
        self.model = CommandListModel(entries, self)

        self.line_edit = QLineEdit()
        self.line_edit.setObjectName("paletteQuery")
        self.line_edit.setPlaceholderText("Type a command…")
        self.line_edit.setAccessibleName("Command")
        self.line_edit.setClearButtonEnabled(False)
        self.line_edit.installEventFilter(self)
        self.line_edit.textChanged.connect(self._filter)

        self.view = QListView()
        self.view.setObjectName("paletteList")
        self.view.setAccessibleName("Matching commands")
        self.view.setModel(self.model)
        self.view.setItemDelegate(CommandDelegate(self.view))
        self.view.setUniformItemSizes(True)
        # The query keeps the focus; the list only shows where Enter will go.
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.clicked.connect(self._clicked)

        self.empty_label = plain_label("No matching commands")
        self.empty_label.setObjectName("paletteEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        self.reason_label = plain_label(clipped=True)
        self.reason_label.setObjectName("paletteReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.hide()

        frame = QFrame()
        frame.setObjectName("paletteFrame")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(8, 8, 8, 8)
        inner.setSpacing(6)
        inner.addWidget(self.line_edit)
        inner.addWidget(self.view)
        inner.addWidget(self.empty_label)
        inner.addWidget(self.reason_label)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.setStyleSheet(_style())
        self.setFixedWidth(self.WIDTH)
        self.line_edit.setFocus()
        self._filter("")

    # What was chosen -----------------------------------------------------------

    def chosen_command(self) -> str | None:
        return self._chosen

    def current_entry(self) -> PaletteEntry | None:
        index = self.view.currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    def choose_current(self) -> bool:
        """Runs the current command (accepting the dialog); False if it cannot be run."""
        entry = self.current_entry()
        if entry is None:
            return False
        if not entry.enabled:
            # Say why, under the list, rather than run it or close.
            self.reason_label.setText(entry.reason or "This command cannot run now.")
            self.reason_label.show()
            self.adjustSize()
            return False
        self._chosen = entry.command_id
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, entries: Sequence[PaletteEntry]) -> str | None:
        """Shows the palette modally; the id of the command chosen, or None."""
        palette = cls(entries, parent)
        try:
            palette.exec()
            return palette.chosen_command()
        finally:
            palette.deleteLater()

    # Moving --------------------------------------------------------------------

    def move_selection(self, step: int) -> None:
        """Moves the cursor by `step` rows, passing over commands that cannot run (as a
        menu does); it stops at the ends rather than wrapping."""
        rows = self.model.rowCount()
        if not rows:
            return
        current = self.view.currentIndex().row()
        target = current
        row = current
        direction = 1 if step > 0 else -1
        for _ in range(abs(step)):
            row += direction
            while 0 <= row < rows and not self.model.entry(row).enabled:
                row += direction
            if not 0 <= row < rows:
                break
            target = row
        if target != current:
            self._set_current(target)

    def _set_current(self, row: int) -> None:
        index = self.model.index(row)
        # Through the selection model: the view refuses a disabled row as current, and
        # the best match must be shown even when it cannot run.
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.view.scrollTo(index)

    def _filter(self, text: str) -> None:
        self.reason_label.hide()
        self.model.set_query(text)
        rows = self.model.rowCount()
        if rows:
            # The best match even if disabled: Enter then does nothing, rather than
            # running a lesser match the user did not look at.
            self._set_current(0)
        row_height = self.view.sizeHintForRow(0) if rows else 0
        frame = 2 * self.view.frameWidth()
        self.view.setFixedHeight(min(rows, VISIBLE_ROWS) * row_height + frame)
        self.view.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)
        self.adjustSize()

    def _clicked(self, index: QModelIndex) -> None:
        self._set_current(index.row())
        self.choose_current()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.line_edit and event.type() == QEvent.Type.KeyPress:
            return self._handle_key(event)
        return super().eventFilter(watched, event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        mods = event.modifiers()
        # Ctrl is Meta on macOS, where Cmd is reported as Control.
        ctrl = bool(mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier))
        if key == Qt.Key.Key_Down or (ctrl and key == Qt.Key.Key_N):
            self.move_selection(1)
        elif key == Qt.Key.Key_Up or (ctrl and key == Qt.Key.Key_P):
            self.move_selection(-1)
        elif key == Qt.Key.Key_PageDown:
            self.move_selection(VISIBLE_ROWS - 1)
        elif key == Qt.Key.Key_PageUp:
            self.move_selection(-(VISIBLE_ROWS - 1))
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.choose_current()  # on a disabled row, Enter does nothing
        else:
            return False
        return True

    # Placement -----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._place()
        self.line_edit.setFocus()

    def _place(self) -> None:
        """Centred across the parent window, a little below its top edge."""
        parent = self.parentWidget()
        if parent is None:
            return
        window = parent.window()
        top_left = window.mapToGlobal(window.rect().topLeft())
        x = top_left.x() + (window.width() - self.width()) // 2
        y = top_left.y() + max(40, window.height() // 8)
        self.move(x, y)


def _style() -> str:
    """Built when shown, so that it follows the current theme."""
    return f"""
#paletteFrame {{ background: {theme.PAPER}; border: 1px solid {theme.BORDER}; border-radius: 8px; }}
#paletteQuery {{ background: {theme.FIELD}; color: {theme.TEXT}; border: 1px solid {theme.BORDER};
                 border-radius: 5px; padding: 7px 9px; font-size: 15px;
                 selection-background-color: {theme.SELECTION}; selection-color: {theme.TEXT}; }}
#paletteQuery:focus {{ border: 1px solid {theme.ACCENT}; }}
#paletteList {{ background: {theme.PAPER}; border: none; outline: none; }}
#paletteEmpty {{ color: {theme.MUTED}; padding: 14px; }}
#paletteReason {{ color: {theme.MUTED}; padding: 2px 6px; }}
"""
