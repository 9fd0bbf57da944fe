"""End to end: an Omnivore export zip and a Readwise CSV that quote the two sample
articles are imported into the seeded library with the `marginalia` command, and every
highlight lands on its passage — one quote with its punctuation changed included."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile

from reader.library import Library

ONE = "Ukrainian military launches incursion of Russia"
TWO = "Ukraine continues offensive inside Russia"

OMNIVORE_QUOTES = {
    "ukrainian-military-launches-incursion": [
        "Ukrainian forces launched what appears to be the largest incursion of Russian "
        "territory to date in the border region of Kursk",
        # straight quotes where the article has curly ones
        'described the attack as a "major provocation"',
    ],
    "ukraine-continues-offensive": [
        "The Ukrainian military's offensive into two Russian border regions, Kursk and "
        "Belgorod, is entering its second week.",
    ],
}
READWISE_ROWS = [
    # (highlight, title, author, note, colour, tags)
    ("Ukraine has blown up two bridges in the region", TWO, "Clara Weiss",
     "Logistics.", "blue", "bridges, logistics"),
    # a comma dropped and a dash written as two hyphens: placed approximately
    ("Over 180,000 people have already been evacuated and the continuing evacuations "
     "indicate that the Kremlin is not anticipating a quick end to the fighting", TWO,
     "Weiss, Clara", "", "yellow", ""),
    ("Footage dated from August 6 and analyzed by the Institute for the Study of War", ONE,
     "Clara Weiss", "Sources?", "pink", "sources"),
]


def omnivore_zip(path):
    items = [
        {"id": "11111111-aaaa", "slug": "ukrainian-military-launches-incursion", "title": ONE,
         "description": "", "author": "Clara Weiss", "url": "https://www.wsws.org/en/a1",
         "state": "Archived", "readingProgress": 100, "thumbnail": None,
         "labels": ["ukraine", "war"], "savedAt": "2024-08-08T10:00:00.000Z",
         "updatedAt": "2024-08-08T10:00:00.000Z", "publishedAt": "2024-08-07T00:00:00.000Z"},
        {"id": "22222222-bbbb", "slug": "ukraine-continues-offensive", "title": TWO,
         "description": "", "author": "Clara Weiss", "url": "https://www.wsws.org/en/a2",
         "state": "Active", "readingProgress": 40, "thumbnail": None, "labels": ["ukraine"],
         "savedAt": "2024-08-19T10:00:00.000Z", "updatedAt": "2024-08-19T10:00:00.000Z",
         "publishedAt": "2024-08-18T00:00:00.000Z"},
    ]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata_0_to_1.json", json.dumps(items, indent=2))
        for slug, quotes in OMNIVORE_QUOTES.items():
            archive.writestr(f"highlights/{slug}.md",
                             "\n\n".join(f"> {quote} " for quote in quotes) + "\n")
    return path


def readwise_csv(path):
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(["Highlight", "Book Title", "Book Author", "Amazon Book ID", "Note",
                         "Color", "Tags", "Location Type", "Location", "Highlighted at",
                         "Document tags"])
        for n, (quote, title, author, note, colour, tags) in enumerate(READWISE_ROWS):
            writer.writerow([quote, title, author, "", note, colour, tags, "order", n + 1,
                             "2024-08-20 09:30:15+00:00", ""])
    return path


def marginalia(db, *args):
    return subprocess.run([sys.executable, "-m", "reader.cli", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def test_both_exports_land_every_highlight_on_its_passage(seeded_library, library_path,
                                                          tmp_path):
    seeded_library.close()
    zipped = omnivore_zip(tmp_path / "omnivore-export.zip")
    table = readwise_csv(tmp_path / "readwise-data.csv")
    done = marginalia(library_path, "import", str(zipped), str(table))
    assert done.returncode == 0, done.stderr
    assert "(Omnivore, omnivore)" in done.stdout and "(Readwise, readwise)" in done.stdout
    assert "0 unanchored" in done.stdout and "Unanchored" not in done.stdout

    with Library.open(library_path) as library:
        assert len(library.articles.ids()) + len(library.articles.ids(archived=True)) == 2
        by_title = {r.title: r for r in library.articles.records(
            library.articles.ids() + library.articles.ids(archived=True))}
        marks = {title: library.highlights.for_article(record.id)
                 for title, record in by_title.items()}
        texts = {title: library.articles.text(record.id) for title, record in by_title.items()}
        assert sum(len(m) for m in marks.values()) == 6
        for title, found in marks.items():
            for mark in found:
                assert not mark.orphaned
                assert texts[title][mark.start:mark.end] == mark.exact
        exacts = {m.exact for found in marks.values() for m in found}
        assert "described the attack as a “major provocation”" in exacts
        assert any(e.startswith("Over 180,000 people have already been evacuated, and")
                   and e.endswith("a quick end to the fighting") for e in exacts)
        bridges = next(m for m in marks[TWO] if "two bridges" in m.exact)
        assert (bridges.note, bridges.colour, bridges.tags) == (
            "Logistics.", "blue", ("bridges", "logistics"))
        first = by_title[ONE]
        assert set(first.tags) >= {"ukraine", "war"}  # state stays: the article was here

    again = marginalia(library_path, "import", str(zipped), str(table))
    assert again.returncode == 0 and again.stdout.count("Highlights: 0 added") == 2
    with Library.open(library_path) as library:
        assert library.highlights.count() == 6
