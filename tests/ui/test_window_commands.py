"""The registry in the real window: commands with an argument in the menus, the palette
and the cheat sheet, each variant under its own (live) title."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reader.commands import WINDOW_INVOCATIONS
from reader.records import Changes
from reader.ui import theme
from reader.ui.cheat_sheet import CheatSheet, cheat_sheet_sections
from reader.ui.palette import CommandPalette


def _menu_titles(window, name: str) -> list[str]:
    return [action.text() for action in window.actions.menus[name].actions()]


def test_every_invocation_has_one_menu_item(show_window, seeded_library):
    window = show_window(seeded_library)
    assert list(window.actions.menu_actions) == [i.text for i in WINDOW_INVOCATIONS]
    for item in WINDOW_INVOCATIONS:
        assert window.actions.menu_actions[item.text].data() == item.text


def test_the_colours_are_listed_under_the_names_the_user_gave_them(show_window, seeded_library):
    seeded_library.colours.rename("blue", "Question")
    window = show_window(seeded_library)
    titles = _menu_titles(window, "Highlight")
    assert "Colour 3: Question" in titles and "Colour 1: Yellow" in titles
    assert window.actions.menu_actions["highlight.colour 3"].shortcut().toString() == "3"
    seeded_library.colours.rename("blue", "Source")
    window.apply_changes(Changes(colours=True))
    assert window.actions.menu_actions["highlight.colour 3"].text() == "Colour 3: Source"


def test_the_palette_and_cheat_sheet_show_each_colour_and_run_it(show_window, seeded_library,
                                                                 monkeypatch):
    seeded_library.colours.rename("pink", "Doubt")
    window = show_window(seeded_library)
    seen = {}

    def ask(_parent, entries):
        seen.update({e.command_id: e.title for e in entries})
        return "view.theme dark"

    monkeypatch.setattr(CommandPalette, "ask", ask)
    shown = {}
    monkeypatch.setattr(CheatSheet, "show_for",
                        lambda _parent, keymap, titles: shown.update(
                            dict(cheat_sheet_sections(keymap, titles))))
    try:
        window.cmd_view_palette()
        assert theme.current == "dark"  # the palette ran the command with its argument
    finally:
        window.set_theme("light")
    assert seen["highlight.colour 4"] == "Colour 4: Doubt"
    assert seen["view.theme sepia"] == "Sepia theme"
    window.cmd_view_cheat_sheet()
    assert ("4", "Colour 4: Doubt") in shown["Reading pane"]


def test_the_themes_have_a_submenu(show_window, seeded_library):
    window = show_window(seeded_library)
    (submenu,) = [a.menu() for a in window.actions.menus["View"].actions() if a.menu()]
    assert submenu.title() == "Theme"
    assert [a.text() for a in submenu.actions()] == ["Light theme", "Sepia theme", "Dark theme"]
    try:
        submenu.actions()[1].trigger()
        assert theme.current == "sepia"
    finally:
        window.set_theme("light")


def test_a_key_bound_to_a_command_with_an_argument_runs_it(show_window, seeded_library, qtbot,
                                                           tmp_path):
    from reader.settings import Settings

    path = tmp_path / "settings.toml"
    path.write_text('[keys.anywhere]\n"F9" = "view.theme dark"\n', encoding="utf-8")
    window = show_window(seeded_library, Settings.load(path))
    try:
        qtbot.keyClick(window.list_view, Qt.Key.Key_F9)
        assert theme.current == "dark"
    finally:
        window.set_theme("light")
