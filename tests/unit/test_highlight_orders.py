"""The orders of the highlights view: newest or oldest first, or by article (titles in
order, each article's highlights in reading order); a query's own sort: comes first."""

from __future__ import annotations

import pytest


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


@pytest.fixture
def shelf(library, write_file):
    """Highlights made out of reading order in two articles, a day apart each."""
    zebra, apple = library.import_files([
        write_file("z.md", "# Zebras\n\nOne two three four. Five six seven eight.\n"),
        write_file("a.md", "# apples\n\nAlpha beta gamma delta. Epsilon zeta eta.\n")]).added
    made = {}
    for day, (article_id, word) in enumerate([(zebra, "Five"), (apple, "Epsilon"),
                                              (zebra, "One"), (apple, "Alpha")], start=1):
        start = library.articles.text(article_id).index(word)
        hid = library.highlights.create(article_id, start, start + len(word)).highlight_id
        library.storage.models.Highlight.update(created_at=f"2024-01-0{day}T00:00:00+00:00").where(
            library.storage.models.Highlight.id == hid).execute()
        made[word] = hid
    return made


def _words(library, ids):
    return [r.exact for r in library.highlights.records(ids)]


def test_newest_first_by_default_and_oldest_first(library, shelf):
    assert _words(library, library.query.highlights("").ids) == [
        "Alpha", "One", "Epsilon", "Five"]
    assert _words(library, library.query.highlights("", order="newest").ids) == [
        "Alpha", "One", "Epsilon", "Five"]
    assert _words(library, library.query.highlights("", order="oldest").ids) == [
        "Five", "Epsilon", "One", "Alpha"]


def test_by_article_keeps_each_articles_highlights_together_in_reading_order(library, shelf):
    # "apples" before "Zebras" whatever the case; inside each, the text's order.
    assert _words(library, library.query.highlights("", order="article").ids) == [
        "Alpha", "Epsilon", "One", "Five"]
    assert _words(library, library.query.highlights("sort:-article").ids) == [
        "One", "Five", "Alpha", "Epsilon"]


def test_the_querys_own_sort_wins_over_the_order_chosen(library, shelf):
    assert _words(library, library.query.highlights("sort:added", order="article").ids) == [
        "Five", "Epsilon", "One", "Alpha"]
    assert _words(library, library.query.highlights("zebras", order="oldest").ids) == []
    assert _words(library, library.query.highlights("title:zebras", order="oldest").ids) == [
        "Five", "One"]
