"""The window and its library's health: a banner and disabled commands for a read-only or
damaged library, the check after start-up, and a refresh when another process writes."""

from __future__ import annotations

from reader.commands import CONDITIONS
from reader.library import Library
from reader.paths import seeds_dir
from reader.ui.library_watch import LibraryWatch
from tests.unit.test_library_health import corrupt_middle_page_or_skip

WRITING = ("article.toggle-read", "article.note", "highlight.create", "highlight.colour 2",
           "file.import", "colours.names")


def _closed_seeded(path) -> None:
    with Library.open(path) as library:
        library.seed_if_new(seeds_dir())


def test_a_read_only_library_shows_why_and_disables_every_change(
        library_path, unwritable, show_window, qtbot):
    _closed_seeded(library_path)
    unwritable(library_path.parent)
    with Library.open(library_path) as library:
        window = show_window(library)
        banner = window.watch.banner
        assert banner.isVisible() and "open read-only" in banner.text()
        assert str(library_path.parent) in banner.text()
        assert window.current_article_id() is not None  # reading works
        for menu in window.actions.menus.values():
            menu.aboutToShow.emit()
        for text in WRITING:
            action = window.actions.menu_actions[text]
            assert not action.isEnabled(), text
            assert action.statusTip() == CONDITIONS["writable"], text
        assert window.actions.menu_actions["export.all"].isEnabled()
        assert window.actions.menu_actions["search.focus"].isEnabled()
        assert not window.run_command("highlight.create")
        assert window.statusBar().currentMessage() == CONDITIONS["writable"]
        assert library.highlights.count() == 0
        window.close()


def test_damage_found_by_the_check_shows_the_banner_and_stops_changes(
        library_path, show_window, qtbot):
    _closed_seeded(library_path)
    corrupt_middle_page_or_skip(library_path)
    with Library.open(library_path) as library:
        window = show_window(library)  # opening an article may meet the damage already
        op = window.watch.check_in_background()
        op.wait(30)
        qtbot.waitUntil(lambda: window.watch.banner.isVisible())
        assert "damaged" in window.watch.banner.text()
        assert not window.watch.writable()
        window.actions.menus["Highlight"].aboutToShow.emit()
        assert not window.actions.menu_actions["highlight.create"].isEnabled()
        window.close()


def test_a_sound_library_has_no_banner_after_the_check(seeded_library, show_window, qtbot):
    window = show_window(seeded_library)
    window.watch.check_in_background().wait(30)
    qtbot.wait(50)
    assert not window.watch.banner.isVisible() and window.watch.writable()


def test_another_process_adding_an_article_refreshes_the_list(
        seeded_library, library_path, show_window, qtbot, write_file):
    window = show_window(seeded_library)
    qtbot.waitUntil(lambda: not window.model.loading)
    before = window.model.rowCount()
    announced = []
    window.bus.library_changed.connect(lambda changes, who: announced.append(who))
    window.watch.poll()
    assert announced == []  # nothing changed elsewhere: no refresh
    with Library.open(library_path) as other:  # as `marginalia import` in a terminal would
        other.import_files([write_file("new.md", "# From the terminal\n\nImported meanwhile.")])
    window.watch.poll()
    assert announced == [window.watch]
    qtbot.waitUntil(lambda: window.model.rowCount() == before + 1)
    titles = [window.model.index(row).data() for row in range(window.model.rowCount())]
    assert "From the terminal" in titles
    window.watch.poll()
    assert announced == [window.watch]  # once per change


def test_the_watch_polls_on_a_timer(seeded_library, qtbot, monkeypatch):
    from reader.ui import library_watch
    from reader.ui.change_bus import ChangeBus
    from PySide6.QtWidgets import QWidget

    owner = QWidget()
    qtbot.addWidget(owner)
    polls = []
    monkeypatch.setattr(library_watch, "POLL_MS", 20)
    monkeypatch.setattr(LibraryWatch, "poll", lambda self: polls.append(1))
    LibraryWatch(seeded_library, ChangeBus(owner), owner)
    qtbot.waitUntil(lambda: len(polls) >= 2)
