"""Yes/no columns are stored as 0 and 1 (both engines' schema has integer columns)."""

from __future__ import annotations


def test_flags_are_stored_as_integers_and_read_as_bools(library, write_file):
    (article_id,) = library.import_files([write_file("a.md", "# A\n\nWords.")]).added
    library.articles.set_read(article_id, True)
    library.articles.set_archived(article_id, False)
    rows = library.storage.rows("SELECT typeof(read), read, typeof(archived), archived"
                                " FROM article WHERE id = ?", (article_id,))
    assert rows == [("integer", 1, "integer", 0)]
    record = library.articles.get(article_id)
    assert record.read is True and record.archived is False
    row = library.storage.models.Article.get_by_id(article_id)
    assert row.read is True and row.archived is False
