"""The Library facade: importing, seeding, listing and reading articles."""

from __future__ import annotations

import pytest

from reader.library import Library
from reader.paths import seeds_dir
from reader.records import ArticleSummary
from tests.conftest import SEED_TITLES


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


def test_seeding_a_new_library_imports_the_samples_once(library):
    report = library.seed_if_new(seeds_dir())
    assert len(report.added) == 2 and not report.problems
    summaries = library.articles.summaries(library.articles.ids())
    assert {s.title: (s.author, s.published) for s in summaries} == SEED_TITLES
    assert all(not s.read for s in summaries)
    # Seeding happens on the first run only, even if the user empties the library later.
    assert library.seed_if_new(seeds_dir()) is None
    library.storage.models.Article.delete().execute()
    assert library.seed_if_new(seeds_dir()) is None
    assert library.articles.count() == 0


def test_of_two_readers_opening_a_new_library_at_once_one_seeds_it(library, monkeypatch):
    # The second opens the library while the first is still importing the samples: it
    # finds the library claimed, not empty-and-unseeded, and imports nothing itself.
    where = library.path if library.path is not None else library.storage.url
    with Library.open(where) as colleague:
        seen = []
        importing = library.import_files

        def import_files(paths, progress=None):
            seen.append(colleague.seed_if_new(seeds_dir()))
            return importing(paths, progress)

        monkeypatch.setattr(library, "import_files", import_files)
        report = library.seed_if_new(seeds_dir())
        assert seen == [None] and len(report.added) == 2
        assert colleague.articles.count() == 2


def test_a_library_with_articles_is_never_seeded(library, write_file):
    library.import_files([write_file("own.md", "# Own\n\nMine.")])
    assert library.seed_if_new(seeds_dir()) is None
    assert [s.title for s in library.articles.summaries(library.articles.ids())] == ["Own"]


def test_a_bad_file_does_not_stop_the_batch_and_leaves_nothing_behind(library, write_file):
    good = write_file("good.md", "# Good\n\nFine text.")
    empty = write_file("empty.md", "")
    binary = write_file("binary.md", b"\x00\x01\x02")
    also_good = write_file("also.txt", "Also good\n\nMore text.")
    report = library.import_files([good, empty, binary, also_good])
    assert len(report.added) == 2
    assert [(p.path, p.reason) for p in report.problems] == [
        (str(empty), "is empty"), (str(binary), "is a binary file, not text"),
    ]
    assert str(report.problems[0]) == f"{empty}: is empty"
    assert sorted(s.title for s in library.articles.summaries(library.articles.ids())) == [
        "Also good", "Good"]


def test_importing_the_same_file_twice_keeps_one_copy(library, write_file):
    path = write_file("a.md", "# A\n\nText.")
    first = library.import_files([path])
    second = library.import_files([path])
    assert second.added == () and second.unchanged == first.added
    assert library.articles.count() == 1


def test_folders_are_searched_for_articles(library, write_file, tmp_path):
    write_file("one.md", "# One\n\nText.")
    write_file("deeper/two.txt", "Two\n\nText.")
    write_file("deeper/skip.png", b"\x89PNG")
    report = library.import_files([tmp_path / "files"])
    assert len(report.added) == 2 and not report.problems


def test_list_orders(library, write_file):
    a = library.import_files([write_file("a.md", "# Beta\n\nMay 1, 2020\n\nText.")]).added[0]
    b = library.import_files([write_file("b.md", "# alpha\n\nMay 1, 2022\n\nText.")]).added[0]
    c = library.import_files([write_file("c.md", "# Gamma\n\nText.")]).added[0]
    assert library.articles.ids("added") == [c, b, a]
    assert library.articles.ids("published") == [b, a, c]
    assert library.articles.ids("title") == [b, a, c]


def test_summaries_follow_the_order_asked_for(seeded_library):
    ids = seeded_library.articles.ids()
    summaries = seeded_library.articles.summaries(list(reversed(ids)) + [99999])
    assert [s.id for s in summaries] == list(reversed(ids))
    assert all(isinstance(s, ArticleSummary) for s in summaries)


def test_document_text_is_the_stored_canonical_text(seeded_library):
    for article_id in seeded_library.articles.ids():
        document = seeded_library.articles.document(article_id)
        assert document.text == seeded_library.articles.text(article_id)
        assert document.blocks[0].text == seeded_library.articles.get(article_id).title


def test_read_state_is_saved(any_library_location, write_file):
    with Library.open(any_library_location) as library:
        (article_id,) = library.import_files([write_file("a.md", "# A\n\nText.")]).added
        changes = library.articles.set_read(article_id, True)
        assert changes.articles == {article_id}
    with Library.open(any_library_location) as library:
        assert library.articles.get(article_id).read is True


def test_archived_articles_leave_the_reading_list(library, write_file):
    a = library.import_files([write_file("a.md", "# Alpha\n\nText about rivers.")]).added[0]
    b = library.import_files([write_file("b.md", "# Beta\n\nText about rivers.")]).added[0]
    changes = library.articles.set_archived(a, True)
    assert changes.article_list
    assert library.articles.ids() == [b]
    assert library.articles.ids(archived=True) == [a]
    assert library.articles.ids(search="rivers") == [b]
    assert library.articles.ids(search="rivers", archived=True) == [a]
    library.articles.set_archived(a, False)
    assert sorted(library.articles.ids()) == sorted([a, b])


def test_reading_position_and_progress_are_saved_and_the_end_marks_read(any_library_location,
                                                                        write_file):
    with Library.open(any_library_location) as library:
        (article_id,) = library.import_files([write_file("a.md", "# A\n\nText.")]).added
        assert library.articles.set_position(article_id, 5, 40).articles == {article_id}
        assert library.articles.set_position(article_id, 5, 40).articles == frozenset()
        assert library.articles.get(article_id).read is False
    with Library.open(any_library_location) as library:
        record = library.articles.get(article_id)
        assert (record.reading_position, record.progress) == (5, 40)
        library.articles.set_position(article_id, 9, 100)
        assert library.articles.get(article_id).read is True
        assert library.articles.summaries([article_id])[0].progress == 100


def test_front_matter_gives_metadata_and_tags(library, write_file):
    path = write_file("fm.md", "---\ntitle: 'Rivers: a study'\nauthor: [Ana Lopez, Bo Li]\n"
                               "date: 2021-03-04\nurl: https://example.org/rivers\nsite: River Times\n"
                               "tags: [water, geo/rivers]\n---\n\n# Ignored heading title\n\nBody text.\n")
    (article_id,) = library.import_files([path]).added
    record = library.articles.get(article_id)
    assert (record.title, record.author, record.published, record.url, record.publication) == (
        "Rivers: a study", "Ana Lopez, Bo Li", "2021-03-04", "https://example.org/rivers", "River Times")
    assert record.tags == ("geo/rivers", "water")
    text = library.articles.text(article_id)
    assert text.startswith("Rivers: a study\nAna Lopez, Bo Li · River Times · 4 March 2021\n")
    assert "title:" not in text


def test_bad_front_matter_is_reported(library, write_file):
    report = library.import_files([write_file("bad.md", "---\ntitle: [unclosed\n---\n\nBody.\n")])
    assert report.added == ()
    assert "front matter that is not valid YAML (line" in report.problems[0].reason


def test_a_newer_version_with_the_same_url_updates_in_place(library, write_file):
    first = write_file("v1.md", "---\nurl: https://example.org/a\n---\n# A\n\nThe river rose. Help came late.\n")
    (article_id,) = library.import_files([first]).added
    text = library.articles.text(article_id)
    start = text.index("Help came late.")
    hid = library.highlights.create(article_id, start, start + len("Help came late.")).highlight_id
    second = write_file("v2.md", "---\nurl: https://example.org/a\n---\n# A\n\n"
                                 "Overnight, the river rose. Help came late.\n")
    report = library.import_files([second])
    assert report.updated == (article_id,) and report.added == () and report.orphaned == ()
    assert library.articles.count() == 1
    record = library.highlights.get(hid)
    new_text = library.articles.text(article_id)
    assert new_text[record.start:record.end] == "Help came late."
    assert report.summary() == "0 imported, 1 updated."


def test_bulk_loading_articles_and_highlights(library):
    from reader.importing.sources import parse_article

    parsed = [parse_article(f"# Bulk {n}\n\nSome words number {n} here.", "markdown", f"{n}.md")
              for n in range(30)]
    ids = library.articles.add_many(parsed, batch=7)
    assert len(ids) == 30 and library.articles.count() == 30
    assert library.articles.ids(search="bulk") and library.articles.get(ids[3]).title == "Bulk 3"
    created = library.highlights.create_many(
        [(ids[n], 0, 4, "green", f"note {n}", ["bulk/tag"]) for n in range(30)], batch=8)
    assert created == 30
    assert library.highlights.for_article(ids[5])[0].note == "note 5"
    assert len(library.articles.ids(tag="bulk")) == 30
    assert library.undo() is None  # bulk loads are not undo steps


@pytest.mark.sqlite_only("SQLite's covering index (EXPLAIN QUERY PLAN)")
def test_list_rows_are_read_from_the_covering_index_alone(seeded_library, monkeypatch):
    """A page of list rows must not touch the table, whose rows carry the bodies (at
    100,000 articles, 30 ms a page instead of 4)."""
    database = seeded_library.storage.database
    ids = seeded_library.articles.ids()
    statements = []
    original = database.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", spy)
    rows = seeded_library.articles.summaries(list(reversed(ids)) + [10**9])
    monkeypatch.undo()
    assert [row.id for row in rows] == list(reversed(ids))  # in the order asked, missing skipped
    record = seeded_library.articles.get(ids[0])
    assert (rows[-1].title, rows[-1].author, rows[-1].published) == (
        record.title, record.author, record.published)
    [(sql, params)] = statements
    plan = " ".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "COVERING INDEX article_list_row" in plan, plan


def test_exists(seeded_library):
    first, _second = seeded_library.articles.ids()
    assert seeded_library.articles.exists(first)
    assert not seeded_library.articles.exists(10**9)


def test_an_import_stores_its_files_a_batch_per_transaction(library, write_file, monkeypatch):
    import reader.library as library_module

    monkeypatch.setattr(library_module, "IMPORT_BATCH", 3)
    paths = [write_file(f"{n}.md", f"# Article {n}\n\nIts own text, number {n}.")
             for n in range(7)]
    paths.insert(2, write_file("again.md", "# Article 0\n\nIts own text, number 0."))
    commits = []
    database = library.storage.database
    original = database.commit
    monkeypatch.setattr(database, "commit", lambda: (commits.append(1), original())[1])
    report = library.import_files(paths)
    # 8 files, 3 a transaction: 3 commits; the copy of the first file, in the same batch,
    # is recognised as the article it repeats.
    assert len(commits) == 3
    assert len(report.added) == 7 and report.unchanged == (report.added[0],)
    assert [library.articles.get(i).title for i in report.added] == [
        f"Article {n}" for n in range(7)]


@pytest.mark.sqlite_only("The full-text index (article_fts)")
def test_a_batch_that_cannot_be_stored_leaves_no_part_of_its_articles(library, write_file,
                                                                     monkeypatch):
    import reader.library as library_module

    monkeypatch.setattr(library_module, "IMPORT_BATCH", 2)
    paths = [write_file(f"{n}.md", f"# Article {n}\n\nText {n}.") for n in range(4)]
    original = library.articles.add
    calls = []

    def failing(parsed):
        calls.append(parsed.title)
        if parsed.title == "Article 3":
            raise OSError("disk went away")
        return original(parsed)

    monkeypatch.setattr(library.articles, "add", failing)
    with pytest.raises(OSError, match="disk went away"):
        library.import_files(paths)
    # The first batch was committed whole; of the second, nothing at all.
    assert sorted(s.title for s in library.articles.summaries(library.articles.ids())) == [
        "Article 0", "Article 1"]
    assert library.storage.rows("SELECT count(*) FROM article_fts")[0][0] == 2
