"""The saved views in the window: the sidebar's model and counts (off the UI thread, kept
current through the change bus), choosing a view from the keyboard, how views, tags and
the search box go together, the views' keys, and the view.* commands."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.settings import Settings
from reader.ui.cheat_sheet import cheat_sheet_sections
from reader.ui.dialogs import Confirm
from reader.ui.palette import entries_from_registry
from reader.ui.tag_sidebar import COUNT_ROLE
from reader.ui.view_dialog import ViewDialog
from reader.ui.view_sidebar import KEY_ROLE, QUERY_ROLE, VIEW_ROLE, ViewListModel, ViewSidebar

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _rows(model):
    return [(model.index(r).data(), model.index(r).data(COUNT_ROLE)) for r in range(model.rowCount())]


def _counted(qtbot, sidebar_or_model):
    model = getattr(sidebar_or_model, "model", sidebar_or_model)
    model.wait(5)
    assert not model.counting
    return model


def _press(qtbot, keys, widget=None):
    """Key presses where the focus is (or on `widget`), as `(key, modifiers)` or a key."""
    for item in keys:
        key, modifiers = item if isinstance(item, tuple) else (item, Qt.KeyboardModifier.NoModifier)
        qtbot.keyClick(widget or QApplication.focusWidget(), key, modifiers)
        QApplication.processEvents()


@pytest.fixture
def window(show_window, seeded_library):
    win = show_window(seeded_library)
    _counted(qtbot=None, sidebar_or_model=win.view_sidebar)
    return win


def _names(window):
    return [v.name for v in window.view_sidebar.model.views()]


# --- the model ------------------------------------------------------------------------------

def test_model_passes_qt_model_tester(qtbot, qtmodeltester, seeded_library):
    model = ViewListModel(seeded_library)
    qtmodeltester.check(model, force_py=True)  # before the counts arrive, and after
    _counted(qtbot, model)
    qtmodeltester.check(model, force_py=True)


def test_rows_come_at_once_and_counts_follow_from_a_worker(qtbot, seeded_library):
    model = ViewListModel(seeded_library)
    assert model.counting
    assert _rows(model) == [("Inbox", None), ("Annotated", None), ("Orphans", None),
                            ("Feeds", None)]
    with qtbot.waitSignal(model.counted, timeout=5000):
        pass
    assert _rows(model) == [("Inbox", 2), ("Annotated", 0), ("Orphans", 0), ("Feeds", 0)]
    first = model.index(0)
    assert first.data(QUERY_ROLE) == "is:unread -is:archived"
    assert first.data(KEY_ROLE) == "G, I"
    assert first.data(VIEW_ROLE) == model.views()[0].id
    assert first.data(Qt.ItemDataRole.ToolTipRole) == (
        "Inbox — 2 articles\nis:unread -is:archived\nKey: G, I")
    assert first.data(Qt.ItemDataRole.AccessibleTextRole) == "Inbox, 2 articles, key G, I"


def test_the_counts_are_made_off_the_ui_thread(qtbot, seeded_library, monkeypatch):
    import threading

    threads = []
    counts = seeded_library.views.counts

    def counting(views=None):
        threads.append(threading.current_thread())
        return counts(views)

    monkeypatch.setattr(seeded_library.views, "counts", counting)
    _counted(qtbot, ViewListModel(seeded_library))
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_a_burst_of_changes_is_counted_once(qtbot, seeded_library, monkeypatch):
    sidebar = ViewSidebar(seeded_library)
    qtbot.addWidget(sidebar)
    _counted(qtbot, sidebar)
    calls = []
    counts = seeded_library.views.counts
    monkeypatch.setattr(seeded_library.views, "counts",
                        lambda views=None: calls.append(1) or counts(views))
    for _ in range(5):
        sidebar.model.recount()
    assert calls == []  # not yet: after a pause
    with qtbot.waitSignal(sidebar.model.counted, timeout=5000):
        pass
    assert calls == [1]


def test_a_hostile_name_is_shown_as_plain_text(qtbot, seeded_library):
    seeded_library.views.add("<img src=file:/dev/zero>", "is:unread")
    model = _counted(qtbot, ViewListModel(seeded_library))
    tip = model.index(4).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img" in tip


def test_the_section_hides_without_views(qtbot, library):
    for view in library.views.list():
        library.views.remove(view.id)
    sidebar = ViewSidebar(library)
    qtbot.addWidget(sidebar)
    assert sidebar.isHidden()
    library.views.add("Mine", "is:unread")
    sidebar.reload()
    assert not sidebar.isHidden()


# --- counts kept current through the bus --------------------------------------------------

def test_marking_an_article_read_lowers_the_inbox_count(window, qtbot):
    model = window.view_sidebar.model
    assert _rows(model)[0] == ("Inbox", 2)
    window.list_view.setFocus()
    with qtbot.waitSignal(model.counted, timeout=5000):
        _press(qtbot, [Qt.Key.Key_M])  # Mark read
    assert _rows(model)[0] == ("Inbox", 1)
    with qtbot.waitSignal(model.counted, timeout=5000):
        _press(qtbot, [Qt.Key.Key_J, Qt.Key.Key_E])  # the other, unread, archived
    assert _rows(model)[0] == ("Inbox", 0)


def test_a_highlight_made_and_undone_is_counted_in_annotated(window, qtbot):
    model = window.view_sidebar.model
    article = window.current_article_id()
    with qtbot.waitSignal(model.counted, timeout=5000):
        window.announce(window.library.highlights.create(article, 0, 12))
    assert _rows(model)[1] == ("Annotated", 1)
    with qtbot.waitSignal(model.counted, timeout=5000):
        _press(qtbot, [(Qt.Key.Key_Z, CTRL)], window.list_view)
    assert _rows(model)[1] == ("Annotated", 0)


# --- choosing a view, from the keyboard -----------------------------------------------------

def test_g_v_puts_the_keyboard_in_the_views_and_arrows_choose(window, qtbot):
    window.list_view.setFocus()
    _press(qtbot, [Qt.Key.Key_G, Qt.Key.Key_V])
    sidebar = window.view_sidebar
    assert QApplication.focusWidget() is sidebar.list
    _press(qtbot, [Qt.Key.Key_Down])
    assert sidebar.current_view().name == "Annotated"
    assert window.search_box.text() == "has:highlights"
    assert window.model.rowCount() == 0
    assert window.list_header.text() == "0 ARTICLES · Annotated"
    assert window.tag_sidebar.tree.selectionModel().selectedIndexes() == []
    _press(qtbot, [Qt.Key.Key_K])  # the previous view
    assert sidebar.current_view().name == "Inbox"
    assert window.model.rowCount() == 2
    assert window.list_header.text() == "2 ARTICLES · Inbox"
    _press(qtbot, [Qt.Key.Key_J, Qt.Key.Key_J])
    assert sidebar.current_view().name == "Orphans"
    _press(qtbot, [Qt.Key.Key_Up])
    assert sidebar.current_view().name == "Annotated"
    _press(qtbot, [Qt.Key.Key_K, Qt.Key.Key_Return])  # Enter: on to the articles
    assert QApplication.focusWidget() is window.list_view
    assert window.current_article_id() == window.model.article_id(0)


def test_a_views_key_shows_it_from_the_list_and_the_reading_pane(window, qtbot):
    window.list_view.setFocus()
    _press(qtbot, [Qt.Key.Key_G, Qt.Key.Key_A])
    assert window.view_sidebar.current_view().name == "Annotated"
    assert QApplication.focusWidget() is window.list_view  # the keyboard stays
    _press(qtbot, [Qt.Key.Key_G, Qt.Key.Key_I])
    assert window.view_sidebar.current_view().name == "Inbox"
    window.reading_pane.setFocus()
    _press(qtbot, [Qt.Key.Key_G, Qt.Key.Key_F])
    assert window.view_sidebar.current_view().name == "Feeds"


def test_g_g_still_goes_to_the_top_of_the_article(window, qtbot):
    window.open_article(window.model.article_id(0))
    pane = window.reading_pane
    pane.setFocus()
    _press(qtbot, [(Qt.Key.Key_G, SHIFT)])
    bar = pane.verticalScrollBar()
    assert bar.value() > 0
    _press(qtbot, [Qt.Key.Key_G, Qt.Key.Key_G])
    assert bar.value() == 0
    assert window.view_sidebar.current_view() is None


def test_ctrl_brackets_step_through_the_views(window, qtbot):
    window.list_view.setFocus()
    _press(qtbot, [(Qt.Key.Key_BracketRight, CTRL)])
    assert window.view_sidebar.current_view().name == "Inbox"
    _press(qtbot, [(Qt.Key.Key_BracketRight, CTRL), (Qt.Key.Key_BracketRight, CTRL)])
    assert window.view_sidebar.current_view().name == "Orphans"
    _press(qtbot, [(Qt.Key.Key_BracketLeft, CTRL)])
    assert window.view_sidebar.current_view().name == "Annotated"
    window.cmd_view_previous()
    window.cmd_view_previous()
    assert window.view_sidebar.current_view().name == "Inbox"
    assert "first saved view" in window.statusBar().currentMessage()


# --- views, tags and the search box ---------------------------------------------------------

def test_choosing_a_tag_leaves_the_view_and_empties_the_box(window, qtbot):
    first, _second = window.library.articles.ids()
    window.announce(window.library.articles.set_tags(first, ["kursk"]))
    window.cmd_view_show("Inbox")
    assert window.search_box.text() == "is:unread -is:archived"
    window.tag_sidebar.select_tag("kursk")
    assert window.view_sidebar.current_view() is None
    assert window.search_box.text() == ""
    assert window.model.search == "" and window.model.tag == "kursk"
    assert window.list_header.text() == "1 ARTICLE · #kursk"
    window.cmd_view_show("annotated")
    assert window.model.tag is None and window.tag_sidebar.current_tag() is None
    assert window.list_header.text() == "0 ARTICLES · Annotated"


def test_typing_leaves_the_view_and_a_views_query_chooses_it(window, qtbot):
    window.cmd_view_show("Inbox")
    box = window.search_box
    box.setFocus()
    qtbot.keyClicks(box, " ukraine")
    box.emit_now()
    assert window.view_sidebar.current_view() is None
    assert window.tag_sidebar.current_tag() is None
    assert window.list_header.text().endswith("FOUND")
    box.clear()
    qtbot.keyClicks(box, "has:highlights")
    box.emit_now()
    assert window.view_sidebar.current_view().name == "Annotated"
    _press(qtbot, [Qt.Key.Key_Escape], box)  # Esc empties the box: every article
    assert window.view_sidebar.current_view() is None
    assert window.model.rowCount() == 2


def test_a_view_lists_the_archive_too_as_its_count_says(window, qtbot):
    library = window.library
    first, second = library.articles.ids()
    library.highlights.create(first, 0, 10)
    library.highlights.create(second, 0, 10)
    window.announce(library.articles.set_archived(second, True))
    _counted(qtbot, window.view_sidebar)
    assert _rows(window.view_sidebar.model)[1] == ("Annotated", 2)
    window.cmd_view_show("Annotated")
    assert window.model.rowCount() == 2
    assert window.list_header.text() == "2 ARTICLES · Annotated"
    window.cmd_view_archive()  # the view's archived articles only
    assert window.model.archived and window.model.rowCount() == 1
    window.cmd_view_show("Annotated")
    assert window.model.rowCount() == 2
    window.tag_sidebar.select_tag(None)  # leaving the view: the reading list again
    assert window.model.archived is False and window.model.rowCount() == 1
    window.search_box.setText("has:highlights")
    window.search_box.emit_now()  # a view's query, typed: that view, the archive too
    assert window.view_sidebar.current_view().name == "Annotated"
    assert window.model.rowCount() == 2
    window.search_box.setText("has:highlights kursk")
    window.search_box.emit_now()
    assert window.view_sidebar.current_view() is None and window.model.archived is False


def test_a_link_to_an_article_outside_the_view_leaves_it(window):
    from reader.links import Link

    first, _second = window.library.articles.ids()
    window.announce(window.library.articles.set_read(first, True))
    window.cmd_view_show("Inbox")
    assert window.model.row_of(first) is None
    window.open_link(Link(first, None))
    assert window.view_sidebar.current_view() is None
    assert window.current_article_id() == first


# --- the commands ---------------------------------------------------------------------------

def _answer(monkeypatch, name=None, query=None, key=None, seen=None):
    """ViewDialog.ask as if the user typed these (None: left as shown) and pressed Save."""

    typed = {"name": name, "query": query, "key": key}

    def ask(_parent, title, apply, name="", query="", key="", focus="name"):
        if seen is not None:
            seen.append((title, name, query, key, focus))
        shown = {"name": name, "query": query, "key": key}
        return apply(*(shown[f] if typed[f] is None else typed[f]
                       for f in ("name", "query", "key"))) is None

    monkeypatch.setattr(ViewDialog, "ask", ask)


def test_save_search_as_view_then_its_key_shows_it(window, qtbot, monkeypatch):
    seen = []
    _answer(monkeypatch, name="Ukraine", key="g,u", seen=seen)
    window.search_box.setText("ukraine is:unread")
    window.search_box.emit_now()
    window.search_box.setFocus()
    _press(qtbot, [(Qt.Key.Key_S, CTRL | SHIFT)])
    assert seen == [("Save search as view", "", "ukraine is:unread", "", "name")]
    assert _names(window)[-1] == "Ukraine"
    assert window.view_sidebar.current_view().name == "Ukraine"
    assert "Saved the view “Ukraine”. G, U shows it." in window.statusBar().currentMessage()
    assert window.actions.keymap["anywhere"]["G, U"] == "view.show Ukraine"
    sections = dict(cheat_sheet_sections(window.actions.keymap))
    assert any(title == "Saved view: Ukraine" for _keys, title in sections["Anywhere"])
    entries = entries_from_registry(window.actions.keymap, extra=window.extra_invocations())
    entry = next(e for e in entries if e.command_id == "view.show Ukraine")
    assert entry.title == "Saved view: Ukraine"
    assert entry.keys
    menu = [a.text() for a in window.actions.menus["Saved Views"].actions()]
    assert menu[-5:] == ["Inbox", "Annotated", "Orphans", "Feeds", "Ukraine"]
    window.cmd_view_show("Inbox")
    window.list_view.setFocus()
    _press(qtbot, [Qt.Key.Key_G, Qt.Key.Key_U])
    assert window.view_sidebar.current_view().name == "Ukraine"
    _counted(qtbot, window.view_sidebar)
    assert _rows(window.view_sidebar.model)[-1] == ("Ukraine", window.model.rowCount())
    # Undone: the view and its key go.
    _press(qtbot, [(Qt.Key.Key_Z, CTRL)])
    assert "Ukraine" not in _names(window)
    assert "G, U" not in window.actions.keymap["anywhere"]
    assert window.view_sidebar.current_view() is None
    assert window.search_box.text() == ""


def test_a_taken_key_or_name_is_refused_in_the_dialog(window, monkeypatch, qtbot):
    problems = []

    def ask(_parent, _title, apply, name="", query="", key="", focus="name"):
        problems.append(apply("Mine", "is:unread", "ctrl+z"))
        problems.append(apply("inbox", "is:unread", ""))
        problems.append(apply("Mine", " ", ""))
        return False

    monkeypatch.setattr(ViewDialog, "ask", ask)
    window.cmd_view_save()
    assert problems == [("key", "Ctrl+Z is already the key of “Undo”."),
                        ("name", "There is already a saved view called “Inbox”; choose "
                                 "another name."),
                        ("query", "A saved view needs a query: what it finds, such as is:unread "
                                  "or tag:history.")]
    assert len(_names(window)) == 4


def test_the_dialog_says_the_problem_and_stays_open(qtbot, seeded_library):
    dialog = ViewDialog(None, "Save search as view",
                        lambda name, query, key: ("key", "G is the start of G, V.") if key
                        else None, query="is:unread")
    qtbot.addWidget(dialog)
    dialog.name.setText("Mine")
    dialog.key.setText("g")
    assert not dialog.try_accept()
    assert dialog.problem.text() == "G is the start of G, V."
    assert dialog.problem.textFormat() == Qt.TextFormat.PlainText
    dialog.key.clear()
    assert dialog.try_accept()
    assert dialog.result() == ViewDialog.DialogCode.Accepted


def test_f2_and_e_edit_the_chosen_view_and_the_list_follows(window, qtbot, monkeypatch):
    seen = []
    window.cmd_view_show("Annotated")
    window.cmd_view_show()
    assert QApplication.focusWidget() is window.view_sidebar.list
    _answer(monkeypatch, name="Read", seen=seen)
    _press(qtbot, [Qt.Key.Key_F2])
    assert seen[-1] == ("Rename view", "Annotated", "has:highlights", "G, A", "name")
    assert _names(window)[1] == "Read"
    assert window.list_header.text() == "0 ARTICLES · Read"
    assert window.actions.keymap["anywhere"]["G, A"] == "view.show Read"
    _answer(monkeypatch, query="is:read OR is:unread", seen=seen)
    _press(qtbot, [Qt.Key.Key_E])
    assert seen[-1][-1] == "query"
    assert window.search_box.text() == "is:read OR is:unread"
    assert window.model.rowCount() == 2
    _answer(monkeypatch, key="", seen=seen)
    window.run_command("view.set-key")
    assert seen[-1][-1] == "key"
    assert "G, A" not in window.actions.keymap["anywhere"]
    _press(qtbot, [(Qt.Key.Key_Z, CTRL)], window.view_sidebar.list)
    assert window.actions.keymap["anywhere"]["G, A"] == "view.show Read"


def test_alt_arrows_move_the_view_and_undo_moves_it_back(window, qtbot):
    window.cmd_view_show("Orphans")
    window.cmd_view_show()
    _press(qtbot, [(Qt.Key.Key_Up, ALT)])
    assert _names(window) == ["Inbox", "Orphans", "Annotated", "Feeds"]
    assert window.view_sidebar.current_view().name == "Orphans"  # still chosen
    assert window.view_sidebar.list.currentIndex().row() == 1
    _press(qtbot, [(Qt.Key.Key_Up, ALT), (Qt.Key.Key_Up, ALT)])
    assert _names(window)[0] == "Orphans"
    assert "first already" in window.statusBar().currentMessage()
    _press(qtbot, [(Qt.Key.Key_Down, ALT)])
    assert _names(window) == ["Inbox", "Orphans", "Annotated", "Feeds"]
    _press(qtbot, [(Qt.Key.Key_Z, CTRL)] * 3)
    assert _names(window) == ["Inbox", "Annotated", "Orphans", "Feeds"]


def test_del_deletes_the_chosen_view_and_undo_brings_it_back(window, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(Confirm, "ask", lambda _p, title, text, action: asked.append(text) or True)
    window.cmd_view_show("Inbox")
    window.cmd_view_show()
    _press(qtbot, [Qt.Key.Key_Delete])
    assert asked == ["Delete the saved view “Inbox”? Its articles stay in your library; "
                     "Ctrl+Z brings the view back."]
    assert _names(window) == ["Annotated", "Orphans", "Feeds"]
    assert window.view_sidebar.current_view() is None
    assert window.search_box.text() == "" and window.model.rowCount() == 2
    assert window.list_header.text() == "2 ARTICLES"
    assert "G, I" not in window.actions.keymap["anywhere"]
    _press(qtbot, [(Qt.Key.Key_Z, CTRL)], window.list_view)
    assert _names(window)[0] == "Inbox"
    assert window.actions.keymap["anywhere"]["G, I"] == "view.show Inbox"


def test_the_commands_need_a_chosen_view(window):
    assert window.why_not("view.rename") == "Choose a saved view in the sidebar first."
    window.cmd_view_show("Feeds")
    assert window.why_not("view.delete") is None
    menu = window.view_context_menu()
    titles = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert titles == ["Rename view…", "Edit view query…", "Set view key…", "Move view up",
                      "Move view down", "Delete view…", "Save search as view…"]
    assert all(a.isEnabled() for a in menu.actions())
    menu.deleteLater()


def test_the_menu_lists_the_views_and_checks_the_chosen_one(window):
    actions = [a for a in window.actions.menus["Saved Views"].actions() if a.isCheckable()]
    assert [a.text() for a in actions] == ["Inbox", "Annotated", "Orphans", "Feeds"]
    assert actions[0].shortcut().toString() == "G, I"
    actions[2].trigger()
    assert window.view_sidebar.current_view().name == "Orphans"
    assert [a.isChecked() for a in actions] == [False, False, True, False]
    window.tag_sidebar.select_tag(None)
    window.actions.menus["Saved Views"].aboutToShow.emit()
    assert not any(a.isChecked() for a in actions)


def test_a_view_key_the_users_settings_took_does_nothing_and_is_said(
        show_window, seeded_library, tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[keys.list]\n"G, I" = "article.open"\n', encoding="utf-8")
    window = show_window(seeded_library, Settings.load(path))
    assert window.actions.keymap["list"]["G, I"] == "article.open"
    assert "G, I" not in window.actions.keymap["anywhere"]
    assert window.view_key_problems == [
        "The key of the view “Inbox” does nothing: G, I is already the key of “Open article” "
        "in the article list."]
    assert "Inbox" in window.statusBar().currentMessage()


def test_a_view_added_from_the_terminal_appears_with_its_key(window, qtbot, library_path):
    from reader.cli.main import main

    window.watch.poll()
    assert main(["--db", str(library_path), "views", "add", "Elsewhere", "is:unread",
                 "--key", "G, E"]) == 0
    window.watch.poll()  # another process wrote to the library
    assert _names(window)[-1] == "Elsewhere"
    window.list_view.setFocus()
    _press(qtbot, [Qt.Key.Key_G, Qt.Key.Key_E])
    assert window.view_sidebar.current_view().name == "Elsewhere"
    _counted(qtbot, window.view_sidebar)
    assert _rows(window.view_sidebar.model)[-1] == ("Elsewhere", 2)


def test_letters_typed_in_a_text_field_are_text_not_a_views_key(window, qtbot):
    box = window.search_box
    box.setFocus()
    qtbot.keyClicks(box, "gi")
    assert box.text() == "gi"
    assert window.view_sidebar.current_view() is None
