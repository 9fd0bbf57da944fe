"""A revised article in the window: the panel says it was revised, a highlight whose
words changed says so with its earlier wording, and Article › Revisions… shows each
earlier version with a word diff built from escaped text."""

from __future__ import annotations

from reader.ui.highlight_list import HIGHLIGHT_ROLE
from reader.ui.revisions_dialog import ADDED, REMOVED, RevisionsDialog, diff_html

FIRST = """---
url: https://news.example/bridges
---
# Bridges

The river rose two metres overnight and the old bridge held.

Engineers said the &lt;img src=x&gt; repairs would take a week.
"""
SECOND = FIRST.replace("the old bridge held", "the old bridges held")


def _revised(library, write_file):
    (article,) = library.import_files([write_file("v1.md", FIRST)]).added
    text = library.articles.text(article)
    start = text.index("the old bridge held")
    highlight = library.highlights.create(article, start, start + len("the old bridge held"))
    report = library.import_files([write_file("v2.md", SECOND)])
    assert report.updated == (article,)
    return article, highlight.highlight_id


def test_the_panel_says_the_article_was_revised_and_what_a_highlight_read(
        library, show_window, write_file, qtbot):
    article, highlight = _revised(library, write_file)
    window = show_window(library)
    window.open_article(article)
    panel = window.annotation_panel
    assert panel.revised_label.isVisible()
    assert panel.revised_label.text().startswith("Revised ")
    assert "1 earlier version" in panel.revised_label.text()
    panel.select_highlight(highlight)
    panel._load_editor()
    assert panel.changed_label.isVisible()
    assert "It read: “the old bridge held”" in panel.changed_label.text()
    record = panel.model.index(0).data(HIGHLIGHT_ROLE)
    assert record.changed_in is not None
    assert "Changed in the revision of" in panel.model.describe(record)
    assert window.why_not("article.revisions") is None


def test_an_article_never_revised_has_no_revisions_command(seeded_library, show_window):
    window = show_window(seeded_library)
    assert not window.annotation_panel.revised_label.isVisible()
    assert window.why_not("article.revisions") is not None


def test_the_revisions_dialog_shows_the_word_diff_escaped(library, write_file, qtbot):
    article, _highlight = _revised(library, write_file)
    dialog = RevisionsDialog(library, article)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 1
    shown = dialog.diff_view.toHtml()
    assert REMOVED in shown and ADDED in shown
    text = dialog.diff_view.toPlainText()
    assert "bridge " in text and "bridges" in text
    assert "<img src=x>" in text  # shown as the words it is, never as an image
    dialog.against_current.setChecked(True)
    assert "bridges" in dialog.diff_view.toPlainText()


def test_diff_html_escapes_every_piece():
    html = diff_html([("same", "a <b>"), ("removed", "<img src=file:/dev/zero>"),
                      ("added", "&amp;")])
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=file:/dev/zero&gt;" in html and "&amp;amp;" in html
