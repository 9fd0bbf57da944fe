"""Reading Hypothesis's JSON export (and the API's annotation lists) into items.

The files are written in the shape of hypothesis/client's ``buildJSONExportContent``
(src/sidebar/services/annotations-exporter.tsx) with annotations as h's
``AnnotationJSONPresenter`` presents them (h/presenters/annotation_json.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.other_tools.formats import hypothesis
from reader.other_tools.model import FormatError

ARTICLE = "https://example.com/essays/attention"


def annotation(ident: str, **fields) -> dict:
    """An annotation as the h API returns it: a highlight with a note, by default."""
    uri = fields.pop("uri", ARTICLE)
    quote = fields.pop("quote", "the scarcest resource")
    start = fields.pop("start", 120)
    selectors = [
        {"type": "RangeSelector", "startContainer": "/main[1]/p[3]", "startOffset": 4,
         "endContainer": "/main[1]/p[3]", "endOffset": 25},
        {"type": "TextPositionSelector", "start": start, "end": start + len(quote)},
        {"type": "TextQuoteSelector", "exact": quote, "prefix": "Attention is ",
         "suffix": " we have."},
    ]
    data = {
        "id": ident,
        "created": "2024-03-01T09:30:12.345678+00:00",
        "updated": "2024-03-02T10:00:00.000000+00:00",
        "user": "acct:alice@hypothes.is",
        "uri": uri,
        "text": "So **true**.",
        "tags": ["attention", "#economics"],
        "group": "__world__",
        "permissions": {"read": ["group:__world__"], "admin": ["acct:alice@hypothes.is"],
                        "update": ["acct:alice@hypothes.is"],
                        "delete": ["acct:alice@hypothes.is"]},
        "target": [{"source": uri, "selector": selectors}],
        "document": {"title": ["On Attention"]},
        "links": {"html": f"https://hypothes.is/a/{ident}",
                  "incontext": f"https://hyp.is/{ident}/example.com/essays/attention",
                  "json": f"https://hypothes.is/api/annotations/{ident}"},
        "user_info": {"display_name": "Alice A."},
        "flagged": False,
        "hidden": False,
    }
    data.update(fields)
    return data


def page_note(ident: str, **fields) -> dict:
    """A page note: an annotation whose target has no selector."""
    data = annotation(ident, **fields)
    data["target"] = [{"source": data["uri"]}]
    return data


def reply(ident: str, parent: str, text: str, created: str, **fields) -> dict:
    data = page_note(ident, text=text, created=created, tags=[], **fields)
    data["references"] = [parent]
    return data


def export(annotations: list, **fields) -> dict:
    return {"export_date": "2024-05-01T12:00:00.000Z",
            "export_userid": "acct:alice@hypothes.is",
            "client_version": "1.1480.0", "annotations": annotations, **fields}


def write(tmp_path: Path, data, name: str = "hypothesis-export.json",
          indent: int | None = 2, prefix: bytes = b"", newline: str = "\n") -> Path:
    path = tmp_path / name
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    path.write_bytes(prefix + text.replace("\n", newline).encode("utf-8"))
    return path


def detects(path: Path) -> bool:
    return hypothesis.detect(path, path.read_bytes()[:64 * 1024])


# --- detection -----------------------------------------------------------------------


def test_detects_the_sidebar_export_with_a_bom_and_windows_line_ends(tmp_path):
    path = write(tmp_path, export([annotation("a1")]), prefix=b"\xef\xbb\xbf",
                 newline="\r\n")
    assert detects(path)


def test_detects_an_export_with_no_annotations(tmp_path):
    assert detects(write(tmp_path, export([])))


def test_detects_the_api_search_answer_and_a_bare_list(tmp_path):
    assert detects(write(tmp_path, {"total": 1, "rows": [annotation("a1")]}, "rows.json"))
    assert detects(write(tmp_path, [annotation("a1"), page_note("n1")], "list.json",
                         indent=None))


def test_detects_an_export_longer_than_the_part_detection_reads(tmp_path):
    many = [annotation(f"id{i}", text="x" * 400) for i in range(300)]
    path = write(tmp_path, export(many))
    assert path.stat().st_size > 64 * 1024
    assert detects(path)
    bare = write(tmp_path, many, "bare.json")
    assert detects(bare)


OTHER_FILES = {
    "koreader.json": json.dumps({
        "title": "Dune", "author": "Frank Herbert", "number_of_pages": 412,
        "file": "/mnt/onboard/Dune.epub", "created_on": 1714550400,
        "version": "json/1.0.0",
        "entries": [{"sort": "highlight", "page": 12, "time": 1714550000,
                     "text": "Fear is the mind-killer.", "drawer": "lighten",
                     "chapter": "Book One", "color": "yellow"}]}, indent=4),
    "wallabag.json": json.dumps([{
        "is_archived": 0, "is_starred": 1, "tags": ["web"], "is_public": False, "id": 7,
        "title": "An article", "url": "https://example.org/a", "content": "<p>Hi</p>",
        "created_at": "2024-01-02T03:04:05+0100", "updated_at": "2024-01-02T03:04:05+0100",
        "annotations": [{"user": "alice", "annotator_schema_version": "v1.0", "id": 3,
                         "text": "note", "created_at": "2024-01-02T03:04:05+0100",
                         "updated_at": "2024-01-02T03:04:05+0100", "quote": "Hi",
                         "ranges": [{"start": "/p[1]", "startOffset": "0",
                                     "end": "/p[1]", "endOffset": "2"}]}],
        "mimetype": "text/html", "language": "en", "reading_time": 1,
        "domain_name": "example.org", "preview_picture": None, "http_status": "200",
        "headers": {}}]),
    "omnivore-metadata_0_to_50.json": json.dumps([{
        "id": "8a1b", "slug": "an-article", "title": "An article", "description": "",
        "author": "Someone", "url": "https://example.org/a", "state": "Archived",
        "readingProgress": 100, "thumbnail": None, "labels": ["web"],
        "savedAt": "2024-01-02T03:04:05.000Z", "updatedAt": "2024-01-02T03:04:05.000Z",
        "publishedAt": None}]),
    "package.json": json.dumps({"name": "thing", "version": "1.0.0",
                                "dependencies": {"left-pad": "^1.0"}}),
    "list.json": json.dumps([{"id": 1, "uri": "https://example.org", "user": "bob"}]),
    "empty-list.json": "[]",
    "feed.json": json.dumps({"version": "https://jsonfeed.org/version/1.1",
                             "title": "A feed", "items": [{"id": "1", "url": "https://x"}]}),
    "notes.md": "# Notes\n\nA [link](https://example.com) and `{\"annotations\": []}`.\n",
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
    assert not hypothesis.detect(path, b"")
    assert not hypothesis.detect(path, b"[" * 70000)


# --- fields carried over ---------------------------------------------------------------


def test_an_annotated_web_page_becomes_an_item_with_its_highlight(tmp_path):
    data = export([annotation("a1")])
    result = hypothesis.read(write(tmp_path, data))

    assert result.format == "hypothesis" and result.source == "Hypothesis"
    assert result.problems == []
    [item] = result.items
    assert item.key == ARTICLE
    assert item.title == "On Attention"
    assert item.url == ARTICLE
    assert item.book is False and item.content is None
    assert item.saved_at == "2024-03-01T09:30:12+00:00"
    [highlight] = item.highlights
    assert highlight.key == "a1"
    assert highlight.kind == "highlight"
    assert highlight.text == "the scarcest resource"
    assert highlight.prefix == "Attention is " and highlight.suffix == " we have."
    assert (highlight.start, highlight.end) == (120, 141)
    assert highlight.order == 120
    assert highlight.note == "So **true**."
    assert highlight.tags == ("attention", "economics")
    assert highlight.created_at == "2024-03-01T09:30:12+00:00"
    assert highlight.colour is None


def test_dates_with_another_offset_are_stored_in_utc(tmp_path):
    data = export([annotation("a1", created="2024-03-01T11:30:00+02:00")])
    [item] = hypothesis.read(write(tmp_path, data)).items
    assert item.highlights[0].created_at == "2024-03-01T09:30:00+00:00"


def test_annotations_are_grouped_by_document_in_reading_order(tmp_path):
    other = "https://example.org/news/1"
    data = export([
        annotation("late", start=900, quote="later passage"),
        annotation("o1", uri=other, document={"title": ["News"]}),
        annotation("early", start=10, quote="early passage"),
    ])
    items = hypothesis.read(write(tmp_path, data)).items
    assert [item.key for item in items] == [ARTICLE, other]
    assert [h.key for h in items[0].highlights] == ["early", "late"]
    assert items[1].title == "News"


def test_a_page_note_is_a_note_without_a_passage(tmp_path):
    data = export([page_note("n1", text="Worth rereading.", tags=["todo"])])
    [item] = hypothesis.read(write(tmp_path, data)).items
    [note] = item.highlights
    assert note.kind == "note"
    assert note.text == ""
    assert note.note == "Worth rereading."
    assert note.tags == ("todo",)
    assert note.order is None and note.start is None


def test_a_local_pdf_or_file_becomes_a_book(tmp_path):
    pdf = "urn:x-pdf:6d9e1f1c0b2a4c5f9e8d7c6b5a493827"
    data = export([
        annotation("p1", uri=pdf, document={"title": ["Deep Work (PDF)"]},
                   target=[{"source": pdf, "selector": [
                       {"type": "TextQuoteSelector", "exact": "focus", "prefix": "",
                        "suffix": ""},
                       {"type": "PageSelector", "index": 41, "label": "38"}]}]),
        annotation("f1", uri="file:///home/alice/Papers/My%20Paper.pdf", document={}),
    ])
    items = hypothesis.read(write(tmp_path, data)).items
    assert [(i.key, i.title, i.url, i.book) for i in items] == [
        (pdf, "Deep Work (PDF)", None, True),
        ("file:///home/alice/Papers/My%20Paper.pdf", "My Paper.pdf", None, True),
    ]
    assert items[0].highlights[0].location == "Page 38"
    assert items[0].highlights[0].text == "focus"


def test_a_title_given_as_a_string_and_a_page_index_are_read(tmp_path):
    data = export([annotation("a1", document={"title": "  Plain\n title "},
                              target=[{"source": ARTICLE, "selector": [
                                  {"type": "TextQuoteSelector", "exact": "x"},
                                  {"type": "PageSelector", "index": 4}]}])])
    [item] = hypothesis.read(write(tmp_path, data)).items
    assert item.title == "Plain title"
    assert item.highlights[0].location == "Page 5"


def test_replies_are_kept_in_the_note_of_their_thread_in_the_order_written(tmp_path):
    data = export([
        annotation("root", text="My note."),
        reply("r2", "root", "Second reply.", "2024-03-05T00:00:00+00:00",
              user="acct:carol@hypothes.is", user_info={"display_name": None}),
        reply("r1", "root", "First reply.", "2024-03-04T00:00:00+00:00",
              user="acct:bob@hypothes.is", user_info={"display_name": "Bob B."}),
    ])
    result = hypothesis.read(write(tmp_path, data))
    [item] = result.items
    [highlight] = item.highlights
    assert highlight.note == ("My note.\n\nReply from Bob B.: First reply.\n\n"
                              "Reply from carol: Second reply.")
    assert result.problems == []


def test_a_reply_whose_thread_is_not_in_the_file_is_a_problem(tmp_path):
    data = export([annotation("a1"),
                   reply("r9", "elsewhere", "Hm.", "2024-03-04T00:00:00+00:00")])
    result = hypothesis.read(write(tmp_path, data))
    assert [h.key for h in result.items[0].highlights] == ["a1"]
    assert [(p.where, p.reason) for p in result.problems] == [
        ('annotation 2 (id "r9")', "is a reply to an annotation that is not in this file")]


def test_the_api_answer_with_separate_replies_is_read(tmp_path):
    data = {"total": 1, "rows": [annotation("a1", text="")],
            "replies": [reply("r1", "a1", "Agreed.", "2024-03-04T00:00:00+00:00")]}
    [item] = hypothesis.read(write(tmp_path, data, "search.json")).items
    assert item.highlights[0].note == "Reply from Alice A.: Agreed."


# --- keys and duplicates ---------------------------------------------------------------


def test_keys_are_stable_when_the_file_is_read_again_or_exported_again(tmp_path):
    first = hypothesis.read(write(tmp_path, export([annotation("a1"), page_note("n1")])))
    again = write(tmp_path, export([page_note("n1"), annotation("a1")],
                                   export_date="2024-06-01T00:00:00.000Z"), "again.json")
    second = hypothesis.read(again)
    assert [i.key for i in first.items] == [i.key for i in second.items] == [ARTICLE]
    assert ({h.key for h in first.items[0].highlights}
            == {h.key for h in second.items[0].highlights} == {"a1", "n1"})


def test_an_annotation_twice_is_one_highlight_with_the_longer_note(tmp_path):
    data = export([annotation("a1", text="A longer note, written first."),
                   annotation("a1", text="Short.", tags=["later"])])
    [item] = hypothesis.read(write(tmp_path, data)).items
    [highlight] = item.highlights
    assert highlight.note == "A longer note, written first."
    assert highlight.tags == ("later",)


# --- bad entries -----------------------------------------------------------------------


def test_bad_annotations_are_problems_and_the_good_ones_still_come_through(tmp_path):
    no_id = annotation("x")
    del no_id["id"]
    bad_selector = annotation("s1")
    bad_selector["target"][0]["selector"] = "TextQuoteSelector"
    data = export([
        annotation("good1"),
        "not an annotation",
        no_id,
        bad_selector,
        annotation("t1", target="https://example.com"),
        annotation("n1", text=42),
        annotation("q1", target=[{"source": ARTICLE, "selector": [
            {"type": "TextQuoteSelector", "exact": ["a", "list"]}]}]),
        annotation("u1", uri=None, target=[]),
        annotation("e1", text="", tags=[], target=[{"source": ARTICLE}]),
        annotation("good2", start=500),
    ])
    result = hypothesis.read(write(tmp_path, data))
    assert [h.key for h in result.items[0].highlights] == ["good1", "good2"]
    assert [(p.where, p.reason) for p in result.problems] == [
        ("annotation 2", "is not an annotation object (it is a string)"),
        ("annotation 3", "has no id"),
        ('annotation 4 (id "s1")', "its selector is not a list (it is a string)"),
        ('annotation 5 (id "t1")', "its target is not a list (it is a string)"),
        ('annotation 6 (id "n1")', "its text is not text (it is a number)"),
        ('annotation 7 (id "q1")',
         "its quote (TextQuoteSelector.exact) is not text (it is a list)"),
        ('annotation 8 (id "u1")',
         "has no uri (the address of the document it was made on)"),
        ('annotation 9 (id "e1")', "has neither a quoted passage nor a note"),
    ]


def test_nulls_and_wrong_types_in_optional_fields_do_not_stop_an_annotation(tmp_path):
    data = export([annotation("a1", tags=None, document=None, created=None, user=None,
                              links=None, user_info="x",
                              target=[{"source": ARTICLE, "selector": [
                                  None, {"type": "TextPositionSelector", "start": "1",
                                         "end": True},
                                  {"type": "TextQuoteSelector", "exact": "kept",
                                   "prefix": None, "suffix": 3},
                                  {"type": "PageSelector", "label": None, "index": -1}]}]),
                   annotation("a2", tags="one, #two")])
    result = hypothesis.read(write(tmp_path, data))
    assert result.problems == []
    second, first = result.items[0].highlights  # the one without a position comes last
    assert (first.key, first.text, first.tags, first.created_at) == ("a1", "kept", (), None)
    assert (first.start, first.end, first.order, first.location) == (None, None, None, "")
    assert (first.prefix, first.suffix) == ("", "")
    assert result.items[0].title == "On Attention"  # from the other annotation
    assert second.tags == ("one", "two")


def test_lone_surrogates_are_replaced(tmp_path):
    path = tmp_path / "surrogates.json"
    text = json.dumps(export([annotation("a1", text="bad \ud800 note")]))
    assert "\\ud800" in text
    path.write_text(text, encoding="utf-8")
    [item] = hypothesis.read(path).items
    assert item.highlights[0].note == "bad \ufffd note"


# --- unreadable files ------------------------------------------------------------------


def test_invalid_json_says_where_it_breaks(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "export_date": "2024",\n  "annotations": [\n    {"id": "a1",}\n',
                    encoding="utf-8")
    with pytest.raises(FormatError) as error:
        hypothesis.read(path)
    assert str(error.value).startswith("is not valid JSON (")
    assert "line 4, column" in str(error.value)


@pytest.mark.parametrize("data, reason", [
    ({"name": "thing"}, 'is JSON but not a Hypothesis export (it has no "annotations" list)'),
    ("just a string", "is JSON but not a Hypothesis export (it holds no annotations)"),
    ({"annotations": "none"},
     'has an "annotations" field that is not a list of annotations'),
    ({"rows": {"a": 1}, "total": 1}, 'has a "rows" field that is not a list of annotations'),
])
def test_json_that_is_not_an_export_is_a_format_error(tmp_path, data, reason):
    with pytest.raises(FormatError) as error:
        hypothesis.read(write(tmp_path, data))
    assert str(error.value) == reason


def test_empty_binary_and_deeply_nested_files_are_format_errors(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"  \n")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(FormatError, match="is empty"):
        hypothesis.read(empty)
    with pytest.raises(FormatError, match="binary"):
        hypothesis.read(binary)
    with pytest.raises(FormatError, match="nested too deeply"):
        hypothesis.read(deep)


def test_an_export_without_annotations_has_no_items(tmp_path):
    result = hypothesis.read(write(tmp_path, export([])))
    assert result.items == [] and result.problems == []
