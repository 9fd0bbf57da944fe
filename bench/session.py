"""The UI measurements, run inside one started Marginalia process (see bench.probes).

A 10 ms QTimer heartbeat (bench.heartbeat) runs throughout; the longest gap between its
ticks during each operation is that operation's event-loop stall. Operations on the UI
thread stall it for their whole length; import and export run in the window's worker
threads, so their stall is what the UI thread suffers meanwhile (GIL, database locks,
and the work the window does when they finish). Each stall is recorded under its label
and grouped by operation (stall_operations), which the report lists one by one.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QTextBrowser

from bench import corpus
from bench.heartbeat import Heartbeat, pump
from bench.listing import ListQueries
from bench.probes import peak_rss_mb, rss_mb
from reader.export.exporter import MANIFEST, Exporter
from reader.records import Changes
from reader.search.fulltext import ARTICLE_COLUMNS, fts_query

RAW_FTS = "SELECT rowid FROM article_fts WHERE article_fts MATCH ? LIMIT 50"
# Timed on the UI thread only to measure the core; the window never runs it there.
CORE_EXPORT = "export (core, timed on the UI thread)"
CORE_EXPORT_AGAIN = "export (core, again with nothing changed)"
CORE_EXPORT_FLOOR = "export (core, floor: list the folder, read the manifest)"
CORE_EXPORT_ONE = "export (core, again after one highlight changed)"
FLOOR = "setHtml floor"
# Operations whose stalls are reported together (the parts' labels in stalls_ms).
CLEAR = "clear the search (list back to all articles)"
CREATE = "create a highlight"


def _loading(model) -> bool:
    """Whether the list is still reading (ranking) the rest of its rows in the background."""
    return bool(getattr(model, "loading", False))


def _reading_rows(model) -> bool:
    """Whether the list is still reading rows or snippets in its workers."""
    return any(jobs.busy() for jobs in (getattr(model, "_summary_jobs", None),
                                        getattr(model, "_snippet_jobs", None)) if jobs)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


class Session:
    def __init__(self, window, args: dict, phases: dict) -> None:
        self.window = window
        self.library = window.library
        self.model = window.model
        self.list_view = window.list_view
        self.pane = window.reading_pane
        self.args = args
        self.reps = int(args.get("reps", 5))
        self.budget = float(args.get("budget_s", 30))
        self.result: dict = {"startup": {"phases": phases, "painted": phases["list_painted"],
                                         "rows_fetched": len(self.model._cache),
                                         "peak_rss_mb": peak_rss_mb(), "rss_mb": rss_mb()}}
        self.heartbeat = Heartbeat()
        # Before anything wraps the library's methods: records what the list model runs.
        self.list_queries = ListQueries(self.library, self.model)
        self.app = QApplication.instance()
        self.tmp = Path(tempfile.mkdtemp(prefix="marginalia-bench-"))
        self.fetched = {"calls": 0, "rows": 0, "max_cache": 0}
        original = self.library.articles.summaries

        def counting(ids):  # counts what the list model fetches
            self.fetched["calls"] += 1
            self.fetched["rows"] += len(ids)
            return original(ids)

        self.library.articles.summaries = counting

    def run(self) -> dict:
        pump(0.3)  # let start-up's queued work finish before anything is measured
        # Timed by the startup probe, in fresh processes (not an operation of this one).
        with self.heartbeat.during("start-up (rest of the list)", None):
            self._wait(lambda: _loading(self.model))  # the rest of the list, read at start-up
        steps = (("list", self.scrolling), ("list_queries", self.listing_queries),
                 ("search", self.searching), ("query", self.querying), ("open", self.opening),
                 ("create", self.creating), ("export", self.exporting),
                 ("import", self.importing), ("backup", self.backing_up), ("web", self.web),
                 ("moving_in", self.moving_in), ("review", self.reviewing))
        # Which step raised the peak memory, and by how much.
        self.result["peak_rss_after_mb"] = peak_after = {}
        try:
            for name, step in steps:
                self.result[name] = step()
                peak_after[name] = peak_rss_mb()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.result["peak_rss_mb"] = peak_rss_mb()
        self.result["rss_mb"] = rss_mb()
        self.result["stalls_ms"] = self.heartbeat.stalls_ms()
        self.result["stall_operations"] = self.heartbeat.by_operation_ms()
        return self.result

    def repetitions(self, count: int | None = None):
        """Up to `count` (default --reps) repetitions, but no new one once `budget_s`
        seconds have gone: a search that takes minutes is timed once or twice, not five
        times."""
        started = time.perf_counter()
        for rep in range(count or self.reps):
            if rep and time.perf_counter() - started > self.budget:
                return
            yield rep

    def timed(self, label: str, action, operation: str | None = "") -> float:
        """Milliseconds `action` takes; its stall counted as part of `operation` (default:
        the label; None: the benchmark's own work)."""
        with self.heartbeat.during(label, operation):
            started = time.perf_counter()
            action()
            elapsed = time.perf_counter() - started
        return elapsed * 1000

    # --- the article list ----------------------------------------------------------------
    def scrolling(self) -> dict:
        bar = self.list_view.verticalScrollBar()
        viewport = self.list_view.viewport()
        bar.setValue(0)
        pump(0.05)
        limit = int(self.args.get("scroll_pages") or 0)
        frames: list[float] = []
        slow: list[tuple[int, float, bool]] = []  # (frame, ms, fetched rows in it) over 30 ms
        before = dict(self.fetched)
        with self.heartbeat.during("scroll list", "scroll the list, page by page"):
            started = time.perf_counter()
            while bar.value() < bar.maximum() and (not limit or len(frames) < limit):
                frame, calls = time.perf_counter(), self.fetched["calls"]
                bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
                viewport.repaint()
                self.app.processEvents()
                frames.append((time.perf_counter() - frame) * 1000)
                if frames[-1] > 30:
                    slow.append((len(frames) - 1, round(frames[-1], 1),
                                 self.fetched["calls"] > calls))
                self.fetched["max_cache"] = max(self.fetched["max_cache"], len(self.model._cache))
            total = time.perf_counter() - started
        rows = self.model.rowCount()
        last_row = self.list_view.indexAt(viewport.rect().bottomLeft()).row()
        bar.setValue(0)
        pump(0.05)
        frames_sorted = sorted(frames)
        return {
            "rows": rows, "frames": len(frames), "reached_row": last_row,
            "reached_bottom": bar.maximum() > 0 and last_row >= rows - 2 or limit == 0,
            "page_limit": limit, "total_s": total, "median_frame_ms": median(frames),
            "p95_frame_ms": frames_sorted[int(0.95 * (len(frames) - 1))] if frames else None,
            "worst_frame_ms": max(frames, default=None),
            "rows_fetched": self.fetched["rows"] - before["rows"],
            "fetch_calls": self.fetched["calls"] - before["calls"],
            "max_cached_rows": self.fetched["max_cache"],
            "slow_frames": slow,
        }

    def listing_queries(self) -> dict:
        """The SQL the list runs (ids in each order and filter, pages of rows, a search's
        matches) recorded and checked with EXPLAIN QUERY PLAN: does any of it read the
        article table's rows, which carry the bodies?"""
        bar = self.list_view.verticalScrollBar()
        model, operation = self.model, "change the list's order or filter"
        tags = self.library.tags.names()
        changes = [("order published", lambda: model.set_order("published")),
                   ("order title", lambda: model.set_order("title")),
                   ("order added", lambda: model.set_order("added")),
                   ("unread only", lambda: model.set_unread_only(True)),
                   ("all", lambda: model.set_unread_only(False))]
        if tags:
            changes += [(f"tag {tags[0]}", lambda: model.set_tag(tags[0])),
                        ("no tag", lambda: model.set_tag(None))]
        changes += [("archive", lambda: model.set_archived(True)),
                    ("reading list", lambda: model.set_archived(False))]
        for name in ("rare", "common"):
            text = self.args["terms"][name]
            changes += [(f"search {text}", lambda t=text: model.set_search(t)),
                        ("no search", lambda: model.set_search(""))]
        with self.list_queries.recording():
            for label, change in changes:
                with self.heartbeat.during(f"list: {label}", operation):
                    change()
                    self.app.processEvents()
                    self.list_view.viewport().repaint()
                    self._wait(lambda: _loading(model))
                for fraction in (0.5, 1.0, 0.0):  # pages of rows far from the first
                    bar.setValue(int(bar.maximum() * fraction))
                    self.list_view.viewport().repaint()
                    self._wait(lambda: _reading_rows(model))
        return self.list_queries.check(self.args["db"])

    # --- search ---------------------------------------------------------------------------
    def searching(self) -> dict:
        terms = self.args["terms"]  # name -> what the user types
        viewport = self.list_view.viewport()
        raw = sqlite3.connect(f"file:{self.args['db']}?mode=ro", uri=True)
        out: dict[str, dict] = {}

        def show(text: str) -> None:
            self.model.set_search(text)
            self.app.processEvents()  # the view's delayed layout after the reset
            viewport.repaint()  # paints the visible rows: their titles and snippets

        def clear() -> None:
            show("")

        prefixes = [k for k in terms if k.startswith("prefix")]
        words = [k for k in terms if k not in prefixes]
        series = [[k] for k in words] + [prefixes]  # as-you-type: one prefix after another
        for names in series:
            for name in names:
                fts = fts_query(terms[name], ARTICLE_COLUMNS)
                out[name] = {"text": terms[name], "fts": fts, "ms": [], "ranked_ms": []}
            for _ in self.repetitions():
                for name in names:
                    started = time.perf_counter()
                    operation = f"search {name}: {terms[name]}"
                    out[name]["ms"].append(self.timed(f"search {terms[name]}",
                                                      lambda t=terms[name]: show(t), operation))
                    out[name]["results_first"] = self.model.rowCount()
                    jobs = getattr(self.model, "_snippet_jobs", None)
                    if jobs is not None:  # snippets found in a worker, shown when found
                        with self.heartbeat.during(f"search {terms[name]} (snippets)",
                                                   operation):
                            self._wait(jobs.busy)
                            viewport.repaint()
                        out[name].setdefault("snippets_ms", []).append(
                            (time.perf_counter() - started) * 1000)
                    ranked = self._until_ranked(f"search {terms[name]} (re-ranked list)",
                                                operation)
                    if ranked:
                        out[name]["ranked_ms"].append((ranked - started) * 1000)
                    out[name]["results"] = self.model.rowCount()
                    out[name]["snippets_fetched"] = sum(1 for v in self.model._snippets.values() if v)
                out.setdefault("clear", {"ms": []})["ms"].append(
                    self.timed("clear search", clear, CLEAR))
        for name in terms:
            query = out[name]["fts"]
            out[name]["reps"] = len(out[name]["ms"])
            floor = []
            for _ in range(self.reps):
                started = time.perf_counter()
                raw.execute(RAW_FTS, (query,)).fetchall()
                floor.append((time.perf_counter() - started) * 1000)
            out[name]["floor_ms"] = floor
            out[name]["matches"] = raw.execute(
                "SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", (query,)).fetchone()[0]
            if median(out[name]["ms"]) > 1000 * self.budget / 3:
                continue  # too slow to time its parts again; the search itself says enough
            # Where the time goes: the core's id query, then the snippets of one screen.
            started = time.perf_counter()
            ids = self.library.articles.ids(search=terms[name])
            out[name]["core_ids_ms"] = (time.perf_counter() - started) * 1000
            try:  # an app that lists a common word's first matches before ranking them all
                started = time.perf_counter()
                self.library.articles.ids(search=terms[name], ranked=False, limit=200)
                out[name]["core_first_ids_ms"] = (time.perf_counter() - started) * 1000
            except TypeError:
                pass
            started = time.perf_counter()
            self.library.search.snippets(terms[name], ids[:50])
            out[name]["core_snippets_ms"] = (time.perf_counter() - started) * 1000
        raw.close()
        for name in words:  # the whole window path, which also opens the best match
            out[name]["window_ms"] = [
                self.timed(f"search {terms[name]} (window)",
                           lambda t=terms[name], n=name: self._window_search(
                               t, f"search {n}: {t}"), f"search {name}: {terms[name]}")
                for _ in self.repetitions(3)]
            self.timed("clear search (window)", lambda: self._window_search("", CLEAR), CLEAR)
        return out

    def querying(self) -> dict | None:
        """The query language: a tag, a date and a free word (bench.querying)."""
        try:
            from reader.query.manager import QueryManager  # noqa: F401
        except ImportError:  # an app without the query language
            return None
        from bench import querying

        return querying.measure(self)

    def _until_ranked(self, label: str, operation: str | None = "",
                      timeout: float = 300.0) -> float | None:
        """When the list shows a search's first matches and reads (ranks) the rest in the
        background: the time the complete, ranked list was painted."""
        reranked = getattr(self.model, "completed", None)
        if reranked is None or not _loading(self.model):
            return None
        fired: list[float] = []

        def slot() -> None:
            fired.append(time.perf_counter())

        reranked.connect(slot)
        try:
            with self.heartbeat.during(label, operation):
                end = time.perf_counter() + timeout
                while not fired and _loading(self.model) and time.perf_counter() < end:
                    self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
                    time.sleep(0.001)
                self.app.processEvents()  # the queued result, when it came just now
                if fired:
                    self.list_view.viewport().repaint()  # the new rows and their snippets
                    return time.perf_counter()
        finally:
            reranked.disconnect(slot)
        return None

    def _window_search(self, text: str, operation: str) -> None:
        self.window._search(text)
        self.app.processEvents()
        self.list_view.viewport().repaint()
        self.pane.viewport().repaint()
        self._until_ranked(f"search {text} (window, re-ranked)" if text
                           else "clear search (window, whole list)", operation)

    # --- opening articles -----------------------------------------------------------------
    def opening(self) -> dict:
        out = {}
        floor_view = QTextBrowser()
        floor_view.resize(self.pane.size())
        floor_view.show()
        first = self.model.article_id(0)
        for name, article_id, count in (("few", self.args["few"], "50"),
                                        ("many", self.args["many"], "1,000")):
            def in_pane(article_id=article_id) -> None:
                self.pane.show_document(self.library.articles.document(article_id))
                self.pane.set_highlights(self.library.highlights.for_article(article_id))
                self.pane.viewport().repaint()

            operation = f"open the article with {count} highlights"
            pane_ms = [self.timed(f"open article ({name} highlights)", in_pane, operation)
                       for _ in range(self.reps)]
            html = self.pane.document().toHtml()

            def floor(html=html) -> None:
                floor_view.setHtml(html)
                floor_view.viewport().repaint()

            floor_ms = [self.timed(FLOOR, floor, None) for _ in range(self.reps)]
            window_ms = []
            for _ in range(3):  # through the list, as a click does: with the annotation panel
                self.window.open_article(first)
                pump(0.05)
                window_ms.append(self.timed(f"open article ({name} highlights, window)",
                                            lambda a=article_id: self._window_open(a), operation))
            out[name] = {"article": article_id, "ms": pane_ms, "floor_ms": floor_ms,
                         "window_ms": window_ms,
                         "highlights": len(self.library.highlights.for_article(article_id)),
                         "characters": len(self.library.articles.text(article_id))}
        floor_view.close()
        floor_view.deleteLater()
        return out

    def _window_open(self, article_id: int) -> None:
        self.window.open_article(article_id)
        self.app.processEvents()
        self.pane.viewport().repaint()
        self.window.annotation_panel.repaint()

    # --- highlights -------------------------------------------------------------------------
    def creating(self) -> dict:
        article_id = self.model.article_id(5)
        text = self.library.articles.text(article_id)
        spans = corpus.highlight_spans(random.Random(7), text, 50)
        core_ms = []
        for start, end in spans:
            core_ms.append(self.timed("create highlight", lambda s=start, e=end:
                                      self.library.highlights.create(article_id, s, e), CREATE))
        for _ in spans:
            self.library.undo()
        # Through the window, in the article with 50 highlights: the command, the pane's
        # marks and the annotation panel, until painted.
        few = self.args["few"]
        self.window.open_article(few)
        pump(0.05)
        few_text = self.library.articles.text(few)
        window_ms = []
        for start, end in corpus.highlight_spans(random.Random(8), few_text, 20):
            self.pane.select_span(start, end)

            def create() -> None:
                self.window.cmd_highlight_create()
                self.pane.viewport().repaint()
                self.window.annotation_panel.repaint()

            window_ms.append(self.timed("create highlight (window)", create, CREATE))
            self.window.announce(self.library.undo())
        return {"article": article_id, "ms": core_ms, "window_ms": window_ms}

    # --- export -----------------------------------------------------------------------------
    def exporting(self) -> dict:
        per_article = {int(k): v for k, v in self.args["highlights_per_article"].items()}
        wanted = int(self.args["export_highlights"])
        ids, total = [], 0
        for article_id in sorted(per_article):
            if article_id in (self.args["few"], self.args["many"]) or total >= wanted:
                continue
            ids.append(article_id)
            total += per_article[article_id]
        direct = []
        for rep in range(3):
            folder = self.tmp / f"export-{rep}"
            direct.append(self.timed(CORE_EXPORT,
                                     lambda f=folder: Exporter(self.library).to_folder(f, ids),
                                     None))
        files = len(list((self.tmp / "export-0").glob("*.md")))
        again, floor = self.exporting_again(self.tmp / "export-0", ids)
        one, one_written = self.exporting_one_changed(self.tmp / "export-0", ids)
        exports = self.window.exports
        exporter = exports._exporter()
        label = "export (background, window)"
        with self.heartbeat.during(label, "export highlights in the window's worker"):
            started = time.perf_counter()
            exports._start(exporter, self.tmp / "export-window", ids)
            self._wait(exports.is_running)
            background = time.perf_counter() - started
        return {"highlights": total, "articles": len(ids), "files": files, "ms": direct,
                "background_ms": background * 1000, "long_gaps": self._gaps(label, started),
                "again_ms": again, "again_floor_ms": floor,
                "one_changed_ms": one, "one_changed_written": one_written}

    def exporting_again(self, folder: Path, ids: list[int]) -> tuple[list[float], list[float]]:
        """A re-export into a folder with nothing changed since the last export, and its
        floor: listing the folder (os.scandir, with sizes and times) and reading the
        manifest, the least an export must do to know that nothing changed."""
        import json
        import os

        again, floor = [], []
        for _rep in range(3):
            again.append(self.timed(CORE_EXPORT_AGAIN,
                                    lambda: Exporter(self.library).to_folder(folder, ids), None))

            def listing() -> None:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        entry.stat(follow_symlinks=False)
                json.loads((folder / MANIFEST).read_text(encoding="utf-8"))

            floor.append(self.timed(CORE_EXPORT_FLOOR, listing, None))
        return again, floor

    def exporting_one_changed(self, folder: Path, ids: list[int]) -> tuple[list[float], list[int]]:
        """A re-export after one highlight's note changed (each time anew): its time, and
        how many files it wrote. The notes are undone afterwards."""
        highlight = self.library.highlights.for_article(ids[len(ids) // 2])[0].id
        times, written = [], []
        for rep in range(3):
            self.library.highlights.set_note(highlight, f"Changed by the benchmark ({rep}).")
            reports = []
            times.append(self.timed(CORE_EXPORT_ONE, lambda: reports.append(
                Exporter(self.library).to_folder(folder, ids)), None))
            written.append(len(reports[0].written))
        for _rep in range(3):
            self.library.undo()
        return times, written

    def _gaps(self, label: str, started: float) -> list[tuple[float, float]]:
        """(seconds after the start when it ended, ms) of each long stall of an operation."""
        return [(round(end - started, 3), round(gap * 1000, 1))
                for name, end, gap in self.heartbeat.long_gaps if name == label]

    def _wait(self, running, timeout: float = 600.0) -> None:
        end = time.perf_counter() + timeout
        while running() and time.perf_counter() < end:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            time.sleep(0.001)

    # --- import (with its full-text indexing) -------------------------------------------------
    def importing(self) -> dict:
        count = int(self.args.get("import_files", 200))
        folder = self.tmp / "import"
        folder.mkdir()
        base = 10**8 + random.Random().randrange(10**6)  # new content: nothing is "unchanged"
        paths = []
        for i in range(count):
            generated = corpus.article(self.args["seed"], base + i)
            path = folder / generated.name
            path.write_text(generated.markdown, encoding="utf-8")
            paths.append(path)
        reports = []
        self.window.imports.finished.connect(reports.append)
        label = "import (background, window)"
        operation = f"import {count} files in the window's worker"
        with self.heartbeat.during(label, operation):
            started = time.perf_counter()
            self.window.import_paths(paths)
            self._wait(lambda: not reports)
            elapsed = time.perf_counter() - started
        report = reports[0]
        # Put the library back as it was (not measured for the targets).
        for article_id in report.added:
            self.library.articles.delete(article_id)
        # What the window does on the UI thread when an import ends (announced on its bus).
        refresh = self.timed("refresh after import (announce)", lambda: (
            self.window.announce(Changes(article_list=True, tags=True))), operation)
        started_sidebar = time.perf_counter()
        self.window.tag_sidebar.reload()
        sidebar = (time.perf_counter() - started_sidebar) * 1000
        started_model = time.perf_counter()
        self.model.reload()
        model = (time.perf_counter() - started_model) * 1000
        pump(0.1)
        return {"files": count, "added": len(report.added), "problems": len(report.problems),
                "ms": elapsed * 1000, "long_gaps": self._gaps(label, started),
                "refresh_ms": refresh, "tag_sidebar_reload_ms": sidebar,
                "list_reload_ms": model}

    # --- the web: saving pages, refreshing feeds (against a server on 127.0.0.1) -----------
    def web(self) -> dict | None:
        try:
            from reader.web import save_pages  # noqa: F401 - an app that saves pages
        except ImportError:
            return None
        from bench import web

        return web.measure(self)

    # --- importing another tool's highlights (a Readwise CSV) -------------------------------
    def moving_in(self) -> dict | None:
        try:
            from reader.other_tools.importer import import_export  # noqa: F401
        except ImportError:  # an app without imports from other tools
            return None
        from bench import moving_in

        return moving_in.measure(self)

    # --- the daily review: today's queue from 50,000 highlights, 20,000 with history -------------
    def reviewing(self) -> dict | None:
        try:
            from reader.review import ReviewSession  # noqa: F401 - an app with the review
        except ImportError:
            return None
        from bench import reviewing

        return reviewing.measure(self)

    # --- the daily backup -----------------------------------------------------------------------
    def backing_up(self) -> dict | None:
        """Today's backup made again by the app's background job, as at a day's first
        start-up (a full copy of the library, then checked)."""
        try:
            from reader.storage.backup import backup_folder, daily_backup_name
            from reader.ui.app import BackgroundBackup
        except ImportError:  # an app without a background backup
            return None
        path = Path(self.args["db"])
        today = backup_folder(path) / daily_backup_name(path, date.today())
        today.unlink(missing_ok=True)  # a copy of the synthetic library, in bench/.cache
        job = BackgroundBackup(path, self.window)
        label = "daily backup (background)"
        with self.heartbeat.during(label, "the daily backup in the background"):
            started = time.perf_counter()
            job.start()
            self._wait(lambda: job.running)
            elapsed = time.perf_counter() - started
        return {"ms": elapsed * 1000, "made": today.exists(),
                "long_gaps": self._gaps(label, started)}
