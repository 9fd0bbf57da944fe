"""Writers wait their turn: the window saving highlights while two `marginalia import`
processes and one `marginalia export` work on the same library, for a minute.

Afterwards the file is sound, every highlight the window acknowledged and every article
an import acknowledged is there, and no process printed a traceback. Set
MARGINALIA_SOAK_SECONDS to run it longer (or shorter, while working on it).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.paths import seeds_dir

LOOP = Path(__file__).with_name("cli_loop.py")
SECONDS = float(os.environ.get("MARGINALIA_SOAK_SECONDS", "60"))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")


def test_window_imports_and_export_share_the_library(
        seeded_library, library_path, show_window, qtbot, tmp_path):
    window = show_window(seeded_library)
    article = window.current_article_id()
    text = seeded_library.articles.text(article)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")])}
    processes = {
        name: subprocess.Popen(
            [sys.executable, str(LOOP), action, str(library_path), str(tmp_path), str(SECONDS),
             name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for name, action in (("first", "import"), ("second", "import"), ("vault", "export"))
    }
    acknowledged: set[int] = set()
    deadline = time.monotonic() + SECONDS
    step = 0
    while time.monotonic() < deadline:
        start = (step * 37) % (len(text) - 20)
        step += 1
        before = {h.id for h in seeded_library.highlights.for_article(article)}
        window.reading_pane.select_span(start, start + 12)
        window.cmd_highlight_create()
        added = {h.id for h in seeded_library.highlights.for_article(article)} - before
        acknowledged |= added
        qtbot.wait(30)  # the event loop runs: the list refreshes, workers deliver
    outputs = {name: process.communicate(timeout=SECONDS + 120)
               for name, process in processes.items()}
    for name, (out, err) in outputs.items():
        assert processes[name].returncode == 0, f"{name}: {out}\n{err}"
        assert "Traceback" not in err, f"{name}: {err}"
    assert len(acknowledged) >= 10, "the window saved too few highlights to test anything"
    window.close()
    seeded_library.close()

    conn = sqlite3.connect(library_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        highlights = {row[0] for row in conn.execute("SELECT id FROM highlight")}
        titles = {row[0] for row in conn.execute("SELECT title FROM article")}
    finally:
        conn.close()
    assert acknowledged <= highlights
    imported = {line[4:] for name in ("first", "second")
                for line in outputs[name][0].splitlines() if line.startswith("ACK ")}
    assert imported and imported <= titles
    runs = [int(line.split()[1]) for line in outputs["vault"][0].splitlines()
            if line.startswith("RUNS ")]
    assert runs and runs[0] >= 2, "the export ran too few times to test anything"
    assert seeds_dir().is_dir()
