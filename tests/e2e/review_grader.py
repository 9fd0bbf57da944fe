"""Crash-safety helper: grades review cards through the core until killed, printing each
grade as soon as the core has acknowledged it.

    python tests/e2e/review_grader.py LIBRARY_PATH

Makes an article with 30 highlights in a new library. Prints `ready` once the library
is open, then `graded HIGHLIGHT_ID LOG_ID RATING` for every grade, flushed as soon as
`library.review.grade` has returned: whatever the test has read was committed by the
core before the process was killed. The review's clock moves on an hour a grade, so
that the cards move through their states (learning, review, relearning).
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

# Run as a script from a checkout: the core it tests is the one beside it.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reader.importing.parsing import MARKDOWN  # noqa: E402
from reader.importing.sources import parse_article  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.review import Clock  # noqa: E402

ARTICLE = "# Review crash test\n\n" + "\n\n".join(
    f"Sentence {i} is one to remember when the process is killed." for i in range(30))


def main(argv: list[str]) -> int:
    library = Library.open(Path(argv[1]))
    ids = library.articles.ids()
    if not ids:
        article_id = library.articles.add(parse_article(ARTICLE, MARKDOWN, "crash.md"))
        text = library.articles.text(article_id)
        for i in range(30):
            start = text.index(f"Sentence {i} ")
            library.highlights.create(article_id, start, text.index(".", start) + 1)
    highlights = [r[0] for r in library.storage.rows("SELECT id FROM highlight ORDER BY id")]
    done = library.review.reviewed()
    clock = Clock(datetime(2025, 1, 1, tzinfo=timezone.utc), tz=timezone.utc)
    clock.advance(hours=done)  # on from where the killed writers left off
    library.review.clock = clock
    print("ready", flush=True)
    count = done
    while True:  # until killed
        highlight_id = highlights[count % len(highlights)]
        rating = (3, 1, 4, 2, 3)[count % 5]
        result = library.review.grade(highlight_id, rating)
        print(f"graded {highlight_id} {result.log_id} {rating}", flush=True)
        clock.advance(hours=1)
        count += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
