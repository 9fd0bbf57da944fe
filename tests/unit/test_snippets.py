"""Snippets built from an article's text must find what the full-text index matched."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.paths import seeds_dir
from reader.search.fulltext import MIN_PREFIX
from reader.search.snippets import BEFORE, LENGTH, Term, find, snippet, stem, terms


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


def test_every_article_the_index_finds_has_its_match_found(library):
    """For every word of the seed articles, as a whole word and as a typed prefix: each
    article FTS5 matches, the snippet finds a matching word in."""
    library.seed_if_new(seeds_dir())
    texts = {i: library.articles.text(i) for i in library.articles.ids()}
    words = sorted({w for t in texts.values() for w in re.findall(r"[^\W_]+", t)})
    assert len(words) > 300
    missed = []
    for word in words:
        for query in (word + " ", word[:3]):
            wanted = terms(query, MIN_PREFIX)
            for article_id in library.articles.ids(search=query):
                if find(texts[article_id], wanted) is None:
                    missed.append((query, article_id))
    # Matches in the title or author only (not in the text) are the index's, not ours.
    titles = {i: (r.title + " " + r.author) for i, r in
              ((i, library.articles.get(i)) for i in texts)}
    missed = [(q, i) for q, i in missed if not find(titles[i], terms(q, MIN_PREFIX))]
    assert missed == []
