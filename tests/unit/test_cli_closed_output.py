"""`marginalia list | head`: a reader that stops reading ends the command quietly."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import reader
from reader.cli import main as cli_main
from reader.cli.main import CLOSED_OUTPUT, main
from reader.library import Library


@pytest.fixture
def long_list(any_library_location, tmp_path) -> str:
    """A library whose list is far longer than a pipe holds (64 KB on Linux), on each
    engine (a SQLite file's path or a PostgreSQL URL, for --db)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for number in range(40):
        title = f"Article {number} " + "with a very long title " * 200
        (folder / f"{number}.md").write_text(f"# {title}\n\nText of article {number}.\n")
    with Library.open(any_library_location) as library:
        assert len(library.import_files([folder]).added) == 40
    return any_library_location


def _cli(*args: str, **options) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(Path(reader.__file__).parents[1])}
    return subprocess.Popen([sys.executable, "-m", "reader.cli", *args], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["search", "article"],
                                     ["search", "article", "--json"],
                                     ["list", "--json", "--query", "is:unread"]])
def test_a_reader_that_closes_early_ends_the_command_quietly(long_list, command):
    process = _cli("--db", str(long_list), *command)
    assert process.stdout.read(100)  # like `head -c 100`: read a little, then close
    process.stdout.close()
    process.wait(timeout=60)
    error = process.stderr.read().decode()
    process.stderr.close()
    assert error == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert process.returncode == CLOSED_OUTPUT


def test_a_reader_that_reads_everything_sees_it_all(long_list):
    process = _cli("--db", str(long_list), "list")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0 and err == b""
    assert out.count(b"\n") == 80


def test_a_closed_output_in_process_is_sent_to_the_null_device(monkeypatch):
    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    def prints(argv):
        print("anything")
        return 0

    monkeypatch.setattr(cli_main, "_main", prints)
    monkeypatch.setattr(sys, "stdout", Closed())
    assert main([]) == CLOSED_OUTPUT
    print("more")  # what follows goes nowhere, without an error


def test_a_command_started_with_its_output_closed_does_not_fail(long_list):
    environment = {**os.environ, "PYTHONPATH": str(Path(reader.__file__).parents[1])}
    result = subprocess.run(  # `marginalia list >&-`: Python's sys.stdout is None
        ["sh", "-c", 'exec "$0" -m reader.cli --db "$1" list >&-', sys.executable,
         str(long_list)], env=environment, stderr=subprocess.PIPE, timeout=60)
    assert result.stderr == b"" and result.returncode == 0
