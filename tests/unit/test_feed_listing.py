"""Listing one feed's articles (ArticleManager.ids(feed=...)): the list's filters apply, and
the list is still read from its covering indexes, never from the article rows."""

from __future__ import annotations

import pytest


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


@pytest.fixture
def feed_library(seeded_library):
    """The seeded library with a feed that brought in its first article."""
    library = seeded_library
    first, second = sorted(library.articles.ids())
    feed = library.feeds.add("https://feeds.example/rivers.xml", "River Notes")
    m = library.storage.models
    with library.storage.write():
        m.Article.update(feed=feed).where(m.Article.id == first).execute()
    return library, feed, first, second


def test_a_feeds_articles_are_listed_with_the_other_filters(feed_library):
    library, feed, first, _second = feed_library
    assert library.articles.ids(feed=feed) == [first]
    assert library.articles.ids(feed=feed, order="title") == [first]
    assert library.articles.ids(feed=feed + 1) == []
    library.articles.set_read(first, True)
    assert library.articles.ids(feed=feed, unread_only=True) == []
    assert library.articles.ids(feed=feed) == [first]
    library.articles.set_archived(first, True)
    assert library.articles.ids(feed=feed) == []
    assert library.articles.ids(feed=feed, archived=True) == [first]


def test_a_feeds_articles_are_searched(feed_library):
    library, feed, first, _second = feed_library
    title = library.articles.get(first).title.split()[0]
    assert library.articles.ids(feed=feed, search=title) == [first]


@pytest.mark.sqlite_only("SQLite's covering index (EXPLAIN QUERY PLAN)")
@pytest.mark.parametrize("order", ["added", "published", "title"])
@pytest.mark.parametrize("unread_only", [False, True])
def test_listing_a_feed_reads_only_indexes(feed_library, monkeypatch, order, unread_only):
    library, feed, _first, _second = feed_library
    database = library.storage.database
    statements = []
    original = database.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", spy)
    library.articles.ids(feed=feed, order=order, unread_only=unread_only)
    monkeypatch.undo()
    [(sql, params)] = statements
    plan = [row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    reads = [step for step in plan if step.startswith(("SCAN", "SEARCH"))]
    assert reads and all("COVERING INDEX" in step for step in reads), plan
