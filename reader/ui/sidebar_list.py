"""A section of the sidebar: a header over a short list (feeds, saved views), as tall as
its rows up to a limit, hidden while it has none."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from reader.ui.plain import plain_label


class SidebarList(QWidget):
    """The header and list of a sidebar section; subclasses fill `model` and react to
    the list's choices. `max_rows` rows show at most; more scroll."""

    max_rows = 8

    def _build(self, title: str, accessible_name: str, list_view: QListView,
               model: QAbstractItemModel, delegate: QStyledItemDelegate) -> None:
        self.header = plain_label(title)
        self.header.setObjectName("sidebarHeader")
        self.list = list_view
        self.list.setModel(model)
        self.list.setItemDelegate(delegate)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAccessibleName(accessible_name)
        self.header.setBuddy(self.list)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.list)
        self.setFocusProxy(self.list)

    def _fit(self) -> None:
        """As tall as its rows (up to `max_rows`); hidden when there are none."""
        rows = self.list.model().rowCount()
        self.setVisible(rows > 0)
        if rows:
            height = self.list.sizeHintForRow(0) * min(rows, self.max_rows)
            self.list.setFixedHeight(height + 2 * self.list.frameWidth() + 2)
