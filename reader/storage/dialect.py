"""The few SQL differences between the engines, in one place.

The core writes its raw SQL for SQLite, with `?` placeholders. On PostgreSQL the driver
(psycopg) takes `%s`; `to_format_placeholders` rewrites one into the other, leaving
string literals, quoted names and comments as they are; `to_postgres` adds the few other
spellings that differ. The SQLite path never calls either."""

from __future__ import annotations

import re
from functools import lru_cache


def to_format_placeholders(sql: str) -> str:
    """`sql` with each `?` placeholder outside quotes and comments turned into `%s`, and
    each literal `%` doubled so the driver does not read it as a placeholder.

    Quotes: '…' and "…" (a doubled quote inside stays inside); comments: -- to the end
    of the line and /* … */. Raises ValueError for a quote or comment left open, naming
    where it starts, since the statement would fail on either engine."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while True:
                end = sql.find(ch, end)
                if end < 0:
                    raise ValueError(f"unterminated {ch} quote at character {i} in SQL: {sql!r}")
                if end + 1 < n and sql[end + 1] == ch:  # a doubled quote stays inside
                    end += 2
                    continue
                break
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise ValueError(f"unterminated /* comment at character {i} in SQL: {sql!r}")
            out.append(sql[i:end + 2].replace("%", "%%"))
            i = end + 2
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# The bits of the core's SQLite SQL that PostgreSQL spells otherwise, each a rule with
# its reason. Applied after the placeholders are rewritten (so `?` is `%s` here).
_POSTGRES_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # `INSERT OR IGNORE INTO t (…) VALUES (…)`: a conflict skips the row.
    (re.compile(r"(?is)^\s*INSERT\s+OR\s+IGNORE\s+(INTO\s.*?)\s*;?\s*$"),
     r"INSERT \1 ON CONFLICT DO NOTHING"),
    # `INDEXED BY name` names a SQLite index; PostgreSQL's planner picks its own.
    (re.compile(r"(?i)\s+INDEXED\s+BY\s+\w+"), ""),
    # An equality ignoring case: the schema has unique indexes on lower(column).
    (re.compile(r"(?i)([\w.]+)\s*=\s*%s\s+COLLATE\s+NOCASE\b"), r"lower(\1) = lower(%s)"),
    # SQLite puts NULL first going up, so last going down; PostgreSQL the other way.
    (re.compile(r"(?i)\bDESC\b(?!\s+NULLS)"), "DESC NULLS LAST"),
    # SQLite's "no limit" (LIMIT -1, needed before an OFFSET).
    (re.compile(r"(?i)\bLIMIT\s+-1\b"), "LIMIT ALL"),
)


@lru_cache(maxsize=1024)
def to_postgres(sql: str) -> str:
    """The core's SQLite statement `sql` in PostgreSQL's spelling: `?` placeholders as
    `%s` (see to_format_placeholders), then the rules above. The core's statements are a
    fixed set, so each is rewritten once. Only the PostgreSQL library calls this."""
    sql = to_format_placeholders(sql)
    for pattern, replacement in _POSTGRES_RULES:
        sql = pattern.sub(replacement, sql)
    return _lower_for_nocase(sql)


_NOCASE = re.compile(r"(?i)\s+COLLATE\s+NOCASE\b")
_NAME_BEFORE = re.compile(r"[\w.]+$")
_CASE_OR_END = re.compile(r"(?i)\b(CASE|END)\b")


def _lower_for_nocase(sql: str) -> str:
    """Each `operand COLLATE NOCASE` left as an order ignoring case, `lower(operand)`.

    The operand is a name (`a.title`), a call or parenthesised expression (`f(x)`,
    `(a || b)`) or a whole `CASE … END`. An operand this cannot find is left as it
    was, so the statement fails on PostgreSQL naming the collation rather than running
    with another meaning."""
    while (found := _NOCASE.search(sql)) is not None:
        start = _operand_start(sql, found.start())
        if start is None:
            break
        sql = f"{sql[:start]}lower({sql[start:found.start()]}){sql[found.end():]}"
    return sql


def _operand_start(sql: str, end: int) -> int | None:
    """Where the operand ending at `end` starts (see _lower_for_nocase), or None."""
    head = sql[:end]
    if head.endswith(")"):
        depth = 0
        for i in range(len(head) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(head[i], 0)
            if depth == 0:
                name = _NAME_BEFORE.search(head[:i])  # a function's name
                return name.start() if name else i
        return None
    if re.search(r"(?i)\bEND$", head):
        depth = 0
        for word in reversed(list(_CASE_OR_END.finditer(head))):
            depth += 1 if word.group(1).upper() == "END" else -1
            if depth == 0:
                return word.start()
        return None
    name = _NAME_BEFORE.search(head)
    return name.start() if name else None
