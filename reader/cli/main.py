"""The `marginalia` command: starts the window, or runs a subcommand on the library.

    marginalia [--db PATH] [marginalia://open?article=ID&highlight=ID | FILE]
    marginalia [--db PATH] import PATH...
    marginalia [--db PATH] add URL... [--tag TAG]...
    marginalia [--db PATH] list [--json] [--tag TAG] [--archived]
    marginalia [--db PATH] show ID [--format text|markdown|json]
    marginalia [--db PATH] search QUERY [--json]
    marginalia [--db PATH] revisions ID [--diff REVISION] [--json]
    marginalia [--db PATH] export (--out DIR | --stdout) [--article ID]... [--tag TAG]...
                                  [--template FILE]
    marginalia [--db PATH] backup | restore FILE
    marginalia copy --from LIBRARY --to LIBRARY [--replace]   (a file or postgresql://…)
    marginalia team init postgresql://… [--group ROLE] | [--db URL] team add-reader NAME
    marginalia [--db PATH] review [--due] [--json] [--today DATE] [--scope QUERY]
    marginalia [--db PATH] feeds add URL | list [--json] | remove ID|URL | refresh [ID|URL]...
                                 | import-opml FILE | export-opml FILE
    marginalia [--db PATH] views list [--json] | add NAME QUERY [--key KEY] | remove NAME
    marginalia install-desktop [--exec LAUNCHER] | uninstall-desktop

Errors go to standard error, with a non-zero exit status.
A reader that stops reading early (`marginalia list | head`) ends the command quietly,
with status 141, as the shell reports for C tools ended by SIGPIPE.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reader import __version__
from reader.paths import DB_ENV, default_library_path

TYPE_CHECKING = False  # typing's constant, without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable

SUBCOMMANDS = ("import", "add", "list", "show", "search", "export", "revisions", "feeds",
               "views", "review")
DESKTOP_COMMANDS = ("install-desktop", "uninstall-desktop")
FILE_COMMANDS = ("backup", "restore")  # work on the library file, without opening it


class _Parser(argparse.ArgumentParser):
    """The top-level parser; the default library's path is found only when the help is
    shown (platformdirs, which finds it, is a sixth of a command's start-up)."""

    def format_help(self) -> str:
        for action in self._actions:
            if action.dest == "db":
                action.help = (f"the library file (default: ${DB_ENV}, else "
                               f"{default_library_path()}); a postgresql:// URL opens a "
                               "team library: the window and every command but backup and "
                               "restore work there")
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="marginalia",
        description="Marginalia: read articles, highlight passages, keep tags and notes.",
        epilog=f"Subcommands: {', '.join(SUBCOMMANDS + FILE_COMMANDS + DESKTOP_COMMANDS)}, copy, team "
               "(marginalia SUBCOMMAND --help).",
    )
    parser.add_argument("--db", metavar="PATH", help="the library file")
    parser.add_argument("--version", action="version", version=f"marginalia {__version__}")
    return parser


def _id(text: str) -> int:
    """An article id given on the command line: one the library can hold (1 to 2**63-1)."""
    from reader.links import parse_id

    try:
        return parse_id(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"an id {error}") from None


def build_export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia export",
        description="Write annotations as Markdown: one file per annotated article, or one stream.",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="DIR", help="the folder to write into")
    where.add_argument("--stdout", action="store_true", help="write everything to standard output")
    parser.add_argument("--article", type=_id, action="append", default=[], metavar="ID",
                        help="only this article (repeat for several)")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG",
                        help="only articles under this tag, nested tags included (repeatable)")
    parser.add_argument("--query", "-q", metavar="QUERY",
                        help="only the articles this query finds (the query language: "
                             "tag:, is:, added:<2w, OR, ...; archived ones too)")
    parser.add_argument("--template", type=Path, metavar="FILE",
                        help="a Jinja2 template instead of the built-in one")
    parser.add_argument("--full-text", action="store_true",
                        help="the whole article, its highlights marked ==like this== and "
                             "notes as callouts beside them")
    parser.add_argument("--recreate", action="store_true",
                        help="write again the files you deleted from the folder (otherwise "
                             "they stay deleted)")
    return parser


def build_feeds_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia feeds",
        description="Follow feeds (RSS, Atom, JSON Feed): their new entries become articles.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="subscribe by the feed's address or a page naming it, "
                             "then fetch its entries")
    add.add_argument("url", metavar="URL")
    add.add_argument("--no-refresh", action="store_true",
                     help="only subscribe; the next refresh fetches the entries")
    listing = actions.add_parser("list", help="the feeds: id, unread articles, title, "
                                 "address and last error")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    remove = actions.add_parser("remove", help="unsubscribe (its articles stay)")
    remove.add_argument("feed", metavar="ID|URL")
    refresh = actions.add_parser("refresh", help="fetch new entries: of these feeds, or of "
                                 "every feed that is due")
    refresh.add_argument("feeds", nargs="*", metavar="ID|URL")
    refresh.add_argument("--all", action="store_true",
                         help="every feed, due or not")
    opml_in = actions.add_parser("import-opml", help="subscribe to the feeds of an OPML list")
    opml_in.add_argument("file", type=Path, metavar="FILE")
    opml_out = actions.add_parser("export-opml", help="write the feeds as an OPML list")
    opml_out.add_argument("file", type=Path, metavar="FILE")
    return parser


def build_subcommand_parser(name: str) -> argparse.ArgumentParser:
    if name == "export":
        return build_export_parser()
    if name == "feeds":
        return build_feeds_parser()
    if name == "views":
        from reader.cli import views_commands

        return views_commands.build_parser()
    parser = argparse.ArgumentParser(prog=f"marginalia {name}")
    if name == "review":
        from reader.cli.review_commands import add_arguments

        add_arguments(parser)
    if name == "import":
        parser.description = (
            "Import Markdown, text and saved web pages (folders are searched), and exports "
            "of other tools, recognised from the file itself: Kindle, Readwise, Omnivore, "
            "Pocket, Instapaper, Hypothesis, KOReader and Wallabag.")
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--from", dest="source", metavar="FORMAT",
                            help="read every file as this export format, not the one "
                                 "recognised: " + ", ".join(EXPORT_FORMATS))
        parser.add_argument("--dry-run", action="store_true",
                            help="say what would be added, anchored and left unanchored; "
                                 "write nothing, fetch nothing")
        parser.add_argument("--no-fetch", action="store_true",
                            help="do not fetch the pages of link lists (Pocket, Instapaper)")
    elif name == "add":
        parser.description = "Save web pages by their address (fetched now, stored as articles)."
        parser.add_argument("urls", nargs="+", metavar="URL")
        parser.add_argument("--tag", action="append", default=[], metavar="TAG",
                            help="tag the saved articles (repeatable)")
    elif name == "list":
        parser.description = "List the library's articles."
        parser.add_argument("--json", action="store_true", help="one JSON array")
        parser.add_argument("--tag", metavar="TAG", help="only articles under this tag")
        parser.add_argument("--archived", action="store_true", help="the archive, not the reading list")
        parser.add_argument("--query", "-q", metavar="QUERY",
                            help="only articles the query finds, in its order, archived "
                                 "ones too (see the README: tag:, is:, added:<2w, OR, ...)")
    elif name == "show":
        parser.description = "Print one article."
        parser.add_argument("id", type=_id, metavar="ID")
        parser.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                            help="text: exactly what the reading pane shows (default)")
    elif name == "search":
        parser.description = ("Find articles, highlights and notes: by their words, or with "
                              "the query language (tag:, colour:, is:, added:<2w, OR, ...).")
        parser.add_argument("query", metavar="QUERY")
        parser.add_argument("--json", action="store_true")
    elif name == "revisions":
        parser.description = ("List an article's earlier versions, kept when a newer one "
                              "replaced its text, or show what changed since one of them.")
        parser.add_argument("id", type=_id, metavar="ID")
        parser.add_argument("--diff", type=_id, metavar="REVISION",
                            help="the words changed from this revision (its id in the list) "
                                 "to the current text: [-removed-] {+added+}")
        parser.add_argument("--json", action="store_true")
    return parser


# The exit status of a command whose reader stopped reading (`marginalia list | head`):
# what the shell reports for a program ended by SIGPIPE, 128 + 13, as C tools end.
CLOSED_OUTPUT = 141


def main(argv: list[str] | None = None) -> int:
    """Run the command line; its exit status. A reader that closes standard output
    early ends the command quietly, with status CLOSED_OUTPUT."""
    try:
        status = _main(argv)
        if sys.stdout is not None:  # None when started with standard output closed
            sys.stdout.flush()  # here, not at exit, where a closed pipe prints a traceback
        return status
    except BrokenPipeError:
        _discard_output()
        return CLOSED_OUTPUT


def _discard_output() -> None:
    """Point standard output at the null device, so that Python's own flush at exit
    does not fail again on the closed pipe."""
    try:
        descriptor = os.open(os.devnull, os.O_WRONLY)
        os.dup2(descriptor, sys.stdout.fileno())
        os.close(descriptor)
    except (AttributeError, OSError, ValueError):  # no real file behind sys.stdout
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    from reader.cli import team_commands

    db_text = args.db if args.db else os.environ.get(DB_ENV, "")
    if rest and rest[0] in team_commands.COMMANDS:
        return team_commands.run(rest[0], rest[1:], db_text)
    if team_commands.is_postgres_url(db_text):
        if rest and rest[0] in SUBCOMMANDS:
            # Straight to the whole library: the lean read path reads SQLite files only.
            options = build_subcommand_parser(rest[0]).parse_args(rest[1:])
            return _run_on_library(rest[0], options, db_text.strip())
        if rest and rest[0] in FILE_COMMANDS + DESKTOP_COMMANDS:
            return team_commands.refuse_postgres(rest[0], db_text)
        return _window(parser, rest, db_text.strip())
    db_path = (Path(args.db) if args.db else default_library_path()).expanduser()
    if rest and rest[0] in SUBCOMMANDS:
        return _run_subcommand(rest[0], rest[1:], db_path)
    if rest and rest[0] in DESKTOP_COMMANDS:
        return _desktop(rest[0], rest[1:])
    if rest and rest[0] in FILE_COMMANDS:
        return _backup(rest[0], rest[1:], db_path)
    return _window(parser, rest, db_path)


def _window(parser: argparse.ArgumentParser, rest: list[str], db: Path | str) -> int:
    """Run the window on the library (a file's Path, or a postgresql:// URL), opening
    the link or file `rest` names, if any."""
    if len(rest) > 1 or (rest and rest[0].startswith("-")):
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    # Qt is imported only when a window is wanted, so subcommands start fast.
    from reader.ui.app import run

    return run(db, target=rest[0] if rest else None)


def main_gui() -> int:
    """The windowed launcher (no console window on Windows)."""
    return main()


# The names `import --from` takes (tests/unit/test_cli_import_from.py checks them
# against the formats' own): listed here so that the help costs no import.
EXPORT_FORMATS = ("kindle", "kindle-html", "readwise", "readwise-markdown", "omnivore", "pocket",
                  "instapaper", "hypothesis", "koreader", "wallabag")

# Subcommands that change the library: refused on a read-only or damaged one.
WRITING_SUBCOMMANDS = {"import", "add"}
READING_FEEDS_ACTIONS = {"list", "export-opml"}  # the other `feeds` actions write
READING_VIEWS_ACTIONS = {"list"}  # `views add` and `views remove` write


# Answered first by the lean read path (reader.cli.lean): read-only sqlite3, no peewee.
LEAN_SUBCOMMANDS = {"list", "search", "show"}


def _run_subcommand(name: str, argv: list[str], db_path: Path) -> int:
    options = build_subcommand_parser(name).parse_args(argv)
    if name in LEAN_SUBCOMMANDS:
        from reader.cli import lean

        status = lean.run(name, options, db_path)
        if status is not None:
            return status
    return _run_on_library(name, options, db_path)


# The subcommands that print what they read, as the lean path (reader.cli.lean) does.
PRINTING_SUBCOMMANDS = ("list", "search", "show")


def _output_held(command: Callable[..., int], *args: object) -> int:
    """Run `command(*args)` with its output held, then written as the lean path writes
    it (reader.cli.lean.write_held: in pieces, so that a reader that stopped reading
    early is noticed), what it printed before an error too."""
    import contextlib
    import io

    from reader.cli.lean import write_held

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            return command(*args)
    finally:
        write_held(sys.stderr, err.getvalue())
        write_held(sys.stdout, out.getvalue())


def _run_on_library(name: str, options: argparse.Namespace, db_path: Path | str) -> int:
    """Run a subcommand on the library, opened whole (created or upgraded if need be)."""
    import sqlite3

    from peewee import DatabaseError

    from reader.cli import library_commands as commands_cli
    from reader.cli import views_commands
    from reader.library import Library, LibraryError, is_damage

    handlers = {"import": commands_cli.import_files, "list": commands_cli.list_articles,
                "show": commands_cli.show, "search": commands_cli.search, "export": _export,
                "add": _add, "revisions": commands_cli.revisions, "feeds": _feeds,
                "views": views_commands.run, "review": _review}
    try:
        with Library.open(db_path) as library:
            if library.url is not None:
                db_path = library.url  # messages show the URL without its password
            dry_run = getattr(options, "dry_run", False)  # reads only, fetches nothing
            if (name in WRITING_SUBCOMMANDS and not dry_run) or (
                    name == "feeds" and options.action not in READING_FEEDS_ACTIONS) or (
                    name == "views" and options.action not in READING_VIEWS_ACTIONS):
                if library.read_only is not None:
                    raise LibraryError(f"{db_path} is read-only ({library.read_only}); "
                                       f"'{name}' would change it. Nothing was changed.")
                # Damage is looked for before writing, not only after a crash: a write
                # to a damaged file can spread the damage.
                if not library.on_postgres and library.check() is not None:
                    raise LibraryError(f"{db_path} is damaged ({library.damaged}). Nothing "
                                       "was changed; restore the newest good backup "
                                       "(marginalia restore FILE).")
            if name in PRINTING_SUBCOMMANDS:
                return _output_held(handlers[name], library, options)
            return handlers[name](library, options)
    except LibraryError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1
    except (DatabaseError, sqlite3.DatabaseError) as exc:  # damage met while reading
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        what = "is damaged" if is_damage(exc) else "cannot be read"
        print(f"marginalia: {db_path} {what} ({first_line}). Nothing was changed.",
              file=sys.stderr)
        return 1


def _backup(name: str, argv: list[str], db_path: Path) -> int:
    from reader.storage import backup

    parser = argparse.ArgumentParser(prog=f"marginalia {name}")
    if name == "backup":
        parser.description = "Copy the library into the backups folder beside it, now."
    else:
        parser.description = ("Put a backup in place of the library; the current file is kept "
                              "beside it, renamed, never overwritten. Close Marginalia first.")
        parser.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    options = parser.parse_args(argv)
    try:
        if name == "backup":
            print(f"Backed up to {backup.backup_now(db_path)}")
        else:
            kept = backup.restore(db_path, options.file)
            print(f"Restored {options.file} as {db_path}"
                  + (f"; the previous library is kept as {kept}" if kept else ""))
    except backup.BackupError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1
    return 0


def _desktop(name: str, argv: list[str]) -> int:
    from reader import desktop

    parser = argparse.ArgumentParser(
        prog=f"marginalia {name}",
        description="Add Marginalia to (or remove it from) the Linux desktop's application menu.")
    if name == "install-desktop":
        parser.add_argument("--exec", type=Path, metavar="LAUNCHER",
                            help="the program the menu entry starts (default: marginalia-gui)")
    options = parser.parse_args(argv)
    try:
        paths = desktop.install(options.exec) if name == "install-desktop" else desktop.uninstall()
    except desktop.DesktopError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1
    verb = "Installed" if name == "install-desktop" else "Removed"
    print(f"{verb} {len(paths)} files" + "".join(f"\n  {p}" for p in paths))
    return 0


def _add(library, options: argparse.Namespace) -> int:
    from reader.web import SaveResult, save_pages

    def show(result) -> None:
        if isinstance(result, SaveResult):
            print(result, flush=True)
        else:
            print(f"marginalia: {result}", file=sys.stderr, flush=True)

    report = save_pages(library, options.urls, options.tag, on_result=show)
    return 1 if report.problems else 0


def _feeds(library, options: argparse.Namespace) -> int:
    """`marginalia feeds ACTION`: one line a result; errors on standard error, status 1."""
    from reader.library import LibraryError

    feeds = library.feeds

    def feed_id(text: str) -> int:
        found = feeds.find(text)
        if found is None:
            raise LibraryError(f"There is no feed {text}.")
        return found

    def refreshed(report) -> int:
        for outcome in report.outcomes:
            print(outcome, flush=True)
        for problem in report.problems:
            print(f"marginalia: {problem}", file=sys.stderr, flush=True)
        print(report.summary())
        return 1 if report.problems else 0

    action = options.action
    if action == "add":
        new_id = feeds.subscribe(options.url)
        record = feeds.get(new_id)
        print(f"Subscribed to {record.name} ({record.url}) as feed {new_id}.", flush=True)
        return 0 if options.no_refresh else refreshed(feeds.refresh([new_id]))
    if action == "list":
        records = feeds.list()
        if options.json:
            import dataclasses
            import json

            print(json.dumps([dataclasses.asdict(r) for r in records], ensure_ascii=False,
                             indent=2))
            return 0
        for r in records:
            error = f"  [error: {r.error}]" if r.error else ""
            print(f"{r.id}\t{r.unread} unread\t{r.title or '(untitled)'}\t{r.url}{error}")
        return 0
    if action == "remove":
        target = feed_id(options.feed)
        record = feeds.get(target)
        feeds.remove(target)
        print(f"Removed feed {target}, {record.name}; its articles stay in the library.")
        return 0
    if action == "refresh":
        ids = [feed_id(text) for text in options.feeds] or (
            [r.id for r in feeds.list()] if options.all else None)
        return refreshed(feeds.refresh(ids))
    if action in ("import-opml", "export-opml"):
        return _feeds_opml(feeds, action, options.file)
    raise AssertionError(action)


def _feeds_opml(feeds, action: str, path: Path) -> int:
    from reader.library import LibraryError

    if action == "import-opml":
        from reader.web.opml import MAX_OPML_BYTES

        try:
            if not path.is_file():
                raise LibraryError(f"{path}: not a file.")
            with path.open("rb") as file:
                data = file.read(MAX_OPML_BYTES + 1)  # the import refuses more
        except OSError as exc:
            raise LibraryError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
        report = feeds.import_opml(data)
        for problem in report.problems:
            print(f"marginalia: {path}: {problem}", file=sys.stderr)
        print(report.summary())
        return 1 if report.problems else 0
    from reader.files import write_file

    try:
        write_file(path, feeds.export_opml())
    except OSError as exc:
        raise LibraryError(f"{path}: cannot be written ({exc.strerror or exc}).") from exc
    print(f"Wrote {len(feeds.list())} feeds to {path}.")
    return 0


def _review(library, options: argparse.Namespace) -> int:
    from reader.cli.review_commands import review

    return review(library, options)


def _export(library, options: argparse.Namespace) -> int:
    from reader.export.exporter import Exporter, ExportError
    from reader.settings import Settings, default_path

    template = options.template or (
        None if options.full_text else Settings.load(default_path()).get("export_template"))
    try:
        exporter = Exporter(library, Path(template) if template else None,
                            full_text=options.full_text)
        chosen = exporter.select(options.article, options.tag)
        if options.query is not None:
            found = library.query.articles(options.query, archived=None)
            for message in found.messages:
                print(f"marginalia: query: {message}", file=sys.stderr)
            # With --article or --tag as well: what both choose.
            wanted = set(found.ids)
            chosen = ([i for i in chosen if i in wanted] if options.article or options.tag
                      else found.ids)
        if options.stdout:
            sys.stdout.write(exporter.to_text(chosen))
            return 0
        report = exporter.to_folder(options.out, chosen, recreate=options.recreate)
    except ExportError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(f"marginalia: warning: {warning}", file=sys.stderr)
    extra = ""
    if report.not_recreated:
        extra += (f", {len(report.not_recreated)} deleted from the folder and not written "
                  "again (--recreate writes them)")
    if report.conflicts:
        extra += f", {len(report.conflicts)} left as they are (see the warnings)"
    print(f"Exported to {options.out}: {len(report.written)} written, "
          f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped (no annotations)"
          f"{extra}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
