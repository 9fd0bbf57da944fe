"""Opening an article again reuses its rendered document until what it came from changes."""

from __future__ import annotations

import pytest

import reader.reads
from reader.document.model import PARAGRAPH, Block, Document, Span
from reader.document.render_cache import RenderCache, rendered_documents


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library

ARTICLE = "# A title\n\nBy Ana Lopez\n\nFirst paragraph with a *word*.\n\nSecond paragraph.\n"


@pytest.fixture
def renders(monkeypatch):
    """Counts the library's renders (the Markdown parse and the document it makes)."""
    rendered_documents._entries.clear()
    calls: list[str] = []
    original = reader.reads.render

    def counting(*args, **kwargs):
        calls.append(args[2])  # the title
        return original(*args, **kwargs)

    monkeypatch.setattr(reader.reads, "render", counting)
    yield calls
    rendered_documents._entries.clear()


def _document(text: str) -> Document:
    return Document((Block(PARAGRAPH, (Span(text),)),))


def test_opening_an_article_again_does_not_render_it_again(library, write_file, renders):
    (article_id,) = library.import_files([write_file("a.md", ARTICLE)]).added
    first = library.articles.document(article_id)
    second = library.articles.document(article_id)
    assert second is first
    assert len(renders) == 1
    assert second.text == library.articles.text(article_id)


def test_a_changed_source_is_rendered_again(library, write_file, renders):
    (article_id,) = library.import_files([write_file("a.md", ARTICLE)]).added
    library.articles.document(article_id)
    Article = library.storage.models.Article  # noqa: N806 - a model class
    Article.update(source_text=ARTICLE.replace("Second", "Another")).where(
        Article.id == article_id).execute()
    document = library.articles.document(article_id)
    assert len(renders) == 2
    assert "Another paragraph." in document.text
    # The stored canonical text follows the new rendering, as without the cache.
    assert library.articles.text(article_id) == document.text


def test_a_changed_title_is_rendered_again(library, write_file, renders):
    (article_id,) = library.import_files([write_file("a.md", ARTICLE)]).added
    library.articles.document(article_id)
    Article = library.storage.models.Article  # noqa: N806 - a model class
    Article.update(title="Renamed").where(Article.id == article_id).execute()
    assert library.articles.document(article_id).blocks[0].text == "Renamed"
    assert len(renders) == 2


def test_a_newer_version_replacing_the_source_is_shown(library, write_file, renders):
    path = write_file("a.md", "---\nurl: https://example.org/a\n---\n" + ARTICLE)
    (article_id,) = library.import_files([path]).added
    library.articles.document(article_id)
    path.write_text("---\nurl: https://example.org/a\n---\n" + ARTICLE.replace("First", "Updated"),
                    encoding="utf-8")
    library.import_files([path])
    assert "Updated paragraph" in library.articles.document(article_id).text


def test_the_cache_keeps_only_the_most_recently_used_documents():
    cache = RenderCache(size=2)
    made: list[int] = []

    def render(n: int):
        return lambda: made.append(n) or _document(str(n))

    cache.get(1, "one", render(1))
    cache.get(2, "two", render(2))
    cache.get(1, "one", render(1))  # used again: now the most recent
    cache.get(3, "three", render(3))  # pushes out 2, the least recently used
    assert made == [1, 2, 3]
    assert len(cache) == 2
    cache.get(1, "one", render(1))
    cache.get(2, "two", render(2))
    assert made == [1, 2, 3, 2]


def test_an_entry_is_used_only_for_equal_inputs():
    cache = RenderCache()
    first = cache.get(1, ("source", "markdown"), lambda: _document("a"))
    assert cache.get(1, ("source", "markdown"), lambda: _document("b")) is first
    assert cache.get(1, ("source changed", "markdown"), lambda: _document("c")).text == "c"
    cache.discard(1)
    assert cache.get(1, ("source changed", "markdown"), lambda: _document("d")).text == "d"


def test_an_unknown_article_has_no_document(library):
    from reader.storage.database import LibraryError

    with pytest.raises(LibraryError, match="no article with id 999"):
        library.articles.document(999)
