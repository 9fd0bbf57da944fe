"""What a library's schema holds, asked of the database itself on either engine."""

from __future__ import annotations

from typing import Any

from peewee import PostgresqlDatabase

# Engine bookkeeping, not library data: never copied, never compared.
BOOKKEEPING_TABLES = frozenset({"schema_version", "team_schema"})

# The columns `team init` adds (who wrote each highlight, and whether it is theirs alone):
# the one difference allowed between a team library and a personal one.
TEAM_COLUMNS = {"highlight": frozenset({"author", "private"})}


class SchemaInfo:
    """Tables, their copyable columns, primary keys, foreign-key parents and id
    sequences, for one open library on SQLite or PostgreSQL."""

    def __init__(self, database: Any) -> None:
        self.database = database
        self.postgres = isinstance(database, PostgresqlDatabase)
        self.param = "%s" if self.postgres else "?"

    def _rows(self, sql: str, params: Any = ()) -> list[tuple]:
        return self.database.execute_sql(sql, params).fetchall()

    def tables(self) -> list[str]:
        """The library's data tables, by name. Full-text indexes are left out: SQLite's
        FTS5 tables (and their shadow tables) and PostgreSQL's generated tsvector
        columns are rebuilt from the rows, never copied."""
        if self.postgres:
            names = [name for (name,) in self._rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema ="
                " current_schema() AND table_type = 'BASE TABLE'")]
        else:
            rows = self._rows("SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                              " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
            virtual = [name for name, sql in rows
                       if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
            names = [name for name, _sql in rows
                     if name not in virtual
                     and not any(name.startswith(v + "_") for v in virtual)]
        return sorted(name for name in names if name not in BOOKKEEPING_TABLES)

    def columns(self, table: str) -> list[str]:
        """The table's stored columns in order, generated columns left out."""
        if self.postgres:
            return [name for (name,) in self._rows(
                "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                " current_schema() AND table_name = %s AND is_generated = 'NEVER'"
                " ORDER BY ordinal_position", (table,))]
        # table_xinfo's hidden: 0 a plain column, 2 and 3 generated ones.
        return [row[1] for row in self._rows(f"PRAGMA table_xinfo({quote(table)})")
                if row[6] == 0]

    def primary_key(self, table: str) -> list[str]:
        if self.postgres:
            return [name for (name,) in self._rows(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = %s::regclass AND i.indisprimary"
                " ORDER BY array_position(i.indkey::int2[], a.attnum)", (quote(table),))]
        info = self._rows(f"PRAGMA table_info({quote(table)})")
        keyed = sorted((row[5], row[1]) for row in info if row[5] > 0)
        return [name for _position, name in keyed]

    def parents(self, table: str) -> set[str]:
        """The tables this one's foreign keys point at."""
        if self.postgres:
            return {name for (name,) in self._rows(
                "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint"
                " WHERE contype = 'f' AND conrelid = %s::regclass", (quote(table),))}
        return {row[2] for row in self._rows(f"PRAGMA foreign_key_list({quote(table)})")}

    def hides_rows(self, table: str) -> bool:
        """Whether row-level security may hide some of the table's rows from the
        connected role (FORCE applies it to the owner too; a superuser or a BYPASSRLS
        role sees every row). Always False on SQLite."""
        if not self.postgres:
            return False
        return bool(self._rows(
            "SELECT c.relrowsecurity AND (c.relforcerowsecurity OR c.relowner <> r.oid)"
            " AND NOT r.rolsuper AND NOT r.rolbypassrls"
            " FROM pg_class c, pg_roles r WHERE c.oid = %s::regclass"
            " AND r.rolname = current_user", (quote(table),))[0][0])

    def not_owned(self, tables: list[str]) -> list[str]:
        """Of `tables`, those the connected role may not empty and renumber: not its
        own (nor a role's it is a member of) and it no superuser. None on SQLite."""
        if not self.postgres:
            return []
        return [table for table in tables if not self._rows(
            "SELECT r.rolsuper OR pg_has_role(r.oid, c.relowner, 'MEMBER')"
            " FROM pg_class c, pg_roles r WHERE c.oid = %s::regclass"
            " AND r.rolname = current_user", (quote(table),))[0][0]]

    def insert_order(self, tables: list[str]) -> list[str]:
        """The tables with every table after the tables it refers to."""
        parents = {table: self.parents(table) & set(tables) - {table} for table in tables}
        ordered: list[str] = []
        while len(ordered) < len(tables):
            ready = sorted(t for t in tables if t not in ordered and parents[t] <= set(ordered))
            if not ready:
                raise ValueError(f"foreign keys form a cycle among {sorted(set(tables) - set(ordered))}")
            ordered.extend(ready)
        return ordered

    def next_ids(self) -> dict[str, int]:
        """For each table whose ids come from a sequence, the next id it would hand out:
        ids are never reused, so deleted items' ids count too."""
        found: dict[str, int] = {}
        if self.postgres:
            for table, column in self._rows(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND is_identity = 'YES'"):
                sequence = self._rows("SELECT pg_get_serial_sequence(%s, %s)",
                                      (quote(table), column))[0][0]
                last, called = self._rows(f"SELECT last_value, is_called FROM {sequence}")[0]
                top = self._rows(f"SELECT coalesce(max({quote(column)}), 0) FROM {quote(table)}")
                found[table] = max(last + 1 if called else last, top[0][0] + 1)
            return found
        has_sequence = self._rows(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
        sequences = dict(self._rows("SELECT name, seq FROM sqlite_sequence")) if has_sequence else {}
        for table in self.tables():
            sql = self._rows("SELECT sql FROM sqlite_master WHERE name = ?", (table,))[0][0]
            if "AUTOINCREMENT" in (sql or "").upper():
                top = self._rows(f"SELECT coalesce(max(rowid), 0) FROM {quote(table)}")[0][0]
                found[table] = max(sequences.get(table, 0), top) + 1
        return found

    def set_next_ids(self, next_ids: dict[str, int]) -> None:
        """Make each table's sequence hand out `next_ids[table]` next (or later)."""
        mine = self.next_ids()  # past the ids just copied in, at least
        for table in mine:
            wanted = next_ids.get(table, 0)
            if self.postgres:
                column = self._rows(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                    " current_schema() AND table_name = %s AND is_identity = 'YES'", (table,))[0][0]
                self._rows("SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                           (quote(table), column, max(wanted, mine[table])))
            else:
                last = max(wanted, mine[table]) - 1
                self.database.execute_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
                self.database.execute_sql(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, last))


def quote(name: str) -> str:
    """An identifier quoted for SQL on both engines ("end" is a column)."""
    return '"' + name.replace('"', '""') + '"'
