"""Reading wallabag's JSON export.

The files here are written in the shape wallabag's exporter gives them
(wallabag/wallabag src/Helper/EntriesExport.php: JMS Serializer, group
``entries_for_user``; fields of src/Entity/Entry.php and Annotation.php; the importer's
fixtures tests/fixtures/Import/wallabag-v2-*.json): a JSON array of entries, snake_case
keys, ``is_archived``/``is_starred`` as 0/1, tags as labels, moments as
"2016-09-08T11:55:58+0200", annotations as ``{text, quote, ranges}`` (with ``id``,
``created_at``... in older versions).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.other_tools.formats import wallabag
from reader.other_tools.model import HTML, FormatError

ANNOTATED = {
    "is_archived": 1,
    "is_starred": 1,
    "tags": ["python", "reading"],
    "is_public": False,
    "id": 4668,
    "title": "Understanding Python Decorators",
    "url": "https://realpython.com/primer-on-python-decorators/",
    "given_url": "https://realpython.com/primer-on-python-decorators",
    "content": "<p>Decorators wrap functions.</p>\n<p>They return functions.</p>",
    "created_at": "2023-08-07T09:30:15+0200",
    "updated_at": "2023-08-09T10:00:00+0200",
    "published_at": "2023-08-01T00:30:00+0200",
    "published_by": ["Geir Arne Hjelle", "Real Python"],
    "annotations": [
        {"user": "reader", "annotator_schema_version": "v1.0", "id": 12,
         "text": "the key idea", "created_at": "2023-08-08T21:15:00+0200",
         "updated_at": "2023-08-08T21:15:00+0200", "quote": "Decorators wrap functions.",
         "ranges": [{"start": "/p[1]", "startOffset": 0, "end": "/p[1]",
                     "endOffset": 26}]},
        {"user": "reader", "annotator_schema_version": "v1.0", "id": 13, "text": "",
         "created_at": "2023-08-08T21:16:00+0200",
         "updated_at": "2023-08-08T21:16:00+0200", "quote": "They return functions.",
         "ranges": [{"start": "/p[2]", "startOffset": "0", "end": "/p[2]",
                     "endOffset": "22"}]},
    ],
    "mimetype": "text/html",
    "language": "en",
    "reading_time": 12,
    "domain_name": "realpython.com",
    "preview_picture": "https://realpython.com/hero.jpg",
    "http_status": "200",
    "headers": {"content-type": "text/html; charset=utf-8"},
}
PLAIN = {
    "is_archived": 0,
    "is_starred": 0,
    "tags": [],
    "is_public": False,
    "id": 4667,
    "title": "Tails - Tails 2.0.1 is out",
    "url": "https://tails.boum.org/news/version_2.0.1/index.en.html",
    "content": "<div><p>This release fixes numerous security issues.</p></div>",
    "created_at": "2016-09-08T11:55:58+0200",
    "updated_at": "2016-09-08T11:57:16+0200",
    "annotations": [],
    "mimetype": "text/html",
    "language": "en",
    "reading_time": 1,
    "domain_name": "tails.boum.org",
}


def _write(tmp_path: Path, data, name: str = "All articles.json") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data)
    path.write_text(text, encoding="utf-8")
    return path


def _read(tmp_path: Path, data):
    return wallabag.read(_write(tmp_path, data))


def _detect(path: Path) -> bool:
    return wallabag.detect(path, path.read_bytes()[:64 * 1024])


# -- detection -----------------------------------------------------------------------------


def test_detects_a_wallabag_export(tmp_path):
    assert _detect(_write(tmp_path, [ANNOTATED, PLAIN]))


def test_detects_an_export_whose_first_entry_is_longer_than_the_head(tmp_path):
    # Fields before the content are enough, even when the content runs past 64 KB.
    entry = {"id": 1, "title": "Long", "url": "https://a.example/", "given_url":
             "https://a.example", "origin_url": None, "archived_at": None,
             "domain_name": "a.example", "content": "<p>" + "x" * 100_000 + "</p>"}
    assert _detect(_write(tmp_path, [entry]))


def test_detects_a_pretty_printed_export_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "entries.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([PLAIN], indent=4).replace(
        "\n", "\r\n").encode())
    assert _detect(path)
    assert wallabag.read(path).items[0].key == "4667"


def test_detects_a_wallabag_1_export(tmp_path):
    entry = {"0": "3", "id": "3", "title": "Features", "url": "https://wallabag.org/f/",
             "is_read": "0", "is_fav": "1", "content": "<p>f</p>", "user_id": "1",
             "tags": ""}
    assert _detect(_write(tmp_path, [entry]))


@pytest.mark.parametrize("name, data", [
    ("notes.md", "# Notes\n\n- is_archived: 1\n"),
    ("page.html", "<!doctype html><p>[{\"is_archived\": 1}]</p>"),
    ("list.csv", "url,is_archived,is_starred\nhttps://a.example,1,0\n"),
    ("data.json", '[{"id": 1, "name": "thing", "url": "https://a.example"}]'),
    ("object.json", '{"is_archived": 1, "is_starred": 0, "url": "u"}'),
    ("numbers.json", "[1, 2, 3]"),
    ("hypothesis.json", '{"total": 1, "rows": [{"uri": "https://a.example", '
                        '"text": "n", "target": [{"selector": []}]}]}'),
    ("linkding.json", '[{"id": 1, "url": "https://a.example", "title": "t", '
                      '"is_archived": false, "unread": true, "tag_names": []}]'),
    ("omnivore.json", '[{"id": "x", "slug": "s", "title": "t", "url": "u", '
                      '"state": "Active", "readingProgress": 0, "labels": []}]'),
    ("empty.json", ""),
])
def test_does_not_claim_other_files(tmp_path, name, data):
    assert not _detect(_write(tmp_path, data, name))


def test_detection_never_raises(tmp_path):
    assert not wallabag.detect(tmp_path / "missing.json", b"\xff\xfe[\x00")
    assert not wallabag.detect(tmp_path / "missing.json", b"\x00\x01binary")


# -- fields --------------------------------------------------------------------------------


def test_reads_every_field_of_an_entry(tmp_path):
    export = _read(tmp_path, [ANNOTATED, PLAIN])
    assert export.format == "wallabag" and export.source == "Wallabag"
    assert export.problems == []
    item, plain = export.items
    assert item.key == "4668"
    assert item.title == "Understanding Python Decorators"
    assert item.url == "https://realpython.com/primer-on-python-decorators/"
    assert item.author == "Geir Arne Hjelle, Real Python"
    assert item.tags == ("python", "reading", "starred")
    assert item.published == "2023-08-01"  # the date as written, not shifted to UTC
    assert item.saved_at == "2023-08-07T07:30:15+00:00"
    assert item.archived is True and item.read is True
    assert item.content == ANNOTATED["content"]
    assert item.content_format == HTML
    assert item.book is False
    assert item.note == ""
    assert (plain.archived, plain.read, plain.tags, plain.author) == (False, False, (), "")
    assert plain.published is None


def test_reads_the_annotations(tmp_path):
    first, second = _read(tmp_path, [ANNOTATED]).items[0].highlights
    assert (first.key, first.text, first.note) == ("12", "Decorators wrap functions.",
                                                   "the key idea")
    assert first.created_at == "2023-08-08T19:15:00+00:00"
    assert (first.order, second.order) == (1.0, 2.0)
    assert (second.key, second.text, second.note) == ("13", "They return functions.", "")
    assert first.colour is None and first.kind == "highlight"


def test_annotations_as_the_current_export_writes_them(tmp_path):
    # Current wallabag serialises only text, quote and ranges of an annotation.
    entry = dict(PLAIN, annotations=[
        {"text": "", "quote": "numerous security issues",
         "ranges": [{"start": "/div[1]/p[1]", "startOffset": 18,
                     "end": "/div[1]/p[1]", "endOffset": 42}]},
        {"text": "a note with no passage", "quote": "", "ranges": []},
    ])
    highlight, note = _read(tmp_path, [entry]).items[0].highlights
    assert highlight.text == "numerous security issues" and highlight.created_at is None
    assert (note.kind, note.text, note.note) == ("note", "", "a note with no passage")
    assert highlight.key != note.key


def test_keys_are_stable_across_reads_and_re_exports(tmp_path):
    entry = dict(PLAIN, annotations=[
        {"text": "n", "quote": "fixes", "ranges": [{"start": "/div[1]/p[1]",
                                                    "startOffset": 13, "end": "/div[1]/p[1]",
                                                    "endOffset": 18}]},
        {"text": "", "quote": "security", "ranges": [{"start": "/div[1]/p[1]",
                                                      "startOffset": 28,
                                                      "end": "/div[1]/p[1]",
                                                      "endOffset": 36}]},
    ])
    first = _read(tmp_path, [entry])
    again = _read(tmp_path, [entry])
    assert [h.key for h in first.items[0].highlights] == \
        [h.key for h in again.items[0].highlights]
    # A later export lists the annotations the other way round, the note edited.
    later_entry = dict(entry, annotations=[dict(entry["annotations"][1]),
                                           dict(entry["annotations"][0], text="edited")])
    later = _read(tmp_path, [later_entry]).items[0].highlights
    assert {h.text: h.key for h in later} == {h.text: h.key
                                              for h in first.items[0].highlights}
    assert first.items[0].key == str(later_entry["id"])


def test_repeated_annotations_are_merged(tmp_path):
    same = {"id": 7, "quote": "fixes", "text": ""}
    entry = dict(PLAIN, annotations=[same, {"id": 8, "quote": "other", "text": ""},
                                     dict(same, text="later note")])
    highlights = _read(tmp_path, [entry]).items[0].highlights
    assert [(h.key, h.note, h.order) for h in highlights] == [("7", "later note", 1.0),
                                                              ("8", "", 2.0)]


@pytest.mark.parametrize("value, expected", [
    (1, True), (0, False), (True, True), (False, False), ("1", True), ("0", False),
    (None, None), ("yes please", None), ([1], None),
])
def test_archived_in_any_of_its_spellings(tmp_path, value, expected):
    item = _read(tmp_path, [dict(PLAIN, is_archived=value)]).items[0]
    assert item.archived is expected and item.read is expected


def test_tags_as_objects_strings_or_wallabag_2_0_empty_objects(tmp_path):
    entries = [
        dict(PLAIN, id=1, url="https://a.example/1",
             tags=[{"id": 10, "label": "css", "slug": "css"}, {"id": 11, "label": "#web"}]),
        dict(PLAIN, id=2, url="https://a.example/2", tags=[{}, {}]),
        dict(PLAIN, id=3, url="https://a.example/3", tags="a,b", is_starred="1"),
        dict(PLAIN, id=4, url="https://a.example/4", tags=["Starred"], is_starred=1),
    ]
    tags = [item.tags for item in _read(tmp_path, entries).items]
    assert tags == [("css", "web"), (), ("a", "b", "starred"), ("Starred",)]


def test_moments_with_and_without_a_zone(tmp_path):
    entry = dict(PLAIN, created_at="2017-02-14 17:50:31", published_at="2024-11-01 00:00:00")
    item = _read(tmp_path, [entry]).items[0]
    assert item.saved_at == "2017-02-14T17:50:31+00:00"
    assert item.published == "2024-11-01"
    entry = dict(PLAIN, created_at="2023-08-07T09:30:15+02:00", published_at="soon")
    item = _read(tmp_path, [entry]).items[0]
    assert item.saved_at == "2023-08-07T07:30:15+00:00"
    assert item.published is None


def test_a_wallabag_1_export(tmp_path):
    entry = {"0": "3", "1": "Features - wallabag", "id": "3",
             "title": "Features - wallabag", "url": "https://www.wallabag.org/features/",
             "is_read": "1", "is_fav": "1", "content": "\n\t\t<p>Here are some features.</p>",
             "user_id": "1", "tags": "tools,self-hosting"}
    item = _read(tmp_path, [entry]).items[0]
    assert (item.key, item.title, item.archived) == ("3", "Features - wallabag", True)
    assert item.tags == ("tools", "self-hosting", "starred")
    assert item.content == "\n\t\t<p>Here are some features.</p>"


def test_the_apis_page_of_entries(tmp_path):
    page = {"page": 1, "limit": 30, "pages": 1, "total": 1,
            "_embedded": {"items": [dict(PLAIN, tags=[{"id": 1, "label": "sec",
                                                       "slug": "sec"}])]}}
    assert [i.tags for i in _read(tmp_path, page).items] == [("sec",)]


def test_entries_in_the_trash_are_left_out(tmp_path):
    trashed = dict(PLAIN, id=9, url="https://a.example/gone",
                   deleted_at="2025-01-01T00:00:00+0000")
    export = _read(tmp_path, [trashed, ANNOTATED])
    assert [i.key for i in export.items] == ["4668"] and export.problems == []


def test_missing_content_and_title(tmp_path):
    entry = {"is_archived": 0, "is_starred": 0, "id": 3102, "title": None,
             "url": "https://news.ycombinator.com/item?id=39012345", "content": None,
             "created_at": "2025-06-10 22:15:44"}
    item = _read(tmp_path, [entry]).items[0]
    assert item.title == "https://news.ycombinator.com/item?id=39012345"
    assert item.content is None and item.book is False


def test_given_url_stands_in_for_a_missing_url(tmp_path):
    entry = dict(PLAIN, url=None, given_url="https://a.example/given")
    assert _read(tmp_path, [entry]).items[0].url == "https://a.example/given"


# -- bad input -----------------------------------------------------------------------------


def test_bad_entries_are_problems_and_the_good_ones_still_come_through(tmp_path):
    entries = [
        "a string",
        {"title": "No address", "id": 5},
        dict(PLAIN, title=12345, published_by="One Author", tags=None,
             annotations={"not": "a list"}),
        dict(ANNOTATED, annotations=[None, {"text": "", "quote": ""},
                                     {"quote": ["odd"], "text": 3, "id": None},
                                     {"quote": "fine", "text": None}]),
        None,
    ]
    export = _read(tmp_path, entries)
    assert [str(p) for p in export.problems] == [
        "entry 1: is not an object",
        'entry 2 ("No address"): has no URL',
        'entry 3 ("12345"): has annotations that are not a list',
        'entry 4 ("Understanding Python Decorators"), annotation 1: is not an object',
        'entry 4 ("Understanding Python Decorators"), annotation 2: '
        'has neither a quote nor a note',
        "entry 5: is not an object",
    ]
    odd, annotated = export.items
    assert (odd.title, odd.author, odd.tags, odd.highlights) == ("12345", "One Author",
                                                                (), ())
    assert [(h.kind, h.text, h.note) for h in annotated.highlights] == [
        ("note", "", "3"), ("highlight", "fine", "")]


def test_an_entry_listed_twice_is_read_once(tmp_path):
    export = _read(tmp_path, [PLAIN, dict(PLAIN, title="Renamed")])
    assert [i.title for i in export.items] == ["Renamed"]


def test_lone_surrogates_and_huge_titles(tmp_path):
    raw = json.dumps([dict(PLAIN, title="bad \udc00 title" + "x" * 10_000)])
    item = _read(tmp_path, raw).items[0]
    assert item.title.startswith("bad \ufffd title")
    assert len(item.title) == wallabag.MAX_FIELD_CHARS
    item.title.encode("utf-8")


@pytest.mark.parametrize("data, reason", [
    ('[{"id": 1, "url": ', "is not valid JSON \\(line 1, column"),
    ('{"entries": []}', "is not a list of entries"),
    ('"just a string"', "is not a list of entries"),
    ("", "is empty"),
    ("[" * 100_000, "is not valid JSON"),
])
def test_unreadable_files_are_format_errors(tmp_path, data, reason):
    with pytest.raises(FormatError, match=reason):
        _read(tmp_path, data)


def test_a_binary_file_is_a_format_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes(b"[\x00\x01\x02\xff]")
    with pytest.raises(FormatError, match="binary"):
        wallabag.read(path)


def test_an_empty_export_has_no_items(tmp_path):
    export = _read(tmp_path, [])
    assert export.items == [] and export.problems == []
