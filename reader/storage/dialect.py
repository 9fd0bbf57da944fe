"""The few SQL differences between the engines, in one place.

The core writes its raw SQL for SQLite, with `?` placeholders. On PostgreSQL the driver
(psycopg) takes `%s`; `to_format_placeholders` rewrites one into the other, leaving
string literals, quoted names and comments as they are. The SQLite path never calls it."""

from __future__ import annotations


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
