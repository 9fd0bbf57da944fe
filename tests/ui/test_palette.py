"""The command palette: its entries, fuzzy filter, model, and keyboard-only use."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from reader.commands import (
    ANYWHERE,
    COMMANDS,
    DEFAULT_KEYMAP,
    DIALOGS,
    LIST,
    READER,
    WINDOW_INVOCATIONS,
    command,
)
from reader.ui.palette import (
    COMMAND_ID_ROLE,
    ENTRY_ROLE,
    GROUP_ROLE,
    KEYS_ROLE,
    CommandListModel,
    CommandPalette,
    PaletteEntry,
    entries_from_registry,
    rank_entries,
)


def native(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def shown_ids(model: CommandListModel) -> list[str]:
    return [model.index(row).data(COMMAND_ID_ROLE) for row in range(model.rowCount())]


@pytest.fixture
def entries() -> list[PaletteEntry]:
    return entries_from_registry(DEFAULT_KEYMAP)


@pytest.fixture
def palette(qtbot, entries):
    return _palette(qtbot, entries)


def _palette(qtbot, entries) -> CommandPalette:
    palette = CommandPalette(entries)
    qtbot.addWidget(palette)
    with qtbot.waitExposed(palette):
        palette.show()
    return palette


def _current_id(palette: CommandPalette) -> str | None:
    entry = palette.current_entry()
    return entry.command_id if entry else None


# Entries ------------------------------------------------------------------------


def test_one_entry_per_command_in_registry_order_with_every_default_key(entries):
    assert [e.command_id for e in entries] == [i.text for i in WINDOW_INVOCATIONS]
    by_id = {e.command_id: e for e in entries}
    assert by_id["edit.undo"] == PaletteEntry("edit.undo", "Undo", "Edit", native("Ctrl+Z"))
    for context, bindings in DEFAULT_KEYMAP.items():
        for key, command_id in bindings.items():
            if context in DIALOGS:  # the tag manager's keys work only there
                assert command_id not in by_id
                continue
            assert native(key) in by_id[command_id].keys.split(" / "), (key, command_id)
    assert all(e.enabled for e in entries)


def test_keys_are_joined_once_each_from_the_live_keymap():
    keymap = {ANYWHERE: {"Ctrl+Z": "edit.undo", "Ctrl+U": "edit.undo"},
              LIST: {"Shift+T": "article.tag"},
              READER: {"Shift+T": "article.tag", "Y": "highlight.create"}}
    by_id = {e.command_id: e for e in entries_from_registry(keymap)}
    assert by_id["edit.undo"].keys == f"{native('Ctrl+Z')} / {native('Ctrl+U')}"
    assert by_id["article.tag"].keys == native("Shift+T")  # bound in two contexts, shown once
    assert by_id["highlight.create"].keys == native("Y")
    assert by_id["tags.manage"].keys == ""


def test_a_rebinding_shows_up_and_titles_can_be_replaced():
    keymap = copy.deepcopy(DEFAULT_KEYMAP)
    del keymap[READER]["H"]
    keymap[READER]["Y"] = "highlight.create"
    entries = entries_from_registry(keymap, {"highlight.colour 2": "Key claim"},
                                    disabled={"edit.redo"})
    by_id = {e.command_id: e for e in entries}
    assert native("Y") in by_id["highlight.create"].keys.split(" / ")
    assert native("H") not in by_id["highlight.create"].keys.split(" / ")
    assert by_id["highlight.colour 2"].title == "Key claim"
    assert by_id["edit.redo"].enabled is False
    assert by_id["edit.undo"].enabled is True


# Fuzzy filter -------------------------------------------------------------------


def test_model_passes_qt_model_tester(qtmodeltester, entries):
    model = CommandListModel(entries)
    qtmodeltester.check(model, force_py=True)
    model.set_query("hi")
    qtmodeltester.check(model, force_py=True)


def test_empty_query_lists_every_command_in_registry_order(entries):
    model = CommandListModel(entries)
    model.set_query("undo")
    model.set_query("")
    assert shown_ids(model) == [i.text for i in WINDOW_INVOCATIONS]


def test_a_misspelled_word_finds_the_highlight_commands_first(entries):
    model = CommandListModel(entries)
    model.set_query("hilite")
    assert model.rowCount() >= 5
    titles = {e.command_id: e.title.lower() for e in entries}
    assert all("highlight" in titles[cid] for cid in shown_ids(model)[:5])
    assert "app.quit" not in shown_ids(model)[:8]


def test_an_exact_title_ranks_first(entries):
    model = CommandListModel(entries)
    model.set_query("undo")
    assert shown_ids(model)[0] == "edit.undo"
    model.set_query("Colour 3")
    assert shown_ids(model)[0] == "highlight.colour 3"
    model.set_query("manage")
    assert shown_ids(model)[0] == "tags.manage"


def test_the_menu_name_matches_too(entries):
    # No title says "File"; its menu does, so the File commands come first.
    ranked = rank_entries("file", entries)
    in_file = [e.command_id for e in entries if e.group == "File"]
    assert sorted(e.command_id for e in ranked[:len(in_file)]) == sorted(in_file)
    assert "app.quit" in in_file


def test_nonsense_matches_nothing(entries):
    model = CommandListModel(entries)
    model.set_query("zzqx")
    assert model.rowCount() == 0


def test_roles_and_flags():
    entries = [PaletteEntry("edit.undo", "Undo", "Edit", "Ctrl+Z"),
               PaletteEntry("edit.redo", "Redo", "Edit", "Ctrl+Shift+Z", enabled=False),
               PaletteEntry("article.open", "Open article", "Article", "")]
    model = CommandListModel(entries)
    undo, redo, article = (model.index(row) for row in range(3))
    assert undo.data() == "Undo"
    assert undo.data(ENTRY_ROLE) == entries[0]
    assert undo.data(COMMAND_ID_ROLE) == "edit.undo"
    assert undo.data(GROUP_ROLE) == "Edit"
    assert undo.data(KEYS_ROLE) == "Ctrl+Z"
    assert undo.flags() & Qt.ItemFlag.ItemIsEnabled
    assert not redo.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "unavailable" in redo.data(Qt.ItemDataRole.AccessibleTextRole)
    assert "unavailable" not in undo.data(Qt.ItemDataRole.AccessibleTextRole)
    assert article.data(Qt.ItemDataRole.ToolTipRole) == command("article.open").description


# The dialog, by keyboard -----------------------------------------------------------


def test_the_palette_looks_like_a_palette(palette):
    assert palette.objectName() == "commandPalette"
    assert palette.line_edit.placeholderText() == "Type a command…"
    assert palette.line_edit.hasFocus()
    assert _current_id(palette) == COMMANDS[0].id
    assert not palette.grab().isNull()  # the delegate paints without complaint


def test_type_down_enter_runs_the_second_match(qtbot, palette):
    qtbot.keyClicks(palette.line_edit, "tag")
    first, second = shown_ids(palette.model)[:2]
    assert {first, second} == {"article.tag", "highlight.tag"}
    assert _current_id(palette) == first
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Down)
    assert palette.line_edit.hasFocus()
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Return)
    assert palette.result() == CommandPalette.DialogCode.Accepted
    assert palette.chosen_command() == second
    assert not palette.isVisible()


def test_ctrl_n_and_ctrl_p_move_and_stop_at_the_ends(qtbot, palette):
    ids = [c.id for c in COMMANDS]
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert _current_id(palette) == ids[0]
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert _current_id(palette) == ids[2]
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Up)
    assert _current_id(palette) == ids[1]
    assert palette.line_edit.text() == ""  # the keys moved, they did not type


def test_each_filter_selects_the_first_row_again(qtbot, palette):
    qtbot.keyClicks(palette.line_edit, "highlight")
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Down)
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Down)
    assert palette.view.currentIndex().row() == 2
    qtbot.keyClicks(palette.line_edit, " tag")
    assert palette.view.currentIndex().row() == 0
    assert _current_id(palette) == "highlight.tag"


def test_escape_closes_with_nothing_chosen(qtbot, palette):
    qtbot.keyClicks(palette.line_edit, "undo")
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Escape)
    assert not palette.isVisible()
    assert palette.result() == CommandPalette.DialogCode.Rejected
    assert palette.chosen_command() is None


def test_a_disabled_command_cannot_be_chosen(qtbot):
    entries = entries_from_registry(DEFAULT_KEYMAP, disabled={"edit.undo"})
    palette = _palette(qtbot, entries)
    qtbot.keyClicks(palette.line_edit, "undo")
    assert _current_id(palette) == "edit.undo"  # shown, best match, greyed
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Return)
    assert palette.isVisible()
    assert palette.chosen_command() is None
    index = palette.model.index(0)
    qtbot.mouseClick(palette.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=palette.view.visualRect(index).center())
    assert palette.chosen_command() is None


def test_moving_passes_over_disabled_commands(qtbot):
    ids = [c.id for c in COMMANDS]
    entries = entries_from_registry(DEFAULT_KEYMAP, disabled=ids[1:3])
    palette = _palette(qtbot, entries)
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Down)
    assert _current_id(palette) == ids[3]
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Up)
    assert _current_id(palette) == ids[0]
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Down)
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Return)
    assert palette.chosen_command() == ids[3]


def test_clicking_a_row_runs_it(qtbot, palette):
    qtbot.keyClicks(palette.line_edit, "note")
    row = shown_ids(palette.model).index("highlight.note")
    rect = palette.view.visualRect(palette.model.index(row))
    qtbot.mouseClick(palette.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert palette.chosen_command() == "highlight.note"


def test_no_match_shows_a_hint_and_enter_does_nothing(qtbot, palette):
    qtbot.keyClicks(palette.line_edit, "zzqx")
    assert palette.empty_label.isVisible()
    assert not palette.view.isVisible()
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Return)
    assert palette.isVisible()
    assert palette.chosen_command() is None


def test_ask_returns_the_chosen_id_or_none(qtbot, monkeypatch, entries):
    def run(self):
        self.line_edit.setText("redo")
        self.choose_current()
        return self.result()

    monkeypatch.setattr(CommandPalette, "exec", run)
    assert CommandPalette.ask(None, entries) == "edit.redo"
    monkeypatch.setattr(CommandPalette, "exec", lambda self: self.reject())
    assert CommandPalette.ask(None, entries) is None
