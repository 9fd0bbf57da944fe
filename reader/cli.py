"""The `marginalia` command: starts the window, or runs a subcommand on the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader import __version__
from reader.paths import DB_ENV, default_library_path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia",
        description="Marginalia: read articles, highlight passages, keep tags and notes.",
    )
    parser.add_argument(
        "--db", type=Path, metavar="PATH",
        help=f"the library file (default: ${DB_ENV}, else {default_library_path()})",
    )
    parser.add_argument("--version", action="version", version=f"marginalia {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db_path = args.db or default_library_path()
    # Qt is imported only when a window is wanted, so subcommands start fast.
    from reader.ui.app import run

    return run(db_path.expanduser())


def main_gui() -> int:
    """The windowed launcher (no console window on Windows)."""
    return main()


if __name__ == "__main__":
    sys.exit(main())
