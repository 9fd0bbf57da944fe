"""An export killed part-way (SIGKILL) and run again leaves exactly what an uninterrupted
export leaves: the same file names and bytes, the same manifest (but for the files'
modification times it records), no temporaries.

export_runner.py runs the export in a subprocess and stops at a named stage (writing
the manifest, writing the articles' temporaries, renaming them into place); the test
looks at the folder there, kills the process with SIGKILL and exports again. Every run
uses the same clock, so files can be compared byte for byte.
"""

from __future__ import annotations

import json
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.export import exporter
from reader.export.exporter import MANIFEST, Exporter
from reader.importing.sources import parse_article
from reader.library import Library

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGKILL")

RUNNER = Path(__file__).with_name("export_runner.py")
FIRST, SECOND, LATER = ("2026-01-01T09:00:00+00:00", "2026-02-02T10:00:00+00:00",
                        "2026-03-03T11:00:00+00:00")
STARTUP_LIMIT = 60.0  # seconds: only guards against a runner that hangs


def _snapshot(folder: Path) -> dict[str, bytes | dict]:
    """Each file's bytes; the manifest as what it records, less the modification times of
    the files (which differ from run to run) and with the state of a file being written
    (saved before the file) taken as written."""
    found: dict[str, bytes | dict] = {}
    for path in sorted(folder.iterdir()):
        found[path.name] = path.read_bytes()
        if path.name == MANIFEST:
            records = json.loads(found[path.name])
            for entry in records["articles"].values():
                entry.update(entry.pop("pending", {}))
                entry.pop("mtime_ns", None)
            found[path.name] = records
    return found


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _export(library_path: Path, folder: Path, clock: str, monkeypatch) -> tuple:
    monkeypatch.setattr(exporter, "_now", lambda: clock)
    with Library.open(library_path) as library:
        export = Exporter(library)
        return export.to_folder(folder, export.select()).written


def _paused_runner(library_path: Path, folder: Path, stage: str) -> subprocess.Popen:
    """The runner, stopped at `stage` (it waits there to be killed)."""
    process = subprocess.Popen(
        [sys.executable, str(RUNNER), str(library_path), str(folder), SECOND,
         "--pause-at", stage],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            line = process.stdout.readline().decode()
            if line == f"paused {stage}\n":
                return process
            process.kill()
            process.wait()
            pytest.fail(f"the runner did not stop at {stage}: {line!r} "
                        f"{process.stderr.read().decode()}")
    process.kill()
    process.wait()
    pytest.fail(f"the runner never reached {stage}: {process.stderr.read().decode()}")


@pytest.fixture
def exported_once(tmp_path, monkeypatch):
    """A library exported once, then changed: two articles with new highlights, one
    newly annotated, one unchanged."""
    library_path, base = tmp_path / "library.sqlite3", tmp_path / "base"
    texts = [f"# Article {n}\n\nParagraph one of article {n}.\n\nParagraph two, longer, of "
             f"article {n}." for n in range(4)]
    with Library.open(library_path) as library:
        ids = library.articles.add_many(
            [parse_article(text, "markdown", f"{n}.md") for n, text in enumerate(texts)])
        for article_id in ids[:3]:
            library.highlights.create(article_id, 0, 9)
    _export(library_path, base, FIRST, monkeypatch)
    with Library.open(library_path) as library:
        for article_id in ids[:2]:
            library.highlights.set_note(library.highlights.create(
                article_id, 10, 20).highlight_id, "Added after the first export.")
        library.highlights.create(ids[3], 0, 9)
    return library_path, base


@pytest.mark.parametrize("stage", ["manifest", "temporaries", "renames"])
def test_an_export_killed_at_any_stage_and_run_again_equals_an_uninterrupted_one(
        tmp_path, monkeypatch, exported_once, stage):
    library_path, base = exported_once
    expected, killed = tmp_path / "expected", tmp_path / "killed"
    shutil.copytree(base, expected)
    shutil.copytree(base, killed)
    _export(library_path, expected, SECOND, monkeypatch)
    assert not _temporaries(expected)

    runner = _paused_runner(library_path, killed, stage)
    try:
        # What a kill at this stage leaves behind, seen before the kill.
        leftovers = _temporaries(killed)
        if stage == "manifest":  # nothing saved yet but the manifest's temporary
            (temporary,) = leftovers
            assert re.fullmatch(rf"\.{re.escape(MANIFEST)}\.[0-9a-f]{{8}}\.tmp", temporary)
            assert {n: d for n, d in _snapshot(killed).items() if n != temporary} == (
                _snapshot(base))
        elif stage == "temporaries":  # the manifest saved, with the files' new states
            assert len(leftovers) == 2 and _snapshot(killed)[MANIFEST] == (
                _snapshot(expected)[MANIFEST])
        else:
            assert len(leftovers) == 2  # three files to write, one renamed
            changed = [n for n, data in _snapshot(killed).items()
                       if n.endswith(".md") and data != _snapshot(base).get(n)]
            assert len(changed) == 1
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()
    assert runner.returncode == -signal.SIGKILL
    assert _temporaries(killed) == leftovers  # the kill left them

    _export(library_path, killed, SECOND, monkeypatch)
    assert _snapshot(killed) == _snapshot(expected)
    assert not _temporaries(killed)
    # And the folder agrees with its manifest: nothing to rewrite later.
    assert _export(library_path, killed, LATER, monkeypatch) == ()


def test_an_uninterrupted_run_of_the_runner_matches_one_in_process(
        tmp_path, monkeypatch, exported_once):
    """The helper exports as the code under test does, when not stopped."""
    library_path, base = exported_once
    expected, ran = tmp_path / "expected", tmp_path / "ran"
    shutil.copytree(base, expected)
    shutil.copytree(base, ran)
    _export(library_path, expected, SECOND, monkeypatch)
    result = subprocess.run([sys.executable, str(RUNNER), str(library_path), str(ran), SECOND],
                            capture_output=True, text=True, timeout=STARTUP_LIMIT)
    assert result.stdout == "done 3\n", result.stderr
    assert _snapshot(ran) == _snapshot(expected)
