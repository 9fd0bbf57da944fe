"""Importing another tool's highlights: a Readwise CSV of 10,000 highlights against 1,000 articles.

Run inside the session probe (bench.session). 1,000 articles of the library (ones whose
title no other article has) are quoted by a generated Readwise CSV export: 10 highlights
each, most word for word, one in ten with its punctuation changed (anchored
approximately) and one in fifty quoting nothing in the article (kept as an orphan).

- The import, `reader.other_tools.importer.import_export` on the UI thread (the core
  alone), beside a floor measured in the same run: reading the same CSV with the
  standard library's csv module, reading those articles' texts, and `str.find` of each
  quote in its article's text — the least any import that places highlights must do.
- The same file imported through the window (File › Import, in its worker), timing the
  longest UI stall meanwhile.

What each import added is deleted again afterwards, so the library is as it was.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

ARTICLES = 1000
PER_ARTICLE = 10
LABEL = "import from another tool (background, window)"
OPERATION = f"import {ARTICLES * PER_ARTICLE:,} Readwise highlights in the window's worker"
COLUMNS = ["Highlight", "Book Title", "Book Author", "Amazon Book ID", "Note", "Color", "Tags",
           "Location Type", "Location", "Highlighted at", "Document tags"]


def write_export(library, path: Path, seed: int) -> dict:
    """The Readwise CSV quoting the library's articles; what it holds."""
    rng = random.Random(seed)
    chosen = [row for row in library.storage.rows(
        "SELECT min(id), title, author FROM article GROUP BY title HAVING count(*) = 1"
        " ORDER BY min(id) LIMIT ?", (ARTICLES,))]
    counts = {"highlights": 0, "changed": 0, "absent": 0, "articles": len(chosen)}
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for article_id, title, author in chosen:
            (text,) = library.storage.rows("SELECT text FROM article WHERE id = ?",
                                           (article_id,))[0]
            words = text.split(" ")
            for n in range(PER_ARTICLE):
                at = (len(words) - 30) * (n + 1) // (PER_ARTICLE + 1)
                quote = " ".join(words[max(at, 0):max(at, 0) + 24]).strip()
                roll = rng.random()
                if roll < 0.02:
                    quote = f"A passage this article never had, number {rng.randrange(10**9)}."
                    counts["absent"] += 1
                elif roll < 0.12 and "," in quote:
                    quote = quote.replace(",", ";", 1)
                    counts["changed"] += 1
                counts["highlights"] += 1
                writer.writerow([quote, title, author, "", "a note" if n % 3 == 0 else "",
                                 "yellow", "bench" if n % 4 == 0 else "", "location",
                                 str(100 + n * 10), "2024-08-07 09:30:15+00:00", ""])
    return counts


def floor(library, path: Path) -> float:
    """Milliseconds for csv parsing, reading the texts and str.find of each quote."""
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    titles = {row["Book Title"] for row in rows}
    texts: dict[str, str] = {}
    for start in range(0, len(titles), 500):
        chunk = list(titles)[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        texts.update(library.storage.rows(
            f"SELECT title, text FROM article WHERE title IN ({marks})", chunk))
    found = sum(texts.get(row["Book Title"], "").find(row["Highlight"]) >= 0 for row in rows)
    elapsed = (time.perf_counter() - started) * 1000
    assert found > 0
    return elapsed


def measure(session) -> dict:
    from reader.other_tools.importer import import_export

    library = session.library
    path = session.tmp / "readwise-highlights.csv"
    counts = write_export(library, path, int(session.args.get("seed", 1)))
    out: dict = {**counts, "ms": [], "floor_ms": []}
    for _rep in session.repetitions(min(session.reps, 3)):
        # Both timed on the UI thread, to measure the core alone (their stall is the
        # benchmark's own, under "idle"); the window imports in its worker, below.
        out["floor_ms"].append(floor(library, path))
        marks = _marks(library)
        started = time.perf_counter()
        report = import_export(library, path)
        out["ms"].append((time.perf_counter() - started) * 1000)
        out["report"] = {"added": report.highlights_added, "exact": report.exact,
                         "approximate": report.approximate,
                         "unanchored": len(report.unanchored), "found": report.articles_found,
                         "articles_added": report.articles_added}
        _undo(library, marks)
    # Through the window: File › Import in its worker; the UI stall meanwhile.
    marks = _marks(library)
    window = session.window
    finished = []
    window.imports.finished.connect(finished.append)
    with session.heartbeat.during(LABEL, OPERATION):
        started = time.perf_counter()
        window.import_paths([path])
        session._wait(lambda: not finished)
        session._wait(lambda: window.imports.is_running(), 5)
        out["window_ms"] = (time.perf_counter() - started) * 1000
        session._wait(lambda: True, 0.3)  # the report dialog and the opened article
    out["window_added"] = sum(e.highlights_added for e in finished[0].exports)
    out["long_gaps"] = session._gaps(LABEL, started)
    dialog = getattr(window, "last_import_report", None)
    if dialog is not None:
        dialog.close()
    _undo(library, marks)
    return out


def _marks(library) -> tuple[int, int]:
    rows = library.storage.rows(
        "SELECT (SELECT coalesce(max(id), 0) FROM article),"
        " (SELECT coalesce(max(id), 0) FROM highlight)")
    return rows[0]


def _undo(library, marks: tuple[int, int]) -> None:
    """Delete what an import added (articles and highlights above the marks, its links)."""
    article, highlight = marks
    with library.storage.write():
        library.storage.database.execute_sql("DELETE FROM highlight WHERE id > ?", (highlight,))
        library.storage.database.execute_sql("DELETE FROM article WHERE id > ?", (article,))
        library.storage.database.execute_sql("DELETE FROM imported WHERE source = 'readwise'")
