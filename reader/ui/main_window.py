"""The main window: the article list beside the reading pane."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reader import APP_NAME
from reader.library import Library
from reader.records import ImportReport
from reader.ui.article_list import ID_ROLE, ArticleDelegate, ArticleListModel
from reader.ui.reading_pane import ReadingPane


class MainWindow(QMainWindow):
    """Lists the library's articles and shows the chosen one."""

    def __init__(self, library: Library, settings: QSettings) -> None:
        super().__init__()
        self.library = library
        self.settings = settings
        self._library_key = "library-" + hashlib.sha1(
            str(library.path.resolve()).encode()).hexdigest()[:12]
        self.setWindowTitle(APP_NAME)
        self.resize(1200, 800)

        self.model = ArticleListModel(library, self)
        self.list_view = QListView()
        self.list_view.setObjectName("articleList")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(ArticleDelegate(self.list_view))
        # Uniform sizes let Qt lay out 100,000 rows without asking each for its size.
        self.list_view.setUniformItemSizes(True)
        self.list_view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list_view.setAccessibleName("Articles")
        self.list_header = QLabel()
        self.list_header.setObjectName("listHeader")

        sidebar = QWidget()
        layout = QVBoxLayout(sidebar)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.list_header)
        layout.addWidget(self.list_view)

        self.reading_pane = ReadingPane()
        self.reading_pane.setAccessibleName("Reading pane")
        self.reading_pane.link_refused.connect(self._refuse_link)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(sidebar)
        self.splitter.addWidget(self.reading_pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 860])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self._build_menus()
        self.list_view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.list_view.activated.connect(lambda _index: self.reading_pane.setFocus())
        self.model.modelReset.connect(self._update_header)
        self._update_header()
        self._restore_state()

    # --- articles -------------------------------------------------------------------
    def open_article(self, article_id: int) -> None:
        """Select the article in the list and show it."""
        row = self.model.row_of(article_id)
        if row is None:
            return
        index = self.model.index(row)
        self.list_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list_view.scrollTo(index)

    def current_article_id(self) -> int | None:
        index = self.list_view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def _current_row_changed(self, current, _previous) -> None:
        if not current.isValid():
            self.reading_pane.show_placeholder()
            return
        article_id = current.data(ID_ROLE)
        self.reading_pane.show_document(self.library.articles.document(article_id))
        self.settings.setValue(f"{self._library_key}/last_article", article_id)

    def _update_header(self) -> None:
        count = self.model.rowCount()
        self.list_header.setText(f"LIBRARY · {count} ARTICLE{'S' if count != 1 else ''}")

    def show_import_problems(self, report: ImportReport) -> None:
        lines = "\n".join(str(problem) for problem in report.problems)
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                          "Some files could not be imported:", parent=self)
        box.setInformativeText(lines)
        box.open()
        self.statusBar().showMessage(f"{len(report.problems)} file(s) could not be imported", 10000)

    def _refuse_link(self, url: str) -> None:
        self.statusBar().showMessage(f"Only web links (http, https) are opened: {url}", 8000)

    # --- menus ----------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

    # --- state ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        last = self.settings.value(f"{self._library_key}/last_article")
        row = self.model.row_of(int(last)) if last is not None and str(last).isdigit() else None
        if row is None and self.model.rowCount():
            row = 0
        if row is not None:
            self.open_article(self.model.article_id(row))
        self.list_view.setFocus()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()
        super().closeEvent(event)
