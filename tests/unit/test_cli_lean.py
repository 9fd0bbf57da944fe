"""The lean read path of `marginalia list` and `search` (reader.cli.lean) prints exactly
what the whole library prints, and leaves to it what it cannot answer exactly."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.cli import lean
from reader.cli.library_commands import json_rows
from reader.cli.main import main
from reader.library import Library
from reader.storage.migrations import SCHEMA_VERSION

ARTICLES = {
    "rail.md": "---\ntags: [transport/rail, Travel]\nurl: https://example.com/rail\n"
               "author: Ann Lee\npublished: 2023-04-05\n---\n# The quixotic railway\n\n"
               "A **railway** across the mountains, said to be quixotic. Railways everywhere.\n",
    "café.md": "# Café culture — “naïve” Œuvres\n\nThe café served crème brûlée; "
               "a quixotic owner, naïvely hopeful.\n",
    "bridges.md": "# Bridges\n\nBridges span rivers. \"Quoted\" words\tand a tab.\n",
    "archive.md": "# Archived railway notes\n\nOld railway timetables.\n",
}


@pytest.fixture
def db(library_path, write_file):
    """A library of a few articles: tags nested and not, highlights with notes and tags,
    an archived article, text beyond ASCII."""
    with Library.open(library_path) as library:
        ids = dict(zip(ARTICLES, library.import_files(
            [write_file(name, text) for name, text in ARTICLES.items()]).added))
        text = library.articles.document(ids["rail.md"]).text
        start = text.index("railway")
        hid = library.highlights.create(ids["rail.md"], start, start + 7, "pink").highlight_id
        library.highlights.set_note(hid, "a note about the quixotic railway")
        library.highlights.set_tags(hid, ["idea/rail"])
        cafe = library.articles.document(ids["café.md"]).text
        start = cafe.index("crème")
        library.highlights.create(ids["café.md"], start, start + 5, "blue")
        library.articles.set_archived(ids["archive.md"], True)
        library.articles.set_read(ids["bridges.md"], True)
    return library_path


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def _both(db, capsys, monkeypatch, command: list[str]) -> tuple[tuple, tuple]:
    """What the command prints on the whole library, then on the lean path."""
    argv = ["--db", str(db), *command]
    with monkeypatch.context() as patch:
        patch.setattr(lean, "run", lambda *args: None)  # always the whole library
        whole = _run(capsys, argv)
    return whole, _run(capsys, argv)


LEAN = [["list"], ["list", "--json"], ["list", "--archived"], ["list", "--archived", "--json"],
        ["list", "--tag", "transport"], ["list", "--tag", "TRANSPORT/rail", "--json"],
        ["list", "--tag", "idea"], ["list", "--tag=travel"], ["list", "--tag", "nothing"],
        ["list", "--js"],
        ["search", "quixotic"], ["search", "quixotic", "--json"], ["search", "rail"],
        ["search", "railways", "--json"], ["search", "cafe"], ["search", "naive crème"],
        ["search", "note"], ["search", "nothing-at-all"], ["search", "q"], ["search", " "],
        ["search", "\0rail"],
        # Articles are numbered in the order imported: rail.md is 1, café.md 2 ...
        ["show", "1"], ["show", "1", "--format", "json"], ["show", "1", "--format", "markdown"],
        ["show", "2", "--format=json"], ["show", "3", "--format", "text"], ["show", " 4"]]


@pytest.mark.parametrize("command", LEAN, ids=" ".join)
def test_the_lean_path_prints_what_the_whole_library_prints(db, capsys, monkeypatch, command):
    whole, fast = _both(db, capsys, monkeypatch, command)
    assert lean.last_fallback is None  # the lean path answered
    assert fast == whole
    assert whole[0] == (1 if "nothing" in command else 0)
    assert whole[1] or whole[2]


# Commands the lean path leaves to the whole library, and why.
WHOLE = [(["list", "--query", "tag:transport"], "query language"),
         (["list", "-q", "quixotic", "--json"], "query language"),
         (["search", "tag:travel quixotic"], "query language"),
         (["search", "rail -bridges", "--json"], "query language"),
         (["search", "colour:pink"], "query language"),
         (["show", "99"], "no article 99"),
         (["show", "99", "--format", "json"], "no article 99")]


@pytest.mark.parametrize(("command", "why"), WHOLE, ids=[" ".join(c) for c, _ in WHOLE])
def test_what_the_lean_path_leaves_is_answered_by_the_library(db, capsys, monkeypatch,
                                                              command, why):
    whole, fast = _both(db, capsys, monkeypatch, command)
    assert why in lean.last_fallback
    assert fast == whole
    if command[0] == "show":  # the library's own message
        assert whole == (1, "", "marginalia: There is no article with id 99.\n")
    else:
        assert whole[0] == 0 and whole[1]


def test_an_article_the_renderer_now_renders_otherwise_is_shown_by_the_library(db, capsys):
    """When the stored text is not what rendering gives now (the renderer changed since),
    the whole library shows the article: it stores the new text and re-anchors the
    highlights, which a read-only path cannot."""
    expected = _run(capsys, ["--db", str(db), "show", "1"])
    assert lean.last_fallback is None
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("UPDATE article SET text = 'an older rendering' WHERE id = 1")
    connection.close()
    assert _run(capsys, ["--db", str(db), "show", "1"]) == expected
    assert lean.last_fallback == "the stored text is not what the renderer makes now"
    assert _run(capsys, ["--db", str(db), "show", "1"]) == expected
    assert lean.last_fallback is None  # the library stored the new text


def test_a_missing_library_is_created_by_the_library(tmp_path, capsys):
    path = tmp_path / "new" / "library.sqlite3"
    assert _run(capsys, ["--db", str(path), "list"]) == (0, "", "")
    assert "cannot be read" in lean.last_fallback
    assert path.exists()  # the whole library made it, as before
    assert _run(capsys, ["--db", str(path), "list", "--json"]) == (0, "[]\n", "")
    assert lean.last_fallback is None


def test_an_older_library_is_upgraded_by_the_library(library_path, capsys):
    """A library of an older schema is opened whole, which upgrades it (a backup first):
    the lean path never reads a schema it does not know."""
    from peewee import SqliteDatabase

    from reader.storage.migrations import MIGRATIONS

    first = SqliteDatabase(str(library_path))
    with first.atomic():
        MIGRATIONS[0](first)
        first.execute_sql(
            "INSERT INTO article (title, source_format, source_text, text, content_hash, added_at)"
            " VALUES ('Old', 'markdown', '# Old\n\nText.', 'Old\nText.', 'h', '2024-01-01')")
        first.pragma("user_version", 1)
    first.close()
    status, out, err = _run(capsys, ["--db", str(library_path), "search", "old"])
    assert lean.last_fallback == f"schema 1, not {SCHEMA_VERSION}"
    assert (status, err) == (0, "") and out.startswith("1 article\n     1  Old\n")
    assert list((library_path.parent / "backups").iterdir())  # upgraded, as before
    assert _run(capsys, ["--db", str(library_path), "search", "old"])[1] == out
    assert lean.last_fallback is None  # now of the current schema


def test_a_newer_library_is_refused_with_the_library_message(db, capsys):
    connection = sqlite3.connect(db)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    status, out, err = _run(capsys, ["--db", str(db), "list"])
    assert lean.last_fallback == f"schema {SCHEMA_VERSION + 1}, not {SCHEMA_VERSION}"
    assert status == 1 and out == ""
    assert "written by a newer version of Marginalia" in err


def test_a_file_that_is_no_library_is_said_so_by_the_library(tmp_path, capsys):
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 100)
    status, out, err = _run(capsys, ["--db", str(path), "search", "notes"])
    assert lean.last_fallback.startswith("cannot read the schema version")
    assert status == 1 and out == ""
    assert "not a Marginalia library" in err


def test_a_database_error_midway_goes_to_the_library_and_nothing_half_printed(
        db, capsys, monkeypatch):
    """An error after the lean command began (here: the highlight search) leaves the
    answer to the whole library; what the lean path had printed is dropped."""
    from reader import reads

    real = reads.search_highlights
    failing = {"on": True}

    def search_highlights(rows, text, limit=200):
        if failing["on"] and type(rows.__self__).__name__ == "_Storage":
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real(rows, text, limit)

    monkeypatch.setattr(reads, "search_highlights", search_highlights)
    status, out, err = _run(capsys, ["--db", str(db), "search", "quixotic"])
    assert "malformed" in lean.last_fallback
    assert status == 0 and out.count("2 articles") == 1 and err == ""


def test_a_read_only_library_is_read_by_the_lean_path(db, tmp_path, capsys, unwritable):
    folder = tmp_path / "read-only"
    folder.mkdir()
    copy = folder / "library.sqlite3"
    source = sqlite3.connect(db)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    expected = _run(capsys, ["--db", str(db), "list", "--json"])
    unwritable(copy)
    unwritable(folder)
    assert _run(capsys, ["--db", str(copy), "list", "--json"]) == expected


@given(st.lists(st.fixed_dictionaries({
    "id": st.integers(1, 2**63 - 1), "title": st.text(), "author": st.text(max_size=5),
    "publication": st.text(max_size=5), "published": st.none() | st.text(max_size=12),
    "url": st.none() | st.text(max_size=20), "tags": st.lists(st.text(max_size=8), max_size=3),
    "highlights": st.integers(0, 10**6), "read": st.booleans(), "archived": st.booleans(),
    "progress": st.integers(0, 100)}), max_size=4))
def test_the_list_json_is_json_dumps_byte_for_byte(rows):
    assert json_rows(rows) == json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def test_the_list_json_of_hostile_strings(tmp_path):
    hostile = ["", "\0", "\x1f\x7f", "\"\\/", "\u2028\u2029", "\ud800", "😀", "\n\r\t\b\f"]
    rows = [{"id": 1, "title": text, "author": text, "publication": "", "published": None,
             "url": text, "tags": [text, text], "highlights": 0, "read": True,
             "archived": False, "progress": 100} for text in hostile]
    assert json_rows(rows) == json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    assert json_rows([]) == "[]\n"


def test_the_list_json_of_other_values_is_json_dumps():
    rows = [{"id": 1, "ratio": 0.5, "tags": [1, "a"]}, {"id": 2, "ratio": None, "tags": []}]
    assert json_rows(rows) == json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    odd = [{"id": 1, "title": "a"}, {"title": "b", "id": 2}]  # keys in another order
    assert json_rows(odd) == json.dumps(odd, ensure_ascii=False, indent=1) + "\n"
