"""`marginalia import` of other tools' exports: detection, --from, --dry-run, the report."""

from __future__ import annotations

import json
import sqlite3
import zipfile

from reader.cli import main as cli_main
from reader.cli.main import main
from reader.other_tools import formats

CLIPPINGS = (
    "\ufeffDune (Frank Herbert)\r\n"
    "- Your Highlight on page 8 | Location 100-101 | Added on Monday, 7 August 2023 09:30:15\r\n"
    "\r\n"
    "I must not fear.\r\n"
    "==========\r\n"
    "\ufeffDune (Frank Herbert)\r\n"
    "- Your Highlight on page 9 | Location 120-121 | Added on Monday, 7 August 2023 09:31:00\r\n"
    "\r\n"
    "Fear is the mind-killer.\r\n"
    "==========\r\n"
)


def counts(path):
    # immutable: readable in a folder this process may not write to (no -shm file made)
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("article", "highlight", "imported"))
    finally:
        conn.close()


def test_the_help_names_every_format():
    assert sorted(cli_main.EXPORT_FORMATS) == sorted(formats.names())


def test_a_kindle_file_is_recognised_and_imported_once(library_path, tmp_path, capsys):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.encode("utf-8"))
    assert main(["--db", str(library_path), "import", str(clippings)]) == 0
    out = capsys.readouterr().out
    assert "(Kindle, kindle)" in out and "Articles: 1 added" in out
    assert "Highlights: 2 added, 2 anchored exactly, 0 approximately, 0 unanchored" in out
    before = counts(library_path)
    assert main(["--db", str(library_path), "import", str(clippings)]) == 0
    out = capsys.readouterr().out
    assert "Highlights: 0 added" in out and "2 already here" in out
    assert counts(library_path) == before


def test_a_dry_run_writes_nothing(library_path, tmp_path, capsys):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.encode("utf-8"))
    main(["--db", str(library_path), "list"])
    capsys.readouterr()
    before = counts(library_path)
    assert main(["--db", str(library_path), "import", "--dry-run", str(clippings)]) == 0
    out = capsys.readouterr().out
    assert "dry run, nothing was written" in out and "2 would be added" in out
    assert counts(library_path) == before


def test_an_unknown_export_is_named_with_the_formats(library_path, tmp_path, capsys):
    odd = tmp_path / "data.json"
    odd.write_text(json.dumps({"whatever": [1, 2, 3]}), encoding="utf-8")
    assert main(["--db", str(library_path), "import", str(odd)]) == 1
    err = capsys.readouterr().err
    assert f"{odd}: is not an export Marginalia can import" in err
    assert "kindle (Kindle: My Clippings.txt)" in err


def test_a_truncated_zip_is_refused_by_name_and_nothing_is_written(library_path, tmp_path,
                                                                    capsys):
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr("metadata_0_to_0.json", json.dumps([{"id": "1", "title": "T"}]))
    broken = tmp_path / "omnivore.zip"
    broken.write_bytes(whole.read_bytes()[:40])
    main(["--db", str(library_path), "list"])
    before = counts(library_path)
    assert main(["--db", str(library_path), "import", "--from", "omnivore", str(broken)]) == 1
    err = capsys.readouterr().err
    assert str(broken) in err
    assert counts(library_path) == before


def test_from_names_a_format_that_does_not_exist(library_path, tmp_path, capsys):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.encode("utf-8"))
    assert main(["--db", str(library_path), "import", "--from", "goodreads",
                 str(clippings)]) == 1
    assert "there is no import format called 'goodreads'" in capsys.readouterr().err


def test_a_read_only_library_can_be_dry_run_but_not_imported_into(library_path, tmp_path,
                                                                   unwritable, capsys):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.encode("utf-8"))
    main(["--db", str(library_path), "list"])
    before = counts(library_path)
    unwritable(library_path.parent)
    assert main(["--db", str(library_path), "import", "--dry-run", str(clippings)]) == 0
    assert "2 would be added" in capsys.readouterr().out
    assert main(["--db", str(library_path), "import", str(clippings)]) == 1
    assert "read-only" in capsys.readouterr().err
    assert counts(library_path) == before


def test_reading_a_small_export_does_not_allocate_the_size_limit(tmp_path):
    """An export is read as large as it is (read(limit + 1) allocated 200 MB for any file)."""
    import tracemalloc

    from reader.other_tools.common import read_bytes

    path = tmp_path / "export.csv"
    path.write_text("Highlight,Title\nA quote,A book\n", encoding="utf-8")
    tracemalloc.start()
    try:
        data = read_bytes(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data == path.read_bytes()
    assert peak < 1024 * 1024


def test_an_export_over_the_limit_is_refused_by_size(tmp_path):
    import pytest

    from reader.other_tools.common import read_bytes
    from reader.other_tools.model import FormatError

    path = tmp_path / "export.csv"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(FormatError, match="too large"):
        read_bytes(path, limit=1024)
    assert read_bytes(path, limit=2048) == b"x" * 2048
