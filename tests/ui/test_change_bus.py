"""The change bus in the window: each view refreshes what a change names, and the view
that made a change does not refresh itself."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reader.records import Changes


def _count_calls(monkeypatch, obj, name: str) -> list:
    calls = []
    original = getattr(obj, name)
    monkeypatch.setattr(obj, name, lambda *args, **kwargs: (
        calls.append(args) or original(*args, **kwargs)))
    return calls


def test_the_panel_that_saved_a_note_does_not_refresh_itself(
        qtbot, show_window, seeded_library, monkeypatch):
    window = show_window(seeded_library)
    article = window.current_article_id()
    highlight = seeded_library.highlights.create(article, 0, 8).highlight_id
    window.announce(Changes(highlights=frozenset({article}), highlight_id=highlight))
    panel = window.annotation_panel
    panel.select_highlight(highlight)
    refreshes = _count_calls(monkeypatch, panel, "refresh")
    announced = []
    window.bus.library_changed.connect(lambda changes, initiator: announced.append(initiator))
    assert panel.focus_highlight_note()
    qtbot.keyClicks(panel.note_edit, "Worth a second look")
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seeded_library.highlights.get(highlight).note == "Worth a second look"
    assert announced == [panel]  # announced once, as the panel's
    assert refreshes == []  # it shows its own edit already
    assert window._highlights[0].note == "Worth a second look"  # the pane's copy follows


def test_a_change_from_elsewhere_refreshes_the_panel_once(show_window, seeded_library,
                                                         monkeypatch):
    window = show_window(seeded_library)
    article = window.current_article_id()
    refreshes = _count_calls(monkeypatch, window.annotation_panel, "refresh")
    sidebar_reloads = _count_calls(monkeypatch, window.tag_sidebar, "reload")
    list_reloads = _count_calls(monkeypatch, window.model, "reload")
    window.announce(seeded_library.highlights.create(article, 0, 8))
    assert len(refreshes) == 1
    assert window.annotation_panel.model.rowCount() == 1
    assert sidebar_reloads == [] and list_reloads == []  # neither tags nor the list changed


def test_tag_changes_reload_the_sidebar_but_not_the_list(show_window, seeded_library,
                                                        monkeypatch):
    window = show_window(seeded_library)
    article = window.current_article_id()
    sidebar_reloads = _count_calls(monkeypatch, window.tag_sidebar, "reload")
    list_reloads = _count_calls(monkeypatch, window.model, "reload")
    window.announce(seeded_library.articles.set_tags(article, ["economy"]))
    assert len(sidebar_reloads) == 1 and list_reloads == []
    assert window.tag_sidebar.model.index_of("economy").isValid()


def test_opening_an_article_reads_its_record_once(show_window, seeded_library, monkeypatch):
    window = show_window(seeded_library)
    first, second = (window.model.article_id(row) for row in (0, 1))
    target = second if window.current_article_id() == first else first
    reads = _count_calls(monkeypatch, seeded_library.articles, "get")
    window.open_article(target)
    assert window.current_article_id() == target
    assert reads == [(target,)]
