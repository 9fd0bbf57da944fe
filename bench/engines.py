"""The core rows on both engines: the benchmark's library as a SQLite file and the same
library copied into a PostgreSQL database (`marginalia copy`), timed in the same run.

    python -m bench.engines [--articles 10000] [--pg URL|auto|off] [--reps 9]

At most 10,000 articles (`SIZE`): a larger benchmark run builds (or reuses) its
10,000-article library for these rows. Each row is the PostgreSQL figure beside the
SQLite one (its floor), the runs alternating between the engines so that drift in the
machine's load hits both alike:

- list page: the first page of the article list as the window reads it (the ids of its
  first FIRST_ROWS articles in list order, then the rows of the first PAGE);
- highlight commit: `library.highlights.create` until committed, median over CREATES
  (each undone afterwards);
- search first results: the first page of a full-text search as the window reads it
  (its first FIRST_ROWS matches unranked, or all of them ranked when fewer, then the
  rows of the first PAGE).

A row PostgreSQL cannot run (no server; a feature not available there yet) keeps its
SQLite figure and records the reason it was skipped.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from bench import corpus, pg_server

SIZE = 10_000
CREATES = 50
SEARCH_TERMS = {"rare": corpus.RARE_TERM, "common": corpus.COMMON_TERM,
                "phrase": f'"{corpus.PHRASE[0]} {corpus.PHRASE[1]}"'}
LIST_FILTERS = {"order": "added", "archived": False}  # the window's list as it opens


def size_for(articles: int) -> int:
    """The library size these rows use for a benchmark run of `articles`."""
    return min(SIZE, articles)


def _page_sizes() -> tuple[int, int]:
    """How many ids the window's list reads first, and how many rows a page holds."""
    from reader.ui.article_list import FIRST_ROWS, PAGE

    return FIRST_ROWS, PAGE


def _step(parts: dict | None, name: str, action: Callable[[], object]) -> object:
    """Run one step of a row, keeping its time in `parts` (name -> ms) when given."""
    started = time.perf_counter()
    result = action()
    if parts is not None:
        parts.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return result


def list_page(library, parts: dict | None = None) -> list[int]:
    """The first page of the article list, as the window reads it when it opens."""
    first_rows, page = _page_sizes()
    ids = _step(parts, "ids", lambda: library.articles.ids(ranked=True, limit=first_rows,
                                                           **LIST_FILTERS))
    _step(parts, "rows", lambda: library.articles.summaries(ids[:page]))
    return ids


def first_results(library, text: str, parts: dict | None = None) -> list[int]:
    """The first page of a full-text search, as the window's list reads it."""
    first_rows, page = _page_sizes()

    def matches() -> list[int]:
        ids = library.articles.ids(search=text, ranked=False, limit=first_rows, **LIST_FILTERS)
        if len(ids) < first_rows:  # few matches: the window ranks them all at once
            ids = library.articles.ids(search=text, **LIST_FILTERS)
        return ids

    ids = _step(parts, "ids", matches)
    _step(parts, "rows", lambda: library.articles.summaries(ids[:page]))
    return ids


def _ms(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def _skip_reason(action: Callable[[], object]) -> str | None:
    """Run `action` once (a warm-up): None if it ran, else the LibraryError's message
    (a feature not available on this engine yet)."""
    from reader.library import LibraryError

    try:
        action()
    except LibraryError as exc:
        return str(exc)
    return None


def _interleaved(actions: dict[str, Callable[[], object] | None], reps: int) -> dict:
    """Each engine's action (None: skipped) timed `reps` times, the engines taking
    turns; with what the last run returned."""
    times: dict[str, list[float] | None] = {e: [] if a else None for e, a in actions.items()}
    last: dict[str, object] = {}
    for _ in range(reps):
        for engine, action in actions.items():
            if action is not None:
                ms, last[engine] = _ms(action)
                times[engine].append(ms)
    return {"times": times, "last": last}


def _row(timed: dict, skipped: str | None, parts: dict | None = None, **extra) -> dict:
    """A row's raw figures: each engine's times (None: skipped, and why), and the
    medians of its steps on each engine."""
    times = timed["times"]
    steps = {engine: {name: statistics.median(ms[1:] or ms) for name, ms in found.items()}
             for engine, found in (parts or {}).items() if found}
    return {"sqlite_ms": times["sqlite"], "pg_ms": times.get("pg"), "skipped": skipped,
            "parts_ms": steps, **extra}


def measure_rows(sqlite, pg, reps: int, skipped: str | None = None) -> dict:
    """The rows on the SQLite library and (unless None, with `skipped` saying why) the
    same library on PostgreSQL."""
    libraries = {"sqlite": sqlite, "pg": pg}
    rows: dict[str, dict] = {}

    def timed(make: Callable[[str, object], Callable[[], object]],
              count: int) -> tuple[dict, str | None]:
        actions = {e: make(e, lib) if lib is not None else None for e, lib in libraries.items()}
        reason = skipped
        for engine, action in actions.items():  # warm-up, which also finds what is missing
            found = _skip_reason(action) if action is not None else None
            if found is not None and engine == "sqlite":
                raise RuntimeError(f"the SQLite library cannot run this row: {found}")
            if found is not None:
                actions[engine], reason = None, found
        return _interleaved(actions, count), reason

    parts: dict[str, dict] = {engine: {} for engine in libraries}
    found, reason = timed(lambda engine, lib: lambda: list_page(lib, parts[engine]), reps)
    listed = found["last"]["sqlite"]
    rows["list"] = _row(found, reason, parts, shown=len(listed),
                        same_ids=found["last"]["pg"] == listed if "pg" in found["last"] else None)

    # The same spans of the same article on both engines, in the same order (one more
    # than timed: the warm-up's).
    article_id = listed[min(5, len(listed) - 1)]
    spans = corpus.highlight_spans(random.Random(7), sqlite.articles.text(article_id),
                                   CREATES + 1)
    queues = {engine: iter(spans) for engine in libraries}
    made = {engine: 0 for engine in libraries}

    def create(engine: str, lib) -> Callable[[], None]:
        def run() -> None:
            start, end = next(queues[engine])
            lib.highlights.create(article_id, start, end)
            made[engine] += 1
        return run

    try:
        found, reason = timed(create, CREATES)
    finally:
        for engine, count in made.items():
            for _ in range(count):
                libraries[engine].undo()
    rows["create"] = _row(found, reason, article=article_id)

    for name, term in SEARCH_TERMS.items():
        parts = {engine: {} for engine in libraries}
        found, reason = timed(lambda engine, lib, t=term, p=parts: lambda: first_results(
            lib, t, p[engine]), reps)
        rows[f"search {name}"] = _row(
            found, reason, parts, text=term, sqlite_found=len(found["last"]["sqlite"]),
            pg_found=len(found["last"]["pg"]) if "pg" in found["last"] else None)
    return rows


def measure(sqlite_path: Path, choice: str, reps: int, log=print) -> dict:
    """The `postgres` section of the results: the server, the copy and the rows."""
    from reader.library import Library, LibraryError
    from reader.storage.copy import copy_library

    out: dict = {"library": str(sqlite_path), "choice": _shown(choice), "server": None,
                 "database": None, "skipped": None, "copy_s": None, "reps": reps,
                 "creates": CREATES}
    sqlite = Library.open(sqlite_path)
    try:
        out["articles"] = sqlite.articles.count()
        try:
            with pg_server.server(choice, log) as server, \
                    pg_server.fresh_database(server.url) as url:
                out["database"] = urlsplit(url).path.strip("/")  # dropped at the end
                out["server"] = {"origin": server.origin, **pg_server.settings(url)}
                log(f"Copying {out['articles']:,} articles into PostgreSQL "
                    f"{out['server']['server_version'].split()[0]} (marginalia copy)…")
                try:
                    report = copy_library(sqlite_path, url)
                except LibraryError as exc:
                    raise pg_server.Unavailable(f"copying the library failed: {exc}") from None
                out["copy_s"] = report.seconds
                pg_server.analyze(url)
                pg = Library.open(url)
                try:
                    out["rows"] = measure_rows(sqlite, pg, reps)
                finally:
                    pg.close()
        except pg_server.Unavailable as exc:
            out["skipped"] = str(exc)
            log(f"PostgreSQL rows skipped: {exc}")
            out["rows"] = measure_rows(sqlite, None, reps, skipped=str(exc))
    finally:
        sqlite.close()
    return out


def _shown(choice: str) -> str:
    from reader.storage.postgres import redact

    return redact(choice)


def main(argv: list[str] | None = None) -> int:
    from bench.build import Params, ensure_library, remove_backups, restore
    from bench.report import _number, _postgres_server, postgres_rows

    parser = argparse.ArgumentParser(prog="python -m bench.engines",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=SIZE,
                        help=f"library size (default and at most {SIZE:,})")
    parser.add_argument("--pg", default=pg_server.default_choice(),
                        help=f"a superuser's postgresql:// URL, auto or off (default "
                             f"${pg_server.ENV}, else auto: a throw-away cluster)")
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    built = ensure_library(Params(articles=size_for(args.articles), seed=args.seed))
    try:
        section = measure(Path(built.path), args.pg, args.reps)
    finally:
        restore(built)
        remove_backups(Path(built.path))
    print(_postgres_server(section))
    for row in postgres_rows(section):
        shown = _number(row.value, row.unit) if row.value is not None else "skipped"
        print(f"{row.measurement}: {shown} (SQLite {_number(row.floor, row.unit)}"
              + (f", {row.ratio:.2f}×" if row.ratio else "") + f") — {row.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
