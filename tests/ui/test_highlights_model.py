"""The All Highlights list's model: a sound Qt model that holds ids and reads records a
page at a time, so that a long list costs only the rows that are shown."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from reader.ui.change_bus import ChangeBus
from reader.ui.highlights_model import (
    HIGHLIGHT_ROLE,
    ID_ROLE,
    PAGE,
    TITLE_ROLE,
    HighlightsModel,
    selection_of_rows,
)
from reader.ui.highlights_window import HighlightsWindow
from reader.ui.operations import THREAD_PREFIX

MANY = 5000


def _article(library, write_file, words: int) -> int:
    body = " ".join(f"w{i}" for i in range(words))
    (article_id,) = library.import_files([write_file("long.md", f"# Long one\n\n{body}\n")]).added
    return article_id


@pytest.fixture
def many(library, write_file):
    """MANY highlights, one on each word of a long article."""
    article_id = _article(library, write_file, MANY)
    text = library.articles.text(article_id)
    spans, start = [], text.index("w0 ")
    for i in range(MANY):
        end = start + len(f"w{i}")
        spans.append((article_id, start, end, "blue" if i % 2 else "yellow", "", []))
        start = end + 1
    assert library.highlights.create_many(spans) == MANY
    return library


class Reads:
    """Counts the highlight records the library is asked for, and where."""

    def __init__(self, library, monkeypatch) -> None:
        self.ids = 0
        self.threads: set[str] = set()
        real = library.highlights.records

        def records(ids):
            self.ids += len(ids)
            self.threads.add(threading.current_thread().name)
            return real(ids)

        monkeypatch.setattr(library.highlights, "records", records)


def test_the_model_is_a_sound_qt_model(qtmodeltester, library, write_file):
    article_id = _article(library, write_file, 50)
    text = library.articles.text(article_id)
    for word in ("w1", "w12", "w30"):
        start = text.index(word + " ")
        library.highlights.create(article_id, start, start + len(word))
    model = HighlightsModel(library)
    model.set_ids(library.query.highlights("").ids)
    qtmodeltester.check(model)
    index = model.index(0)
    assert index.data(TITLE_ROLE) == "Long one"
    assert index.data(HIGHLIGHT_ROLE).exact == "w30"
    assert index.data(ID_ROLE) == model.highlight_id(0)


def test_a_long_list_reads_only_the_pages_it_shows(qtbot, many, monkeypatch):
    reads = Reads(many, monkeypatch)
    asked_in = []
    real_query = many.query.highlights
    monkeypatch.setattr(many.query, "highlights", lambda *a, **k: (
        asked_in.append(threading.current_thread().name), real_query(*a, **k))[1])
    window = HighlightsWindow(many, ChangeBus(), lambda _link: None)
    qtbot.addWidget(window)
    window.resize(700, 600)
    with qtbot.waitActive(window):
        window.present()
    qtbot.waitUntil(lambda: window.model.rowCount() == MANY, timeout=5000)
    # The ids were read in a worker, the records a page or two at a time.
    assert len(asked_in) == 1 and asked_in[0].startswith(THREAD_PREFIX)
    # The rows in view are read when the view paints them (later on a busy machine).
    qtbot.waitUntil(lambda: reads.ids > 0 and not window.model.reading_ahead, timeout=5000)
    assert 0 < reads.ids <= 2 * PAGE < MANY // 10
    assert window.model.cached() <= 2 * PAGE
    # Choosing them all reads nothing more; scrolling to the end reads the pages there.
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert window.chosen_count() == MANY and len(window.chosen_ids()) == MANY
    assert window.header.text() == f"{MANY:,} HIGHLIGHTS · {MANY:,} CHOSEN"
    before = reads.ids
    assert before <= 2 * PAGE
    window.list_view.scrollToBottom()
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not window.model.reading_ahead, timeout=3000)
    assert reads.ids - before <= 3 * PAGE
    assert window.model.cached() <= 5 * PAGE


def test_rows_are_read_again_after_they_change(qtbot, many):
    model = HighlightsModel(many)
    ids = many.query.highlights("").ids
    model.set_ids(ids)
    assert model.index(0).data(HIGHLIGHT_ROLE).colour == "blue"  # w4999, odd
    many.highlights.recolour_many(ids[:3], "pink")
    assert model.index(0).data(HIGHLIGHT_ROLE).colour == "blue"  # held until told
    with qtbot.waitSignal(model.dataChanged):
        model.refresh(ids[:3])
    assert [model.index(r).data(HIGHLIGHT_ROLE).colour for r in range(4)] == [
        "pink", "pink", "pink", "yellow"]


def test_a_selection_of_many_rows_is_a_few_ranges(many):
    model = HighlightsModel(many)
    model.set_ids(many.query.highlights("").ids)
    rows = list(range(0, 4000)) + [4100, 4101, 4102, 4999]
    selection = selection_of_rows(model, rows)
    assert [(r.top(), r.bottom()) for r in selection] == [(0, 3999), (4100, 4102),
                                                         (4999, 4999)]
    assert model.cached() == 0  # no record was read for it
