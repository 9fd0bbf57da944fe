"""Every format, end to end: a file in that tool's shape quoting a sample article is
recognised, previewed by a dry run that writes nothing, imported with its highlights on
their passages and the unfound one listed and kept as an orphan, and imported again
without adding anything."""

from __future__ import annotations

import csv
import json
import zipfile

import pytest

from reader.other_tools import formats
from tests.conftest import table_counts
from reader.other_tools.importer import import_export


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


TITLE = "Ukraine continues offensive inside Russia"
FOUND = "Ukraine has blown up two bridges in the region"
ABSENT = "A passage quoted from some other text that this article never had."
PAGE = ("<html><head><title>Bridges</title></head><body><article><h1>Bridges</h1>"
        "<p>So far, Ukraine has blown up two bridges in the region, and more are at risk.</p>"
        "<p>The destruction of the bridges has also disrupted ongoing efforts to evacuate "
        "residents from the combat zones.</p></article></body></html>")


def kindle(tmp_path, url):
    entries = [("Location 20-21", FOUND), ("Location 90-91", ABSENT)]
    text = "".join(
        f"\ufeff{TITLE} (Weiss, Clara)\r\n- Your Highlight on {where} | Added on Monday, "
        f"19 August 2024 09:30:15\r\n\r\n{quote}\r\n==========\r\n" for where, quote in entries)
    path = tmp_path / "My Clippings.txt"
    path.write_bytes(text.encode("utf-8"))
    return path


def kindle_html(tmp_path, url):
    notes = "".join(
        f'<div class="noteHeading">Highlight (<span class="highlight_blue">blue</span>) - '
        f'Location {where}</div>\n<div class="noteText">{quote}</div>\n'
        for where, quote in ((20, FOUND), (90, ABSENT)))
    path = tmp_path / "notebook.html"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?><html><head><meta charset="UTF-8"/></head>'
        '<body><div class="bodyContainer"><div class="notebookFor">Notebook for</div>'
        f'<div class="bookTitle">{TITLE}</div><div class="authors">Clara Weiss</div>'
        '<div class="citation"></div><hr /><div class="sectionHeading">Part 1</div>'
        f"{notes}</div></body></html>", encoding="utf-8")
    return path


def readwise(tmp_path, url):
    path = tmp_path / "readwise-data.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(["Highlight", "Book Title", "Book Author", "Amazon Book ID", "Note",
                         "Color", "Tags", "Location Type", "Location", "Highlighted at",
                         "Document tags"])
        for n, quote in enumerate((FOUND, ABSENT)):
            writer.writerow([quote, TITLE, "Clara Weiss", "", "", "yellow", "", "order",
                             n + 1, "2024-08-19 09:30:15+00:00", ""])
    return path


def readwise_markdown(tmp_path, url):
    path = tmp_path / f"{TITLE}.md"
    path.write_text(
        f"# {TITLE}\n\n![rw-book-cover](https://readwise-assets.s3.amazonaws.com/a.png)\n\n"
        f"## Metadata\n- Author: [[Clara Weiss]]\n- Full Title: {TITLE}\n"
        "- Category: #articles\n\n## Highlights\n"
        f"- {FOUND} ([View Highlight](https://read.readwise.io/read/01aaa))\n"
        f"- {ABSENT} ([View Highlight](https://read.readwise.io/read/01bbb))\n",
        encoding="utf-8")
    return path


def omnivore(tmp_path, url):
    path = tmp_path / "omnivore-export.zip"
    item = {"id": "5c0d", "slug": "ukraine-continues", "title": TITLE, "description": "",
            "author": "Clara Weiss", "url": "https://www.wsws.org/en/a2", "state": "Active",
            "readingProgress": 0, "thumbnail": None, "labels": ["ukraine"],
            "savedAt": "2024-08-19T10:00:00.000Z", "updatedAt": "2024-08-19T10:00:00.000Z",
            "publishedAt": None}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata_0_to_0.json", json.dumps([item], indent=2))
        archive.writestr("highlights/ukraine-continues.md", f"> {FOUND} \n\n> {ABSENT} \n")
    return path


def hypothesis(tmp_path, url):
    def annotation(ident, quote):
        return {"id": ident, "created": "2024-08-19T09:30:15.000000+00:00",
                "updated": "2024-08-19T09:30:15.000000+00:00",
                "user": "acct:reader@hypothes.is", "uri": "https://www.wsws.org/en/a2",
                "text": "", "tags": [], "group": "__world__", "permissions": {},
                "target": [{"source": "https://www.wsws.org/en/a2", "selector": [
                    {"type": "TextQuoteSelector", "exact": quote, "prefix": "",
                     "suffix": ""}]}],
                "document": {"title": [TITLE]}, "links": {}}
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps({"export_date": "2024-09-01T00:00:00.000Z",
                                "export_userid": "acct:reader@hypothes.is",
                                "client_version": "1.1500.0",
                                "annotations": [annotation("a1", FOUND),
                                                annotation("a2", ABSENT)]}), encoding="utf-8")
    return path


def koreader(tmp_path, url):
    path = tmp_path / "koreader.json"
    entries = [{"sort": "highlight", "page": page, "time": 1724059815 + page, "text": quote,
                "drawer": "lighten"} for page, quote in ((3, FOUND), (9, ABSENT))]
    path.write_text(json.dumps({"title": TITLE, "author": "Clara Weiss", "entries": entries,
                                "file": "/mnt/onboard/ukraine.epub", "number_of_pages": 12,
                                "exported": None, "created_on": 1724060000,
                                "version": "json/1.0.0"}, indent=4), encoding="utf-8")
    return path


def wallabag(tmp_path, url):
    path = tmp_path / "wallabag.json"
    entry = {"is_archived": 0, "is_starred": 1, "tags": ["ukraine"], "is_public": False,
             "id": 4668, "title": TITLE, "url": "https://www.wsws.org/en/a2",
             "content": "<p>unused: the library has this article</p>",
             "created_at": "2024-08-19T11:55:58+0200", "updated_at": "2024-08-19T11:55:58+0200",
             "published_by": ["Clara Weiss"], "mimetype": "text/html", "language": "en",
             "reading_time": 3, "domain_name": "www.wsws.org",
             "annotations": [{"user": "me", "annotator_schema_version": "v1.0", "text": "",
                              "quote": quote, "ranges": [{"start": "/p[1]", "startOffset": 0,
                                                          "end": "/p[1]", "endOffset": 9}]}
                             for quote in (FOUND, ABSENT)]}
    path.write_text(json.dumps([entry]), encoding="utf-8")
    return path


def pocket(tmp_path, url):
    path = tmp_path / "ril_export.html"
    path.write_text(
        "<!DOCTYPE html>\n<html>\n\t<!--So long and thanks for all the fish-->\n\t<head>\n"
        '\t\t<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
        "\t\t<title>Pocket Export</title>\n\t</head>\n\t<body>\n\t\t<h1>Unread</h1>\n"
        f'\t\t<ul>\n\t\t\t<li><a href="{url}" time_added="1724059815" tags="war">Bridges</a>'
        "</li>\n\t\t</ul>\n\t\t\n\t\t<h1>Read Archive</h1>\n\t\t<ul>\n\t\t</ul>\n"
        "\t</body>\n</html>\n", encoding="utf-8")
    return path


def instapaper(tmp_path, url):
    path = tmp_path / "instapaper-export.csv"
    path.write_text(
        "URL,Title,Selection,Folder,Timestamp,Tags\r\n"
        f'{url},Bridges,"{FOUND}",Archive,1724059815,"[""war""]"\r\n'
        f'{url}?again,Bridges again,"{ABSENT}",Unread,1724059816,[]\r\n', encoding="utf-8")
    return path


# format: (writer, highlights in the file, of them not in the text)
CASES = {
    "kindle": (kindle, 2, 1), "kindle-html": (kindle_html, 2, 1), "readwise": (readwise, 2, 1),
    "readwise-markdown": (readwise_markdown, 2, 1), "omnivore": (omnivore, 2, 1),
    "hypothesis": (hypothesis, 2, 1), "koreader": (koreader, 2, 1),
    "wallabag": (wallabag, 2, 1), "pocket": (pocket, 0, 0), "instapaper": (instapaper, 2, 1),
}


def test_every_format_has_a_case():
    assert sorted(CASES) == sorted(formats.names())


def counts(library):
    return table_counts(library, ("article", "highlight", "imported", "article_tag"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_file_of_each_format_imports_once_with_its_highlights_anchored(
        name, seeded_library, tmp_path, httpserver):
    writer, marks, absent = CASES[name]
    httpserver.expect_request("/bridges").respond_with_data(
        PAGE, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/bridges", query_string="again").respond_with_data(
        PAGE, content_type="text/html; charset=utf-8")
    path = writer(tmp_path, httpserver.url_for("/bridges"))
    assert formats.detect(path).NAME == name

    before = counts(seeded_library)
    preview = import_export(seeded_library, path, dry_run=True)
    assert counts(seeded_library) == before
    if name not in ("pocket", "instapaper"):  # their pages are fetched, not in a dry run
        assert preview.highlights_added == marks and len(preview.unanchored) == absent

    report = import_export(seeded_library, path)
    assert report.problems == []
    assert report.highlights_added == marks
    assert [u.quote for u in report.unanchored] == [ABSENT] * absent
    placed = [h for a in seeded_library.articles.ids() + seeded_library.articles.ids(
        archived=True) for h in seeded_library.highlights.for_article(a)]
    assert sorted(h.exact for h in placed if not h.orphaned) == [FOUND] * (marks - absent)
    assert sorted(h.exact for h in placed if h.orphaned) == [ABSENT] * absent
    for mark in placed:
        if not mark.orphaned:
            assert seeded_library.articles.text(mark.article_id)[mark.start:mark.end] == FOUND

    after = counts(seeded_library)
    again = import_export(seeded_library, path)
    assert counts(seeded_library) == after
    assert again.highlights_added == 0 and again.articles_added == 0
