"""Hostile files in an import batch: each is refused quickly, with its reason, and the
rest of the batch is still imported."""

from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from reader.importing import sources
from reader.importing.sources import SourceError, parse_article, read_article


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev/zero")


@contextmanager
def within(seconds: float):
    """Fail (instead of hanging the test run) if the block takes longer than seconds."""

    def too_slow(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def import_batch(library, paths: list[Path]):
    with within(10):
        return library.import_files(paths)


def good_files(folder: Path) -> list[Path]:
    first = folder / "first.md"
    first.write_text("# First\n\nThe first article.\n")
    second = folder / "second.txt"
    second.write_text("Second\n\nThe second article.\n")
    return [first, second]


def reasons(report) -> dict[str, str]:
    return {Path(p.path).name: p.reason for p in report.problems}


# -- only regular files, their size checked before reading --------------------------------


@posix_only
def test_a_fifo_is_refused_without_waiting_for_a_writer(library, tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    first, second = good_files(tmp_path)
    report = import_batch(library, [first, fifo, second])
    assert len(report.added) == 2
    assert reasons(report) == {"pipe.md": "is not a regular file (a FIFO)"}


@posix_only
def test_a_link_to_a_device_is_refused_before_reading(library, tmp_path):
    zero = tmp_path / "zero.md"
    zero.symlink_to("/dev/zero")
    first, second = good_files(tmp_path)
    report = import_batch(library, [first, zero, second])
    assert len(report.added) == 2
    assert reasons(report) == {"zero.md": "is not a regular file (a device)"}


@posix_only
def test_a_link_to_a_fifo_is_refused(library, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.html"
    link.symlink_to(fifo)
    first, second = good_files(tmp_path)
    report = import_batch(library, [link, first, second])
    assert len(report.added) == 2
    assert reasons(report) == {"link.html": "is not a regular file (a FIFO)"}


def test_a_link_to_a_regular_file_is_read(tmp_path):
    target = tmp_path / "target.md"
    target.write_text("# Linked\n\nText.\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert read_article(link).title == "Linked"


def test_a_file_that_grows_past_the_limit_is_not_read_beyond_it(tmp_path, monkeypatch):
    path = tmp_path / "growing.md"
    path.write_text("# Small\n\nAt first.\n")
    monkeypatch.setattr(sources, "MAX_BYTES", 1000)
    real_fstat = os.fstat

    def grown(descriptor):
        info = real_fstat(descriptor)
        with path.open("a") as stream:  # it grows after it was checked
            stream.write("more words " * 200)
        return info

    monkeypatch.setattr(os, "fstat", grown)
    with pytest.raises(SourceError, match=r"is too large \(more than"):
        read_article(path)


def test_the_size_is_checked_before_anything_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.md"
    with path.open("wb") as stream:
        stream.truncate(sources.MAX_BYTES + 1)

    real_open = os.open

    def never(name, *args, **kwargs):
        assert Path(name) != path, "the file was opened"
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", never)
    with pytest.raises(SourceError, match="is too large"):
        read_article(path)


# -- front matter that expands ------------------------------------------------------------

BILLION_LAUGHS = """---
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
title: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
---

# Laughs

Text.
"""


def test_a_billion_laughs_in_front_matter_is_refused_at_once(library, tmp_path):
    bomb = tmp_path / "laughs.md"
    bomb.write_text(BILLION_LAUGHS)
    first, second = good_files(tmp_path)
    started = time.perf_counter()
    report = import_batch(library, [first, bomb, second])
    assert time.perf_counter() - started < 1
    assert len(report.added) == 2
    assert reasons(report) == {
        "laughs.md": "has front matter whose YAML aliases expand to more than 10,000 values"}


def test_aliases_within_reason_are_read(write_file):
    path = write_file("aliases.md", "---\nwho: &who Ann Writer\nauthor: *who\n"
                                    "tags: &t [a, b]\nkeywords: *t\n---\n\nText.\n")
    assert read_article(path).author == "Ann Writer"


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("a: &a [*a]", "has front matter whose YAML aliases refer to themselves"),
        ("title: x\nfiller: " + "y" * 70_000, "has front matter larger than 64 KB"),
        ("title: " + "[" * 20_000 + "]" * 20_000, "has front matter nested too deeply to read"),
        ("title: " + "9" * 5000, "has front matter that cannot be read (Exceeds the limit"),
    ],
    ids=["recursive", "large", "deep", "long-number"],
)
def test_front_matter_that_cannot_be_read_safely(write_file, front, reason):
    path = write_file("front.md", f"---\n{front}\n---\n\n# Title\n\nText.\n")
    with within(5), pytest.raises(SourceError) as caught:
        read_article(path)
    assert str(caught.value).startswith(reason)


# -- lone surrogates ----------------------------------------------------------------------


def test_a_lone_surrogate_in_front_matter_is_refused_and_the_batch_goes_on(library, tmp_path):
    bad = tmp_path / "surrogate.md"
    bad.write_text('---\ntitle: "Half \\uD800 a character"\n---\n\nText.\n')
    first, second = good_files(tmp_path)
    report = import_batch(library, [bad, first, second])
    assert len(report.added) == 2
    assert reasons(report) == {
        "surrogate.md": "has a lone surrogate (U+D800, which is not a character) in its title"}


PAGE_WITH_SURROGATES = """<html><head><title>Half &#xD800; a title</title>
<meta property="og:title" content="Half &#xD800; a title">
<meta property="og:site_name" content="Site &#xDC00;">
<meta name="author" content="Ann &#55296; Writer"></head>
<body><article><h1>Half &#xD800; a title</h1>
<p>A paragraph of the article with enough words in it to be kept &#xDFFF; by extraction.</p>
<p>A second paragraph, so that there is an article to find here.</p></article></body></html>
"""


def test_an_html_page_with_surrogate_entities_shows_replacement_characters(library, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE_WITH_SURROGATES)
    first, second = good_files(tmp_path)
    report = import_batch(library, [page, first, second])
    assert not report.problems and len(report.added) == 3
    record = library.articles.get(report.added[0])
    assert record.title == "Half \ufffd a title"
    assert "\ufffd" in record.author and "\ufffd" in record.publication
    assert "kept \ufffd by extraction" in library.articles.text(record.id)


@pytest.mark.skipif(os.name != "posix", reason="file names are bytes only on POSIX")
def test_a_file_name_that_is_not_utf8_is_shown_with_replacement_characters(library, tmp_path):
    name = os.fsdecode(b"caf\xe9-notes.md")  # Latin-1 bytes: "\udce9" in Python's str
    path = tmp_path / name
    path.write_text("just some words, lowercase, with a comma,\n")
    first, second = good_files(tmp_path)
    report = import_batch(library, [path, first, second])
    assert not report.problems and len(report.added) == 3
    record = library.articles.get(report.added[0])
    assert record.title == "Caf\ufffd notes"


def test_a_surprise_in_one_file_does_not_end_the_import_of_the_rest(library, tmp_path,
                                                                    monkeypatch):
    first, second = good_files(tmp_path)
    broken = tmp_path / "broken.md"
    broken.write_text("# Broken\n\nText.\n")
    real_parse = sources.parse_article

    def parse(text, source_format, source_name=""):
        if source_name == "broken.md":
            raise RuntimeError("something nobody expected")
        return real_parse(text, source_format, source_name)

    monkeypatch.setattr(sources, "parse_article", parse)
    report = import_batch(library, [first, broken, second])
    assert len(report.added) == 2
    assert reasons(report) == {
        "broken.md": "could not be imported (RuntimeError: something nobody expected)"}


@pytest.mark.parametrize("charset", ["raw_unicode_escape", "unicode-escape", "utf-7",
                                     "punycode", "idna"])
def test_a_page_declaring_a_codec_no_browser_reads_pages_in_is_refused(library, tmp_path,
                                                                       charset):
    page = tmp_path / "page.html"
    # Not UTF-8 (0xff), so the charset it declares would be used: one that turns
    # "\\ud800" into a lone surrogate, or (punycode) takes hours on a large file.
    page.write_bytes(f'<html><head><meta charset="{charset}">'.encode()
                     + b"<title>Half \\ud800 a title</title></head><body><article><p>"
                     + b"a" * 200_000 + b"-" + b"b" * 200_000 + b" \xff</p></article></body></html>")
    first, second = good_files(tmp_path)
    report = import_batch(library, [page, first, second])
    assert len(report.added) == 2
    position = page.read_bytes().index(b"\xff")
    assert reasons(report) == {
        "page.html": f"is not valid UTF-8 text (byte 0xff at position {position}),"
                     f" and the character set its page declares, {charset}, is not one for "
                     "web pages"}


def test_html_text_with_a_lone_surrogate_gets_replacement_characters():
    """However a page's text came to hold one, the article stores U+FFFD in its place."""
    page = ("<html><head><title>Half \ud800 a title</title></head><body><article>"
            "<p>A paragraph with enough words in it to be an article \udc00 here.</p>"
            "</article></body></html>")
    article = parse_article(page, "html", "page.html")
    assert article.title == "Half \ufffd a title"
    assert "article \ufffd here" in article.text


# -- pages nested deeper than the HTML parser goes -----------------------------------------

FIRST = "The first paragraph of the article has a good number of words in it, as articles do."
SECOND = "The second paragraph sits deep inside the nested divisions of this page."
THIRD = "The third paragraph closes the article after all the divisions have ended."


def deep_page(opening: str, closing: str, depth: int) -> str:
    return (f"<html><head><title>Deep</title></head><body><article><p>{FIRST}</p>"
            f"{opening * depth}<p>{SECOND}</p>{closing * depth}<p>{THIRD}</p>"
            "</article></body></html>")


@pytest.mark.parametrize(("opening", "closing", "depth"), [
    ("<div>", "</div>", 100_000),
    ("<div>", "", 100_000),  # never closed
    ("<table><tr><td>", "</td></tr></table>", 20_000),
    ("<span><b>", "</b></span>", 20_000),
    ("<div>", "</div>", 300),  # just past libxml2's limit of 256
], ids=["divs", "unclosed-divs", "tables", "inline", "divs-300"])
def test_a_page_nested_past_the_parser_limit_keeps_all_its_paragraphs(tmp_path, opening,
                                                                       closing, depth):
    page = tmp_path / "deep.html"
    page.write_text(deep_page(opening, closing, depth))
    with within(20):
        article = read_article(page)
    assert article.text.split("\n")[1:] == [FIRST, SECOND, THIRD]


def test_a_batch_with_a_deep_page_imports_it_whole(library, tmp_path):
    page = tmp_path / "deep.html"
    page.write_text(deep_page("<div>", "</div>", 100_000))
    first, second = good_files(tmp_path)
    report = import_batch(library, [first, page, second])
    assert not report.problems and len(report.added) == 3
    assert SECOND in library.articles.text(report.added[1])


def test_flattening_leaves_an_ordinary_page_as_it_was():
    from reader.importing.html_import import flatten_deep

    page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A &amp; B</title>'
            "<script>if (a < b && c > d) {}</script><!-- a comment --></head><body>"
            "<div class=\"x\"><p>One &#233; &eacute;<br>two<img src=\"a.png\"/></p></div>"
            "<ul><li>item</li></ul></body></html>")
    assert flatten_deep(page) == page


def test_flattening_bounds_the_depth_and_keeps_text_in_order():
    from lxml import html as lxml_html

    from reader.importing.html_import import flatten_deep

    page = "<body>" + "".join(f"<div>{n}" for n in range(1000)) + "</div>" * 1000 + "</body>"
    flat = flatten_deep(page, max_depth=50)
    tree = lxml_html.document_fromstring(flat)
    deepest = max(len(list(element.iterancestors())) for element in tree.iter())
    assert deepest <= 52  # html, body, then at most 50
    assert tree.text_content() == "".join(str(n) for n in range(1000))


def test_a_page_still_too_deep_after_flattening_says_so(tmp_path, monkeypatch):
    from reader.importing import html_import

    monkeypatch.setattr(html_import, "flatten_deep", lambda page: page)
    page = tmp_path / "deep.html"
    page.write_text(deep_page("<div>", "</div>", 1000))
    with pytest.raises(SourceError, match="is nested too deeply to read"):
        read_article(page)


# -- Markdown nested deeper than its parser goes ----------------------------------------

DEEP_REASON = ("has lists or block quotes nested too deeply to read (more than 20 levels, "
               "where a list inside a list counts two); the text inside them would be lost")


def nested_list(depth: int) -> str:
    return "".join("  " * level + f"- item {level}\n" for level in range(depth))


@pytest.mark.parametrize("body", [nested_list(10), "> " * 20 + "deep\n", "> " * 5000 + "x\n",
                                  "> - " * 10 + "x\n"], ids=["list", "quote", "quotes", "mixed"])
def test_markdown_nested_past_the_parser_limit_is_refused_not_cut(library, tmp_path, body):
    deep = tmp_path / "deep.md"
    deep.write_text(f"# Deep\n\nBefore.\n\n{body}\nAfter.\n")
    first, second = good_files(tmp_path)
    report = import_batch(library, [first, deep, second])
    assert len(report.added) == 2
    assert reasons(report) == {"deep.md": DEEP_REASON}


@pytest.mark.parametrize("body", [nested_list(9), "> " * 19 + "deep\n"], ids=["list", "quote"])
def test_markdown_nested_to_the_parser_limit_is_read_whole(write_file, body):
    article = read_article(write_file("deep.md", f"# Deep\n\nBefore.\n\n{body}\nAfter.\n"))
    assert article.text.endswith("\nAfter.")
    assert "item 8" in article.text or "deep" in article.text


def test_articles_already_stored_still_render_when_nested_too_deeply():
    """Rendering a stored source never refuses it; only an import does."""
    from reader.importing.sources import split_body

    _head, body = split_body(f"Before.\n\n{nested_list(12)}", "markdown")
    assert body[0].text == "Before."


def test_a_page_with_a_run_over_the_parser_size_limit_keeps_its_article(tmp_path):
    """libxml2 stops at 10 MB without a tag (here an attribute's value): the page is
    parsed again without that limit instead of losing everything after it."""
    page = tmp_path / "big.html"
    page.write_text("<html><head><title>Big</title></head><body><article>"
                    f"<div title='{'x' * 10_500_000}'></div><p>{FIRST}</p><p>{THIRD}</p>"
                    "</article></body></html>")
    with within(60):
        article = read_article(page)
    assert article.text.split("\n")[1:] == [FIRST, THIRD]


def test_a_paragraph_too_long_for_the_parser_is_refused_with_the_reason(tmp_path,
                                                                        monkeypatch):
    from lxml import etree

    def too_long(*args, **kwargs):  # as trafilatura fails on a paragraph over 10 MB
        etree.fromstring("<a>" + "x" * 10_000_001 + "</a>")

    import trafilatura.core

    monkeypatch.setattr(trafilatura.core, "bare_extraction", too_long)
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><p>{FIRST}</p></body></html>")
    with pytest.raises(SourceError, match=r"has a paragraph too long to read \(over 10 MB"):
        read_article(page)
