"""The benchmark runs end to end on a small library, so a change that breaks it is seen
here and not first at 100,000 articles (its figures are not judged: timings belong in
`make bench`, on a quiet machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_benchmark_runs_and_reports_every_operation(tmp_path):
    out = tmp_path / "results.json"
    env = {**os.environ, "MARGINALIA_BENCH_CACHE": str(tmp_path / "cache"),
           "QT_QPA_PLATFORM": "offscreen"}
    # The PostgreSQL rows on the tests' server; without one, recorded as skipped (never
    # on a cluster of the run's own: tests/e2e/test_bench_postgres.py starts that).
    pg = os.environ.get("MARGINALIA_TEST_PG") or "off"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--articles", "300", "--runs", "1", "--reps", "1",
         "--pg", pg, "--out", str(out)], check=False, cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["library"]["articles"] == 300
    measured = {row["measurement"] for row in results["rows"]}
    assert any(m.startswith("Start-up to list painted") for m in measured)
    assert any("never" in row.get("target", "") and row["met"] for row in results["rows"]), \
        "the list's SQL check did not run or found a read of the bodies"
    stalls = {row["measurement"] for row in results["stall_rows"]}
    for operation in ("scroll the list, page by page", "change the list's order or filter",
                      "save 200 web pages in the window's worker",
                      "refresh 100 unchanged feeds in the window's worker"):
        assert operation in stalls
    assert all(isinstance(row["value"], (int, float)) for row in results["stall_rows"])

    # The web rows, against the benchmark's own server on 127.0.0.1: every page saved
    # (by the core and by the window), every feed answering 304 to the second refresh.
    web = results["session"]["web"]
    assert web["save"]["saved"] == 200 and not web["save"]["problems"]
    assert web["save"]["window_saved"] == 200
    assert web["save"]["floor_extracted"] == web["save"]["floor_fetched_extracted"] == 200
    # The same pages as saved files: every one imported, every one extracted by the floor.
    assert web["save"]["imported"] == web["save"]["import_floor_extracted"] == 200
    assert not web["save"]["import_problems"]
    feeds = web["feeds"]
    assert feeds["first_added"] == 300 and not feeds["first_failed"]
    assert feeds["not_modified"] == feeds["answered_304"] == feeds["floor_304"] == 100
    assert feeds["window_started"] and feeds["window_304"] == 100
    for start in ("Save 200 pages from a local server", "Import 200 saved pages",
                  "Longest UI stall while the window saves",
                  "Refresh 100 unchanged feeds", "Longest UI stall while the window refreshes"):
        row = next((r for r in results["rows"] if r["measurement"].startswith(start)), None)
        assert row is not None, f"no row {start!r}"
        assert isinstance(row["value"], (int, float)) and row["met"] is not None
    for start in ("Save 200 pages", "Import 200 saved pages", "Refresh 100 unchanged feeds"):
        row = next(r for r in results["rows"] if r["measurement"].startswith(start))
        assert row["floor"] and row["ratio"], f"{start}: no floor measured"

    # The daily review at 50,000 highlights, 20,000 with history: the core's queue
    # beside its floor, and the review screen opening in the window.
    review = results["session"]["review"]
    assert review["highlights"] >= 50_000 and review["cards"] >= 20_000
    assert review["queue"]["due"] == 50 and review["queue"]["new"] == 10
    for start in ("Build today's review queue", "Open the review screen"):
        row = next((r for r in results["rows"] if r["measurement"].startswith(start)), None)
        assert row is not None, f"no row {start!r}"
        assert isinstance(row["value"], (int, float)) and row["met"] is not None
    queue_row = next(r for r in results["rows"]
                     if r["measurement"].startswith("Build today's review queue"))
    assert queue_row["floor"] and queue_row["ratio"]

    # The core rows on PostgreSQL, each beside its SQLite figure: timed on the tests'
    # server, or skipped with the reason; none missing either way.
    section = results["postgres"]
    assert section["articles"] == 300
    postgres = [r for r in results["rows"] if r["measurement"].startswith("PostgreSQL (300")]
    assert len(postgres) == 5, [r["measurement"] for r in postgres]
    assert all(r["floor"] and r["floor"] > 0 for r in postgres)
    if pg == "off":
        assert section["skipped"] == "--pg off was given"
        assert all(r["value"] is None and r["skipped"] == section["skipped"] for r in postgres)
        assert "PostgreSQL rows skipped: --pg off was given" in done.stdout
    else:
        assert section["skipped"] is None and section["copy_s"] > 0
        assert section["rows"]["list"]["same_ids"] is True
        for row in postgres:
            assert (row["value"] and row["ratio"]) or \
                "not available on a PostgreSQL library" in row["skipped"]
        assert not any(r["skipped"] for r in postgres
                       if "list page" in r["measurement"] or "highlight" in r["measurement"])
        assert "PostgreSQL 1" in done.stdout  # the server line of the table
