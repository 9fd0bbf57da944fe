"""A library that cannot be written is still readable; a damaged one is named as damaged
and never written to (the library's health, from the core and the command line)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reader.cli.main import main
from reader.library import Library, LibraryError
from reader.storage.database import LibraryDamagedError, LibraryReadOnlyError
from tests.unit.test_backup import corrupt_middle_page, sha256


@pytest.fixture
def closed_library(library_path, write_file):
    """A closed library holding one article with a highlight, and the article's id."""
    with Library.open(library_path) as library:
        (article,) = library.import_files([write_file(
            "a.md", "# Bridges\n\nThe river rose and the bridges held for a week.")]).added
        library.highlights.create(article, 4, 9)
    return article


@pytest.mark.parametrize("what", ["file", "folder"])
def test_an_unwritable_library_opens_read_only_and_reads(
        closed_library, library_path, unwritable, what, tmp_path):
    unwritable(library_path if what == "file" else library_path.parent)
    before = sha256(library_path)
    with Library.open(library_path) as library:
        assert library.read_only is not None
        assert ("file cannot be written" if what == "file" else "folder") in library.read_only
        assert [r.title for r in library.articles.records(library.articles.ids())] == ["Bridges"]
        assert library.articles.ids(search="river") == [closed_library]
        assert len(library.highlights.for_article(closed_library)) == 1
        assert library.articles.document(closed_library).text.startswith("Bridges")
        with pytest.raises(LibraryReadOnlyError, match="read-only.*nothing can be changed"):
            library.highlights.create(closed_library, 0, 3)
        with pytest.raises(LibraryReadOnlyError):
            library.articles.set_note(closed_library, "a note")
        assert library.articles.set_position(closed_library, 10, 50).articles == frozenset()
        assert library.undo() is None
    assert sha256(library_path) == before


def test_the_command_line_reads_a_read_only_library_and_refuses_to_write(
        closed_library, library_path, unwritable, write_file, capsys, tmp_path_factory):
    source = write_file("b.md", "# B\n\nText.")
    unwritable(library_path.parent)
    assert main(["--db", str(library_path), "list"]) == 0
    assert "Bridges" in capsys.readouterr().out
    vault = tmp_path_factory.mktemp("vault")
    assert main(["--db", str(library_path), "export", "--out", str(vault)]) == 0
    assert any(vault.glob("*.md"))
    capsys.readouterr()
    assert main(["--db", str(library_path), "import", str(source)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "read-only" in err and "Nothing was changed" in err


def test_a_truncated_library_is_named_damaged_not_foreign(closed_library, library_path):
    size = library_path.stat().st_size
    with library_path.open("r+b") as file:
        file.truncate(size // 3)
    with pytest.raises(LibraryDamagedError, match="is damaged") as caught:
        with Library.open(library_path) as library:
            library.articles.records(library.articles.ids())
            library.search.articles("river")
            library.highlights.for_article(closed_library)
    assert str(library_path) in str(caught.value)
    assert "not a Marginalia library" not in str(caught.value)


def test_a_file_that_is_not_sqlite_is_still_not_a_library(library_path):
    library_path.write_bytes(b"hello" * 100)
    with pytest.raises(LibraryError, match="not a Marginalia library"):
        Library.open(library_path)


def test_damage_found_stops_every_write(closed_library, library_path):
    corrupt_middle_page_or_skip(library_path)
    with Library.open(library_path) as library:
        assert library.check() is not None and library.damaged
        before = sha256(library_path)
        with pytest.raises(LibraryDamagedError, match="damaged"):
            library.articles.set_note(closed_library, "note")
        with pytest.raises(LibraryDamagedError):
            library.highlights.create(closed_library, 0, 3)
    assert sha256(library_path) == before


def test_import_on_a_damaged_library_refuses_and_reads_say_one_line(
        closed_library, library_path, write_file, capsys, tmp_path):
    corrupt_middle_page_or_skip(library_path)
    before = sha256(library_path)
    assert main(["--db", str(library_path), "import", str(write_file("b.md", "# B\n\nText."))]) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and "Nothing was changed" in err and err.count("\n") == 1
    assert sha256(library_path) == before
    for args in (["list"], ["search", "river"], ["export", "--out", str(tmp_path / "v")]):
        code = main(["--db", str(library_path), *args])
        err = capsys.readouterr().err
        assert "Traceback" not in err
        if code:
            assert err.count("\n") == 1 and str(library_path) in err


def corrupt_middle_page_or_skip(path: Path) -> None:
    """Damage the file in a page SQLite must read for a whole-file check; the library
    must be big enough to have a middle."""
    with Library.open(path) as library:
        filler = "\n\n".join(f"Paragraph {n} " + "with words " * 60 for n in range(400))
        from reader.importing.sources import parse_article

        library.articles.add(parse_article(f"# Filler\n\n{filler}", "markdown", "f.md"))
    corrupt_middle_page(path)
    assert sys.platform != "win32"
