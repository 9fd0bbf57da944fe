"""Annotating in the real main window: highlight, colour, tag, note, delete, undo, filter."""

from __future__ import annotations

import inspect

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextFormat
from PySide6.QtWidgets import QApplication

from reader.annotations.colours import COLOURS
from reader.commands import COMMANDS, DIALOGS, HIGHLIGHTS, REVIEW, TAG_MANAGER
from reader.library import Library
from reader.paths import seeds_dir
from reader.ui import dialogs, operations
from reader.ui.main_window import MainWindow

SECOND_SEED = "Ukraine continues offensive inside Russia"


def _open(window, title):
    for row in range(window.model.rowCount()):
        if window.model.index(row).data() == title:
            window.open_article(window.model.article_id(row))
            return window.model.article_id(row)
    raise AssertionError(title)


def _marks(window):
    """The highlight marks painted in the pane (not the paragraph-focus band)."""
    return [s for s in window.reading_pane.extraSelections()
            if not s.format.boolProperty(QTextFormat.Property.FullWidthSelection)]


def _select(window, needle, occurrence=0):
    text = window.reading_pane.shown.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    window.reading_pane.select_span(start, start + len(needle))
    return start, start + len(needle)


def test_every_command_has_a_handler():
    from reader.ui.highlights_window import HighlightsWindow
    from reader.ui.review_screen import ReviewScreen
    from reader.ui.tag_manager import TagManagerDialog

    owners = {"": MainWindow, TAG_MANAGER: TagManagerDialog, HIGHLIGHTS: HighlightsWindow,
              REVIEW: ReviewScreen}
    assert set(owners) == {"", *DIALOGS}
    for command in COMMANDS:
        handler = getattr(owners[command.dialog], command.handler, None)
        assert callable(handler), command.id
        # A command with an argument gets it as the handler's one parameter after self.
        parameters = list(inspect.signature(handler).parameters.values())[1:]
        if command.argument is None:
            assert all(p.default is not p.empty for p in parameters), command.id
        else:
            assert len(parameters) == 1, command.id
            assert (parameters[0].default is not parameters[0].empty) == command.argument.optional


def test_a_colour_key_runs_the_one_colour_handler_with_its_number(show_window, seeded_library,
                                                                   qtbot):
    window = show_window(seeded_library)
    article_id = _open(window, SECOND_SEED)
    _select(window, "two bridges in the region")
    window.reading_pane.setFocus()
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_4)
    (record,) = seeded_library.highlights.for_article(article_id)
    assert record.colour == COLOURS[3]


def test_highlight_a_selection_across_paragraphs_and_overlapping(show_window, seeded_library):
    window = show_window(seeded_library)
    article_id = _open(window, SECOND_SEED)
    text = window.reading_pane.shown.text
    start = text.index("So far, Ukraine has blown up")
    end = text.index("evacuate residents") + len("evacuate residents")
    window.reading_pane.select_span(start, end)
    window.cmd_highlight_create()
    first, = seeded_library.highlights.for_article(article_id)
    assert first.exact == text[start:end] and "\n" in first.exact and first.colour == "yellow"
    assert not window.reading_pane.textCursor().hasSelection()
    _select(window, "two bridges in the region")
    window.actions.run("highlight.colour 3")  # a colour key with a selection highlights in it
    highlights = seeded_library.highlights.for_article(article_id)
    assert [h.colour for h in highlights] == ["yellow", "blue"]
    # Both are painted (plus the stronger mark on the active one).
    assert len(_marks(window)) == 3
    painted = {(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in _marks(window)}
    assert len(painted) == 2


def test_recolour_and_delete_the_highlight_at_the_focus(show_window, seeded_library):
    window = show_window(seeded_library)
    article_id = _open(window, SECOND_SEED)
    _select(window, "interdicted a key rail line")
    window.cmd_highlight_create()
    (record,) = seeded_library.highlights.for_article(article_id)
    assert window.reading_pane.active_highlight == record.id
    window.cmd_highlight_colour("5")
    assert seeded_library.highlights.get(record.id).colour == "purple"
    window.cmd_highlight_delete()
    assert seeded_library.highlights.for_article(article_id) == []
    assert _marks(window) == []
    window.cmd_edit_undo()
    assert seeded_library.highlights.get(record.id).colour == "purple"
    assert len(_marks(window)) >= 1


def test_undo_and_redo_keys(qtbot, show_window, seeded_library):
    window = show_window(seeded_library)
    article_id = _open(window, SECOND_SEED)
    _select(window, "rail line")
    window.reading_pane.setFocus()
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_H)
    assert len(seeded_library.highlights.for_article(article_id)) == 1
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert seeded_library.highlights.for_article(article_id) == []
    qtbot.keyClick(window.reading_pane, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(seeded_library.highlights.for_article(article_id)) == 1


def test_the_edit_menu_says_what_undo_and_redo_would_do(qtbot, show_window, seeded_library):
    window = show_window(seeded_library)
    undo, redo = (window.actions.menu_actions[c] for c in ("edit.undo", "edit.redo"))
    assert (undo.text(), undo.isEnabled()) == ("Undo", False)
    assert (redo.text(), redo.isEnabled()) == ("Redo", False)
    article_id = _open(window, SECOND_SEED)
    _select(window, "rail line")
    window.cmd_highlight_create()
    assert (undo.text(), undo.isEnabled()) == ("Undo Highlight", True)
    assert not redo.isEnabled()
    window.cmd_edit_undo()
    assert seeded_library.highlights.for_article(article_id) == []
    assert (undo.text(), undo.isEnabled()) == ("Undo", False)
    assert (redo.text(), redo.isEnabled()) == ("Redo Highlight", True)
    window.cmd_edit_redo()
    assert (undo.text(), redo.text(), redo.isEnabled()) == ("Undo Highlight", "Redo", False)
    # A change made in the panel is announced too: the menu follows it.
    window.annotation_panel.article_note.setPlainText("Worth a second read")
    window.annotation_panel.save_pending()
    assert undo.text() == "Undo Edit article note"


def test_notes_and_tags_typed_in_the_panel_survive_a_restart(qtbot, show_window, library_path):
    with Library.open(library_path) as library:
        library.seed_if_new(seeds_dir())
        window = show_window(library)
        article_id = _open(window, SECOND_SEED)
        _select(window, "two bridges")
        window.cmd_highlight_create()
        (record,) = library.highlights.for_article(article_id)
        window.cmd_highlight_tag()
        editor = QApplication.focusWidget()
        qtbot.keyClicks(editor, "kursk, bridges")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        window.cmd_highlight_note()
        editor = QApplication.focusWidget()
        qtbot.keyClicks(editor, "First line")
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(editor, "second *line*")
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        window.cmd_article_tag()
        editor = QApplication.focusWidget()
        qtbot.keyClicks(editor, "offensive")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        window.close()
        operations.drain()  # as the app does: no job of the window outlives its library
    with Library.open(library_path) as library:
        saved = library.highlights.get(record.id)
        assert saved.tags == ("bridges", "kursk")
        assert saved.note == "First line\nsecond *line*"
        assert library.articles.get(article_id).tags == ("offensive",)
        again = show_window(library)
        assert again.current_article_id() == article_id
        assert len(_marks(again)) == 1


def test_deleting_an_article_asks_first_and_can_be_undone(show_window, seeded_library, monkeypatch):
    window = show_window(seeded_library)
    article_id = _open(window, SECOND_SEED)
    _select(window, "two bridges")
    window.cmd_highlight_create()
    answers = []
    monkeypatch.setattr(dialogs.Confirm, "ask",
                        classmethod(lambda cls, parent, title, text, action: answers.append(text) or False))
    window.cmd_article_delete()
    assert seeded_library.articles.count() == 2
    assert "1 highlight" in answers[0]
    monkeypatch.setattr(dialogs.Confirm, "ask", classmethod(lambda cls, *args: True))
    window.cmd_article_delete()
    assert seeded_library.articles.count() == 1
    assert window.model.rowCount() == 1 and window.current_article_id() != article_id
    window.cmd_edit_undo()
    assert window.model.rowCount() == 2
    assert len(seeded_library.highlights.for_article(article_id)) == 1


def test_tag_sidebar_filters_the_list_nested_tags_included(show_window, seeded_library):
    window = show_window(seeded_library)
    second = _open(window, SECOND_SEED)
    first = next(i for i in seeded_library.articles.ids() if i != second)
    seeded_library.articles.set_tags(first, ["war/front"])
    hid = seeded_library.highlights.create(second, 0, 7).highlight_id
    seeded_library.highlights.set_tags(hid, ["war/bridges"])
    window.announce(seeded_library.articles.set_tags(first, ["war/front"]))
    assert window.tag_sidebar.select_tag("war")
    assert window.model.rowCount() == 2
    assert window.tag_sidebar.select_tag("war/front")
    assert [window.model.article_id(r) for r in range(window.model.rowCount())] == [first]
    assert "war/front" in window.list_header.text()
    window.tag_sidebar.select_tag(None)
    assert window.model.rowCount() == 2


def test_choosing_a_highlight_in_the_panel_marks_it_in_the_pane(show_window, seeded_library):
    window = show_window(seeded_library)
    article_id = _open(window, SECOND_SEED)
    for needle in ("two bridges", "October Revolution"):
        _select(window, needle)
        window.cmd_highlight_create()
    first, last = seeded_library.highlights.for_article(article_id)
    window.reading_pane.verticalScrollBar().setValue(0)
    window.annotation_panel.highlight_chosen.emit(last.id)
    assert window.reading_pane.active_highlight == last.id
    assert window.reading_pane.verticalScrollBar().value() > 0
    window.cmd_highlight_previous()
    assert window.reading_pane.active_highlight == first.id
