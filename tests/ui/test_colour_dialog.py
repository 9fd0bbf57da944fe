"""The Highlight Colours dialog names the colours; Cancel keeps the old names."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from reader.annotations.colours import COLOURS
from reader.records import Changes
from reader.ui.colour_dialog import ColourNamesDialog


def _dialog(qtbot, library) -> ColourNamesDialog:
    dialog = ColourNamesDialog(library)
    qtbot.addWidget(dialog)
    return dialog


def test_one_row_per_colour_with_name_and_default_placeholder(qtbot, library):
    library.colours.rename("green", "key claim")
    dialog = _dialog(qtbot, library)
    assert dialog.windowTitle() == "Highlight Colours"
    assert list(dialog.edits) == list(COLOURS)
    assert dialog.edits["green"].text() == "key claim"
    assert dialog.edits["green"].placeholderText() == "Green"
    assert dialog.edits["yellow"].text() == "Yellow"
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isDefault()


def test_ok_saves_changed_names_and_emits_changes(qtbot, library):
    library.colours.rename("green", "key claim")
    dialog = _dialog(qtbot, library)
    dialog.edits["yellow"].setText("  question  ")
    dialog.edits["green"].clear()  # back to the default
    with qtbot.waitSignal(dialog.changed) as signal:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert signal.args == [Changes(colours=True)]
    names = [c.name for c in library.colours.all()]
    assert names == ["question", "Green", "Blue", "Pink", "Purple"]
    assert dialog.result() == ColourNamesDialog.DialogCode.Accepted


def test_ok_without_edits_emits_nothing(qtbot, library):
    dialog = _dialog(qtbot, library)
    emitted = []
    dialog.changed.connect(emitted.append)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert emitted == []
    assert dialog.result() == ColourNamesDialog.DialogCode.Accepted


def test_enter_in_a_name_field_saves(qtbot, library):
    dialog = _dialog(qtbot, library)
    with qtbot.waitExposed(dialog):
        dialog.show()
    dialog.edits["blue"].setText("source")
    with qtbot.waitSignal(dialog.changed):
        qtbot.keyClick(dialog.edits["blue"], Qt.Key.Key_Return)
    assert library.colours.name("blue") == "source"


def test_cancel_changes_nothing(qtbot, library):
    library.colours.rename("pink", "doubt")
    dialog = _dialog(qtbot, library)
    emitted = []
    dialog.changed.connect(emitted.append)
    dialog.edits["pink"].setText("certain")
    dialog.edits["purple"].setText("quote")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert emitted == []
    assert library.colours.name("pink") == "doubt"
    assert library.colours.name("purple") == "Purple"
    assert dialog.result() == ColourNamesDialog.DialogCode.Rejected
