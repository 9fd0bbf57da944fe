"""Backups: once a day, rotation over simulated days, consistent copies, checks and restore."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from reader.storage.backup import (
    BackupError,
    backup_before_migration,
    backup_folder,
    backup_if_due,
    backup_now,
    backups,
    check_library,
    daily_backup_date,
    daily_backup_name,
    names_to_remove,
    newest_good_backup,
    plan_rotation,
    restore,
)
from reader.storage.database import SCHEMA_VERSION
from reader.library import Library
from reader.importing.parsing import MARKDOWN
from reader.importing.sources import parse_article

PARAGRAPHS = 60


def make_library(path: Path, title: str = "Kept safe", highlights: int = 3) -> None:
    """A closed library holding one article and `highlights` highlights with notes."""
    body = "\n\n".join(f"Paragraph {i} says something worth keeping about backups."
                       for i in range(PARAGRAPHS))
    with Library.open(path) as library:
        article_id = library.articles.add(parse_article(f"# {title}\n\n{body}", MARKDOWN, "a.md"))
        text = library.articles.text(article_id)
        for i in range(min(highlights, 3)):
            start = text.index(f"Paragraph {i} ")
            changes = library.highlights.create(article_id, start, start + len("Paragraph"))
            library.highlights.set_note(changes.highlight_id, f"Note {i}: " + "words " * 20)
        # The rest in bulk (one statement, one commit); the index triggers still run.
        start = text.index("Paragraph 3 ")
        library.storage.models.Highlight.insert_many(
            {"article": article_id, "start": start, "end": start + 9, "exact": "Paragraph",
             "note": f"Note {i}: " + "words " * 20}
            for i in range(3, highlights)
        ).execute()


def query(path: Path, sql: str) -> list[tuple]:
    """Rows from a file, read without writing to it (delete-mode backups stay single files)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder with its hash: to show that nothing changed."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def corrupt_middle_page(path: Path, seed: int = 1) -> None:
    """Overwrite one page in the middle of a database file with random bytes."""
    page_size = query(path, "PRAGMA page_size")[0][0] if path.stat().st_size else 4096
    pages = path.stat().st_size // page_size
    assert pages >= 8, "too small a file to damage in the middle"
    with path.open("r+b") as file:
        file.seek((pages // 2) * page_size)
        file.write(random.Random(seed).randbytes(page_size))


def raw_quick_check(path: Path) -> list[str]:
    """quick_check through a connection of the test's own (not the code under test)."""
    try:
        return [row[0] for row in query(path, "PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]


# --- daily backups and rotation -----------------------------------------------------------

def test_the_daily_backup_is_made_once_a_day(library_path):
    make_library(library_path, highlights=4)
    day = date(2026, 11, 22)

    first = backup_if_due(library_path, today=day)

    assert first == backup_folder(library_path) / "library-2026-11-22.sqlite3"
    assert raw_quick_check(first) == ["ok"]
    assert query(first, "SELECT count(*) FROM highlight") == [(4,)]
    assert query(first, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert backup_if_due(library_path, today=day) is None
    assert backup_if_due(library_path, today=day + timedelta(days=1)).name == (
        "library-2026-11-23.sqlite3")
    assert sorted(p.name for p in backup_folder(library_path).iterdir()) == [
        "library-2026-11-22.sqlite3", "library-2026-11-23.sqlite3"]


def test_no_backup_is_made_when_there_is_no_library_yet(library_path):
    assert backup_if_due(library_path, today=date(2026, 11, 22)) is None
    assert not backup_folder(library_path).exists()
    with pytest.raises(BackupError, match="no library file"):
        backup_now(library_path)


def test_daily_names_are_recognised_only_for_their_own_library():
    assert daily_backup_name(Path("x/library.sqlite3"), date(2026, 1, 2)) == "library-2026-01-02.sqlite3"
    assert daily_backup_date("library", "library-2026-01-02.sqlite3") == date(2026, 1, 2)
    for name in ("library-schema2-20260102T000000Z.sqlite3", "library-manual-20260102T000000Z.sqlite3",
                 "other-2026-01-02.sqlite3", "library-2026-13-45.sqlite3",
                 "library-2026-01-02.sqlite3.partial", "library-2026-01-02.sqlite3-wal"):
        assert daily_backup_date("library", name) is None, name


def _days(*spec: str) -> set[date]:
    return {date.fromisoformat(day) for day in spec}


ROTATION_CASES = [
    pytest.param(date(2026, 11, 25), _days(
        "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24",
        "2026-11-25",  # daily: the last 7 days (Thursday to Wednesday)
        "2026-11-15", "2026-11-08", "2026-11-01", "2026-10-25",  # weekly: Sundays before them
    ), id="mid-november"),
    pytest.param(date(2027, 1, 6), _days(
        "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04", "2027-01-05",
        "2027-01-06",  # daily, across the new year (Dec 31 to Jan 3 are ISO week 2026-W53)
        "2026-12-27", "2026-12-20", "2026-12-13", "2026-12-06",  # weekly
    ), id="across-new-year"),
]


@pytest.mark.parametrize(("last_day", "expected"), ROTATION_CASES)
def test_rotation_over_sixty_simulated_days_keeps_seven_daily_and_four_weekly(last_day, expected):
    never_rotated = {"library-schema1-20260101T090000Z.sqlite3",
                     "library-schema2-20261001T090000Z.sqlite3",
                     "library-manual-20261002T101010Z.sqlite3",
                     "other-2026-10-01.sqlite3", "notes.txt"}
    folder = set(never_rotated)
    removed_ever: set[str] = set()
    first_day = last_day - timedelta(days=59)
    for offset in range(60):
        today = first_day + timedelta(days=offset)
        folder.add(f"library-{today.isoformat()}.sqlite3")
        removed = names_to_remove(folder, "library")
        folder -= removed
        removed_ever |= removed
        assert never_rotated <= folder
        assert f"library-{today.isoformat()}.sqlite3" in folder
        assert len(folder - never_rotated) <= 11
    assert removed_ever.isdisjoint(folder)
    assert {daily_backup_date("library", n) for n in folder - never_rotated} == expected


def test_rotation_keeps_the_newest_backups_whatever_the_gaps():
    # A library opened every tenth day keeps its last seven backups (two months), not a week.
    days = [date(2026, 1, 1) + timedelta(days=10 * i) for i in range(12)]
    kept = plan_rotation(days)
    assert set(days[-7:]) <= kept
    # Before them: the newest of each earlier ISO week, at most four of them.
    assert kept - set(days[-7:]) == set(days[1:5])
    assert plan_rotation(days[:3]) == set(days[:3])
    assert plan_rotation([]) == set()


def test_daily_backups_rotate_on_disk_and_spare_other_backups(library_path):
    make_library(library_path)
    before_upgrade = backup_before_migration(library_path, 1)
    on_demand = backup_now(library_path)
    last_day, expected = ROTATION_CASES[0].values
    for offset in range(59, -1, -1):
        backup_if_due(library_path, today=last_day - timedelta(days=offset))

    names = {p.name for p in backup_folder(library_path).iterdir()}
    assert names == {before_upgrade.name, on_demand.name} | {
        daily_backup_name(library_path, day) for day in expected}
    assert set(backups(library_path)) == {backup_folder(library_path) / n for n in names}


def test_backups_on_demand_are_never_rotated_away(library_path):
    make_library(library_path)
    first, second = backup_now(library_path), backup_now(library_path)
    assert first != second and first.name.startswith("library-manual-")
    for offset in range(30):
        backup_if_due(library_path, today=date(2026, 1, 1) + timedelta(days=offset))
    assert first.exists() and second.exists()
    assert raw_quick_check(second) == ["ok"]


def test_a_backup_is_consistent_while_another_connection_is_writing(library_path, tmp_path):
    make_library(library_path, highlights=2)
    writer = sqlite3.connect(library_path, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")  # what it commits stays in the WAL
        writer.execute("INSERT INTO meta (key, value) VALUES ('committed', 'yes')")
        writer.execute("PRAGMA cache_size = 5")  # so the open transaction spills into the WAL
        writer.execute("BEGIN IMMEDIATE")
        for i in range(200):
            writer.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"open-{i}", "x" * 2000))
        # The committed row is in the WAL only: copying the main file would lose it.
        naive = shutil.copyfile(library_path, tmp_path / "naive.sqlite3")
        assert query(naive, "SELECT count(*) FROM meta WHERE key = 'committed'") == [(0,)]

        daily = backup_if_due(library_path, today=date(2026, 11, 22))

        assert raw_quick_check(daily) == ["ok"]
        assert query(daily, "PRAGMA integrity_check") == [("ok",)]
        assert query(daily, "SELECT count(*) FROM meta WHERE key = 'committed'") == [(1,)]
        assert query(daily, "SELECT count(*) FROM meta WHERE key LIKE 'open-%'") == [(0,)]
        assert query(daily, "SELECT count(*) FROM highlight") == [(2,)]
        writer.execute("COMMIT")
    finally:
        writer.close()
    later = backup_now(library_path)
    assert query(later, "SELECT count(*) FROM meta WHERE key LIKE 'open-%'") == [(200,)]


def test_a_damaged_library_is_not_backed_up_and_no_backup_is_rotated(library_path):
    make_library(library_path, highlights=300)
    for offset in range(10):
        backup_if_due(library_path, today=date(2026, 3, 1) + timedelta(days=offset))
    kept = tree(backup_folder(library_path))
    corrupt_middle_page(library_path)

    with pytest.raises(BackupError, match="looks damaged") as raised:
        backup_if_due(library_path, today=date(2026, 3, 20))

    assert str(library_path) in str(raised.value)
    assert tree(backup_folder(library_path)) == kept


# --- checking ---------------------------------------------------------------------------------

def test_check_library_reports_damage_without_writing_to_the_file(library_path, tmp_path):
    make_library(library_path, highlights=300)
    damaged = shutil.copyfile(library_path, tmp_path / "damaged.sqlite3")
    corrupt_middle_page(damaged)
    digest = sha256(damaged)

    problem = check_library(damaged)

    assert sha256(damaged) == digest
    assert problem and problem != "ok"
    assert raw_quick_check(damaged) != ["ok"]  # the damage is real, not the check's invention
    assert sha256(damaged) == digest


def test_check_library_passes_a_healthy_library_a_new_one_and_fails_garbage(library_path, tmp_path):
    make_library(library_path, highlights=300)
    digest = sha256(library_path)
    assert check_library(library_path) is None
    assert sha256(library_path) == digest
    assert check_library(tmp_path / "not-yet.sqlite3") is None
    assert not (tmp_path / "not-yet.sqlite3").exists()
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database at all " * 200)
    assert "not a database" in check_library(garbage)


def test_newest_good_backup_skips_damaged_and_too_new_backups(library_path):
    make_library(library_path, highlights=300)
    oldest, middle, newer, newest = (backup_now(library_path) for _ in range(4))
    corrupt_middle_page(newest)
    _set_user_version(newer, SCHEMA_VERSION + 1)
    for age, path in enumerate((newest, newer, middle, oldest)):  # written in this order
        os.utime(path, (1_800_000_000 - 3600 * age,) * 2)

    assert backups(library_path) == [newest, newer, middle, oldest]
    assert newest_good_backup(library_path) == middle
    corrupt_middle_page(middle)
    corrupt_middle_page(oldest)
    assert newest_good_backup(library_path) is None


def _set_user_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


# --- restoring --------------------------------------------------------------------------------

def _leave_a_hot_wal(path: Path) -> None:
    """Commit a row and end the process without closing: the row stays in the -wal file."""
    code = ("import os, sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
            "c.execute(\"INSERT INTO meta (key, value) VALUES ('only-in-wal', '1')\")\n"
            "c.commit()\n"
            "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)


def test_restore_keeps_the_old_library_aside_and_puts_the_backup_in_place(library_path, tmp_path):
    make_library(library_path, title="As backed up", highlights=5)
    backup = backup_now(library_path)
    with Library.open(library_path) as library:
        article_id = library.articles.ids()[0]
        library.highlights.create(article_id, 0, 2)
    _leave_a_hot_wal(library_path)
    old = {suffix: library_path.with_name(library_path.name + suffix).read_bytes()
           for suffix in ("", "-wal", "-shm")}
    assert b"only-in-wal" in old["-wal"]

    aside = restore(library_path, backup)

    assert aside.parent == library_path.parent
    assert aside.name.startswith("library.sqlite3.replaced-")
    for suffix, content in old.items():
        assert aside.with_name(aside.name + suffix).read_bytes() == content
    assert not library_path.with_name("library.sqlite3-wal").exists()
    assert not library_path.with_name("library.sqlite3-shm").exists()
    assert sha256(library_path) != sha256(aside)
    # The old library, opened as it was left (a copy, so its files stay as they are), is whole.
    for suffix in old:
        shutil.copyfile(aside.with_name(aside.name + suffix), tmp_path / f"old.sqlite3{suffix}")
    assert query(tmp_path / "old.sqlite3", "SELECT count(*) FROM meta WHERE key = 'only-in-wal'") == [(1,)]
    assert query(tmp_path / "old.sqlite3", "SELECT count(*) FROM highlight") == [(6,)]
    # The backup is in place, and opens as a library.
    with Library.open(library_path) as library:
        assert library.highlights.count() == 5
        assert library.articles.get(library.articles.ids()[0]).title == "As backed up"
    assert query(library_path, "SELECT count(*) FROM meta WHERE key = 'only-in-wal'") == [(0,)]
    assert raw_quick_check(backup) == ["ok"]  # the backup itself is kept too


def test_restore_refuses_a_damaged_backup_and_changes_nothing(library_path):
    make_library(library_path, highlights=300)
    damaged = backup_now(library_path)
    corrupt_middle_page(damaged)
    before = tree(library_path.parent)

    with pytest.raises(BackupError) as raised:
        restore(library_path, damaged)

    message = str(raised.value)
    assert str(damaged) in message and "damaged" in message and "Nothing was changed" in message
    assert tree(library_path.parent) == before


def test_restore_refuses_a_backup_from_a_newer_marginalia_and_changes_nothing(library_path):
    make_library(library_path)
    newer = backup_now(library_path)
    _set_user_version(newer, SCHEMA_VERSION + 1)
    before = tree(library_path.parent)

    with pytest.raises(BackupError) as raised:
        restore(library_path, newer)

    message = str(raised.value)
    assert str(newer) in message and "newer version of Marginalia" in message
    assert f"schema {SCHEMA_VERSION + 1}" in message
    assert tree(library_path.parent) == before


def test_restore_refuses_files_that_are_not_libraries(library_path, tmp_path):
    make_library(library_path)
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"\0garbage" * 1000)
    before = tree(tmp_path)
    for path, reason in ((other, "not a Marginalia library"), (garbage, "damaged"),
                         (tmp_path / "missing.sqlite3", "no such file")):
        with pytest.raises(BackupError, match=reason):
            restore(library_path, path)
    assert tree(tmp_path) == before


def test_restore_refuses_while_the_library_is_open_here(library_path):
    make_library(library_path)
    backup = backup_now(library_path)
    with Library.open(library_path), pytest.raises(BackupError, match="while it is open"):
        restore(library_path, backup)
    assert restore(library_path, backup) is not None


def test_restore_into_a_missing_library_returns_none(library_path, tmp_path):
    make_library(library_path, highlights=2)
    backup = backup_now(library_path)
    elsewhere = tmp_path / "new" / "library.sqlite3"
    assert restore(elsewhere, backup) is None
    assert query(elsewhere, "SELECT count(*) FROM highlight") == [(2,)]
