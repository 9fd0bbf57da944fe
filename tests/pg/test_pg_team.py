"""A team library: readers are roles in a group; a private highlight and its note are
readable by their author alone, which the server enforces (checked with plain SQL as
another role)."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest

from reader.cli.main import main
from reader.storage.drivers import psycopg as load_psycopg
from reader.storage.postgres import PostgresLibraryError, PostgresStorage
from reader.storage.team import add_reader, init, team_group
from pg_urls import as_role

ARTICLE = ("INSERT INTO article (title, source_format, source_text, text, content_hash,"
           " added_at) VALUES ('T', 'text', 'x', 'some text', 'h', 'n') RETURNING id")
HIGHLIGHT = ("INSERT INTO highlight (article_id, start, \"end\", exact, note, private,"
             " created_at, updated_at) VALUES (%s, 0, 4, 'some', %s, %s, 'n', 'n')"
             " RETURNING id")

psycopg = load_psycopg()  # reader keeps peewee's import from loading it


def test_a_private_note_is_readable_by_its_author_alone(team):
    with psycopg.connect(as_role(team["url"], team["ann"]), autocommit=True) as ann, \
            psycopg.connect(as_role(team["url"], team["bob"]), autocommit=True) as bob:
        article = ann.execute(ARTICLE).fetchone()[0]
        secret = ann.execute(HIGHLIGHT, (article, "my secret thought", True)).fetchone()[0]
        shared = ann.execute(HIGHLIGHT, (article, "for everyone", False)).fetchone()[0]
        assert ann.execute("SELECT author FROM highlight WHERE id = %s",
                           (secret,)).fetchone() == (team["ann"],)
        # Bob, with plain SQL: the private highlight is not there for him at all.
        assert bob.execute("SELECT id, note FROM highlight ORDER BY id").fetchall() == \
            [(shared, "for everyone")]
        assert bob.execute("SELECT count(*) FROM highlight WHERE note LIKE '%secret%'"
                           " OR search @@ to_tsquery('english', 'secret')").fetchone() == (0,)
        # Nor can he change or delete it, or make his own look like Ann's.
        assert bob.execute("UPDATE highlight SET note = 'mine' WHERE id = %s",
                           (secret,)).rowcount == 0
        assert bob.execute("DELETE FROM highlight WHERE id = %s", (secret,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            bob.execute("INSERT INTO highlight (article_id, start, \"end\", exact, author,"
                        " created_at, updated_at) VALUES (%s, 0, 1, 's', %s, 'n', 'n')",
                        (article, team["ann"]))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            bob.execute("UPDATE highlight SET private = true WHERE id = %s", (shared,))
        # The shared one is the team's: Bob may annotate it.
        assert bob.execute("UPDATE highlight SET note = 'agreed' WHERE id = %s",
                           (shared,)).rowcount == 1
        assert ann.execute("SELECT note FROM highlight WHERE id = %s",
                           (secret,)).fetchone() == ("my secret thought",)


def test_a_role_outside_the_group_reads_nothing(team, pg_admin):
    outsider = f"eve_{uuid.uuid4().hex[:8]}"
    pg_admin.execute(f'CREATE ROLE "{outsider}" LOGIN')
    try:
        with psycopg.connect(as_role(team["url"], outsider), autocommit=True) as eve, \
                pytest.raises(psycopg.errors.InsufficientPrivilege):
            eve.execute("SELECT count(*) FROM article")
    finally:
        # The test database goes first (the team fixture), then the role.
        pg_admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(team["url"]).path[1:]}"'
                         " WITH (FORCE)")
        pg_admin.execute(f'DROP ROLE IF EXISTS "{outsider}"')


def test_init_again_changes_nothing_and_names_the_group(team):
    with PostgresStorage.open(team["url"]) as storage:
        assert init(storage) == team["group"] == team_group(storage)
        with pytest.raises(PostgresLibraryError, match="already a team library"):
            init(storage, "another_group")


def test_cli_team_init_and_add_reader(pg_url, pg_admin, capsys):
    suffix = uuid.uuid4().hex[:8]
    group, reader = f"crew_{suffix}", f"dan_{suffix}"
    try:
        assert main(["team", "init", pg_url, "--group", group]) == 0
        assert f"its readers are the members of the role {group}" in capsys.readouterr().out
        assert main(["--db", pg_url, "team", "add-reader", reader]) == 0
        out = capsys.readouterr().out
        assert f"{reader} was created and joined {group}" in out
        host = pg_url.split("@", 1)[1].split("/", 1)[0]
        assert f"marginalia --db postgresql://{reader}@{host}/" in out
        assert main(["--db", pg_url, "team", "add-reader", "Not A Name"]) == 1
        assert "is not a usable role name" in capsys.readouterr().err
        assert main(["team", "add-reader", reader]) == 2
        assert "needs a PostgreSQL library" in capsys.readouterr().err
        members = pg_admin.execute(
            "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
            " JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname = %s", (group,)).fetchall()
        assert members == [(reader,)]
    finally:
        pg_admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(pg_url).path[1:]}" WITH (FORCE)')
        pg_admin.execute(f'DROP ROLE IF EXISTS "{reader}"')
        pg_admin.execute(f'DROP ROLE IF EXISTS "{group}"')


def test_add_reader_needs_a_team_library(pg_url):
    with PostgresStorage.open(pg_url) as storage, \
            pytest.raises(PostgresLibraryError, match="not a team library yet"):
        add_reader(storage, "someone")

