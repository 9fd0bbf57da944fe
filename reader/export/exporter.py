"""Exports annotations to Markdown files for a notes vault (Obsidian, Logseq, plain folders).

One file per article that has annotations, rendered by a Jinja2 template (the default
in resources/templates, or the user's own). Safe to run again into the same folder:
every article keeps its file name (a manifest in the folder remembers them), and a
file is rewritten only when its content changed.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import jinja2
import jinja2.sandbox
import yaml

from reader.storage.database import LibraryError
from reader.files import (FolderBusy, exclusive_folder, remove_leftover_temporaries,
                          write_file, write_files)
from reader.importing.head import format_date
from reader.library import Library
from reader.export.markdown_safe import blockquote, contained, escape_inline, hashtag
from reader.paths import resources_dir
from reader.progress import Progress
from reader.records import ArticleRecord, HighlightRecord

MANIFEST = ".marginalia-export.json"
LINK = "marginalia://open?article={article}"
HIGHLIGHT_LINK = "marginalia://open?article={article}&highlight={highlight}"
MAX_NAME_CHARS = 120
NAME_MAX_BYTES = 255  # the usual file system limit on a file name, in bytes (UTF-8)
TEMPORARY_EXTRA_BYTES = len("." + ".0123abcd.tmp")  # reader.files' temporary beside a file
# The title's part of a name, in UTF-8 bytes (a CJK character is 3): with " (2).md" and
# the temporary's extra bytes, well inside NAME_MAX_BYTES.
MAX_NAME_BYTES = 200
_NAME_RESERVE_BYTES = TEMPORARY_EXTRA_BYTES + len(" (99999).md")
MAX_TEMPLATE_BYTES = 1024 * 1024  # a template is a page of text; more is a mistake or an attack
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class ExportError(Exception):
    """An export that cannot be done, with a message for the user; nothing was half-written."""


@dataclass(frozen=True)
class ExportReport:
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    skipped: tuple[int, ...] = ()  # articles without annotations
    warnings: tuple[str, ...] = ()  # e.g. manifest entries ignored; the export went on


def default_template_path() -> Path:
    return resources_dir() / "templates" / "article.md.j2"


def load_template(path: Path | None = None) -> jinja2.Template:
    """The export template at path (the built-in one when None); ExportError if unusable.

    Templates are shared like any other file, so they run in Jinja2's sandbox: a template
    can read the variables it is given and call the filters, never reach Python's
    internals (`cycler.__init__.__globals__.os` and the like are errors, not code run).
    """
    path = Path(path) if path else default_template_path()
    source = _read_template(path)
    environment = jinja2.sandbox.SandboxedEnvironment(
        autoescape=False, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(escape=escape_inline, blockquote=blockquote, hashtag=hashtag,
                               contained=contained)
    try:
        template = environment.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ExportError(f"{path}, line {exc.lineno}: {exc.message}") from exc
    template.filename = str(path)
    return template


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


def safe_file_name(title: str, taken: set[str], article_id: int | None = None,
                   max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name from a title, safe on Linux, macOS and Windows, unique among `taken`
    (casefolded names: macOS and Windows ignore case). A title too long for a file name
    (over MAX_NAME_CHARS characters or max_bytes bytes of UTF-8) is cut, at a word
    boundary where there is one, and marked with "…" and the article's id."""
    stem = _ILLEGAL.sub(" ", title.encode("utf-8", "replace").decode("utf-8"))
    stem = " ".join(stem.split()).strip(" .") or "Untitled"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    stem = _shorten(stem, article_id, max_bytes)
    name, number = f"{stem}.md", 2
    while name.casefold() in taken:
        name, number = f"{stem} ({number}).md", number + 1
    return name


def _shorten(stem: str, article_id: int | None, max_bytes: int) -> str:
    if len(stem) <= MAX_NAME_CHARS and len(stem.encode("utf-8")) <= max_bytes:
        return stem
    mark = "…" if article_id is None else f"… ({article_id})"
    room_chars = MAX_NAME_CHARS - len(mark)
    room_bytes = max_bytes - len(mark.encode("utf-8"))
    # At most room_bytes, in whole characters: a character cut in half is dropped.
    cut = stem[:room_chars].encode("utf-8")[:room_bytes].decode("utf-8", "ignore")
    space = cut.rfind(" ")
    if space >= len(cut) // 2:  # a word boundary that keeps most of it
        cut = cut[:space]
    return cut.rstrip(" .,;:-\u200d") + mark


class Exporter:
    """Renders and writes the Markdown of articles' annotations."""

    def __init__(self, library: Library, template: Path | None = None) -> None:
        self.library = library
        self.template = load_template(template)
        self._colour_names = {c.key: c.name for c in library.colours.all()}

    def select(self, article_ids: Iterable[int] = (), tags: Iterable[str] = ()) -> list[int]:
        """The articles to export: those given, those under the tags, or else all."""
        article_ids, tags = list(article_ids), list(tags)
        for article_id in article_ids:
            try:
                self.library.articles.get(article_id)
            except LibraryError as exc:
                raise ExportError(str(exc)) from exc
        chosen = list(dict.fromkeys(article_ids))
        for tag in tags:
            if self.library.tags.find(tag) is None and not self.library.tags.ids_under(tag):
                raise ExportError(f"There is no tag called {tag!r}.")
            for archived in (False, True):
                chosen += [i for i in self.library.articles.ids(tag=tag, archived=archived)
                           if i not in chosen]
        if not article_ids and not tags:
            chosen = self.library.articles.ids("added") + self.library.articles.ids(
                "added", archived=True)
        return chosen

    def render(self, article_id: int, exported: str) -> str | None:
        """The article's Markdown, or None when it has no highlights and no note."""
        article = self.library.articles.get(article_id)
        return self._render(article, self.library.highlights.for_article(article_id), exported)

    def _batches(self, article_ids: list[int], size: int = 500):
        """(article, highlights) for each id, fetched a few queries per batch."""
        for start in range(0, len(article_ids), size):
            chunk = article_ids[start:start + size]
            highlights = self.library.highlights.for_articles(chunk)
            for article in self.library.articles.records(chunk):
                yield article, highlights.get(article.id, [])

    def _render(self, article: ArticleRecord, highlights: list[HighlightRecord],
                exported: str) -> str | None:
        if not highlights and not article.note:
            return None
        placed = [self._highlight(h) for h in highlights if not h.orphaned]
        orphans = [self._highlight(h) for h in highlights if h.orphaned]
        front = {
            "title": article.title, "author": article.author, "published": article.published,
            "publication": article.publication, "url": article.url, "tags": list(article.tags),
            "highlights": len(highlights), "exported": exported,
            "marginalia_id": article.id, "marginalia_link": LINK.format(article=article.id),
        }
        # libyaml's C dumper when present: the same output, four times faster.
        front_matter = yaml.dump(front, Dumper=_DUMPER, allow_unicode=True, sort_keys=False,
                                 default_flow_style=False, width=10_000)
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
            "highlights": placed, "orphans": orphans, "highlight_count": len(highlights),
        }
        try:
            return self.template.render(**context)
        except jinja2.sandbox.SecurityError as exc:
            raise ExportError(f"{self.template.filename}: refused by the template sandbox: "
                              f"{exc}") from exc
        except jinja2.TemplateError as exc:
            raise ExportError(f"{self.template.filename}: {exc}") from exc

    def _highlight(self, h: HighlightRecord) -> dict[str, object]:
        return {
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
        """Every chosen article's Markdown in one stream (for --stdout and the clipboard)."""
        exported = _now()
        parts = [self._render(article, highlights, exported)
                 for article, highlights in self._batches(list(article_ids))]
        return "\n".join(part for part in parts if part)

    def to_folder(self, folder: Path, article_ids: Iterable[int],
                  progress: Progress | None = None) -> ExportReport:
        """Write one file per article into folder; rewrite only files whose content changed."""
        folder = Path(folder).expanduser()
        article_ids = list(article_ids)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"{folder}: cannot create the folder ({_reason(exc)}).") from exc
        try:
            with exclusive_folder(folder):
                return self._to_folder(folder, article_ids, progress)
        except FolderBusy:
            raise ExportError(f"{folder}: another export into this folder is running; "
                              "try again when it has finished.") from None

    def _to_folder(self, folder: Path, article_ids: list[int],
                   progress: Progress | None) -> ExportReport:
        # An export killed part-way (a crash, SIGKILL, power) leaves its temporaries:
        # ours, by their names, and none can be in use while the folder is locked.
        remove_leftover_temporaries(folder, lambda name: name.endswith(".md")
                                    or name == MANIFEST)
        warnings: list[str] = []
        manifest = _read_manifest(folder, warnings)
        names: dict[str, dict[str, str]] = manifest["articles"]
        name_max = _name_max(folder)
        max_bytes = min(MAX_NAME_BYTES, name_max - _NAME_RESERVE_BYTES)
        _drop_untrusted_entries(folder, names, warnings, name_max)
        now = _now()
        planned: list[tuple[Path, str]] = []
        taken = {e["file"].casefold() for e in names.values()}
        taken |= {p.name.casefold() for p in folder.glob("*.md")}
        skipped: list[int] = []
        unchanged: list[Path] = []
        for done, (article, highlights) in enumerate(self._batches(article_ids), start=1):
            if progress:
                progress(done, len(article_ids))
            article_id = article.id
            entry = names.get(str(article_id))
            if entry is not None:
                # Rendered with the time of its last export, an unchanged article gives
                # exactly the file already there.
                previous = self._render(article, highlights, entry["exported"])
                path = folder / entry["file"]
                if previous is None:
                    skipped.append(article_id)
                    continue
                if _read(path) == previous:
                    unchanged.append(path)
                    continue
            content = self._render(article, highlights, now)
            if content is None:
                skipped.append(article_id)
                continue
            if entry is None:
                entry = names[str(article_id)] = {
                    "file": safe_file_name(article.title, taken, article_id, max_bytes)}
                taken.add(entry["file"].casefold())
            entry["exported"] = now
            planned.append((folder / entry["file"], content))
        # The manifest first: a folder that cannot be written fails before any file.
        _write_atomically(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        try:
            write_files([(path, content.encode("utf-8")) for path, content in planned])
        except OSError as exc:
            raise ExportError(f"{exc.filename}: cannot write ({_reason(exc)}); "
                              "no exported file was changed.") from exc
        return ExportReport(tuple(path for path, _content in planned), tuple(unchanged),
                            tuple(skipped), tuple(warnings))


def _read_manifest(folder: Path, warnings: list[str]) -> dict:
    path = folder / MANIFEST
    empty = {"format": 1, "articles": {}}
    try:
        if stat.S_ISLNK(path.lstat().st_mode):
            # It could lead anywhere: not read, and replaced by a file of this export's own.
            warnings.append(f"{path} is a symbolic link: ignored, and replaced by a file.")
            return empty
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("articles"), dict):
            return data
    except (OSError, ValueError):
        pass
    return empty


def _drop_untrusted_entries(folder: Path, names: dict, warnings: list[str],
                            name_max: int = NAME_MAX_BYTES) -> None:
    """Remove from the manifest's entries every one that is not a file name the exporter
    could have given: the manifest is a file in the folder, which anyone who shares the
    folder can edit, and its names must never lead outside it. Each one dropped is a
    warning naming it; its article gets a fresh name like a new one."""
    seen: dict[str, str] = {}
    for key in sorted(names, key=lambda k: (len(k), k)):
        entry = names[key]
        name = entry.get("file") if isinstance(entry, dict) else None
        if not (key.isdecimal() and isinstance(entry, dict) and isinstance(name, str)
                and isinstance(entry.get("exported"), str)):
            problem = "is not an entry this program writes"
        else:
            problem = untrusted_file_name(folder, name, name_max)
            if problem is None and name.casefold() in seen:
                problem = f"is already the file of article {seen[name.casefold()]}"
        if problem is None:
            seen[name.casefold()] = key
            continue
        del names[key]
        shown = repr(name) if isinstance(name, str) else repr(entry)
        shown = shown if len(shown) <= 300 else shown[:299] + "…"
        warnings.append(f"{folder / MANIFEST}: the entry for article {key}, {shown}, {problem}: "
                        "ignored; the article gets a new file name.")


def untrusted_file_name(folder: Path, name: str, name_max: int = NAME_MAX_BYTES) -> str | None:
    """Why `name` is not a plain Markdown file name inside folder (as the exporter gives
    them), or None if it is one: no path (either separator, `..`, absolute), no character
    a file name must not have, ending in .md, short enough, not a link or a folder."""
    if os.path.isabs(name) or re.match(r"[A-Za-z]:|[/\\]", name):
        return "is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "leads out of the folder"
    if "/" in name or "\\" in name:
        return "is a path, not a file name"
    if _ILLEGAL.search(name) or name.startswith(".") or name.split(".")[0].upper() in _RESERVED:
        return "is not a file name the export gives"  # CON.md is a device on Windows
    if not name.endswith(".md"):
        return "does not end in .md"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not a valid file name"
    if size + TEMPORARY_EXTRA_BYTES > name_max:
        return "is too long"
    try:
        mode = (folder / name).lstat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be checked ({_reason(exc)})"
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def _name_max(folder: Path) -> int:
    """The longest file name the folder's file system takes, in bytes (at most 255)."""
    try:
        return max(64, min(NAME_MAX_BYTES, os.pathconf(folder, "PC_NAME_MAX")))
    except (AttributeError, ValueError, OSError):  # Windows has no pathconf
        return NAME_MAX_BYTES


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write_atomically(path: Path, text: str) -> None:
    try:  # a link in place of the manifest is replaced, never written through
        write_file(path, text.encode("utf-8"), follow_symlinks=False)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write ({_reason(exc)}).") from exc


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)
