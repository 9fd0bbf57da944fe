"""PostgreSQL fixtures: a fresh database per test on the server $MARGINALIA_TEST_PG names.

Without that variable every test here is skipped, with the reason; .ci/run always sets
it (tests/pg/cluster.sh starts a throw-away cluster, see the README's test section)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit

import pytest
from pg_urls import as_role, with_database

TEST_PG_ENV = "MARGINALIA_TEST_PG"
SKIP_REASON = (f"PostgreSQL tests skipped: set {TEST_PG_ENV} to a server's URL (a superuser, "
               "e.g. postgresql://postgres@127.0.0.1:PORT/postgres); .ci/run starts a "
               "throw-away cluster with tests/pg/cluster.sh and always runs them")


def pytest_collection_modifyitems(config, items):
    if os.environ.get(TEST_PG_ENV):
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(skip)


@pytest.fixture
def pg_server() -> str:
    url = os.environ.get(TEST_PG_ENV)
    if not url:
        pytest.skip(SKIP_REASON)
    return url


@pytest.fixture
def pg_admin(pg_server):
    """A superuser connection to the server (autocommit), for set-up only."""
    from reader.storage.drivers import psycopg

    with psycopg().connect(pg_server, autocommit=True) as connection:
        yield connection


@pytest.fixture
def pg_database(pg_admin, pg_server):
    """The URL of a new, empty database, dropped after the test."""
    made: list[str] = []

    def make() -> str:
        name = f"marginalia_test_{uuid.uuid4().hex[:12]}"
        pg_admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return with_database(pg_server, name)

    yield make
    for name in made:
        pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_database) -> str:
    """The URL of a new, empty database for this test."""
    return pg_database()


@pytest.fixture
def team(pg_url, pg_admin):
    """A team library with two readers, ann and bob (roles unique to this test)."""
    from reader.storage.postgres import PostgresStorage
    from reader.storage.team import add_reader, init

    suffix = uuid.uuid4().hex[:8]
    names = {"group": f"team_{suffix}", "ann": f"ann_{suffix}", "bob": f"bob_{suffix}"}
    with PostgresStorage.open(pg_url) as storage:
        assert init(storage, names["group"]) == names["group"]
        assert add_reader(storage, names["ann"]) is True
        assert add_reader(storage, names["bob"]) is True
        assert add_reader(storage, names["bob"]) is False  # already there: joins again
    yield {"url": pg_url, **names}
    pg_admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(pg_url).path[1:]}" WITH (FORCE)')
    for role in (names["ann"], names["bob"], names["group"]):
        pg_admin.execute(f'DROP ROLE IF EXISTS "{role}"')


TEAM_TEXT = "# Rivers\n\nRivers carry salt to the sea, and trade follows the rivers.\n"


@pytest.fixture
def readers(team, tmp_path):
    """Ann's and Bob's libraries on the team library, and an article Ann imported
    (TEAM_TEXT)."""
    from reader.library import Library

    path = tmp_path / "rivers.md"
    path.write_text(TEAM_TEXT, encoding="utf-8")
    with Library.open(as_role(team["url"], team["ann"])) as ann, \
            Library.open(as_role(team["url"], team["bob"])) as bob:
        (article,) = ann.import_files([path]).added
        yield ann, bob, article
