"""The tag sidebar: the tag tree model and choosing a tag to filter by."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from reader.ui.tag_sidebar import COUNT_ROLE, TAG_ROLE, TagSidebar, TagTreeModel


@pytest.fixture
def tagged_library(seeded_library):
    """Two articles: one tagged history/rome and Politics, one with a highlight tagged
    history/greece (a highlight's tag counts for its article)."""
    first, second = seeded_library.articles.ids()
    seeded_library.articles.set_tags(first, ["history/rome", "Politics"])
    highlight_id = seeded_library.highlights.create(second, 0, 10).highlight_id
    seeded_library.highlights.set_tags(highlight_id, ["history/greece"])
    return seeded_library


def _tree(model: TagTreeModel, parent: QModelIndex = QModelIndex()) -> list:
    rows = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        rows.append((index.data(), index.data(TAG_ROLE), index.data(COUNT_ROLE),
                     _tree(model, index)))
    return rows


def _counted(qtbot, model: TagTreeModel) -> TagTreeModel:
    """The model once its counts (computed in a thread) have arrived."""
    if model.counting:
        with qtbot.waitSignal(model.counted, timeout=5000):
            pass
    return model


def _model(qtbot, library) -> TagTreeModel:
    return _counted(qtbot, TagTreeModel(library))


def _sidebar(qtbot, library) -> TagSidebar:
    sidebar = TagSidebar(library)
    qtbot.addWidget(sidebar)
    sidebar.resize(260, 400)
    with qtbot.waitExposed(sidebar):
        sidebar.show()
    _counted(qtbot, sidebar.model)
    return sidebar


def test_model_passes_qt_model_tester(qtbot, qtmodeltester, tagged_library):
    model = TagTreeModel(tagged_library)
    qtmodeltester.check(model, force_py=True)  # before the counts arrive, and after
    _counted(qtbot, model)
    qtmodeltester.check(model, force_py=True)


def test_model_tester_on_an_untagged_library(qtbot, qtmodeltester, library):
    model = _model(qtbot, library)
    assert _tree(model) == [("All articles", None, 0, [])]
    qtmodeltester.check(model, force_py=True)


def test_tree_is_there_at_once_and_counts_follow(qtbot, tagged_library):
    model = TagTreeModel(tagged_library)
    assert model.counting
    assert _tree(model) == [
        ("All articles", None, None, []),
        ("history", "history", None, [
            ("greece", "history/greece", None, []),
            ("rome", "history/rome", None, []),
        ]),
        ("Politics", "Politics", None, []),
    ]
    assert model.index_of("Politics").data(Qt.ItemDataRole.ToolTipRole) == (
        "Politics — counting articles…")
    changed = []
    model.dataChanged.connect(lambda first, last, roles: changed.append((first.row(), last.row())))
    _counted(qtbot, model)
    assert not model.counting
    assert model.index_of("history/rome").data(COUNT_ROLE) == 1
    assert len(changed) == 2  # the top level, and history's children


def test_counts_of_a_replaced_tree_are_dropped(qtbot, tagged_library, monkeypatch):
    import threading

    original = tagged_library.tags.counts
    started, release = threading.Event(), threading.Event()
    calls = []

    def counts():
        calls.append(1)
        if len(calls) == 1:  # the first tree's counting is slow
            started.set()
            release.wait(5)
            return [c for c in original() if c.name != "Politics"]
        return original()

    monkeypatch.setattr(tagged_library.tags, "counts", counts)
    model = TagTreeModel(tagged_library)
    # Under way in its worker (a counting not started yet would simply never run).
    assert started.wait(5)
    first = tagged_library.articles.ids()[0]
    tagged_library.articles.set_tags(first, ["history/rome", "Politics", "science"])
    model.reload()  # before the first counting reported
    release.set()
    _counted(qtbot, model)
    qtbot.wait(50)  # the first counting has finished too by now
    assert model.index_of("science").data(COUNT_ROLE) == 1
    assert model.index_of("Politics").data(COUNT_ROLE) == 1


def test_a_failed_count_is_reported(qtbot, tagged_library, monkeypatch):
    def broken():
        raise OSError("disk I/O error")

    monkeypatch.setattr(tagged_library.tags, "counts", broken)
    model = TagTreeModel(tagged_library)
    with qtbot.captureExceptions() as raised:
        qtbot.waitUntil(lambda: not model.counting, timeout=5000)
    assert [str(exc[1]) for exc in raised] == ["disk I/O error"]
    assert model.index_of("Politics").data(COUNT_ROLE) is None


def test_tags_nest_by_slash_with_counts(qtbot, tagged_library):
    model = _model(qtbot, tagged_library)
    assert _tree(model) == [
        ("All articles", None, 2, []),
        ("history", "history", 2, [
            ("greece", "history/greece", 1, []),
            ("rome", "history/rome", 1, []),
        ]),
        ("Politics", "Politics", 1, []),
    ]


def test_count_is_readable_without_the_delegate(qtbot, tagged_library):
    model = _model(qtbot, tagged_library)
    rome = model.index_of("history/rome")
    assert rome.data(Qt.ItemDataRole.AccessibleTextRole) == "rome, 1 article"
    assert rome.data(Qt.ItemDataRole.ToolTipRole) == "history/rome — 1 article"


def test_index_of_ignores_case_and_knows_all_articles(tagged_library):
    model = TagTreeModel(tagged_library)
    assert model.index_of("HISTORY/Rome").data(TAG_ROLE) == "history/rome"
    assert model.index_of("politics").data(TAG_ROLE) == "Politics"
    assert model.index_of(None).data() == "All articles"
    assert not model.index_of("nowhere").isValid()


def test_reload_shows_new_tags(qtbot, tagged_library):
    model = TagTreeModel(tagged_library)
    first = tagged_library.articles.ids()[0]
    tagged_library.articles.set_tags(first, ["science"])
    with qtbot.waitSignal(model.modelReset):
        model.reload()
    assert [row[1] for row in _tree(model)] == [None, "history", "science"]


def test_sidebar_widgets_are_named_and_expanded(qtbot, tagged_library):
    sidebar = _sidebar(qtbot, tagged_library)
    assert sidebar.header.text() == "TAGS"
    assert sidebar.header.objectName() == "sidebarHeader"
    assert sidebar.tree.objectName() == "tagTree"
    assert sidebar.tree.accessibleName() == "Tags"
    assert sidebar.tree.isHeaderHidden()
    assert sidebar.tree.isExpanded(sidebar.model.index_of("history"))
    assert sidebar.current_tag() is None


def test_keyboard_choice_emits_full_name_then_none(qtbot, tagged_library):
    sidebar = _sidebar(qtbot, tagged_library)
    chosen = []
    sidebar.tag_chosen.connect(chosen.append)
    sidebar.tree.setFocus()
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Down)  # history
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Down)  # history/greece
    assert chosen == ["history", "history/greece"]
    assert sidebar.current_tag() == "history/greece"
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Home)
    assert chosen[-1] is None
    assert sidebar.current_tag() is None


def test_select_tag_emits_only_on_a_change(qtbot, tagged_library):
    sidebar = _sidebar(qtbot, tagged_library)
    chosen = []
    sidebar.tag_chosen.connect(chosen.append)
    assert sidebar.select_tag("history/ROME")
    assert sidebar.select_tag("history/rome")
    assert not sidebar.select_tag("no such tag")
    assert chosen == ["history/rome"]
    assert sidebar.tree.currentIndex().data(TAG_ROLE) == "history/rome"


def test_reload_keeps_a_tag_that_still_exists(qtbot, tagged_library):
    sidebar = _sidebar(qtbot, tagged_library)
    sidebar.select_tag("Politics")
    sidebar.tree.collapse(sidebar.model.index_of("history"))
    chosen = []
    sidebar.tag_chosen.connect(chosen.append)
    second = tagged_library.articles.ids()[1]
    tagged_library.articles.set_tags(second, ["politics", "science"])
    sidebar.reload()
    _counted(qtbot, sidebar.model)
    assert chosen == []
    assert sidebar.current_tag() == "Politics"
    assert sidebar.tree.currentIndex().data(TAG_ROLE) == "Politics"
    assert sidebar.tree.currentIndex().data(COUNT_ROLE) == 2
    assert not sidebar.tree.isExpanded(sidebar.model.index_of("history"))


def test_reload_falls_back_to_all_articles(qtbot, tagged_library):
    sidebar = _sidebar(qtbot, tagged_library)
    sidebar.select_tag("history/rome")
    chosen = []
    sidebar.tag_chosen.connect(chosen.append)
    tagged_library.tags.delete("history/rome")
    sidebar.reload()
    assert chosen == [None]
    assert sidebar.current_tag() is None
    assert sidebar.tree.currentIndex().data() == "All articles"
