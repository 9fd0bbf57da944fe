"""The daily review in the real window, driven by its keys: R opens it, Space begins, 1-4
grade, U undoes, X retires, T and N edit, C and Q make mastery cards, S picks the scope,
O opens the passage, Esc leaves. The Review entry counts today's cards; the start
screen's chart shows the stored history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from reader.importing.parsing import MARKDOWN
from reader.importing.sources import parse_article
from reader.review import CLOZE, Clock, Gap
from reader.review.scheduling import interval_text
from reader.ui import theme
from reader.records import Changes
from reader.ui.review_entry import SETTLE_MS
from reader.ui.review_dialogs import (
    ClozeDialog,
    QuestionDialog,
    ScopeDialog,
    cloze_preview,
    scope_suggestions,
)
from reader.ui.review_screen import CARD, START

NOW = datetime(2025, 6, 2, 10, 0, tzinfo=timezone.utc)
SENTENCES = ["The old bridge over the river was built of stone in 1850.",
             "Its three arches still carry the railway to the coast.",
             "A second bridge, of steel, was opened in 1932 beside it.",
             "Both were damaged in the floods of the following winter."]


@pytest.fixture
def reviewed(library):
    """An article with four highlights (one green, one with a tag), a fixed clock, and
    history: grades given on three earlier days."""
    article_id = library.articles.add(parse_article(
        "# Bridges of the valley\n\n" + " ".join(SENTENCES) + "\n\nThe end of the story.",
        MARKDOWN, "bridges.md"))
    text = library.articles.text(article_id)
    ids = []
    for n, sentence in enumerate(SENTENCES):
        start = text.index(sentence)
        ids.append(library.highlights.create(article_id, start, start + len(sentence),
                                             "green" if n == 1 else "yellow").highlight_id)
    library.highlights.set_tags(ids[2], ["steel"])
    library.review.clock = Clock(NOW - timedelta(days=9), tz=timezone.utc)
    library.review.grade(ids[0], 3)
    library.review.clock.set(NOW - timedelta(days=5))
    library.review.grade(ids[0], 1)
    library.review.clock.set(NOW - timedelta(days=1))
    library.review.grade(ids[0], 3)
    library.review.clock.set(NOW)
    return library, article_id, ids


def _open_review(window, qtbot):
    window.review_entry.wait()
    qtbot.keyClick(window.list_view, Qt.Key.Key_R)
    screen = window.review_screen
    assert screen is not None and screen.isVisible() and not window.splitter.isVisible()
    screen.wait()
    assert screen.hasFocus()
    return screen


def _log(library) -> list[tuple[int, int]]:
    return library.storage.rows("SELECT highlight_id, rating FROM review_log ORDER BY id")


def test_a_review_driven_by_keys_from_start_to_end(show_window, reviewed, qtbot):
    library, article_id, ids = reviewed
    window = show_window(library)
    window.review_entry.wait()
    assert window.review_entry.count.text() == "3 today"  # three new; the graded one not due
    screen = _open_review(window, qtbot)
    assert screen.pages.currentIndex() == START
    assert screen.summary.text() == "3 highlights to review today: 3 new"
    assert "Streak: 1 day" in screen.streak.text()
    assert screen.library_line.text() == "4 highlights in the library: 1 reviewed, 3 not yet."
    assert screen.begin_button.text() == "Begin (Space)"

    qtbot.keyClick(screen, Qt.Key.Key_Space)  # begin
    assert screen.pages.currentIndex() == CARD
    assert screen.card.highlight_id == ids[3]  # newest first
    assert SENTENCES[3] in screen.passage.text()
    assert SENTENCES[2] in screen.passage.text()  # the sentence before, as context
    assert screen.why.text().startswith("New: first review")
    assert screen.progress.text() == "Card 1 of 3 · 3 new to come"
    intervals = library.review.intervals(screen.card)
    assert screen.grade_buttons[3].text() == f"3  Good\n{interval_text(intervals[3])}"

    qtbot.keyClick(screen, Qt.Key.Key_3)  # Good: written at once
    assert _log(library)[-1] == (ids[3], 3)
    assert screen.card.highlight_id == ids[2]
    qtbot.keyClick(screen, Qt.Key.Key_U)  # undo: the grade is gone, the card is back
    assert _log(library)[-1] == (ids[0], 3)
    assert screen.card.highlight_id == ids[3]
    qtbot.keyClick(screen, Qt.Key.Key_4)
    assert _log(library)[-1] == (ids[3], 4)

    # T tags the highlight shown, in place; Enter saves and hands the keys back.
    assert screen.card.highlight_id == ids[2] and "#steel" in screen.tags_line.text()
    qtbot.keyClick(screen, Qt.Key.Key_T)
    assert screen.tags_edit.hasFocus()
    qtbot.keyClicks(screen.tags_edit, "bridges")
    qtbot.keyClick(screen.tags_edit, Qt.Key.Key_Return)
    assert library.highlights.get(ids[2]).tags == ("bridges", "steel")
    assert screen.hasFocus() and not screen.tags_edit.isVisible()
    assert "#bridges" in screen.tags_line.text()
    # N writes its note; Ctrl+Enter saves.
    qtbot.keyClick(screen, Qt.Key.Key_N)
    assert screen.note_edit.hasFocus()
    qtbot.keyClicks(screen.note_edit, "Rebuilt after the floods.")
    qtbot.keyClick(screen.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert library.highlights.get(ids[2]).note == "Rebuilt after the floods."
    assert screen.note_line.text() == "Rebuilt after the floods." and screen.hasFocus()

    qtbot.keyClick(screen, Qt.Key.Key_X)  # never again
    assert library.review.card(ids[2]).retired
    assert screen.card.highlight_id == ids[1]

    # O: the passage in its article; R comes back to the same card.
    qtbot.keyClick(screen, Qt.Key.Key_O)
    assert not screen.isVisible() and window.splitter.isVisible()
    assert window.current_article_id() == article_id
    assert window.reading_pane.active_highlight == ids[1]
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_R)
    assert screen.isVisible() and screen.card.highlight_id == ids[1]
    qtbot.keyClick(screen, Qt.Key.Key_1)  # Again: tomorrow, for a plain highlight

    # The last card done: the start page says so and counts again.
    assert screen.pages.currentIndex() == START
    screen.wait()
    assert screen.summary.text() == "Done for today: 2 reviewed."
    assert screen.feedback.text() == "Done for today: 2 reviewed."
    assert "2 today" in screen.streak.text() and "Streak: 2 days" in screen.streak.text()
    window.review_entry.wait()
    assert window.review_entry.count.text() == "✓ done"
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert not screen.isVisible() and window.reading_pane.hasFocus()  # where R was pressed


def test_the_review_entry_opens_it_from_the_keyboard_and_counts_again(show_window, reviewed,
                                                                     qtbot):
    library, _article_id, ids = reviewed
    window = show_window(library)
    entry = window.review_entry
    entry.wait()
    assert entry.accessibleDescription() == "3 highlights to review today: 3 new"
    library.highlights.set_tags(ids[3], ["no-review"])
    window.announce(library.highlights.set_tags(ids[1], ["no-review"]))
    entry.wait()
    assert entry.count.text() == "1 today"
    # A burst of changes is counted once, when it pauses; meanwhile the count shown is
    # not taken as fresh by the review screen.
    counted = []
    entry.counted.connect(counted.append)
    for highlight_id in ids:
        window.announce(Changes(highlights=frozenset({_article_id}), highlight_id=highlight_id))
    assert entry.loading and entry.fresh_queue(window.review_options()) is None
    qtbot.waitUntil(lambda: bool(counted), timeout=3000)
    qtbot.wait(SETTLE_MS + 100)
    assert len(counted) == 1 and entry.fresh_queue(window.review_options()) is counted[0]
    entry.setFocus()
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert window.review_screen.isVisible()


def test_cloze_and_question_cards_show_the_gap_or_question_first(show_window, reviewed, qtbot,
                                                                 monkeypatch):
    library, _article_id, ids = reviewed
    window = show_window(library)
    screen = _open_review(window, qtbot)
    qtbot.keyClick(screen, Qt.Key.Key_Space)
    exact = screen.card.highlight.exact  # "Both were damaged in the floods of …"
    gap = Gap(exact.index("floods"), exact.index("floods") + len("floods"))
    monkeypatch.setattr(ClozeDialog, "ask", lambda _parent, text, gaps: (gap,))
    qtbot.keyClick(screen, Qt.Key.Key_C)
    assert library.review.card(ids[3]).kind == CLOZE
    assert "floods" not in screen.passage.text() and "[…]" in screen.passage.text()
    assert not screen.grade_buttons[3].isVisible() and screen.show_button.isVisible()
    qtbot.keyClick(screen, Qt.Key.Key_3)  # a grade before the answer shows it
    assert "floods" in screen.passage.text() and screen.grade_buttons[3].isVisible()
    assert _log(library)[-1][0] == ids[0]  # nothing graded yet
    qtbot.keyClick(screen, Qt.Key.Key_Space)  # Space again: Good
    assert _log(library)[-1] == (ids[3], 3)

    monkeypatch.setattr(QuestionDialog, "ask", lambda _parent, quote, question:
                        "When was the steel bridge opened?")
    qtbot.keyClick(screen, Qt.Key.Key_Q)
    assert screen.card.highlight_id == ids[2]
    assert screen.question.isVisible()
    assert screen.question.text() == "When was the steel bridge opened?"
    assert not screen.passage.isVisible()
    qtbot.keyClick(screen, Qt.Key.Key_Space)
    assert screen.passage.isVisible() and SENTENCES[2] in screen.passage.text()


def test_a_cloze_card_from_the_reading_pane(show_window, reviewed, qtbot, monkeypatch):
    library, article_id, ids = reviewed
    window = show_window(library)
    window.open_article(article_id)
    window.reading_pane.setFocus()
    window.annotation_panel.select_highlight(ids[1])
    window._mark(ids[1], scroll=False)
    asked = {}

    def ask(_parent, text, gaps):
        asked["text"] = text
        return (Gap(0, 3),)

    monkeypatch.setattr(ClozeDialog, "ask", ask)
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_C)
    assert asked["text"] == SENTENCES[1]
    card = library.review.card(ids[1])
    assert card.kind == CLOZE and card.gaps == (Gap(0, 3),)


def test_s_chooses_what_to_review_and_the_settings_keep_it(show_window, reviewed, qtbot,
                                                           monkeypatch, tmp_path):
    from reader.settings import Settings

    library, _article_id, ids = reviewed
    preferences = Settings.load(tmp_path / "settings.toml")
    window = show_window(library, preferences)
    screen = _open_review(window, qtbot)
    monkeypatch.setattr(ScopeDialog, "ask", lambda _parent, _library, current: "colour:green")
    qtbot.keyClick(screen, Qt.Key.Key_S)
    screen.wait()
    assert [i.highlight_id for i in screen.queue.items] == [ids[1]]
    assert "From Colour: Green" in screen.scope_line.text()
    assert Settings.load(tmp_path / "settings.toml").get("review_scope") == "colour:green"
    window.review_entry.wait()
    assert window.review_entry.count.text() == "1 today"


def test_the_chart_shows_the_stored_history(show_window, reviewed, qtbot):
    library, _article_id, _ids = reviewed
    window = show_window(library, size=(1300, 800))
    screen = _open_review(window, qtbot)
    chart = screen.chart
    days = dict(chart.history.days)
    assert days[(NOW - timedelta(days=9)).date()] == 1
    assert days[(NOW - timedelta(days=5)).date()] == 1
    assert days[(NOW - timedelta(days=1)).date()] == 1
    assert sum(days.values()) == 3 == len(_log(library))
    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()
    index = [day for day, _count in chart.history.days].index((NOW - timedelta(days=5)).date())
    bar = chart.bar_rect(index)
    assert bar.height() > 10
    inside = image.pixelColor(int(bar.center().x() * ratio), int(bar.center().y() * ratio))
    assert inside != QColor(theme.PAPER)
    empty = chart.bar_rect(index + 1)  # the next day: no review, no bar
    assert empty.height() == 0
    below = image.pixelColor(int(empty.center().x() * ratio), int((bar.center().y()) * ratio))
    assert below == QColor(theme.PAPER)
    assert "3 reviews" in chart.accessibleDescription()


def test_the_scope_picker_lists_tags_and_colours_and_takes_a_query(reviewed, qtbot):
    library, _article_id, _ids = reviewed
    assert ("Tag: steel", 'tag:"steel"') in scope_suggestions(library)
    assert ("View: Inbox", "is:unread -is:archived") in scope_suggestions(library)
    dialog = ScopeDialog(library, "")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.field, "steel")
    assert dialog.proxy.rowCount() == 1
    qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    assert dialog.query() == 'tag:"steel"'
    dialog.field.setText("nosuchfield:x")
    assert dialog.note.text().startswith("⚠ nosuchfield:")


def test_the_cloze_dialog_hides_words_from_the_keyboard(qtbot):
    text = "The old bridge 🌉 over the river."
    dialog = ClozeDialog(text)
    qtbot.addWidget(dialog)
    cursor = dialog.editor.textCursor()
    cursor.setPosition(dialog.editor._offsets.to_utf16(text.index("river") + 2))
    dialog.editor.setTextCursor(cursor)
    qtbot.keyClick(dialog.editor, Qt.Key.Key_H)
    assert [text[g.start:g.end] for g in dialog.gaps] == ["river"]
    assert cloze_preview(text, dialog.gaps) == "The old bridge 🌉 over the […]."
    assert dialog.preview.text() == "The card will show: The old bridge 🌉 over the […]."
    qtbot.keyClick(dialog.editor, Qt.Key.Key_H)
    assert dialog.gaps == ()
