"""Highlights in the core: create across paragraphs, overlap, recolour, notes, tags, delete,
re-anchoring when the text changes, orphans and re-attaching."""

from __future__ import annotations

import pytest

from reader.storage.database import LibraryError
from reader.library import Library
from reader.importing.sources import parse_article


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

SOURCE = (
    "# Rivers\n\nBy Ana Lopez\n\n"
    "The river rose in the night. Nobody in the town had expected it.\n\n"
    "By morning the bridge was gone. The mayor called for help.\n\n"
    "Help came late. The river rose again in the spring.\n"
)


@pytest.fixture
def article(library, write_file):
    (article_id,) = library.import_files([write_file("rivers.md", SOURCE)]).added
    return article_id


def _span(library, article_id, needle, occurrence=0):
    text = library.articles.text(article_id)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def test_create_inside_and_across_paragraphs(library, article):
    text = library.articles.text(article)
    start, _ = _span(library, article, "Nobody in the town")
    _, end = _span(library, article, "the bridge was gone")
    changes = library.highlights.create(article, start, end, "green")
    record = library.highlights.get(changes.highlight_id)
    assert record.exact == text[start:end]
    assert "\n" in record.exact  # crosses a paragraph boundary
    assert record.colour == "green" and record.article_id == article
    assert record.prefix == text[max(0, start - 32):start]
    assert record.suffix == text[end:end + 32]
    assert changes.highlights == {article}


def test_overlapping_highlights_are_both_kept_in_reading_order(library, article):
    a = library.highlights.create(article, *_span(library, article, "The mayor called for help.")).highlight_id
    b = library.highlights.create(article, *_span(library, article, "bridge was gone. The mayor")).highlight_id
    c = library.highlights.create(article, *_span(library, article, "The river rose in the night")).highlight_id
    assert [h.id for h in library.highlights.for_article(article)] == [c, b, a]


def test_bad_spans_and_colours_are_refused(library, article):
    text = library.articles.text(article)
    with pytest.raises(LibraryError, match="outside the article"):
        library.highlights.create(article, 5, len(text) + 1)
    with pytest.raises(LibraryError, match="outside the article"):
        library.highlights.create(article, 5, 5)
    blank = text.index("\n")
    with pytest.raises(LibraryError, match="blank space"):
        library.highlights.create(article, blank, blank + 1)
    with pytest.raises(ValueError, match="unknown colour"):
        library.highlights.create(article, 0, 3, "orange")
    assert library.highlights.count() == 0


def test_white_space_at_the_edges_is_left_out(library, article):
    text = library.articles.text(article)
    start, end = _span(library, article, "Help came late.")
    record = library.highlights.get(library.highlights.create(article, start - 1, end + 1).highlight_id)
    assert text[start - 1].isspace() and text[end].isspace()
    assert (record.start, record.end, record.exact) == (start, end, "Help came late.")


def test_recolour_note_tags_delete(library, article):
    hid = library.highlights.create(article, *_span(library, article, "Help came late.")).highlight_id
    library.highlights.recolour(hid, "blue")
    library.highlights.set_note(hid, "Why *late*?\n\nSee the report.\n\n")
    library.highlights.set_tags(hid, ["floods", "Kursk/bridges", "FLOODS"])
    record = library.highlights.get(hid)
    assert record.colour == "blue"
    assert record.note == "Why *late*?\n\nSee the report."
    assert record.tags == ("floods", "Kursk/bridges")
    library.highlights.delete(hid)
    assert library.highlights.count() == 0
    assert library.tags.names() == []  # unused tags do not linger


def test_annotations_survive_reopening_the_library(any_library_location, write_file):
    with Library.open(any_library_location) as library:
        (article_id,) = library.import_files([write_file("r.md", SOURCE)]).added
        hid = library.highlights.create(article_id, 10, 20, "pink").highlight_id
        library.highlights.set_note(hid, "kept")
        library.highlights.set_tags(hid, ["a"])
        library.articles.set_note(article_id, "article note")
        library.articles.set_tags(article_id, ["b"])
    with Library.open(any_library_location) as library:
        record = library.highlights.get(hid)
        assert (record.colour, record.note, record.tags) == ("pink", "kept", ("a",))
        article = library.articles.get(article_id)
        assert (article.note, article.tags) == ("article note", ("b",))


def test_deleting_an_article_removes_its_annotations(library, article):
    hid = library.highlights.create(article, 10, 20).highlight_id
    library.highlights.set_tags(hid, ["x"])
    library.articles.delete(article)
    m = library.storage.models
    assert m.Highlight.select().count() == 0 and m.HighlightTag.select().count() == 0
    assert library.tags.names() == []


# --- re-anchoring when the text changes ------------------------------------------------

def _replace(library, article_id, source):
    return library.articles.replace_source(article_id, parse_article(source, "markdown", "r.md"))


def _exact(library, hid):
    record = library.highlights.get(hid)
    text = library.articles.text(record.article_id)
    return record, text[record.start:record.end]


def test_edit_before_the_quote_moves_the_highlight(library, article):
    hid = library.highlights.create(article, *_span(library, article, "The mayor called for help.")).highlight_id
    old = library.highlights.get(hid)
    orphans = _replace(library, article, SOURCE.replace("The river rose in the night.",
                                                        "In the dark, the river rose very fast."))
    record, shown = _exact(library, hid)
    assert orphans == [] and not record.orphaned
    assert shown == "The mayor called for help."
    assert record.start == old.start + len("In the dark, the river rose very fast.") - len(
        "The river rose in the night.")


def test_edit_after_the_quote_keeps_its_place(library, article):
    span = _span(library, article, "Nobody in the town")
    hid = library.highlights.create(article, *span).highlight_id
    _replace(library, article, SOURCE.replace("again in the spring", "once more in April"))
    record, shown = _exact(library, hid)
    assert (record.start, record.end) == span and shown == "Nobody in the town"


def test_edit_inside_the_quote_is_found_approximately(library, article):
    hid = library.highlights.create(
        article, *_span(library, article, "By morning the bridge was gone. The mayor called for help.")).highlight_id
    _replace(library, article, SOURCE.replace("the bridge was gone", "the old bridge was gone"))
    record, shown = _exact(library, hid)
    assert not record.orphaned
    assert shown == "By morning the old bridge was gone. The mayor called for help."


def test_a_quote_that_occurs_twice_is_placed_by_its_context(library, article):
    second = _span(library, article, "The river rose", occurrence=1)
    hid = library.highlights.create(article, *second).highlight_id
    # Text inserted at the start shifts both occurrences; the context picks the second.
    _replace(library, article, SOURCE.replace("The river rose in the night.",
                                              "Rain fell. The river rose in the night."))
    record, shown = _exact(library, hid)
    text = library.articles.text(article)
    assert shown == "The river rose"
    assert record.start == text.index("The river rose", text.index("Help came late."))


def test_a_deleted_passage_orphans_the_highlight_and_keeps_it(library, article):
    hid = library.highlights.create(article, *_span(library, article, "Help came late.")).highlight_id
    library.highlights.set_note(hid, "my note")
    orphans = _replace(library, article, SOURCE.replace("Help came late. ", ""))
    assert orphans == [hid]
    record = library.highlights.get(hid)
    assert record.orphaned and record.exact == "Help came late." and record.note == "my note"
    listed = library.highlights.for_article(article)
    assert listed[-1].id == hid  # orphans are listed last
    # Re-attach it to a new selection.
    new_span = _span(library, article, "The river rose again")
    library.highlights.reattach(hid, *new_span)
    record, shown = _exact(library, hid)
    assert not record.orphaned and shown == "The river rose again"
    assert record.exact == "The river rose again" and record.note == "my note"


def test_a_renderer_change_reanchors_on_open(library, article):
    hid = library.highlights.create(article, *_span(library, article, "The mayor called for help.")).highlight_id
    # Simulate text stored by an older renderer: one extra character at the start.
    stale = "X" + library.articles.text(article)
    m = library.storage.models
    m.Article.update(text=stale).where(m.Article.id == article).execute()
    m.Highlight.update(start=m.Highlight.start + 1, end=m.Highlight.end + 1).execute()
    document = library.articles.document(article)
    assert library.articles.text(article) == document.text
    record, shown = _exact(library, hid)
    assert shown == "The mayor called for help."


def test_listing_by_article_gives_the_same_records_as_one_by_one(library, article):
    """for_articles reads plain rows; each record must equal get() of the same highlight,
    tags (sorted) and orphaned state included, orphans last."""
    late = library.highlights.create(article, *_span(library, article, "Help came late.")).highlight_id
    bridge = library.highlights.create(article, *_span(library, article, "the bridge")).highlight_id
    first = library.highlights.create(article, *_span(library, article, "The river rose")).highlight_id
    library.highlights.set_tags(bridge, ["zeta", "alpha/beta"])
    library.highlights.set_note(first, "a note")
    library.highlights.recolour(first, "blue")
    assert _replace(library, article, SOURCE.replace("Help came late. ", "")) == [late]
    listed = library.highlights.for_articles([article, 10**9])
    assert list(listed) == [article]
    records = listed[article]
    assert [r.id for r in records] == [first, bridge, late]  # reading order, the orphan last
    assert records == [library.highlights.get(r.id) for r in records]
    assert records == library.highlights.for_article(article)
    assert records[1].tags == ("alpha/beta", "zeta")
    assert (records[0].note, records[0].colour, records[2].orphaned) == ("a note", "blue", True)


def test_listed_records_are_whole_frozen_records(library, article):
    """for_articles and records() fill their records without the dataclass's __init__:
    each must still be frozen, hash and compare like get()'s, and copy with replace()."""
    import dataclasses

    hid = library.highlights.create(article, *_span(library, article, "the bridge")).highlight_id
    library.highlights.set_tags(hid, ["b", "a"])
    got = library.highlights.get(hid)
    for record in (library.highlights.for_article(article)[0],
                   library.highlights.records([hid])[0]):
        assert type(record) is type(got)
        assert vars(record) == vars(got) and list(vars(record)) == list(vars(got))
        assert hash(record) == hash(got) and repr(record) == repr(got)
        assert record.orphaned is False and record.tags == ("a", "b")
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.colour = "blue"
        assert dataclasses.replace(record, colour="blue").colour == "blue"
