"""The All Highlights window, driven by its keys over the real main window: filter by a
query, choose several, recolour with a number key, tag, delete and undo, export, open a
highlight in the main window; the list follows changes made elsewhere."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.annotations.colours import COLOURS
from reader.library import Library
from reader.records import Changes
from reader.ui.highlights_commands import ExportHighlightsFile, TagChoice, parse_tag_changes
from reader.ui.highlights_window import HighlightsWindow

PASSAGES = {  # needle in the seeded articles -> colour, tags, note
    "Ukrainian military launches incursion of Russia": [
        ("incursion", "yellow", ["evidence"], "First note"),
        ("Russian", "green", [], ""),
        ("Kursk", "pink", ["evidence", "places/kursk"], ""),
    ],
    "Ukraine continues offensive inside Russia": [
        ("offensive", "blue", [], "Second **note**"),
        ("bridges", "pink", ["infra"], ""),
    ],
}


@pytest.fixture
def marked(seeded_library):
    """Five highlights in the two seeded articles, made in the order listed."""
    library = seeded_library
    titles = {a.title: a.id for a in library.articles.records(library.articles.ids())}
    made = []
    for title, passages in PASSAGES.items():
        article_id = titles[title]
        text = library.articles.text(article_id)
        for needle, colour, tags, note in passages:
            start = text.index(needle)
            hid = library.highlights.create(article_id, start, start + len(needle),
                                            colour).highlight_id
            if tags:
                library.highlights.set_tags(hid, tags)
            if note:
                library.highlights.set_note(hid, note)
            made.append(hid)
    library.undo_stack.clear()
    return library, made


@pytest.fixture
def opened(qtbot, show_window, marked):
    """The main window, and the All Highlights window opened by its key, listed."""
    library, made = marked
    window = show_window(library)
    qtbot.keyClick(window, Qt.Key.Key_H,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    highlights = window.highlights_window
    assert isinstance(highlights, HighlightsWindow)
    qtbot.waitUntil(lambda: highlights.isActiveWindow() or QApplication.activeWindow()
                    is highlights, timeout=3000)
    _listed(qtbot, highlights)
    return window, highlights, library, made


def _listed(qtbot, highlights) -> None:
    qtbot.waitUntil(lambda: not highlights.loading and not highlights.busy, timeout=5000)


def _key(qtbot, highlights, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    highlights.list_view.setFocus()
    qtbot.keyClick(highlights.list_view, key, modifiers)
    _listed(qtbot, highlights)


def _shown_ids(highlights) -> list[int]:
    return list(highlights.model.ids())


def test_the_key_opens_every_highlight_newest_first(opened):
    window, highlights, library, made = opened
    assert highlights.isVisible() and highlights.windowTitle() == "All highlights"
    assert _shown_ids(highlights) == list(reversed(made))
    assert highlights.header.text() == "5 HIGHLIGHTS"
    assert highlights.list_view.hasFocus()
    assert highlights.current_id() == made[-1]  # the first row, ready for the keys
    # Each row shows its article, quote, colour and tags.
    index = highlights.model.index(_shown_ids(highlights).index(made[2]))
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Pink highlight in Ukrainian military launches incursion of Russia: Kursk; "
        "tags evidence, places/kursk")
    window.cmd_highlights_all()  # again: the same window, brought forward
    assert window.highlights_window is highlights


def test_a_query_filters_the_list_and_says_what_it_left_out(opened, qtbot):
    _window, highlights, _library, made = opened
    _key(qtbot, highlights, Qt.Key.Key_Slash)
    assert highlights.query.hasFocus()
    qtbot.keyClicks(highlights.query, "colour:pink")
    qtbot.waitUntil(lambda: _shown_ids(highlights) == [made[4], made[2]], timeout=3000)
    assert highlights.header.text() == "2 HIGHLIGHTS FOUND"
    assert not highlights.messages.isVisible()
    # In the query box, keys are text: "3" is typed, nothing is recoloured.
    qtbot.keyClicks(highlights.query, " nosuch:3")
    qtbot.waitUntil(lambda: highlights.messages.isVisible(), timeout=3000)
    assert "nosuch: is not a field" in highlights.messages.text()
    assert _shown_ids(highlights) == [made[4], made[2]]
    assert {r.colour for r in highlights.library.highlights.records(made)} == {
        "yellow", "green", "pink", "blue"}
    # Free words search quotes and notes; tag: covers the article's tags too.
    highlights.query.setText("note")
    highlights.query.emit_now()
    _listed(qtbot, highlights)
    assert _shown_ids(highlights) == [made[3], made[0]]
    qtbot.keyClick(highlights.query, Qt.Key.Key_Down)  # on to the list
    assert highlights.list_view.hasFocus() and highlights.current_id() == made[3]


def test_choose_several_and_recolour_them_with_a_number_key(opened, qtbot):
    window, highlights, library, made = opened
    _key(qtbot, highlights, Qt.Key.Key_Home)
    _key(qtbot, highlights, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    _key(qtbot, highlights, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert highlights.chosen_ids() == [made[4], made[3], made[2]]
    assert "3 CHOSEN" in highlights.header.text()
    _key(qtbot, highlights, Qt.Key.Key_5)
    assert [r.colour for r in library.highlights.records(made)] == [
        "yellow", "green", COLOURS[4], COLOURS[4], COLOURS[4]]
    assert highlights.status.text() == "3 highlights coloured Purple."
    # The rows show it, and the main window's Undo offers it as one step.
    row = _shown_ids(highlights).index(made[3])
    assert highlights.model.index(row).data(Qt.ItemDataRole.AccessibleTextRole).startswith(
        "Purple highlight")
    assert window.actions.menu_actions["edit.undo"].text() == "Undo Change colour of 3 highlights"
    assert highlights.chosen_ids() == [made[4], made[3], made[2]]  # still chosen


def test_delete_the_chosen_then_undo_in_the_window_brings_them_back(opened, qtbot):
    window, highlights, library, made = opened
    before = {r.id: (r.colour, r.note, r.tags) for r in library.highlights.records(made)}
    _key(qtbot, highlights, Qt.Key.Key_Down)
    highlights.list_view.setFocus()
    qtbot.keyClick(highlights.list_view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    second = highlights.model.index(1)
    # Ctrl+click takes one out of the choice.
    rect = highlights.list_view.visualRect(second)
    qtbot.mouseClick(highlights.list_view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, rect.center())
    assert highlights.chosen_ids() == [made[4], made[2], made[1], made[0]]
    _key(qtbot, highlights, Qt.Key.Key_Delete)
    assert library.highlights.count() == 1
    assert _shown_ids(highlights) == [made[3]]
    assert highlights.status.text() == "Deleted 4 highlights. Ctrl+Z brings them back."
    assert window.actions.menu_actions["edit.undo"].text() == "Undo Delete 4 highlights"
    assert library.tags.names() == []  # every tag was on a deleted highlight
    _key(qtbot, highlights, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_shown_ids(highlights)) == 5, timeout=3000)
    assert {r.id: (r.colour, r.note, r.tags) for r in library.highlights.records(made)} == before
    assert _shown_ids(highlights) == list(reversed(made))
    assert highlights.status.text() == "Undone: Delete 4 highlights."
    assert window.actions.menu_actions["edit.undo"].text() == "Undo"  # nothing left
    _key(qtbot, highlights, Qt.Key.Key_Z,
         Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(_shown_ids(highlights)) == 1, timeout=3000)
    assert library.highlights.count() == 1


def test_an_undo_another_reader_would_lose_work_by_is_refused_here(opened, qtbot,
                                                                    library_path):
    window, highlights, library, made = opened
    _key(qtbot, highlights, Qt.Key.Key_Down)
    _key(qtbot, highlights, Qt.Key.Key_3)  # recolour the current one
    undo = highlights.command_actions["highlights.undo"]
    assert undo.isEnabled() and library.highlights.get(made[3]).colour == "blue"
    with Library.open(library_path) as colleague:  # another process on the same file
        colleague.highlights.set_note(made[3], "Their note")
        colleague.highlights.recolour(made[3], "pink")
    _key(qtbot, highlights, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert highlights.status.text().startswith(
        "Cannot undo “Change colour of 1 highlight”: someone else has changed it since.")
    assert not undo.isEnabled()  # off the history: the key does nothing now
    assert library.highlights.get(made[3]).colour == "pink"
    window.actions.menus["Edit"].aboutToShow.emit()  # the main window's menu follows
    assert window.actions.menu_actions["edit.undo"].text() == "Undo"


def test_tag_the_chosen_adding_and_taking_off(opened, qtbot, monkeypatch):
    _window, highlights, library, made = opened
    asked = []

    def ask(_cls, _parent, names, count):
        asked.append((names, count))
        return "review, -evidence"

    monkeypatch.setattr(TagChoice, "ask", classmethod(ask))
    highlights.select_rows([2, 3, 4])  # made[2], made[1], made[0]
    _key(qtbot, highlights, Qt.Key.Key_T)
    assert asked == [(["evidence", "infra", "places/kursk"], 3)]
    assert [r.tags for r in library.highlights.records(made)] == [
        ("review",), ("review",), ("places/kursk", "review"), (), ("infra",)]
    assert highlights.status.text() == "Tags of 3 highlights: added review; took off evidence."


def test_export_the_chosen_to_a_markdown_file(opened, qtbot, monkeypatch, tmp_path):
    _window, highlights, library, made = opened
    target = tmp_path / "chosen.md"
    monkeypatch.setattr(ExportHighlightsFile, "ask", classmethod(lambda _c, _p, _s: target))
    highlights.select_rows([0, 2])  # made[4] (second article), made[2] (first)
    _key(qtbot, highlights, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: highlights.status.text().startswith("Exported"), timeout=5000)
    assert highlights.status.text() == (f"Exported 2 highlights from 2 articles to {target}.")
    text = target.read_text(encoding="utf-8")
    assert text.index("## Ukraine continues offensive") < text.index("## Ukrainian military")
    assert "> bridges" in text and "> Kursk" in text and "> incursion" not in text
    assert re.search(rf"marginalia://open\?article=\d+&highlight={made[2]}\)", text)


def test_enter_opens_the_highlight_in_its_article_in_the_main_window(opened, qtbot):
    window, highlights, library, made = opened
    record = library.highlights.get(made[1])
    highlights.select_rows([_shown_ids(highlights).index(made[1])])
    _key(qtbot, highlights, Qt.Key.Key_Return)
    assert window.current_article_id() == record.article_id
    assert window.reading_pane.active_highlight == made[1]
    assert window.annotation_panel.current_highlight_id() == made[1]


def test_the_order_keys_and_choice(opened, qtbot):
    _window, highlights, _library, made = opened
    _key(qtbot, highlights, Qt.Key.Key_S)
    assert highlights.order.currentText() == "Oldest first"
    assert _shown_ids(highlights) == made
    _key(qtbot, highlights, Qt.Key.Key_S)
    assert highlights.order.currentText() == "By article"
    # "Ukraine continues…" before "Ukrainian military…"; each in reading order.
    second, first = _shown_ids(highlights)[:2], _shown_ids(highlights)[2:]
    assert set(second) == {made[3], made[4]} and set(first) == set(made[:3])
    starts = [r.start for r in highlights.library.highlights.records(first)]
    assert starts == sorted(starts)
    highlights.query.setText("sort:-added")
    highlights.query.emit_now()
    _listed(qtbot, highlights)
    assert _shown_ids(highlights) == list(reversed(made))
    assert "The query's sort: sets the order." in highlights.messages.text()


def test_changes_made_elsewhere_bring_the_list_up_to_date(opened, qtbot):
    window, highlights, library, made = opened
    highlights.select_rows([1])
    chosen = highlights.current_id()
    article_id = library.highlights.get(made[0]).article_id
    text = library.articles.text(article_id)
    start = text.index("Ukrain")
    window.announce(library.highlights.create(article_id, start, start + 7, "green"))
    qtbot.waitUntil(lambda: len(_shown_ids(highlights)) == 6, timeout=3000)
    assert highlights.current_id() == chosen  # the choice stays on its highlight
    window.announce(library.highlights.delete(made[4]))
    qtbot.waitUntil(lambda: len(_shown_ids(highlights)) == 5, timeout=3000)
    # The main window's Undo (Ctrl+Z there) is seen here too.
    window.activateWindow()
    window.cmd_edit_undo()
    qtbot.waitUntil(lambda: made[4] in _shown_ids(highlights), timeout=3000)


def test_a_library_that_cannot_be_changed_disables_the_changes(opened, monkeypatch):
    _window, highlights, library, _made = opened
    monkeypatch.setattr(type(library), "read_only", property(lambda _self: "read-only"))
    highlights._update_actions()
    actions = highlights.command_actions
    assert not actions["highlights.delete"].isEnabled()
    assert not actions["highlights.colour 2"].isEnabled()
    assert actions["highlights.export"].isEnabled() and actions["highlights.open"].isEnabled()
    assert highlights.hint.text().startswith("Shift/Ctrl+click") and \
        "cannot be changed" in highlights.hint.text()


def test_the_window_closes_with_the_main_window(opened, qtbot):
    window, highlights, _library, _made = opened
    window.close()
    assert not highlights.isVisible()


def test_the_cheat_sheet_lists_the_windows_keys_under_the_colours_names(opened, monkeypatch):
    from reader.ui.cheat_sheet import CheatSheet, cheat_sheet_sections

    window, highlights, library, _made = opened
    library.colours.rename("pink", "Doubt")
    shown = {}
    monkeypatch.setattr(CheatSheet, "show_for", lambda _parent, keymap, titles: shown.update(
        dict(cheat_sheet_sections(keymap, titles))))
    window.cmd_view_cheat_sheet()
    rows = shown["All highlights"]
    assert ("4", "Colour 4: Doubt") in rows and ("T", "Tag chosen highlights…") in rows
    # The window's own Colour menu says the names too, once it hears of the change.
    window.announce(Changes(colours=True))
    assert highlights.command_actions["highlights.colour 4"].text() == "Colour 4: Doubt"


def test_tags_to_add_and_to_take_off_are_read_from_one_line():
    assert parse_tag_changes(" #Review , -later, places/ rome ,,-, - old ") == (
        ["Review", "places/rome"], ["later", "old"])
    assert parse_tag_changes("") == ([], [])


def test_the_tag_question_completes_existing_tags_also_after_a_minus(qtbot):
    dialog = TagChoice(None, ["evidence", "infra", "places/kursk"], 2)
    qtbot.addWidget(dialog)
    completer = dialog.field.completer()
    dialog.field.setText("review, -inf")
    assert completer.splitPath(dialog.field.text()) == ["inf"]
    completer.setCompletionPrefix("inf")
    assert completer.pathFromIndex(completer.currentIndex()) == "review, -infra"
    dialog.field.setText("evi")
    completer.setCompletionPrefix("evi")
    assert completer.pathFromIndex(completer.currentIndex()) == "evidence"
