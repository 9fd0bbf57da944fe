"""The annotation panel and a note's history: a save that won over a change made
elsewhere while one typed says so, and the note's earlier versions are shown with who
wrote them and when. A personal library shows no authors and no privacy."""

from __future__ import annotations

import pytest

from reader.library import Library
from reader.records import NoteSaved, NoteVersion
from reader.ui.annotation_panel import conflict_message
from reader.ui.highlight_list import note_history_text
from tests.conftest import shown_panel

TEXT = "# Rivers\n\nRivers carry salt to the sea, and trade follows the rivers.\n"


@pytest.fixture
def article(library, write_file) -> int:
    (article_id,) = library.import_files([write_file("rivers.md", TEXT)]).added
    return article_id


def _highlight(library, article_id: int, word: str) -> int:
    start = library.articles.text(article_id).index(word)
    return library.highlights.create(article_id, start, start + len(word)).highlight_id


def test_a_save_over_a_change_made_meanwhile_says_so_and_shows_the_other_version(
        qtbot, library, library_path, article):
    hid = _highlight(library, article, "salt")
    library.highlights.set_note(hid, "Start.")
    panel = shown_panel(qtbot, library, article)
    panel.select_highlight(hid)
    assert panel.note_edit.toPlainText() == "Start."
    assert not panel.history_view.isVisibleTo(panel)
    panel.note_edit.setPlainText("Mine, typed in the panel.")
    with Library.open(library_path) as other:  # another window on the same library
        other.highlights.set_note(hid, "Changed in another window.", based_on="Start.")
    panel.refresh()  # as the window does when it sees the change
    assert panel.note_edit.toPlainText() == "Mine, typed in the panel."  # typing kept
    with qtbot.waitSignal(panel.changed):
        panel.save_pending()
    assert library.highlights.get(hid).note == "Mine, typed in the panel."
    assert panel.message.isVisibleTo(panel)
    assert panel.message.text() == ("This note was changed elsewhere while you were editing; "
                                    "that version is kept in the note's history.")
    assert panel.history_view.isVisibleTo(panel) and panel.history_heading.isVisibleTo(panel)
    assert "Changed in another window." in panel.history_view.toPlainText()
    assert "Start." not in panel.history_view.toPlainText()  # one's own earlier text: no
    # Typing on and saving again is no conflict: the message goes, the history stays.
    panel.note_edit.setPlainText("Mine, typed in the panel, and more.")
    panel.save_pending()
    assert not panel.message.isVisibleTo(panel)
    assert [v.note for v in library.highlights.note_history(hid)] == \
        ["Changed in another window."]


def test_the_history_follows_the_selected_highlight(qtbot, library, article):
    with_history = _highlight(library, article, "salt")
    library.highlights.set_note(with_history, "older")
    library.highlights.set_note(with_history, "newer", based_on="")
    without = _highlight(library, article, "trade")
    library.highlights.set_note(without, "only one")
    library.highlights.set_note(without, "only one, edited", based_on="only one")
    panel = shown_panel(qtbot, library, article)
    panel.select_highlight(with_history)
    assert panel.history_view.isVisibleTo(panel)
    assert panel.history_view.toPlainText().endswith(":\nolder")
    panel.select_highlight(without)
    assert not panel.history_view.isVisibleTo(panel)
    assert panel.history_view.toPlainText() == ""


def test_a_personal_library_shows_no_authors_or_privacy(qtbot, library, article):
    hid = _highlight(library, article, "salt")
    panel = shown_panel(qtbot, library, article)
    panel.select_highlight(hid)
    assert not panel.author_filter.isVisibleTo(panel)
    assert not panel.author_label.isVisibleTo(panel)
    assert not panel.private_check.isVisibleTo(panel)
    assert "by " not in panel.model.describe(library.highlights.get(hid))


def test_history_text_names_writers_and_times():
    versions = [NoteVersion(2, 1, "Second.", "ann", "2026-12-07T18:05:09+00:00", "bob",
                            "2026-12-07T18:30:00+00:00"),
                NoteVersion(1, 1, "First.", "", "2026-12-06T09:00:00+00:00", "ann",
                            "2026-12-07T18:05:09+00:00")]
    assert note_history_text(versions, "ann") == (
        "You, 2026-12-07 18:05 UTC (replaced by bob, 2026-12-07 18:30 UTC):\nSecond.\n\n"
        "Someone, 2026-12-06 09:00 UTC (replaced by you, 2026-12-07 18:05 UTC):\nFirst.")
    assert note_history_text([], "ann") == ""


def test_conflict_message_names_who_changed_the_note():
    kept = NoteVersion(1, 1, "x", "alice", "t", "bob", "t")
    assert conflict_message(NoteSaved(kept=kept, conflict=True), "bob") == (
        "alice changed this note while you were editing; their version is kept in the "
        "note's history.")
    assert conflict_message(NoteSaved(kept=kept, conflict=False), "bob") == ""
    assert conflict_message(None, "bob") == ""
