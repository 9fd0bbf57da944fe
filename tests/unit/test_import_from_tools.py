"""Importing another tool's export: matching, anchoring, books, re-import, dry runs, fetching."""

from __future__ import annotations


import pytest

from tests.conftest import table_counts
from reader.other_tools.importer import ExportImporter, author_words, short_title, title_key
from reader.other_tools.model import Export, Highlight, Item


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


SEED_ONE = "Ukrainian military launches incursion of Russia"
SEED_TWO = "Ukraine continues offensive inside Russia"


def run(library, *items, dry_run=False, problems=(), fmt="readwise", **options):
    export = Export(format=fmt, source="Readwise", items=list(items), problems=list(problems))
    return ExportImporter(library, export, "export.csv", dry_run=dry_run, **options).run()


def highlights_of(library, article_id):
    return library.highlights.for_article(article_id)


TABLES = ("article", "highlight", "imported", "tag", "article_tag")


def seed_id(library, title):
    return next(s.id for s in library.articles.summaries(library.articles.ids())
                if s.title == title)


def test_highlights_of_a_known_article_land_on_their_passages(seeded_library):
    library = seeded_library
    item = Item(key="b1", title=SEED_ONE.upper(), author="Weiss, Clara", highlights=(
        Highlight("h1", "the largest incursion of Russian territory to date", note="big",
                  colour="blue", tags=("war",), created_at="2023-08-07T09:30:15+00:00",
                  location="Location 12"),
        # straight quotes where the article has curly ones, and a line break
        Highlight("h2", 'described the attack as a "major\nprovocation"'),
        # a word changed: found approximately
        Highlight("h3", "a unit of the Ukrainian army with 1,000 men and 50 armored vehicles"),
        Highlight("h4", "This sentence was never in the article at all, anywhere."),
    ))
    report = run(library, item)
    article = seed_id(library, SEED_ONE)
    assert report.articles_found == 1 and report.articles_added == 0
    assert (report.highlights_added, report.exact, report.approximate) == (4, 1, 2)
    assert [u.quote for u in report.unanchored] == [item.highlights[3].text]
    text = library.articles.text(article)
    found = {h.exact: h for h in highlights_of(library, article)}
    first = found["the largest incursion of Russian territory to date"]
    assert text[first.start:first.end] == first.exact
    assert (first.note, first.colour, first.tags) == ("big", "blue", ("war",))
    assert first.created_at == "2023-08-07T09:30:15+00:00"
    assert "described the attack as a “major provocation”" in found
    assert any(e.startswith("a unit of the Ukrainian armed forces with 1,000 men") for e in found)
    orphan = [h for h in highlights_of(library, article) if h.orphaned]
    assert [h.exact for h in orphan] == [item.highlights[3].text]
    assert report.unanchored[0].highlight_id == orphan[0].id
    assert "Unanchored highlights" in report.summary() and "never in the article" in report.summary()


def test_importing_the_same_export_again_adds_nothing(seeded_library):
    item = Item(key="b1", title=SEED_TWO, author="Clara Weiss", highlights=(
        Highlight("h1", "Kiev claims to have captured 1,000 square kilometers"),
        Highlight("h2", "This one cannot be found in the text anywhere at all."),
    ))
    run(seeded_library, item)
    before = table_counts(seeded_library, TABLES)
    again = run(seeded_library, item)
    assert table_counts(seeded_library, TABLES) == before
    assert (again.highlights_added, again.highlights_known, again.articles_known) == (0, 2, 1)
    assert again.unanchored == []


def test_a_note_filled_in_later_is_added_but_a_note_written_here_is_kept(seeded_library):
    library = seeded_library
    quote = "Kiev claims to have captured 1,000 square kilometers"
    run(library, Item(key="b1", title=SEED_TWO, highlights=(Highlight("h1", quote),)))
    run(library, Item(key="b1", title=SEED_TWO,
                      highlights=(Highlight("h1", quote, note="from the tool", tags=("x",)),)))
    (mark,) = highlights_of(library, seed_id(library, SEED_TWO))
    assert (mark.note, mark.tags) == ("from the tool", ("x",))
    library.highlights.set_note(mark.id, "mine")
    run(library, Item(key="b1", title=SEED_TWO,
                      highlights=(Highlight("h1", quote, note="changed there"),)))
    assert library.highlights.get(mark.id).note == "mine"


def test_a_highlight_deleted_here_is_not_brought_back(seeded_library):
    library = seeded_library
    item = Item(key="b1", title=SEED_TWO, highlights=(
        Highlight("h1", "Kiev claims to have captured 1,000 square kilometers"),))
    run(library, item)
    (mark,) = highlights_of(library, seed_id(library, SEED_TWO))
    library.highlights.delete(mark.id)
    report = run(library, item)
    assert report.left_out == 1 and report.highlights_added == 0
    assert highlights_of(library, seed_id(library, SEED_TWO)) == []


def test_an_existing_highlight_on_the_same_passage_is_not_doubled(seeded_library):
    library = seeded_library
    article = seed_id(library, SEED_TWO)
    text = library.articles.text(article)
    quote = "Kiev claims to have captured 1,000 square kilometers"
    start = text.index(quote)
    library.highlights.create(article, start, start + len(quote))
    report = run(library, Item(key="b1", title=SEED_TWO, highlights=(Highlight("h1", quote),)))
    assert report.highlights_added == 0 and report.highlights_known == 1
    assert len(highlights_of(library, article)) == 1


def test_a_book_becomes_an_article_of_its_highlights_in_location_order(library):
    item = Item(key="dune", title="Dune", author="Frank Herbert", book=True, tags=("sf",),
                highlights=(
                    Highlight("b", "Fear is the mind-killer.", location="Location 90", order=90,
                              colour="pink"),
                    Highlight("a", "I must not fear.\nFear is the little-death.",
                              location="Location 10-12", order=10, note="litany"),
                    Highlight("n", "", note="A note on nothing", kind="note",
                              location="Location 50"),
                ))
    report = run(library, item, fmt="kindle")
    assert (report.articles_added, report.highlights_added, report.exact) == (1, 2, 2)
    (article,) = library.articles.ids()
    record = library.articles.get(article)
    assert (record.title, record.author, record.tags) == ("Dune", "Frank Herbert", ("sf",))
    text = library.articles.text(article)
    assert text.index("Location 10-12") < text.index("I must not fear. Fear is the little-death.")
    assert text.index("little-death") < text.index("Location 90") < text.index("mind-killer")
    marks = highlights_of(library, article)
    assert [(h.exact, h.colour, h.note) for h in marks] == [
        ("I must not fear. Fear is the little-death.", "yellow", "litany"),
        ("Fear is the mind-killer.", "pink", "")]
    assert "Readwise note (Location 50): A note on nothing" in record.note


def test_new_highlights_of_a_book_extend_its_article(library):
    first = Highlight("a", "I must not fear.", location="Location 10", order=10)
    last = Highlight("c", "Fear is the mind-killer.", location="Location 90", order=90)
    run(library, Item(key="dune", title="Dune", book=True, highlights=(first, last)), fmt="kindle")
    (article,) = library.articles.ids()
    library.highlights.set_note(highlights_of(library, article)[0].id, "my note")
    middle = Highlight("b", "The spice must flow.", location="Location 50", order=50)
    report = run(library, Item(key="dune", title="Dune", book=True,
                               highlights=(first, middle, last)), fmt="kindle")
    assert (report.articles_added, report.highlights_added, report.highlights_known) == (0, 1, 2)
    assert library.articles.ids() == [article]
    text = library.articles.text(article)
    assert text.index("I must not fear.") < text.index("spice") < text.index("mind-killer")
    marks = highlights_of(library, article)
    assert [h.exact for h in marks] == ["I must not fear.", "The spice must flow.",
                                        "Fear is the mind-killer."]
    assert all(text[h.start:h.end] == h.exact and not h.orphaned for h in marks)
    assert marks[0].note == "my note"


def test_content_in_the_export_becomes_the_article(library):
    item = Item(key="o1", title="A saved post", author="Ann Lee", url="https://example.com/post",
                content="<h1>A saved post</h1><p>First words of it.</p><p>And the end.</p>",
                content_format="html", tags=("web",), archived=True, read=True,
                saved_at="2022-01-02T03:04:05+00:00",
                highlights=(Highlight("x", "First words"),))
    report = run(library, item, fmt="omnivore")
    assert (report.articles_added, report.exact) == (1, 1)
    (article,) = library.articles.ids(archived=True)
    record = library.articles.get(article)
    assert (record.url, record.archived, record.read, record.tags) == (
        "https://example.com/post", True, True, ("web",))
    assert record.added_at == "2022-01-02T03:04:05+00:00"
    assert "And the end." in library.articles.text(article)


def test_an_item_is_found_by_its_address(library):
    run(library, Item(key="o1", title="Post", url="https://example.com/post",
                      content="# Post\n\nSome words here.", content_format="markdown"),
        fmt="omnivore")
    report = run(library, Item(key="other", title="Another title altogether",
                               url="HTTPS://Example.com/post?utm_source=x",
                               highlights=(Highlight("h", "Some words"),)), fmt="hypothesis")
    assert report.articles_found == 1 and report.exact == 1
    assert len(library.articles.ids()) == 1


def test_a_dry_run_writes_nothing_and_says_what_would_happen(seeded_library):
    before = table_counts(seeded_library, TABLES)
    report = run(seeded_library,
                 Item(key="b1", title=SEED_TWO, highlights=(
                     Highlight("h1", "Kiev claims to have captured 1,000 square kilometers"),
                     Highlight("h2", "Nothing like this is in the article text at all."))),
                 Item(key="book", title="Dune", book=True,
                      highlights=(Highlight("d", "Fear is the mind-killer."),)),
                 Item(key="link", title="A page", url="https://example.com/a"),
                 dry_run=True)
    assert table_counts(seeded_library, TABLES) == before
    assert (report.articles_added, report.articles_found, report.pages_to_fetch) == (1, 1, 1)
    assert (report.highlights_added, report.exact, len(report.unanchored)) == (3, 2, 1)
    text = report.summary()
    assert "dry run, nothing was written" in text and "would be added" in text
    assert "1 to fetch from the web" in text


def test_problems_of_the_export_and_of_items_are_reported_and_the_rest_imports(library):
    from reader.other_tools.model import Problem

    report = run(library,
                 Item(key="empty", title="Nothing in it"),
                 Item(key="book", title="Dune", book=True,
                      highlights=(Highlight("d", "Fear is the mind-killer."),)),
                 problems=[Problem("row 4", "has no highlight text")])
    assert report.problems[0] == "export.csv: row 4: has no highlight text"
    assert "“Nothing in it”" in report.problems[1] and "neither text" in report.problems[1]
    assert report.articles_added == 1


def test_a_read_only_library_is_refused_before_anything(seeded_library, monkeypatch):
    from reader.storage.database import LibraryError

    monkeypatch.setattr(type(seeded_library), "read_only", property(lambda self: "test"))
    with pytest.raises(LibraryError, match="read-only"):
        run(seeded_library, Item(key="b", title="Dune", book=True,
                                 highlights=(Highlight("d", "Fear."),)))


def test_titles_and_authors_match_loosely():
    assert title_key("Dune: Deluxe Edition!") == "dune deluxe edition"
    assert short_title("Dune: Deluxe Edition (Dune Chronicles, Book 1)") == "dune"
    assert title_key("Café Society") == title_key("CAFE SOCIETY")
    assert author_words("Weiss, Clara") == author_words("Clara Weiss")


# --- link lists: pages fetched from a server on 127.0.0.1 ------------------------------
PARAGRAPHS = [
    "Rivers carry water from the hills down to the sea, and towns grow along them.",
    "The water brings trade, food and power for the mills that line the banks.",
    "In spring the floods spread silt over the fields and the harvest is richer for it.",
]


def serve_pages(httpserver, count):
    urls = []
    for n in range(count):
        body = "".join(f"<p>{p} Page {n}.</p>" for p in PARAGRAPHS)
        httpserver.expect_request(f"/p{n}").respond_with_data(
            f"<html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
            f"{body}</article></body></html>", content_type="text/html; charset=utf-8")
        urls.append(httpserver.url_for(f"/p{n}"))
    return urls


def link_items(urls, **extra):
    return [Item(key=url, title=f"Page {n}", url=url, tags=("later",), archived=n % 2 == 1,
                 saved_at="2020-05-06T07:08:09+00:00", **extra) for n, url in enumerate(urls)]


def test_a_link_list_is_fetched_with_its_tags_and_state(library, httpserver):
    urls = serve_pages(httpserver, 3)
    items = link_items(urls)
    items[0] = Item(key=urls[0], title="Page 0", url=urls[0], highlights=(
        Highlight("s", "towns grow along them"),))
    report = run(library, *items, fmt="pocket")
    assert (report.pages_fetched, report.articles_added, report.exact) == (3, 3, 1)
    assert len(library.articles.ids()) == 2 and len(library.articles.ids(archived=True)) == 1
    archived = library.articles.get(library.articles.ids(archived=True)[0])
    assert archived.tags == ("later",) and archived.added_at == "2020-05-06T07:08:09+00:00"
    again = run(library, *items, fmt="pocket")
    assert (again.pages_fetched, again.articles_known, again.highlights_known) == (0, 3, 1)


def test_a_stopped_link_list_import_resumes_where_it_stopped(library, httpserver):
    urls = serve_pages(httpserver, 6)
    fetched = []

    def cancelled():
        return len(fetched) >= 2

    report = run(library, *link_items(urls), fmt="pocket", cancelled=cancelled,
                 progress=lambda done, total: fetched.append(done))
    assert report.cancelled and "import the file again" in report.summary()
    first = len(library.articles.ids()) + len(library.articles.ids(archived=True))
    assert 1 <= first < 6
    rest = run(library, *link_items(urls), fmt="pocket")
    assert rest.articles_known == first and rest.pages_fetched == 6 - first
    assert len(library.articles.ids()) + len(library.articles.ids(archived=True)) == 6


def test_a_page_that_cannot_be_fetched_is_reported_and_tried_again_next_time(library, httpserver):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    url = httpserver.url_for("/gone")
    report = run(library, Item(key=url, title="Gone", url=url), fmt="pocket")
    assert report.articles_added == 0 and "404" in report.problems[0]
    assert "import the file again" in report.problems[0]
    with_marks = run(library, Item(key=url, title="Gone", url=url, highlights=(
        Highlight("q", "A passage quoted from the page that went."),)), fmt="hypothesis")
    assert with_marks.articles_added == 1 and with_marks.exact == 1
    assert "its highlights make its article instead" in with_marks.problems[0]


def test_without_fetching_a_link_is_a_problem_and_nothing_is_added(library):
    report = run(library, Item(key="u", title="Page", url="https://example.com/a"),
                 fmt="pocket", fetch=False)
    assert report.articles_added == 0 and "not fetched" in report.problems[0]
