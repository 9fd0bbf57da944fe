"""Export chosen highlights (the highlights view's selection) to one Markdown file,
grouped by article: each article's title and link back, then its highlights in reading
order, each with its colour, tags and note. Written whole or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader.export.markdown_safe import blockquote, contained, escape_inline, hashtag
from reader.files import write_file
from reader.library import Library
from reader.links import Link
from reader.records import ArticleRecord, HighlightRecord
from reader.storage.database import database_errors

BATCH = 500  # highlights read at a time


class SelectionExportError(Exception):
    """The file could not be written; the message names it and says why. Nothing was
    left half-written (an existing file keeps its old content)."""


@dataclass(frozen=True)
class SelectionExport:
    """What an export of chosen highlights wrote."""

    path: Path
    highlights: int
    articles: int


def _reading_order(record: HighlightRecord) -> tuple[bool, int, int, int]:
    return (record.orphaned, record.start, record.end, record.id)


def selection_markdown(library: Library, highlight_ids: Sequence[int],
                       exported: str | None = None,
                       progress: Callable[[int, int], None] | None = None) -> tuple[str, int, int]:
    """The Markdown of these highlights (ids that no longer exist are left out), with how
    many highlights and articles it holds.

    Articles come in the order their first highlight has among the ids given (the
    order of the list they were chosen in); each article's highlights in reading order,
    those not found in its current text last. `progress(done, total)` is called as the
    highlights are read."""
    exported = exported or datetime.now(UTC).isoformat(timespec="seconds")
    ids = list(dict.fromkeys(highlight_ids))
    by_article: dict[int, list[HighlightRecord]] = {}
    for start in range(0, len(ids), BATCH):
        for record in library.highlights.records(ids[start:start + BATCH]):
            by_article.setdefault(record.article_id, []).append(record)
        if progress is not None:
            progress(min(start + BATCH, len(ids)), len(ids))
    articles = {a.id: a for start in range(0, len(by_article), BATCH)
                for a in library.articles.records(list(by_article)[start:start + BATCH])}
    colours = {c.key: c.name for c in library.colours.all()}
    count = sum(len(found) for found in by_article.values())
    lines = ["# Highlights from Marginalia", "",
             escape_inline(f"{_plural(count, 'highlight')} from "
                           f"{_plural(len(by_article), 'article')}, exported {exported}")]
    for article_id, records in by_article.items():
        lines += ["", *_article_lines(articles.get(article_id), article_id,
                                      sorted(records, key=_reading_order), colours)]
    return "\n".join(lines) + "\n", count, len(by_article)


def _article_lines(article: ArticleRecord | None, article_id: int,
                   records: list[HighlightRecord], colours: dict[str, str]) -> list[str]:
    title = article.title if article is not None and article.title.strip() else "Untitled"
    lines = [f"## {escape_inline(title)}", ""]
    byline = " · ".join(p for p in (article.author, article.publication) if p) \
        if article is not None else ""
    if byline:
        lines += [escape_inline(byline), ""]
    if article is not None and article.url:
        lines += [f"Source: {escape_inline(article.url)}", ""]
    lines.append(f"[Open in Marginalia]({Link(article_id)})")
    for record in records:
        lines += ["", blockquote(record.exact), ""]
        about = [escape_inline(colours.get(record.colour, record.colour.capitalize()))]
        if record.tags:
            about.append(" ".join(hashtag(tag) for tag in record.tags))
        if record.orphaned:
            about.append(escape_inline("not found in the current text"))
        about.append(f"[Open in Marginalia]({Link(article_id, record.id)})")
        lines.append(" · ".join(about))
        if record.note.strip():
            lines += ["", contained(record.note)]
    return lines


def export_selection(library: Library, highlight_ids: Iterable[int], path: Path,
                     progress: Callable[[int, int], None] | None = None) -> SelectionExport:
    """Write these highlights' Markdown (`selection_markdown`) to the file at path,
    replacing it whole or not at all (reader.files' crash-safe write)."""
    path = Path(path).expanduser()
    with database_errors(library.storage, f"Exporting the highlights to {path}"):
        text, highlights, articles = selection_markdown(library, list(highlight_ids),
                                                        progress=progress)
    try:
        write_file(path, text.encode("utf-8"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SelectionExportError(f"{path}: cannot write ({reason}); nothing was "
                                   "changed.") from exc
    return SelectionExport(path, highlights, articles)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
