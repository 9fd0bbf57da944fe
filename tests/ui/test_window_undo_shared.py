"""The window's Undo on a shared library: a step another reader has changed since is
refused in the status bar, taken off Edit › Undo, and their change stays (on a SQLite
file and on PostgreSQL, the colleague being a second Library on the same library)."""

from __future__ import annotations

import pytest

from reader.library import Library
from reader.paths import seeds_dir
from reader.ui import operations

SECOND_SEED = "Ukraine continues offensive inside Russia"


@pytest.fixture
def library(any_library):
    any_library.seed_if_new(seeds_dir())
    yield any_library
    operations.drain()


def test_undo_in_the_window_refuses_a_highlight_a_colleague_annotated(library, show_window):
    window = show_window(library)
    row = next(r for r in range(window.model.rowCount())
               if window.model.index(r).data() == SECOND_SEED)
    window.open_article(window.model.article_id(row))
    text = window.reading_pane.shown.text
    start = text.index("two bridges")
    window.reading_pane.select_span(start, start + len("two bridges"))
    assert window.run_command("highlight.create")
    (made,) = library.highlights.for_article(window.shown_article)
    undo = window.actions.menu_actions["edit.undo"]
    assert undo.text() == "Undo Highlight"
    where = library.path if library.path is not None else library.storage.url
    with Library.open(where) as colleague:
        colleague.highlights.set_note(made.id, "Their note")
    window.cmd_edit_undo()
    assert window.statusBar().currentMessage().startswith(
        "Cannot undo “Highlight”: someone else has changed it since.")
    assert (undo.text(), undo.isEnabled()) == ("Undo", False)
    assert library.highlights.get(made.id).note == "Their note"
    window.close()
