"""The `?` overlay: every key binding of the live keymap, grouped by where it works."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reader.commands import (
    CONTEXT_TITLES,
    CONTEXTS,
    INVOCATIONS,
    invocation,
    invocation_problem,
    keys_for,
    normal_key,
)
from reader.ui import theme
from reader.ui.popup import PopupDialog
from reader.ui.palette import KEY_SEPARATOR, join_keys
from reader.ui.plain import plain_label

SECTION_TITLES = CONTEXT_TITLES
CHEAT_SHEET = "view.cheat-sheet"

Section = tuple[str, list[tuple[str, str]]]


def cheat_sheet_sections(keymap: dict[str, dict[str, str]],
                         titles: dict[str, str] | None = None) -> list[Section]:
    """(section title, [(keys, command title)]) for each context of the keymap, in
    CONTEXTS order; rows follow the registry's order (each argument of a command has its
    own row: "Colour 3"), and an invocation's several keys in one context share a row.
    Contexts with no bindings are left out. Invocations the registry does not list (a
    saved view's, "view.show Inbox") follow the registry's, in the keymap's order.

    `titles` replaces some invocations' titles (the colours' own names, say).
    """
    titles = titles or {}
    listed = {item.text for item in INVOCATIONS}
    sections: list[Section] = []
    for context in CONTEXTS:
        bindings = keymap.get(context, {})
        rows = []
        for item in INVOCATIONS:
            keys = join_keys(key for key, bound in bindings.items() if bound == item.text)
            if keys:
                rows.append((keys, titles.get(item.text, item.title)))
        extra = [bound for bound in dict.fromkeys(bindings.values())
                 if bound not in listed and invocation_problem(bound) is None]
        for text in extra:
            keys = join_keys(key for key, bound in bindings.items() if bound == text)
            rows.append((keys, titles.get(text, invocation(text).title)))
        if rows:
            sections.append((SECTION_TITLES[context], rows))
    return sections


def _columns(sections: list[Section], count: int) -> list[list[Section]]:
    """Splits the sections, in order, into at most `count` columns of similar height."""
    total = sum(len(rows) + 2 for _title, rows in sections)  # a heading is worth ~2 rows
    target = -(-total // max(count, 1))
    columns: list[list[Section]] = [[]]
    height = 0
    for section in sections:
        size = len(section[1]) + 2
        if columns[-1] and height + size > target and len(columns) < count:
            columns.append([])
            height = 0
        columns[-1].append(section)
        height += size
    return columns


class CheatSheet(PopupDialog):
    """The key bindings it is given, in columns by context. Esc, `?` or Enter close it;
    the arrow and page keys scroll it."""

    MAX_COLUMNS = 2

    def __init__(self, keymap: dict[str, dict[str, str]], parent: QWidget | None = None,
                 titles: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cheatSheet")
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.setWindowFlags(Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.sections = cheat_sheet_sections(keymap, titles)
        self._opening_keys = {normal_key(key) for _context, key in keys_for(CHEAT_SHEET, keymap)}

        heading = plain_label("Keyboard shortcuts")
        heading.setObjectName("cheatSheetHeading")
        hint = plain_label("Press ? or Esc to close")
        hint.setObjectName("cheatSheetHint")
        header = QHBoxLayout()
        header.addWidget(heading)
        header.addStretch(1)
        header.addWidget(hint)

        body = QWidget()
        body.setObjectName("cheatSheetBody")
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(36)
        for column_sections in _columns(self.sections, self.MAX_COLUMNS):
            columns.addLayout(self._column(column_sections), 1)
        if not self.sections:
            empty = plain_label("No keys are bound.")
            empty.setObjectName("cheatSheetHint")
            columns.addWidget(empty)

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("cheatSheetScroll")
        self.scroll_area.setAccessibleName("Key bindings")
        self.scroll_area.setWidget(body)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        frame = QFrame()
        frame.setObjectName("cheatSheetFrame")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(24, 18, 24, 20)
        inner.setSpacing(14)
        inner.addLayout(header)
        inner.addWidget(self.scroll_area)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.setStyleSheet(_style())
        # Sizes are only right once the stylesheet's paddings apply to the children.
        self.ensurePolished()
        self._fit(body)
        self.scroll_area.setFocus()

    def _column(self, sections: list[Section]) -> QVBoxLayout:
        # One grid for the whole column, so that its sections' key caps line up.
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(5)
        grid.setColumnStretch(1, 1)
        row = 0
        for title, rows in sections:
            label = plain_label(title)
            label.setObjectName("cheatSheetSection")
            grid.addWidget(label, row, 0, 1, 2)
            row += 1
            for keys, command_title in rows:
                grid.addLayout(self._key_caps(keys), row, 0, Qt.AlignmentFlag.AlignRight)
                name = plain_label(command_title)
                name.setObjectName("cheatSheetTitle")
                name.setAccessibleName(f"{command_title}: {keys}")
                grid.addWidget(name, row, 1)
                row += 1
            grid.setRowMinimumHeight(row, 12)  # air before the next heading
            row += 1
        column = QVBoxLayout()
        column.addLayout(grid)
        column.addStretch(1)
        return column

    def _key_caps(self, keys: str) -> QHBoxLayout:
        caps = QHBoxLayout()
        caps.setSpacing(4)
        for position, key in enumerate(keys.split(KEY_SEPARATOR)):
            if position:
                slash = plain_label("/")
                slash.setObjectName("cheatSheetHint")
                caps.addWidget(slash)
            cap = plain_label(key)
            cap.setObjectName("keyCap")
            cap.setFont(theme.code_font(9.5))
            cap.setAccessibleName(f"Key {key}")
            caps.addWidget(cap)
        return caps

    def _fit(self, body: QWidget) -> None:
        """As large as the bindings need, within most of the parent window."""
        # The layout cached its size before the stylesheet reached the labels.
        body.layout().invalidate()
        body.layout().activate()
        wanted = body.sizeHint()
        width = max(560, wanted.width() + 80)
        height = wanted.height() + 110
        parent = self.parentWidget()
        if parent is not None:
            window = parent.window()
            width = min(width, max(360, int(window.width() * 0.9)))
            height = min(height, max(260, int(window.height() * 0.85)))
        self.resize(width, height)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # The dialog's own keys, like Esc in any dialog: ? and Enter close it, and so does
        # any key the keymap binds to showing it (the key that opened it).
        pressed = normal_key(QKeySequence(event.keyCombination()).toString())
        if (event.key() in (Qt.Key.Key_Question, Qt.Key.Key_Return, Qt.Key.Key_Enter)
                or event.text() == "?" or pressed in self._opening_keys):
            self.accept()
            return
        super().keyPressEvent(event)  # Esc rejects

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        parent = self.parentWidget()
        if parent is not None:
            window = parent.window()
            centre = window.mapToGlobal(window.rect().center())
            self.move(centre.x() - self.width() // 2, centre.y() - self.height() // 2)
        self.scroll_area.setFocus()

    @classmethod
    def show_for(cls, parent: QWidget | None, keymap: dict[str, dict[str, str]],
                 titles: dict[str, str] | None = None) -> None:
        """Shows the bindings of `keymap` modally until the user closes them."""
        sheet = cls(keymap, parent, titles)
        try:
            sheet.exec()
        finally:
            sheet.deleteLater()


def _style() -> str:
    """Built when shown, so that it follows the current theme."""
    return f"""
#cheatSheetFrame {{ background: {theme.PAPER}; border: 1px solid {theme.BORDER}; border-radius: 10px; }}
#cheatSheetScroll, #cheatSheetBody {{ background: {theme.PAPER}; }}
#cheatSheetScroll:focus {{ border: none; }}
#cheatSheetHeading {{ color: {theme.TEXT}; font-size: 17px; font-weight: 600; }}
#cheatSheetHint {{ color: {theme.MUTED}; }}
#cheatSheetSection {{ color: {theme.ACCENT}; font-size: 11px; font-weight: 600;
                      padding-top: 2px; border-bottom: 1px solid {theme.SELECTION};
                      padding-bottom: 3px; }}
#cheatSheetTitle {{ color: {theme.TEXT}; }}
#keyCap {{ background: {theme.SIDEBAR}; color: {theme.TEXT}; border: 1px solid {theme.BORDER};
           border-bottom: 2px solid {theme.BORDER}; border-radius: 4px; padding: 1px 6px; }}
"""
