"""`marginalia import`, `list`, `show` and `search` for scripts: output and exit codes."""

from __future__ import annotations

import json

import pytest

from reader.cli.main import main
from reader.library import Library
from reader.paths import seeds_dir


@pytest.fixture
def location(any_library_location):
    """Every test here runs on a SQLite file and on PostgreSQL (the --db it is given)."""
    return any_library_location


@pytest.fixture
def db(location):
    with Library.open(location) as library:
        library.import_files([seeds_dir()])
        second = next(i for i in library.articles.ids()
                      if library.articles.get(i).title.startswith("Ukraine continues"))
        text = library.articles.text(second)
        start = text.index("two bridges")
        hid = library.highlights.create(second, start, start + len("two bridges")).highlight_id
        library.highlights.set_note(hid, "Logistics matter.")
        library.highlights.set_tags(hid, ["kursk"])
        library.articles.set_tags(second, ["offensive"])
    return location, second, hid


def test_import_reports_each_bad_file_and_fails(location, write_file, capsys):
    good = write_file("good.md", "# Good\n\nText.")
    empty = write_file("empty.txt", "")
    status = main(["--db", location, "import", str(good), str(empty)])
    out, err = capsys.readouterr()
    assert status == 1
    assert out.strip() == "1 imported, 1 could not be imported."
    assert err.strip() == f"marginalia: {empty}: is empty"
    assert main(["--db", location, "import", str(good)]) == 0
    assert "1 already in the library" in capsys.readouterr().out


def test_list_text_and_json(db, capsys):
    path, second, _hid = db
    assert main(["--db", path, "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_id = {row["id"]: row for row in rows}
    assert len(rows) == 2
    assert by_id[second] | {"progress": 0} == {
        "id": second, "title": "Ukraine continues offensive inside Russia", "author": "Clara Weiss",
        "publication": "", "published": "2024-08-18", "url": None, "tags": ["offensive"],
        "highlights": 1, "read": False, "archived": False, "progress": 0}
    assert main(["--db", path, "list"]) == 0
    out = capsys.readouterr().out
    assert "Ukraine continues offensive inside Russia" in out and "#offensive" in out
    assert "1 highlight" in out
    assert main(["--db", path, "list", "--tag", "kursk", "--json"]) == 0
    assert [row["id"] for row in json.loads(capsys.readouterr().out)] == [second]
    assert main(["--db", path, "list", "--tag", "nope"]) == 1
    assert "no tag called 'nope'" in capsys.readouterr().err


def test_show_text_is_exactly_the_canonical_text(db, capsys):
    path, second, hid = db
    assert main(["--db", path, "show", str(second)]) == 0
    out = capsys.readouterr().out
    with Library.open(path) as library:
        assert out == library.articles.text(second)
    assert main(["--db", path, "show", str(second), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["text"] == out and data["highlights"][0]["id"] == hid
    assert data["highlights"][0]["note"] == "Logistics matter."
    assert main(["--db", path, "show", str(second), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("\n\n# Ukraine continues offensive inside Russia")


def test_show_errors(db, capsys):
    path, _second, _hid = db
    assert main(["--db", path, "show", "999"]) == 1
    assert capsys.readouterr().err.strip() == "marginalia: There is no article with id 999."
    with pytest.raises(SystemExit) as exited:
        main(["--db", path, "show", "x"])
    assert exited.value.code == 2


def test_search_finds_articles_and_highlights(db, capsys):
    path, second, hid = db
    assert main(["--db", path, "search", "logistics", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["articles"] == []
    assert [(h["highlight_id"], h["article_id"]) for h in data["highlights"]] == [(hid, second)]
    assert main(["--db", path, "search", "bridges"]) == 0
    out = capsys.readouterr().out
    assert "Ukraine continues offensive inside Russia" in out and "bridges" in out
    for hostile in ('"', "AND", "-", "covid-19", "*"):
        assert main(["--db", path, "search", hostile]) == 0
    capsys.readouterr()


def test_unknown_arguments_are_refused(db, capsys):
    path, _second, _hid = db
    with pytest.raises(SystemExit) as exited:
        main(["--db", path, "two", "targets"])
    assert exited.value.code == 2
    assert "unrecognised arguments" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["show"], ["export", "--stdout", "--article"]])
@pytest.mark.parametrize("given", ["99999999999999999999999999", "0", str(2**63)])
def test_ids_beyond_what_the_library_holds_are_usage_errors(db, capsys, command, given):
    path, _second, _hid = db
    with pytest.raises(SystemExit) as exited:
        main(["--db", path, *command, given])
    assert exited.value.code == 2
    assert f"an id must be a number from 1 to 9223372036854775807, not {given}" in \
        capsys.readouterr().err
