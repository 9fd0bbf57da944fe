"""Importing another tool's export: match, anchor, store — or only say what would happen.

Each item of the export (see model.py) finds its article, in turn:

1. the article an earlier import of the same source made of it or matched it to;
2. the article with its address (both normalised);
3. the article with its title and author (case, accents, punctuation and a subtitle
   aside; an author written "Last, First" is the same person);
4. a new article: from the content the export carries; else, for a web document, from
   its page, fetched (the link lists of Pocket and Instapaper, Hypothesis' pages); else
   (a Kindle book, or a page that cannot be fetched) an article made of its highlights
   (books.py).

Its highlights are then placed in the article's text (placing.py): exactly, approximately
or not at all — those are kept as orphans, listed in the report, and can be re-attached
in the annotation panel. Colour, note, tags and the time each was made are kept. Notes
and bookmarks without a passage go into the article's note.

Every item and highlight is remembered by the tool's key for it (links.py): importing
the same file again adds nothing twice, fills in only what was empty, never brings back
what was deleted here since, and an import that was stopped resumes where it stopped.
Items are written whole, a few at a time in one transaction: a crash or a cancel never
leaves an item half-written. A dry run does everything but write (and fetch).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reader.annotations import anchoring
from reader.importing.sources import ParsedArticle, SourceError, parse_content
from reader.library import Library
from reader.other_tools import books, formats, links, placing
from reader.other_tools.model import Export, FormatError, Highlight, Item
from reader.records import Changes, ImportProblem, ImportReport
from reader.storage.database import LibraryError, database_errors, utc_now

_log = logging.getLogger(__name__)

WRITE_BATCH = 400  # highlights written in one transaction, whole items at a time
QUOTE_CHARS = 80  # of an unanchored highlight's quote, in the report


@dataclass(frozen=True)
class Unanchored:
    """An imported highlight whose passage was not found in its article's text."""

    title: str
    location: str
    quote: str
    article_id: int | None = None
    highlight_id: int | None = None

    def __str__(self) -> str:
        quote = " ".join(self.quote.split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[:QUOTE_CHARS - 1] + "…"
        where = f", {self.location}" if self.location else ""
        return f"{self.title}{where}: “{quote}”"


@dataclass
class ImportFromReport:
    """What an import from another tool did (or, in a dry run, would do)."""

    path: str
    source: str  # the tool, e.g. "Kindle"
    format: str  # the format's name, e.g. "kindle"
    dry_run: bool = False
    articles_added: int = 0  # new articles: from content, fetched pages or highlights
    articles_found: int = 0  # items matched to articles already in the library
    articles_known: int = 0  # items imported before
    pages_fetched: int = 0
    pages_to_fetch: int = 0  # in a dry run: pages that would be fetched
    waiting_highlights: int = 0  # in a dry run: highlights of pages not fetched
    highlights_added: int = 0
    highlights_known: int = 0  # imported before, or already highlighted here
    highlights_filled: int = 0  # imported before; an empty note, or tags, filled in
    left_out: int = 0  # items and highlights imported before and deleted here since
    exact: int = 0
    approximate: int = 0
    unanchored: list[Unanchored] = field(default_factory=list)
    notes_added: int = 0  # notes and bookmarks without a passage, into article notes
    problems: list[str] = field(default_factory=list)
    cancelled: bool = False
    article_ids: set[int] = field(default_factory=set)  # articles added or changed
    new_articles: set[int] = field(default_factory=set)

    def changes(self) -> Changes:
        if not self.article_ids:
            return Changes()
        return Changes(articles=frozenset(self.article_ids), article_list=True, tags=True,
                       highlights=frozenset(self.article_ids))

    def lines(self) -> list[str]:
        """The report for people: what was (or would be) done, then what was not."""
        would = self.dry_run

        def verb(past: str, future: str) -> str:
            return future if would else past

        head = (f"{self.path} ({self.source}, {self.format})"
                + (": dry run, nothing was written" if would else ""))
        lines = [head]
        articles = [f"{self.articles_added} {verb('added', 'would be added')}",
                    f"{self.articles_found} found in the library"]
        if self.articles_known:
            articles.append(f"{self.articles_known} imported before")
        if self.pages_fetched:
            articles.append(f"{self.pages_fetched} fetched from the web")
        if self.pages_to_fetch:
            articles.append(f"{self.pages_to_fetch} to fetch from the web")
        lines.append("Articles: " + ", ".join(articles) + ".")
        placed = self.exact + self.approximate + len(self.unanchored)
        highlights = [f"{self.highlights_added} {verb('added', 'would be added')}"]
        if placed:
            highlights.append(f"{self.exact} anchored exactly, {self.approximate} "
                              f"approximately, {len(self.unanchored)} unanchored")
        if self.highlights_known:
            highlights.append(f"{self.highlights_known} already here")
        if self.highlights_filled:
            highlights.append(f"{self.highlights_filled} "
                              f"{verb('updated', 'would be updated')} (empty note or tags)")
        if self.waiting_highlights:
            highlights.append(f"{self.waiting_highlights} wait for their page to be fetched")
        lines.append("Highlights: " + ", ".join(highlights) + ".")
        if self.notes_added:
            lines.append(f"Notes and bookmarks without a passage: {self.notes_added} "
                         f"{verb('added to', 'would be added to')} their article's note.")
        if self.left_out:
            lines.append(f"Left out: {self.left_out} imported before and deleted here since.")
        if self.unanchored:
            lines.append("Unanchored highlights (" + ("would be " if would else "")
                         + "kept as orphans; re-attach them in the annotation panel):")
            lines.extend(f"  {entry}" for entry in self.unanchored)
        if self.cancelled:
            lines.append("Stopped before the end: import the file again to go on from here.")
        return lines

    def summary(self) -> str:
        return "\n".join(self.lines())


@dataclass
class _Plan:
    """What importing one item writes."""

    item: Item
    article_id: int | None = None  # the article it is in, when it exists
    new_article: ParsedArticle | None = None  # the article to add
    rebuilt: ParsedArticle | None = None  # a book article's new text
    book: bool = False
    new_highlights: list[tuple[Highlight, placing.Placement | None, str]] = field(
        default_factory=list)  # (highlight, where, passage kept for a book)
    known: list[tuple[Highlight, int]] = field(default_factory=list)  # linked to existing
    filled: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)
    notes: list[tuple[Highlight, str]] = field(default_factory=list)

    @property
    def highlight_count(self) -> int:
        return len(self.new_highlights) + len(self.known) + len(self.notes) + 1


def detect_format(path: Path) -> Any:
    """The format module of an export file, or None."""
    return formats.detect(path)


def read_export(path: Path, format_name: str | None = None) -> Export:
    """The export in a file: of the format named, else of the format detected.
    FormatError, naming the file, when it is no known export or cannot be read."""
    module = formats.by_name(format_name) if format_name else formats.detect(path)
    if module is None:
        raise FormatError(f"{path}: is not an export Marginalia can import; the formats are "
                          + ", ".join(f"{m.NAME} ({m.SOURCE}: {m.DESCRIPTION})"
                                      for m in formats.formats()))
    try:
        return module.read(path)
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from None
    except RecursionError:
        raise FormatError(f"{path}: is nested too deeply to read") from None


def import_export(library: Library, path: Path, format_name: str | None = None, *,
                  dry_run: bool = False, fetch: bool = True,
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None,
                  **fetch_options: Any) -> ImportFromReport:
    """Import another tool's export file into the library (see the module's text).

    `progress(done, total)` is called as items are done; `cancelled()` stops between
    items (what was written stays, whole). FormatError when the file is no known export;
    LibraryError when the library cannot be written (read-only, damaged or busy).
    """
    export = read_export(path, format_name)
    with database_errors(library.storage, f"Importing {path}"):
        return ExportImporter(library, export, str(path), dry_run=dry_run, fetch=fetch,
                              progress=progress, cancelled=cancelled,
                              fetch_options=fetch_options).run()


def import_paths(library: Library, paths: Iterable[Path],
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ImportReport:
    """Import files of any kind, as File › Import does: each export of another tool
    (recognised from the file itself) with `import_export`, the rest as articles.
    A file that is no export and no article, or an export that cannot be read, is a
    problem of the report; the others still import."""
    articles: list[Path] = []
    exports: list[ImportFromReport] = []
    problems: list[ImportProblem] = []
    for path in map(Path, paths):
        if cancelled is not None and cancelled():
            break
        try:
            if not (path.is_file() and formats.detect(path) is not None):
                if path.suffix.lower() in EXPORT_SUFFIXES and path.is_file():
                    read_export(path)  # says which formats it is none of
                articles.append(path)
                continue
            exports.append(import_export(library, path, progress=progress,
                                         cancelled=cancelled))
        except FormatError as exc:
            problems.append(ImportProblem(str(path), str(exc).removeprefix(f"{path}: ")))
    report = library.import_files(articles, progress) if articles else ImportReport()
    return replace(report, problems=tuple(problems) + report.problems, exports=tuple(exports))


# Files that are exports or nothing: one that no format recognises is an error, not an
# article to import.
EXPORT_SUFFIXES = frozenset({".csv", ".json", ".zip"})


class ExportImporter:
    """One import of one export; see `import_export`."""

    def __init__(self, library: Library, export: Export, path: str, *, dry_run: bool = False,
                 fetch: bool = True, progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 fetch_options: dict[str, Any] | None = None) -> None:
        self.library = library
        self.store = library.storage
        self.m = library.storage.models
        self.export = export
        self.dry_run = dry_run
        self.fetch = fetch
        self.progress = progress or (lambda done, total: None)
        self.cancelled = cancelled or (lambda: False)
        self.fetch_options = fetch_options or {}
        self.report = ImportFromReport(path, export.source, export.format, dry_run=dry_run)
        self.report.problems.extend(f"{path}: {problem}" for problem in export.problems)
        self.links = links.Links(self.store, export.format)
        self.index = _ArticleIndex(self.store)
        self._texts: dict[int, placing.FoldedText] = {}
        self._unanchored_at: dict[tuple[str, str], int] = {}  # report entries to complete
        self._tags: dict[str, int] = {}  # tag ids by folded name, as this import made them
        self._now = utc_now()

    # --- the whole import --------------------------------------------------------------
    def run(self) -> ImportFromReport:
        if not self.dry_run:
            self._check_writable()
        items = self.export.items
        total = len(items)
        pending: list[_Plan] = []
        to_fetch: list[Item] = []
        done = 0
        for item in items:
            if self.cancelled():
                self.report.cancelled = True
                break
            try:
                plan = self._plan(item)
            except (SourceError, ValueError) as exc:
                self._problem(item, str(exc))
                plan = None
            done += 1
            if plan == "fetch":
                to_fetch.append(item)
                continue
            if plan is not None:
                pending.append(plan)
                self._count(plan)
            if sum(p.highlight_count for p in pending) >= WRITE_BATCH:
                self._write(pending)
                pending = []
            self.progress(done, total)
        self._write(pending)
        if to_fetch and not self.report.cancelled:
            self._fetch_all(to_fetch, done, total)
        return self.report

    def _problem(self, item: Item, reason: str) -> None:
        self.report.problems.append(f"{self.report.path}: “{item.title or item.url}”: {reason}")

    def _check_writable(self) -> None:
        if self.library.read_only is not None:
            raise LibraryError(f"{self.library.path} is read-only ({self.library.read_only}); "
                               "nothing was imported.")
        if self.library.damaged:
            raise LibraryError(f"{self.library.path} is damaged ({self.library.damaged}); "
                               "nothing was imported.")

    # --- planning: what an item becomes, without writing --------------------------------
    def _plan(self, item: Item) -> _Plan | str | None:
        link = self.links.item(item.key)
        if link is not None:
            if link.article_id not in self.links.articles:
                self.report.left_out += 1 + len(item.highlights)
                return None
            self.report.articles_known += 1
            return self._plan_in(item, link.article_id, book=link.kind == links.BOOK)
        found = self.index.find(item)
        if found is not None:
            self.report.articles_found += 1
            return self._plan_in(item, found)
        if item.content and item.content.strip():
            try:
                parsed = parse_content(
                    item.content, item.content_format, title=item.title, author=item.author,
                    published=item.published, url=_stored_url(item.url), tags=item.tags,
                    source_name=f"{self.export.source} export")
            except SourceError as exc:
                if not (item.url or item.highlights):
                    raise
                self._problem(item, f"its content {exc}; "
                              + ("its page is fetched instead" if item.url and not item.book
                                 else "made of its highlights instead"))
            else:
                return self._plan_new(item, parsed)
        if item.url and not item.book and self.fetch:
            if self.dry_run:
                self.report.pages_to_fetch += 1
                self.report.waiting_highlights += sum(
                    1 for h in item.highlights if h.kind == "highlight" and h.text.strip())
                return None
            return "fetch"
        if any(h.kind == "highlight" and h.text.strip() for h in item.highlights):
            return self._plan_book(item)
        if item.url and not self.fetch:
            raise ValueError(f"its page {item.url} was not fetched (fetching is off)")
        raise ValueError("has neither text, nor an address to fetch it from, nor highlights")

    def _plan_in(self, item: Item, article_id: int, book: bool = False) -> _Plan:
        """Plan an item whose article is in the library."""
        plan = _Plan(item, article_id=article_id, book=book)
        fresh = self._sort_highlights(plan)
        if not fresh:
            return plan
        if book:
            kept = [books.Passage(link.passage, link.location, link.position)
                    for link in self.links.book_passages(item.key)]
            new = [books.Passage(h.text, h.location, h.order) for h in fresh]
            passages = books.ordered(kept + new)
            plan.rebuilt, spans = self._book(item, passages)
            placed = {(books.passage_text(p.text), p.location): span
                      for p, span in zip(passages, spans)}
            for h in fresh:
                span = placed.get((books.passage_text(h.text), h.location), (-1, -1))
                where = placing.Placement(*span, placing.EXACT) if span[0] >= 0 else None
                plan.new_highlights.append((h, where, books.passage_text(h.text)))
            return plan
        text = self._folded(article_id)
        existing = {(row[1], row[2]): row[0] for row in self.store.rows(
            'SELECT id, start, "end" FROM highlight WHERE article_id = ?', (article_id,))}
        for h in fresh:
            where = placing.place(text, h.text, h.prefix, h.suffix, h.start, h.end)
            same = existing.get((where.start, where.end)) if where else None
            if same is not None:
                plan.known.append((h, same))
            else:
                plan.new_highlights.append((h, where, ""))
        return plan

    def _plan_new(self, item: Item, parsed: ParsedArticle) -> _Plan:
        plan = _Plan(item, new_article=parsed)
        fresh = self._sort_highlights(plan)
        text = placing.FoldedText(parsed.text)
        for h in fresh:
            plan.new_highlights.append(
                (h, placing.place(text, h.text, h.prefix, h.suffix, h.start, h.end), ""))
        return plan

    def _plan_book(self, item: Item) -> _Plan:
        plan = _Plan(item, book=True)
        fresh = self._sort_highlights(plan)
        passages = books.ordered([books.Passage(h.text, h.location, h.order) for h in fresh])
        plan.new_article, spans = self._book(item, passages)
        placed = {(books.passage_text(p.text), p.location): span
                  for p, span in zip(passages, spans)}
        for h in fresh:
            span = placed.get((books.passage_text(h.text), h.location), (-1, -1))
            where = placing.Placement(*span, placing.EXACT) if span[0] >= 0 else None
            plan.new_highlights.append((h, where, books.passage_text(h.text)))
        return plan

    def _book(self, item: Item, passages: list[books.Passage]) -> tuple[ParsedArticle, list]:
        return books.book_article(item.title or "Untitled", item.author, passages,
                                  url=_stored_url(item.url), tags=item.tags,
                                  source_name=f"{self.export.source} highlights",
                                  published=item.published)

    def _sort_highlights(self, plan: _Plan) -> list[Highlight]:
        """The item's highlights not imported before; the others counted or filled in."""
        fresh = []
        seen: set[str] = set()
        for h in plan.item.highlights:
            if h.key in seen:
                continue
            seen.add(h.key)
            passage = h.kind == "highlight" and bool(h.text.strip())
            link = self.links.get(links.HIGHLIGHT if passage else links.NOTE, h.key)
            if link is not None:
                if passage and link.highlight_id not in self.links.highlights:
                    self.report.left_out += 1
                elif passage:
                    self.report.highlights_known += 1
                    if (h.note or h.tags) and link.highlight_id is not None:
                        plan.filled.append((link.highlight_id, h.note, h.tags))
                continue
            if not passage:
                if h.note.strip() or h.kind == "bookmark":
                    plan.notes.append((h, _note_line(self.export.source, h)))
                continue
            fresh.append(h)
        return fresh

    def _count(self, plan: _Plan) -> None:
        report = self.report
        if plan.new_article is not None:
            report.articles_added += 1
        for h, where, _ in plan.new_highlights:
            report.highlights_added += 1
            if where is None:
                self._unanchored_at[(plan.item.key, h.key)] = len(report.unanchored)
                report.unanchored.append(Unanchored(plan.item.title or plan.item.url or "",
                                                    h.location, h.text, plan.article_id))
            elif where.how == placing.EXACT:
                report.exact += 1
            else:
                report.approximate += 1
        report.highlights_known += len(plan.known)
        report.notes_added += len(plan.notes)

    def _folded(self, article_id: int) -> placing.FoldedText:
        if article_id not in self._texts:
            if len(self._texts) > 64:
                self._texts.clear()
            rows = self.store.rows("SELECT text FROM article WHERE id = ?", (article_id,))
            self._texts[article_id] = placing.FoldedText(rows[0][0] if rows else "")
        return self._texts[article_id]

    # --- writing -----------------------------------------------------------------------
    def _write(self, plans: list[_Plan]) -> None:
        if self.dry_run or not plans:
            return
        with self.store.write():
            for plan in plans:
                self._write_item(plan)

    def _write_item(self, plan: _Plan) -> None:
        item, m = plan.item, self.m
        article_id = plan.article_id
        if plan.new_article is not None:
            article_id = self._add_article(item, plan.new_article)
            self.report.new_articles.add(article_id)
            text = plan.new_article.text
        elif plan.rebuilt is not None and article_id is not None:
            parsed = plan.rebuilt
            m.Article.update(source_text=parsed.source_text, text=parsed.text,
                             content_hash=parsed.content_hash).where(
                m.Article.id == article_id).execute()
            self._texts.pop(article_id, None)
            self.library.highlights.reanchor(article_id, parsed.text)
            text = parsed.text
        elif plan.new_highlights:
            text = self._folded(article_id).text
        else:
            text = ""
        assert article_id is not None
        self.report.article_ids.add(article_id)
        if plan.article_id is not None:
            self._add_tags(article_id, item.tags)
        notes = [line for _, line in plan.notes]
        if item.note.strip():
            notes.insert(0, item.note.strip())
        self._append_note(article_id, notes)
        kind = links.BOOK if plan.book else links.ITEM
        if self.links.item(item.key) is None:
            self.links.add(links.Link(kind, item.key, item.key, article_id, None))
        for h, where, passage in plan.new_highlights:
            highlight_id = self._add_highlight(article_id, text, h, where)
            if where is None:
                self._mark_unanchored(item, h, article_id, highlight_id)
            self.links.add(links.Link(links.HIGHLIGHT, h.key, item.key, article_id,
                                      highlight_id, passage, h.location, h.order))
        for h, highlight_id in plan.known:
            self.links.add(links.Link(links.HIGHLIGHT, h.key, item.key, article_id,
                                      highlight_id))
        for h, _ in plan.notes:
            self.links.add(links.Link(links.NOTE, h.key, item.key, article_id, None))
        for highlight_id, note, tags in plan.filled:
            self._fill(highlight_id, note, tags)

    def _add_article(self, item: Item, parsed: ParsedArticle) -> int:
        m = self.m
        fields: dict[str, Any] = dict(
            title=parsed.title, author=parsed.author, published=parsed.published,
            publication=parsed.publication, url=parsed.url, source_name=parsed.source_name,
            source_format=parsed.source_format, source_text=parsed.source_text,
            text=parsed.text, content_hash=parsed.content_hash,
            added_at=item.saved_at or self._now,
            archived=bool(item.archived), read=bool(item.read),
        )
        article_id = m.Article.insert(**fields).execute()
        self._add_tags(article_id, parsed.tags)
        self.index.add(article_id, parsed.title, parsed.author, parsed.url)
        self.links.articles.add(article_id)
        return article_id

    def _tag_ids(self, names: Iterable[str]) -> list[int]:
        """The ids of tags by these names, made when new (inside the caller's write)."""
        names = [name for name in names if name.strip()]
        missing = [name for name in names if name.casefold() not in self._tags]
        for name in missing:
            made = self.library.tags.ensure([name])  # none for a name of no letters
            if made:
                self._tags[name.casefold()] = made[0]
        return [self._tags[name.casefold()] for name in names if name.casefold() in self._tags]

    def _add_tags(self, article_id: int, names: Iterable[str]) -> None:
        for tag in self._tag_ids(names):
            self.m.ArticleTag.insert(article=article_id, tag=tag).on_conflict_ignore().execute()

    def _append_note(self, article_id: int, lines: list[str]) -> None:
        if not lines:
            return
        m = self.m
        note = m.Article.select(m.Article.note).where(m.Article.id == article_id).scalar() or ""
        added = [line for line in lines if line not in note]
        if added:
            note = "\n\n".join(part for part in [note.rstrip()] + added if part)
            m.Article.update(note=note).where(m.Article.id == article_id).execute()

    def _add_highlight(self, article_id: int, text: str, h: Highlight,
                       where: placing.Placement | None) -> int:
        if where is not None:
            selector = anchoring.describe(text, where.start, where.end)
            fields = dict(start=selector.start, end=selector.end, exact=selector.exact,
                          prefix=selector.prefix, suffix=selector.suffix, orphaned=False)
        else:
            fields = dict(start=0, end=0, exact=" ".join(h.text.split()), prefix=h.prefix,
                          suffix=h.suffix, orphaned=True)
        # Plain SQL: peewee's query building cost more than the insert itself.
        highlight_id = self.store.insert(
            'INSERT INTO highlight (article_id, start, "end", exact, prefix, suffix, colour,'
            " note, orphaned, created_at, updated_at, previous_exact)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            (article_id, fields["start"], fields["end"], fields["exact"], fields["prefix"],
             fields["suffix"], h.colour or "yellow", h.note.strip(), int(fields["orphaned"]),
             h.created_at or self._now, self._now))
        for tag in self._tag_ids(h.tags):
            self.store.run(
                "INSERT OR IGNORE INTO highlight_tag (highlight_id, tag_id) VALUES (?, ?)",
                (highlight_id, tag))
        self.links.highlights.add(highlight_id)
        return highlight_id

    def _mark_unanchored(self, item: Item, h: Highlight, article_id: int,
                         highlight_id: int) -> None:
        index = self._unanchored_at.pop((item.key, h.key), None)
        if index is not None:
            self.report.unanchored[index] = replace(
                self.report.unanchored[index], article_id=article_id, highlight_id=highlight_id)

    def _fill(self, highlight_id: int, note: str, tags: tuple[str, ...]) -> None:
        """Fill in a note or tags a highlight imported before has not (never overwrite)."""
        m = self.m
        row = m.Highlight.select(m.Highlight.note, m.Highlight.article).where(
            m.Highlight.id == highlight_id).first()
        if row is None:
            return
        changed = False
        if note.strip() and not row.note.strip():
            m.Highlight.update(note=note.strip(), updated_at=self._now).where(
                m.Highlight.id == highlight_id).execute()
            changed = True
        have = {name.casefold() for (name,) in self.store.rows(
            "SELECT t.name FROM highlight_tag ht JOIN tag t ON t.id = ht.tag_id"
            " WHERE ht.highlight_id = ?", (highlight_id,))}
        missing = [name for name in tags if name.casefold() not in have]
        for tag in self._tag_ids(missing):
            m.HighlightTag.insert(highlight=highlight_id, tag=tag).on_conflict_ignore().execute()
            changed = True
        if changed:
            self.report.highlights_filled += 1
            self.report.article_ids.add(row.article_id)

    # --- fetching the pages of link lists ----------------------------------------------
    def _fetch_all(self, items: list[Item], done: int, total: int) -> None:
        from reader.web import SaveResult, save_pages

        by_url: dict[str, list[Item]] = {}
        for item in items:
            by_url.setdefault(item.url or "", []).append(item)

        def stored(result: Any) -> None:
            for item in by_url.get(result.requested if isinstance(result, SaveResult)
                                   else result.url, []):
                self._after_fetch(item, result)

        def step(count: int, _all: int) -> None:
            self.progress(done + count, total)

        report = save_pages(self.library, list(by_url), on_result=stored, progress=step,
                            cancelled=self.cancelled, **self.fetch_options)
        self.report.cancelled = self.report.cancelled or report.cancelled

    def _after_fetch(self, item: Item, result: Any) -> None:
        from reader.web import SaveResult

        try:
            if isinstance(result, SaveResult):
                self.report.pages_fetched += 1
                self._texts.pop(result.article_id, None)
                if result.status == "added":
                    self.report.articles_added += 1
                    self.report.new_articles.add(result.article_id)
                else:
                    self.report.articles_found += 1
                plan = self._plan_in(item, result.article_id)
                self._count(plan)
                with self.store.write():
                    if result.status == "added":
                        self._set_state(result.article_id, item)
                    self._add_tags(result.article_id, item.tags)
                    self._write_item(plan)
                return
            if any(h.kind == "highlight" and h.text.strip() for h in item.highlights):
                self._problem(item, f"its page could not be fetched ({result.reason}); "
                                    "its highlights make its article instead")
                plan = self._plan_book(item)
                self._count(plan)
                self._write([plan])
            else:
                self._problem(item, f"its page could not be fetched ({result.reason}); "
                                    "import the file again to try once more")
        except (SourceError, ValueError) as exc:
            self._problem(item, str(exc))

    def _set_state(self, article_id: int, item: Item) -> None:
        fields: dict[str, Any] = {}
        if item.archived is not None:
            fields["archived"] = item.archived
        if item.read is not None:
            fields["read"] = item.read
        if item.saved_at:
            fields["added_at"] = item.saved_at
        if fields:
            self.m.Article.update(**fields).where(self.m.Article.id == article_id).execute()


def _note_line(source: str, h: Highlight) -> str:
    """An article-note line for a note or bookmark that marks no passage."""
    where = f" ({h.location})" if h.location else ""
    if h.kind == "bookmark":
        return f"{source} bookmark{where}."
    return f"{source} note{where}: {h.note.strip()}"


def _stored_url(url: str | None) -> str | None:
    """An address as articles keep it (normalised), or None when it is no web address."""
    if not url:
        return None
    from reader.web.urls import AddressError, normalise_url

    try:
        return normalise_url(url)
    except (AddressError, ValueError):
        return None


_WORD = re.compile(r"\w+")


def title_key(title: str) -> str:
    """A title as matching compares it: folded, its words only."""
    return " ".join(_WORD.findall(placing.fold(title)))


def short_title(title: str) -> str:
    """A title without its subtitle or series: "Dune: Deluxe Edition (Dune 1)" is "dune"."""
    cut = re.split(r"\s*[:(\[|]|\s+[-–—]\s+", title, maxsplit=1)[0]
    return title_key(cut)


def author_words(author: str) -> set[str]:
    """The words of an author's name(s): "Weiss, Clara" and "Clara Weiss" are the same."""
    return {word for word in _WORD.findall(placing.fold(author)) if len(word) > 1}


class _ArticleIndex:
    """The library's articles by address and by title, to match imported items to."""

    def __init__(self, store: Any) -> None:
        self.by_url: dict[str, int] = {}
        self.by_title: dict[str, list[tuple[int, set[str]]]] = {}
        self.by_short: dict[str, list[tuple[int, set[str]]]] = {}
        for article_id, title, author, url in store.rows(
                "SELECT id, title, author, url FROM article ORDER BY id"):
            self.add(article_id, title, author, url)

    def add(self, article_id: int, title: str, author: str, url: str | None) -> None:
        if url:
            self.by_url.setdefault(url, article_id)
            normal = _stored_url(url)
            if normal:
                self.by_url.setdefault(normal, article_id)
        entry = (article_id, author_words(author or ""))
        key = title_key(title or "")
        if key:
            self.by_title.setdefault(key, []).append(entry)
        short = short_title(title or "")
        if short:
            self.by_short.setdefault(short, []).append(entry)

    def find(self, item: Item) -> int | None:
        if item.url:
            for url in (item.url, _stored_url(item.url)):
                if url and url in self.by_url:
                    return self.by_url[url]
        authors = author_words(item.author)
        for table, key in ((self.by_title, title_key(item.title)),
                           (self.by_short, short_title(item.title))):
            candidates = table.get(key, []) if key else []
            for article_id, words in candidates:
                if not authors or not words or authors & words:
                    return article_id
        return None
