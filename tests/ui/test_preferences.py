"""settings.toml in the window: rebinding keys, bad files, remembered font size."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from reader.settings import Settings
from reader.ui.main_window import MainWindow


@pytest.fixture
def make_window(qtbot, seeded_library, tmp_path):
    def make(settings_text: str | None):
        path = tmp_path / "settings.toml"
        if settings_text is not None:
            path.write_text(settings_text, encoding="utf-8")
        preferences = Settings.load(path)
        window = MainWindow(seeded_library,
                            QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat),
                            preferences)
        qtbot.addWidget(window)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    return make


def _focus_first_paragraph(window, qtbot):
    window.reading_pane.setFocus()
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_J)
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_J)
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_J)


def test_a_rebound_key_works_and_the_old_one_does_not(make_window, qtbot, seeded_library):
    window = make_window('[keys.reader]\n"Ctrl+H" = "highlight.create"\n"H" = ""\n')
    assert window.setting_problems() == []
    article_id = window.current_article_id()
    _focus_first_paragraph(window, qtbot)
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_H)
    assert seeded_library.highlights.count(article_id) == 0
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert seeded_library.highlights.count(article_id) == 1
    # The menu, the palette and the cheat sheet show the live key.
    assert window.actions.menu_actions["highlight.create"].shortcut().toString() == "Ctrl+H"
    assert window.actions.keymap["reader"]["Ctrl+H"] == "highlight.create"
    assert "H" not in window.actions.keymap["reader"]


def test_unknown_command_and_unreadable_key_are_reported(make_window):
    window = make_window('[keys.reader]\n"Ctrl+J" = "no.such.command"\n"Ctrl+Banana" = "highlight.create"\n')
    problems = window.setting_problems()
    assert any("no.such.command" in p for p in problems)
    assert any("Ctrl+Banana" in p and "not a key" in p for p in problems)
    assert all("settings.toml" in p for p in problems)
    # The defaults still work.
    assert window.actions.keymap["reader"]["H"] == "highlight.create"


def test_a_malformed_file_gives_the_defaults_and_a_message(make_window, qtbot, seeded_library):
    window = make_window("font_size = 14\nthis is not toml\n")
    (problem,) = window.setting_problems()
    assert "settings.toml" in problem and "line" in problem
    assert window.actions.keymap["reader"]["H"] == "highlight.create"
    _focus_first_paragraph(window, qtbot)
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_H)
    assert seeded_library.highlights.count(window.current_article_id()) == 1


def test_font_size_is_remembered_in_the_file(make_window, tmp_path):
    window = make_window("# my settings\n")
    window.cmd_view_font_larger()
    text = (tmp_path / "settings.toml").read_text()
    assert "# my settings" in text and "font_size = 14.0" in text
    again = make_window(None)
    assert again.reading_pane.font_size() == 14.0
    again.cmd_view_font_reset()
    assert "font_size" not in (tmp_path / "settings.toml").read_text()


def test_theme_cycles_and_is_remembered(make_window, tmp_path):
    from reader.ui import theme

    window = make_window(None)
    try:
        assert theme.current == "light"
        light_paper = theme.PAPER
        window.cmd_view_theme()
        assert theme.current == "sepia" and theme.PAPER != light_paper
        assert 'theme = "sepia"' in (tmp_path / "settings.toml").read_text()
        window.cmd_view_theme()
        assert theme.current == "dark"
        # The article is drawn again in the dark theme's text colour.
        block = window.reading_pane.document().findBlockByNumber(2)
        assert block.charFormat().foreground().color().name() == theme.TEXT
    finally:
        window.set_theme("light")
