"""The command line's library-to-library commands: `marginalia copy`, and the guard that
says which commands a PostgreSQL library supports so far."""

from __future__ import annotations

import argparse
import sys

# Commands that work on a library on PostgreSQL so far; the window and every other
# command still need a SQLite file, and say so instead of failing part-way.
POSTGRES_COMMANDS = ("copy",)
COMMANDS = ("copy",)

_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(text: str | None) -> bool:
    """Whether --db (or $MARGINALIA_DB) names a PostgreSQL library (no import cost)."""
    return bool(text) and text.strip().lower().startswith(_SCHEMES)


def refuse_postgres(command: str | None, url: str) -> int:
    """The message for a command that does not run on PostgreSQL yet."""
    from reader.storage.postgres import redact

    what = f"`marginalia {command}`" if command else "the window"
    print(f"marginalia: {redact(url.strip())} is a PostgreSQL library; {what} does not work on "
          "PostgreSQL yet. So far PostgreSQL supports: "
          + ", ".join(f"marginalia {name}" for name in POSTGRES_COMMANDS)
          + " (e.g. `marginalia copy --from URL --to library.sqlite3` to work on a copy). "
          "Nothing was changed.", file=sys.stderr)
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


def run(command: str, argv: list[str]) -> int:
    if command == "copy":
        return copy(build_copy_parser().parse_args(argv))
    raise ValueError(command)


def copy(options: argparse.Namespace) -> int:
    from reader.storage.copy import copy_library, describe
    from reader.storage.database import LibraryError

    print(f"Copying {describe(options.source)} to {describe(options.target)}…", file=sys.stderr)
    try:
        report = copy_library(options.source, options.target, replace=options.replace)
    except LibraryError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1
    width = max(len(figures.table) for figures in report.tables)
    print(f"{'table':<{width}}  {'source':>8}  {'target':>8}  checksum (sha256)")
    for figures in report.tables:
        print(f"{figures.table:<{width}}  {figures.source_rows:>8}  {figures.target_rows:>8}  "
              f"{figures.target_checksum[:16]}  {'same' if figures.matches else 'DIFFERENT'}")
    rows = sum(figures.target_rows for figures in report.tables)
    print(f"Copied {rows} rows in {len(report.tables)} tables to {report.target} in "
          f"{report.seconds:.1f} s; every count and checksum matches the source.")
    return 0
