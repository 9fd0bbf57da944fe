"""What the command line's library subcommands print: import, list, show, search and revisions."""

from __future__ import annotations

import argparse
import json
import sys
from reader import reads

TYPE_CHECKING = False  # typing's constant, without importing typing (start-up)
if TYPE_CHECKING:
    from reader.library import Library
    from reader.reads import Rows

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


def _rows(rows: Rows, article_ids: list[int]) -> list[dict[str, object]]:
    counts = reads.highlight_counts(rows)
    # All the articles at once, from the list's covering index plus their addresses and
    # tags: a query a record took seconds at 10,000, and fields stored after the bodies
    # as long again.
    urls, tags = reads.addresses_and_tags(rows, article_ids)
    return [{"id": article_id, "title": title, "author": author, "publication": publication,
             "published": published, "url": urls.get(article_id),
             "tags": list(tags.get(article_id, ())), "highlights": counts.get(article_id, 0),
             "read": bool(read), "archived": bool(archived), "progress": progress}
            for article_id, title, author, publication, published, read, archived, _added, progress
            in reads.summaries(rows, article_ids)]


def list_articles(library: Library, options: argparse.Namespace) -> int:
    """`marginalia list`: also run by the lean read path (reader.cli.lean), whose `library`
    offers only `storage.rows`; it leaves --query to the whole library."""
    rows = library.storage.rows
    if options.tag and reads.find_tag(rows, options.tag) is None and not reads.tag_ids_under(
            rows, options.tag):
        print(f"marginalia: There is no tag called {options.tag!r}.", file=sys.stderr)
        return 1
    if options.query is not None:
        result = library.query.articles(options.query, tag=options.tag,
                                        archived=True if options.archived else None)
        _say(result.messages)
        ids = result.ids
    else:
        ids = reads.list_ids(rows, archived=options.archived, tag_ids=reads.tag_ids_under(
            rows, options.tag) if options.tag else None)
    found = _rows(rows, ids)
    if options.json:
        sys.stdout.write(json_rows(found))
        return 0
    from reader.importing.dates import format_date

    for row in found:
        byline = " · ".join(str(p) for p in (row["author"], row["publication"],
                                              format_date(row["published"])) if p)
        tags = " ".join(f"#{t}" for t in row["tags"])
        count = row["highlights"]
        extra = "  ".join(p for p in (byline, tags, f"{count} highlight{'s' * (count != 1)}",
                                      row["url"] or "") if p)
        print(f"{row['id']:>6}  {row['title']}\n        {extra}")
    return 0


def json_rows(found: list[dict[str, object]]) -> str:
    """The list's rows as `json.dumps(found, ensure_ascii=False, indent=1)` writes them,
    and a new line, 5 times as fast: json's C encoder works only without indent, and a list
    of 20,000 rows took 300 ms in the Python one. Each value is written by a function of
    its type, strings by the C encoder's own string function; rows holding anything else
    than strings, whole numbers, booleans, None and lists of strings go to json.dumps
    (tests/unit/test_cli_lean.py checks the bytes against it)."""
    if not found:
        return "[]\n"
    from json.encoder import encode_basestring as quote  # the C function, where there is one

    def strings(items: list) -> str:
        if not items:
            return "[]"
        if any(type(item) is not str for item in items):
            raise TypeError("not a list of strings")
        return "[\n   " + ",\n   ".join(map(quote, items)) + "\n  ]"

    writers = {str: quote, int: int.__repr__, bool: lambda v: "true" if v else "false",
               type(None): lambda v: "null", list: strings}
    keys = list(found[0])
    head = [f"  {quote(key)}: " for key in keys]
    pieces = []
    try:
        for row in found:
            if list(row) != keys:
                raise TypeError("rows of different keys")
            pieces.append("{\n" + ",\n".join([name + writers[type(value)](value) for name, value
                                               in zip(head, row.values())]) + "\n }")
    except (KeyError, TypeError):  # a value of another type: json knows
        return json.dumps(found, ensure_ascii=False, indent=1) + "\n"
    return "[\n " + ",\n ".join(pieces) + "\n]\n"


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
        from dataclasses import asdict

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
    """`marginalia search`: also run by the lean read path (reader.cli.lean) for plain
    words, with a `library` that offers only `storage.rows`."""
    from reader.query import is_query

    rows = library.storage.rows
    if is_query(options.query):
        # Fields and operators: the query language, over articles and highlights.
        found = library.query.articles(options.query, archived=None, limit=200)
        _say(found.messages)
        words = library.query.compile(options.query).text
        snippets = library.search.snippets(words, found.ids) if words else {}
        articles = [(i, snippets.get(i, "")) for i in found.ids]
        marks = library.highlights.records(library.query.highlights(options.query, 200).ids)
        titles = reads.titles(rows, sorted({h.article_id for h in marks}))
        highlights = [(h.id, h.article_id, titles.get(h.article_id, ""), h.colour,
                       " ".join((h.exact or h.note).split())) for h in marks]
    elif getattr(library, "on_postgres", False):  # the lean path's library is a file's
        # Full-text search on PostgreSQL is its search manager's (the statements of
        # reader.reads are FTS5's); a search it cannot run raises LibraryError.
        articles = [(hit.article_id, hit.snippet) for hit in library.search.articles(options.query)]
        highlights = [(hit.highlight_id, hit.article_id, hit.article_title, hit.colour,
                       hit.snippet) for hit in library.search.highlights(options.query)]
    else:
        try:
            ids = reads.search_article_ids(rows, options.query)
            highlights = reads.search_highlights(rows, options.query)
        except reads.SearchError as exc:
            print(f"marginalia: {exc}", file=sys.stderr)
            return 1
        snippets = reads.snippets(rows, options.query, ids)
        articles = [(i, snippets.get(i, "")) for i in ids]
    titles = reads.titles(rows, [article_id for article_id, _ in articles])
    if options.json:
        print(json.dumps({
            "articles": [{"id": article_id, "title": titles.get(article_id, ""),
                          "snippet": snippet} for article_id, snippet in articles],
            "highlights": [dict(zip(HIGHLIGHT_HIT_FIELDS, hit)) for hit in highlights],
        }, ensure_ascii=False, indent=1))
        return 0
    print(f"{len(articles)} article{'s' * (len(articles) != 1)}")
    for article_id, snippet in articles:
        print(f"{article_id:>6}  {titles.get(article_id, '')}\n        {snippet}")
    print(f"{len(highlights)} highlight{'s' * (len(highlights) != 1)} and notes")
    for highlight_id, article_id, title, _colour, snippet in highlights:
        print(f"{article_id:>6}  {title} (highlight {highlight_id})\n        {snippet}")
    return 0


# The keys of a highlight found, in --json (reader.search.fulltext.HighlightHit's fields).
HIGHLIGHT_HIT_FIELDS = ("highlight_id", "article_id", "article_title", "colour", "snippet")


def revisions(library: Library, options: argparse.Namespace) -> int:
    from reader.importing.dates import format_date
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
        from dataclasses import asdict

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
