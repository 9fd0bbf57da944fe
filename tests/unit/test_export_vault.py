"""Re-exporting into a vault: what the user wrote in an exported file survives every export,
and Marginalia's own parts (between the markers) follow the library."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from reader.export import exporter
from reader.export.exporter import MANIFEST, Exporter


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


SOURCE = ("# The bridges of Kursk\n\nBy Ana Lopez\n\nAugust 18, 2024\n\n"
          "The bridge at Glushkovo fell first. Then the rail line was cut.\n\n"
          "Supplies stopped for a week. Nobody had planned for the river.\n\n"
          "By winter the front had moved north again.\n")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Each export a minute later (a file's `exported` says when it was written)."""
    times = (f"2026-03-01T09:{minute:02d}:00+00:00" for minute in range(60))
    monkeypatch.setattr(exporter, "_now", lambda: next(times))


@pytest.fixture
def article(library, write_file):
    (article_id,) = library.import_files([write_file("kursk.md", SOURCE)]).added
    library.articles.set_tags(article_id, ["offensive"])
    return article_id


def _highlight(library, article_id, words, note="", tags=()):
    text = library.articles.text(article_id)
    start = text.index(words)
    highlight_id = library.highlights.create(article_id, start, start + len(words)).highlight_id
    if note:
        library.highlights.set_note(highlight_id, note)
    if tags:
        library.highlights.set_tags(highlight_id, list(tags))
    return highlight_id


def _export(library, folder, **options):
    recreate = options.pop("recreate", False)
    export = Exporter(library, **options)
    return export.to_folder(folder, export.select(), recreate=recreate)


def _front(text):
    return yaml.safe_load(text.split("---\n", 2)[1])


def _region(text, region_id):
    found = re.search(rf"<!-- marginalia:begin {region_id} -->\n(.*?)<!-- marginalia:end "
                      rf"{region_id} -->\n", text, re.S)
    return found and found.group(1)


def test_a_person_s_edits_survive_three_re_exports_and_marginalia_s_changes_show(
        library, article, tmp_path):
    first = _highlight(library, article, "The bridge at Glushkovo fell first.", "Check the map.")
    second = _highlight(library, article, "Supplies stopped for a week.")
    folder = tmp_path / "vault"
    (path,) = _export(library, folder).written
    text = path.read_text()
    assert _region(text, f"hl-{first}") and "Check the map." in _region(text, f"hl-{first}")
    # What a person does in Obsidian: a line at the top, thoughts under a highlight, a
    # paragraph at the end, a key and a tag of their own in the front matter.
    text = text.replace("---\n\n", "---\n\nRead for the seminar on logistics.\n\n", 1)
    text = text.replace(f"<!-- marginalia:end hl-{first} -->\n",
                        f"<!-- marginalia:end hl-{first} -->\n\nMy thought: rivers decide "
                        "campaigns.\n", 1)
    text += "\n## My summary\n\nBridges, then rails, then hunger.\n"
    text = text.replace("tags:\n- offensive\n", "tags:\n- offensive\n- seminar\n"
                        "status: reading  # mine\n", 1)
    path.write_text(text)
    mine = ["Read for the seminar on logistics.", "My thought: rivers decide campaigns.",
            "## My summary\n\nBridges, then rails, then hunger.", "status: reading  # mine"]

    # 1: a note changes, a highlight is deleted, a new one is made, an article tag added.
    library.highlights.set_note(first, "Check the map of the Seym.")
    library.highlights.delete(second)
    third = _highlight(library, article, "By winter the front had moved north again.",
                       tags=["war/front"])
    library.articles.set_tags(article, ["offensive", "kursk"])
    assert _export(library, folder).written == (path,)
    text = path.read_text()
    assert all(words in text for words in mine)
    assert "Check the map of the Seym." in _region(text, f"hl-{first}")
    assert "Check the map." not in text.replace("Check the map of the Seym.", "")
    assert f"hl-{second}" not in text and "Supplies stopped" not in text
    assert _region(text, f"hl-{third}") and "#war/front" in _region(text, f"hl-{third}")
    # In Marginalia's order: the new highlight after the first (and the user's thought).
    assert text.index("My thought") < text.index(f"begin hl-{third}") < text.index("My summary")
    front = _front(text)
    assert front["tags"] == ["kursk", "offensive", "seminar"] and front["status"] == "reading"
    assert front["highlights"] == 2

    # 2: a colour's name changes: its highlights' regions follow.
    library.colours.rename("yellow", "claims")
    assert _export(library, folder).written == (path,)
    text = path.read_text()
    assert all(words in text for words in mine)
    assert _region(text, f"hl-{third}").count("claims") == 1

    # 3: nothing changed: the file is not even rewritten.
    before = path.read_bytes()
    report = _export(library, folder)
    assert report.written == () and report.unchanged == (path,)
    assert path.read_bytes() == before
    assert text.count("<!-- marginalia:begin") == text.count("<!-- marginalia:end") == 3


def test_a_region_the_user_deleted_is_not_brought_back(library, article, tmp_path):
    first = _highlight(library, article, "The bridge at Glushkovo fell first.")
    second = _highlight(library, article, "Supplies stopped for a week.", "Why?")
    folder = tmp_path / "vault"
    (path,) = _export(library, folder).written
    text = path.read_text()
    start = text.index(f"<!-- marginalia:begin hl-{second} -->")
    end = text.index(f"<!-- marginalia:end hl-{second} -->\n") + len(
        f"<!-- marginalia:end hl-{second} -->\n")
    path.write_text(text[:start] + text[end:])
    library.highlights.set_note(second, "Why? Because of the river.")
    library.highlights.set_note(first, "A new note.")
    for _ in range(2):
        _export(library, folder)
        text = path.read_text()
        assert f"hl-{second}" not in text and "Because of the river" not in text
        assert "A new note." in _region(text, f"hl-{first}")


def test_text_written_inside_a_region_is_never_lost(library, article, tmp_path):
    first = _highlight(library, article, "The bridge at Glushkovo fell first.", "Old note.")
    folder = tmp_path / "vault"
    (path,) = _export(library, folder).written
    text = path.read_text().replace("> Old note.\n", "> Old note.\n>\n> And my addition.\n")
    path.write_text(text)
    # Marginalia unchanged: the region stays as the user made it.
    assert _export(library, folder).written == ()
    assert "And my addition." in _region(path.read_text(), f"hl-{first}")
    # Both changed: the user's version stays, without markers, above the new one.
    library.highlights.set_note(first, "New note.")
    report = _export(library, folder)
    text = path.read_text()
    assert "And my addition." in text and "New note." in _region(text, f"hl-{first}")
    assert "And my addition." not in _region(text, f"hl-{first}")
    assert text.index("And my addition.") < text.index(f"begin hl-{first}")
    assert any(f"hl-{first} changed in Marginalia" in w for w in report.warnings)
    # Deleted in Marginalia while written in: kept as the user's text, without markers.
    text = path.read_text().replace("> New note.\n", "> New note.\n>\n> Mine again.\n")
    path.write_text(text)
    library.highlights.delete(first)
    _export(library, folder)
    text = path.read_text()
    assert "Mine again." in text and f"marginalia:begin hl-{first}" not in text


def test_a_deleted_file_is_recreated_only_when_asked(library, article, tmp_path):
    _highlight(library, article, "The bridge at Glushkovo fell first.")
    folder = tmp_path / "vault"
    (path,) = _export(library, folder).written
    path.unlink()
    report = _export(library, folder)
    assert report.not_recreated == (path,) and report.written == () and not path.exists()
    _highlight(library, article, "Supplies stopped for a week.")  # not even on a change
    assert _export(library, folder).not_recreated == (path,) and not path.exists()
    report = _export(library, folder, recreate=True)
    assert report.written == (path,) and "Supplies stopped" in path.read_text()


def test_front_matter_keys_follow_marginalia_only_when_its_value_changes(
        library, article, tmp_path):
    _highlight(library, article, "The bridge at Glushkovo fell first.")
    folder = tmp_path / "vault"
    (path,) = _export(library, folder).written
    text = path.read_text()
    text = text.replace("title: The bridges of Kursk\n", "title: Kursk (my title)\n")
    text = text.replace("author: Ana Lopez\n", "")
    text = text.replace("tags:\n- offensive\n", "tags:\n- offensive\n- to-read\n"
                        "aliases:\n- Kursk bridges\n")
    path.write_text(text)
    _highlight(library, article, "Supplies stopped for a week.")  # the count changes
    _export(library, folder)
    front = _front(path.read_text())
    assert front["title"] == "Kursk (my title)" and "author" not in front
    assert front["tags"] == ["offensive", "to-read"] and front["aliases"] == ["Kursk bridges"]
    assert front["highlights"] == 2
    # Marginalia's tags change: ours are written, the user's added one kept, a removed one
    # gone.
    library.articles.set_tags(article, ["kursk"])
    _export(library, folder)
    front = _front(path.read_text())
    assert front["tags"] == ["kursk", "to-read"] and front["title"] == "Kursk (my title)"


def test_a_file_with_broken_markers_is_left_alone_with_a_warning(library, article, tmp_path):
    first = _highlight(library, article, "The bridge at Glushkovo fell first.")
    folder = tmp_path / "vault"
    (path,) = _export(library, folder).written
    broken = path.read_text().replace(f"<!-- marginalia:end hl-{first} -->\n", "")
    path.write_text(broken)
    library.highlights.set_note(first, "Changed.")
    report = _export(library, folder)
    assert report.conflicts == (path,) and report.written == ()
    assert path.read_text() == broken
    assert "region markers do not pair up" in report.warnings[0] and "--recreate" in (
        report.warnings[0])


def test_windows_line_endings_and_a_byte_order_mark_are_kept(library, article, tmp_path):
    first = _highlight(library, article, "The bridge at Glushkovo fell first.")
    folder = tmp_path / "vault"
    (path,) = _export(library, folder).written
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n")
                     + b"Mine.\r\n")
    library.highlights.set_note(first, "A note.")
    second = _highlight(library, article, "Supplies stopped for a week.")
    _export(library, folder)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    assert "Mine." in text and "A note." in _region(text, f"hl-{first}")
    assert _region(text, f"hl-{second}")


def test_a_file_from_an_export_before_the_markers_is_replaced_once(library, article, tmp_path):
    first = _highlight(library, article, "The bridge at Glushkovo fell first.")
    folder = tmp_path / "vault"
    folder.mkdir()
    (folder / "The bridges of Kursk.md").write_text("---\ntitle: old\n---\n\n# Old export\n")
    (folder / MANIFEST).write_text(json.dumps({"format": 1, "articles": {str(article): {
        "file": "The bridges of Kursk.md", "exported": "2025-01-01T00:00:00+00:00"}}}))
    (path,) = _export(library, folder).written
    text = path.read_text()
    assert "Old export" not in text and _region(text, f"hl-{first}")
    entry = json.loads((folder / MANIFEST).read_text())["articles"][str(article)]
    assert entry["file"] == path.name and entry["regions"]
