"""The "Highlight Colours" dialog: the names the user gives the five highlight colours."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reader.annotations.colours import Colour
from reader.library import Library
from reader.records import Changes
from reader.ui import theme
from reader.ui.plain import plain_label

NAME_MAX_LENGTH = 40


class ColourNamesDialog(QDialog):
    """One row per colour: swatch, key number, name. OK saves the changed names and emits
    `changed(Changes(colours=True))` if any changed; Cancel changes nothing."""

    changed = Signal(object)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Highlight Colours")
        self.setMinimumWidth(380)
        self._colours: list[Colour] = library.colours.all()
        self.edits: dict[str, QLineEdit] = {}

        intro = plain_label("Name the highlight colours after what you use them for. "
                       "The number is the colour's key while reading.")
        intro.setWordWrap(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setColumnStretch(2, 1)
        for row, colour in enumerate(self._colours):
            swatch = QFrame()
            swatch.setFixedSize(22, 22)
            # Inline, so that no stylesheet rule for frames can repaint the swatch.
            swatch.setStyleSheet(f"background: {colour.hex}; border: 1px solid {theme.MUTED};"
                                 " border-radius: 4px;")
            swatch.setAccessibleName(f"{colour.key.capitalize()} swatch")
            edit = QLineEdit(colour.name)
            edit.setObjectName(f"colourName_{colour.key}")
            edit.setPlaceholderText(colour.key.capitalize())
            edit.setMaxLength(NAME_MAX_LENGTH)
            edit.setClearButtonEnabled(True)
            edit.setAccessibleName(f"Name of colour {colour.number} ({colour.key})")
            edit.setToolTip("Leave empty for the default name")
            number = plain_label(f"&{colour.number}")
            number.setBuddy(edit)  # Alt+number jumps to the row
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(swatch, row, 0)
            grid.addWidget(number, row, 1)
            grid.addWidget(edit, row, 2)
            self.edits[colour.key] = edit

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.buttons)
        if self._colours:
            first = self.edits[self._colours[0].key]
            first.setFocus()
            first.selectAll()

    def accept(self) -> None:
        if self.save():
            self.changed.emit(Changes(colours=True))
        super().accept()

    def save(self) -> bool:
        """Store every name that differs from what is stored; True if any did."""
        changed = False
        for colour in self._colours:
            name = " ".join(self.edits[colour.key].text().split())
            if (name or colour.key.capitalize()) != colour.name:
                # The core stores no name for an empty one: the default comes back.
                self.library.colours.rename(colour.key, name)
                changed = True
        return changed
