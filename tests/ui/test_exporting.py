"""Exporting from the window, copying to the clipboard, and marginalia:// links."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.links import Link
from reader.settings import Settings
from reader.ui import app as app_module
from reader.ui import exporting


@pytest.fixture
def window(show_window, seeded_library, tmp_path):
    return show_window(seeded_library, Settings.load(tmp_path / "settings.toml"))


def _highlight(window, needle):
    text = window.reading_pane.shown.text
    start = text.index(needle)
    window.reading_pane.select_span(start, start + len(needle))
    window.cmd_highlight_create()
    return window.reading_pane.active_highlight


def test_ctrl_e_exports_the_open_article_to_the_chosen_folder(window, qtbot, tmp_path, monkeypatch):
    chosen = tmp_path / "vault"
    asked = []
    monkeypatch.setattr(exporting.ExportFolder, "ask",
                        classmethod(lambda cls, parent, start: asked.append(start) or chosen))
    highlight_id = _highlight(window, "Clara Weiss")
    qtbot.keyClick(window.list_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.exports.is_running() and bool(list(chosen.glob("*.md"))))
    (path,) = chosen.glob("*.md")
    assert f"^hl-{highlight_id}" in path.read_text()
    assert "1 written" in window.statusBar().currentMessage()
    # The folder is remembered for next time.
    assert window.preferences.get("export_folder") == str(chosen)
    qtbot.keyClick(window.list_view, Qt.Key.Key_E,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not window.exports.is_running() and "unchanged" in window.statusBar().currentMessage())
    assert asked[-1] == str(chosen)
    assert "0 written, 1 unchanged, 1 without annotations" in window.statusBar().currentMessage()


def test_copy_annotations_to_the_clipboard(window):
    window.cmd_export_copy()
    assert "no annotations" in window.statusBar().currentMessage()
    _highlight(window, "Clara Weiss")
    window.cmd_export_copy()
    assert QApplication.clipboard().text().startswith("---\ntitle: ")
    assert "> Clara Weiss" in QApplication.clipboard().text()


def test_a_link_opens_the_article_at_the_highlight_even_when_filtered(window, seeded_library):
    other = window.model.article_id(1)
    window.open_article(other)
    highlight_id = _highlight(window, "Clara Weiss")
    window.open_article(window.model.article_id(0))
    window.model.set_search("nothing matches this")
    assert window.model.rowCount() == 0
    assert window.open_link(Link(other, highlight_id))
    assert window.current_article_id() == other
    assert window.reading_pane.active_highlight == highlight_id
    assert not window.open_link(Link(9999))
    assert "no article with id 9999" in window.statusBar().currentMessage()


def test_a_link_to_an_article_hidden_by_every_filter_reads_the_list_once(
        qtbot, window, seeded_library, monkeypatch):
    hidden = window.model.article_id(1)
    seeded_library.articles.set_tags(hidden, ["economy"])
    seeded_library.articles.set_archived(hidden, True)
    window.tag_sidebar.reload()
    window.tag_sidebar.select_tag("economy")
    window.search_box.setText("Kursk")
    window.search_box.emit_now()
    assert window.model.rowCount() == 0  # hidden by the tag, the search and the archive
    reloads, scans = [], []
    original_reload, original_row_of = window.model.reload, window.model.row_of
    monkeypatch.setattr(window.model, "reload", lambda: reloads.append(1) or original_reload())
    monkeypatch.setattr(window.model, "row_of", lambda *args, **kwargs: (
        scans.append(args) or original_row_of(*args, **kwargs)))
    assert window.open_link(Link(hidden))
    qtbot.wait(300)  # longer than the search box waits before it searches
    assert reloads == [1]
    assert len(scans) == 2  # before and after the filters were cleared, once each
    assert window.current_article_id() == hidden
    assert window.model.archived and window.model.tag is None and window.model.search == ""
    assert window.search_box.text() == "" and window.tag_sidebar.current_tag() is None


def test_a_link_to_a_listed_article_looks_for_its_row_once(window, monkeypatch):
    other = window.model.article_id(1)
    scans = []
    original = window.model.row_of
    monkeypatch.setattr(window.model, "row_of", lambda *args, **kwargs: (
        scans.append(args) or original(*args, **kwargs)))
    assert window.open_link(Link(other))
    assert window.current_article_id() == other
    assert scans == [(other,)]


def test_the_app_opens_a_link_or_imports_a_file_given_as_its_argument(qtbot, window, write_file):
    other = window.model.article_id(1)
    app_module.open_target(window, f"marginalia://open?article={other}")
    assert window.current_article_id() == other
    app_module.open_target(window, "marginalia://open?article=abc")
    assert "must be a number" in window.statusBar().currentMessage()
    path = write_file("new.md", "# A New Piece\n\nFresh text.")
    opened = []
    app_module.open_target(window, str(path), lambda: opened.append(window.current_article_id()))
    assert window.imports.is_running()  # in the background, like any import
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert window.reading_pane.shown.blocks[0].text == "A New Piece"
    assert window.model.rowCount() == 3
    # The same file again: the article the library has is opened.
    window.open_article(other)
    app_module.open_target(window, str(path), lambda: opened.append(window.current_article_id()))
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=5000)
    assert opened[0] == opened[1] != other


def test_a_newer_version_of_an_article_given_as_the_argument_is_opened(qtbot, window, write_file):
    """The same URL with different content updates the article in place; opening it
    used to fail with an IndexError (the report lists it as updated, not added)."""
    first = write_file("v1.md", "---\nurl: https://example.org/a\n---\n# Rivers\n\nThe river rose.\n")
    opened = []
    app_module.open_target(window, str(first), lambda: opened.append(window.current_article_id()))
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    window.open_article(window.model.article_id(1) if window.model.article_id(0) == opened[0]
                        else window.model.article_id(0))
    second = write_file("v2.md", "---\nurl: https://example.org/a\n---\n# Rivers\n\n"
                                 "The river rose. Help came late.\n")
    with qtbot.captureExceptions() as raised:
        app_module.open_target(window, str(second), lambda: opened.append(window.current_article_id()))
        qtbot.waitUntil(lambda: len(opened) == 2, timeout=5000)
    assert raised == []
    assert opened[1] == opened[0]  # updated in place, and shown
    assert "Help came late." in window.reading_pane.plain_text()
    assert "1 updated" in window.statusBar().currentMessage()


def test_a_file_given_while_an_import_runs_is_imported_after_it(qtbot, window, write_file):
    first = write_file("first.md", "# First Piece\n\nOne.")
    second = write_file("second.md", "# Second Piece\n\nTwo.")
    assert window.import_paths([first])
    assert window.imports.is_running()
    opened = []
    app_module.open_target(window, str(second), lambda: opened.append(window.current_article_id()))
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert window.reading_pane.shown.blocks[0].text == "Second Piece"
    assert window.model.rowCount() == 4  # both imported


def test_the_status_says_which_deleted_files_were_not_written_again(window, qtbot, tmp_path,
                                                                    monkeypatch):
    chosen = tmp_path / "vault"
    monkeypatch.setattr(exporting.ExportFolder, "ask",
                        classmethod(lambda cls, parent, start: chosen))
    _highlight(window, "Clara Weiss")
    qtbot.keyClick(window.list_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.exports.is_running() and bool(list(chosen.glob("*.md"))))
    (path,) = chosen.glob("*.md")
    path.unlink()  # the user deleted it in the vault
    qtbot.keyClick(window.list_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.exports.is_running()
                    and "not written again" in window.statusBar().currentMessage())
    assert not path.exists()
