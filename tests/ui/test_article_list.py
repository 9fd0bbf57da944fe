"""The article list model over the library."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reader.ui.article_list import AUTHOR_ROLE, DATE_ROLE, ID_ROLE, READ_ROLE, ArticleListModel


def test_model_passes_qt_model_tester(qtmodeltester, seeded_library):
    model = ArticleListModel(seeded_library)
    qtmodeltester.check(model, force_py=True)


def test_rows_show_title_author_date_and_unread(seeded_library):
    model = ArticleListModel(seeded_library)
    assert model.rowCount() == 2
    rows = [(model.index(r).data(), model.index(r).data(AUTHOR_ROLE), model.index(r).data(DATE_ROLE),
             model.index(r).data(READ_ROLE)) for r in range(2)]
    assert sorted(rows) == [
        ("Ukraine continues offensive inside Russia", "Clara Weiss", "18 August 2024", False),
        ("Ukrainian military launches incursion of Russia", "Clara Weiss", "7 August 2024", False),
    ]


def test_read_state_change_refreshes_the_row(qtbot, seeded_library):
    model = ArticleListModel(seeded_library)
    article_id = model.index(0).data(ID_ROLE)
    model.index(0).data(READ_ROLE)  # cached
    changes = seeded_library.articles.set_read(article_id, True)
    with qtbot.waitSignal(model.dataChanged):
        model.refresh_articles(changes.articles)
    assert model.index(0).data(READ_ROLE) is True


def test_the_list_never_loads_article_bodies(seeded_library, monkeypatch, write_file):
    for n in range(30):
        seeded_library.import_files([write_file(f"{n}.md", f"# Article {n}\n\nBody {n}.")])
    statements = []
    database = seeded_library.storage.database
    original = database.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", spy)
    model = ArticleListModel(seeded_library)
    for row in range(model.rowCount()):
        for role in (Qt.ItemDataRole.DisplayRole, AUTHOR_ROLE, DATE_ROLE, READ_ROLE):
            model.index(row).data(role)
    assert statements
    for sql in statements:
        assert '"text"' not in sql and "source_text" not in sql, sql


def test_a_common_word_shows_first_matches_at_once_then_ranks_them(qtbot, library, write_file, monkeypatch):
    from reader.ui import article_list

    monkeypatch.setattr(article_list, "FIRST_ROWS", 3)
    for n in range(10):
        # Article 7 says "river" most often, so ranking puts it first.
        body = " ".join(["river"] * (20 if n == 7 else 1) + ["water"] * 30)
        library.import_files([write_file(f"{n}.md", f"# Piece {n}\n\n{body}.")])
    model = ArticleListModel(library)
    with qtbot.waitSignal(model.reranked, timeout=5000):
        model.set_search("river")
        assert model.rowCount() == 3  # the first matches, unranked, straight away
    assert model.rowCount() == 10
    assert model.index(0).data() == "Piece 7"
    # A search with few matches is ranked at once, with no second step.
    model.set_search("piece 7")
    assert [model.index(r).data() for r in range(model.rowCount())] == ["Piece 7"]


def _many(library, count: int) -> list[int]:
    from reader.importing.sources import parse_article

    return library.articles.add_many(
        parse_article(f"# Article {n:05}\n\nBody {n}.", "markdown", f"{n}.md") for n in range(count))


def _list_view(qtbot, library):
    from reader.ui.article_list import ArticleListView

    model = ArticleListModel(library)
    view = ArticleListView()
    view.setModel(model)
    qtbot.addWidget(view)
    view.resize(300, 400)
    with qtbot.waitExposed(view):
        view.show()
    return model, view


def test_the_view_asks_only_for_the_rows_it_shows(qtbot, library, monkeypatch):
    """At 100,000 articles a view that walks every row on each reset (as QListView does)
    takes a second to start and to clear a search; this one asks for a screenful."""
    _many(library, 3000)
    calls = {"rowCount": 0, "data_rows": set()}
    original_count, original_data = ArticleListModel.rowCount, ArticleListModel.data

    def counting_rows(self, parent=None):
        calls["rowCount"] += 1
        return original_count(self) if parent is None else original_count(self, parent)

    def recording_data(self, index, role=Qt.ItemDataRole.DisplayRole):
        calls["data_rows"].add(index.row())
        return original_data(self, index, role)

    monkeypatch.setattr(ArticleListModel, "rowCount", counting_rows)
    monkeypatch.setattr(ArticleListModel, "data", recording_data)
    model, view = _list_view(qtbot, library)
    with qtbot.waitSignal(model.completed, timeout=5000):
        model.set_search("")  # a reset, as after clearing a search
    view.viewport().repaint()
    assert model.rowCount() == 3000
    assert calls["rowCount"] < 300, calls["rowCount"]
    assert 0 < len(calls["data_rows"]) < 40


def test_rows_have_the_delegates_fixed_height(qtbot, seeded_library):
    _model, view = _list_view(qtbot, seeded_library)
    height = view.delegate.row_height()
    assert view.rowHeight(0) == view.rowHeight(1) == height
    assert view.visualRect(view.model().index(1, 0)).top() == height
    assert not view.horizontalHeader().isVisible() and not view.verticalHeader().isVisible()


def test_keys_move_through_the_list(qtbot, library):
    _many(library, 50)
    model, view = _list_view(qtbot, library)
    view.setFocus()
    view.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.currentIndex().row() == 49
    assert view.selectionModel().selectedRows()[0].row() == 49
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert 0 < view.currentIndex().row() < 49
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.currentIndex().row() == 0


def test_a_long_list_shows_its_first_rows_then_adds_the_rest(qtbot, library, monkeypatch):
    from reader.ui import article_list

    monkeypatch.setattr(article_list, "FIRST_ROWS", 5)
    ids = _many(library, 12)
    model = ArticleListModel(library)
    assert model.loading and model.rowCount() == 5
    resets, inserted = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    with qtbot.waitSignal(model.completed, timeout=5000):
        pass
    assert not model.loading
    assert inserted == [(5, 11)] and resets == []  # added below: the selection stays put
    assert [model.article_id(r) for r in range(12)] == list(reversed(ids))


def test_looking_for_a_row_not_read_yet_reads_the_list_now(qtbot, library, monkeypatch):
    from reader.ui import article_list

    monkeypatch.setattr(article_list, "FIRST_ROWS", 5)
    ids = _many(library, 12)
    model = ArticleListModel(library)
    assert model.row_of(ids[0]) == 11  # the oldest, at the bottom
    assert not model.loading and model.rowCount() == 12
    completed = []
    model.completed.connect(lambda: completed.append(1))
    qtbot.wait(100)  # the thread's own result comes too late and changes nothing
    assert completed == [] and model.rowCount() == 12


def test_a_list_changed_while_it_was_read_is_replaced(qtbot, library, monkeypatch):
    from reader.ui import article_list

    monkeypatch.setattr(article_list, "FIRST_ROWS", 5)
    _many(library, 12)
    model = ArticleListModel(library)
    model.set_order("title")
    first = [model.article_id(r) for r in range(5)]
    with qtbot.waitSignal(model.completed, timeout=5000):
        pass
    assert [model.article_id(r) for r in range(5)] == first
    # A result that does not begin with the rows shown replaces them.
    model.loading = True
    with qtbot.waitSignal(model.reranked):
        model._apply_found(list(reversed(range(1, 13))))
    assert model.rowCount() == 12 and model.article_id(0) == 12


def test_search_snippets_arrive_for_the_rows_asked(qtbot, library, write_file):
    from reader.ui.article_list import SNIPPET_ROLE

    for n in range(3):
        body = f"Filler words here. The river rose {n} metres overnight. More filler."
        library.import_files([write_file(f"{n}.md", f"# Piece {n}\n\n{body}")])
    library.import_files([write_file("dry.md", "# Dry\n\nNo water at all.")])
    model = ArticleListModel(library)
    assert model.index(0).data(SNIPPET_ROLE) is None  # no search, no snippet
    model.set_search("river")
    assert model.rowCount() == 3
    with qtbot.waitSignal(model.dataChanged, timeout=5000) as changed:
        assert model.index(0).data(SNIPPET_ROLE) is None  # asked for; found in a worker
    first, last, roles = changed.args
    assert (first.row(), last.row(), roles) == (0, 2, [SNIPPET_ROLE])
    snippets = [model.index(r).data(SNIPPET_ROLE) for r in range(3)]
    assert all("The river rose" in s for s in snippets), snippets


def test_snippets_of_a_search_since_changed_are_dropped(qtbot, library, write_file):
    from reader.ui.article_list import SNIPPET_ROLE

    filler = "filler " * 30
    for name, body in (("a", f"It rose. {filler}The river."), ("b", f"It fell. {filler}The river.")):
        library.import_files([write_file(f"{name}.md", f"# {name}\n\n{body}")])
    model = ArticleListModel(library)
    model.set_search("river")
    model.index(0).data(SNIPPET_ROLE)  # asks for the snippets of "river"
    model.set_search("rose")  # before they arrive
    assert model.rowCount() == 1
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        assert model.index(0).data(SNIPPET_ROLE) is None
    qtbot.wait(50)  # the snippets of "river" have come and gone by now
    assert model.index(0).data(SNIPPET_ROLE).startswith("a It rose. filler")


def test_rows_ahead_of_the_view_are_read_in_the_background(qtbot, library, monkeypatch):
    """Scrolling down a page at a time finds its rows already read: a page read while
    painting took up to 50 ms from a cold disk at 100,000 articles."""
    import threading

    _many(library, 1000)
    model, view = _list_view(qtbot, library)
    qtbot.waitUntil(lambda: not model.loading, timeout=5000)
    on_ui_thread = []
    original = library.articles.summaries
    monkeypatch.setattr(library.articles, "summaries", lambda ids: (
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        or original(ids)))
    bar = view.verticalScrollBar()
    while bar.value() < bar.maximum():
        bar.setValue(bar.value() + bar.pageStep())
        view.viewport().repaint()
        qtbot.waitUntil(lambda: not model.reading_ahead, timeout=5000)
    assert on_ui_thread and not any(on_ui_thread)  # every page was read ahead, in a worker
    last = view.indexAt(view.viewport().rect().bottomLeft()).row()
    assert last == 999 and model.index(999).data() == "Article 00000"


def test_rows_read_ahead_before_a_change_are_not_kept(qtbot, seeded_library):
    model = ArticleListModel(seeded_library)
    first = model.article_id(0)
    stale = model.summary(0)
    changes = seeded_library.articles.set_read(first, True)
    model.refresh_articles(changes.articles)
    model._store([stale], model._epoch - 1)  # a page read before the change arrives late
    assert model.index(0).data(READ_ROLE) is True
