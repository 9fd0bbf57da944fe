"""A library on PostgreSQL through `Library.open(URL)`: two libraries on one database see
each other's changes, the command line imports, shows, lists and searches, and what is
not ported yet says so by name instead of failing with a database error (export, feeds,
saving pages and imports from other tools run on both engines: their own test files
cover them)."""

from __future__ import annotations

import json

import pytest

from reader.cli.main import main
from reader.library import Library, LibraryError
from pg_urls import with_database

ARTICLE = "# Rivers\n\nRivers carry salt to the sea, and trade follows the rivers.\n"


@pytest.fixture
def pg_library(pg_url):
    with Library.open(pg_url) as library:
        yield library


@pytest.fixture
def article(pg_library, tmp_path):
    path = tmp_path / "rivers.md"
    path.write_text(ARTICLE, encoding="utf-8")
    (article_id,) = pg_library.import_files([path]).added
    return article_id


def test_a_highlight_made_through_one_library_is_seen_by_another(pg_url, pg_library, article):
    text = pg_library.articles.text(article)
    start = text.index("salt")
    made = pg_library.highlights.create(article, start, start + 4, "green")
    pg_library.highlights.set_note(made.highlight_id, "why salt?")
    pg_library.highlights.set_tags(made.highlight_id, ["Trade/Salt"])
    with Library.open(pg_url) as other:
        (seen,) = other.highlights.for_article(article)
        assert (seen.id, seen.exact, seen.colour, seen.note, seen.tags) == \
            (made.highlight_id, "salt", "green", "why salt?", ("Trade/Salt",))
        assert other.tags.tree() == ["Trade", "Trade/Salt"]
        other.highlights.delete(seen.id)
    assert pg_library.highlights.for_article(article) == []
    assert pg_library.tags.tree() == []


def test_tags_are_one_whatever_their_case(pg_library, article):
    pg_library.articles.set_tags(article, ["History"])
    pg_library.articles.set_tags(article, ["history", "HISTORY/rome"])
    assert pg_library.tags.names() == ["History", "HISTORY/rome"]  # the first kept its case
    assert pg_library.tags.find("HISTORY") == "History"
    assert pg_library.articles.ids(tag="history") == [article]
    assert pg_library.articles.ids(tag="nothing") == []


def test_a_file_feature_says_it_is_one(pg_library, article):
    with pytest.raises(LibraryError, match="^Checking the library file works on a library "
                                           "file only, not on a PostgreSQL library") as raised:
        pg_library.check()
    assert pg_library.url in str(raised.value) and "pg_dump" in str(raised.value)
    assert pg_library.articles.get(article).title == "Rivers"  # the library still works


def test_cli_imports_and_shows_on_postgresql(pg_server, pg_database, tmp_path, capsys):
    name = pg_database().rsplit("/", 1)[1]
    url = with_database(pg_server, name)
    path = tmp_path / "rivers.md"
    path.write_text(ARTICLE, encoding="utf-8")
    assert main(["--db", url, "import", str(path)]) == 0
    assert capsys.readouterr().out == "1 imported.\n"
    with Library.open(url) as library:
        (article_id,) = library.articles.ids()
        library.highlights.create(article_id, 0, 6)
    assert main(["--db", url, "show", str(article_id), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["title"] == "Rivers" and shown["highlights"][0]["exact"] == "Rivers"
    assert main(["--db", url, "show", "99"]) == 1
    assert "There is no article with id 99" in capsys.readouterr().err
    assert main(["--db", url, "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["id"], row["title"], row["highlights"]) == (article_id, "Rivers", 1)
    assert main(["--db", url, "search", "carrying", "--json"]) == 0  # carry, stemmed
    found = json.loads(capsys.readouterr().out)
    assert [a["id"] for a in found["articles"]] == [article_id]
    assert "carry salt" in found["articles"][0]["snippet"]
    assert main(["--db", url, "list", "--query", "is:unread rivers", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [article_id]
    assert main(["--db", url, "views", "list"]) == 0
    assert "Inbox" in capsys.readouterr().out
    assert main(["--db", url, "backup"]) == 2
    err = capsys.readouterr().err
    assert "`marginalia backup` works on a library file only" in err and "pg_dump" in err


@pytest.mark.parametrize("feature, use", [
    ("Backups", lambda url: Library.backup_if_due(url)),
    ("Backups", lambda url: Library.newest_good_backup(url)),
    ("Checking the library file", lambda url: Library.check_file(url)),
])
def test_file_features_refuse_a_url_by_name(pg_url, feature, use):
    url = pg_url.replace("postgresql://postgres@", "postgresql://postgres:secret@")
    with pytest.raises(LibraryError, match=f"^{feature} works on a library file only, not "
                                           "on a PostgreSQL library") as raised:
        use(url)
    assert "secret" not in str(raised.value) and ":***@" in str(raised.value)
