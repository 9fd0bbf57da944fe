"""Instapaper's CSV and Pocket's exports (reader.other_tools.formats.instapaper, .pocket).

The files are written here in the shapes the tools give them (see the modules'
docstrings): Instapaper's old and new CSV columns, Pocket's ril_export.html, and the
pocket.zip Pocket's exporter writes (CSV parts and annotations JSON).
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.other_tools.formats import instapaper, pocket, readwise_csv, readwise_markdown
from reader.other_tools.model import FormatError, Problem

MODULES = (readwise_csv, readwise_markdown, instapaper, pocket)

INSTAPAPER = (
    "URL,Title,Selection,Folder,Timestamp,Tags\n"
    "https://theoatmeal.com:443/,,,Unread,1747964343,[]\n"
    'https://a.example/essay,"Automate Just About Anything, No Coding",'
    '"The key to success is ""focus"".\nAnd rest.",Archive,1339641431,"[""ml"",""papers""]"\n'
    "https://b.example/star,Starred one,,Starred,1650000003,\n"
    "https://c.example/recipe,Soup,,Recipes To Try,1650000002,\"[\"\"food\"\"]\"\n"
    "javascript:alert(1),Bad scheme,,Unread,1,[]\n"
    ",No address,,Unread,2,[]\n"
)


def li(href: str, added: str, tags: str, title: str) -> str:
    """One save of ril_export.html, as Pocket wrote it: a whole <li> on one line."""
    return f'<li><a href="{href}" time_added="{added}" tags="{tags}">{title}</a></li>'


POCKET_HTML = "\n".join([
    "<!DOCTYPE html>",
    "<html>",
    "\t<!--So long and thanks for all the fish-->",
    "\t<head>",
    '\t\t<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
    "\t\t<title>Pocket Export</title>",
    "\t</head>",
    "\t<body>",
    "\t\t<h1>Unread</h1>",
    "\t\t<ul>",
    "\t\t\t" + li("https://increment.com/compilers/", "1585881748", "",
                   "A crash course in compilers"),
    li("http://journal.example/hardest#1-note", "1585352830", "programming,essays",
       "The Hardest Program I&#039;ve Ever Written &amp; more"),
    li("javascript:void(0)", "1585352000", "", "Ignored"),
    li("https://www.zlib.net/crc_v3.txt", "1584415931", "", "https://www.zlib.net/crc_v3.txt"),
    "\t\t</ul>",
    "\t\t",
    "\t\t<h1>Read Archive</h1>",
    "\t\t<ul>",
    "\t\t\t" + li("https://galileospendulum.org/imaginary/", "1434439487", "maths",
                   "Imaginary Numbers are Real"),
    "\t\t</ul>",
    '\t\t<p><a href="https://getpocket.com/">Pocket</a></p>',
    "\t</body>",
    "</html>",
])

POCKET_CSV = (
    "title,url,time_added,cursor,tags,status\n"
    "https://structuredprocrastination.com/,https://structuredprocrastination.com/,"
    "1677443274,11,,unread\n"
    '"Kaizen - Wikipedia, the free encyclopedia",http://en.wikipedia.org/wiki/Kaizen,'
    "1366446656,12,programming|tech,archive\n"
    '"FXRant: ""Let The Right One In,"" Part 1",https://fxrant.example/part-1,1442511685,13,,'
    "unread\n"
    "No url,,1,14,,unread\n"
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def detects(path: Path) -> list[str]:
    head = path.read_bytes()[:64 * 1024]
    return [module.NAME for module in MODULES if module.detect(path, head)]


def by_url(export):
    return {item.url: item for item in export.items}


# --- Instapaper --------------------------------------------------------------------


def test_every_field_of_an_instapaper_export_is_carried_over(tmp_path):
    export = instapaper.read(write(tmp_path, "instapaper-export.csv", INSTAPAPER))

    assert export.format == "instapaper" and export.source == "Instapaper"
    assert [item.url for item in export.items] == [
        "https://theoatmeal.com:443/", "https://a.example/essay", "https://b.example/star",
        "https://c.example/recipe"]
    items = by_url(export)
    unread = items["https://theoatmeal.com:443/"]
    assert unread.key == unread.url and unread.title == unread.url  # no title given
    assert unread.archived is False and unread.tags == () and unread.highlights == ()
    assert unread.saved_at == "2025-05-23T01:39:03+00:00"
    assert unread.book is False and unread.content is None

    essay = items["https://a.example/essay"]
    assert essay.title == "Automate Just About Anything, No Coding"
    assert essay.archived is True and essay.tags == ("ml", "papers")
    assert essay.saved_at == "2012-06-14T02:37:11+00:00"
    (selection,) = essay.highlights
    assert selection.text == 'The key to success is "focus".\nAnd rest.'

    starred = items["https://b.example/star"]
    assert starred.tags == ("starred",) and starred.archived is False
    recipe = items["https://c.example/recipe"]
    assert recipe.tags == ("food", "Recipes To Try") and recipe.archived is False

    assert export.problems == [
        Problem("line 7", "has no web address that can be opened ('javascript:alert(1)')"),
        Problem("line 8", "has no web address")]


def test_the_older_four_column_export_and_odd_tag_cells(tmp_path):
    older = ("URL,Title,Selection,Folder\n"
             "https://a.example/,A,,Unread\n"
             "https://b.example/,B,,Archive\n")
    export = instapaper.read(write(tmp_path, "old.csv", older))
    assert [(i.title, i.archived, i.saved_at) for i in export.items] == [
        ("A", False, None), ("B", True, None)]

    odd = ("URL,Title,Selection,Folder,Timestamp,Tags\n"
           "https://a.example/,A,,Unread,x,\"{\"\"not\"\": \"\"a list\"\"}\"\n"
           "https://b.example/,B,,Unread,,\"one, two\"\n"
           "https://c.example/,C,,Unread,,\"[null, 3, \"\"ok\"\"]\"\n")
    items = instapaper.read(write(tmp_path, "odd.csv", odd)).items
    assert [(i.tags, i.saved_at) for i in items] == [
        ((), None), (("one", "two"), None), (("3", "ok"), None)]


def test_the_same_page_twice_is_one_item(tmp_path):
    twice = ("URL,Title,Selection,Folder,Timestamp,Tags\n"
             "https://a.example/,,first quote,Unread,1700000000,\"[\"\"a\"\"]\"\n"
             "https://a.example/,Title,second quote,Archive,1700000100,\"[\"\"b\"\"]\"\n")
    (item,) = instapaper.read(write(tmp_path, "twice.csv", twice)).items
    assert item.title == "Title" and item.tags == ("a", "b") and item.archived is True
    assert [h.text for h in item.highlights] == ["first quote", "second quote"]
    assert item.saved_at == "2023-11-14T22:13:20+00:00"


def test_instapaper_keys_are_stable_and_encodings_read_alike(tmp_path):
    one = instapaper.read(write(tmp_path, "a.csv", INSTAPAPER))
    windows = b"\xef\xbb\xbf" + INSTAPAPER.replace("\n", "\r\n").encode("utf-8")
    two = instapaper.read(write(tmp_path, "b.csv", windows))
    three = instapaper.read(write(tmp_path, "c.csv", INSTAPAPER.encode("utf-16")))
    assert one.items == two.items == three.items
    assert one.items[1].highlights[0].key == two.items[1].highlights[0].key


def test_an_instapaper_file_without_urls_is_refused(tmp_path):
    with pytest.raises(FormatError) as raised:
        instapaper.read(write(tmp_path, "x.csv", "Title,Selection,Folder\nA,,Unread\n"))
    assert str(raised.value) == "is missing the column URL that a CSV export of Instapaper has"


# --- Pocket: the HTML list ---------------------------------------------------------


def test_every_field_of_pocket_html_is_carried_over(tmp_path):
    export = pocket.read(write(tmp_path, "ril_export.html", POCKET_HTML))

    assert export.format == "pocket" and export.source == "Pocket"
    items = by_url(export)
    assert list(items) == ["https://increment.com/compilers/",
                           "http://journal.example/hardest#1-note",
                           "https://www.zlib.net/crc_v3.txt",
                           "https://galileospendulum.org/imaginary/"]
    compilers = items["https://increment.com/compilers/"]
    assert compilers.title == "A crash course in compilers"
    assert compilers.saved_at == "2020-04-03T02:42:28+00:00"
    assert compilers.archived is False and compilers.tags == ()
    assert compilers.key == compilers.url and compilers.book is False
    hardest = items["http://journal.example/hardest#1-note"]
    assert hardest.title == "The Hardest Program I've Ever Written & more"
    assert hardest.tags == ("programming", "essays")
    archived = items["https://galileospendulum.org/imaginary/"]
    assert archived.archived is True and archived.tags == ("maths",)
    assert export.problems == [
        Problem("line 13", "has no web address that can be opened ('javascript:void(0)')")]


def test_html_without_pocket_links_is_refused(tmp_path):
    page = "<html><body><h1>Unread</h1><ul><li><a href='https://a.example/'>A</a></ul>"
    with pytest.raises(FormatError, match="is not a Pocket export"):
        pocket.read(write(tmp_path, "page.html", page))


# --- Pocket: the CSV and its zip ---------------------------------------------------


def test_every_field_of_a_pocket_csv_is_carried_over(tmp_path):
    export = pocket.read(write(tmp_path, "part_000000.csv", POCKET_CSV))
    items = by_url(export)
    untitled = items["https://structuredprocrastination.com/"]
    assert untitled.title == untitled.url and untitled.archived is False
    assert untitled.saved_at == "2023-02-26T20:27:54+00:00"
    kaizen = items["http://en.wikipedia.org/wiki/Kaizen"]
    assert kaizen.title == "Kaizen - Wikipedia, the free encyclopedia"
    assert kaizen.tags == ("programming", "tech") and kaizen.archived is True
    assert items["https://fxrant.example/part-1"].title == 'FXRant: "Let The Right One In," Part 1'
    assert export.problems == [Problem("line 5", "has no web address")]


def _pocket_zip(path: Path, annotations: object) -> Path:
    second = "title,url,time_added,tags,status\nLater,https://later.example/,1700000002,,unread\n"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("part_000000.csv", POCKET_CSV.replace("\n", "\r\n"))
        archive.writestr("part_000001.csv", second)
        archive.writestr("annotations/part_000000.json", json.dumps(annotations))
    return path


ANNOTATIONS = [
    {"url": "http://en.wikipedia.org/wiki/Kaizen", "title": "Kaizen - Wikipedia",
     "highlights": [{"quote": "Kaizen is continuous improvement.", "created_at": 1700000000},
                    {"quote": "Small steps.", "created_at": 1700000100},
                    {"quote": "Small steps.", "created_at": 1700000200}]},
    {"url": "https://only-highlighted.example/", "title": "Not in the list",
     "highlights": [{"quote": "A lone quote", "created_at": "1700000300"}]},
    {"url": "ftp://old.example/", "title": "Old", "highlights": []},
    {"url": "https://later.example/", "title": "Later", "highlights": "none"},
    "not an entry",
    {"url": "https://later.example/", "title": "Later",
     "highlights": [{"quote": ""}, {"quote": "Kept", "created_at": None}]},
]


def test_a_pocket_zip_joins_highlights_to_saves_by_url(tmp_path):
    path = _pocket_zip(tmp_path / "pocket.zip", ANNOTATIONS)
    assert detects(path) == ["pocket"]
    export = pocket.read(path)

    items = by_url(export)
    assert list(items) == ["https://structuredprocrastination.com/",
                           "http://en.wikipedia.org/wiki/Kaizen",
                           "https://fxrant.example/part-1", "https://later.example/",
                           "https://only-highlighted.example/"]
    kaizen = items["http://en.wikipedia.org/wiki/Kaizen"]
    assert kaizen.title == "Kaizen - Wikipedia, the free encyclopedia"  # the list's title
    assert kaizen.archived is True and kaizen.tags == ("programming", "tech")
    assert [(h.text, h.created_at) for h in kaizen.highlights] == [
        ("Kaizen is continuous improvement.", "2023-11-14T22:13:20+00:00"),
        ("Small steps.", "2023-11-14T22:16:40+00:00")]  # the repeated quote is one
    lone = items["https://only-highlighted.example/"]
    assert lone.title == "Not in the list" and lone.archived is None
    assert lone.highlights[0].created_at == "2023-11-14T22:18:20+00:00"
    assert [h.text for h in items["https://later.example/"].highlights] == ["Kept"]

    name = "annotations/part_000000.json"
    assert export.problems == [
        Problem("part_000000.csv line 5", "has no web address"),
        Problem(f"{name} entry 3 ('Old')",
                "has no web address that can be opened ('ftp://old.example/')"),
        Problem(f"{name} entry 4 ('Later')", "has no list of highlights"),
        Problem(f"{name} entry 5", "is not an annotation entry"),
        Problem(f"{name} entry 6 ('Later') highlight 1", "has no quoted text"),
    ]


def test_pocket_keys_are_stable_across_reads(tmp_path):
    one = pocket.read(_pocket_zip(tmp_path / "a.zip", ANNOTATIONS))
    two = pocket.read(_pocket_zip(tmp_path / "b.zip", ANNOTATIONS))
    assert one.items == two.items
    html_one = pocket.read(write(tmp_path, "a.html", POCKET_HTML))
    html_two = pocket.read(write(tmp_path, "b.html", POCKET_HTML.replace("\n", "\r\n")))
    assert html_one.items == html_two.items


def test_broken_pocket_zips(tmp_path):
    bad_json = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad_json, "w") as archive:
        archive.writestr("part_000000.csv", POCKET_CSV)
        archive.writestr("annotations/part_000000.json", "[{not json")
    export = pocket.read(bad_json)
    assert len(export.items) == 3
    (problem,) = [p for p in export.problems if p.where.startswith("annotations")]
    assert problem.reason.startswith("is not valid JSON")

    no_list = tmp_path / "nolist.zip"
    with zipfile.ZipFile(no_list, "w") as archive:
        archive.writestr("other.csv", "name,value\na,b\n")
    assert detects(no_list) == []
    with pytest.raises(FormatError, match="without a Pocket list"):
        pocket.read(no_list)
    cut = write(tmp_path, "cut.zip", _pocket_zip(tmp_path / "full.zip", []).read_bytes()[:50])
    with pytest.raises(FormatError, match="is not a readable zip file"):
        pocket.read(cut)
    with pytest.raises(FormatError, match="is missing the column url"):
        pocket.read(write(tmp_path, "x.csv", "title,link\nA,https://a.example/\n"))


# --- detection ---------------------------------------------------------------------

NETSCAPE = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p><DT><A HREF="https://a.example/" ADD_DATE="1700000000" TAGS="x">A</A></DL>"""

READER_CSV = ("Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen\n"
              "A,https://a.example/,01abc,[],2024-01-01 10:00:00+00:00,0,new,False\n")


@pytest.mark.parametrize("name, content, expected", [
    ("instapaper-export.csv", INSTAPAPER, ["instapaper"]),
    ("old.csv", "URL,Title,Selection,Folder\nhttps://a.example/,A,,Unread\n", ["instapaper"]),
    ("ril_export.html", POCKET_HTML, ["pocket"]),
    ("part_000000.csv", POCKET_CSV, ["pocket"]),
    ("part.csv", "title,url,time_added,tags,status\r\n", ["pocket"]),
    ("bookmarks.html", NETSCAPE, []),
    ("page.html", "<!doctype html><title>Unread</title><p>time_added is a word</p>", []),
    ("reader.csv", READER_CSV, []),  # Readwise Reader's document list: not these formats
    ("links.csv", "url,title\nhttps://a.example/,A\n", []),
    ("readwise.csv", "Highlight,Book Title,Book Author\nx,y,z\n", ["readwise"]),
    ("data.json", json.dumps(ANNOTATIONS), []),
    ("empty.csv", "", []),
])
def test_detection_tells_the_link_exports_apart(tmp_path, name, content, expected):
    assert detects(write(tmp_path, name, content)) == expected


def test_a_readwise_zip_is_not_a_pocket_zip(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.csv", "Highlight,Book Title,Book Author\nx,y,z\n")
    assert detects(path) == []


# --- whatever the input --------------------------------------------------------------

CELLS = st.text(alphabet=st.sampled_from(list('ab ,"\n\r|[]{}:/.htps0123456789\x00é😀')),
                max_size=300)
HTMLISH = st.text(alphabet=st.sampled_from(list('<>/a h1="\' time_added=href tags &#;\nx')),
                  max_size=300)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([(instapaper, INSTAPAPER.split("\n")[0] + "\n"),
                        (pocket, POCKET_CSV.split("\n")[0] + "\n"),
                        (pocket, POCKET_HTML[:POCKET_HTML.index("<ul>")])]),
       st.one_of(CELLS, HTMLISH), st.booleans())
def test_any_file_is_read_or_refused(case, tail, zipped):
    module, start = case
    data = (start + tail).encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x"
        if zipped:
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("part_000000.csv", data)
                archive.writestr("annotations/part_000000.json", tail)
        else:
            path.write_bytes(data)
        assert module.detect(path, path.read_bytes()[:64 * 1024]) in (True, False)
        try:
            export = module.read(path)
        except FormatError as exc:
            assert str(exc)
            return
        assert all(item.url and item.key == item.url for item in export.items)
