"""Reading Omnivore's export zip.

The zips here are written in the shape Omnivore's exporter gave them
(omnivore-app/omnivore, packages/api/src/jobs/export.ts): ``metadata_<from>_to_<to>.json``
batches written by ``JSON.stringify(items, null, 2)``, the readable HTML as
``content/<slug>.html`` and the highlights as ``highlights/<slug>.md`` written by
``highlightToMarkdown`` (``> quote `` + blank line + ``#label`` + blank line + note, joined
by blank lines; the item's note as its text and a blank line).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from reader.other_tools.formats import omnivore
from reader.other_tools.model import HTML, MARKDOWN, FormatError

TAURI = {
    "id": "b37319fd-b37f-4a42-8bd5-33311b651f70",
    "slug": "tauri-2-0-stable-release-tauri-192a16040ce",
    "title": "Tauri 2.0 Stable Release | Tauri",
    "description": "The cross-platform app building toolkit",
    "author": "Tillmann Weidinger",
    "url": "https://tauri.app/blog/tauri-20/",
    "state": "Archived",
    "readingProgress": 100,
    "thumbnail": "https://v2.tauri.app/og.png?v=1",
    "labels": ["rust", "Favorite"],
    "savedAt": "2024-10-18T20:44:54.069Z",
    "updatedAt": "2024-10-26T21:50:01.259Z",
    "publishedAt": "2024-10-08T19:19:56.000Z",
}
GARDEN = {
    "id": "5a0c3b2e-1111-4c7e-9d55-0a1b2c3d4e5f",
    "slug": "a-garden-of-forking-paths-18f3c2a1b7d",
    "title": "A garden of forking paths",
    "description": "",
    "author": None,
    "url": "https://example.org/garden",
    "state": "Active",
    "readingProgress": 42.5,
    "thumbnail": None,
    "labels": [],
    "savedAt": "2024-09-01T08:00:00.000Z",
    "updatedAt": "2024-09-02T08:00:00.000Z",
    "publishedAt": None,
}
TAURI_HTML = "<div><p>Tauri 2.0 is stable.</p><p>Mobile support arrives.</p></div>"
# highlightToMarkdown's output: a quote with labels and a note, a two-paragraph quote (its
# blank line written as "> "), and the item's note (a NOTE highlight: text + blank line).
TAURI_HIGHLIGHTS = (
    "> Tauri 2.0 is stable. \n\n#release #big news\n\nFinally!\n\n"
    "> Mobile support\n> \narrives. \n\n"
    "Worth a second read.\n\n"
)


def _zip(path: Path, members: list[tuple[str, str | bytes]],
         compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def _metadata(items: list[dict]) -> str:
    return json.dumps(items, indent=2, ensure_ascii=False)


def _export(tmp_path: Path, extra: list[tuple[str, str | bytes]] = (),
            name: str = "omnivore.zip") -> Path:
    return _zip(tmp_path / name, [
        ("metadata_0_to_2.json", _metadata([TAURI, GARDEN])),
        (f"content/{TAURI['slug']}.html", TAURI_HTML),
        (f"highlights/{TAURI['slug']}.md", TAURI_HIGHLIGHTS),
        *extra,
    ])


def _head(path: Path) -> bytes:
    return path.read_bytes()[:64 * 1024]


def _by_key(export) -> dict:
    return {item.key: item for item in export.items}


# -- detection -----------------------------------------------------------------------------


def test_detects_an_omnivore_export(tmp_path):
    path = _export(tmp_path)
    assert omnivore.detect(path, _head(path))


def test_detects_an_export_whose_metadata_is_not_the_first_member(tmp_path):
    path = _zip(tmp_path / "x.zip", [
        ("omnivore-export/content/a.html", "<p>a</p>"),
        ("omnivore-export/metadata_0_to_1.json", _metadata([GARDEN])),
    ])
    assert omnivore.detect(path, _head(path))


def test_detects_a_cut_short_export_by_its_first_member(tmp_path):
    whole = _export(tmp_path).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    assert omnivore.detect(cut, _head(cut))


@pytest.mark.parametrize("name, data", [
    ("notes.md", b"# A heading\n\n> a quote \n\nSome text.\n"),
    ("page.html", b"<!doctype html><html><body><p>Hi</p></body></html>"),
    ("list.csv", b"url,state,labels\nhttps://a.example,SUCCEEDED,[a]\n"),
    ("metadata_0_to_1.json", _metadata([GARDEN]).encode()),  # unzipped metadata alone
    ("wallabag.json", b'[{"is_archived":1,"is_starred":0,"tags":[],"id":1,"url":"u"}]'),
    ("empty.zip", b""),
    ("junk.bin", b"PK\x03\x04" + b"\x00" * 40),
])
def test_does_not_claim_other_files(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    assert not omnivore.detect(path, data[:64 * 1024])


def test_does_not_claim_other_zips(tmp_path):
    path = _zip(tmp_path / "book.epub", [
        ("mimetype", "application/epub+zip"),
        ("OEBPS/content.opf", "<package/>"),
        ("metadata.json", "[]"),
    ])
    assert not omnivore.detect(path, _head(path))


def test_detection_never_raises(tmp_path):
    missing = tmp_path / "gone.zip"
    assert not omnivore.detect(missing, b"PK\x03\x04garbage")


# -- fields --------------------------------------------------------------------------------


def test_reads_every_field_of_an_item(tmp_path):
    export = omnivore.read(_export(tmp_path))
    assert export.format == "omnivore" and export.source == "Omnivore"
    assert export.problems == []
    tauri = _by_key(export)[TAURI["id"]]
    assert tauri.title == "Tauri 2.0 Stable Release | Tauri"
    assert tauri.author == "Tillmann Weidinger"
    assert tauri.url == "https://tauri.app/blog/tauri-20/"
    assert tauri.tags == ("rust", "Favorite")
    assert tauri.published == "2024-10-08"
    assert tauri.saved_at == "2024-10-18T20:44:54+00:00"
    assert tauri.archived is True
    assert tauri.read is True
    assert tauri.content == TAURI_HTML
    assert tauri.content_format == HTML
    assert tauri.book is False
    assert tauri.note == "Worth a second read."


def test_reads_the_highlights_markdown(tmp_path):
    tauri = _by_key(omnivore.read(_export(tmp_path)))[TAURI["id"]]
    first, second = tauri.highlights
    assert first.text == "Tauri 2.0 is stable."
    assert first.tags == ("release", "big news")
    assert first.note == "Finally!"
    assert first.kind == "highlight"
    assert second.text == "Mobile support\n\narrives."
    assert second.note == ""
    assert second.tags == ()
    # The Markdown holds no position, colour or date.
    assert first.order is None and first.colour is None and first.created_at is None


def test_an_item_without_files_still_imports(tmp_path):
    garden = _by_key(omnivore.read(_export(tmp_path)))[GARDEN["id"]]
    assert garden.content is None  # no content/<slug>.html: the importer fetches the URL
    assert garden.book is False
    assert garden.highlights == ()
    assert garden.author == ""
    assert garden.published is None
    assert garden.archived is False
    assert garden.read is False  # 42.5 %


@pytest.mark.parametrize("state, archived", [
    ("ARCHIVED", True), ("SUCCEEDED", False), ("Active", False), ("Unknown", None),
    (None, None), (7, None),
])
def test_archived_from_either_exporter_state(tmp_path, state, archived):
    entry = dict(GARDEN, state=state)
    path = _zip(tmp_path / "o.zip", [("metadata_0_to_1.json", _metadata([entry]))])
    assert omnivore.read(path).items[0].archived is archived


@pytest.mark.parametrize("progress, read", [(100, True), (98.5, True), (98, False),
                                            (0, False), (None, None), ("100", None)])
def test_read_follows_omnivores_own_read_filter(tmp_path, progress, read):
    entry = dict(GARDEN, readingProgress=progress)
    path = _zip(tmp_path / "o.zip", [("metadata_0_to_1.json", _metadata([entry]))])
    assert omnivore.read(path).items[0].read is read


def test_item_note_before_the_first_quote_and_after_a_highlights_note(tmp_path):
    notes_first = "An item note.\n\n\n\n> quoted \n\nits note"
    marks, note = omnivore.parse_highlights(notes_first)
    assert note == "An item note."
    assert [(m.quote, m.note) for m in marks] == [("quoted", "its note")]
    marks, note = omnivore.parse_highlights("> one \n\nnote one\n\nThe item note\n\n"
                                            "\n\n> two ")
    assert note == "The item note"
    assert [(m.quote, m.note) for m in marks] == [("one", "note one"), ("two", "")]


def test_a_note_of_several_paragraphs_stays_whole(tmp_path):
    marks, note = omnivore.parse_highlights("> q \n\nfirst paragraph\n\nsecond paragraph")
    assert note == ""
    assert marks[0].note == "first paragraph\n\nsecond paragraph"


def test_markdown_content_and_a_top_folder(tmp_path):
    path = _zip(tmp_path / "o.zip", [
        ("Omnivore/metadata_0_to_1.json", _metadata([GARDEN])),
        (f"Omnivore/content/{GARDEN['slug']}.md", "# A garden\n\nPaths fork.\n"),
        (f"Omnivore/highlights/{GARDEN['slug']}.md", "> Paths fork. "),
    ])
    garden = omnivore.read(path).items[0]
    assert garden.content == "# A garden\n\nPaths fork.\n"
    assert garden.content_format == MARKDOWN
    assert [h.text for h in garden.highlights] == ["Paths fork."]


def test_contents_folder_as_the_docs_name_it(tmp_path):
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([GARDEN])),
        (f"contents/{GARDEN['slug']}.html", "<p>Paths fork.</p>"),
    ])
    assert omnivore.read(path).items[0].content == "<p>Paths fork.</p>"


def test_an_item_without_a_web_address_becomes_a_book(tmp_path):
    letter = dict(GARDEN, id="n1", slug="weekly-letter-1", title="Weekly letter",
                  url="https://omnivore.app/no_url?q=4b1f0c2a")
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([letter])),
        ("highlights/weekly-letter-1.md", "> Read slowly. \n\nyes"),
    ])
    item = omnivore.read(path).items[0]
    assert item.url is None
    assert item.book is True
    assert item.highlights[0].text == "Read slowly."


def test_highlights_listed_in_the_metadata(tmp_path):
    entry = dict(GARDEN, highlights=[
        {"id": "h2", "type": "HIGHLIGHT", "quote": "second", "annotation": "",
         "color": "red", "createdAt": "2024-09-03T10:00:00.000Z",
         "highlightPositionPercent": 70.4, "prefix": "the ", "suffix": " one",
         "labels": [{"name": "key", "color": "#ff0000"}]},
        {"id": "h1", "type": "HIGHLIGHT", "quote": "first", "annotation": "why",
         "color": "yellow", "highlightPositionPercent": 12},
        {"id": "n", "type": "NOTE", "annotation": "About the whole piece."},
        {"id": "r", "type": "REDACTION", "quote": "hidden"},
        "not an object",
    ])
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([entry])),
        (f"highlights/{GARDEN['slug']}.md", "> ignored: the list wins "),
    ])
    export = omnivore.read(path)
    item = export.items[0]
    second, first = item.highlights
    assert (second.key, second.text, second.colour, second.order) == ("h2", "second",
                                                                      "pink", 70.4)
    assert second.created_at == "2024-09-03T10:00:00+00:00"
    assert (second.prefix, second.suffix, second.tags) == ("the ", " one", ("key",))
    assert second.location == "70%"
    assert (first.key, first.note, first.colour, first.order) == ("h1", "why", "yellow", 12)
    assert item.note == "About the whole piece."
    assert [str(p) for p in export.problems] == [
        'metadata_0_to_1.json, entry 1 ("A garden of forking paths"), highlight 5: '
        "is not an object"]


# -- keys ----------------------------------------------------------------------------------


def test_keys_are_stable_across_reads_and_re_exports(tmp_path):
    first = omnivore.read(_export(tmp_path))
    again = omnivore.read(_export(tmp_path))
    keys = [(i.key, [h.key for h in i.highlights]) for i in first.items]
    assert keys == [(i.key, [h.key for h in i.highlights]) for i in again.items]
    # A later export lists the highlights in another order and adds one: the same
    # passages keep their keys.
    reordered = ("> Mobile support\n> \narrives. \n\n> Tauri 2.0 is stable. \n\nFinally!"
                 "\n\n> A new one. ")
    later = omnivore.read(_zip(tmp_path / "later.zip", [
        ("metadata_0_to_1.json", _metadata([TAURI])),
        (f"highlights/{TAURI['slug']}.md", reordered),
    ]))
    before = {h.text: h.key for h in _by_key(first)[TAURI["id"]].highlights}
    after = {h.text: h.key for h in later.items[0].highlights}
    assert after["Tauri 2.0 is stable."] == before["Tauri 2.0 is stable."]
    assert after["Mobile support\n\narrives."] == before["Mobile support\n\narrives."]
    assert len(set(after.values())) == 3


def test_repeated_highlights_are_merged(tmp_path):
    text = "> Same words. \n\n> Other words. \n\n> Same words. \n\nlater note"
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([GARDEN])),
        (f"highlights/{GARDEN['slug']}.md", text),
    ])
    highlights = omnivore.read(path).items[0].highlights
    assert [(h.text, h.note) for h in highlights] == [("Same words.", "later note"),
                                                      ("Other words.", "")]


def test_an_item_listed_in_two_batches_is_read_once(tmp_path):
    moved = dict(GARDEN, title="A garden (renamed)")
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_20.json", _metadata([GARDEN])),
        ("metadata_20_to_40.json", _metadata([moved, TAURI])),
    ])
    items = omnivore.read(path).items
    assert [i.title for i in items] == ["A garden (renamed)", TAURI["title"]]


# -- bad input -----------------------------------------------------------------------------


def test_a_broken_metadata_file_is_a_problem_and_the_others_still_import(tmp_path):
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_20.json", _metadata([GARDEN])),
        ("metadata_20_to_40.json", '[{"id": "x", "title": '),
        ("metadata_40_to_60.json", '{"items": []}'),
    ])
    export = omnivore.read(path)
    assert [i.key for i in export.items] == [GARDEN["id"]]
    reasons = {p.where: p.reason for p in export.problems}
    assert reasons["metadata_20_to_40.json"].startswith("is not valid JSON (line 1")
    assert reasons["metadata_40_to_60.json"] == "is not a list of items"


def test_bad_entries_are_problems_naming_them(tmp_path):
    entries = [
        "just a string",
        {"title": "Nothing to find", "id": None, "url": None, "slug": None},
        dict(GARDEN, title=None, labels="a, b", author=12, savedAt=False,
             publishedAt="not a date", readingProgress=[1]),
        {k: None for k in GARDEN} | {"id": "only-id", "url": "https://example.net/x"},
    ]
    export = omnivore.read(_zip(tmp_path / "o.zip", [
        ("metadata_0_to_4.json", _metadata(entries))]))
    assert [str(p) for p in export.problems] == [
        "metadata_0_to_4.json, entry 1: is not an object",
        'metadata_0_to_4.json, entry 2 ("Nothing to find"): has no id, URL or slug',
    ]
    odd, empty = export.items
    assert odd.title == GARDEN["url"]  # no title: the address stands in
    assert odd.tags == ("a", "b")
    assert odd.author == "12"
    assert odd.saved_at is None and odd.published is None and odd.read is None
    assert (empty.key, empty.title, empty.tags, empty.archived) == (
        "only-id", "https://example.net/x", (), None)


def test_lone_surrogates_are_replaced(tmp_path):
    raw = _metadata([dict(GARDEN, title="broken \udc00 title")])
    raw = raw.replace("\udc00", "\\udc00")
    export = omnivore.read(_zip(tmp_path / "o.zip", [("metadata_0_to_1.json", raw)]))
    title = export.items[0].title
    assert title == "broken \ufffd title"
    title.encode("utf-8")  # storable


def test_metadata_with_a_byte_order_mark_and_windows_line_ends(tmp_path):
    raw = "\ufeff" + _metadata([GARDEN]).replace("\n", "\r\n")
    export = omnivore.read(_zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", raw.encode("utf-8")),
        (f"highlights/{GARDEN['slug']}.md", "> a \r\n\r\nnote a\r\n\r\n> b "),
    ]))
    assert [(h.text, h.note) for h in export.items[0].highlights] == [("a", "note a"),
                                                                      ("b", "")]


def test_a_member_failing_its_checksum_is_a_problem(tmp_path):
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([TAURI])),
        (f"content/{TAURI['slug']}.html", TAURI_HTML),
        (f"highlights/{TAURI['slug']}.md", "> Tauri 2.0 is stable. "),
    ], compression=zipfile.ZIP_STORED)
    data = path.read_bytes()
    spot = data.index(b"Mobile support")
    path.write_bytes(data[:spot] + b"Mobile sUpport" + data[spot + 14:])
    export = omnivore.read(path)
    item = export.items[0]
    assert item.content is None  # the damaged page is left out ...
    assert [h.text for h in item.highlights] == ["Tauri 2.0 is stable."]  # ... not the rest
    (problem,) = export.problems
    assert problem.where == f"content/{TAURI['slug']}.html"
    assert "CRC" in problem.reason


def test_a_member_unpacking_past_the_cap_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(omnivore, "MAX_MEMBER_BYTES", 10_000)
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([GARDEN])),
        (f"content/{GARDEN['slug']}.html", "<p>" + "a" * 500_000 + "</p>"),
    ])
    export = omnivore.read(path)
    assert export.items[0].content is None
    (problem,) = export.problems
    assert problem.where == f"content/{GARDEN['slug']}.html"
    assert problem.reason.startswith("is larger than")


def test_a_member_whose_header_understates_its_size_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setattr(omnivore, "MAX_MEMBER_BYTES", 10_000)
    name = f"content/{GARDEN['slug']}.html"
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([GARDEN])),
        (name, "<p>" + "a" * 500_000 + "</p>"),
    ])
    # The central directory's record of the page says it unpacks to 100 bytes.
    data = bytearray(path.read_bytes())
    central = data.rindex(name.encode()) - 46
    assert data[central:central + 4] == b"PK\x01\x02"
    data[central + 24:central + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    export = omnivore.read(path)
    assert export.items[0].key == GARDEN["id"]
    assert export.items[0].content is None
    assert [p.where for p in export.problems] == [name]


def test_the_whole_export_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(omnivore, "MAX_TOTAL_BYTES", 6_000)
    page = "<p>" + "b" * 4_000 + "</p>"
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_2.json", _metadata([TAURI, GARDEN])),
        (f"content/{TAURI['slug']}.html", page),
        (f"content/{GARDEN['slug']}.html", page),
    ])
    export = omnivore.read(path)
    contents = [item.content for item in export.items]
    assert contents == [page, None]
    assert export.problems[0].reason.startswith("is skipped: the export unpacks to more")


def test_too_many_members_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(omnivore, "MAX_MEMBERS", 3)
    path = _zip(tmp_path / "o.zip", [("metadata_0_to_1.json", _metadata([GARDEN]))] +
                [(f"content/{n}.html", "x") for n in range(5)])
    with pytest.raises(FormatError, match="holds more than 3 files"):
        omnivore.read(path)


def test_names_climbing_out_of_the_archive_are_skipped(tmp_path):
    path = _zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([dict(GARDEN, slug="../../etc/passwd")])),
        ("../metadata_5_to_6.json", _metadata([TAURI])),
        ("content/../../evil.html", "<p>evil</p>"),
    ])
    export = omnivore.read(path)
    assert [i.key for i in export.items] == [GARDEN["id"]]
    assert export.items[0].content is None
    assert {p.where for p in export.problems} == {"../metadata_5_to_6.json",
                                                  "content/../../evil.html"}
    assert all("outside the export" in p.reason for p in export.problems)


def test_a_highlights_file_of_no_item_is_a_problem(tmp_path):
    export = omnivore.read(_export(tmp_path, [("highlights/gone-item.md", "> lost ")]))
    assert [(p.where, p.reason) for p in export.problems] == [
        ("highlights/gone-item.md",
         "belongs to no item of the metadata files; its highlights are skipped")]


def test_a_highlights_file_in_another_encoding_does_not_stop_the_import(tmp_path):
    export = omnivore.read(_zip(tmp_path / "o.zip", [
        ("metadata_0_to_1.json", _metadata([GARDEN])),
        (f"highlights/{GARDEN['slug']}.md", "> caf\xe9 ".encode("latin-1")),
    ]))
    assert export.items[0].highlights[0].text == "caf\ufffd"


@pytest.mark.parametrize("make, reason", [
    (lambda p: p.write_text("just words, not a zip"), "is not a zip file"),
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: p.mkdir(), "is a folder"),
])
def test_unreadable_files_are_format_errors(tmp_path, make, reason):
    path = tmp_path / "export.zip"
    make(path)
    with pytest.raises(FormatError, match=reason):
        omnivore.read(path)


def test_a_cut_short_zip_is_a_format_error(tmp_path):
    whole = _export(tmp_path).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) - 30])
    with pytest.raises(FormatError, match="damaged or cut short"):
        omnivore.read(cut)


def test_a_zip_without_metadata_is_a_format_error(tmp_path):
    path = _zip(tmp_path / "o.zip", [("content/a.html", "<p>a</p>")])
    with pytest.raises(FormatError, match="no metadata_\\*.json files"):
        omnivore.read(path)


def test_a_zip_whose_every_metadata_file_is_broken_is_a_format_error(tmp_path):
    path = _zip(tmp_path / "o.zip", [("metadata_0_to_20.json", "<html>oops</html>")])
    with pytest.raises(FormatError, match="no readable metadata file .metadata_0_to_20"):
        omnivore.read(path)


def test_an_empty_library_reads_as_no_items(tmp_path):
    path = _zip(tmp_path / "o.zip", [("metadata_0_to_0.json", "[]")])
    export = omnivore.read(path)
    assert export.items == [] and export.problems == []


def test_a_zip_after_other_bytes_still_opens(tmp_path):
    # A zip appended to other bytes (as self-extracting archives are) opens, as zipfile
    # allows.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("metadata_0_to_1.json", _metadata([GARDEN]))
    path = tmp_path / "prefixed.zip"
    path.write_bytes(b"#!/bin/sh\n" + buffer.getvalue())
    assert [i.key for i in omnivore.read(path).items] == [GARDEN["id"]]


def test_positions_that_are_not_numbers_give_no_order(tmp_path):
    entry = dict(GARDEN, highlights=[
        {"id": "a", "quote": "one", "highlightPositionPercent": float("nan")},
        {"id": "b", "quote": "two", "highlightPositionPercent": float("inf"),
         "highlightPositionAnchorIndex": 4},
        {"id": "c", "quote": "three", "highlightPositionPercent": "50"},
    ])
    raw = json.dumps([entry])  # Python writes NaN and Infinity, as some tools do
    path = _zip(tmp_path / "o.zip", [("metadata_0_to_1.json", raw)])
    highlights = omnivore.read(path).items[0].highlights
    assert [(h.order, h.location) for h in highlights] == [(None, ""), (4.0, ""), (None, "")]
