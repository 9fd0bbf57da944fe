"""marginalia copy between a team library and a file: what the connecting reader may
see is what is copied (another reader's private highlight, its tags, note history,
review card and import record stay behind), the team's authors and private flags are
left out, the checksums are exact over what was copied, and a personal library copied
into a team one takes the team's defaults."""

from __future__ import annotations

import pytest
from pg_urls import as_role
from test_pg_copy import _contents

from reader.cli.main import main
from reader.library import Library
from reader.reads import search_highlights
from reader.storage.copy import CopyError, copy_library
from reader.storage.postgres import PostgresStorage
from reader.storage.team import init

TEAM_COLUMNS = ("highlight.author", "highlight.private")


def span(library: Library, article: int, word: str) -> tuple[int, int]:
    start = library.articles.text(article).index(word)
    return start, start + len(word)


@pytest.fixture
def shared_and_private(team, readers):
    """Ann's shared highlight (tagged, its note with a version of Bob's in its history),
    her private one (tagged, a note history, a review card with a log, an import
    record), and Bob's shared one. Returns the ids by name."""
    ann, bob, article = readers
    salt = ann.highlights.create(article, *span(ann, article, "salt")).highlight_id
    ann.highlights.set_tags(salt, ["shipping"])
    bob.highlights.set_note(salt, "Bob's reading of salt")
    ann.highlights.set_note(salt, "Ann's reading of salt")  # keeps Bob's in the history
    sea = ann.highlights.create(article, *span(ann, article, "sea")).highlight_id
    ann.highlights.set_tags(sea, ["hidden-thoughts"])
    ann.highlights.set_note(sea, "first confidential thought")
    ann.highlights.set_note(sea, "second confidential thought", based_on="")  # a version
    ann.highlights.set_private(sea, True)
    with ann.storage.write():
        execute = ann.storage.database.execute_sql
        execute("INSERT INTO review_card (highlight_id, state, due, created_at)"
                " VALUES (%s, 2, '2024-02-01', '2024-01-04') RETURNING id", (sea,))
        execute("INSERT INTO review_log (card_id, highlight_id, rating, reviewed_at, day,"
                " card_after) SELECT id, highlight_id, 3, '2024-01-05', '2024-01-05', '{}'"
                " FROM review_card WHERE highlight_id = %s", (sea,))
        execute("INSERT INTO imported (source, kind, key, article_id, highlight_id,"
                " passage, imported_at) VALUES ('kindle', 'highlight', 'k1', %s, %s,"
                " 'confidential passage', '2024-01-03')", (article, sea))
    trade = bob.highlights.create(article, *span(bob, article, "trade")).highlight_id
    assert len(ann.highlights.note_history(sea)) == 1
    assert len(ann.highlights.note_history(salt)) == 1
    return {"article": article, "salt": salt, "sea": sea, "trade": trade}


def _rows(path, sql: str) -> list[tuple]:
    with Library.open(path) as library:
        return library.storage.rows(sql)


def test_a_reader_copies_what_they_may_see_to_a_file(team, shared_and_private, tmp_path):
    ids = shared_and_private
    target = tmp_path / "bob.sqlite3"
    report = copy_library(as_role(team["url"], team["bob"]), target)
    assert all(f.matches for f in report.tables)
    assert report.only_visible is True
    assert report.columns_left_out == TEAM_COLUMNS and report.columns_defaulted == ()
    figures = {f.table: f for f in report.tables}
    assert (figures["highlight"].source_rows, figures["highlight_tag"].source_rows,
            figures["note_history"].source_rows, figures["review_card"].source_rows,
            figures["review_log"].source_rows, figures["imported"].source_rows) == \
        (2, 1, 1, 0, 0, 0)
    with Library.open(target) as copied:
        rows = copied.storage.rows
        assert [r.id for r in copied.highlights.for_article(ids["article"])] == \
            [ids["salt"], ids["trade"]]
        assert copied.highlights.get(ids["salt"]).tags == ("shipping",)
        assert copied.highlights.get(ids["salt"]).note == "Ann's reading of salt"
        assert [v.note for v in copied.highlights.note_history(ids["salt"])] == \
            ["Bob's reading of salt"]
        assert rows("SELECT highlight_id, tag_id FROM highlight_tag") == \
            [(ids["salt"], rows("SELECT id FROM tag WHERE name = 'shipping'")[0][0])]
        assert rows("SELECT count(*) FROM note_history WHERE highlight_id = ?",
                    (ids["sea"],)) == [(0,)]
        assert rows("SELECT count(*) FROM review_card") == [(0,)]
        assert rows("SELECT count(*) FROM imported") == [(0,)]
        assert "author" not in [c[1] for c in rows("PRAGMA table_info(highlight)")]
        # The copy is a working personal library: search finds what was copied.
        assert copied.articles.ids(search="rivers") == [ids["article"]]
        assert [hit[0] for hit in search_highlights(rows, "trade")] == [ids["trade"]]
        assert search_highlights(rows, "confidential") == []
        assert copied.check() is None
    # Nothing of the private highlight's note, history or passage is in the file.
    assert b"confidential" not in target.read_bytes()


def test_the_author_copies_their_private_highlight_as_an_ordinary_one(
        team, shared_and_private, tmp_path):
    ids = shared_and_private
    target = tmp_path / "ann.sqlite3"
    report = copy_library(as_role(team["url"], team["ann"]), target)
    assert all(f.matches for f in report.tables) and report.only_visible is True
    with Library.open(target) as copied:
        assert [r.id for r in copied.highlights.for_article(ids["article"])] == \
            [ids["salt"], ids["sea"], ids["trade"]]
        sea = copied.highlights.get(ids["sea"])
        assert (sea.note, sea.tags, sea.private) == \
            ("second confidential thought", ("hidden-thoughts",), False)
        assert [v.note for v in copied.highlights.note_history(ids["sea"])] == \
            ["first confidential thought"]
        rows = copied.storage.rows
        assert rows("SELECT highlight_id FROM review_log") == [(ids["sea"],)]
        assert rows("SELECT highlight_id, passage FROM imported") == \
            [(ids["sea"], "confidential passage")]


def test_the_command_says_what_a_team_library_copy_leaves_out(
        team, shared_and_private, tmp_path, capsys):
    assert main(["copy", "--from", as_role(team["url"], team["bob"]),
                 "--to", str(tmp_path / "bob.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "every count and checksum matches the source" in out
    assert "Other readers' private highlights are not visible to you and are not copied" in out
    assert "authors and private flags (highlight.author, highlight.private) were not kept" \
        in out


def test_a_file_goes_to_a_team_library_and_back_unchanged(annotated_library, pg_url, tmp_path):
    expected = _contents(annotated_library)
    source = annotated_library.path
    annotated_library.close()
    there = copy_library(source, pg_url)
    with PostgresStorage.open(pg_url) as storage:
        group = init(storage)
    try:
        back = copy_library(pg_url, tmp_path / "back.sqlite3")
        assert back.columns_left_out == TEAM_COLUMNS
        assert back.only_visible is False  # the superuser who copied sees every row
        assert [(f.table, f.source_rows, f.source_checksum) for f in there.tables] == \
            [(f.table, f.target_rows, f.target_checksum) for f in back.tables]
        with Library.open(tmp_path / "back.sqlite3") as copied:
            assert _contents(copied) == expected
    finally:
        with PostgresStorage.open(pg_url) as storage:
            storage.database.execute_sql(f'DROP OWNED BY "{group}"')
            storage.database.execute_sql(f'DROP ROLE "{group}"')


def test_a_reader_sees_every_shared_row_of_a_copied_in_library(
        annotated_library, team, tmp_path):
    # Copied into the team library by its owner: every highlight the owner's, none
    # private, so a reader's copy back holds everything, review cards and all.
    expected = _contents(annotated_library)
    source = annotated_library.path
    annotated_library.close()
    there = copy_library(source, team["url"])
    assert there.columns_defaulted == TEAM_COLUMNS and there.columns_left_out == ()
    assert all(f.matches for f in there.tables)
    with PostgresStorage.open(team["url"]) as storage:
        owner = storage.rows("SELECT current_user")[0][0]
    with Library.open(as_role(team["url"], team["ann"])) as ann:
        assert {(r.author, r.private) for article in ann.articles.ids()
                for r in ann.highlights.for_article(article)} == {(owner, False)}
    back = copy_library(as_role(team["url"], team["ann"]), tmp_path / "back.sqlite3")
    assert back.only_visible is True
    assert [(f.table, f.source_rows, f.source_checksum) for f in there.tables] == \
        [(f.table, f.target_rows, f.target_checksum) for f in back.tables]
    with Library.open(tmp_path / "back.sqlite3") as copied:
        assert _contents(copied) == expected


def test_columns_other_than_the_teams_still_differ_by_name(team, tmp_path):
    with PostgresStorage.open(team["url"]) as storage, storage.write():
        storage.database.execute_sql("ALTER TABLE tag ADD COLUMN shade text")
    with pytest.raises(CopyError, match=r"the table tag has different columns \(shade only "
                                        r"in .*apart from a team library's authors and "
                                        r"private flags.*Nothing was copied"):
        copy_library(team["url"], tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists() or \
        _rows(tmp_path / "copy.sqlite3", "SELECT count(*) FROM article") == [(0,)]


def test_only_the_owner_copies_into_a_team_library(annotated_library, team):
    source = annotated_library.path
    annotated_library.close()
    bob = as_role(team["url"], team["bob"])
    with pytest.raises(CopyError, match=r"only the role owning them may do, and article, "
                                        r"article_change, article_stat and others are not "
                                        r"yours.*Nothing was copied"):
        copy_library(source, bob)
    with Library.open(bob) as library:
        assert library.articles.ids() == []
