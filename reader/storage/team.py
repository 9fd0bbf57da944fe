"""A team library on PostgreSQL: the readers' group role, who wrote each highlight, and
private highlights that only their author can read, enforced by row-level security."""

from __future__ import annotations

import re

from peewee import DatabaseError

from reader.storage.postgres import PostgresLibraryError, PostgresStorage

# The team layer's own bookkeeping (PostgreSQL only, never copied): its version and the
# group role whose members are the library's readers.
TEAM_TABLE = "team_schema"
TEAM_VERSION = 2  # 2: a note's history is as private as its highlight

# A role name as written without quotes: what people type, and what libpq's usual
# places (PGUSER, ~/.pgpass) hold. 63 bytes is PostgreSQL's limit.
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_role_name(name: str) -> str:
    if not _ROLE_NAME.match(name):
        raise PostgresLibraryError(
            f"{name!r} is not a usable role name: lower-case letters, digits and _ only, "
            "not starting with a digit, at most 63 characters.")
    if name.startswith("pg_"):
        raise PostgresLibraryError(f"{name!r}: names starting with pg_ are PostgreSQL's own.")
    return name


def default_group(storage: PostgresStorage) -> str:
    """The readers' group role for this database: `<database>_readers`."""
    database = storage.rows("SELECT current_database()")[0][0]
    return re.sub(r"[^a-z0-9_]", "_", database.lower())[:55] + "_readers"


def team_group(storage: PostgresStorage) -> str | None:
    """The library's readers' group role, or None when it is not a team library."""
    present = storage.rows("SELECT to_regclass(?) IS NOT NULL", (TEAM_TABLE,))[0][0]
    if not present:
        return None
    return storage.rows(f"SELECT group_role FROM {TEAM_TABLE}")[0][0]


def team_version(storage: PostgresStorage) -> int:
    """How far the library's team set-up has come (0: not a team library)."""
    if team_group(storage) is None:
        return 0
    return storage.rows(f"SELECT version FROM {TEAM_TABLE}")[0][0]


def outdated_message(storage: PostgresStorage) -> str:
    """Why a team library set up by an earlier version cannot keep a note's history
    private yet, and who can change that."""
    return (f"{storage.url} was made a team library by an earlier version of Marginalia "
            f"(team set-up {team_version(storage)} of {TEAM_VERSION}), whose notes' "
            "histories are not private. Ask the library's owner to run `marginalia team "
            "init URL` again to bring it up to date; until then a note that would keep "
            "someone's earlier version is not saved.")


def init(storage: PostgresStorage, group: str | None = None, upto: int = TEAM_VERSION) -> str:
    """Make the (already migrated) library a team library, or bring an older team set-up
    up to date; returns the group role. `upto` stops at an earlier team version (for
    the tests of the upgrade).

    Creates the group role (NOLOGIN) unless it exists, gives it the use of every table
    and sequence, adds `author` (the role that made it, by default the one connected)
    and `private` to the highlights, and lets row-level security show a private
    highlight, its note and its note's history included, to its author alone. Running
    it again on an up-to-date library changes nothing. The connected role must be
    allowed to create roles and own the tables."""
    existing = team_group(storage)
    if existing is not None and group is not None and group != existing:
        raise PostgresLibraryError(
            f"{storage.url} is already a team library, for the group {existing}.")
    group = existing or check_role_name(group or default_group(storage))
    done = team_version(storage)
    if done >= upto:
        return group
    run = storage.database.execute_sql
    try:
        with storage.write():
            for version in range(done + 1, upto + 1):
                _STEPS[version - 1](storage, group)
            if done == 0:
                run(f"CREATE TABLE {TEAM_TABLE} (version integer NOT NULL,"
                    " group_role text NOT NULL)")
                run(f"INSERT INTO {TEAM_TABLE} (version, group_role) VALUES (%s, %s)",
                    (upto, group))
                run(f'GRANT SELECT ON {TEAM_TABLE} TO "{group}"')
            else:
                run(f"UPDATE {TEAM_TABLE} SET version = %s", (upto,))
    except DatabaseError as exc:
        raise PostgresLibraryError(
            f"{storage.url}: cannot {'make it a team library' if done == 0 else 'bring its team set-up up to date'}"
            f" ({' '.join(str(exc).split())}); nothing was changed.") from None
    finally:
        storage.forget_team()
    return group


def _team_v1(storage: PostgresStorage, group: str) -> None:
    """The group's rights, and highlights with an author, private ones for them alone."""
    run = storage.database.execute_sql
    if not storage.rows("SELECT 1 FROM pg_roles WHERE rolname = ?", (group,)):
        run(f'CREATE ROLE "{group}" NOLOGIN')
    database = storage.rows("SELECT current_database()")[0][0].replace('"', '""')
    run(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{group}"')
    schema = storage.rows("SELECT current_schema()")[0][0].replace('"', '""')
    run(f'GRANT USAGE ON SCHEMA "{schema}" TO "{group}"')
    run(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}"'
        f' TO "{group}"')
    run(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{group}"')
    # Readers read and write the library; its schema stays the owner's.
    run(f'REVOKE CREATE ON SCHEMA "{schema}" FROM PUBLIC')
    run("ALTER TABLE highlight ADD COLUMN author text NOT NULL DEFAULT current_user")
    run("ALTER TABLE highlight ADD COLUMN private boolean NOT NULL DEFAULT false")
    run("CREATE INDEX highlight_author ON highlight (author, article_id)")
    run("ALTER TABLE highlight ENABLE ROW LEVEL SECURITY")
    # FORCE: the owner (whoever ran team init) reads as a reader too.
    run("ALTER TABLE highlight FORCE ROW LEVEL SECURITY")
    mine = "(NOT private OR author = current_user)"
    run(f"CREATE POLICY highlight_read ON highlight FOR SELECT USING {mine}")
    run("CREATE POLICY highlight_add ON highlight FOR INSERT"
        " WITH CHECK (author = current_user)")
    run(f"CREATE POLICY highlight_change ON highlight FOR UPDATE USING {mine}"
        f" WITH CHECK {mine}")
    run(f"CREATE POLICY highlight_remove ON highlight FOR DELETE USING {mine}")


def _team_v2(storage: PostgresStorage, group: str) -> None:
    """A note's history (schema 13) as private as its highlight: a version is there for
    whoever can see the highlight, through the highlight's own policies. Versions are
    added (a save that replaced one) and removed (undoing that save), never edited."""
    run = storage.database.execute_sql
    # Granted by name: a library made a team one before schema 13 had no such table.
    run(f'GRANT SELECT, INSERT, DELETE ON note_history TO "{group}"')
    run(f'GRANT USAGE, SELECT ON SEQUENCE note_history_id_seq TO "{group}"')
    run("ALTER TABLE note_history ENABLE ROW LEVEL SECURITY")
    run("ALTER TABLE note_history FORCE ROW LEVEL SECURITY")
    visible = ("(EXISTS (SELECT 1 FROM highlight h"
               " WHERE h.id = note_history.highlight_id))")
    run(f"CREATE POLICY note_history_read ON note_history FOR SELECT USING {visible}")
    run(f"CREATE POLICY note_history_add ON note_history FOR INSERT WITH CHECK {visible}")
    run(f"CREATE POLICY note_history_remove ON note_history FOR DELETE USING {visible}")


# The team set-up's steps, in order: version n is _STEPS[n - 1] (TEAM_VERSION in all).
_STEPS = (_team_v1, _team_v2)
assert len(_STEPS) == TEAM_VERSION


def add_reader(storage: PostgresStorage, name: str) -> bool:
    """Let the role `name` read and annotate the team library: it joins the group. A
    role that does not exist is created (LOGIN, no password: the server's
    authentication, or an administrator's ALTER ROLE … PASSWORD, decides how it logs
    in). Returns whether the role was created."""
    name = check_role_name(name)
    group = team_group(storage)
    if group is None:
        raise PostgresLibraryError(
            f"{storage.url} is not a team library yet: run `marginalia team init URL` first.")
    run = storage.database.execute_sql
    try:
        with storage.write():
            created = not storage.rows("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,))
            if created:
                run(f'CREATE ROLE "{name}" LOGIN')
            run(f'GRANT "{group}" TO "{name}"')
    except DatabaseError as exc:
        raise PostgresLibraryError(
            f"{storage.url}: cannot add the reader {name} ({' '.join(str(exc).split())}); "
            "nothing was changed.") from None
    return created
