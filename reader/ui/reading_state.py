"""Remembers where the reader is in each article, and marks an article read at its end."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from reader.library import Library
from reader.records import ArticleRecord
from reader.ui.reading_pane import ReadingPane

SAVE_PAUSE_MS = 600  # scrolling saves the place once it pauses


class ReadingTracker(QObject):
    """Saves the reading position and progress of the article in the pane.

    The position is the code-point offset at the top of the view, so it survives a
    different window size or font size; progress is how far down the article the
    bottom of the view has been, in percent. Reaching the end marks the article read.
    """

    changed = Signal(object)  # Changes, for the list to show progress and read state

    def __init__(self, library: Library, pane: ReadingPane, parent=None) -> None:
        super().__init__(parent)
        self._library, self._pane = library, pane
        self._article_id: int | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_PAUSE_MS)
        self._timer.timeout.connect(self.save)
        pane.verticalScrollBar().valueChanged.connect(self._scrolled)

    def article_shown(self, article_id: int | None, record: ArticleRecord | None = None) -> None:
        """The pane now shows this article: restore its place. `record`, if given, is the
        article's, just read by the caller."""
        self.save()
        self._article_id = None  # no saving while restoring
        if article_id is not None:
            if record is None or record.id != article_id:
                record = self._library.articles.get(article_id)
            if record.reading_position:
                self._pane.scroll_to_offset(record.reading_position, at_top=True)
        self._article_id = article_id

    def _scrolled(self, _value: int) -> None:
        if self._article_id is not None:
            self._timer.start()

    def progress(self) -> int:
        bar = self._pane.verticalScrollBar()
        if bar.maximum() <= 0:
            return 100  # all of it fits on the screen
        return round(100 * bar.value() / bar.maximum())

    def save(self) -> None:
        """Save the place now (called on pauses, on leaving an article and on closing)."""
        self._timer.stop()
        if self._article_id is None or self._pane.shown is None:
            return
        try:
            changes = self._library.articles.set_position(
                self._article_id, self._pane.offset_at_top(), self.progress())
        except Exception:  # noqa: BLE001 - the article may just have been deleted
            return
        if changes.articles:
            self.changed.emit(changes)
