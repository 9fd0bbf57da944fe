"""Tags: names, nesting, counts, filtering the list, rename, merge and delete."""

from __future__ import annotations

import pytest

from reader.storage.database import LibraryError
from reader.annotations.tags import is_under, normalise, parse_tag_list


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


def test_names_are_tidied():
    assert normalise("  #History / Rome  ") == "History/Rome"
    assert normalise("a  b//c/") == "a b/c"
    assert parse_tag_list("kursk, bridges,, Kursk , #war/front") == ["kursk", "bridges", "war/front"]


def test_is_under_ignores_case_and_needs_a_whole_segment():
    assert is_under("History/Rome", "history")
    assert is_under("history", "History")
    assert not is_under("historyx", "history")


@pytest.fixture
def three(library, write_file):
    ids = []
    for n in range(3):
        ids += library.import_files([write_file(f"{n}.md", f"# Article {n}\n\nSome text number {n} here.")]).added
    return ids


def test_unique_ignoring_case_but_kept_as_typed(library, three):
    library.articles.set_tags(three[0], ["Kursk"])
    library.articles.set_tags(three[1], ["kursk", "KURSK"])
    assert library.tags.names() == ["Kursk"]
    assert library.articles.get(three[1]).tags == ("Kursk",)


def test_filter_by_tag_includes_children_and_highlight_tags(library, three):
    a, b, c = three
    library.articles.set_tags(a, ["history"])
    library.articles.set_tags(b, ["history/rome"])
    hid = library.highlights.create(c, 0, 5).highlight_id
    library.highlights.set_tags(hid, ["History/Greece"])
    assert sorted(library.articles.ids(tag="history")) == sorted([a, b, c])
    assert library.articles.ids(tag="history/rome") == [b]
    assert library.articles.ids(tag="HISTORY/greece") == [c]
    assert library.articles.ids(tag="hist") == []


def test_counts_form_a_tree_with_distinct_articles(library, three):
    a, b, c = three
    library.articles.set_tags(a, ["war/front", "bridges"])
    library.articles.set_tags(b, ["war/front"])
    hid = library.highlights.create(a, 0, 5).highlight_id
    library.highlights.set_tags(hid, ["war/front"])
    assert [(t.name, t.count) for t in library.tags.counts()] == [
        ("bridges", 1), ("war", 2), ("war/front", 2)]


def test_rename_renames_children_and_merges_onto_existing(library, three):
    a, b, c = three
    library.articles.set_tags(a, ["war/front"])
    library.articles.set_tags(b, ["conflict", "war"])
    library.articles.set_tags(c, ["Conflict/front"])
    library.tags.rename("war", "Conflict")
    assert library.tags.names() == ["conflict", "Conflict/front"]
    assert library.articles.get(a).tags == ("Conflict/front",)
    assert library.articles.get(b).tags == ("conflict",)
    assert sorted(library.articles.ids(tag="conflict")) == sorted(three)


def test_rename_changing_only_case(library, three):
    library.articles.set_tags(three[0], ["ai"])
    library.tags.rename("ai", "AI")
    assert library.tags.names() == ["AI"]


def test_rename_errors(library, three):
    library.articles.set_tags(three[0], ["war"])
    with pytest.raises(LibraryError, match="no tag called"):
        library.tags.rename("peace", "x")
    with pytest.raises(LibraryError, match="cannot be empty"):
        library.tags.rename("war", " / ")
    with pytest.raises(LibraryError, match="inside itself"):
        library.tags.rename("war", "war/inner")


def test_delete_removes_the_tag_everywhere(library, three):
    library.articles.set_tags(three[0], ["gone", "kept"])
    hid = library.highlights.create(three[1], 0, 5).highlight_id
    library.highlights.set_tags(hid, ["gone"])
    library.tags.delete("GONE")
    assert library.tags.names() == ["kept"]
    assert library.highlights.get(hid).tags == ()
    with pytest.raises(LibraryError):
        library.tags.delete("gone")


def test_a_parent_known_only_through_its_children_can_be_renamed(library, three):
    library.articles.set_tags(three[0], ["history/rome"])
    library.articles.set_tags(three[1], ["history/greece"])
    assert library.tags.find("history") is None
    library.tags.rename("History", "past")
    assert library.tags.names() == ["past/greece", "past/rome"]
    assert library.tags.find("PAST/rome") == "past/rome"


def test_one_tags_count_agrees_with_all_the_counts(seeded_library):
    first, second = seeded_library.articles.ids()
    seeded_library.articles.set_tags(first, ["history/rome", "politics"])
    seeded_library.articles.set_tags(second, ["history"])
    highlight = seeded_library.highlights.create(second, 0, 5).highlight_id
    seeded_library.highlights.set_tags(highlight, ["history/greece", "politics"])
    counts = {c.name: c.count for c in seeded_library.tags.counts()}
    assert counts == {"history": 2, "history/greece": 1, "history/rome": 1, "politics": 2}
    assert {name: seeded_library.tags.count(name) for name in counts} == counts
    assert seeded_library.tags.count("nothing") == 0
