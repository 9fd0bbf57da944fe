"""A whole annotating session driven by key presses only, checked against the file on disk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

import yaml

from reader.export.exporter import Exporter
from reader.library import Library
from reader.export.markdown_safe import escape_inline
from reader.paths import seeds_dir
from reader.ui.main_window import MainWindow

SECOND_SEED = "Ukraine continues offensive inside Russia"
SENTENCE = ("So far, Ukraine has blown up two bridges in the region and has interdicted a key rail "
            "line that the Russian army used to deliver supplies and troops to the front in Ukraine.")
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


class Keyboard:
    """Presses keys in whatever widget has the focus, as a person at the keyboard would."""

    def __init__(self, qtbot, window):
        self.qtbot, self.window = qtbot, window

    def focus(self):
        return QApplication.focusWidget() or self.window

    def press(self, key, modifiers=Qt.KeyboardModifier.NoModifier, times=1):
        for _ in range(times):
            self.qtbot.keyClick(self.focus(), key, modifiers)
            QApplication.processEvents()

    def type(self, text):
        self.qtbot.keyClicks(self.focus(), text)


@pytest.fixture
def session(qtbot, tmp_path):
    path = tmp_path / "library.sqlite3"
    library = Library.open(path)
    library.seed_if_new(seeds_dir())
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(library, settings)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    yield window, Keyboard(qtbot, window), path
    library.close()


def test_annotate_an_article_from_the_keyboard(session, qtbot):
    window, keys, path = session
    assert QApplication.focusWidget() is window.list_view
    # Find the second seed with j/k and open it with Enter.
    for _ in range(window.model.rowCount()):
        if window.list_view.currentIndex().data() == SECOND_SEED:
            break
        keys.press(Qt.Key.Key_J)
    assert window.list_view.currentIndex().data() == SECOND_SEED
    keys.press(Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.reading_pane
    article_id = window.current_article_id()

    # Paragraph focus: title, byline, first paragraph, second paragraph.
    keys.press(Qt.Key.Key_J, times=4)
    assert window.reading_pane.focused_paragraph == 3
    # v starts a selection at the paragraph, s grows it by a sentence; h highlights.
    keys.press(Qt.Key.Key_V)
    keys.press(Qt.Key.Key_S)
    start, end = window.reading_pane.selection_span()
    assert window.reading_pane.shown.text[start:end] == SENTENCE
    keys.press(Qt.Key.Key_H)
    (highlight,) = window.library.highlights.for_article(article_id)
    assert highlight.exact == SENTENCE
    # t tags it, n writes a two-line note, each time returning to the reading pane.
    keys.press(Qt.Key.Key_T)
    assert QApplication.focusWidget() is window.annotation_panel.tags_edit
    keys.type("kursk, bridges")
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.reading_pane)
    keys.press(Qt.Key.Key_N)
    assert QApplication.focusWidget() is window.annotation_panel.note_edit
    keys.type("Logistics, not territory.")
    keys.press(Qt.Key.Key_Return)
    keys.type("Compare with the Kursk bridges.")
    keys.press(Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.reading_pane)
    # Shift+T tags the article.
    keys.press(Qt.Key.Key_T, SHIFT)
    assert QApplication.focusWidget() is window.annotation_panel.article_tags
    keys.type("offensive")
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.reading_pane)

    # A second highlight on a later paragraph, then move between the two with ] and [.
    keys.press(Qt.Key.Key_J, times=2)
    keys.press(Qt.Key.Key_H)  # nothing selected: the focused paragraph
    first, second = window.library.highlights.for_article(article_id)
    assert window.reading_pane.active_highlight == second.id
    keys.press(Qt.Key.Key_BracketLeft)
    assert window.reading_pane.active_highlight == first.id
    keys.press(Qt.Key.Key_BracketRight)
    assert window.reading_pane.active_highlight == second.id
    # Undo the second highlight, redo it, undo it again for good.
    keys.press(Qt.Key.Key_Z, CTRL)
    assert len(window.library.highlights.for_article(article_id)) == 1
    keys.press(Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(window.library.highlights.for_article(article_id)) == 2
    keys.press(Qt.Key.Key_Z, CTRL)
    window.close()

    # What the file on disk holds, opened afresh.
    window.library.close()
    with Library.open(path) as library:
        (saved,) = library.highlights.for_article(article_id)
        assert saved.exact == SENTENCE
        assert saved.tags == ("bridges", "kursk")
        assert saved.note == "Logistics, not territory.\nCompare with the Kursk bridges."
        assert library.articles.get(article_id).tags == ("offensive",)
        assert sorted(library.tags.names()) == ["bridges", "kursk", "offensive"]
        # And the Markdown export shows exactly that.
        markdown = Exporter(library).to_text([article_id])
    front = yaml.safe_load(markdown.split("---\n", 2)[1])
    assert front["tags"] == ["offensive"] and front["highlights"] == 1
    assert "> " + escape_inline(SENTENCE) in markdown
    assert "#bridges #kursk" in markdown
    assert "> Logistics, not territory.\n> Compare with the Kursk bridges." in markdown
    assert f"^hl-{saved.id}" in markdown


def test_letters_typed_in_text_fields_are_text_not_commands(session, qtbot):
    window, keys, _path = session
    article_id = window.current_article_id()
    before = window.library.highlights.count()
    # The search box.
    keys.press(Qt.Key.Key_Slash)
    assert QApplication.focusWidget() is window.search_box
    keys.type("hjkx?")
    assert window.search_box.text() == "hjkx?"
    keys.press(Qt.Key.Key_Escape)
    assert window.search_box.text() == "" and QApplication.focusWidget() is window.list_view
    # The article tags field and the article note.
    window.reading_pane.setFocus()
    keys.press(Qt.Key.Key_T, SHIFT)
    keys.type("hnt")
    assert window.annotation_panel.article_tags.text() == "hnt"
    keys.press(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.reading_pane)
    keys.press(Qt.Key.Key_N, SHIFT)
    keys.type("x h 1 ]")
    assert window.annotation_panel.article_note.toPlainText() == "x h 1 ]"
    keys.press(Qt.Key.Key_Escape)
    # The highlight's own editors.
    keys.press(Qt.Key.Key_J, times=3)
    keys.press(Qt.Key.Key_H)
    keys.press(Qt.Key.Key_T)
    keys.type("vsw")
    assert window.annotation_panel.tags_edit.text().endswith("vsw")
    keys.press(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.reading_pane)
    keys.press(Qt.Key.Key_N)
    keys.type("5 x h")
    assert window.annotation_panel.note_edit.toPlainText() == "5 x h"
    keys.press(Qt.Key.Key_Escape)
    assert window.library.highlights.count() == before + 1
    assert window.library.highlights.for_article(article_id)[0].colour == "yellow"
    assert window.library.articles.get(article_id).note == ""


def test_reading_keys_move_the_view(session, qtbot):
    window, keys, _path = session
    keys.press(Qt.Key.Key_Return)
    bar = window.reading_pane.verticalScrollBar()
    assert bar.maximum() > 0
    keys.press(Qt.Key.Key_Space)
    assert bar.value() > 0
    keys.press(Qt.Key.Key_G, SHIFT)
    assert bar.value() == bar.maximum()
    assert window.reading_pane.focused_paragraph == window.reading_pane.paragraph_count() - 1
    keys.press(Qt.Key.Key_G)
    keys.press(Qt.Key.Key_G)
    assert bar.value() == 0 and window.reading_pane.focused_paragraph == 0
    keys.press(Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.list_view
    keys.press(Qt.Key.Key_F6)
    assert QApplication.focusWidget() is window.reading_pane
    keys.press(Qt.Key.Key_F6)
    assert window.annotation_panel.isAncestorOf(QApplication.focusWidget())
    keys.press(Qt.Key.Key_F6)
    assert QApplication.focusWidget() is window.list_view
    size = window.reading_pane.font_size()
    keys.press(Qt.Key.Key_Equal, CTRL)
    assert window.reading_pane.font_size() == size + 1
    keys.press(Qt.Key.Key_0, CTRL)
    assert window.reading_pane.font_size() == size
