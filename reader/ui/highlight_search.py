"""Search every highlight and note in the library, and jump to the one chosen."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLineEdit, QListView, QVBoxLayout

from reader.annotations.colours import HEX
from reader.library import Library
from reader.search.fulltext import HighlightHit
from reader.ui.plain import plain_label

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
TYPING_PAUSE_MS = 120


class HighlightHitModel(QAbstractListModel):
    """The highlights matching the query, best first."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._hits: list[HighlightHit] = []

    def set_hits(self, hits: list[HighlightHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.snippet}\n{hit.article_title}"
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(HEX.get(hit.colour, HEX["yellow"]))
        if role == HIT_ROLE:
            return hit
        return None


class HighlightSearch(QDialog):
    """Type to find highlights and notes; Enter opens the chosen one."""

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search highlights and notes")
        self.setObjectName("highlightSearch")
        self.resize(640, 420)
        self._library = library
        self.query = QLineEdit()
        self.query.setPlaceholderText("Words in your highlights and notes…")
        self.query.setAccessibleName("Search highlights and notes")
        self.model = HighlightHitModel(self)
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setWordWrap(True)
        self.results.setAccessibleName("Matching highlights")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the query
        self.count = plain_label()
        layout = QVBoxLayout(self)
        for widget in (self.query, self.count, self.results):
            layout.addWidget(widget)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.run_query)
        self.query.textChanged.connect(lambda _text: self._timer.start())
        self.query.installEventFilter(self)
        self.results.activated.connect(lambda _index: self.accept())
        self.chosen: HighlightHit | None = None
        self.run_query()

    def run_query(self) -> None:
        self._timer.stop()
        hits = self._library.search.highlights(self.query.text()) if self.query.text().strip() else []
        self.model.set_hits(hits)
        self.count.setText(f"{len(hits)} found" if self.query.text().strip() else "")
        if hits:
            self.results.setCurrentIndex(self.model.index(0))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt name)
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            row = self.results.currentIndex().row()
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.model.rowCount():
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                row = max(0, min(self.model.rowCount() - 1, row + step))
                self.results.setCurrentIndex(self.model.index(row))
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.run_query()
                if self.model.rowCount():
                    self.accept()
                return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        index = self.results.currentIndex()
        self.chosen = index.data(HIT_ROLE) if index.isValid() else None
        super().accept()

    @classmethod
    def ask(cls, parent, library: Library) -> HighlightHit | None:
        dialog = cls(library, parent)
        dialog.exec()
        return dialog.chosen
