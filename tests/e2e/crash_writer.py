"""Crash-safety helper: writes highlights through the core until killed, printing each one acknowledged.

    python tests/e2e/crash_writer.py LIBRARY_PATH [--wait-for-go]

With --wait-for-go it loads everything, then waits for a line on standard input before
opening the library (so a test can start the next writer while this one runs). Prints
`ready` once the library is open, then for every highlight `created ID` as soon as
`highlights.create` has returned and `noted ID NOTE` as soon as `highlights.set_note` has
returned. Each line is flushed at once, so whatever the test has read was acknowledged
by the core before the process was killed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Run as a script from a checkout: the core it tests is the one beside it.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reader.annotations.colours import COLOURS
from reader.library import Library
from reader.importing.parsing import MARKDOWN
from reader.importing.sources import parse_article

ARTICLE = "# Crash test\n\n" + "\n\n".join(
    f"Sentence {i} is here to be highlighted again and again." for i in range(40)
)


def main(argv: list[str]) -> int:
    if "--wait-for-go" in argv[2:]:
        sys.stdin.readline()
    library = Library.open(Path(argv[1]))
    ids = library.articles.ids()
    article_id = ids[0] if ids else library.articles.add(parse_article(ARTICLE, MARKDOWN, "crash.md"))
    text = library.articles.text(article_id)
    starts = [match.start() for match in re.finditer("Sentence", text)]
    colours = list(COLOURS)
    print("ready", flush=True)
    count = 0
    while True:  # until killed
        start = starts[count % len(starts)]
        changes = library.highlights.create(article_id, start, start + len("Sentence"),
                                            colours[count % len(colours)])
        highlight_id = changes.highlight_id
        print(f"created {highlight_id}", flush=True)
        note = f"Note for highlight {highlight_id}, written before it was acknowledged."
        library.highlights.set_note(highlight_id, note)
        print(f"noted {highlight_id} {note}", flush=True)
        count += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
