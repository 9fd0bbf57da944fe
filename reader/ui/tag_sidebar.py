"""The tag sidebar: the library's tags as a tree (nested by "/") with counts, to filter by."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from reader.library import Library
from reader.annotations.tags import SEPARATOR
from reader.records import Changes
from reader.ui import theme
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import QueryOp, report_error
from reader.ui.plain import plain_label, tooltip

TAG_ROLE = Qt.ItemDataRole.UserRole + 1  # full tag name ("history/rome"); None for "All articles"
COUNT_ROLE = Qt.ItemDataRole.UserRole + 2  # number of articles under the row
ALL_ARTICLES = "All articles"


def count_phrase(count: int | None) -> str:
    if count is None:
        return "counting articles…"
    return f"{count} article{'' if count == 1 else 's'}"


class _Node:
    """One row of the tree. Nodes live as long as the model's current tree, which keeps
    the pointers handed to `createIndex` valid."""

    __slots__ = ("tag", "label", "count", "parent", "children", "row")

    def __init__(self, tag: str | None, label: str, count: int | None,
                 parent: _Node | None) -> None:
        self.tag = tag
        self.label = label
        self.count = count
        self.parent = parent
        self.children: list[_Node] = []
        self.row = 0

    def add(self, child: _Node) -> None:
        child.row = len(self.children)
        self.children.append(child)


class TagTreeModel(QAbstractItemModel):
    """"All articles", then the tags as a tree by their "/" segments, each with its count.

    The tree is built from the tag names at once; the counts, which read every tagging
    in the library (seconds at 100,000 articles on a cold disk), are computed in a
    thread and filled in when they arrive (`counted`). Until then a row's count is None.
    """

    counted = Signal()  # the counts of the current tree have arrived

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self._library = library
        self._root = _Node(None, "", None, None)
        self._by_key: dict[str, _Node] = {}
        self.counting = False
        self._counts: QueryOp | None = None
        self._build()

    def _build(self) -> None:
        root = _Node(None, "", None, None)
        root.add(_Node(None, ALL_ARTICLES, None, root))
        by_key: dict[str, _Node] = {}
        # tree() is sorted by name and lists every implied parent, so a parent is
        # always met before its children and siblings come out in name order.
        for name in self._library.tags.tree():
            head, _sep, label = name.rpartition(SEPARATOR)
            parent = by_key.get(head.casefold(), root) if head else root
            node = _Node(name, label, None, parent)
            parent.add(node)
            by_key[name.casefold()] = node
        self._root, self._by_key = root, by_key
        if self._counts is not None:
            self._counts.cancel()  # counts of an older tree
        self.counting = True
        self._counts = QueryOp(self, self._library, self._count).success(
            self._apply_counts).failure(self._count_failed).run()

    def _count(self) -> tuple[int, dict[str, int]]:
        return (self._library.articles.count(),
                {c.name.casefold(): c.count for c in self._library.tags.counts()})

    def _count_failed(self, error: Exception) -> None:
        self.counting = False
        report_error(error)

    def _apply_counts(self, found: tuple[int, dict[str, int]]) -> None:
        total, counts = found
        self._root.children[0].count = total
        for key, node in self._by_key.items():
            # A tag added since the tree was read is counted by the next rebuild.
            node.count = counts.get(key, 0)
        self.counting = False
        pending = [self._root]
        while pending:
            node = pending.pop()
            if node.children:
                first = self.createIndex(0, 0, node.children[0])
                last = self.createIndex(len(node.children) - 1, 0, node.children[-1])
                self.dataChanged.emit(first, last, [COUNT_ROLE, Qt.ItemDataRole.ToolTipRole,
                                                    Qt.ItemDataRole.AccessibleTextRole])
                pending.extend(node.children)
        self.counted.emit()

    def reload(self) -> None:
        """Rebuild from the library after tags or their counts changed."""
        self.beginResetModel()
        self._build()
        self.endResetModel()

    # --- QAbstractItemModel -------------------------------------------------------------
    def _node(self, index: QModelIndex) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row: int, column: int = 0, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        node = self._node(parent)
        if row >= len(node.children):
            return QModelIndex()
        return self.createIndex(row, 0, node.children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        if parent.column() > 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 1

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self._node(index).children:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label
        if role == TAG_ROLE:
            return node.tag
        if role == COUNT_ROLE:
            return node.count
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(f"{node.tag or ALL_ARTICLES} — {count_phrase(node.count)}")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{node.label}, {count_phrase(node.count)}"
        return None

    # --- lookups ------------------------------------------------------------------------
    def index_of(self, tag_name: str | None) -> QModelIndex:
        """The row of this tag (ignoring case), "All articles" for None, or an invalid index."""
        if tag_name is None:
            return self.index(0, 0)
        node = self._by_key.get(tag_name.casefold())
        return QModelIndex() if node is None else self.createIndex(node.row, 0, node)


class TagCountDelegate(QStyledItemDelegate):
    """Draws a row's text with its count right-aligned in a muted colour, and a bar in the
    margin on the current row while the view has focus (the stylesheet hides Qt's own
    focus rectangle)."""

    PADDING_RIGHT = 12
    GAP = 10

    def _count_text(self, index: QModelIndex) -> str:
        count = index.data(COUNT_ROLE)
        return "" if count is None else str(count)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        extra = QFontMetrics(option.font).horizontalAdvance(self._count_text(index))
        return QSize(size.width() + extra + self.GAP + self.PADDING_RIGHT, max(size.height(), 24))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        metrics = QFontMetrics(opt.font)
        count_text = self._count_text(index)
        count_width = metrics.horizontalAdvance(count_text)
        # Elide the name first so that it never runs under the count.
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        room = max(0, text_rect.width() - count_width - self.GAP - self.PADDING_RIGHT)
        opt.text = metrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, room)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        painter.save()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setFont(opt.font)
        painter.setPen(QColor(theme.TEXT if selected else theme.MUTED))
        count_rect = QRect(rect.left(), rect.top(), rect.width() - self.PADDING_RIGHT,
                           rect.height())
        painter.drawText(count_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         count_text)
        if selected and option.state & QStyle.StateFlag.State_HasFocus:
            painter.fillRect(QRectF(rect.left(), rect.top(), 3, rect.height()),
                             QColor(theme.ACCENT))
        painter.restore()


class TagSidebar(QWidget):
    """A "TAGS" header over the tag tree. Choosing a row emits `tag_chosen` with the full
    tag name, or None for "All articles" (no filter)."""

    tag_chosen = Signal(object)

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.model = TagTreeModel(library, self)
        self._current_tag: str | None = None
        self._notify = True
        self._unchosen = False  # no row is chosen: a feed filters the list (clear_choice)

        self.header = plain_label("TAGS")
        self.header.setObjectName("sidebarHeader")
        self.tree = QTreeView()
        self.tree.setObjectName("tagTree")
        self.tree.setModel(self.model)
        self.tree.setItemDelegate(TagCountDelegate(self.tree))
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAccessibleName("Tags")
        self.header.setBuddy(self.tree)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.tree)
        self.setFocusProxy(self.tree)

        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.tree.expandAll()
        self._set_current(self.model.index_of(None))

    def listen(self, bus: ChangeBus) -> None:
        """Follow the library's changes: tags or their counts may differ after tags or the
        list of articles changed."""
        bus.library_changed.connect(self._library_changed)

    def _library_changed(self, changes: Changes, initiator: object) -> None:
        if initiator is not self and (changes.tags or changes.article_list):
            self.reload()

    def current_tag(self) -> str | None:
        """The chosen tag's full name, or None while "All articles" is chosen."""
        return self._current_tag

    def select_tag(self, name: str | None, notify: bool = True) -> bool:
        """Choose this tag (None: "All articles"), emitting `tag_chosen` if that changes
        the choice (unless not `notify`: the caller filters the list itself). Returns
        False, changing nothing, for a tag the library does not have."""
        index = self.model.index_of(name)
        if not index.isValid():
            return False
        self._notify = notify
        try:
            self._set_current(index)
        finally:
            self._notify = True
        return True

    def clear_choice(self) -> None:
        """Choose no row: another section of the sidebar (a feed) filters the list now.
        Nothing is emitted; the next row chosen, "All articles" too, emits `tag_chosen`."""
        self._current_tag = None
        self._unchosen = True
        self.tree.selectionModel().clear()

    def reload(self) -> None:
        """Rebuild after tags changed, keeping the chosen tag and collapsed branches.

        If the chosen tag is gone, "All articles" is chosen and `tag_chosen(None)` emitted.
        """
        collapsed = self._collapsed_tags()
        wanted = self._current_tag
        self.model.reload()
        self.tree.expandAll()
        for tag in collapsed:
            index = self.model.index_of(tag)
            if index.isValid():
                self.tree.collapse(index)
        if self._unchosen:
            return
        index = self.model.index_of(wanted)
        self._set_current(index if index.isValid() else self.model.index_of(None))

    def _collapsed_tags(self) -> list[str]:
        collapsed = []
        pending = [QModelIndex()]
        while pending:
            parent = pending.pop()
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                if self.model.rowCount(index):
                    if not self.tree.isExpanded(index):
                        collapsed.append(index.data(TAG_ROLE))
                    pending.append(index)
        return collapsed

    def _set_current(self, index: QModelIndex | QPersistentModelIndex) -> None:
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.tree.scrollTo(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # A model reset briefly leaves no current row; reload() picks one right after.
        if not current.isValid():
            return
        tag = current.data(TAG_ROLE)
        before = self._current_tag
        self._current_tag = tag
        unchosen, self._unchosen = self._unchosen, False
        # Tags match ignoring case, so a rename that only changes case filters the same.
        if self._notify and (unchosen or (tag and tag.casefold()) != (before and before.casefold())):
            self.tag_chosen.emit(tag)
