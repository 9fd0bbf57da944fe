"""The `?` cheat sheet shows the live key bindings, by context, and closes by keyboard."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from reader.commands import (
    ANYWHERE,
    CONTEXTS,
    DEFAULT_KEYMAP,
    INVOCATIONS,
    LIST,
    READER,
    command,
    invocation,
)
from reader.ui.cheat_sheet import CheatSheet, cheat_sheet_sections


def native(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def rebound_keymap() -> dict[str, dict[str, str]]:
    """The defaults with Highlight moved from H to Shift+H and Delete highlight unbound."""
    keymap = copy.deepcopy(DEFAULT_KEYMAP)
    del keymap[READER]["H"]
    keymap[READER]["Shift+H"] = "highlight.create"
    for bindings in keymap.values():
        for key in [k for k, bound in bindings.items() if bound == "highlight.delete"]:
            del bindings[key]
    return keymap


HIGHLIGHT = command("highlight.create").title
DELETE_HIGHLIGHT = command("highlight.delete").title


def _sheet(qtbot, keymap) -> CheatSheet:
    sheet = CheatSheet(keymap)
    qtbot.addWidget(sheet)
    with qtbot.waitExposed(sheet):
        sheet.show()
    return sheet


def test_sections_group_by_context_in_order_and_rows_in_registry_order(qapp):
    # Keymap and bindings deliberately out of order; the list context binds nothing.
    keymap = {READER: {"X": "highlight.delete", "H": "highlight.create",
                       "J": "reader.next-paragraph", "Down": "reader.next-paragraph"},
              LIST: {},
              ANYWHERE: {"Ctrl+Z": "edit.undo", "Ctrl+Q": "app.quit"}}
    assert cheat_sheet_sections(keymap) == [
        ("Anywhere", [(native("Ctrl+Q"), "Quit"), (native("Ctrl+Z"), "Undo")]),
        ("Reading pane", [(f"{native('J')} / {native('Down')}", "Next paragraph"),
                          (native("H"), HIGHLIGHT),
                          (native("X"), DELETE_HIGHLIGHT)]),
    ]


def test_the_default_keymap_shows_every_binding_once_under_its_context(qapp):
    sections = cheat_sheet_sections(DEFAULT_KEYMAP)
    assert [title for title, _rows in sections] == ["Anywhere", "Article list", "Reading pane",
                                                     "Saved views", "Review", "Manage Tags",
                                                     "All highlights"]
    for (title, rows), context in zip(sections, CONTEXTS, strict=True):
        bound = {cmd for cmd in DEFAULT_KEYMAP[context].values()}
        assert [t for _keys, t in rows] == [i.title for i in INVOCATIONS if i.text in bound], title
        keys_by_title = dict((t, keys.split(" / ")) for keys, t in rows)
        for key, command_id in DEFAULT_KEYMAP[context].items():
            assert native(key) in keys_by_title[invocation(command_id).title]


def test_a_rebound_key_appears_and_an_unbound_command_disappears(qapp):
    reading = dict(cheat_sheet_sections(rebound_keymap()))["Reading pane"]
    assert (native("Shift+H"), HIGHLIGHT) in reading
    assert (native("H"), HIGHLIGHT) not in reading
    everywhere = [t for _section, rows in cheat_sheet_sections(rebound_keymap()) for _k, t in rows]
    assert DELETE_HIGHLIGHT not in everywhere
    default_reading = dict(cheat_sheet_sections(DEFAULT_KEYMAP))["Reading pane"]
    assert DELETE_HIGHLIGHT in [t for _k, t in default_reading]


def test_titles_can_be_replaced(qapp):
    sections = cheat_sheet_sections(DEFAULT_KEYMAP, {"highlight.colour 1": "Question"})
    assert (native("1"), "Question") in dict(sections)["Reading pane"]


def test_the_dialog_shows_the_live_bindings(qtbot):
    sheet = _sheet(qtbot, rebound_keymap())
    assert sheet.objectName() == "cheatSheet"
    assert sheet.windowTitle() == "Keyboard shortcuts"
    texts = [label.text() for label in sheet.findChildren(QLabel)]
    caps = [label.text() for label in sheet.findChildren(QLabel, "keyCap")]
    assert {"Anywhere", "Article list", "Reading pane"} <= set(texts)
    assert native("Shift+H") in caps
    assert caps.count(native("X")) == 1  # the review's "never again" only
    assert HIGHLIGHT in texts
    assert DELETE_HIGHLIGHT not in texts


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Question, Qt.Key.Key_Return])
def test_the_sheet_closes_on_escape_question_mark_and_enter(qtbot, key):
    sheet = _sheet(qtbot, DEFAULT_KEYMAP)
    assert sheet.scroll_area.hasFocus()
    qtbot.keyClick(sheet.scroll_area, Qt.Key.Key_Down)  # scrolls, does not close
    qtbot.keyClick(sheet.scroll_area, Qt.Key.Key_H)
    assert sheet.isVisible()
    qtbot.keyClick(sheet.scroll_area, key)
    assert not sheet.isVisible()


def test_the_key_bound_to_the_sheet_closes_it_too(qtbot):
    keymap = copy.deepcopy(DEFAULT_KEYMAP)
    keymap[ANYWHERE]["F1"] = "view.cheat-sheet"
    keymap[ANYWHERE]["Ctrl+Shift+H"] = "view.cheat-sheet"
    for key, modifiers in ((Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier),
                           (Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier
                            | Qt.KeyboardModifier.ShiftModifier)):
        sheet = _sheet(qtbot, keymap)
        qtbot.keyClick(sheet.scroll_area, Qt.Key.Key_F2)  # not bound to it: stays open
        assert sheet.isVisible()
        qtbot.keyClick(sheet.scroll_area, key, modifiers)
        assert not sheet.isVisible()


def test_show_for_runs_it_modally_with_the_given_keymap(qtbot, monkeypatch):
    shown = []

    def run(self):
        shown.append([label.text() for label in self.findChildren(QLabel, "keyCap")])
        return 0

    monkeypatch.setattr(CheatSheet, "exec", run)
    CheatSheet.show_for(None, rebound_keymap())
    assert len(shown) == 1 and native("Shift+H") in shown[0]
