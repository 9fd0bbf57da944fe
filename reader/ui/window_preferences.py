"""The user's preferences in the main window: theme and text size, saved to settings.toml."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from reader import APP_NAME
from reader.settings import SettingsError
from reader.ui import theme
from reader.ui.plain import message_box
from reader.ui.window_commands import STATUS_MS

FONT_MIN = 8.0
FONT_MAX = 32.0


class WindowPreferences:
    """A mixin of MainWindow (`self`); `self.preferences` is the user's settings.toml."""

    def set_theme(self, name: str) -> None:
        theme.apply(QApplication.instance(), name)
        self.reading_pane.restyle()
        self.list_view.viewport().update()
        self.remember("theme", theme.current)

    def set_font_size(self, size: float) -> None:
        size = max(FONT_MIN, min(FONT_MAX, size))
        self.reading_pane.set_font_size(size)
        article_id = self.current_article_id()
        if article_id is not None:
            self.reading_pane.set_highlights(self._highlights, self.reading_pane.active_highlight)
        self.font_size_changed(size)
        self.statusBar().showMessage(f"Text size {size:g} pt", STATUS_MS)

    def font_size_changed(self, size: float) -> None:
        self.remember("font_size", size)

    def remember(self, name: str, value: object) -> None:
        """Save a setting to settings.toml; a file that cannot be written is said, not fatal."""
        if self.preferences is None:
            return
        try:
            self.preferences.set(name, value)
        except (ValueError, SettingsError) as exc:
            self.statusBar().showMessage(str(exc), STATUS_MS)

    def setting_problems(self) -> list[str]:
        """What was wrong in settings.toml (defaults were used instead)."""
        found = list(self.preferences.problems) if self.preferences is not None else []
        if self.preferences is not None and self.actions.problems:
            found += [f"{self.preferences.path}: {p}" for p in self.actions.problems]
        return found

    def show_setting_problems(self) -> None:
        problems = self.setting_problems()
        if not problems:
            return
        box = message_box(QMessageBox.Icon.Warning, APP_NAME,
                          "Some of your settings could not be used; the defaults apply instead.",
                          "\n".join(problems), parent=self)
        box.open()
