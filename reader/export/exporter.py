"""Exports annotations to Markdown files for a notes vault (Obsidian, Logseq, plain folders).

One file per article that has annotations, rendered by a Jinja2 template (the default
in resources/templates, the full-text one with `full_text`, or the user's own). Safe to
run again into the same folder, as often as one likes:

* every article keeps its file name (a manifest in the folder remembers them);
* Marginalia's parts of a file sit between marker comments (reader.export.regions) and
  only those are brought up to date; what the user wrote outside them stays, and a file
  the user deleted is not written again unless asked (`recreate`);
* an article whose change stamp, or else whose inputs (reader.export.changes), and file
  are as they were is skipped without reading its text or rendering it; with the stamp,
  without reading anything else of it either.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from pathlib import Path

import jinja2
import jinja2.sandbox

import reader
from reader.export import changes, manifest, vault
from reader.export.front_matter import dump as dump_front_matter
from reader.export.full_text import FullText, callout_lines, placed
from reader.export.full_text import render as render_full_text
from reader.export.manifest import MANIFEST, file_digest
from reader.export.markdown_safe import blockquote, contained, escape_inline, hashtag
from reader.export.names import (MAX_NAME_BYTES, NAME_RESERVE_BYTES, name_max, safe_file_name,
                                 untrusted_file_name)
from reader.export.regions import ExportedFile, RegionError, parse, region
from reader.files import FolderBusy, exclusive_folder, remove_leftover_temporaries, write_files
from reader.importing.head import format_date
from reader.library import Library
from reader.paths import resources_dir
from reader.progress import Progress
from reader.records import ArticleRecord, HighlightRecord
from reader.storage.database import LibraryError, database_errors

__all__ = ["MANIFEST", "ExportError", "ExportReport", "Exporter", "default_template_path",
           "load_template", "safe_file_name", "untrusted_file_name"]

LINK = "marginalia://open?article={article}"
HIGHLIGHT_LINK = "marginalia://open?article={article}&highlight={highlight}"
MAX_TEMPLATE_BYTES = 1024 * 1024  # a template is a page of text; more is a mistake or an attack
# Changed whenever the same inputs would give a different file: every article is then
# rendered again on the next export (it is part of every article's fingerprint).
OUTPUT_VERSION = 2
_MARKER_LINE = re.compile(r"^<!-- marginalia:(?:begin|end) [A-Za-z0-9_-]+ -->\n", re.MULTILINE)


class ExportError(Exception):
    """An export that cannot be done, with a message for the user; nothing was half-written."""


@dataclass(frozen=True)
class ExportReport:
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    skipped: tuple[int, ...] = ()  # articles without annotations
    warnings: tuple[str, ...] = ()  # e.g. manifest entries ignored; the export went on
    not_recreated: tuple[Path, ...] = ()  # files the user deleted (see `recreate`)
    conflicts: tuple[Path, ...] = ()  # files left as they are: they cannot be merged safely


def default_template_path(full_text: bool = False) -> Path:
    name = "article-full.md.j2" if full_text else "article.md.j2"
    return resources_dir() / "templates" / name


def load_template(path: Path | None = None, full_text: bool = False) -> jinja2.Template:
    """The export template at path (the built-in one when None); ExportError if unusable.

    Templates are shared like any other file, so they run in Jinja2's sandbox: a template
    can read the variables it is given and call the filters, never reach Python's
    internals (`cycler.__init__.__globals__.os` and the like are errors, not code run).
    """
    path = Path(path) if path else default_template_path(full_text)
    source = _read_template(path)
    digest = file_digest(source.encode("utf-8", "surrogatepass"))
    cached = _compiled.get((str(path), digest))
    if cached is not None:
        return cached
    environment = jinja2.sandbox.SandboxedEnvironment(
        autoescape=False, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(escape=escape_inline, blockquote=blockquote, hashtag=hashtag,
                               contained=contained, region=region)
    try:
        template = environment.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ExportError(f"{path}, line {exc.lineno}: {exc.message}") from exc
    template.filename = str(path)
    template.source_digest = digest
    # A template that shows highlights' next review dates has them read (and re-renders
    # a file when they change); one that does not costs nothing for them.
    template.uses_review = "review_due" in source
    if len(_compiled) >= 16:
        _compiled.clear()
    _compiled[(str(path), digest)] = template
    return template


# Compiled templates by file and text: compiling one takes about as long as deciding that
# nothing changed in a folder of a few hundred files, and a window exports again and again.
_compiled: dict[tuple[str, str], jinja2.Template] = {}


def _read_template(path: Path) -> str:
    """The template's text, read only when it is under MAX_TEMPLATE_BYTES."""
    too_big = (f"{path}: the template is larger than {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB "
               f"({MAX_TEMPLATE_BYTES:,} bytes), the most a template may be.")
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise ExportError(too_big)
        with path.open("rb") as stream:  # at most one byte over: a device or growing file
            data = stream.read(MAX_TEMPLATE_BYTES + 1)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise ExportError(too_big)
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read the template ({_reason(exc)}).") from exc


class Exporter:
    """Renders and writes the Markdown of articles' annotations.

    With `full_text`, each file holds the whole article with its highlights marked in
    it (reader.export.full_text); the built-in full-text template is used unless a
    template is given, and templates get the variables `head` and `passages`."""

    def __init__(self, library: Library, template: Path | None = None,
                 full_text: bool = False) -> None:
        self.library = library
        self.full_text = full_text
        self.template = load_template(template, full_text)
        with database_errors(library.storage, "Exporting"):
            self._colour_names = {c.key: c.name for c in library.colours.all()}
        self._last_front: tuple[str, dict] | None = None  # the last front matter rendered
        # Everything besides the article itself that its file depends on. Review days are
        # days of the local calendar: a template that shows them depends on the time zone.
        zone = (_time_zone(library.review.clock.tz) if self.template.uses_review else None)
        self._context = repr((OUTPUT_VERSION, reader.__version__, full_text,
                              self.template.source_digest, sorted(self._colour_names.items()),
                              zone))

    def select(self, article_ids: Iterable[int] = (), tags: Iterable[str] = ()) -> list[int]:
        """The articles to export: those given, those under the tags, or else all."""
        with database_errors(self.library.storage, "Exporting"):
            return self._select(list(article_ids), list(tags))

    def _select(self, article_ids: list[int], tags: list[str]) -> list[int]:
        for article_id in article_ids:
            try:
                self.library.articles.get(article_id)
            except LibraryError as exc:
                raise ExportError(str(exc)) from exc
        chosen = list(dict.fromkeys(article_ids))
        seen = set(chosen)
        for tag in tags:
            if self.library.tags.find(tag) is None and not self.library.tags.ids_under(tag):
                raise ExportError(f"There is no tag called {tag!r}.")
            for archived in (False, True):
                for i in self.library.articles.ids(tag=tag, archived=archived):
                    if i not in seen:
                        chosen.append(i)
                        seen.add(i)
        if not article_ids and not tags:
            chosen = self.library.articles.ids("added") + self.library.articles.ids(
                "added", archived=True)
        return chosen

    def render(self, article_id: int, exported: str) -> str | None:
        """The article's Markdown, or None when it has no highlights and no note."""
        for article, highlights, document in self._batches([article_id]):
            return self._render(article, highlights, exported, document)
        raise ExportError(f"There is no article with id {article_id}.")

    def _batches(self, article_ids: list[int], size: int = 500):
        """(article, highlights, full text or None) for each id, a few queries a batch."""
        for start in range(0, len(article_ids), size):
            chunk = article_ids[start:start + size]
            # The document first: rendering it can place highlights anew (after the
            # renderer changed), and the highlights read after it are where it put them.
            documents = {i: self.library.articles.document(i) for i in chunk} \
                if self.full_text else {}
            highlights = self.library.highlights.for_articles(chunk)
            for article in self.library.articles.records(chunk):
                found = highlights.get(article.id, [])
                document = documents.get(article.id)
                yield article, found, (self._full_text(document, found) if document else None)

    def _full_text(self, document, highlights: list[HighlightRecord]) -> FullText:
        def callout(h: HighlightRecord) -> list[str]:
            return callout_lines(h, self._colour_names.get(h.colour, h.colour),
                                 HIGHLIGHT_LINK.format(article=h.article_id, highlight=h.id))

        return render_full_text(document, placed(document, highlights), callout)

    def _render(self, article: ArticleRecord, highlights: list[HighlightRecord],
                exported: str, full_text: FullText | None = None,
                always: bool = False) -> str | None:
        if not highlights and not article.note and not always:
            return None
        if full_text is not None:  # those the text could not show are listed at the end
            shown = full_text.placed
        else:
            shown = {h.id for h in highlights if not h.orphaned}
        due = (self.library.review.due_dates([h.id for h in highlights])
               if getattr(self.template, "uses_review", False) and highlights else {})
        placed_ = [self._highlight(h, due) for h in highlights if h.id in shown]
        orphans = [self._highlight(h, due) for h in highlights if h.id not in shown]
        front = {
            "title": article.title, "author": article.author, "published": article.published,
            "publication": article.publication, "url": article.url, "tags": list(article.tags),
            "highlights": len(highlights), "exported": exported,
            "marginalia_id": article.id, "marginalia_link": LINK.format(article=article.id),
        }
        front_matter = dump_front_matter(front)
        self._last_front = (front_matter, front)
        byline = " · ".join(p for p in (article.author, article.publication,
                                        format_date(article.published)) if p)
        context = {
            "article": {
                "id": article.id, "title": article.title, "author": article.author,
                "publication": article.publication, "published": article.published or "",
                "url": article.url or "", "tags": list(article.tags),
                "hashtags": [hashtag(t) for t in article.tags], "note": article.note,
                "link": LINK.format(article=article.id),
            },
            "byline": byline, "front_matter": front_matter, "exported": exported,
            "highlights": placed_, "orphans": orphans, "highlight_count": len(highlights),
        }
        if full_text is not None:
            context["head"] = full_text.head
            context["passages"] = [{"id": p.id, "markdown": p.markdown}
                                   for p in full_text.passages]
        try:
            return self.template.render(**context)
        except jinja2.sandbox.SecurityError as exc:
            raise ExportError(f"{self.template.filename}: refused by the template sandbox: "
                              f"{exc}") from exc
        except (jinja2.TemplateError, RegionError) as exc:
            raise ExportError(f"{self.template.filename}: {exc}") from exc

    def _highlight(self, h: HighlightRecord, due: dict[int, str] | None = None
                   ) -> dict[str, object]:
        return {
            # The day the daily review shows it next ("": never reviewed, or retired).
            "review_due": (due or {}).get(h.id, ""),
            "id": h.id, "quote": h.exact, "colour": h.colour,
            "colour_name": self._colour_names.get(h.colour, h.colour),
            "tags": list(h.tags), "hashtags": [hashtag(t) for t in h.tags], "note": h.note,
            "block_id": f"hl-{h.id}", "orphaned": h.orphaned,
            "link": HIGHLIGHT_LINK.format(article=h.article_id, highlight=h.id),
            "created": h.created_at, "updated": h.updated_at,
            # A revision changed the passage (or took it away): when, and its words then.
            "changed": h.changed_in is not None, "changed_in": h.changed_in,
            "changed_at": h.changed_at or "",
            "changed_date": format_date((h.changed_at or "")[:10]),
            "previous_quote": h.previous_exact if h.changed_in is not None else "",
        }


    def to_text(self, article_ids: Iterable[int]) -> str:
        """Every chosen article's Markdown in one stream (for --stdout and the clipboard),
        without region markers: they matter only in a file exported again."""
        exported = _now()
        with database_errors(self.library.storage, "Exporting"):
            parts = [self._render(article, highlights, exported, text)
                     for article, highlights, text in self._batches(list(article_ids))]
        return _MARKER_LINE.sub("", "\n".join(part for part in parts if part))

    def to_folder(self, folder: Path, article_ids: Iterable[int],
                  progress: Progress | None = None, recreate: bool = False) -> ExportReport:
        """Write one file per article into folder, or bring the one there up to date
        (see the module's docstring). With `recreate`, files the user deleted are
        written again."""
        folder = Path(folder).expanduser()
        article_ids = list(article_ids)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"{folder}: cannot create the folder ({_reason(exc)}).") from exc
        try:
            with exclusive_folder(folder), database_errors(self.library.storage,
                                                           f"Exporting to {folder}"):
                return _FolderExport(self, folder, recreate).run(article_ids, progress)
        except FolderBusy:
            raise ExportError(f"{folder}: another export into this folder is running; "
                              "try again when it has finished.") from None

    def _exported_file(self, content: str) -> ExportedFile:
        """The rendered text in parts; a template without regions makes one of all of it."""
        try:
            return parse(content, wrap="body")
        except RegionError as exc:
            raise ExportError(f"{self.template.filename}: the regions it writes do not pair "
                              f"up ({exc}).") from exc


class _FolderExport:
    """One export into a folder, under its lock."""

    def __init__(self, exporter: Exporter, folder: Path, recreate: bool) -> None:
        self.exporter, self.folder, self.recreate = exporter, folder, recreate
        self.warnings: list[str] = []
        self.written: list[Path] = []
        self.unchanged: list[Path] = []
        self.skipped: list[int] = []
        self.not_recreated: list[Path] = []
        self.conflicts: list[Path] = []
        self.planned: list[tuple[str, Path, bytes, dict]] = []  # (key, path, data, state)
        self.dirty = False  # whether the manifest must be saved

    def run(self, article_ids: list[int], progress: Progress | None) -> ExportReport:
        folder = self.folder
        # An export killed part-way (a crash, SIGKILL, power) leaves its temporaries:
        # ours, by their names, and none can be in use while the folder is locked.
        remove_leftover_temporaries(folder, lambda name: name.endswith(".md")
                                    or name == MANIFEST)
        self.manifest = manifest.read(folder, self.warnings)
        names: dict[str, dict] = self.manifest["articles"]
        self.names = names
        longest = name_max(folder)
        self.max_bytes = min(MAX_NAME_BYTES, longest - NAME_RESERVE_BYTES)
        count = len(names)
        on_disk = _files(folder)
        manifest.drop_untrusted_entries(folder, names, self.warnings, longest, set(on_disk))
        pending = any("pending" in e for e in names.values())
        manifest.settle_pending(folder, names)
        self.dirty = count != len(names) or pending
        if pending:
            on_disk = _files(folder)
        self.taken = {e["file"].casefold() for e in names.values()}
        self.taken |= {name.casefold() for name in on_disk if name.endswith(".md")}
        self.now = _now()
        stamps, prints, slow = self._triage(article_ids, on_disk)
        done = len(article_ids) - len(slow)
        for article, highlights, text in self.exporter._batches(slow):
            done += 1
            if progress:
                progress(done, len(article_ids))
            self._article(article, highlights, text, prints[article.id][0],
                          stamps.get(article.id), on_disk)
        if progress and not slow and article_ids:
            progress(len(article_ids), len(article_ids))
        self._save()
        return ExportReport(tuple(self.written), tuple(self.unchanged), tuple(self.skipped),
                            tuple(self.warnings), tuple(self.not_recreated),
                            tuple(self.conflicts))

    def _triage(self, article_ids: list[int], on_disk: dict[str, tuple[int, int]]
                ) -> tuple[dict[int, int], dict[int, tuple[str, bool]], list[int]]:
        """Sort the articles into skipped, unchanged and not recreated (reported as it
        goes) and the ones to render; returns the stamps, the fingerprints read and
        those to render."""
        folder, names = self.folder, self.names
        exporter = self.exporter
        storage = exporter.library.storage
        # The stamps before anything else of the articles: a change made while this
        # export reads them moves a stamp past the one kept, and the next export looks
        # at that article again.
        stamps = changes.stamps(storage, [i for i in article_ids if str(i) in names])
        self._same_context()
        quick: dict[int, str] = {}  # what is known of an article without its fingerprint
        fresh: list[int] = []  # articles without a file yet
        for article_id in article_ids:
            entry = names.get(str(article_id))
            if entry is None:
                fresh.append(article_id)
                continue
            stamp = stamps.get(article_id)
            if stamp is None:
                continue  # deleted meanwhile? its fingerprint will say
            seen = on_disk.get(entry["file"])
            if seen is None and "sha" in entry and not self.recreate:
                quick[article_id] = "not recreated"  # the user deleted it
            elif (entry.get("change") == stamp and seen is not None
                  and (entry.get("size"), entry.get("mtime_ns")) == seen):
                quick[article_id] = "unchanged"
        # Most articles of a whole library have no file and nothing to export: two
        # indexes say so, without a stamp or a fingerprint.
        with_annotations = changes.annotated(storage, fresh)
        for article_id in fresh:
            if article_id not in with_annotations:
                quick[article_id] = "skipped"
        stamps.update(changes.stamps(storage, [i for i in fresh if i in with_annotations]))
        prints = changes.fingerprints(storage, [i for i in article_ids if i not in quick],
                                      exporter._context,
                                      review=getattr(exporter.template, "uses_review", False))
        slow: list[int] = []
        for article_id in article_ids:
            verdict = quick.get(article_id)
            entry = names.get(str(article_id))
            if verdict == "skipped":
                self.skipped.append(article_id)
                continue
            if verdict is not None:
                path = folder / entry["file"]
                (self.unchanged if verdict == "unchanged" else self.not_recreated).append(path)
                continue
            found = prints.get(article_id)
            if found is None:
                continue  # deleted meanwhile
            fingerprint, annotated = found
            if not annotated and entry is None:
                self.skipped.append(article_id)
                continue
            if entry is None:
                slow.append(article_id)
                continue
            path = folder / entry["file"]
            seen = on_disk.get(entry["file"])
            if seen is None and "sha" in entry and not self.recreate:
                self.not_recreated.append(path)  # the user deleted it
            elif (seen is not None and entry.get("fingerprint") == fingerprint
                  and (entry.get("size"), entry.get("mtime_ns")) == seen):
                self.unchanged.append(path)
                self._set_stamp(entry, stamps.get(article_id))
            else:
                slow.append(article_id)
        return stamps, prints, slow

    def _same_context(self) -> None:
        """Stamps kept by an export with another template, options or colour names say
        nothing about this one's files: they are dropped, for every article in the
        manifest, and each article's fingerprint (which holds the context) decides."""
        context = file_digest(self.exporter._context.encode("utf-8", "surrogatepass"))
        if self.manifest.get("context") == context:
            return
        for entry in self.names.values():
            entry.pop("change", None)
        self.manifest["context"] = context
        self.dirty = True

    def _set_stamp(self, entry: dict, stamp: int | None) -> None:
        if entry.get("change") != stamp:
            if stamp is None:
                entry.pop("change", None)
            else:
                entry["change"] = stamp
            self.dirty = True

    def _article(self, article: ArticleRecord, highlights: list[HighlightRecord],
                 text: FullText | None, fingerprint: str, stamp: int | None,
                 on_disk: dict[str, tuple[int, int]]) -> None:
        exporter = self.exporter
        key = str(article.id)
        entry = self.names.get(key)

        def render(exported: str) -> ExportedFile:
            # Rendered even without highlights or note when the file exists: the regions
            # of the highlights deleted since go.
            content = exporter._render(article, highlights, exported, text, always=True)
            assert content is not None
            return exporter._exported_file(content)

        if entry is None:
            name = safe_file_name(article.title, self.taken, article.id, self.max_bytes)
            self.taken.add(name.casefold())
            entry = self.names[key] = {"file": name, "exported": self.now}
            self.dirty = True
        path = self.folder / entry["file"]
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = None
        except OSError as exc:
            self._conflict(path, f"it cannot be read ({_reason(exc)})")
            return
        written = manifest.state(entry)
        outcome = vault.update(old, written, render, entry["exported"], self.now)
        for note in outcome.notes:
            self.warnings.append(f"{path}: {note}.")
        if outcome.conflict is not None:
            self._conflict(path, outcome.conflict)
            return
        state = {"fingerprint": fingerprint, "exported": outcome.exported,
                 **vault.state(outcome.rendered, exporter._last_front)}
        if stamp is not None:
            state["change"] = stamp
        elif entry.pop("change", None) is not None:
            self.dirty = True
        if outcome.text is None:
            self.unchanged.append(path)
            assert old is not None
            state.update(sha=file_digest(old), size=len(old))
            if path.name in on_disk:
                state["mtime_ns"] = on_disk[path.name][1]
            if any(entry.get(k) != v for k, v in state.items()):
                entry.update(state)
                self.dirty = True
            return
        data = outcome.text.encode("utf-8", "surrogatepass")
        state.update(sha=file_digest(data), size=len(data))
        self.planned.append((key, path, data, state))

    def _conflict(self, path: Path, why: str) -> None:
        self.conflicts.append(path)
        self.warnings.append(f"{path}: {why}; the file is left as it is (fix it, or delete it "
                             "and export again with --recreate).")

    def _save(self) -> None:
        """The manifest (with each file's new state as pending), then the files, then the
        manifest again with their states: a kill at any point leaves a folder the next
        export brings right (reader.export.manifest.settle_pending)."""
        if not self.planned:
            if self.dirty:
                self._write_manifest()
            return
        for key, _path, _data, state in self.planned:
            self.names[key]["pending"] = state
        # The manifest first: a folder that cannot be written fails before any file.
        self._write_manifest()
        try:
            write_files([(path, data) for _key, path, data, _state in self.planned])
        except OSError as exc:
            raise ExportError(f"{exc.filename}: cannot write ({_reason(exc)}); "
                              "no exported file was changed.") from exc
        for key, path, _data, _state in self.planned:
            entry = self.names[key]
            entry.update(entry.pop("pending"))
            try:
                entry["mtime_ns"] = path.stat().st_mtime_ns
            except OSError:
                entry.pop("mtime_ns", None)
            self.written.append(path)
        self._write_manifest()

    def _write_manifest(self) -> None:
        try:
            manifest.write(self.folder, self.manifest)
        except OSError as exc:
            raise ExportError(f"{self.folder / MANIFEST}: cannot write ({_reason(exc)}).") \
                from exc


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, modification time in ns) of each regular file in the folder, in one listing."""
    found = {}
    with os.scandir(folder) as entries:
        for item in entries:
            try:
                if item.is_file(follow_symlinks=False):
                    info = item.stat(follow_symlinks=False)
                    found[item.name] = (info.st_size, info.st_mtime_ns)
            except OSError:
                continue
    return found


def _time_zone(tz: tzinfo | None) -> str:
    """The time zone review days are counted in (the system's when None), as text."""
    if tz is not None:
        return repr(tz)
    return repr((time.tzname, time.timezone, time.altzone, time.daylight))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)
