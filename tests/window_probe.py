"""Looks at the main window of a running app once it shows its article, then closes it
(the app quits): for the tests that start the whole app, in this process or another."""

from __future__ import annotations


def close_when_shown(seen: dict) -> None:
    """Once a main window shows an article (it opens after the list has painted), put its
    title, the titles it lists and the reading pane's text in `seen`, and close it. Call
    before the app's event loop starts."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from reader.ui.main_window import MainWindow

    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible() and w.shown_article]
        if not windows:
            QTimer.singleShot(50, look)
            return
        window = windows[0]
        seen["title"] = window.windowTitle()
        seen["rows"] = sorted(window.model.index(r).data() for r in range(window.model.rowCount()))
        seen["text"] = window.reading_pane.plain_text()
        window.close()

    QTimer.singleShot(0, look)
