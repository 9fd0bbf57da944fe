"""Importing another tool's export from the window: the preview, the import, the report."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from reader.ui.import_report import ChooseExport
from reader.ui.importing import ImportFiles

SEED_ONE = "Ukrainian military launches incursion of Russia"
QUOTE = "the largest incursion of Russian territory to date"
MISSING = "A sentence that the article does not have anywhere in it."


def hypothesis_export(path, quotes):
    annotations = [{
        "id": f"ann{n}", "created": "2024-08-08T10:00:00.000000+00:00",
        "updated": "2024-08-08T10:00:00.000000+00:00", "user": "acct:reader@hypothes.is",
        "uri": "https://example.org/incursion", "text": f"note {n}", "tags": ["kursk"],
        "group": "__world__", "permissions": {"read": ["group:__world__"]},
        "target": [{"source": "https://example.org/incursion", "selector": [
            {"type": "TextQuoteSelector", "exact": quote, "prefix": "", "suffix": ""}]}],
        "document": {"title": [SEED_ONE]},
        "links": {"html": f"https://hypothes.is/a/ann{n}"},
    } for n, quote in enumerate(quotes)]
    path.write_text(json.dumps({"export_date": "2024-09-01T00:00:00.000Z",
                                "export_userid": "acct:reader@hypothes.is",
                                "client_version": "1.1500.0", "annotations": annotations}),
                    encoding="utf-8")
    return path


def _seed(library):
    return next(s.id for s in library.articles.summaries(library.articles.ids())
                if s.title == SEED_ONE)


def test_the_preview_writes_nothing_and_import_then_anchors(
        seeded_library, show_window, qtbot, tmp_path, monkeypatch):
    export = hypothesis_export(tmp_path / "hypothesis.json", [QUOTE, MISSING])
    window = show_window(seeded_library)
    monkeypatch.setattr(ChooseExport, "ask", classmethod(lambda cls, parent: export))
    qtbot.keyClick(window.list_view, Qt.Key.Key_O,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: getattr(window, "export_import", None) is not None
                    and window.export_import.dialog is not None, timeout=10000)
    preview = window.export_import.dialog
    text = preview.text.toPlainText()
    assert "dry run, nothing was written" in text
    assert "1 anchored exactly, 0 approximately, 1 unanchored" in text
    assert MISSING in text
    article = _seed(seeded_library)
    assert seeded_library.highlights.for_article(article) == []
    qtbot.waitUntil(preview.isActiveWindow)
    qtbot.keyClick(preview.import_button, Qt.Key.Key_Return)  # the default button: Enter
    qtbot.waitUntil(lambda: getattr(window, "last_import_report", None) is not None,
                    timeout=10000)
    report = window.last_import_report.text.toPlainText()
    assert "2 added" in report and "Unanchored highlights" in report
    marks = seeded_library.highlights.for_article(article)
    placed = [h for h in marks if not h.orphaned]
    assert [h.exact for h in placed] == [QUOTE] and placed[0].tags == ("kursk",)
    assert [h.exact for h in marks if h.orphaned] == [MISSING]


def test_cancelling_the_preview_imports_nothing(seeded_library, show_window, qtbot, tmp_path,
                                                monkeypatch):
    export = hypothesis_export(tmp_path / "hypothesis.json", [QUOTE])
    window = show_window(seeded_library)
    monkeypatch.setattr(ChooseExport, "ask", classmethod(lambda cls, parent: export))
    window.run_command("file.import-from")
    qtbot.waitUntil(lambda: window.export_import.dialog is not None, timeout=10000)
    qtbot.waitUntil(window.export_import.dialog.isActiveWindow)
    qtbot.keyClick(window.export_import.dialog, Qt.Key.Key_Escape)
    qtbot.wait(200)
    assert seeded_library.highlights.for_article(_seed(seeded_library)) == []


def test_file_import_recognises_an_export_and_reports_it(seeded_library, show_window, qtbot,
                                                         tmp_path, monkeypatch):
    export = hypothesis_export(tmp_path / "annotations.json", [QUOTE])
    window = show_window(seeded_library)
    monkeypatch.setattr(ImportFiles, "ask", classmethod(lambda cls, parent: [export]))
    window.run_command("file.import")
    window.imports.wait(30)
    qtbot.waitUntil(lambda: getattr(window, "last_import_report", None) is not None,
                    timeout=10000)
    assert "1 anchored exactly" in window.last_import_report.text.toPlainText()
    assert "from Hypothesis" in window.statusBar().currentMessage()
    (mark,) = seeded_library.highlights.for_article(_seed(seeded_library))
    assert mark.exact == QUOTE and mark.note == "note 0"
