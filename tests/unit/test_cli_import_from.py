"""`marginalia import` of other tools' exports: detection, --from, --dry-run, the report."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from reader.cli import main as cli_main
from reader.cli.main import main
from reader.library import Library
from reader.other_tools import formats
from tests.conftest import table_counts

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


@pytest.fixture
def location(any_library_location):
    """Every test here runs on a SQLite file and on PostgreSQL (the --db it is given)."""
    return any_library_location


def counts(location):
    with Library.open(location) as library:
        return table_counts(library, ("article", "highlight", "imported"))


def test_the_help_names_every_format():
    assert sorted(cli_main.EXPORT_FORMATS) == sorted(formats.names())


def test_a_kindle_file_is_recognised_and_imported_once(location, tmp_path, capsys):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.encode("utf-8"))
    assert main(["--db", location, "import", str(clippings)]) == 0
    out = capsys.readouterr().out
    assert "(Kindle, kindle)" in out and "Articles: 1 added" in out
    assert "Highlights: 2 added, 2 anchored exactly, 0 approximately, 0 unanchored" in out
    before = counts(location)
    assert main(["--db", location, "import", str(clippings)]) == 0
    out = capsys.readouterr().out
    assert "Highlights: 0 added" in out and "2 already here" in out
    assert counts(location) == before


def test_a_dry_run_writes_nothing(location, tmp_path, capsys):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.encode("utf-8"))
    Library.open(location).close()
    before = counts(location)
    assert main(["--db", location, "import", "--dry-run", str(clippings)]) == 0
    out = capsys.readouterr().out
    assert "dry run, nothing was written" in out and "2 would be added" in out
    assert counts(location) == before


def test_an_unknown_export_is_named_with_the_formats(location, tmp_path, capsys):
    odd = tmp_path / "data.json"
    odd.write_text(json.dumps({"whatever": [1, 2, 3]}), encoding="utf-8")
    assert main(["--db", location, "import", str(odd)]) == 1
    err = capsys.readouterr().err
    assert f"{odd}: is not an export Marginalia can import" in err
    assert "kindle (Kindle: My Clippings.txt)" in err


def test_a_truncated_zip_is_refused_by_name_and_nothing_is_written(location, tmp_path,
                                                                    capsys):
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr("metadata_0_to_0.json", json.dumps([{"id": "1", "title": "T"}]))
    broken = tmp_path / "omnivore.zip"
    broken.write_bytes(whole.read_bytes()[:40])
    Library.open(location).close()
    before = counts(location)
    assert main(["--db", location, "import", "--from", "omnivore", str(broken)]) == 1
    err = capsys.readouterr().err
    assert str(broken) in err
    assert counts(location) == before


def test_from_names_a_format_that_does_not_exist(location, tmp_path, capsys):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.encode("utf-8"))
    assert main(["--db", location, "import", "--from", "goodreads",
                 str(clippings)]) == 1
    assert "there is no import format called 'goodreads'" in capsys.readouterr().err


@pytest.mark.sqlite_only("A read-only library file")
def test_a_read_only_library_can_be_dry_run_but_not_imported_into(location, tmp_path,
                                                                   unwritable, capsys):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.encode("utf-8"))
    Library.open(location).close()
    before = counts(location)
    unwritable(Path(location).parent)
    assert main(["--db", location, "import", "--dry-run", str(clippings)]) == 0
    assert "2 would be added" in capsys.readouterr().out
    assert main(["--db", location, "import", str(clippings)]) == 1
    assert "read-only" in capsys.readouterr().err
    assert counts(location) == before


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
