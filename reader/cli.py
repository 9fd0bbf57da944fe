"""The `marginalia` command: starts the window, or runs a subcommand on the library.

    marginalia [--db PATH] [marginalia://open?article=ID&highlight=ID | FILE]
    marginalia [--db PATH] export (--out DIR | --stdout) [--article ID]... [--tag TAG]...
                                  [--template FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader import __version__
from reader.paths import DB_ENV, default_library_path

SUBCOMMANDS = ("export",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia",
        description="Marginalia: read articles, highlight passages, keep tags and notes.",
        epilog=f"Subcommands: {', '.join(SUBCOMMANDS)} (marginalia SUBCOMMAND --help).",
    )
    parser.add_argument(
        "--db", type=Path, metavar="PATH",
        help=f"the library file (default: ${DB_ENV}, else {default_library_path()})",
    )
    parser.add_argument("--version", action="version", version=f"marginalia {__version__}")
    return parser


def build_export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia export",
        description="Write annotations as Markdown: one file per annotated article, or one stream.",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="DIR", help="the folder to write into")
    where.add_argument("--stdout", action="store_true", help="write everything to standard output")
    parser.add_argument("--article", type=int, action="append", default=[], metavar="ID",
                        help="only this article (repeat for several)")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG",
                        help="only articles under this tag, nested tags included (repeatable)")
    parser.add_argument("--template", type=Path, metavar="FILE",
                        help="a Jinja2 template instead of the built-in one")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    db_path = (args.db or default_library_path()).expanduser()
    if rest and rest[0] in SUBCOMMANDS:
        return _run_subcommand(rest[0], rest[1:], db_path)
    if len(rest) > 1 or (rest and rest[0].startswith("-")):
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    # Qt is imported only when a window is wanted, so subcommands start fast.
    from reader.ui.app import run

    return run(db_path, target=rest[0] if rest else None)


def main_gui() -> int:
    """The windowed launcher (no console window on Windows)."""
    return main()


def _run_subcommand(name: str, argv: list[str], db_path: Path) -> int:
    from reader.db import LibraryError
    from reader.library import Library

    options = build_export_parser().parse_args(argv)
    try:
        with Library.open(db_path) as library:
            return _export(library, options)
    except LibraryError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1


def _export(library, options: argparse.Namespace) -> int:
    from reader.export import Exporter, ExportError
    from reader.settings import Settings, default_path

    template = options.template or (Settings.load(default_path()).get("export_template") or None)
    try:
        exporter = Exporter(library, Path(template) if template else None)
        chosen = exporter.select(options.article, options.tag)
        if options.stdout:
            sys.stdout.write(exporter.to_text(chosen))
            return 0
        report = exporter.to_folder(options.out, chosen)
    except ExportError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1
    print(f"Exported to {options.out}: {len(report.written)} written, "
          f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped (no annotations).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
