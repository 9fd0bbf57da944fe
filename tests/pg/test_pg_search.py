"""Full-text search on PostgreSQL's own terms: what a typed text becomes as a tsquery,
English stemming and stop words, ranking by title, author and text, tsquery syntax
typed as text, and highlight snippets from ts_headline. (tests/unit/test_search.py and
test_query.py run the engine-neutral behaviour on both engines.)"""

from __future__ import annotations

import pytest

from reader.library import Library
from reader.search.postgres import tsquery


@pytest.fixture
def pg_library(pg_url):
    with Library.open(pg_url) as library:
        yield library


@pytest.fixture
def add(pg_library, tmp_path):
    def add(name: str, source: str) -> int:
        path = tmp_path / f"{name}.md"
        path.write_text(source, encoding="utf-8")
        (article_id,) = pg_library.import_files([path]).added
        return article_id

    return add


@pytest.mark.parametrize(("typed", "query"), [
    ("running", "'run':*"),  # stemmed, and the word being typed is a prefix
    ('"running"', "'run'"),  # a quote after it: a whole word
    ("bridges -kurs", "'bridg' & !'kur':*"),
    ('"rail line"', "'rail' <-> 'line'"),  # after a quote: no prefix
    ('"rail li', "'rail' <-> 'li':*"),
    ("rail OR road", "'rail' | 'road':*"),
    ("bridges the", "'bridg'"),  # a stop word last: nothing to make a prefix of
    ("r", "'r'"),  # one letter is too short to be a prefix
    ("the", None), ("", None), ("  ", None), ("\0", None), ("-", None), ("😀", None),
    ("a & b | !c:* <-> d", "'b' & 'c' & 'd'"),  # tsquery's own syntax is only text
])
def test_what_a_typed_text_becomes(pg_library, typed, query):
    assert tsquery(pg_library.storage.rows, typed) == query


def test_english_stemming_finds_other_forms_of_a_word(pg_library, add):
    runs = add("runs", "# Morning\n\nShe runs along the river every morning.")
    add("walks", "# Evening\n\nHe walked home.")
    for typed in ("running", '"running"', "run", '"runs along"'):
        assert pg_library.articles.ids(search=typed) == [runs], typed
        assert [hit.article_id for hit in pg_library.search.articles(typed)] == [runs]
    assert pg_library.query.articles("running -walked", archived=None).ids == [runs]


def test_stop_words_are_left_out_not_searched(pg_library, add):
    river = add("river", "# The River\n\nThe river rose.")
    add("sea", "# Sea\n\nWaves.")
    assert pg_library.articles.ids(search="the river") == [river]
    # A search of stop words alone finds nothing (it does not list everything) ...
    assert pg_library.articles.ids(search="the") == []
    assert pg_library.search.articles("the of") == []
    # ... and in the query language a term of them takes no part, as one left out.
    assert pg_library.query.articles("the river", archived=None).ids == [river]
    assert sorted(pg_library.query.articles("the OR river", archived=None).ids) == [river]


def test_ranking_puts_title_before_author_before_text(pg_library, add):
    in_text = add("text", "# Notes\n\nBy Bo Chen\n\nA short note on salt and its trade.")
    in_title = add("title", "# Salt\n\nBy Bo Chen\n\nA short note on trade and its routes.")
    in_author = add("author", "# Notes again\n\nBy Ann Salt\n\nA short note on its trade.")
    best_first = [in_title, in_author, in_text]
    assert pg_library.articles.ids(search="salt") == best_first
    assert [hit.article_id for hit in pg_library.search.articles("salt")] == best_first
    assert pg_library.query.articles("salt is:unread", archived=None).ids == best_first
    # Words near each other rank higher (cover density): "salt … trade" in one sentence.
    assert pg_library.query.articles("salt trade", archived=None).ids[0] == in_text
    # Unranked, the list's order: newest first; or the query's own sort.
    assert pg_library.articles.ids(search="salt", ranked=False) == [in_author, in_title, in_text]
    assert pg_library.query.articles("salt sort:title", archived=None).ids == \
        [in_text, in_author, in_title]  # Notes, Notes again, Salt


@pytest.mark.parametrize("typed", [
    "a & b", "a | b", "!a", "a:*", "a <-> b", "'a'", "a:A", "(a", "))", "\\'", ":*",
    "&", "!", "<->", "<1>", "a:*B", "salt:*", "''''", "%", "_", "?", "%s", "$1",
])
def test_tsquery_syntax_typed_is_searched_as_text(pg_library, add, typed):
    salt = add("salt", "# Salt\n\nSalt and a trade.")
    text = pg_library.articles.text(salt)
    pg_library.highlights.create(salt, text.index("trade"), text.index("trade") + 5)
    assert set(pg_library.articles.ids(search=typed)) <= {salt}
    assert {hit.article_id for hit in pg_library.search.articles(typed)} <= {salt}
    assert {hit.article_id for hit in pg_library.search.highlights(typed)} <= {salt}
    assert set(pg_library.query.articles(typed, archived=None).ids) <= {salt}
    assert len(pg_library.query.highlights(typed).ids) <= 1
    pg_library.query.count(typed)


def test_highlight_snippets_come_from_the_matching_column(pg_library, add):
    long = " ".join(f"word{n}" for n in range(40))
    article = add("long", f"# Long\n\n{long} harbour {long} and more.")
    text = pg_library.articles.text(article)
    start = text.index("word0")
    quote = pg_library.highlights.create(article, start, len(text)).highlight_id
    short = pg_library.highlights.create(article, start, start + 5).highlight_id
    pg_library.highlights.set_note(short, "Ships came to the harbour at night.")
    hits = {hit.highlight_id: hit.snippet for hit in pg_library.search.highlights("harbour")}
    # Around the match in a long quote, cut with ellipses at both ends ...
    assert hits[quote].startswith("…") and hits[quote].endswith("…")
    assert "harbour" in hits[quote] and len(hits[quote].split()) <= 16
    # ... and from the note, whole, when only the note matched.
    assert hits[short] == "Ships came to the harbour at night."


def test_full_text_statements_go_through_the_index_and_leave_no_setting(pg_library, add):
    from reader.search.postgres import index_first_rows

    for n in range(3):
        add(f"a{n}", f"# Article {n}\n\nHarbour number {n}.")
    storage = pg_library.storage
    explain = "EXPLAIN SELECT id FROM article WHERE search @@ ?::tsquery"
    plan = " ".join(row[0] for row in index_first_rows(storage, explain, ("'harbour'",)))
    assert "article_search" in plan  # a table this small would otherwise be scanned
    assert "article_search" not in " ".join(row[0] for row in storage.rows(explain, ("'harbour'",)))
    assert storage.rows("SHOW enable_seqscan") == [("on",)]  # only for that statement
    with storage.write():  # inside a transaction: run as it is, the setting untouched
        assert len(index_first_rows(storage, "SELECT id FROM article WHERE search @@"
                                             " ?::tsquery", ("'harbour'",))) == 3
        assert storage.rows("SHOW enable_seqscan") == [("on",)]
    assert len(pg_library.articles.ids(search="harbour")) == 3
    assert storage.rows("SHOW enable_seqscan") == [("on",)]
