"""Snippets built from an article's text must find what the full-text index matched."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.paths import seeds_dir
from reader.search.fulltext import MIN_PREFIX
from reader.search.snippets import BEFORE, LENGTH, Term, find, fold, snippet, stem, terms


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


def _at(text: str, query: str) -> str | None:
    where = find(text, terms(query, MIN_PREFIX))
    return None if where is None else text[where[0]:where[1]]


def test_words_match_by_their_porter_stem():
    assert stem("carrying") == stem("carried") == "carri"
    assert _at("The rail line carried supplies.", "carrying") == "carried"
    assert _at("Relational databases", "relate") == "Relational"
    assert _at("possibly the sensibility of it", "sensibility") == "sensibility"


def test_the_word_being_typed_is_a_prefix():
    assert terms("brid", MIN_PREFIX) == [Term("brid", True)]
    assert _at("Two bridges were blown up.", "brid") == "bridges"
    assert _at("Two bridges were blown up.", "\"brid\"") is None  # quoted: a whole word
    assert terms("b", MIN_PREFIX) == [Term("b", False)]  # too short to be a prefix


def test_case_and_diacritics_are_ignored():
    assert _at("Au CAFÉ de Flore", "cafe") == "CAFÉ"
    assert _at("naïve readers", "NAIVE") == "naïve"


def test_positions_survive_characters_before_the_match():
    text = "😀 ﬁ Straße 東京 — the river"
    assert _at(text, "river") == "river"


def test_excluded_words_and_operators_are_not_looked_for():
    assert terms('bridges -kursk -"blown up" OR river', MIN_PREFIX) == [
        Term(stem("bridges"), False), Term("river", True)]
    assert _at("Kursk and its bridges", "-kursk bridges") == "bridges"


def test_a_phrase_is_found_by_its_words():
    assert _at("The rail line carried supplies.", '"rail line"') == "rail"


def test_the_snippet_is_one_line_around_the_match():
    text = ("word " * 100) + "the river\nran\n\nwide " + ("more " * 100)
    line = snippet(text, terms("river", MIN_PREFIX))
    assert line.startswith("…") and line.endswith("…")
    assert "the river ran wide" in line and "\n" not in line
    # A few words before the match, so that it shows in a narrow list column.
    assert 10 <= line.index("river") <= BEFORE + 2
    assert len(line) <= LENGTH + 2


def test_without_a_match_the_snippet_is_the_beginning():
    assert snippet("Short text.", terms("absent", MIN_PREFIX)) == "Short text."


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.text(max_size=20))
def test_any_text_and_query_give_a_line_of_the_text(text, query):
    line = snippet(text, terms(query, MIN_PREFIX))
    assert "\n" not in line
    core = line.removeprefix("…").removesuffix("…")
    assert core in " ".join(text.split())


def test_the_snippet_shows_the_word_the_index_matched(library, write_file):
    """Far into the text, the snippet shows the word each search matched, stemmed as
    the library's index stems: on PostgreSQL (the `english` configuration) "markedly"
    finds "marked" (both "mark") and "dying" finds "died" (both "die"), which FTS5's
    Porter stems apart ("markedli" and "mark", "dy" and "di") and does not match."""
    body = " ".join(["Filler words come first here."] * 20)
    (article_id,) = library.import_files([write_file("a.md", (
        f"# Knots\n\n{body} The rope was marked where the old man died.\n"))]).added
    shown = {}
    for query in ("rope", "markedly", "dying", "the rope"):
        for found in library.articles.ids(search=query):
            shown[query] = library.search.snippets(query, [found])[found]
    if library.on_postgres:
        assert list(shown) == ["rope", "markedly", "dying", "the rope"]
    else:
        assert list(shown) == ["rope", "the rope"]
    for query, line in shown.items():
        word = {"markedly": "marked", "dying": "died"}.get(query, "rope")
        assert line.startswith("…") and line.index(word) < 40, (query, line)


def test_a_given_stemmer_stems_the_terms_and_the_texts_words():
    stems = {"markedly": "mark", "marked": "mark", "it": None, "was": None}.get
    assert terms("it was markedly", MIN_PREFIX, stems) == [Term("mark", True)]
    text = "It was marked, it was."
    assert find(text, terms('"markedly"', MIN_PREFIX, stems), stems) == (7, 13)
    assert find(text, terms('"markedly"', MIN_PREFIX)) is None  # Porter's: "markedli"
    assert find(text, terms('"it was"', MIN_PREFIX, stems), stems) is None  # not indexed


def _index_stems(library, texts):
    """The stemmer of the library's index (None: Porter's, FTS5's; on PostgreSQL the
    server's, knowing every word of these texts and each one's first three letters)."""
    if not library.on_postgres:
        return None
    from reader.search.postgres import server_stems

    words = {fold(w) for t in texts for w in re.findall(r"[^\W_]+", t)}
    return server_stems(library.storage.rows)(words | {w[:3] for w in words})


def test_every_article_the_index_finds_has_its_match_found(library):
    """For every word of the seed articles, as a whole word and as a typed prefix: each
    article the library's index matches (FTS5's, or PostgreSQL's tsvector), the snippet
    finds a matching word in, stemming as that index does."""
    library.seed_if_new(seeds_dir())
    texts = {i: library.articles.text(i) for i in library.articles.ids()}
    titles = {i: (r.title + " " + r.author) for i, r in
              ((i, library.articles.get(i)) for i in texts)}
    stemmer = _index_stems(library, [*texts.values(), *titles.values()])
    words = sorted({w for t in texts.values() for w in re.findall(r"[^\W_]+", t)})
    assert len(words) > 300
    missed = []
    for word in words:
        for query in (word + " ", word[:3]):
            wanted = terms(query, MIN_PREFIX, stemmer)
            for article_id in library.articles.ids(search=query):
                if find(texts[article_id], wanted, stemmer) is None:
                    missed.append((query, article_id))
    # Matches in the title or author only (not in the text) are the index's, not ours.
    missed = [(q, i) for q, i in missed
              if not find(titles[i], terms(q, MIN_PREFIX, stemmer), stemmer)]
    assert missed == []
