"""The command line's library-to-library commands: `marginalia copy`, and the guard that
says which commands a PostgreSQL library supports so far."""

from __future__ import annotations

import argparse
import sys

COMMANDS = ("copy", "team")

_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(text: str | None) -> bool:
    """Whether --db (or $MARGINALIA_DB) names a PostgreSQL library (no import cost)."""
    return bool(text) and text.strip().lower().startswith(_SCHEMES)


def refuse_postgres(command: str, url: str) -> int:
    """The message for a command that works on a library file only (its backups, the
    desktop entry): everything else runs on a PostgreSQL library as on a file."""
    from reader.storage.postgres import redact

    print(f"marginalia: {redact(url.strip())} is a PostgreSQL library; `marginalia {command}` "
          "works on a library file only. A team library's backups are the server's "
          "(pg_dump), or a copy to a file: `marginalia copy --from URL --to "
          "library.sqlite3`. Nothing was changed.", file=sys.stderr)
    return 2


def build_copy_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia copy",
        description="Copy a whole library between SQLite files and PostgreSQL databases "
                    "(either way, or file to file), ids kept. The target is created or "
                    "upgraded; the copy is one transaction, committed only when every "
                    "table's row count and content checksum match the source's.")
    parser.add_argument("--from", dest="source", required=True, metavar="LIBRARY",
                        help="the library to copy: a file, or postgresql://user@host/dbname")
    parser.add_argument("--to", dest="target", required=True, metavar="LIBRARY",
                        help="where to copy it: a file, or postgresql://user@host/dbname "
                             "(the password from PGPASSWORD, ~/.pgpass or a service file)")
    parser.add_argument("--replace", action="store_true",
                        help="delete what the target holds and copy over it (without this, "
                             "a target that is not empty is refused)")
    return parser


def build_team_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia team",
        description="Set up a library on PostgreSQL for a team: each reader connects as "
                    "their own role; highlights record their author, and a private "
                    "highlight (with its note) is readable by its author alone, enforced "
                    "by the server's row-level security.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init", help="create (or upgrade) the library's schema, the readers' group role "
                     "and the row-level security policies; run as the role that owns it")
    init.add_argument("url", metavar="URL", help="postgresql://user@host/dbname")
    init.add_argument("--group", metavar="ROLE",
                      help="the readers' group role (default: DBNAME_readers)")
    add = actions.add_parser(
        "add-reader", help="let a role read and annotate the library (created if missing, "
                           "without a password), on --db or $MARGINALIA_DB")
    add.add_argument("name", metavar="NAME", help="the reader's PostgreSQL role")
    add.add_argument("--db", dest="url", metavar="URL",
                     help="the team library (default: marginalia's --db, else $MARGINALIA_DB)")
    return parser


def run(command: str, argv: list[str], db_text: str | None = None) -> int:
    if command == "copy":
        return copy(build_copy_parser().parse_args(argv))
    if command == "team":
        return team(build_team_parser().parse_args(argv), db_text)
    raise ValueError(command)


def team(options: argparse.Namespace, db_text: str | None) -> int:
    from reader.storage import team as team_library
    from reader.storage.database import LibraryError
    from reader.storage.postgres import PostgresStorage, as_user, redact

    url = options.url or db_text
    if not is_postgres_url(url):
        shown = redact(url) if url else "no library was named"
        print(f"marginalia: team {options.action} needs a PostgreSQL library "
              f"(postgresql://user@host/dbname) as its URL, --db or $MARGINALIA_DB; "
              f"got: {shown}.", file=sys.stderr)
        return 2
    try:
        with PostgresStorage.open(url) as storage:
            if options.action == "init":
                group = team_library.init(storage, options.group)
                print(f"{storage.url} is a team library; its readers are the members of the "
                      f"role {group}. Add one with: marginalia --db {storage.url} team "
                      "add-reader NAME")
            else:
                created = team_library.add_reader(storage, options.name)
                group = team_library.team_group(storage)
                print(f"{options.name} {'was created and ' if created else ''}joined {group}: "
                      f"they open the library with marginalia --db "
                      f"{as_user(storage.url, options.name)}"
                      + (" (give the role a password or another way to log in)"
                         if created else "") + ".")
    except LibraryError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1
    return 0


def _progress_line(table: str, rows: int) -> None:
    """How far the copy is, on one line rewritten in place (a terminal only)."""
    print(f"\r\033[K{table}: {rows} rows copied", end="", file=sys.stderr, flush=True)


def copy(options: argparse.Namespace) -> int:
    from reader.storage.copy import copy_library, describe
    from reader.storage.database import LibraryError

    print(f"Copying {describe(options.source)} to {describe(options.target)}…", file=sys.stderr)
    try:
        report = copy_library(options.source, options.target, replace=options.replace,
                              progress=_progress_line if sys.stderr.isatty() else None)
    except LibraryError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr)
    width = max(len(figures.table) for figures in report.tables)
    print(f"{'table':<{width}}  {'source':>8}  {'target':>8}  checksum (sha256)")
    for figures in report.tables:
        print(f"{figures.table:<{width}}  {figures.source_rows:>8}  {figures.target_rows:>8}  "
              f"{figures.target_checksum[:16]}  {'same' if figures.matches else 'DIFFERENT'}")
    rows = sum(figures.target_rows for figures in report.tables)
    print(f"Copied {rows} rows in {len(report.tables)} tables to {report.target} in "
          f"{report.seconds:.1f} s; every count and checksum matches the source.")
    for line in _team_notes(report):
        print(line)
    return 0


def _team_notes(report) -> list[str]:
    """What a copy between a team library and a personal one did not carry over, from
    its reader.storage.copy.CopyReport (not named here: the lean commands load no
    typing)."""
    notes = []
    if report.only_visible:
        notes.append("Other readers' private highlights are not visible to you and are not "
                     "copied, nor their tags, notes' histories or review cards.")
    if report.columns_left_out:
        notes.append(f"The highlights' authors and private flags "
                     f"({', '.join(report.columns_left_out)}) were not kept: a personal "
                     "library has none, and every copied highlight is an ordinary one.")
    if report.columns_defaulted:
        notes.append(f"The team library's {', '.join(report.columns_defaulted)} took its "
                     "defaults: every copied highlight's author is the role that copied, "
                     "and none is private.")
    return notes
