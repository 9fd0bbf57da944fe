"""A database error inside a whole action (export, feeds, saving pages, imports from other
tools) said in words: `database_errors` and each storage's `explain`, without a server."""

from __future__ import annotations

import pytest
from peewee import IntegrityError, InterfaceError, OperationalError, PostgresqlDatabase

from reader.storage.database import LibraryBusyError, LibraryError, database_errors
from reader.storage.postgres import PostgresStorage


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

URL = "postgresql://ann:secret@db.example/team"


class _ServerError(Exception):
    """Stands for a psycopg error: its message and its SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _peewee(kind, message, sqlstate):
    return kind(_ServerError(message, sqlstate))  # peewee keeps the driver's as .orig


@pytest.fixture
def pg_storage():
    return PostgresStorage(URL, PostgresqlDatabase(None))


@pytest.mark.parametrize("error, said", [
    (_peewee(OperationalError, 'new row violates row-level security policy for table\n'
             '"highlight"', "42501"),
     'the server refused it (new row violates row-level security policy for table "highlight")'),
    (_peewee(OperationalError, "permission denied for table feed", "42501"),
     "the server refused it (permission denied for table feed)"),
    (_peewee(OperationalError, "server closed the connection unexpectedly", None),
     "the connection to the server was lost (server closed the connection unexpectedly)"),
    (_peewee(OperationalError, "terminating connection due to administrator command", "57P01"),
     "the connection to the server was lost (terminating connection due to administrator "
     "command)"),
    (InterfaceError("connection already closed"),
     "the connection to the server was lost (connection already closed)"),
    (_peewee(IntegrityError, "duplicate key value violates unique constraint", "23505"),
     "the server reported an error (duplicate key value violates unique constraint)"),
])
def test_a_postgresql_error_is_said_in_words_naming_the_library(pg_storage, error, said):
    with pytest.raises(LibraryError) as raised, database_errors(pg_storage, "Exporting"):
        raise error
    assert str(raised.value) == f"Exporting stopped: postgresql://ann:***@db.example/team: {said}."
    assert raised.value.__cause__ is error


def test_other_errors_pass_as_they_are(pg_storage, library):
    for storage in (pg_storage, library.storage):
        with pytest.raises(ValueError, match="not a database error"), \
                database_errors(storage, "Exporting"):
            raise ValueError("not a database error")


@pytest.mark.sqlite_only("SQLite's busy file")
def test_on_sqlite_a_busy_library_is_said_and_other_database_errors_pass(library):
    with pytest.raises(LibraryBusyError, match=r"^Importing x stopped: .*library\.sqlite3: the "
                                               "library is busy"), \
            database_errors(library.storage, "Importing x"):
        raise OperationalError("database is locked")
    error = OperationalError("no such table: nowhere")
    with pytest.raises(OperationalError) as raised, database_errors(library.storage, "Exporting"):
        raise error
    assert raised.value is error  # SQLite's own handling (damage, the CLI) still sees it
