"""A second reader in a process of its own, for the live-update and fault tests: it
opens a team library through `Library` and highlights on command, saying on its standard
output what it was told about each write.

    python pg_writer.py URL ARTICLE once   prints "ready", then for each line "START END"
                                           on its input highlights that span and prints
                                           "saved START HIGHLIGHT_ID"
    python pg_writer.py URL ARTICLE loop STOP_FILE
                                           highlights [i, i+1) for each i that is not a
                                           blank, one after another, until STOP_FILE
                                           exists, printing "saved I ID" or
                                           "failed I IN_DOUBT MESSAGE" for each write
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from reader.library import Library, LibraryConnectionError

ROOT = Path(__file__).resolve().parents[2]


def start(url: str, article: int, *mode: str) -> subprocess.Popen:
    """This script in a process of its own (mode: "once", or "loop" STOP_FILE); for
    "once", returned when it is ready for its first line."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, __file__, url, str(article), *mode],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               env=env)
    if mode == ("once",):
        assert process.stdout.readline().strip() == "ready"
    return process


def say(*words: object) -> None:
    print(*words, flush=True)


def once(library: Library, article: int) -> None:
    say("ready")
    for line in sys.stdin:
        start, end = map(int, line.split())
        say("saved", start, library.highlights.create(article, start, end).highlight_id)


def loop(library: Library, article: int, stop_file: Path) -> None:
    text = library.articles.text(article)
    positions = iter([index for index, char in enumerate(text) if not char.isspace()])
    while not stop_file.exists():
        index = next(positions)
        try:
            made = library.highlights.create(article, index, index + 1)
        except LibraryConnectionError as exc:
            say("failed", index, int(exc.in_doubt), " ".join(str(exc).split()))
            time.sleep(0.05)  # the server is away: no need to hammer it
        else:
            say("saved", index, made.highlight_id)


def main() -> None:
    url, article = sys.argv[1], int(sys.argv[2])
    with Library.open(url) as library:
        if sys.argv[3] == "once":
            once(library, article)
        else:
            loop(library, article, Path(sys.argv[4]))


if __name__ == "__main__":
    main()
