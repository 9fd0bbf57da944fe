"""Copies of the library file: daily backups and their rotation, backups on demand, health checks and restore.

Every copy is made with SQLite's online backup API, so it is consistent even while the
app has the library open. Backups live in the `backups` folder beside the library:

    library-2026-11-22.sqlite3                 daily (`backup_if_due`), rotated
    library-manual-20261122T143005Z.sqlite3    on demand (`backup_now`), never rotated
    library-schema2-20261122T143005Z.sqlite3   before a schema upgrade, never rotated

Rotation keeps the 7 newest daily backups plus, for the 4 most recent ISO weeks before the
week of the oldest of those, the newest backup of each week. Backups made on demand are kept
until the user deletes them: the user asked for each one, so the app never removes it.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from reader.storage.database import SCHEMA_VERSION, LibraryError, is_open, read_schema_version

BACKUP_FOLDER = "backups"
SUFFIX = ".sqlite3"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
# The files SQLite keeps beside a database: they belong to it and move with it.
SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(LibraryError):
    """A backup or restore that could not be done; the message names the file and the reason."""


def backup_folder(library_path: Path) -> Path:
    return Path(library_path).parent / BACKUP_FOLDER


def copy_library(source: Path, destination: Path) -> Path:
    """A consistent copy of the library at source, even while it is open elsewhere.

    The copy is written beside its destination and renamed into place, so a
    half-written backup never carries the destination's name.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    try:
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
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return destination


def backup_before_migration(library_path: Path, old_version: int) -> Path:
    """Keep a copy of a library as it was before its schema is upgraded."""
    name = f"{library_path.stem}-schema{old_version}-{_utc_stamp()}{SUFFIX}"
    return copy_library(library_path, backup_folder(library_path) / name)


# --- names and rotation (pure: no files) ------------------------------------------------

def daily_backup_name(library_path: Path, day: date) -> str:
    return f"{Path(library_path).stem}-{day.isoformat()}{SUFFIX}"


def daily_backup_date(stem: str, name: str) -> date | None:
    """The day of a daily backup of the library named `stem`; None for any other file."""
    match = re.fullmatch(re.escape(stem) + r"-(\d{4}-\d{2}-\d{2})" + re.escape(SUFFIX), name)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def plan_rotation(days: Iterable[date], keep_daily: int = KEEP_DAILY,
                  keep_weekly: int = KEEP_WEEKLY) -> set[date]:
    """Which of the daily backups (given by their days) rotation keeps.

    The `keep_daily` newest, whatever gaps lie between them (a library left alone for a
    month keeps its last week of use), and then the newest backup of each of the
    `keep_weekly` most recent ISO weeks that lie wholly before the week of the oldest
    daily one kept.
    """
    ordered = sorted(set(days), reverse=True)
    daily = ordered[:keep_daily]
    if len(ordered) <= keep_daily:
        return set(ordered)
    first_daily_week = tuple(daily[-1].isocalendar())[:2]
    newest_in_week: dict[tuple[int, ...], date] = {}
    for day in ordered[keep_daily:]:
        week = tuple(day.isocalendar())[:2]
        if week < first_daily_week:
            newest_in_week.setdefault(week, day)  # newest first, so the first one seen wins
    weeks = sorted(newest_in_week, reverse=True)[:keep_weekly]
    return set(daily) | {newest_in_week[week] for week in weeks}


def names_to_remove(names: Iterable[str], stem: str) -> set[str]:
    """The daily backups rotation deletes from a folder holding `names`.

    Anything that is not a daily backup of this library (pre-migration and on-demand
    backups, other libraries' files) is never among them.
    """
    dated = {name: day for name in names if (day := daily_backup_date(stem, name)) is not None}
    keep = plan_rotation(dated.values())
    return {name for name, day in dated.items() if day not in keep}


# --- making backups -------------------------------------------------------------------

def backup_if_due(library_path: Path, today: date | None = None) -> Path | None:
    """Make today's daily backup unless it exists, then rotate; the new file, or None.

    None too when there is no library file yet. Raises BackupError when the copy cannot be
    made or comes out damaged; then no backup is added and none is rotated away.
    """
    library_path = Path(library_path)
    if not library_path.is_file():
        return None
    day = today or date.today()
    destination = backup_folder(library_path) / daily_backup_name(library_path, day)
    if destination.exists():
        return None
    _checked_copy(library_path, destination)
    rotate(library_path)
    return destination


def backup_now(library_path: Path) -> Path:
    """Make a backup on demand (`marginalia backup`), named with the UTC time; the new file.

    Rotation never deletes these. Raises BackupError when there is no library or the copy
    cannot be made or comes out damaged.
    """
    library_path = Path(library_path)
    if not library_path.is_file():
        raise BackupError(f"Cannot back up {library_path}: there is no library file there.")
    folder = backup_folder(library_path)
    base = f"{library_path.stem}-manual-{_utc_stamp()}"
    destination = folder / f"{base}{SUFFIX}"
    counter = 2
    while destination.exists():  # two backups within one second
        destination = folder / f"{base}-{counter}{SUFFIX}"
        counter += 1
    return _checked_copy(library_path, destination)


def rotate(library_path: Path) -> list[Path]:
    """Delete the daily backups rotation does not keep; the files deleted."""
    folder = backup_folder(library_path)
    if not folder.is_dir():
        return []
    removed = []
    for name in sorted(names_to_remove((p.name for p in folder.iterdir()), Path(library_path).stem)):
        try:
            (folder / name).unlink()
        except OSError:
            continue  # the next rotation tries again; a kept backup does no harm
        removed.append(folder / name)
    return removed


def backups(library_path: Path) -> list[Path]:
    """This library's backups (daily, on demand and pre-migration), newest first.

    "Newest" is by the time the file was written (its modification time).
    """
    folder = backup_folder(library_path)
    if not folder.is_dir():
        return []
    stem = re.escape(Path(library_path).stem)
    kinds = re.compile(stem + r"-(\d{4}-\d{2}-\d{2}|manual-.+|schema\d+-.+)" + re.escape(SUFFIX))
    found = [p for p in folder.iterdir() if kinds.fullmatch(p.name) and p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def _checked_copy(library_path: Path, destination: Path) -> Path:
    # A copy of a damaged library is checked before it counts as a backup: otherwise a
    # week of daily copies of a broken file would rotate every good backup away.
    try:
        copy_library(library_path, destination)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"Could not back up {library_path} to {destination}: {exc}.") from exc
    problem = _quick_check(destination)
    if problem is not None:
        destination.unlink(missing_ok=True)
        raise BackupError(
            f"Did not back up {library_path}: the library looks damaged "
            f"({_first_line(problem)}). The existing backups were left as they are."
        )
    return destination


# --- checking and restoring -----------------------------------------------------------

def check_library(library_path: Path) -> str | None:
    """SQLite's quick_check of the library, read-only; None when fine, else the problem text.

    The file itself is never written (SQLite may create empty -wal/-shm files beside a
    WAL-mode library). A missing or empty file is fine: it becomes a new library.
    """
    path = Path(library_path)
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return None
    return _quick_check(path)


def newest_good_backup(library_path: Path) -> Path | None:
    """The newest backup that `restore` would accept (healthy and of a schema this version reads)."""
    for candidate in backups(library_path):
        if _backup_problem(candidate) is None:
            return candidate
    return None


def restore(library_path: Path, backup_file: Path) -> Path | None:
    """Put a copy of backup_file in the library's place; the path the old library was moved to.

    The old library is never overwritten or deleted: it is renamed to
    `<name>.replaced-<UTC time>` beside itself, together with its -wal/-shm/-journal files
    (so the moved file still opens with everything it held). None when there was no
    library file. The caller must have closed the library, in this process and any other:
    a running app would go on writing to the file that was moved aside.
    Raises BackupError, having changed nothing, when the backup is missing, damaged, not a
    Marginalia library or from a newer Marginalia, or when a file cannot be moved.
    """
    library_path = Path(library_path)
    backup_file = Path(backup_file)
    if backup_file.exists() and library_path.exists() and backup_file.samefile(library_path):
        raise BackupError(f"Cannot restore {library_path} from itself.")
    if _is_open_here(library_path):
        raise BackupError(f"Cannot restore {library_path} while it is open; close it first.")
    problem = _backup_problem(backup_file)
    if problem is not None:
        raise BackupError(f"Cannot restore from {backup_file}: {problem}. Nothing was changed.")

    incoming = library_path.with_name(library_path.name + ".restoring")
    try:
        copy_library(backup_file, incoming)
    except (sqlite3.Error, OSError) as exc:
        incoming.unlink(missing_ok=True)
        raise BackupError(
            f"Cannot restore from {backup_file}: copying it failed ({exc}). Nothing was changed."
        ) from exc

    aside = _aside_name(library_path)
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", *SIDE_FILES):
            source = library_path.with_name(library_path.name + suffix)
            if source.exists():
                target = aside.with_name(aside.name + suffix)
                os.rename(source, target)
                moved.append((source, target))
        os.replace(incoming, library_path)
    except OSError as exc:
        for source, target in reversed(moved):
            os.rename(target, source)
        incoming.unlink(missing_ok=True)
        raise BackupError(
            f"Cannot restore {library_path}: moving the current library aside failed "
            f"({exc.strerror or exc}). Nothing was changed."
        ) from exc
    return aside if any(source == library_path for source, _ in moved) else None


def _backup_problem(path: Path) -> str | None:
    """Why path cannot be restored from (a phrase for a message), or None."""
    if not path.is_file():
        return "there is no such file"
    if path.stat().st_size == 0:
        return "the file is empty"
    problem = _quick_check(path)
    if problem is not None:
        return f"the file is damaged ({_first_line(problem)})"
    try:
        version = read_schema_version(path)
    except LibraryError:
        return "it is not a Marginalia library"
    if version > SCHEMA_VERSION:
        return (f"it was written by a newer version of Marginalia (schema {version}; "
                f"this version understands up to {SCHEMA_VERSION})")
    if version < 1 or not _has_table(path, "article"):
        return "it is not a Marginalia library"
    return None


def _quick_check(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:  # e.g. "file is not a database"
        return str(exc)
    results = [str(row[0]) for row in rows]
    return None if results == ["ok"] else "\n".join(results)


def _has_table(path: Path, table: str) -> bool:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                            (table,)).fetchone() is not None
    finally:
        conn.close()


def _is_open_here(library_path: Path) -> bool:
    return is_open(library_path)


def _aside_name(library_path: Path) -> Path:
    """A name beside the library that neither it nor any of its side files would overwrite."""
    base = f"{library_path.name}.replaced-{_utc_stamp()}"
    candidate, counter = library_path.with_name(base), 2
    while any(candidate.with_name(candidate.name + s).exists() for s in ("", *SIDE_FILES)):
        candidate = library_path.with_name(f"{base}-{counter}")
        counter += 1
    return candidate


def _utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else text
