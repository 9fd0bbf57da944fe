"""Readwise's CSV export and Markdown pages (reader.other_tools.formats.readwise_*).

The files are written here in the shape Readwise gives them (see the modules' docstrings
for the real exports they follow): a standard CSV with quoted multi-line cells, and
Markdown pages made from Readwise's default templates.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.other_tools.formats import instapaper, pocket, readwise_csv, readwise_markdown
from reader.other_tools.model import FormatError, Problem

MODULES = (readwise_csv, readwise_markdown, instapaper, pocket)

HEADER = ("Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,"
          "Location,Highlighted at,Document tags\n")

# A real export's kinds of rows: a Kindle book with colour, tags and a note; a tweet
# thread (order, a highlight over several lines); a podcast (time offset); a page.
ROWS = (
    '"When you’re trying to draw reliable inferences, wiggle room is the enemy.",'
    'How Not to Be Wrong,Jordan Ellenberg,B00G3L6JQ4,Check the math,yellow,'
    '"statistics,favorite",location,1920,2020-09-21 04:53:16.752500+00:00,"maths,to reread"\n'
    '"1/ Months of liquidity\n\nBut instead of just ""cash"", I add receivables",'
    '"As an entrepreneur, you...",@realjondavids on Twitter,,,,,order,1,'
    '2022-04-18 01:27:32.357530+00:00,\n'
    'Regression is mathematics.,How Not to Be Wrong,Jordan Ellenberg,B00G3L6JQ4,,,pink,'
    'location,2201,2020-09-21 06:00:00+02:00,\n'
    'The best ideas come late.,Deep Talk,Some Podcast,,,,,time_offset,3725,'
    '2023-01-02 10:00:00+00:00,\n'
    'Part One,How Not to Be Wrong,Jordan Ellenberg,B00G3L6JQ4,.h1,,,location,15,'
    '2020-09-20 10:00:00+00:00,\n'
    'On page three.,A Paper Book,,,,blue,,page,3,2021-05-01T08:00:00Z,\n'
    'Chapter 2,How Not to Be Wrong,Jordan Ellenberg,B00G3L6JQ4,,,"h2,favorite",location,'
    '400,2020-09-20 11:00:00+00:00,\n'
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


# --- Readwise CSV ------------------------------------------------------------------


def test_every_field_of_a_readwise_csv_is_carried_over(tmp_path):
    export = readwise_csv.read(write(tmp_path, "readwise-data.csv", HEADER + ROWS))

    assert export.format == "readwise" and export.source == "Readwise"
    assert export.problems == []
    titles = [item.title for item in export.items]
    assert titles == ["How Not to Be Wrong", "As an entrepreneur, you...", "Deep Talk",
                      "A Paper Book"]  # one item per book, in file order
    book = export.items[0]
    assert book.key == "asin:B00G3L6JQ4"
    assert book.author == "Jordan Ellenberg"
    assert book.book is True and book.url is None and book.content is None
    assert book.tags == ("maths", "to reread")
    first, second, heading, chapter = book.highlights
    assert first.text == ("When you’re trying to draw reliable inferences, wiggle room is "
                          "the enemy.")
    assert first.note == "Check the math"
    assert first.colour == "yellow"
    assert first.tags == ("statistics", "favorite")
    assert first.location == "Location 1920" and first.order == 1920.0
    assert first.created_at == "2020-09-21T04:53:16+00:00"
    # A Kindle colour kept as a tag becomes the colour; the offset is turned into UTC.
    assert second.colour == "pink" and second.tags == ()
    assert second.created_at == "2020-09-21T04:00:00+00:00"
    # A heading marked ".h1" stays a highlight, without the marker.
    assert heading.text == "Part One" and heading.note == "" and heading.order == 15.0
    # ... and so does one Readwise has already given the tag "h2".
    assert chapter.text == "Chapter 2" and chapter.tags == ("favorite",)

    thread = export.items[1]
    assert thread.author == "@realjondavids on Twitter"
    (tweet,) = thread.highlights
    assert tweet.text == '1/ Months of liquidity\n\nBut instead of just "cash", I add receivables'
    assert tweet.location == "" and tweet.order == 1.0
    podcast = export.items[2].highlights[0]
    assert podcast.location == "At 1:02:05" and podcast.order == 3725.0
    page = export.items[3].highlights[0]
    assert page.location == "Page 3" and page.colour == "blue"
    assert page.created_at == "2021-05-01T08:00:00+00:00"
    assert export.items[3].author == ""


def test_keys_are_stable_and_tell_highlights_apart(tmp_path):
    path = write(tmp_path, "a.csv", HEADER + ROWS)
    first = readwise_csv.read(path)
    again = readwise_csv.read(write(tmp_path, "b.csv", HEADER + ROWS))

    keys = [(item.key, [h.key for h in item.highlights]) for item in first.items]
    assert keys == [(item.key, [h.key for h in item.highlights]) for item in again.items]
    every = [h.key for item in first.items for h in item.highlights]
    assert len(set(every)) == len(every) == 7
    # Without an Amazon id a book is known by its title and author.
    assert first.items[2].key == readwise_csv.book_key("Deep Talk", "Some Podcast")
    assert first.items[2].key != readwise_csv.book_key("Deep Talk", "Another Podcast")


def test_an_older_export_without_document_tags_and_reordered_columns(tmp_path):
    older = ("Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,"
             "Location,Highlighted at\n"
             '"Terror without virtue is powerless.",The Guillotine Mystique,reason.com,,,,,'
             "order,2,2020-11-26 03:28:15+00:00\n")
    (item,) = readwise_csv.read(write(tmp_path, "old.csv", older)).items
    assert item.title == "The Guillotine Mystique" and item.author == "reason.com"
    assert item.highlights[0].order == 2.0

    reordered = ("Book Title,Note,Highlight,Book Author\n"
                 "Dune,my note,Fear is the mind-killer.,Frank Herbert\n")
    (item,) = readwise_csv.read(write(tmp_path, "re.csv", reordered)).items
    assert (item.title, item.author) == ("Dune", "Frank Herbert")
    assert (item.highlights[0].text, item.highlights[0].note) == ("Fear is the mind-killer.",
                                                                  "my note")
    assert item.highlights[0].created_at is None and item.highlights[0].location == ""


def test_bom_windows_line_ends_and_utf16_read_alike(tmp_path):
    plain = readwise_csv.read(write(tmp_path, "plain.csv", HEADER + ROWS))
    windows = (HEADER + ROWS).replace("\n", "\r\n")
    for name, data in [("bom.csv", b"\xef\xbb\xbf" + windows.encode("utf-8")),
                       ("utf16.csv", (HEADER + ROWS).encode("utf-16"))]:
        path = write(tmp_path, name, data)
        assert detects(path) == ["readwise"]
        export = readwise_csv.read(path)
        assert export.items == plain.items


def test_duplicate_rows_are_one_highlight_keeping_the_longer_note(tmp_path):
    rows = ("Dup,Book,Author,,short,,a,page,1,2020-01-01 00:00:00+00:00,\n"
            "Dup,Book,Author,,the longer note,,b,page,1,2020-01-02 00:00:00+00:00,\n"
            "Dup,Book,Author,,,,,page,1,2020-01-03 00:00:00+00:00,\n")
    (item,) = readwise_csv.read(write(tmp_path, "dup.csv", HEADER + rows)).items
    (highlight,) = item.highlights
    assert highlight.note == "the longer note"
    assert highlight.tags == ("a", "b")


def test_bad_rows_become_problems_and_the_good_ones_come_through(tmp_path):
    rows = ('"A highlight\nover two lines",Good Book,Author,,,,,location,1,,\n'  # lines 2-3
            "Orphan highlight,,Author,,,,,location,2,,\n"  # line 4: no book title
            ",Good Book,Author,,,,,location,3,,\n"  # line 5: nothing to keep
            ",Good Book,Author,,A note on its own,,,location,4,,\n"  # line 6: a note
            "Second,Good Book,Author,,,,,location,5,not a date,\n")  # line 7
    export = readwise_csv.read(write(tmp_path, "bad.csv", HEADER + rows))

    assert export.problems == [Problem("line 4", "has no book title"),
                               Problem("line 5", "has neither a highlight nor a note")]
    (item,) = export.items
    assert [h.text for h in item.highlights] == ["A highlight\nover two lines", "", "Second"]
    assert item.highlights[1].kind == "note" and item.highlights[1].note == "A note on its own"
    assert item.highlights[2].created_at is None


def test_a_cell_too_large_for_csv_stops_reading_with_a_problem(tmp_path):
    rows = ("First,Book,Author,,,,,location,1,,\n"
            f'"{"x" * 200_000}",Book,Author,,,,,location,2,,\n'
            "Third,Book,Author,,,,,location,3,,\n")
    export = readwise_csv.read(write(tmp_path, "huge.csv", HEADER + rows))
    assert [h.text for h in export.items[0].highlights] == ["First"]
    (problem,) = export.problems
    assert problem.where == "after line 2" and "cannot be read as CSV" in problem.reason


@pytest.mark.parametrize("content, reason", [
    ("Highlight,Title,Author,URL,Note,Location,Date\nx,y,z,,,,\n",
     "is missing the column Book Title that a Readwise CSV export has"),
    ("Name,Value\na,b\n",
     "is missing the columns Highlight, Book Title that a Readwise CSV export has"),
    ("", "is empty"),
    (b"\xff\xfe" + "Highlight,Book Title\n".encode("utf-16-le") + b"\x00\xd8",
     "is not valid UTF-16 text"),
    (b"Highlight,Book Title\n\xff\xfe broken,x\n", "is not valid UTF-8 text"),
])
def test_unreadable_files_raise_a_format_error_with_the_reason(tmp_path, content, reason):
    with pytest.raises(FormatError) as raised:
        readwise_csv.read(write(tmp_path, "x.csv", content))
    assert str(raised.value).startswith(reason)


# --- Readwise Markdown -------------------------------------------------------------

KINDLE_PAGE = """# Threat Modeling

![rw-book-cover](https://images-na.ssl-images-amazon.com/images/I/51eOfrrNdYL._SL200_.jpg)

## Metadata
- Author: [[Adam Shostack]]
- Full Title: Threat Modeling: Designing for Security
- Category: #books

## Highlights
- Problems where data is treated as code are common. ([Location 945](https://readwise.io/to_kindle?action=open&asin=B00IG71FAS&location=945))
- Follow this simplified, five-step process as you go:
  Draw a diagram.
  Celebrate and share your work. ([Location 1096](https://readwise.io/to_kindle?action=open&asin=B00IG71FAS&location=1096))
    - Tags: [[favorite]] [[pink]]
    - Note: The whole method
      on two lines.
- Part Two ([Location 1100](https://readwise.io/to_kindle?action=open&asin=B00IG71FAS&location=1100))
    - Tags: [[h1]]
    - Note: .h1

## New highlights added July 26, 2021 at 10:00 AM
- Talking about human threat agents can help. ([Location 1419](https://readwise.io/to_kindle?action=open&asin=B00IG71FAS&location=1419))
"""

ARTICLE_PAGE = """# Acing the Design Interview

![rw-book-cover](https://readwise-assets.s3.amazonaws.com/static/images/article1.png)

## Metadata
- Author: [[seangoedecke.com]]
- Full Title: Acing the Design Interview
- Category: #articles
- Document Tags: [[development]] [[interview]] [[Development]]
- Summary: In a design interview, focus on entities.
- URL: https://www.seangoedecke.com/acing-the-design-interview/

## Highlights
- The first step is to identify the actual pieces. ([View Highlight](https://read.readwise.io/read/01jjv46mvraj3s9cvzbgrdbrs7))

- Once you’ve got that list, start another list. ([View Highlight](https://read.readwise.io/read/01jjv46tvcpysh8h5ygkjye0e8))
    - Tags: [[design]]
    - Note: Start from the data.

## Full Document
### Entities first

Write down the entities your system supports.
"""

# Readwise's first template: third-level headings, plain author, bold note labels.
OLD_PAGE = """# Building Microservices

![](https://images-na.ssl-images-amazon.com/images/I/51e6hCWFZNL._SL200_.jpg)

### Metadata

- Author: Sam Newman
- Full Title: Building Microservices
- Category: #books

### Highlights

- The risk of a service getting fault tolerance wrong is high. ([Location 597](https://readwise.io/to_kindle?action=open&asin=B00T3N7XB4&location=597))
    - **Note:** Basically, test it.
- Expose batch APIs to make reporting easier. (Page 212)
"""

PLAIN_ARTICLE = """# My reading year

Some thoughts on what I read.

## Highlights

- Finished *Dune* in March.
- Started a reading group.

## Metadata

Nothing here.
"""


def test_a_kindle_book_page_carries_every_field(tmp_path):
    export = readwise_markdown.read(write(tmp_path, "Threat Modeling.md", KINDLE_PAGE))

    assert export.format == "readwise-markdown" and export.problems == []
    (item,) = export.items
    assert item.key == "asin:B00IG71FAS"  # the Amazon id in Readwise's Kindle links
    assert item.title == "Threat Modeling: Designing for Security"
    assert item.author == "Adam Shostack"
    assert item.book is True and item.url is None
    first, second, heading, later = item.highlights
    assert first.text == "Problems where data is treated as code are common."
    assert first.location == "Location 945" and first.order == 945.0
    assert second.text == ("Follow this simplified, five-step process as you go:\n"
                           "Draw a diagram.\nCelebrate and share your work.")
    assert second.tags == ("favorite",) and second.colour == "pink"
    assert second.note == "The whole method\non two lines."
    assert heading.text == "Part Two" and heading.note == "" and heading.tags == ()
    assert later.order == 1419.0  # "New highlights added" sections are read too


def test_an_article_page_is_a_web_document_with_reader_ids(tmp_path):
    (item,) = readwise_markdown.read(write(tmp_path, "Acing.md", ARTICLE_PAGE)).items

    assert item.key == "https://www.seangoedecke.com/acing-the-design-interview/"
    assert item.url == item.key and item.book is False
    assert item.author == "seangoedecke.com"
    assert item.tags == ("development", "interview")
    assert item.content == ("### Entities first\n\nWrite down the entities your system "
                            "supports.")
    first, second = item.highlights
    assert first.key == "readwise:01jjv46mvraj3s9cvzbgrdbrs7"
    assert first.text == "The first step is to identify the actual pieces."
    assert first.location == "" and (first.order, second.order) == (1.0, 2.0)
    assert second.note == "Start from the data." and second.tags == ("design",)


def test_the_first_template_with_bold_notes_and_pages(tmp_path):
    (item,) = readwise_markdown.read(write(tmp_path, "old.md", OLD_PAGE)).items
    assert item.author == "Sam Newman" and item.key == "asin:B00T3N7XB4"
    first, second = item.highlights
    assert first.note == "Basically, test it."
    assert second.text == "Expose batch APIs to make reporting easier."
    assert second.location == "Page 212" and second.order == 212.0


def test_markdown_keys_are_stable_across_reads(tmp_path):
    windows = b"\xef\xbb\xbf" + KINDLE_PAGE.replace("\n", "\r\n").encode("utf-8")
    one = readwise_markdown.read(write(tmp_path, "a.md", KINDLE_PAGE))
    two = readwise_markdown.read(write(tmp_path, "b.md", windows))
    assert one.items == two.items


def test_a_zip_of_pages_reads_each_and_reports_the_strangers(tmp_path):
    path = tmp_path / "readwise-export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Books/Threat Modeling.md", KINDLE_PAGE)
        archive.writestr("Articles/Acing the Design Interview.md", ARTICLE_PAGE)
        archive.writestr("Articles/Acing again.md", ARTICLE_PAGE)  # the same document
        archive.writestr("notes/todo.md", PLAIN_ARTICLE)
        archive.writestr("Books/cover.png", b"\x89PNG")
    assert detects(path) == ["readwise-markdown"]

    export = readwise_markdown.read(path)
    assert [item.title for item in export.items] == [
        "Threat Modeling: Designing for Security", "Acing the Design Interview"]
    assert len(export.items[1].highlights) == 2
    assert export.problems == [Problem("notes/todo.md", "is not a Readwise highlights page")]


def test_a_broken_member_is_a_problem_and_a_broken_zip_an_error(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("Books/A.md", KINDLE_PAGE)
        archive.writestr("Articles/B.md", ARTICLE_PAGE)
    data = bytearray(path.read_bytes())
    spot = data.index(b"Write down the entities")
    data[spot] ^= 0x20  # the stored bytes no longer match their CRC
    path.write_bytes(bytes(data))

    export = readwise_markdown.read(path)
    assert [item.key for item in export.items] == ["asin:B00IG71FAS"]
    (problem,) = export.problems
    assert problem.where == "Articles/B.md" and "cannot be unpacked" in problem.reason

    truncated = write(tmp_path, "cut.zip", bytes(data[:40]))
    with pytest.raises(FormatError, match="is not a readable zip file"):
        readwise_markdown.read(truncated)
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(FormatError, match="without .md files"):
        readwise_markdown.read(empty)


def test_markdown_that_is_not_a_readwise_page_is_refused(tmp_path):
    with pytest.raises(FormatError, match="is not a Readwise Markdown export"):
        readwise_markdown.read(write(tmp_path, "plain.md", PLAIN_ARTICLE))


def test_an_empty_bullet_is_a_problem_with_its_line(tmp_path):
    page = KINDLE_PAGE.replace("## Highlights\n", "## Highlights\n- \n")
    export = readwise_markdown.read(write(tmp_path, "p.md", page))
    assert export.problems == [Problem("line 11", "is an empty highlight")]
    assert len(export.items[0].highlights) == 4


# --- detection ---------------------------------------------------------------------


@pytest.mark.parametrize("name, content, expected", [
    ("readwise-data.csv", HEADER + ROWS, ["readwise"]),
    ("export.csv", (HEADER + ROWS).replace("\n", "\r\n"), ["readwise"]),
    ("Threat Modeling.md", KINDLE_PAGE, ["readwise-markdown"]),
    ("Acing.md", ARTICLE_PAGE, ["readwise-markdown"]),
    ("old.md", OLD_PAGE, ["readwise-markdown"]),
    # Readwise's own *import* template (a user's hand-made CSV) is not its export.
    ("import.csv", "Highlight,Title,Author,URL,Note,Location,Date\nx,y,z,,,,\n", []),
    ("instapaper.csv", "URL,Title,Selection,Folder,Timestamp,Tags\n"
                       "https://a.example/,A,,Unread,1700000000,[]\n", ["instapaper"]),
    ("part_000000.csv", "title,url,time_added,tags,status\n"
                        "A,https://a.example/,1700000000,,unread\n", ["pocket"]),
    ("plain.md", PLAIN_ARTICLE, []),
    ("notes.md", "# Notes\n\n## Highlights\n- see https://readwise.io\n", []),
    ("data.csv", "name,highlight,book\nx,y,z\n", []),
    ("page.html", "<!DOCTYPE html><html><body><h1>Unread</h1><a href='x'>x</a></body></html>",
     []),
    ("data.json", '{"highlights": [{"text": "x"}]}', []),
    ("blob.bin", b"\x00\x01\x02PK\x03\x04" * 100, []),
    ("fake.zip", b"PK\x03\x04 this is not a zip", []),
])
def test_detection_claims_only_its_own_files(tmp_path, name, content, expected):
    assert detects(write(tmp_path, name, content)) == expected


def test_detection_never_raises_on_a_folder_or_a_missing_file(tmp_path):
    for module in MODULES:
        assert module.detect(tmp_path, b"PK\x03\x04") is False
        assert module.detect(tmp_path / "gone.zip", b"PK\x03\x04") is False


# --- whatever the input --------------------------------------------------------------

CSVISH = st.text(alphabet=st.sampled_from(list('ab ,"\n\r.h1#[]()-:|0123456789\x00é😀\t')),
                 max_size=300)
MDISH = st.text(alphabet=st.sampled_from(list("ab #-*[]()!:.\n  \tLocation Page 12/\\é😀")),
                max_size=400)


def _read_or_refuse(module, data: bytes, name: str) -> None:
    """read() gives an Export or a FormatError with a reason, and detect() a bool."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        assert module.detect(path, data[:64 * 1024]) in (True, False)
        try:
            export = module.read(path)
        except FormatError as exc:
            assert str(exc)
            return
        for item in export.items:
            assert item.key and isinstance(item.title, str)
            assert all(h.key for h in item.highlights)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(CSVISH.map(lambda text: HEADER + text), CSVISH))
def test_any_csv_text_is_read_or_refused(text):
    _read_or_refuse(readwise_csv, text.encode("utf-8", "surrogatepass"), "x.csv")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(MDISH.map(lambda text: ARTICLE_PAGE[:420] + text),
                 MDISH.map(lambda text: KINDLE_PAGE + text), st.binary(max_size=200)))
def test_any_markdown_is_read_or_refused(text):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    _read_or_refuse(readwise_markdown, data, "x.md")
