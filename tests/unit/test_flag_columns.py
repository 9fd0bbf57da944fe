"""Yes/no columns are stored as 0 and 1 (both engines' schema has integer columns)."""

from __future__ import annotations

import pytest


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

def test_flags_are_stored_as_integers_and_read_as_bools(library, write_file):
    (article_id,) = library.import_files([write_file("a.md", "# A\n\nWords.")]).added
    library.articles.set_read(article_id, True)
    library.articles.set_archived(article_id, False)
    type_of = "pg_typeof({})::text" if library.on_postgres else "typeof({})"
    rows = library.storage.rows(f"SELECT {type_of.format('read')}, read,"
                                f" {type_of.format('archived')}, archived"
                                " FROM article WHERE id = ?", (article_id,))
    kind = "bigint" if library.on_postgres else "integer"
    assert rows == [(kind, 1, kind, 0)]
    record = library.articles.get(article_id)
    assert record.read is True and record.archived is False
    row = library.storage.models.Article.get_by_id(article_id)
    assert row.read is True and row.archived is False
