"""Runs the whole benchmark: build (or reuse) the library, run the probes, report.

    .venv/bin/python -m bench [--articles N] [--out bench/results.json] [--pg URL|auto|off]

The core rows also run on PostgreSQL (bench.engines, on at most 10,000 articles), on the
server $MARGINALIA_BENCH_PG or --pg names, else on a throw-away cluster when PostgreSQL
is installed (bench.pg_server); without one they are recorded as skipped, with the reason.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import corpus, engines, pg_server
from bench.build import (
    CACHE_DIR,
    FEW_HIGHLIGHTS,
    MANY_HIGHLIGHTS,
    Params,
    app_session_marker,
    cached_paths,
    ensure_library,
    remove_backups,
    restore,
)
from bench.report import rows, stall_rows, table

ROOT = Path(__file__).resolve().parent.parent
TERMS = {
    "rare": corpus.RARE_TERM,
    "common": corpus.COMMON_TERM,
    "phrase": f'"{corpus.PHRASE[0]} {corpus.PHRASE[1]}"',
    **{f"prefix {corpus.PREFIX_WORD[:n]}": corpus.PREFIX_WORD[:n] for n in range(1, 6)},
}
EXPORT_HIGHLIGHTS = 10_000


class ProbeError(RuntimeError):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000,
                        help="library size (default 100,000; 2,000 for a quick run)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json",
                        help="where to write the JSON results (default bench/results.json)")
    parser.add_argument("--runs", type=int, default=5,
                        help="fresh processes per start-up measurement (default 5)")
    parser.add_argument("--reps", type=int, default=5,
                        help="repetitions of each in-process measurement (default 5)")
    parser.add_argument("--budget", type=float, default=30.0,
                        help="no further repetition of a measurement after this many seconds "
                             "(default 30)")
    parser.add_argument("--scroll-pages", type=int, default=0,
                        help="stop scrolling the list after this many pages (default 0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default=pg_server.default_choice(),
                        help=f"where the core rows also run on PostgreSQL: a superuser's "
                             f"postgresql:// URL (a database is created on it and dropped "
                             f"after), auto (a throw-away cluster with tests/pg/cluster.sh "
                             f"when initdb is installed) or off (default "
                             f"${pg_server.ENV}, else auto)")
    args = parser.parse_args(argv)
    if args.articles < 10:
        parser.error("--articles must be at least 10")
    return args


def machine() -> dict:
    import sqlite3

    from PySide6 import QtCore
    from PySide6 import __version__ as pyside_version

    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 2**20, 1),
        "os": platform.platform(), "python": platform.python_version(),
        "pyside6": pyside_version, "qt": QtCore.qVersion(), "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": os.getloadavg(),
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def probe(kind: str, args: dict, timeout: float = 3600) -> dict:
    """Run one probe in a fresh process with throw-away config/data folders."""
    with tempfile.TemporaryDirectory(prefix="marginalia-probe-") as home:
        home_path = Path(home)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        for name in ("CONFIG", "DATA", "STATE", "CACHE"):
            env[f"XDG_{name}_HOME"] = str(home_path / name.lower())
        runtime = home_path / "run"
        runtime.mkdir(mode=0o700)
        env["XDG_RUNTIME_DIR"] = str(runtime)
        env.pop("MARGINALIA_TRACE_FILE", None)
        out = home_path / "result.json"
        command = [sys.executable, "-m", "bench.probes", kind, json.dumps({**args, "out": str(out)})]
        env["BENCH_T0"] = repr(time.monotonic())
        done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
        result = json.loads(out.read_text()) if out.exists() else None
        if done.returncode != 0 or result is None or "error" in result:
            detail = (result or {}).get("traceback") or done.stderr[-3000:]
            raise ProbeError(f"the {kind} probe failed (exit {done.returncode}):\n{detail}")
        return result


def exclusive(log=print):
    """Hold the benchmark's lock for the life of the process: two runs at once would share
    (and rebuild, clean and back up) the same cached library and distort each other's
    timings on a 2-core machine, so a second run waits."""
    try:
        import fcntl
    except ImportError:  # not on Linux/macOS: run unguarded
        return None
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    handle = (CACHE_DIR / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log("Another benchmark run is in progress; waiting for it to finish…")
        fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    lock = exclusive(lambda line: print(line, flush=True))  # noqa: F841 - held until exit
    info = machine()
    app = app_fingerprint()  # before measuring: the source may be edited meanwhile
    # Byte-compiled first, as an installed app is (pip compiles a wheel's modules): the
    # probes must not time compiling edited sources (PYTHONDONTWRITEBYTECODE would make
    # every fresh process compile them again).
    compileall.compile_dir(ROOT / "reader", quiet=1)
    print(f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM; "
          f"Python {info['python']}, Qt {info['qt']}, SQLite {info['sqlite']}", flush=True)
    params = Params(articles=args.articles, seed=args.seed)
    built_now = not all(path.exists() for path in cached_paths(params))
    built = ensure_library(params, log=lambda line: print(line, flush=True))
    base = {"db": built.path}

    # The first start-up of a day also backs the library up (reader.storage.backup.backup_if_due):
    # measured once, from a library without today's backup. The app's backups of the
    # synthetic library are removed again at the end, so that runs do not pile up copies.
    library = Path(built.path)
    remove_backups(library)
    print("First start-up of the day (with the daily backup)…", flush=True)
    first_of_day = probe("startup", base)
    print(f"Start-up: {args.runs} fresh processes each (plus one warm-up)…", flush=True)
    warm = {"bare": probe("bare", {}), "startup": probe("startup", base)}
    # After a crash the app checks the whole file before opening it.
    marker = app_session_marker(library)
    after_crash = None
    if marker is not None:
        marker.touch()
        after_crash = probe("startup", base)
    bare, startup = [], []
    for _ in range(args.runs):  # interleaved, so that drift in machine load hits both
        bare.append(probe("bare", {}))
        startup.append(probe("startup", base))

    print("Session: scrolling, search, opening, highlighting, export, import…", flush=True)
    ordinary = built.highlights - FEW_HIGHLIGHTS - MANY_HIGHLIGHTS
    session_args = {
        **base, "reps": args.reps, "budget_s": args.budget, "scroll_pages": args.scroll_pages,
        "terms": TERMS,
        "few": built.few_highlights_article, "many": built.many_highlights_article,
        "highlights_per_article": built.highlights_per_article,
        "export_highlights": min(EXPORT_HIGHLIGHTS, ordinary), "seed": args.seed,
    }
    try:
        session = probe("session", session_args)
    finally:
        restore(built)  # reading positions etc. written while the window was open
        remove_backups(library)

    # The command line as whole processes, after the window's probes (nothing else runs).
    print("Command line: search, list and show beside rg and a bare python…", flush=True)
    from bench import cli

    command_line = cli.measure(library, {"rare": corpus.RARE_TERM, "common": corpus.COMMON_TERM},
                               runs=max(args.runs, 9), log=lambda line: print(line, flush=True))
    restore(built)
    remove_backups(library)

    postgres = measure_postgres(args, built)

    results = {
        "machine": {**info, "load_average_at_end": os.getloadavg()},
        "app": {**app, "source_changed_during_run": app_fingerprint() != app},
        "params": {**vars(args), "out": str(args.out), "pg": postgres["choice"]},
        "library": {
            "path": built.path, "articles": built.articles, "highlights": built.highlights,
            "tags": built.tags, "file_mb": round(built.file_bytes / 2**20, 1),
            "build_seconds": round(built.build_seconds, 1), "built_this_run": built_now,
            "few_highlights_article": built.few_highlights_article,
            "many_highlights_article": built.many_highlights_article,
        },
        "startup": {
            "bare_ms": [r["painted"] * 1000 for r in bare],
            "app_ms": [r["painted"] * 1000 for r in startup],
            "warm_up_ms": {k: v["painted"] * 1000 for k, v in warm.items()},
            "first_of_day_ms": first_of_day["painted"] * 1000,
            "after_crash_ms": after_crash["painted"] * 1000 if after_crash else None,
            "first_of_day_phases_ms": {k: v * 1000 for k, v in first_of_day["phases"].items()},
            "app_phases_ms": _median_phases(startup),
            "rows_fetched": [r["rows_fetched"] for r in startup],
            "rows": startup[0]["rows"],
            "rows_at_paint": [r.get("rows_at_paint", r["rows"]) for r in startup],
            # The longest UI stall from the first paint until the whole list was read.
            "stalls_ms": [r.get("stall_ms") for r in startup],
            "first_of_day_stall_ms": first_of_day.get("stall_ms"),
            "after_crash_stall_ms": after_crash.get("stall_ms") if after_crash else None,
            "app_peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in startup),
            "bare_peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in bare),
        },
        "session": session,
        "cli": command_line,
        "postgres": postgres,
    }
    results["rows"] = [row.as_dict() for row in rows(results)]
    results["stall_rows"] = [row.as_dict() for row in stall_rows(results)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print()
    print(table(results))
    print(f"\nResults written to {args.out}")
    return 0


def measure_postgres(args: argparse.Namespace, built) -> dict:
    """The core rows on both engines (bench.engines), on the run's library or, for a
    larger run, the 10,000-article one (built once and cached as the others)."""
    size = engines.size_for(args.articles)
    print(f"PostgreSQL: list page, highlight commit and search at {size:,} articles, "
          "beside SQLite…", flush=True)

    def log(line: str) -> None:
        print(line, flush=True)

    small, built_now = built, False
    if size != args.articles:
        params = Params(articles=size, seed=args.seed)
        built_now = not all(path.exists() for path in cached_paths(params))
        small = ensure_library(params, log=log)
    try:
        section = engines.measure(Path(small.path), args.pg, reps=max(args.reps, 9), log=log)
    finally:
        restore(small)
        remove_backups(Path(small.path))
    section["library_build_seconds"] = round(small.build_seconds, 1)
    section["library_built_this_run"] = built_now
    return section


def app_fingerprint() -> dict:
    """Which version of the app was measured: its schema and a hash of its source."""
    from reader.storage.database import SCHEMA_VERSION

    digest = hashlib.sha256()
    for path in sorted((ROOT / "reader").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return {"schema_version": SCHEMA_VERSION, "source_sha256": digest.hexdigest()[:16]}


def _median_phases(runs: list[dict]) -> dict[str, float]:
    names = runs[0]["phases"].keys()
    return {name: statistics.median(r["phases"][name] for r in runs) * 1000 for name in names
            if all(r["phases"].get(name) is not None for r in runs)}
