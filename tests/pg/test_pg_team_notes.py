"""Authors, private highlights and note conflicts between two readers of a team library:
each reader is their own role, and what the library keeps private the server refuses to
show the other, also to plain SQL."""

from __future__ import annotations

import pytest

from reader.library import Library, LibraryError
from reader.storage.postgres import PostgresStorage
from reader.storage.team import TEAM_VERSION, init, team_version
from reader.storage.drivers import psycopg as load_psycopg
from pg_urls import as_role, with_database

psycopg = load_psycopg()


def span(library: Library, article: int, word: str) -> tuple[int, int]:
    start = library.articles.text(article).index(word)
    return start, start + len(word)


def test_each_highlight_names_its_author_and_the_list_filters_by_author(team, readers):
    ann, bob, article = readers
    assert (ann.highlights.reader, bob.highlights.reader) == (team["ann"], team["bob"])
    assert ann.highlights.is_team and bob.highlights.is_team
    salt = ann.highlights.create(article, *span(ann, article, "salt")).highlight_id
    sea = ann.highlights.create(article, *span(ann, article, "sea")).highlight_id
    trade = bob.highlights.create(article, *span(bob, article, "trade")).highlight_id
    everyone = bob.highlights.for_article(article)
    assert [(r.id, r.author, r.private) for r in everyone] == [
        (salt, team["ann"], False), (sea, team["ann"], False), (trade, team["bob"], False)]
    assert bob.highlights.get(trade).author == team["bob"]
    assert [r.id for r in bob.highlights.for_article(article, author=bob.highlights.reader)] \
        == [trade]
    assert [r.id for r in bob.highlights.for_article(article, author=team["ann"])] == [salt, sea]
    assert bob.highlights.for_article(article, author="nobody") == []
    assert bob.highlights.authors(article) == sorted([team["ann"], team["bob"]])


def test_two_readers_editing_one_note_keep_both_versions_the_later_shown(team, readers):
    ann, bob, article = readers
    hid = ann.highlights.create(article, *span(ann, article, "salt")).highlight_id
    ann.highlights.set_note(hid, "Salt made the rivers rich.")
    # Both open the note; Ann saves first, then Bob, whose editor began from the old text.
    ann.highlights.set_note(hid, "Salt and grain.", based_on="Salt made the rivers rich.")
    result = bob.highlights.set_note(hid, "Salt, then tolls.",
                                     based_on="Salt made the rivers rich.")
    assert result.conflict is True
    assert (result.kept.note, result.kept.written_by, result.kept.replaced_by) == \
        ("Salt and grain.", team["ann"], team["bob"])
    for library in (ann, bob):
        assert library.highlights.get(hid).note == "Salt, then tolls."
        assert [(v.note, v.written_by, v.replaced_by) for v in
                library.highlights.note_history(hid)] == \
            [("Salt and grain.", team["ann"], team["bob"])]
    # Ann's own earlier saves, with no one else between them, kept no version.
    with psycopg.connect(as_role(team["url"], team["ann"])) as raw:
        assert raw.execute("SELECT note_by FROM highlight WHERE id = %s",
                           (hid,)).fetchone() == (team["bob"],)


def test_replacing_someone_elses_note_keeps_theirs_without_a_conflict(team, readers):
    ann, bob, article = readers
    hid = ann.highlights.create(article, *span(ann, article, "salt")).highlight_id
    ann.highlights.set_note(hid, "Ann's reading.")
    result = bob.highlights.set_note(hid, "Bob's reading.", based_on="Ann's reading.")
    assert result.conflict is False and result.kept.written_by == team["ann"]
    # Bob typing on keeps no more versions: the note is his now.
    bob.highlights.set_note(hid, "Bob's reading, longer.", based_on="Bob's reading.")
    assert [v.note for v in ann.highlights.note_history(hid)] == ["Ann's reading."]
    # Undo of Bob's first save gives Ann's note back, as hers, and out of the history.
    bob.undo()
    bob.undo()
    assert ann.highlights.get(hid).note == "Ann's reading."
    assert ann.highlights.note_history(hid) == []
    with psycopg.connect(as_role(team["url"], team["ann"])) as raw:
        assert raw.execute("SELECT note_by FROM highlight WHERE id = %s",
                           (hid,)).fetchone() == (team["ann"],)


def test_a_private_highlight_and_its_note_history_are_its_authors_alone(team, readers):
    ann, bob, article = readers
    secret = ann.highlights.create(article, *span(ann, article, "salt")).highlight_id
    ann.highlights.set_note(secret, "first secret thought")
    ann.highlights.set_note(secret, "second secret thought", based_on="")  # a conflict
    assert len(ann.highlights.note_history(secret)) == 1
    shared = ann.highlights.create(article, *span(ann, article, "sea")).highlight_id
    bob.highlights.set_note(shared, "by Bob")
    ann.highlights.set_note(shared, "by Ann over Bob's")  # keeps Bob's version, shared

    changes = ann.highlights.set_private(secret, True)
    assert changes.highlight_id == secret and changes.highlights == {article}
    assert ann.highlights.get(secret).private is True
    assert [r.id for r in bob.highlights.for_article(article)] == [shared]
    assert bob.highlights.note_history(secret) == []
    assert bob.highlights.authors(article) == [team["ann"]]
    with psycopg.connect(as_role(team["url"], team["bob"]), autocommit=True) as raw:
        assert raw.execute("SELECT highlight_id, note FROM note_history ORDER BY id"
                           ).fetchall() == [(shared, "by Bob")]
        assert raw.execute("SELECT count(*) FROM note_history WHERE note LIKE '%secret%'"
                           ).fetchone() == (0,)
        # Nor can Bob add to, or take from, the history of a highlight he cannot see.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            raw.execute("INSERT INTO note_history (highlight_id, note, written_at, replaced_at)"
                        " VALUES (%s, 'x', 'n', 'n')", (secret,))
        assert raw.execute("DELETE FROM note_history WHERE highlight_id = %s",
                           (secret,)).rowcount == 0
    with psycopg.connect(as_role(team["url"], team["ann"]), autocommit=True) as raw:
        assert raw.execute("SELECT count(*) FROM note_history WHERE highlight_id = %s",
                           (secret,)).fetchone() == (1,)

    # Sharing it again (undo) shows it, history and all.
    ann.undo()
    assert [v.note for v in bob.highlights.note_history(secret)] == ["first secret thought"]


def test_only_the_author_can_make_a_highlight_private(team, readers):
    ann, bob, article = readers
    hid = ann.highlights.create(article, *span(ann, article, "salt")).highlight_id
    with pytest.raises(LibraryError, match=f"This highlight is {team['ann']}'s: only its "
                                           "author can make it private"):
        bob.highlights.set_private(hid, True)
    assert ann.highlights.get(hid).private is False
    assert bob.undo_stack.undo_label is None  # nothing was done, nothing to undo
    assert bob.highlights.set_private(hid, False).highlights == frozenset()  # already shared
    # The library is still usable after the refusal: Bob's own highlight can be private.
    own = bob.highlights.create(article, *span(bob, article, "trade")).highlight_id
    bob.highlights.set_private(own, True)
    assert [r.id for r in ann.highlights.for_article(article)] == [hid]


def test_undoing_the_delete_of_a_private_highlight_keeps_it_private(team, readers):
    ann, bob, article = readers
    hid = ann.highlights.create(article, *span(ann, article, "salt")).highlight_id
    ann.highlights.set_private(hid, True)
    ann.highlights.delete(hid)
    ann.undo()
    assert ann.highlights.get(hid).private is True
    assert bob.highlights.for_article(article) == []


def test_a_team_library_set_up_at_version_1_is_brought_up_to_date(pg_server, pg_admin, team):
    # The fixture's library is up to date; a second one is set up as version 1 was.
    url = with_database(pg_server, f"v1_{team['group']}")
    pg_admin.execute(f'CREATE DATABASE "v1_{team["group"]}"')
    try:
        with PostgresStorage.open(url) as storage:
            assert init(storage, team["group"], upto=1) == team["group"]
            assert team_version(storage) == 1
            storage.run("INSERT INTO article (title, source_format, source_text, text,"
                        " content_hash, added_at) VALUES ('T', 'text', 'x', 'some text',"
                        " 'h', 'n')")
        with psycopg.connect(as_role(url, team["ann"]), autocommit=True) as ann:
            hid = ann.execute("INSERT INTO highlight (article_id, start, \"end\", exact, private,"
                              " created_at, updated_at) SELECT id, 0, 4, 'some', true, 'n', 'n'"
                              " FROM article RETURNING id").fetchone()[0]
            ann.execute("INSERT INTO note_history (highlight_id, note, written_at, replaced_at)"
                        " VALUES (%s, 'hidden?', 'n', 'n')", (hid,))
        with psycopg.connect(as_role(url, team["bob"]), autocommit=True) as bob:
            # Version 1 left the history open to every reader: the reason for version 2.
            assert bob.execute("SELECT count(*) FROM note_history").fetchone() == (1,)
        with Library.open(as_role(url, team["bob"])) as bob:
            # Until the owner upgrades, no version is kept where everyone could read it.
            shared = bob.highlights.create(1, 5, 9).highlight_id
            bob.highlights.set_note(shared, "Bob's note.")
            with pytest.raises(LibraryError, match=r"team set-up 1 of 2\), whose notes' "
                                                   r"histories are not private.*team init"):
                bob.highlights.set_note(shared, "Changed.", based_on="")
            assert bob.highlights.get(shared).note == "Bob's note."  # nothing was saved
            with pytest.raises(LibraryError, match="earlier version of Marginalia"):
                bob.highlights.note_history(shared)
            bob.highlights.set_note(shared, "Bob's note, longer.")  # no version to keep
            # A set-up from before schema 13 gave readers no right to the history at all:
            # highlights are still made, deleted and put back.
            with PostgresStorage.open(url) as storage:
                storage.run(f'REVOKE ALL ON note_history FROM "{team["group"]}"')
            bob.highlights.delete(shared)
            bob.undo()
            assert bob.highlights.get(shared).note == "Bob's note, longer."
        with PostgresStorage.open(url) as storage:
            assert init(storage) == team["group"]  # `team init` again upgrades
            assert team_version(storage) == TEAM_VERSION == 2
            assert init(storage) == team["group"]  # and then changes nothing
        with psycopg.connect(as_role(url, team["bob"]), autocommit=True) as bob:
            assert bob.execute("SELECT count(*) FROM note_history").fetchone() == (0,)
    finally:
        pg_admin.execute(f'DROP DATABASE IF EXISTS "v1_{team["group"]}" WITH (FORCE)')
