"""Starts the application: the QApplication, the library and the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from reader import APP_ID, APP_NAME
from reader.library import Library, LibraryError
from reader.links import Link, is_link, parse_link
from reader.records import Changes
from reader.paths import config_dir, seeds_dir
from reader.settings import Settings, default_path
from reader.ui import theme
from reader.ui.main_window import MainWindow


def window_settings() -> QSettings:
    """Window geometry and similar per-user state, in the user's config folder."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def create_application(argv: list[str], theme_name: str = theme.DEFAULT_THEME) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    theme.apply(app, theme_name)
    return app


def run(db_path: Path, argv: list[str] | None = None, target: str | None = None) -> int:
    """Open the library at db_path (seeding a new one) and run the window until it closes.

    `target` is a marginalia:// link to open at, or an article file to import and open.
    """
    preferences = Settings.load(default_path())
    app = create_application(argv if argv is not None else sys.argv[:1],
                             str(preferences.get("theme")))
    try:
        library = Library.open(db_path)
    except LibraryError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    with library:
        report = library.seed_if_new(seeds_dir())
        window = MainWindow(library, window_settings(), preferences)
        window.show()
        for problem in window.setting_problems():
            print(f"marginalia: {problem}", file=sys.stderr)
        window.show_setting_problems()
        if target:
            open_target(window, target)
        if report and report.problems:
            for problem in report.problems:
                print(f"marginalia: {problem}", file=sys.stderr)
            window.show_import_problems(report)
        return app.exec()


def open_target(window: MainWindow, target: str) -> None:
    """Open a marginalia:// link, or import an article file and open it."""
    if is_link(target):
        try:
            window.open_link(parse_link(target))
        except ValueError as exc:
            window.statusBar().showMessage(str(exc), 10000)
        return
    report = window.library.import_files([Path(target)])
    if report.problems:
        window.show_import_problems(report)
        return
    window.apply_changes(Changes(article_list=True))
    article_id = (report.added or report.unchanged)[0]
    window.open_link(Link(article_id))
