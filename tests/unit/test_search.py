"""Full-text search: articles and highlights, hostile input, index integrity; on a
SQLite file (FTS5) and on PostgreSQL (tsvector columns)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.library import LibraryError


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


@pytest.fixture
def corpus(library, write_file):
    ids = {}
    for name, body in {
        "bridges": "# Bridges of Kursk\n\nBy Ana Lopez\n\nUkraine has blown up two bridges on the river.",
        "covid": "# Covid-19 and schools\n\nThe covid-19 pandemic closed schools in 2020.",
        "rail": "# Railways\n\nThe rail line carried supplies. Bridges were not mentioned much.",
    }.items():
        (ids[name],) = library.import_files([write_file(f"{name}.md", body)]).added
    return ids


def test_articles_are_found_by_title_author_and_body(library, corpus):
    assert library.articles.ids(search="kursk") == [corpus["bridges"]]
    assert library.articles.ids(search="lopez") == [corpus["bridges"]]
    assert set(library.articles.ids(search="bridge")) == {corpus["bridges"], corpus["rail"]}
    # Ranked: the article about bridges (in its title) comes first.
    assert library.articles.ids(search="bridges")[0] == corpus["bridges"]


def test_stemming_prefixes_and_phrases(library, corpus):
    assert library.articles.ids(search="carrying") == [corpus["rail"]]  # porter: carry
    assert library.articles.ids(search="pandem") == [corpus["covid"]]  # the word being typed
    assert library.articles.ids(search='"rail line"') == [corpus["rail"]]
    assert library.articles.ids(search='"line rail"') == []
    assert library.articles.ids(search="covid-19") == [corpus["covid"]]
    assert library.articles.ids(search="bridges -kursk") == [corpus["rail"]]


def test_search_combines_with_tags(library, corpus):
    library.articles.set_tags(corpus["rail"], ["transport"])
    assert library.articles.ids(search="bridges", tag="transport") == [corpus["rail"]]


def test_snippets_show_the_match(library, corpus):
    (hit,) = library.search.articles("pandemic")
    assert hit.article_id == corpus["covid"] and "pandemic" in hit.snippet
    found = library.search.snippets("river", [corpus["bridges"]])
    assert found == {corpus["bridges"]: library.search.articles("river")[0].snippet}
    assert found[corpus["bridges"]].endswith("two bridges on the river.")


def test_highlights_and_notes_are_found(library, corpus):
    text = library.articles.text(corpus["rail"])
    start = text.index("The rail line")
    hid = library.highlights.create(corpus["rail"], start, start + len("The rail line carried supplies.")).highlight_id
    library.highlights.set_note(hid, "Logistics matter more than tanks.")
    (by_quote,) = library.search.highlights("supplies")
    assert (by_quote.highlight_id, by_quote.article_id, by_quote.article_title) == (hid, corpus["rail"], "Railways")
    (by_note,) = library.search.highlights("logistics")
    assert "Logistics" in by_note.snippet
    assert library.search.highlights("nothing-like-this") == []


@pytest.mark.parametrize("query", ['"', '"unclosed', "AND", "OR OR", "NOT", "-", "*", "***", "(", ")",
                                   "a AND", "title:", ":", "^", "NEAR(", "covid-19", "😀", "'", "\\",
                                   "a OR (b", "{}", "[x]", "-bridges", "  ", "bridges\0", "\0\0"])
def test_hostile_queries_never_raise(library, corpus, query):
    """Each runs as a search: FTS5 refusing one would raise (nothing swallows it)."""
    articles = set(corpus.values())
    assert set(library.articles.ids(search=query)) <= articles
    assert {hit.article_id for hit in library.search.articles(query)} <= articles
    assert library.search.highlights(query) == []  # the corpus has no highlights


def test_hostile_queries_still_find_what_they_name(library, corpus):
    assert library.articles.ids(search="covid-19") == [corpus["covid"]]
    assert set(library.articles.ids(search="bridges\0")) == {corpus["bridges"], corpus["rail"]}
    assert library.articles.ids(search='"unclosed') == []


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
@given(st.text(max_size=30))
def test_any_typed_text_is_a_valid_query(library, corpus, query):
    found = library.articles.ids(search=query)
    assert set(found) <= set(corpus.values()) and len(found) == len(set(found))
    assert library.search.highlights(query) == []
    if not query.strip():  # no search: the whole list
        assert sorted(found) == sorted(corpus.values())


def test_a_search_the_engine_refuses_is_reported_not_swallowed(library, corpus, monkeypatch):
    """Should the engine ever refuse a translated query (FTS5's, or a tsquery), the user
    learns which search failed and why, instead of seeing an empty list."""
    if library.on_postgres:
        from reader.search import postgres

        monkeypatch.setattr(postgres, "tsquery", lambda rows, text: "'unterminated")
    else:
        from reader import reads

        monkeypatch.setattr(reads, "fts_query", lambda text, columns: '"unterminated')
    with pytest.raises(LibraryError, match="Cannot (search for|run the query) 'rail'"):
        library.articles.ids(search="rail")
    with pytest.raises(LibraryError, match="Cannot search for 'rail'"):
        library.search.highlights("rail")
    monkeypatch.undo()
    assert library.articles.ids(search="rail") == [corpus["rail"]]  # the library still works


def test_index_stays_consistent_after_edits_and_deletes(library, corpus):
    from reader.importing.sources import parse_article

    hid = library.highlights.create(corpus["bridges"], 0, 7).highlight_id
    library.highlights.set_note(hid, "first note")
    library.highlights.set_note(hid, "second note")
    library.articles.replace_source(corpus["covid"], parse_article("# Measles\n\nA new outbreak.", "markdown"))
    library.articles.set_read(corpus["rail"], True)
    library.articles.delete(corpus["rail"])
    library.highlights.delete(hid)
    library.undo()  # the highlight comes back
    if not library.on_postgres:  # PostgreSQL's index is a generated column of the row
        # FTS5's integrity check raises when an index disagrees with its table.
        library.storage.models.ArticleIndex.integrity_check(rank=1)
        library.storage.models.HighlightIndex.integrity_check(rank=1)
    assert library.articles.ids(search="covid") == []
    assert library.articles.ids(search="measles") == [corpus["covid"]]
    assert library.articles.ids(search="railways") == []
    assert [h.highlight_id for h in library.search.highlights("second")] == [hid]
    assert library.search.highlights("first") == []


def test_a_one_letter_word_is_not_a_prefix(library, corpus):
    # "r" would match every word starting with r: only the word "r" itself is searched.
    assert library.articles.ids(search="r") == []
    assert library.articles.ids(search="ra") == [corpus["rail"]]  # rail, railways
    assert library.articles.ids(search="ri") == [corpus["bridges"]]  # river


def test_unranked_first_matches_respect_the_view(library, corpus):
    library.articles.set_archived(corpus["rail"], True)
    assert library.articles.ids(search="bridges", ranked=False, limit=10) == [corpus["bridges"]]
    assert library.articles.ids(search="bridges", ranked=False, archived=True) == [corpus["rail"]]
    library.articles.set_read(corpus["bridges"], True)
    assert library.articles.ids(search="bridges", unread_only=True) == []


@pytest.mark.parametrize(("piece", "whole", "snippet"), [
    ("two bridges on", "Ukraine has blown up two bridges on the river.", "…two bridges on…"),
    ("Ukraine has blown", "Ukraine has blown up.", "Ukraine has blown…"),
    ("blown up", "Ukraine has blown up.", "…blown up."),  # the full stop put back
    ("The rail line", "The rail  line", "The rail line"),  # whitespace made one line
    ("", "Some text", ""),
])
def test_a_postgresql_headline_is_marked_where_it_cuts_the_text(piece, whole, snippet):
    from reader.search.postgres import with_ellipses

    assert with_ellipses(piece, whole) == snippet
