"""The annotation panel: the highlight list model, filters, and editing tags and notes in place."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl, Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser

from reader.library import Library
from reader.paths import seeds_dir
from reader.records import Changes
from reader.importing.sources import parse_article
from reader.ui.annotation_layout import NO_ARTICLE_HINT, NO_HIGHLIGHTS_HINT, NO_MATCH_HINT
from reader.ui.annotation_editors import NoteView
from reader.ui.highlight_list import (
    HIGHLIGHT_ROLE,
    ID_ROLE,
    ORPHAN_LABEL,
    HighlightDelegate,
    HighlightListModel,
    wrap_lines,
)
from tests.conftest import shown_panel

INCURSION = "Ukrainian military launches incursion of Russia"
REMOVED = ("Unconfirmed reports by Russian bloggers suggested that Ukrainian troops were "
           "targeting a gas metering station")
FIRST = "Early Tuesday morning, Ukrainian forces launched"
SECOND = "described the attack as a “major provocation”"
LAST = "Russian air defense shot down at least seven missiles"

# The offscreen platform cannot raise the completer's popup or grab the keyboard for it.
completer_popup = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


@pytest.fixture
def article(seeded_library) -> int:
    return next(i for i in seeded_library.articles.ids()
                if seeded_library.articles.get(i).title == INCURSION)


def _highlight(library, article_id: int, needle: str, colour: str = "yellow") -> int:
    text = library.articles.text(article_id)
    start = text.index(needle)
    return library.highlights.create(article_id, start, start + len(needle), colour).highlight_id


def _orphan(library, article_id: int) -> int:
    """A highlight on a paragraph that a newer version of the article no longer has."""
    highlight_id = _highlight(library, article_id, REMOVED, "pink")
    source = next(p for p in seeds_dir().iterdir() if "incursion" in p.name).read_text("utf-8")
    paragraph = next(line for line in source.splitlines() if line.startswith("Unconfirmed"))
    orphaned = library.articles.replace_source(
        article_id, parse_article(source.replace(paragraph + "\n", ""), "markdown"))
    assert orphaned == [highlight_id]
    return highlight_id


def _ids(model) -> list[int]:
    return [model.index(row).data(ID_ROLE) for row in range(model.rowCount())]


# --- the model ----------------------------------------------------------------------------
def test_model_passes_qt_model_tester(qtmodeltester, seeded_library, article):
    for needle, colour in ((LAST, "blue"), (FIRST, "yellow"), (SECOND, "green")):
        _highlight(seeded_library, article, needle, colour)
    _orphan(seeded_library, article)
    model = HighlightListModel(seeded_library)
    model.set_article(article)
    assert model.rowCount() == 4
    qtmodeltester.check(model, force_py=True)
    model.set_filter(colour="green")
    assert model.rowCount() == 1
    qtmodeltester.check(model, force_py=True)


def test_rows_are_in_reading_order_with_orphans_last(seeded_library, article):
    orphan = _orphan(seeded_library, article)
    last = _highlight(seeded_library, article, LAST)
    first = _highlight(seeded_library, article, FIRST)
    second = _highlight(seeded_library, article, SECOND)
    model = HighlightListModel(seeded_library)
    model.set_article(article)
    assert _ids(model) == [first, second, last, orphan]
    record = model.index(3).data(HIGHLIGHT_ROLE)
    assert record.orphaned and record.exact == REMOVED
    assert not any(model.index(row).data(HIGHLIGHT_ROLE).orphaned for row in range(3))
    assert ORPHAN_LABEL.lower() in model.index(3).data(Qt.ItemDataRole.AccessibleTextRole)


def test_colour_and_nested_tag_filters(seeded_library, article):
    rome = _highlight(seeded_library, article, FIRST, "green")
    history = _highlight(seeded_library, article, SECOND, "yellow")
    other = _highlight(seeded_library, article, LAST, "green")
    seeded_library.highlights.set_tags(rome, ["history/rome"])
    seeded_library.highlights.set_tags(history, ["History"])
    seeded_library.highlights.set_tags(other, ["historyless", "economy"])
    model = HighlightListModel(seeded_library)
    model.set_article(article)
    model.set_filter(colour="green")
    assert _ids(model) == [rome, other]
    model.set_filter(tag="history")
    assert _ids(model) == [rome, history]  # nested tags count; a longer name does not
    model.set_filter(tag="#History/Rome")
    assert _ids(model) == [rome]
    model.set_filter(colour="green", tag="history")
    assert _ids(model) == [rome]
    assert model.total_count() == 3
    model.set_filter()
    assert _ids(model) == [rome, history, other]


def test_panel_filter_row_filters_the_list(qtbot, seeded_library, article):
    rome = _highlight(seeded_library, article, FIRST, "green")
    other = _highlight(seeded_library, article, LAST, "blue")
    seeded_library.highlights.set_tags(rome, ["history/rome"])
    seeded_library.colours.rename("green", "Key claim")
    panel = shown_panel(qtbot, seeded_library, article)
    combo = panel.colour_filter
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "All colours", "Yellow", "Key claim", "Blue", "Pink", "Purple"]
    combo.setCurrentIndex(combo.findText("Key claim"))
    assert _ids(panel.model) == [rome]
    combo.setCurrentIndex(0)
    panel.tag_filter.setText("history")
    assert _ids(panel.model) == [rome]
    panel.tag_filter.setText("nothing-like-this")
    assert panel.list_stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text() == NO_MATCH_HINT
    panel.tag_filter.clear()
    assert _ids(panel.model) == [rome, other]
    assert panel.list_stack.currentWidget() is panel.list_view


def test_rows_are_tall_enough_for_their_content(qtbot, seeded_library, article):
    delegate = HighlightDelegate()
    text = seeded_library.articles.text(article)
    lines = wrap_lines(text[:1000], delegate.quote_font, 200, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert wrap_lines("short 😀 text", delegate.quote_font, 200, 3) == ["short 😀 text"]
    needed = (QFontMetrics(delegate.meta_font).height()
              + 3 * QFontMetrics(delegate.quote_font).lineSpacing()
              + QFontMetrics(delegate.note_font).height())
    assert delegate.row_height() > needed


# --- empty states and selection -------------------------------------------------------------
def test_empty_states(qtbot, seeded_library, article):
    panel = shown_panel(qtbot, seeded_library, None)
    assert panel.stack.currentWidget() is panel.placeholder
    assert panel.placeholder.text() == NO_ARTICLE_HINT
    panel.show_article(article)
    assert panel.stack.currentWidget() is not panel.placeholder
    assert panel.list_stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text() == NO_HIGHLIGHTS_HINT
    assert panel.focus_highlight_note() is False
    highlight = _highlight(seeded_library, article, FIRST)
    panel.refresh()
    assert panel.list_stack.currentWidget() is panel.list_view
    assert _ids(panel.model) == [highlight]
    panel.show_article(None)
    assert panel.stack.currentWidget() is panel.placeholder


def test_choosing_in_the_list_emits_highlight_chosen(qtbot, seeded_library, article):
    first = _highlight(seeded_library, article, FIRST)
    second = _highlight(seeded_library, article, SECOND)
    panel = shown_panel(qtbot, seeded_library, article)
    view = panel.list_view
    rect = view.visualRect(panel.model.index(1))
    with qtbot.waitSignal(panel.highlight_chosen) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [second]
    view.setFocus()
    with qtbot.waitSignal(panel.highlight_chosen) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Up)
    assert blocker.args == [first]
    assert panel.current_highlight_id() == first
    assert panel.tags_edit.isEnabled() and panel.editor_stack.currentWidget() is panel.editor


def test_select_highlight_is_quiet_and_not_hidden_by_filters(qtbot, seeded_library, article):
    _highlight(seeded_library, article, FIRST, "yellow")
    second = _highlight(seeded_library, article, SECOND, "blue")
    panel = shown_panel(qtbot, seeded_library, article)
    panel.colour_filter.setCurrentIndex(panel.colour_filter.findData("yellow"))
    assert second not in _ids(panel.model)
    with qtbot.assertNotEmitted(panel.highlight_chosen):
        panel.select_highlight(second)
    assert panel.current_highlight_id() == second
    assert panel.colour_filter.currentData() is None  # the filter gave way
    assert panel.list_view.selectionModel().isSelected(panel.model.index(1))
    assert panel.tags_edit.isVisible()


# --- editing a highlight --------------------------------------------------------------------
@completer_popup
def test_enter_and_ctrl_enter_save_tags_and_note(qtbot, library_path, seeded_library, article):
    highlight = _highlight(seeded_library, article, FIRST)
    seeded_library.highlights.set_tags(highlight, ["economy"])
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(highlight)
    assert panel.tags_edit.text() == "economy"
    emitted: list[Changes] = []
    panel.changed.connect(emitted.append)

    assert panel.focus_highlight_tags()
    qtbot.keyClicks(panel.tags_edit, "history/rome,  #war ")
    qtbot.keyClick(panel.tags_edit, Qt.Key.Key_Return)
    assert seeded_library.highlights.get(highlight).tags == ("economy", "history/rome", "war")
    assert panel.tags_edit.text() == "economy, history/rome, war"
    assert emitted and emitted[-1].tags and article in emitted[-1].highlights

    assert panel.focus_highlight_note()
    qtbot.keyClicks(panel.note_edit, "Why this *matters*")
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seeded_library.highlights.get(highlight).note == "Why this *matters*"
    assert panel.note_edit.toPlainText() == "Why this *matters*"  # no newline was typed
    assert panel.note_edit.hasFocus()
    assert len(emitted) == 2
    row = panel.model.index(0).data(HIGHLIGHT_ROLE)
    assert row.note == "Why this *matters*" and "war" in row.tags  # the list row follows

    seeded_library.close()
    with Library.open(library_path) as reopened:
        record = reopened.highlights.get(highlight)
        assert record.tags == ("economy", "history/rome", "war")
        assert record.note == "Why this *matters*"


@completer_popup
def test_tags_complete_the_segment_after_the_last_comma(qtbot, seeded_library, article):
    highlight = _highlight(seeded_library, article, FIRST)
    other = _highlight(seeded_library, article, SECOND)
    seeded_library.highlights.set_tags(other, ["history/rome", "economy"])
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(highlight)
    panel.tags_edit.setFocus()
    qtbot.keyClicks(panel.tags_edit, "economy, rom")
    completer = panel.tags_edit.completer()
    assert completer.splitPath(completer.completionPrefix()) == ["rom"]
    assert completer.popup().isVisible()
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "economy, history/rome"
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Down)
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Return)
    assert panel.tags_edit.text() == "economy, history/rome"
    assert not completer.popup().isVisible()
    qtbot.keyClick(panel.tags_edit, Qt.Key.Key_Return)
    assert seeded_library.highlights.get(highlight).tags == ("economy", "history/rome")


def test_unsaved_note_is_saved_when_the_selection_changes(qtbot, seeded_library, article):
    first = _highlight(seeded_library, article, FIRST)
    second = _highlight(seeded_library, article, SECOND)
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(first)
    panel.focus_highlight_note()
    qtbot.keyClicks(panel.note_edit, "typed, never committed")
    panel.tags_edit.setText("pending")  # typed in the tags field too, without Enter
    with qtbot.waitSignal(panel.changed):
        panel.list_view.setCurrentIndex(panel.model.index(1))
    assert seeded_library.highlights.get(first).note == "typed, never committed"
    assert seeded_library.highlights.get(first).tags == ("pending",)
    assert panel.current_highlight_id() == second
    assert panel.note_edit.toPlainText() == ""


def test_saving_on_the_way_to_another_highlight_does_not_pull_back(qtbot, seeded_library,
                                                                     article):
    """The window refreshes the panel and selects `Changes.highlight_id` after each change."""
    first = _highlight(seeded_library, article, FIRST)
    second = _highlight(seeded_library, article, SECOND)
    panel = shown_panel(qtbot, seeded_library, article)
    emitted: list[Changes] = []

    def like_the_window(changes: Changes) -> None:
        emitted.append(changes)
        panel.refresh()
        if changes.highlight_id is not None:
            panel.select_highlight(changes.highlight_id)

    panel.changed.connect(like_the_window)
    panel.select_highlight(first)
    panel.note_edit.setPlainText("typed in the first")
    with qtbot.waitSignal(panel.highlight_chosen) as blocker:
        panel.list_view.setFocus()
        qtbot.keyClick(panel.list_view, Qt.Key.Key_Down)
    assert blocker.args == [second]
    assert panel.current_highlight_id() == second
    assert seeded_library.highlights.get(first).note == "typed in the first"
    assert [c.highlight_id for c in emitted] == [None]
    assert panel.note_edit.toPlainText() == ""


def test_focus_leaving_the_editor_saves(qtbot, seeded_library, article):
    highlight = _highlight(seeded_library, article, FIRST)
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(highlight)
    panel.focus_highlight_note()
    qtbot.keyClicks(panel.note_edit, "saved on the way out")
    panel.list_view.setFocus()
    qtbot.waitUntil(lambda: not panel.note_edit.hasFocus())
    assert seeded_library.highlights.get(highlight).note == "saved on the way out"


def test_show_article_and_save_pending_save_what_was_typed(qtbot, seeded_library, article):
    highlight = _highlight(seeded_library, article, FIRST)
    other_article = next(i for i in seeded_library.articles.ids() if i != article)
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(highlight)
    panel.note_edit.setPlainText("kept when the article changes")
    panel.article_note.setPlainText("article note, kept too")
    panel.show_article(other_article)
    assert seeded_library.highlights.get(highlight).note == "kept when the article changes"
    assert seeded_library.articles.get(article).note == "article note, kept too"
    panel.article_tags.setText("later")
    panel.save_pending()
    assert seeded_library.articles.get(other_article).tags == ("later",)


def test_escape_reverts_the_editors(qtbot, seeded_library, article):
    highlight = _highlight(seeded_library, article, FIRST)
    seeded_library.highlights.set_note(highlight, "the saved note")
    seeded_library.highlights.set_tags(highlight, ["kept"])
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(highlight)
    panel.focus_highlight_note()
    qtbot.keyClicks(panel.note_edit, " plus a mistake")
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Escape)
    assert panel.note_edit.toPlainText() == "the saved note"
    panel.focus_highlight_tags()
    qtbot.keyClicks(panel.tags_edit, "oops")
    qtbot.keyClick(panel.tags_edit, Qt.Key.Key_Escape)
    assert panel.tags_edit.text() == "kept"
    panel.focus_article_note()
    qtbot.keyClicks(panel.article_note, "never meant")
    qtbot.keyClick(panel.article_note, Qt.Key.Key_Escape)
    assert panel.article_note.toPlainText() == ""
    panel.list_view.setFocus()  # leaving the editors saves nothing: nothing is left to save
    record = seeded_library.highlights.get(highlight)
    assert (record.note, record.tags) == ("the saved note", ("kept",))
    assert seeded_library.articles.get(article).note == ""


def test_article_tags_and_note_are_saved(qtbot, library_path, seeded_library, article):
    panel = shown_panel(qtbot, seeded_library, article)
    emitted: list[Changes] = []
    panel.changed.connect(emitted.append)
    assert panel.focus_article_tags()
    qtbot.keyClicks(panel.article_tags, "war, history/ukraine")
    qtbot.keyClick(panel.article_tags, Qt.Key.Key_Return)
    assert seeded_library.articles.get(article).tags == ("history/ukraine", "war")
    assert emitted[-1].tags and article in emitted[-1].articles
    assert panel.focus_article_note()
    qtbot.keyClicks(panel.article_note, "# Summary")
    qtbot.keyClick(panel.article_note, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    assert seeded_library.articles.get(article).note == "# Summary"
    assert "history/ukraine" in panel.tag_names.stringList()  # the completers know it now
    seeded_library.close()
    with Library.open(library_path) as reopened:
        assert reopened.articles.get(article).tags == ("history/ukraine", "war")
        assert reopened.articles.get(article).note == "# Summary"


def test_rendered_note_shows_markdown(qtbot, seeded_library, article):
    highlight = _highlight(seeded_library, article, FIRST)
    seeded_library.highlights.set_note(highlight, "A **bold** claim")
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(highlight)
    view = panel.note_view
    assert view.toPlainText() == "A bold claim"
    cursor = view.document().find("bold")
    assert cursor.charFormat().fontWeight() > 500
    assert view.document().find("claim").charFormat().fontWeight() < 600
    panel.focus_highlight_note()
    qtbot.keyClicks(panel.note_edit, " and _more_")  # the rendering follows the typing
    assert view.toPlainText() == "A bold claim and more"
    assert not view.openLinks() and not view.openExternalLinks()


def test_rendered_note_fetches_nothing(qtbot, tmp_path):
    image = tmp_path / "pixel.svg"
    image.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    url = QUrl.fromLocalFile(str(image))
    plain = QTextBrowser()
    view = NoteView()
    qtbot.addWidget(plain)
    qtbot.addWidget(view)
    kind = int(QTextDocument.ResourceType.ImageResource.value)
    assert plain.loadResource(kind, url) is not None  # what it would fetch on its own
    assert view.loadResource(kind, url) is None
    view.setMarkdown(f"![pixel]({url.toString()}) [a link](https://example.org)")
    assert "a link" in view.toPlainText()


# --- delete, re-attach, refresh ------------------------------------------------------------------
def test_delete_button_deletes_and_selects_the_next(qtbot, seeded_library, article):
    first = _highlight(seeded_library, article, FIRST)
    second = _highlight(seeded_library, article, SECOND)
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(first)
    with qtbot.waitSignal(panel.changed):
        qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [h.id for h in seeded_library.highlights.for_article(article)] == [second]
    assert _ids(panel.model) == [second]
    assert panel.current_highlight_id() == second
    seeded_library.undo()
    panel.refresh()
    assert _ids(panel.model) == [first, second]


def test_reattach_is_offered_for_orphans_only(qtbot, seeded_library, article):
    placed = _highlight(seeded_library, article, FIRST)
    orphan = _orphan(seeded_library, article)
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(placed)
    assert panel.reattach_button.isHidden() and panel.orphan_label.isHidden()
    panel.select_highlight(orphan)
    assert panel.reattach_button.isVisible() and panel.orphan_label.isVisible()
    with qtbot.waitSignal(panel.reattach_requested) as blocker:
        qtbot.mouseClick(panel.reattach_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [orphan]
    text = seeded_library.articles.text(article)
    start = text.index(LAST)
    seeded_library.highlights.reattach(orphan, start, start + len(LAST))
    panel.refresh()
    assert panel.current_highlight_id() == orphan
    assert panel.reattach_button.isHidden()
    assert _ids(panel.model) == [placed, orphan]


def test_refresh_keeps_selection_and_unsaved_typing(qtbot, seeded_library, article):
    _highlight(seeded_library, article, LAST)
    middle = _highlight(seeded_library, article, SECOND)
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(middle)
    seeded_library.highlights.set_tags(middle, ["from-elsewhere"])
    with qtbot.assertNotEmitted(panel.highlight_chosen):
        panel.refresh()
    assert panel.current_highlight_id() == middle
    assert panel.tags_edit.text() == "from-elsewhere"
    panel.note_edit.setPlainText("still typing")
    earlier = _highlight(seeded_library, article, FIRST)  # rows move: the model is rebuilt
    panel.refresh()
    assert _ids(panel.model)[:2] == [earlier, middle]
    assert panel.current_highlight_id() == middle
    assert panel.list_view.selectionModel().isSelected(panel.model.index(1))
    assert panel.note_edit.toPlainText() == "still typing"  # not overwritten...
    assert seeded_library.highlights.get(middle).note == ""  # ...nor saved behind the user's back
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Escape)
    assert panel.note_edit.toPlainText() == ""


def test_every_control_is_reachable_by_tab(qtbot, seeded_library, article):
    orphan = _orphan(seeded_library, article)
    panel = shown_panel(qtbot, seeded_library, article)
    panel.select_highlight(orphan)
    panel.article_tags.setFocus()
    qtbot.waitUntil(panel.article_tags.hasFocus)
    seen = []
    for _ in range(12):
        seen.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    expected = [panel.article_tags, panel.article_note, panel.colour_filter, panel.tag_filter,
                panel.list_view, panel.tags_edit, panel.note_edit, panel.note_view,
                panel.reattach_button, panel.delete_button]
    assert seen[:len(expected)] == expected
    for widget in expected[:-2]:
        assert widget.accessibleName()
