"""The annotation panel on a team library: each highlight's author, the author filter
(from the keyboard too), making one's own highlight private, and a note two readers
edited at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reader.ui.annotation_panel import AnnotationPanel
from reader.ui.highlight_list import ID_ROLE
from test_pg_team_notes import span
from tests.conftest import shown_panel


def _ids(panel: AnnotationPanel) -> list[int]:
    return [panel.model.index(row).data(ID_ROLE) for row in range(panel.model.rowCount())]


@pytest.fixture
def highlights(readers):
    ann, bob, article = readers
    salt = ann.highlights.create(article, *span(ann, article, "salt")).highlight_id
    trade = bob.highlights.create(article, *span(bob, article, "trade")).highlight_id
    return salt, trade


def test_authors_are_shown_and_filter_the_list(qtbot, team, readers, highlights):
    ann, _bob, article = readers
    salt, trade = highlights
    panel = shown_panel(qtbot, ann, article)
    combo = panel.author_filter
    assert combo.isVisibleTo(panel)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Everyone", "Mine", team["bob"]]
    assert _ids(panel) == [salt, trade]
    assert f"by {team['bob']}" in panel.model.index(1).data(Qt.ItemDataRole.AccessibleTextRole)
    # From the keyboard: the filter takes focus and Down moves to the next choice.
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "Mine" and _ids(panel) == [salt]
    assert panel.count_label.text() == "HIGHLIGHTS · 1 OF 2"
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert _ids(panel) == [trade]
    # Asking for a highlight the filter hides shows everyone's again.
    panel.select_highlight(salt)
    assert combo.currentText() == "Everyone" and panel.current_highlight_id() == salt

    assert panel.author_label.text() == "By you"
    assert panel.private_check.isVisibleTo(panel)
    panel.select_highlight(trade)
    assert panel.author_label.text() == f"By {team['bob']}"
    assert not panel.private_check.isVisibleTo(panel)  # not Ann's to make private


def test_ones_own_highlight_made_private_from_theshown_panel(qtbot, team, readers, highlights):
    ann, bob, article = readers
    salt, trade = highlights
    panel = shown_panel(qtbot, ann, article)
    panel.select_highlight(salt)
    with qtbot.waitSignal(panel.changed) as changed:
        panel.private_check.click()
    assert changed.args[0].highlights == {article}
    assert ann.highlights.get(salt).private is True
    assert panel.author_label.text() == "By you · private: only you can see it"
    assert [r.id for r in bob.highlights.for_article(article)] == [trade]
    bob_panel = shown_panel(qtbot, bob, article)
    assert _ids(bob_panel) == [trade]
    combo = bob_panel.author_filter
    assert [combo.itemText(i) for i in range(combo.count())] == ["Everyone", "Mine"]


def test_a_note_two_readers_edited_at_once_keeps_both_in_theshown_panel(qtbot, team, readers,
                                                                  highlights):
    ann, bob, article = readers
    salt, _trade = highlights
    ann.highlights.set_note(salt, "Salt made the rivers rich.")
    panel = shown_panel(qtbot, bob, article)
    panel.select_highlight(salt)
    panel.note_edit.setPlainText("Bob: tolls, not salt.")
    ann.highlights.set_note(salt, "Ann: salt and grain.", based_on="Salt made the rivers rich.")
    panel.refresh()  # the live update reaching Bob's window
    panel.save_pending()
    assert panel.message.text() == (f"{team['ann']} changed this note while you were "
                                    "editing; their version is kept in the note's history.")
    assert ann.highlights.get(salt).note == "Bob: tolls, not salt."
    history = panel.history_view.toPlainText()
    assert history.startswith(f"{team['ann']}, ")
    assert "(replaced by you, " in history and history.endswith("):\nAnn: salt and grain.")
    # Ann's own saves before, with no one between them, kept no version.
    assert "Salt made the rivers rich." not in history
