"""reader.reads: the statements the managers and the command line's lean path share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playhouse.sqlite_ext import SearchField

from reader import reads
from reader.search import snippets


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.sqlite_only("FTS5's query translation")
def test_the_index_columns_are_the_models(library):
    models = library.storage.models
    for index, columns in ((models.ArticleIndex, reads.ARTICLE_COLUMNS),
                           (models.HighlightIndex, reads.HIGHLIGHT_COLUMNS)):
        searchable = tuple(f.column_name for f in index._meta.sorted_fields
                           if isinstance(f, SearchField) and not f.unindexed)
        assert searchable == columns
        # The same translation as the model's own web_query, for a query naming a column.
        for text in ('title:rail "open source" -bus OR bx', "author:ann xy", "exact:y note:zz"):
            assert reads.fts_query(text, columns) == index.web_query(text + "*")


def test_the_summary_columns_are_the_models_summary_fields():
    from reader.storage.models import SUMMARY_FIELDS

    assert reads.SUMMARY_COLUMNS == SUMMARY_FIELDS


def test_the_list_ids_follow_each_order_and_filter(library, write_file):
    ids = library.import_files([write_file(f"{n}.md", f"# {t}\n\nText {n}.\n")
                                for n, t in enumerate(["b title", "A title", "c title"])]).added
    rows = library.storage.rows
    assert reads.list_ids(rows) == sorted(ids, reverse=True)  # added: newest first
    assert reads.list_ids(rows, "title") == [ids[1], ids[0], ids[2]]  # case ignored
    library.articles.set_archived(ids[0], True)
    library.articles.set_read(ids[2], True)
    assert reads.list_ids(rows, archived=True) == [ids[0]]
    assert reads.list_ids(rows, archived=None, limit=2) == [ids[2], ids[1]]
    assert reads.list_ids(rows, unread_only=True) == [ids[1]]
    library.articles.set_tags(ids[1], ["history/rome"])
    assert reads.list_ids(rows, tag_ids=reads.tag_ids_under(rows, "HISTORY")) == [ids[1]]
    assert reads.list_ids(rows, tag_ids=[]) == []


def test_porter_alone_stems_as_snowballstemmers_porter():
    """The snippets load Porter's modules without snowballstemmer's __init__ (which
    imports every language): same stems as the package's own Porter stemmer."""
    words = ["governments", "running", "quixotic", "railways", "generalizations",
             "happiness", "conditional", "relational", "hopeful", "naïve", "cafés", "skies"]
    probe = ("import sys; from reader.search import snippets;"
             " print(' '.join(snippets._stemmer().stemWord(w) for w in sys.argv[1:]));"
             " print('snowballstemmer' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe, *words], capture_output=True,
                          text=True, check=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    alone, package_loaded = done.stdout.splitlines()
    import snowballstemmer

    assert alone.split() == [snowballstemmer.stemmer("porter").stemWord(w) for w in words]
    assert package_loaded == "False"
    assert snippets.stem("Governments") == "govern"


def test_many_addresses_come_from_the_url_index_the_same(library, write_file, monkeypatch):
    files = [write_file(f"{n}.md", f"---\nurl: https://example.com/{n}\n"
                        f"tags: [t{n % 2}]\n---\n# T{n}\n\nText.\n") for n in range(5)]
    ids = library.import_files(files + [write_file("plain.md", "# Plain\n\nNo url.\n")]).added
    rows = library.storage.rows
    one_by_one = reads.addresses_and_tags(rows, ids[1:])
    monkeypatch.setattr(reads, "MANY", 2)  # more than 2 ids: the index is scanned
    assert reads.addresses_and_tags(rows, ids[1:]) == one_by_one
    assert one_by_one[0][ids[1]] == "https://example.com/1" and one_by_one[0][ids[-1]] is None
    assert ids[0] not in one_by_one[0] and one_by_one[1][ids[1]] == ("t1",)
