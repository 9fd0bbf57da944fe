"""Reading the JSON of KOReader's highlight exporter into book items.

The files are written in the shape of koreader/koreader's
plugins/exporter.koplugin/target/json.lua (one book, or {"documents": [...]} for all
books), with entries as clip.lua makes them; rapidjson writes the keys in no fixed order
(here: "version" last, after the entries) and an empty Lua table as {}.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.other_tools.common import digest
from reader.other_tools.formats import koreader
from reader.other_tools.model import FormatError

DUNE_MD5 = "0f343b0931126a20f133d67c2b018a3b"


def entry(page, time: int, text: str, **fields) -> dict:
    data = {"sort": "highlight", "page": page, "time": time, "text": text,
            "drawer": "lighten"}
    data.update(fields)
    return data


def dune_entries() -> list[dict]:
    return [
        entry(12, 1714550000, "I must not fear.", chapter="Book One: Dune",
              color="red", note="The litany."),
        entry(12, 1714550100, "Fear is the mind-killer.", chapter="Book One: Dune"),
        entry("xii", 1714549000, "A preface line.", drawer="underscore",
              pos0_xp="/body/DocFragment[2]/body/p[3]/text().0",
              pos1_xp="/body/DocFragment[2]/body/p[3]/text().15", pn_xp="xii"),
        entry(40, 1714560000, "The spice must flow.", chapter="Book Two: Muad'Dib",
              drawer="strikeout", color="olive"),
    ]


def book(title="Dune", author="Frank Herbert", entries=None, **fields) -> dict:
    data = {"number_of_pages": 412, "exported": None, "file": f"/mnt/onboard/{title}.epub",
            "title": title, "author": author,
            "entries": dune_entries() if entries is None else entries}
    data.update(fields)
    return data


def single(book_data: dict) -> dict:
    return {**book_data, "created_on": 1714600000, "version": "json/1.0.0"}


def write(tmp_path: Path, data, name: str = "2024-05-01-12-00-00-Dune.json",
          prefix: bytes = b"", newline: str = "\n") -> Path:
    path = tmp_path / name
    text = json.dumps(data, indent=4, ensure_ascii=False) + "\n"
    path.write_bytes(prefix + text.replace("\n", newline).encode("utf-8"))
    return path


def detects(path: Path) -> bool:
    return koreader.detect(path, path.read_bytes()[:64 * 1024])


# --- detection -----------------------------------------------------------------------


def test_detects_a_one_book_export_with_a_bom_and_windows_line_ends(tmp_path):
    assert detects(write(tmp_path, single(book()), prefix=b"\xef\xbb\xbf",
                         newline="\r\n"))


def test_detects_an_all_books_export(tmp_path):
    data = {"created_on": 1714600000, "version": "json/1.0.0",
            "documents": [book(), book("Emma", "Jane Austen")]}
    assert detects(write(tmp_path, data, "2024-05-01-12-00-00-all-books.json"))


def test_detects_an_export_whose_version_comes_after_the_part_detection_reads(tmp_path):
    many = [entry(page, 1714550000 + page, "A long passage. " * 30)
            for page in range(1, 200)]
    path = write(tmp_path, single(book(entries=many)))
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size > 64 * 1024 and text.index('"version"') > 64 * 1024
    assert detects(path)


def test_detects_an_export_without_a_version(tmp_path):
    data = book()
    assert detects(write(tmp_path, data))


OTHER_FILES = {
    "hypothesis.json": json.dumps({
        "export_date": "2024-05-01T12:00:00.000Z", "export_userid": "acct:a@hypothes.is",
        "client_version": "1.1480.0",
        "annotations": [{"id": "a1", "uri": "https://example.com", "text": "note",
                         "created": "2024-03-01T09:30:00+00:00", "user": "acct:a@hypothes.is",
                         "tags": [], "target": [{"source": "https://example.com",
                                                 "selector": [{"type": "TextQuoteSelector",
                                                               "exact": "x"}]}],
                         "document": {"title": ["Example"]}}]}, indent=2),
    "wallabag.json": json.dumps([{
        "is_archived": 0, "is_starred": 1, "tags": [], "id": 7, "title": "An article",
        "url": "https://example.org/a", "content": "<p>Hi</p>",
        "created_at": "2024-01-02T03:04:05+0100",
        "annotations": [{"user": "alice", "annotator_schema_version": "v1.0", "id": 3,
                         "text": "note", "quote": "Hi",
                         "ranges": [{"start": "/p[1]", "startOffset": "0", "end": "/p[1]",
                                     "endOffset": "2"}]}]}]),
    "omnivore-metadata_0_to_50.json": json.dumps([{
        "id": "8a1b", "slug": "an-article", "title": "An article", "author": "Someone",
        "url": "https://example.org/a", "state": "Archived", "readingProgress": 100,
        "labels": [], "savedAt": "2024-01-02T03:04:05.000Z"}]),
    "feed.json": json.dumps({"version": "https://jsonfeed.org/version/1.1",
                             "title": "A feed", "items": [{"id": "1", "url": "https://x"}]}),
    "package.json": json.dumps({"name": "thing", "version": "1.0.0", "entries": {}}),
    "log.json": json.dumps({"entries": [{"time": 1714550000, "text": "started"}]}),
    "My Clippings.txt": ("Dune (Frank Herbert)\n- Your Highlight on page 12 | Location "
                         "180-181 | Added on Monday, April 21, 2014 10:08:07 PM\n\nFear is "
                         "the mind-killer.\n==========\n"),
    "notes.md": "# Notes\n\n```json\n{\"entries\": [], \"version\": \"json/1.0.0\"}\n```\n",
    "page.html": "<!doctype html><html><head><title>t</title></head><body>x</body></html>",
    "highlights.csv": "Highlight,Title,Author,URL,Note\n\"a\",\"b\",\"c\",\"d\",\"e\"\n",
}


@pytest.mark.parametrize("name", sorted(OTHER_FILES))
def test_does_not_claim_other_files(tmp_path, name):
    path = tmp_path / name
    path.write_text(OTHER_FILES[name], encoding="utf-8")
    assert not detects(path)


def test_detection_never_raises_on_binary_or_broken_heads(tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes(b"\x00\x01\xff" * 100)
    assert not detects(path)
    assert not koreader.detect(path, b"")
    assert not koreader.detect(path, b"{" * 70000)


# --- fields carried over ---------------------------------------------------------------


def test_a_book_becomes_a_book_item_with_its_highlights_in_the_books_order(tmp_path):
    result = koreader.read(write(tmp_path, single(book(md5sum=DUNE_MD5))))

    assert result.format == "koreader" and result.source == "KOReader"
    assert result.problems == []
    [item] = result.items
    assert item.key == DUNE_MD5
    assert (item.title, item.author) == ("Dune", "Frank Herbert")
    assert item.book is True and item.url is None and item.content is None
    assert [h.text for h in item.highlights] == [
        "A preface line.", "I must not fear.", "Fear is the mind-killer.",
        "The spice must flow."]
    preface, litany, fear, spice = item.highlights
    assert litany.note == "The litany."
    assert litany.colour == "pink"  # KOReader's red
    assert fear.colour == "yellow"  # no colour: the "lighten" style
    assert preface.colour is None  # underlined, no colour
    assert spice.colour == "green"  # olive
    assert litany.location == "Book One: Dune · Page 12"
    assert preface.location == "Page xii"
    assert litany.created_at == "2024-05-01T07:53:20+00:00"
    assert preface.order < litany.order < fear.order < 13 <= spice.order < 41
    assert all(h.kind == "highlight" for h in item.highlights)
    assert litany.key == digest(DUNE_MD5, "12", "1714550000", "I must not fear.")


def test_without_a_checksum_the_book_is_keyed_by_title_and_author(tmp_path):
    [item] = koreader.read(write(tmp_path, single(book()))).items
    assert item.key == digest("Dune", "Frank Herbert")


def test_several_authors_on_lines_and_a_missing_title(tmp_path):
    data = single(book(title=None, author="Frank Herbert\nBrian Herbert\n",
                       file="/sdcard/Books/Dune Messiah.epub"))
    [item] = koreader.read(write(tmp_path, data)).items
    assert item.title == "Dune Messiah"
    assert item.author == "Frank Herbert, Brian Herbert"


def test_unknown_author_is_no_author(tmp_path):
    [item] = koreader.read(write(tmp_path, single(book(author="Unknown Author")))).items
    assert item.author == ""


def test_all_books_export_gives_one_item_per_book(tmp_path):
    emma = book("Emma", "Jane Austen", entries=[
        entry(3, 1714000000, "Emma Woodhouse, handsome, clever, and rich",
              color="blue", drawer="lighten")])
    data = {"created_on": 1714600000, "version": "json/1.0.0",
            "documents": [book(md5sum=DUNE_MD5), emma]}
    items = koreader.read(write(tmp_path, data)).items
    assert [(i.title, len(i.highlights)) for i in items] == [("Dune", 4), ("Emma", 1)]
    assert items[1].highlights[0].colour == "blue"


def test_entries_from_kindle_clippings_keep_their_kind(tmp_path):
    entries = [
        {"sort": "highlight", "page": "180-181", "time": 1398127554,
         "text": "Games of all sorts were played in homes and fields."},
        {"sort": "note", "page": "181", "time": 1398127600, "text": "Like today."},
        {"sort": "bookmark", "page": "200", "time": 1398127700, "text": ""},
    ]
    [item] = koreader.read(write(tmp_path, single(book(entries=entries)))).items
    highlight, note, bookmark = item.highlights
    assert (highlight.kind, highlight.location, highlight.colour) == (
        "highlight", "Page 180-181", None)
    assert (note.kind, note.text, note.note) == ("note", "", "Like today.")
    assert (bookmark.kind, bookmark.text, bookmark.location) == ("bookmark", "", "Page 200")


def test_a_highlight_with_only_a_note_is_a_note(tmp_path):
    entries = [entry(5, 1714550000, "", note="A thought about page five.")]
    [item] = koreader.read(write(tmp_path, single(book(entries=entries)))).items
    [note] = item.highlights
    assert (note.kind, note.text, note.note) == ("note", "", "A thought about page five.")


def test_an_empty_entries_table_written_as_an_object_is_no_entries(tmp_path):
    result = koreader.read(write(tmp_path, single(book(entries={}))))
    assert result.problems == []
    assert [(i.title, i.highlights) for i in result.items] == [("Dune", ())]


# --- keys and duplicates ---------------------------------------------------------------


def test_keys_are_stable_when_read_again_or_exported_again_in_another_order(tmp_path):
    first = koreader.read(write(tmp_path, single(book())))
    reexport = single(book(entries=list(reversed(dune_entries()))))
    reexport["created_on"] = 1800000000
    second = koreader.read(write(tmp_path, reexport, "later.json"))
    assert [i.key for i in first.items] == [i.key for i in second.items]
    assert ({h.key for h in first.items[0].highlights}
            == {h.key for h in second.items[0].highlights})
    assert len(first.items[0].highlights) == 4


def test_the_same_entry_twice_is_merged_keeping_the_longer_note(tmp_path):
    entries = [entry(7, 1714550000, "Twice.", note="The fuller note of the two."),
               entry(7, 1714550000, "Twice.", note="Short.", color="green")]
    data = {"version": "json/1.0.0", "created_on": 1,
            "documents": [book(entries=entries[:1]), book(entries=entries[1:])]}
    result = koreader.read(write(tmp_path, data))
    [item] = result.items
    [highlight] = item.highlights
    assert highlight.note == "The fuller note of the two."
    assert highlight.colour == "green"


# --- bad entries -----------------------------------------------------------------------


def test_bad_entries_are_problems_and_the_good_ones_still_come_through(tmp_path):
    entries = [
        entry(1, 1714550000, "Good one."),
        "a string",
        entry(2, 1714550001, ""),
        {"sort": "highlight", "page": 3, "time": 1714550002},
        entry(4, 1714550003, 12345),
        entry(5, 1714550004, "Bad note.", note=["x"]),
        None,
        entry(6, 1714550005, "Good two."),
    ]
    result = koreader.read(write(tmp_path, single(book(entries=entries))))
    assert [h.text for h in result.items[0].highlights] == ["Good one.", "Good two."]
    assert [(p.where, p.reason) for p in result.problems] == [
        ('entry 2 ("Dune")', "is not an entry object (it is a string)"),
        ('entry 3 ("Dune")', "has no text (KOReader leaves it empty for a highlighted "
                             "picture)"),
        ('entry 4 ("Dune")', "has no text (KOReader leaves it empty for a highlighted "
                             "picture)"),
        ('entry 5 ("Dune")', "its text is not text (it is a number)"),
        ('entry 6 ("Dune")', "its note is not text (it is a list)"),
        ('entry 7 ("Dune")', "is not an entry object (it is null)"),
    ]


def test_bad_books_are_problems_and_the_good_ones_still_come_through(tmp_path):
    data = {"created_on": 1714600000, "version": "json/1.0.0",
            "documents": [42, book("Emma", "Jane Austen", entries="none"), book()]}
    result = koreader.read(write(tmp_path, data))
    assert [i.title for i in result.items] == ["Dune"]
    assert [(p.where, p.reason) for p in result.problems] == [
        ("document 1", "is not a book object (it is a number)"),
        ('book "Emma"', "its entries are not a list (they are a string)"),
    ]


def test_nulls_and_wrong_types_in_optional_fields_do_not_stop_an_entry(tmp_path):
    entries = [{"sort": None, "page": None, "time": None, "text": "Kept.", "note": None,
                "chapter": 3, "drawer": None, "color": 7},
               {"sort": 1, "page": [1], "time": "2024-05-01 09:00:00", "text": "Also.",
                "chapter": None, "drawer": "invert", "color": "rainbow"}]
    data = single(book(title=["not", "text"], author=None, entries=entries, file=None))
    result = koreader.read(write(tmp_path, data))
    assert result.problems == []
    [item] = result.items
    assert (item.title, item.author) == ("Untitled", "")
    kept, also = item.highlights
    assert (kept.text, kept.location, kept.created_at, kept.colour) == ("Kept.", "", None,
                                                                        None)
    assert (also.text, also.location, also.created_at, also.colour) == (
        "Also.", "", "2024-05-01T09:00:00+00:00", None)


def test_lone_surrogates_are_replaced(tmp_path):
    path = tmp_path / "surrogates.json"
    text = json.dumps(single(book(entries=[entry(1, 1714550000, "bad \udc80 text")])))
    assert "\\udc80" in text
    path.write_text(text, encoding="utf-8")
    [item] = koreader.read(path).items
    assert item.highlights[0].text == "bad \ufffd text"


# --- unreadable files ------------------------------------------------------------------


def test_invalid_json_says_where_it_breaks(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n    "title": "Dune",\n    "entries": [\n        {"text": "x"\n    ]\n',
                    encoding="utf-8")
    with pytest.raises(FormatError) as error:
        koreader.read(path)
    assert str(error.value).startswith("is not valid JSON (")
    assert "line 5, column 5" in str(error.value)


@pytest.mark.parametrize("data, reason", [
    ({"title": "Dune"}, 'is JSON but not a KOReader export (it has no "entries" or '
                        '"documents")'),
    (12, 'is JSON but not a KOReader export (it has no "entries" or "documents")'),
    ({"documents": "none", "version": "json/1.0.0"},
     'has "documents" that are not a list of books (they are a string)'),
])
def test_json_that_is_not_an_export_is_a_format_error(tmp_path, data, reason):
    with pytest.raises(FormatError) as error:
        koreader.read(write(tmp_path, data))
    assert str(error.value) == reason


def test_empty_non_utf8_and_deeply_nested_files_are_format_errors(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"title": "Café"}'.encode("latin-1"))
    deep = tmp_path / "deep.json"
    deep.write_text('{"entries": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(FormatError, match="is empty"):
        koreader.read(empty)
    with pytest.raises(FormatError, match="not valid UTF-8"):
        koreader.read(latin)
    with pytest.raises(FormatError, match="nested too deeply"):
        koreader.read(deep)
