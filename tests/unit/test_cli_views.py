"""`marginalia views list|add|remove`: output, exit codes, the rules, a read-only library."""

from __future__ import annotations

import json

import pytest

from reader.cli.main import main
from reader.library import Library
from reader.paths import seeds_dir
from reader.settings import default_path


@pytest.fixture
def location(any_library_location):
    """Every test here runs on a SQLite file and on PostgreSQL (the --db it is given)."""
    return any_library_location


@pytest.fixture
def db(location):
    """The sample articles, one of them read and annotated."""
    with Library.open(location) as library:
        library.import_files([seeds_dir()])
        first, second = library.articles.ids()
        library.articles.set_read(first, True)
        library.highlights.create(second, 0, 10)
    return location


def test_list_shows_name_count_query_and_key(db, capsys):
    assert main(["--db", db, "views", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split() for line in lines] == [
        ["Inbox", "1", "is:unread", "-is:archived", "[G,", "I]"],
        ["Annotated", "1", "has:highlights", "[G,", "A]"],
        ["Orphans", "0", "is:orphaned", "[G,", "O]"],
        ["Feeds", "0", "has:feed", "[G,", "F]"],
    ]
    assert lines[0].index("1") == lines[1].index("1")  # in columns


def test_list_json(db, capsys):
    assert main(["--db", db, "views", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"id": rows[0]["id"], "name": "Inbox", "count": 1,
                       "query": "is:unread -is:archived", "key": "G, I", "position": 0}
    assert [(r["name"], r["count"]) for r in rows] == [
        ("Inbox", 1), ("Annotated", 1), ("Orphans", 0), ("Feeds", 0)]


def test_add_then_list_then_remove(db, capsys):
    assert main(["--db", db, "views", "add", "Ukraine", "ukraine is:unread", "--key", "g,u"]) == 0
    assert capsys.readouterr().out.strip() == (
        "Added the view “Ukraine”: 1 article; G, U shows it in the window.")
    assert main(["--db", db, "views", "add", "All", "is:read OR is:unread"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "views", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["query"], r["key"], r["count"]) for r in rows[4:]] == [
        ("Ukraine", "ukraine is:unread", "G, U", 1), ("All", "is:read OR is:unread", None, 2)]
    assert main(["--db", db, "views", "remove", "ukraine"]) == 0
    assert capsys.readouterr().out.strip() == (
        "Removed the view “Ukraine”; its articles stay in the library.")
    with Library.open(db) as library:
        assert [v.name for v in library.views.list()] == [
            "Inbox", "Annotated", "Orphans", "Feeds", "All"]


@pytest.mark.parametrize(("args", "message"), [
    (["add", "inbox", "x"], "There is already a saved view called “Inbox”; choose another name."),
    (["add", " ", "x"], "A saved view needs a name."),
    (["add", "Mine", " "], "A saved view needs a query"),
    (["add", "Mine", "x", "--key", "Ctrl+Z"], "Ctrl+Z is already the key of “Undo”."),
    (["add", "Mine", "x", "--key", "Hyper+Q"], "“Hyper+Q” is not a key"),
    (["remove", "Nope"], "There is no saved view called “Nope” (the views: Inbox, Annotated, "
                         "Orphans, Feeds)."),
])
def test_mistakes_are_said_on_standard_error(db, capsys, args, message):
    assert main(["--db", db, "views", *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("marginalia: ") and message in err
    with Library.open(db) as library:
        assert len(library.views.list()) == 4


def test_a_key_is_checked_against_the_users_own_keys(db, capsys):
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[keys.list]\n"Alt+1" = "article.open"\n', encoding="utf-8")
    assert main(["--db", db, "views", "add", "Mine", "x", "--key", "alt+1"]) == 1
    assert "Alt+1 is already the key of “Open article” in the article list." in (
        capsys.readouterr().err)
    # Unbound by the user: free for a view.
    path.write_text('[keys.anywhere]\n"G, V" = ""\n', encoding="utf-8")
    assert main(["--db", db, "views", "add", "Mine", "x", "--key", "g,v"]) == 0


def test_a_query_mended_is_said(db, capsys):
    assert main(["--db", db, "views", "add", "Open", '"unclosed']) == 0
    assert "marginalia: query:" in capsys.readouterr().err


@pytest.mark.sqlite_only("A read-only library file")
def test_a_read_only_library_is_listed_but_not_changed(db, capsys, library_path, unwritable):
    unwritable(library_path.parent)
    assert main(["--db", db, "views", "list"]) == 0
    assert "Inbox" in capsys.readouterr().out
    for args in (["add", "Mine", "x"], ["remove", "Inbox"]):
        assert main(["--db", db, "views", *args]) == 1
        assert "read-only" in capsys.readouterr().err
    assert main(["--db", db, "views", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
