"""`marginalia backup` and `marginalia restore FILE`."""

from __future__ import annotations

import hashlib

from reader.cli.main import main
from reader.library import Library


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_then_restore_keeps_the_current_file(library_path, write_file, capsys):
    with Library.open(library_path) as library:
        library.import_files([write_file("a.md", "# First\n\nText.")])
    assert main(["--db", str(library_path), "backup"]) == 0
    backup_file = capsys.readouterr().out.strip().removeprefix("Backed up to ")
    with Library.open(library_path) as library:
        library.import_files([write_file("b.md", "# Second\n\nMore text.")])
    before = _digest(library_path)
    assert main(["--db", str(library_path), "restore", backup_file]) == 0
    out = capsys.readouterr().out
    kept = out.strip().split("kept as ")[1]
    assert _digest(__import__("pathlib").Path(kept)) == before
    with Library.open(library_path) as library:
        assert [s.title for s in library.articles.summaries(library.articles.ids())] == ["First"]


def test_restoring_a_damaged_backup_is_refused(library_path, tmp_path, capsys):
    with Library.open(library_path):
        pass
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database at all" * 200)
    before = _digest(library_path)
    assert main(["--db", str(library_path), "restore", str(broken)]) == 1
    assert "broken.sqlite3" in capsys.readouterr().err
    assert _digest(library_path) == before
