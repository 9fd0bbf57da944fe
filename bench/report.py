"""Turns the benchmark's raw figures into rows (value, floor, ratio, target) and a table."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass

STALL_MS = 100.0
ORDINARY_MS = 50.0  # first search results for ordinary terms
FRAME_MS = 1000 / 60  # a smooth frame
HITCH_MS = 50.0  # the worst frame allowed while scrolling
CREATE_MS = 5.0
EXPORT_S_PER_10K = 2.0
REEXPORT_SHARE = 0.10  # a re-export with nothing changed, against a full export: it reads
# one change stamp per article (schema 12) besides listing the folder and reading the manifest
MEMORY_MB = 250.0
IMPORT_FROM_MS = 10_000.0  # 10,000 Readwise highlights against 1,000 articles
MOVING_IN_LABEL = "import from another tool (background, window)"
# Saving or importing pages: at most this many times the time of trafilatura.extract
# alone over the same pages (with the fetch, for saving by address), as the issue asks.
PAGES_TIME_RATIO = 1.5
FEED_REFRESH_MS = 1000.0  # 100 unchanged feeds
REVIEW_QUEUE_MS = 50.0  # today's queue from 50,000 highlights, 20,000 with history
REVIEW_OPEN_MS = 100.0  # the review screen, until its counts and chart show
CLI_OVER_BARE_MS = 60.0  # a command line process, beyond a bare python's start-up
ORDINARY_TERMS = ("rare", "common", "phrase", "prefix bri", "prefix brid", "prefix bridg")


@dataclass
class Row:
    measurement: str
    value: float | None
    unit: str
    floor: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target (shown for diagnosis)
    detail: str = ""
    skipped: str | None = None  # why the value was not measured (the floor may have been)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


def _peak_steps(first: float, after: dict | None) -> str:
    """The steps that raised the peak, with what each added."""
    if not after:
        return ""
    rises, before = [], first
    for name, peak in after.items():
        if peak - before >= 5:
            rises.append(f"{name} +{peak - before:.0f}")
        before = max(before, peak)
    return "; the peak rose in: " + ", ".join(rises) if rises else ""


def med(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def rows(results: dict) -> list[Row]:
    out: list[Row] = []
    start = results["startup"]
    session = results["session"]
    n = results["library"]["articles"]

    app, bare = med(start["app_ms"]), med(start["bare_ms"])
    phases = start["app_phases_ms"]

    def span(first: str, last: str) -> float:
        return phases.get(last, 0.0) - phases.get(first, 0.0)

    steps = [("imports", phases.get("imported_app_module", 0.0)),
             ("library check", span("check_and_repair_called", "check_and_repair_returned")),
             ("window built", span("window_init_called", "window_built")),
             ("shown and painted", span("window_built", "list_painted"))]
    out.append(Row("Start-up to list painted (median of fresh processes)", app, "ms", bare,
                   "≤ 1.5× bare window", app <= 1.5 * bare,
                   ", ".join(f"{name} {ms:.0f} ms" for name, ms in steps if ms)))

    if "list_complete" in phases:
        complete = phases["list_complete"]
        out.append(Row("Start-up until the whole list is known", complete, "ms", bare,
                       detail=f"the first {max(start.get('rows_at_paint') or [0]):,} rows "
                              f"painted, then all {n:,} ids read in the background"))

    if "article_shown" in phases:
        out.append(Row("Start-up until the article is shown in the reading pane",
                       phases["article_shown"], "ms", bare,
                       detail="the article last read (here the first) opens once the list "
                              "has painted"))

    first = start["first_of_day_ms"]
    phases = start["first_of_day_phases_ms"]
    if "daily_backup_returned" in phases and phases["daily_backup_returned"] <= first:
        where = (f"the daily backup ran first, on the UI thread "
                 f"({(phases['daily_backup_returned'] - phases['daily_backup_called']) / 1000:.1f} s)")
    else:
        where = "the daily backup was still running in the background at the first paint"
    out.append(Row("First start-up of the day (the app also makes its daily backup)", first, "ms",
                   bare, "≤ 1.5× bare window", first <= 1.5 * bare, where))

    if start.get("after_crash_ms"):
        out.append(Row("Start-up after a crash (checks the whole file first)",
                       start["after_crash_ms"], "ms", bare))

    scroll = session["list"]
    fetched = max(start["rows_fetched"])
    loads_bodies, bodies = _list_reads_bodies(session)
    loads_all = loads_bodies or scroll["max_cached_rows"] >= n > 5000
    out.append(Row("List: rows fetched at start-up / most held while scrolling", fetched, "rows",
                   target="never every row's text", met=not loads_all,
                   detail=f"{fetched} and {scroll['max_cached_rows']} of {n:,}; {bodies} "
                          f"({scroll['rows_fetched']:,} fetched in "
                          f"{scroll['fetch_calls']} pages while scrolling)"))
    whole = "all rows" if scroll["page_limit"] == 0 else f"first {scroll['frames']} pages"
    out.append(Row(f"Scroll list top to bottom, page by page ({whole})", scroll["total_s"], "s",
                   detail=f"{scroll['frames']:,} frames"))
    out.append(Row("Scroll: 95th-percentile frame", scroll["p95_frame_ms"], "ms",
                   target=f"≤ {FRAME_MS:.1f} ms", met=scroll["p95_frame_ms"] <= FRAME_MS,
                   detail=f"median {scroll['median_frame_ms']:.1f} ms"))
    slow = scroll.get("slow_frames", [])
    out.append(Row("Scroll: worst frame", scroll["worst_frame_ms"], "ms",
                   target=f"≤ {HITCH_MS:.0f} ms", met=scroll["worst_frame_ms"] <= HITCH_MS,
                   detail=f"{len(slow)} frames over 30 ms, "
                          f"{sum(1 for f in slow if f[2])} of them fetching a page of rows"))

    for name, found in session["search"].items():
        if name == "clear":
            continue
        value, floor = med(found["ms"]), med(found["floor_ms"])
        ordinary = name in ORDINARY_TERMS
        met = value <= 2 * floor and (not ordinary or value < ORDINARY_MS)
        first_ids = (f", first 200 unranked {found['core_first_ids_ms']:.0f} ms"
                     if "core_first_ids_ms" in found else "")
        parts = (f"core ids() ranked {found['core_ids_ms']:.0f} ms{first_ids}, snippets of 50 "
                 f"rows {found['core_snippets_ms']:.0f} ms" if "core_ids_ms" in found
                 else "parts not timed again")
        ranked = med(found.get("ranked_ms", []))
        ranked_note = f"; re-ranked list shown after {ranked:,.0f} ms" if ranked else ""
        snippets = med(found.get("snippets_ms", []))
        if snippets:
            ranked_note += f"; snippets shown after {snippets:,.0f} ms"
        out.append(Row(f"Search {name}: {found['text']} → first results shown", value, "ms", floor,
                       "≤ 2× FTS5" + (f", < {ORDINARY_MS:.0f} ms" if ordinary else ""), met,
                       f"{found['matches']:,} matches, median of {found['reps']}; "
                       f"{parts}{ranked_note}"))
    out.append(Row("Clear the search (list back to all articles)", med(session["search"]["clear"]["ms"]),
                   "ms"))
    for name, found in (session.get("query") or {}).items():
        value, floor = med(found["ms"]), med(found["floor_ms"])
        out.append(Row(f"Query ({name}): {found['query']} → first page shown", value, "ms",
                       floor, f"< {ORDINARY_MS:.0f} ms", value < ORDINARY_MS,
                       f"{found['total']:,} articles match; core first page of 50 "
                       f"{med(found['core_ms']):.1f} ms (same ids as the floor: "
                       f"{'yes' if found['same_as_floor'] else '**no**'}); floor: the query "
                       "written by hand in SQL on a raw connection"))
    for name, found in session["search"].items():
        if "window_ms" in found:
            out.append(Row(f"Search {name} via the window (also opens the best match)",
                           med(found["window_ms"]), "ms"))

    for name, label in (("few", "50"), ("many", "1,000")):
        opened = session["open"][name]
        value, floor = med(opened["ms"]), med(opened["floor_ms"])
        out.append(Row(f"Open 5,000-word article with {label} highlights (reading pane)", value,
                       "ms", floor, "≤ 1.5× setHtml", value <= 1.5 * floor,
                       f"{opened['characters']:,} characters, {opened['highlights']} highlights"))
        out.append(Row(f"Open it from the list (pane + annotation panel, {label} highlights)",
                       med(opened["window_ms"]), "ms", floor))

    create = session["create"]
    value = med(create["ms"])
    out.append(Row("Create a highlight until committed (median of 50)", value, "ms",
                   target=f"≤ {CREATE_MS:.0f} ms", met=value <= CREATE_MS,
                   detail=f"max {max(create['ms']):.1f} ms"))
    out.append(Row("Create a highlight via the window, until painted (median of 20)",
                   med(create["window_ms"]), "ms"))

    export = session["export"]
    value = med(export["ms"]) / 1000
    limit = EXPORT_S_PER_10K * max(export["highlights"], 1) / 10_000
    out.append(Row(f"Export {export['highlights']:,} highlights to Markdown", value, "s",
                   target=f"≤ {limit:.1f} s", met=value <= limit,
                   detail=f"{export['files']:,} files from {export['articles']:,} articles"))
    out.append(Row("Export in the window's worker thread (wall time)", export["background_ms"] / 1000,
                   "s"))
    if export.get("again_ms"):
        value, full = med(export["again_ms"]), med(export["ms"])
        limit = REEXPORT_SHARE * full
        out.append(Row("Re-export with nothing changed", value, "ms", med(export["again_floor_ms"]),
                       f"≤ {REEXPORT_SHARE:.0%} of a full export ({limit:,.0f} ms)",
                       value <= limit,
                       f"{export['files']:,} files; floor: list the folder and read the "
                       f"manifest; a full export took {full:,.0f} ms"))
    if export.get("one_changed_ms"):
        value, full = med(export["one_changed_ms"]), med(export["ms"])
        written = export["one_changed_written"]
        out.append(Row("Re-export after one highlight changed", value, "ms", full,
                       "one file rendered and written", all(n == 1 for n in written),
                       f"files written each time: {', '.join(map(str, written))} of "
                       f"{export['files']:,}; floor: the full export"))

    memory = session["peak_rss_mb"]
    out.append(Row("Peak memory (ru_maxrss) after start-up + all of the above", memory, "MB",
                   start["bare_peak_rss_mb"], f"≤ {MEMORY_MB:.0f} MB", memory <= MEMORY_MB,
                   f"{start['app_peak_rss_mb']:.0f} MB right after start-up"
                   + _peak_steps(start["app_peak_rss_mb"], session.get("peak_rss_after_mb"))))

    stalls = session["stalls_ms"]
    for label in ("export (background, window)", "import (background, window)"):
        value = stalls.get(label)
        out.append(Row(f"Longest UI stall during {label.split(' (')[0]} in the background", value,
                       "ms", target=f"≤ {STALL_MS:.0f} ms",
                       met=value is not None and value <= STALL_MS,
                       detail=_background_detail(session, label)))
    # The floor and the core-only export timing are the benchmark's own work on the UI
    # thread, not the app's.
    if session.get("backup"):
        backup = session["backup"]
        value = stalls.get("daily backup (background)")
        out.append(Row("Longest UI stall during the daily backup in the background", value, "ms",
                       target=f"≤ {STALL_MS:.0f} ms", met=value is not None and value <= STALL_MS,
                       detail=f"copy and check took {backup['ms'] / 1000:.1f} s"))
    out += _web_rows(session)
    out += _moving_in_rows(session)
    out += _review_rows(session)
    out += _cli_rows(results)
    out += postgres_rows(results.get("postgres"))
    measured = {k: v for k, v in stalls.items()
                if k != "idle" and k != "setHtml floor" and not k.startswith("export (core")}
    fresh = [v for v in start.get("stalls_ms") or [] if v is not None]
    if fresh:
        measured["start-up (fresh processes)"] = max(fresh)
    worst_label = max(measured, key=measured.get)
    over = sorted((k for k, v in measured.items() if v > STALL_MS), key=lambda k: -measured[k])
    out.append(Row("Longest UI stall in any measured operation", measured[worst_label], "ms",
                   target=f"≤ {STALL_MS:.0f} ms", met=not over,
                   detail=f"{worst_label}; over {STALL_MS:.0f} ms: "
                          + (", ".join(f"{k} ({measured[k]:.0f})" for k in over) or "none")))
    return out


def _cli_rows(results: dict) -> list[Row]:
    """The command line as whole processes (bench.cli), beside `rg -l -i` over the same
    articles as Markdown files and beside a bare `python -c "import sqlite3"`."""
    cli = results.get("cli")
    if not cli:
        return []
    out = []
    for found in cli["rows"]:
        value, rg, bare = found["ms"], found["rg_ms"], found["bare_ms"]
        near_bare = value - bare <= CLI_OVER_BARE_MS
        detail = (f"{value - bare:.0f} ms over a bare python -c 'import sqlite3' "
                  f"({bare:.0f} ms); median of {cli['runs']}")
        if found.get("whole_library"):
            detail += f"; answered by the whole library, not the lean path: {found['whole_library']}"
        if rg is None:
            detail += "; rg not installed: not compared with it"
        else:
            detail += f"; floor: {found['rg_command']} over {cli['markdown_files']:,} Markdown files"
        out.append(Row(f"Command line: marginalia {found['command']} (whole process)", value,
                       "ms", rg, f"≤ 1.0× rg, ≤ bare python + {CLI_OVER_BARE_MS:.0f} ms",
                       near_bare and (rg is None or value <= rg), detail))
    return out


def _postgres_server(section: dict) -> str:
    """Which server the PostgreSQL rows ran on, and what its commits are worth."""
    server = section.get("server")
    if not server:
        return f"PostgreSQL rows skipped: {section['skipped']}"
    text = (f"PostgreSQL {server['server_version'].split()[0]} on {server['origin']}, "
            f"shared_buffers {server['shared_buffers']}, fsync {server['fsync']}, "
            f"synchronous_commit {server['synchronous_commit']}")
    if server["fsync"] != "on":
        text += " (**its commits never wait for the disk; SQLite's do: synchronous=FULL**)"
    if section.get("copy_s") is not None:
        text += (f"; {section['articles']:,} articles copied in with marginalia copy "
                 f"(verified) in {section['copy_s']:.1f} s, then ANALYZE")
    if section.get("library_built_this_run"):
        text += (f"; that library was built in this run in "
                 f"{section['library_build_seconds']:.0f} s")
    return text


ENGINES = {"sqlite": "SQLite", "pg": "PostgreSQL"}


def postgres_rows(section: dict | None) -> list[Row]:
    """The core rows on PostgreSQL (bench.engines), each beside the same on the SQLite
    library in the same run (its floor); a row PostgreSQL could not run says why."""
    if not section:
        return []
    out = []
    for key, found in section["rows"].items():
        value, floor = med(found["pg_ms"] or []), med(found["sqlite_ms"])
        prefix = f"PostgreSQL ({section['articles']:,} articles): "
        if key == "list":
            label = f"list page (the article list's first {found['shown']} ids and rows)"
            note = ("same ids on both: " + {True: "yes", False: "**no**"}[found["same_ids"]]
                    if found["same_ids"] is not None else "")
        elif key == "create":
            label = f"create a highlight until committed (median of {section['creates']})"
            note = "the same spans of one article on both, each undone after"
        else:
            label = f"{key}: {found['text']} → first results (core: ids, then rows)"
            note = f"first page: {found['sqlite_found']} on SQLite" + (
                f", {found['pg_found']} on PostgreSQL" if found["pg_found"] is not None else "")
        runs = len(found["sqlite_ms"])
        steps = "; ".join(f"{ENGINES[engine]} " + ", ".join(f"{name} {ms:.1f} ms"
                                                             for name, ms in parts.items())
                          for engine, parts in (found.get("parts_ms") or {}).items())
        detail = "; ".join(part for part in (
            f"**skipped on PostgreSQL**: {found['skipped']}" if found["skipped"] else "",
            note, steps, f"floor: the same on the SQLite file, median of {runs}"
            + (", the engines taking turns" if value is not None else "")) if part)
        out.append(Row(prefix + label, value, "ms", floor, detail=detail,
                       skipped=found["skipped"]))
    return out


def page_rows(save: dict) -> list[Row]:
    """Saving pages by address and importing them as saved files (bench.web), each in
    pages per second beside trafilatura.extract over the same pages in the same run."""
    out: list[Row] = []
    pages = save["pages"]
    target = f"≤ {PAGES_TIME_RATIO}× the time of its floor"
    value = pages / (med(save["ms"]) / 1000)
    floor = pages / (med(save["floor_ms"]) / 1000)
    out.append(Row(f"Save {pages} pages from a local server (reader.web.save_pages)", value,
                   "pages/s", floor, target, value * PAGES_TIME_RATIO >= floor,
                   f"{save['saved']} added, {len(save['problems'])} problems; "
                   f"{med(save['ms']) / 1000:.2f} s against {med(save['floor_ms']) / 1000:.2f} s "
                   f"for fetching each page with one httpx client and trafilatura.extract "
                   f"of it ({med(save['extract_ms']) / 1000:.2f} s of extraction alone); "
                   f"median of {len(save['ms'])}"
                   + (f"; alone: fetching {save['fetch_ms'] / 1000:.2f} s, parsing (the "
                      f"app's extraction) {save['parse_ms'] / 1000:.2f} s"
                      if "fetch_ms" in save else "")))
    if save.get("import_ms"):
        value = pages / (med(save["import_ms"]) / 1000)
        floor = pages / (med(save["import_floor_ms"]) / 1000)
        out.append(Row(f"Import {pages} saved pages (.html files: marginalia import FOLDER)",
                       value, "pages/s", floor, target, value * PAGES_TIME_RATIO >= floor,
                       f"{save['imported']} added, {len(save['import_problems'])} problems; "
                       f"{med(save['import_ms']) / 1000:.2f} s against "
                       f"{med(save['import_floor_ms']) / 1000:.2f} s for reading the same "
                       f"files and trafilatura.extract of each; median of "
                       f"{len(save['import_ms'])}, interleaved"))
    return out


def _web_rows(session: dict) -> list[Row]:
    """Saving pages and refreshing feeds, against a server on 127.0.0.1 (bench.web)."""
    web = session.get("web")
    if not web:
        return []
    out: list[Row] = []
    stalls = session["stalls_ms"]
    save = web["save"]
    pages = save["pages"]
    out += page_rows(save)
    value = stalls.get("save pages (background, window)")
    out.append(Row(f"Longest UI stall while the window saves {pages} pages", value, "ms",
                   target=f"≤ {STALL_MS:.0f} ms", met=value is not None and value <= STALL_MS,
                   detail=f"{save['window_saved']} saved in {save['window_ms'] / 1000:.1f} s; "
                          + _gaps_detail(save["long_gaps"])))
    feeds = web["feeds"]
    value, floor = med(feeds["ms"]), med(feeds["floor_ms"])
    out.append(Row(f"Refresh {feeds['feeds']} unchanged feeds (all answer 304)", value, "ms",
                   floor, f"≤ {FEED_REFRESH_MS:.0f} ms", value <= FEED_REFRESH_MS,
                   f"{feeds['answered_304']} answered 304; floor: {feeds['feeds']} conditional "
                   f"GETs with one httpx client, one after another ({med(feeds['concurrent_ms']):.0f} ms "
                   f"{feeds['workers']} at a time, as the refresh); the first "
                   f"refresh (imports {feeds['first_added']} entries) "
                   f"{feeds['first_ms'] / 1000:.1f} s"))
    value = stalls.get("refresh feeds (background, window)")
    out.append(Row(f"Longest UI stall while the window refreshes {feeds['feeds']} feeds", value,
                   "ms", target=f"≤ {STALL_MS:.0f} ms",
                   met=value is not None and value <= STALL_MS,
                   detail=f"Feeds › Refresh: {feeds['window_304']} answered 304 in "
                          f"{feeds['window_ms']:.0f} ms; " + _gaps_detail(feeds["long_gaps"])))
    return out


def _moving_in_rows(session: dict) -> list[Row]:
    """Importing a Readwise CSV of highlights against the library's articles (bench.moving_in)."""
    moving = session.get("moving_in")
    if not moving:
        return []
    value, floor = med(moving["ms"]), med(moving["floor_ms"])
    report = moving["report"]
    out = [Row(f"Import {moving['highlights']:,} Readwise CSV highlights against "
               f"{moving['articles']:,} articles", value, "ms", floor,
               f"≤ {IMPORT_FROM_MS / 1000:.0f} s", value <= IMPORT_FROM_MS,
               f"{report['added']:,} added: {report['exact']:,} anchored exactly, "
               f"{report['approximate']:,} approximately ({moving['changed']} quotes with "
               f"changed punctuation), {report['unanchored']} unanchored ({moving['absent']} "
               f"quote nothing); {report['found']} articles found, {report['articles_added']} "
               f"added; floor: csv reading, the texts read and str.find of each quote; "
               f"median of {len(moving['ms'])}")]
    stall = session["stalls_ms"].get(MOVING_IN_LABEL)
    out.append(Row("Longest UI stall while the window imports them", stall, "ms",
                   target=f"≤ {STALL_MS:.0f} ms", met=stall is not None and stall <= STALL_MS,
                   detail=f"File › Import: {moving['window_added']:,} added in "
                          f"{moving['window_ms'] / 1000:.1f} s; "
                          + _gaps_detail(moving["long_gaps"])))
    return out


def _review_rows(session: dict) -> list[Row]:
    """Today's review queue at 50,000 highlights, and the review screen opening (bench.reviewing)."""
    review = session.get("review")
    if not review:
        return []
    value, floor = med(review["core_ms"]), med(review["floor_ms"])
    queue = review["queue"]
    out = [Row(f"Build today's review queue from {review['highlights']:,} highlights, "
               f"{review['cards']:,} with review history (core)", value, "ms", floor,
               f"≤ {REVIEW_QUEUE_MS:.0f} ms", value <= REVIEW_QUEUE_MS,
               f"{queue['due']} due (of {queue['due_total']:,} due today) and {queue['new']} "
               f"new, within the limits 50 and 10; floor: the due and new queries in plain "
               f"SQL on a raw connection; median of {len(review['core_ms'])}")]
    if review.get("core_tag_ms"):
        tagged = review["tag_queue"]
        out.append(Row(f"The same with a tag as the scope (tag:{tagged['tag']})",
                       med(review["core_tag_ms"]), "ms", target=f"≤ {REVIEW_QUEUE_MS:.0f} ms",
                       met=med(review["core_tag_ms"]) <= REVIEW_QUEUE_MS,
                       detail=f"{tagged['due']} due and {tagged['new']} new"))
    value = max(review["open_ms"])  # the worst: the first open also makes the screen
    out.append(Row("Open the review screen (R until the counts and chart show; the slowest)",
                   value, "ms", target=f"≤ {REVIEW_OPEN_MS:.0f} ms", met=value <= REVIEW_OPEN_MS,
                   detail=f"first open (the screen made) {review['first_open_ms']:.0f} ms, "
                          f"median {med(review['open_ms']):.0f} ms of "
                          f"{len(review['open_ms'])}; counting the queue again on the way "
                          f"(a change not yet counted by the sidebar): median "
                          f"{med(review.get('open_counting_ms') or [0]):.0f} ms, slowest "
                          f"{max(review.get('open_counting_ms') or [0]):.0f} ms"))
    out.append(Row("Begin the review (Space until the first card is painted)",
                   med(review["card_ms"]), "ms"))
    return out


def _gaps_detail(gaps: list) -> str:
    """Each stall over 50 ms: when it ended (seconds after the start) and how long it was."""
    if not gaps:
        return "no stall over 50 ms"
    return "stalls over 50 ms: " + ", ".join(f"{ms:.0f} ms at {at:.1f} s" for at, ms in gaps)


def _list_reads_bodies(session: dict) -> tuple[bool, str]:
    """Whether the list's SQL reads the article table's rows (bodies), and what the
    check found, from the statements it recorded (or, from older results, the query
    the check looked at)."""
    queries = session.get("list_queries")
    if queries is None:
        loads = session["list"].get("listing_loads_bodies", False)
        return loads, "bodies read" if loads else "titles only, bodies never"
    if not queries["checked"]:
        return True, "**no statement of the list recorded: not checked**"
    if queries["reading_article_rows"]:
        return True, ("**reads the article table's rows**: "
                      + "; ".join(queries["reading_article_rows"]))
    return False, (f"its {queries['checked']} statements (EXPLAIN QUERY PLAN) read only "
                   "indexes and the full-text index, never the bodies")


def stall_rows(results: dict) -> list[Row]:
    """The longest event-loop stall of each measured UI operation, against STALL_MS."""
    out: list[Row] = []
    start = results["startup"]
    fresh = [v for v in start.get("stalls_ms") or [] if v is not None]
    if fresh:
        notes = [f"median {med(fresh):.0f} ms of {len(fresh)} fresh processes"]
        for key, name in (("first_of_day_stall_ms", "first of the day"),
                          ("after_crash_stall_ms", "after a crash")):
            if start.get(key) is not None:
                notes.append(f"{name} {start[key]:.0f} ms")
        out.append(_stall_row("start-up: from the first paint until the whole list is read",
                              max(fresh), ", ".join(notes)))
    operations = results["session"].get("stall_operations")
    if operations is None:  # older results: each label on its own
        operations = {label: {label: ms} for label, ms in results["session"]["stalls_ms"].items()
                      if label not in ("idle", "setHtml floor")
                      and not label.startswith("export (core")}
    for operation, parts in operations.items():
        detail = ", ".join(f"{label} {ms:.0f}" for label, ms in parts.items()) \
            if len(parts) > 1 else ""
        out.append(_stall_row(operation, max(parts.values()), detail))
    return out


def _stall_row(operation: str, value: float, detail: str) -> Row:
    return Row(operation, value, "ms", target=f"≤ {STALL_MS:.0f} ms", met=value <= STALL_MS,
               detail=detail)


def _background_detail(session: dict, label: str) -> str:
    if label.startswith("import"):
        found = session["import"]
        return (f"{found['files']} files in {found['ms'] / 1000:.1f} s; the window's refresh at "
                f"the end takes {found['refresh_ms']:.0f} ms (tag sidebar "
                f"{found['tag_sidebar_reload_ms']:.0f}, list {found['list_reload_ms']:.0f}); "
                f"{len(found['long_gaps'])} stalls over 50 ms")
    found = session["export"]
    return f"{found['background_ms'] / 1000:.1f} s; {len(found['long_gaps'])} stalls over 50 ms"


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:,.2f} s"
    if unit == "pages/s":
        return f"{value:,.1f} pages/s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:,.0f} {unit}"


def table(results: dict) -> str:
    machine, library = results["machine"], results["library"]
    built = "built in this run" if library["built_this_run"] else "cached"
    lines = [
        (f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM, "
         f"{machine['os']}; Python {machine['python']}, PySide6 {machine['pyside6']} "
         f"(Qt {machine['qt']}), SQLite {machine['sqlite']}; load average "
         f"{machine['load_average_at_start'][0]:.2f} → {machine['load_average_at_end'][0]:.2f}"),
        (f"App: schema {results['app']['schema_version']}, source {results['app']['source_sha256']}"
         + (" (**the source changed during the run: figures may mix versions**)"
            if results["app"].get("source_changed_during_run") else "")),
        (f"Library: {library['articles']:,} articles, {library['highlights']:,} highlights, "
         f"{library['tags']} tags, {library['file_mb']:,.0f} MB; "
         f"build {library['build_seconds']:.0f} s ({built})"),
    ]
    if results.get("postgres"):
        lines.append(_postgres_server(results["postgres"]))
    lines += [
        "",
        "| measurement | value | floor | ratio | target | met? |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in rows(results):
        name = row.measurement + (f" — {row.detail}" if row.detail else "")
        floor = _number(row.floor, row.unit) if row.floor else "—"
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        met = "—" if row.met is None else ("yes" if row.met else "**no**")
        value = "skipped" if row.skipped and row.value is None else _number(row.value, row.unit)
        lines.append(f"| {name} | {value} | {floor} | {ratio} | {row.target or '—'} | {met} |")
    stalls = stall_rows(results)
    if stalls:
        over = [row for row in stalls if not row.met]
        lines += ["", ("Longest UI stall of each measured operation (the longest gap between "
                       "the ticks of a 10 ms timer; its parts in ms): "
                       + (f"**{len(over)} over {STALL_MS:.0f} ms: "
                          + ", ".join(f"{r.measurement} ({r.value:.0f} ms)" for r in over)
                          + "**" if over else f"none over {STALL_MS:.0f} ms")),
                  "", "| operation | longest stall | target | met? |", "|---|---:|---|---|"]
        for row in stalls:
            name = row.measurement + (f" — {row.detail}" if row.detail else "")
            lines.append(f"| {name} | {_number(row.value, row.unit)} | {row.target} | "
                         f"{'yes' if row.met else '**no**'} |")
    phases = results["startup"]["app_phases_ms"]
    lines += ["", "Start-up phases (median ms from process start): "
              + ", ".join(f"{k} {v:.0f}" for k, v in phases.items())]
    return "\n".join(lines)
