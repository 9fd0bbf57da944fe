"""The registry in the real window: commands with an argument in the menus, the palette
and the cheat sheet, each variant under its own (live) title; commands that cannot run
shown disabled, and not run."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reader.commands import CONDITIONS, WINDOW_INVOCATIONS
from reader.records import Changes
from reader.ui import theme
from reader.ui.cheat_sheet import CheatSheet, cheat_sheet_sections
from reader.ui.palette import CommandPalette, entries_from_registry


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
    window.announce(Changes(colours=True))
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


# Disabled when they cannot run ---------------------------------------------------------------


def test_the_window_can_tell_every_condition_its_commands_need(show_window, seeded_library):
    window = show_window(seeded_library)
    for name in {n for item in WINDOW_INVOCATIONS for n in item.command.needs}:
        assert window.condition_holds(name) in (True, False), name


def test_without_an_article_its_commands_are_disabled_in_the_menu(show_window, library):
    window = show_window(library)  # an empty library: no article is open
    menu = window.actions.menus["Article"]
    menu.aboutToShow.emit()
    toggle = window.actions.menu_actions["article.toggle-read"]
    assert not toggle.isEnabled()
    assert toggle.statusTip() == CONDITIONS["article"]
    window.actions.menus["Edit"].aboutToShow.emit()
    assert not window.actions.menu_actions["edit.undo"].isEnabled()
    assert window.actions.menu_actions["app.quit"].isEnabled()  # needs nothing


def test_menu_items_follow_what_can_run_each_time_the_menu_opens(show_window, seeded_library):
    window = show_window(seeded_library)
    assert window.current_article_id() is not None
    highlight_menu = window.actions.menus["Highlight"]
    highlight_menu.aboutToShow.emit()
    delete = window.actions.menu_actions["highlight.delete"]
    assert not delete.isEnabled()  # no highlight at the cursor
    assert not window.actions.menu_actions["highlight.colour 2"].isEnabled()
    window.reading_pane.select_span(0, 12)
    window.cmd_highlight_create()
    highlight_menu.aboutToShow.emit()
    assert delete.isEnabled()
    assert window.actions.menu_actions["highlight.colour 2"].isEnabled()
    window.actions.menus["Edit"].aboutToShow.emit()
    assert window.actions.menu_actions["edit.undo"].isEnabled()
    assert not window.actions.menu_actions["edit.redo"].isEnabled()


def test_the_palette_shows_a_disabled_command_greyed_and_does_not_run_it(
        show_window, library, monkeypatch):
    window = show_window(library)
    ran = []
    monkeypatch.setattr(window, "cmd_article_toggle_read", lambda: ran.append(1))
    offered = {}

    def ask(_parent, entries):
        offered.update({e.command_id: e for e in entries})
        return "article.toggle-read"  # as if it had been chosen regardless

    monkeypatch.setattr(CommandPalette, "ask", ask)
    window.cmd_view_palette()
    entry = offered["article.toggle-read"]
    assert not entry.enabled and entry.reason == CONDITIONS["article"]
    assert offered["app.quit"].enabled
    assert ran == []
    assert window.statusBar().currentMessage() == CONDITIONS["article"]


def test_enter_on_a_disabled_palette_entry_says_why_and_runs_nothing(qtbot, show_window, library):
    window = show_window(library)
    disabled = {i.text: r for i in WINDOW_INVOCATIONS if (r := window.why_not(i.text))}
    palette = CommandPalette(entries_from_registry(window.actions.keymap, disabled=disabled))
    qtbot.addWidget(palette)
    with qtbot.waitExposed(palette):
        palette.show()
    qtbot.keyClicks(palette.line_edit, "Mark read")
    assert palette.current_entry().command_id == "article.toggle-read"
    index = palette.view.currentIndex()
    assert not index.flags() & Qt.ItemFlag.ItemIsEnabled  # drawn greyed
    assert index.data(Qt.ItemDataRole.ToolTipRole) == CONDITIONS["article"]
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Return)
    assert palette.isVisible() and palette.chosen_command() is None
    assert palette.reason_label.isVisible()
    assert palette.reason_label.text() == CONDITIONS["article"]
    qtbot.keyClicks(palette.line_edit, "x")  # typing on hides the reason again
    assert not palette.reason_label.isVisible()


def test_the_theme_names_of_the_registry_are_the_themes():
    from reader.commands import THEME_NAMES
    from reader.settings import setting

    assert THEME_NAMES == tuple(theme.THEMES) == setting("theme").choices
