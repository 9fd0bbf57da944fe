"""Saved web pages through the whole import: library, duplicates, encodings, bad pages."""

from __future__ import annotations

import pytest

from tests.unit.test_html_import import NEWS_PAGE, assert_safe


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


def test_a_saved_news_page_becomes_a_clean_article(library, write_file):
    report = library.import_files([write_file("page.html", NEWS_PAGE)])
    (article_id,) = report.added
    record = library.articles.get(article_id)
    assert record.source_format == "html" and record.title and record.url
    assert_safe(library.articles.source(article_id))
    document = library.articles.document(article_id)
    assert document.text == library.articles.text(article_id)
    assert document.blocks[0].text == record.title
    # The same page again is recognised, even though what is stored was extracted.
    again = library.import_files([write_file("copy.html", NEWS_PAGE)])
    assert again.unchanged == (article_id,) and library.articles.count() == 1


def test_a_page_in_its_declared_legacy_encoding(library, write_file):
    page = ("<html><head><meta charset='windows-1252'><title>Caf\xe9 notes</title></head><body>"
            "<article><h1>Caf\xe9 notes</h1>" + "<p>Les caf\xe9s \x93anciens\x94 ferment t\xf4t le soir.</p>" * 6
            + "</article></body></html>")
    path = write_file("legacy.html", page.encode("latin-1"))
    (article_id,) = library.import_files([path]).added
    assert "caf\u00e9s \u201canciens\u201d" in library.articles.text(article_id)


def test_pages_without_an_article_or_in_an_unknown_encoding_are_reported(library, write_file):
    nav_only = write_file("nav.html", "<html><body><nav><a href='/'>Home</a></nav>"
                                      "<form><input name=q></form></body></html>")
    undecodable = write_file("odd.html", b"<html><meta charset='no-such-charset'><p>caf\xe9</p></html>")
    report = library.import_files([nav_only, undecodable])
    reasons = {p.path: p.reason for p in report.problems}
    assert "has no article in it" in reasons[str(nav_only)]
    assert "not valid UTF-8" in reasons[str(undecodable)]
    assert library.articles.count() == 0
