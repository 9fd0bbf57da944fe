"""Which SQL the article list runs, and whether any of it reads the article table's rows.

The list must never read the article table itself: its rows carry the bodies (tens of
kilobytes each). Ids come from the list-order indexes, rows from the covering index
article_list_row, a search's matches from the full-text index. While recording, every
statement the list model's code runs (on the UI thread or in its workers) is kept, then
checked with EXPLAIN QUERY PLAN on a connection of the benchmark's own.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
from contextlib import contextmanager

TABLE = "article"
# `"article" AS "t1"`: the names a statement gives the article table.
_ALIASES = re.compile(r'(?<![\w"])"?' + TABLE + r'"?\s+AS\s+"?(\w+)"?', re.IGNORECASE)
_ACCESS = re.compile(r"^(?:SCAN|SEARCH) (\S+)(?: AS (\S+))?(.*)$")


def app_database(library):
    """The peewee database the library runs its SQL on: the one place the benchmark
    reaches below the Library API."""
    return library.storage.database


class ListQueries:
    """Records the SQL run by the list model's module while `recording()` is on.

    Statements run inside `library.search.snippets` (a search's snippets, read from the
    bodies of the rows on screen, by design) are kept apart and not checked."""

    def __init__(self, library, model) -> None:
        self.library = library
        self.database = app_database(library)
        self.module_file = sys.modules[type(model).__module__].__file__
        self.statements: dict[str, dict] = {}  # sql -> {"params", "calls", "snippets"}
        self.on = False
        self._local = threading.local()
        self._lock = threading.Lock()
        original_execute = self.database.execute_sql

        def execute_sql(sql, *args, **kwargs):
            if self.on and self._from_list():
                params = args[0] if args else kwargs.get("params")
                self._keep(sql, params)
            return original_execute(sql, *args, **kwargs)

        self.database.execute_sql = execute_sql
        original_snippets = library.search.snippets

        def snippets(*args, **kwargs):
            self._local.snippets = True
            try:
                return original_snippets(*args, **kwargs)
            finally:
                self._local.snippets = False

        library.search.snippets = snippets

    def _from_list(self) -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self.module_file:
                return True
            frame = frame.f_back
        return False

    def _keep(self, sql: str, params) -> None:
        with self._lock:
            found = self.statements.setdefault(sql, {"params": list(params or ()), "calls": 0,
                                                     "snippets": False})
            found["calls"] += 1
            found["snippets"] |= bool(getattr(self._local, "snippets", False))

    @contextmanager
    def recording(self):
        self.on = True
        try:
            yield
        finally:
            self.on = False

    def check(self, db_path: str) -> dict:
        """Each statement recorded, its query plan, and whether it reads article rows."""
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        merged: dict[tuple[str, bool], dict] = {}  # statements differing in IN lists as one
        try:
            for sql, found in self.statements.items():
                key = (_short(sql), found["snippets"])
                if key in merged:
                    merged[key]["calls"] += found["calls"]
                    continue
                try:
                    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}",
                                                           found["params"])]
                    reads = table_reads(sql, plan)
                except sqlite3.Error as exc:  # unknown counts as reading them
                    plan = reads = [f"(not explained: {exc})"]
                merged[key] = {"sql": key[0], "calls": found["calls"], "plan": plan,
                               "snippets": found["snippets"], "reads_article_rows": reads}
        finally:
            conn.close()
        checked = list(merged.values())
        rows_read = [c for c in checked if c["reads_article_rows"] and not c["snippets"]]
        return {"statements": checked, "checked": sum(1 for c in checked if not c["snippets"]),
                "reading_article_rows": [c["sql"] for c in rows_read],
                "loads_bodies": bool(rows_read) or not any(not c["snippets"] for c in checked)}


def table_reads(sql: str, plan: list[str]) -> list[str]:
    """The plan's steps that read the article table's rows (anything but a covering
    index): empty when the statement reads only indexes and the full-text index."""
    names = {TABLE, *(alias for alias in _ALIASES.findall(sql))}
    reads = []
    for step in plan:
        found = _ACCESS.match(step.strip())
        if found is None:
            continue
        name, alias, rest = found.groups()
        if (name.strip('"') in names or (alias or "").strip('"') in names) \
                and "COVERING INDEX" not in rest:
            reads.append(step)
    return reads


def _short(sql: str, limit: int = 400) -> str:
    """A statement as shown in the results: long IN (?, ?, …) lists shortened."""
    sql = re.sub(r"\(\?(, \?)*\)", "(?, …)", sql)
    return sql if len(sql) <= limit else sql[:limit] + "…"
