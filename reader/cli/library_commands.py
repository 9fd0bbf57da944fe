"""What the command line's library subcommands print: import, list, show, search and revisions."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from reader.library import Library

# What one command alone needs (the Markdown parser and writer, difflib) is imported in
# that command: `marginalia search` and `list` start without them.


def import_files(library: Library, options: argparse.Namespace) -> int:
    """Article files and other tools' exports, each recognised from the file itself."""
    from reader.other_tools import importer
    from reader.other_tools.model import FormatError

    status = 0
    articles = []
    for path in options.paths:
        try:
            is_export = bool(options.source) or (
                path.is_file() and importer.detect_format(path) is not None)
            if not is_export:
                if path.suffix.lower() in importer.EXPORT_SUFFIXES and path.is_file():
                    importer.read_export(path)  # says which formats it is none of
                articles.append(path)
                continue
            report = importer.import_export(library, path, options.source,
                                            dry_run=options.dry_run,
                                            fetch=not options.no_fetch,
                                            progress=_progress_line(path))
        except FormatError as exc:
            print(f"marginalia: {exc}", file=sys.stderr)
            status = 1
            continue
        _clear_progress_line()
        print(report.summary(), flush=True)
        for problem in report.problems:
            print(f"marginalia: {problem}", file=sys.stderr)
        status = status or (1 if report.problems else 0)
    if articles:
        if options.dry_run:
            print(f"Dry run: {len(articles)} article file{'s' * (len(articles) != 1)} "
                  "would be imported; nothing was written.")
            return status
        report = library.import_files(articles)
        print(report.summary())
        for problem in report.problems:
            print(f"marginalia: {problem}", file=sys.stderr)
        status = status or (1 if report.problems else 0)
    return status


def _progress_line(path):
    """A progress callback that rewrites one line on a terminal (silent otherwise)."""
    if not sys.stderr.isatty():
        return None
    import time

    last = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] > 0.2 or done == total:
            last[0] = now
            print(f"\r{path.name}: {done:,} of {total:,} entries", end="", file=sys.stderr,
                  flush=True)

    return show


def _clear_progress_line() -> None:
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _rows(library: Library, article_ids: list[int]) -> list[dict[str, object]]:
    counts = library.highlights.counts()
    rows = []
    # All the articles at once, from the list's covering index plus their addresses and
    # tags: a query a record took seconds at 10,000, and fields stored after the bodies
    # as long again.
    urls, tags = library.articles.addresses_and_tags(article_ids)
    for summary in library.articles.summaries(article_ids):
        rows.append({
            "id": summary.id, "title": summary.title, "author": summary.author,
            "publication": summary.publication, "published": summary.published,
            "url": urls.get(summary.id), "tags": list(tags.get(summary.id, ())),
            "highlights": counts.get(summary.id, 0), "read": summary.read,
            "archived": summary.archived, "progress": summary.progress,
        })
    return rows


def list_articles(library: Library, options: argparse.Namespace) -> int:
    if options.tag and library.tags.find(options.tag) is None and not library.tags.ids_under(options.tag):
        print(f"marginalia: There is no tag called {options.tag!r}.", file=sys.stderr)
        return 1
    if options.query is not None:
        result = library.query.articles(options.query, tag=options.tag,
                                        archived=True if options.archived else None)
        _say(result.messages)
        ids = result.ids
    else:
        ids = library.articles.ids(tag=options.tag, archived=options.archived)
    rows = _rows(library, ids)
    if options.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    from reader.importing.head import format_date

    for row in rows:
        byline = " · ".join(str(p) for p in (row["author"], row["publication"],
                                              format_date(row["published"])) if p)
        tags = " ".join(f"#{t}" for t in row["tags"])
        count = row["highlights"]
        extra = "  ".join(p for p in (byline, tags, f"{count} highlight{'s' * (count != 1)}",
                                      row["url"] or "") if p)
        print(f"{row['id']:>6}  {row['title']}\n        {extra}")
    return 0


def show(library: Library, options: argparse.Namespace) -> int:
    from reader.importing.parsing import MARKDOWN

    record = library.articles.get(options.id)  # LibraryError for an unknown id
    document = library.articles.document(options.id)
    if options.format == "text":
        sys.stdout.write(document.text)
    elif options.format == "markdown":
        if record.source_format == MARKDOWN:
            sys.stdout.write(library.articles.source(options.id))
        else:
            from reader.document.markdown import to_markdown

            sys.stdout.write(to_markdown(document))
    else:
        data = asdict(record)
        data["revised_at"] = library.articles.revised_at(options.id)
        data["text"] = document.text
        data["highlights"] = [asdict(h) for h in library.highlights.for_article(options.id)]
        print(json.dumps(data, ensure_ascii=False, indent=1))
    return 0


def _say(messages) -> None:
    """What the query language mended or left out of a query, on standard error."""
    for message in messages:
        print(f"marginalia: query: {message}", file=sys.stderr)


def search(library: Library, options: argparse.Namespace) -> int:
    from reader.query.syntax import is_query
    from reader.search.fulltext import ArticleHit, HighlightHit

    if is_query(options.query):
        # Fields and operators: the query language, over articles and highlights.
        found = library.query.articles(options.query, archived=None, limit=200)
        _say(found.messages)
        words = library.query.compile(options.query).text
        snippets = library.search.snippets(words, found.ids) if words else {}
        articles = [ArticleHit(i, snippets.get(i, "")) for i in found.ids]
        marks = library.highlights.records(library.query.highlights(options.query, 200).ids)
        titles = {s.id: s.title for s in library.articles.summaries(
            sorted({h.article_id for h in marks}))}
        highlights = [HighlightHit(h.id, h.article_id, titles.get(h.article_id, ""), h.colour,
                                   " ".join((h.exact or h.note).split())) for h in marks]
    else:
        articles = library.search.articles(options.query)
        highlights = library.search.highlights(options.query)
    titles = {s.id: s.title for s in library.articles.summaries([a.article_id for a in articles])}
    if options.json:
        print(json.dumps({
            "articles": [{"id": a.article_id, "title": titles.get(a.article_id, ""),
                          "snippet": a.snippet} for a in articles],
            "highlights": [asdict(h) for h in highlights],
        }, ensure_ascii=False, indent=1))
        return 0
    print(f"{len(articles)} article{'s' * (len(articles) != 1)}")
    for hit in articles:
        print(f"{hit.article_id:>6}  {titles.get(hit.article_id, '')}\n        {hit.snippet}")
    print(f"{len(highlights)} highlight{'s' * (len(highlights) != 1)} and notes")
    for hit in highlights:
        print(f"{hit.article_id:>6}  {hit.article_title} (highlight {hit.highlight_id})\n"
              f"        {hit.snippet}")
    return 0


def revisions(library: Library, options: argparse.Namespace) -> int:
    from reader.importing.head import format_date
    from reader.revisions import format_diff

    record = library.articles.get(options.id)  # LibraryError for an unknown id
    if options.diff is not None:
        pieces = library.articles.diff(options.id, options.diff)
        if options.json:
            print(json.dumps([{"op": op, "text": text} for op, text in pieces],
                             ensure_ascii=False, indent=1))
        else:
            text = format_diff(pieces)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return 0
    found = library.articles.revisions(options.id)
    if options.json:
        print(json.dumps([asdict(r) for r in found], ensure_ascii=False, indent=1))
        return 0
    count = len(found)
    print(f"{record.title}: {count} earlier version{'s' * (count != 1)}")
    for revision in found:
        saved, replaced = (format_date(revision.saved_at[:10]),
                           format_date(revision.replaced_at[:10]))
        words = f"{revision.words:,} word{'s' * (revision.words != 1)}"
        print(f"{revision.id:>6}  {saved} to {replaced}  {words}  {revision.title}")
    return 0
