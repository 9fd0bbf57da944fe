"""Copies of the library file, made with SQLite's online backup API."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

BACKUP_FOLDER = "backups"


def backup_folder(library_path: Path) -> Path:
    return library_path.parent / BACKUP_FOLDER


def copy_library(source: Path, destination: Path) -> Path:
    """A consistent copy of the library at source, even while it is open elsewhere.

    The copy is written beside its destination and renamed into place, so a
    half-written backup never carries the destination's name.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = delete")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(destination)
    return destination


def backup_before_migration(library_path: Path, old_version: int) -> Path:
    """Keep a copy of a library as it was before its schema is upgraded."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = f"{library_path.stem}-schema{old_version}-{stamp}.sqlite3"
    return copy_library(library_path, backup_folder(library_path) / name)
