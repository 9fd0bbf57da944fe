"""The `Library` facade: the one way into a library file for the window and the command line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from reader import db
from reader.db import Article, LibraryError, Meta
from reader.document import Document
from reader.records import (
    ArticleRecord,
    ArticleSummary,
    Changes,
    ImportProblem,
    ImportReport,
)
from reader.sources import ParsedArticle, SourceError, read_article, render, split_body, supported

__all__ = ["Library", "LibraryError"]

SORT_ORDERS = {
    "added": (Article.added_at.desc(), Article.id.desc()),
    "published": (Article.published.desc(nulls="LAST"), Article.id.desc()),
    "title": (Article.title.collate("NOCASE"), Article.id),
}


class Library:
    """An open library file. Create with `Library.open(path)`; close when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.articles = ArticleManager()

    @classmethod
    def open(cls, path: Path | str) -> Library:
        """Open (creating or upgrading) the library at path; raises LibraryError."""
        path = Path(path).expanduser()
        db.open_database(path)
        return cls(path)

    def close(self) -> None:
        db.close_database()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def import_files(self, paths: Iterable[Path]) -> ImportReport:
        """Import article files (folders are searched); each file is stored whole or not at all."""
        added: list[int] = []
        unchanged: list[int] = []
        problems: list[ImportProblem] = []
        for path in _expand(paths):
            try:
                parsed = read_article(path)
            except SourceError as exc:
                problems.append(ImportProblem(str(path), str(exc)))
                continue
            existing = self.articles.find_by_hash(parsed.content_hash)
            if existing is not None:
                unchanged.append(existing)
            else:
                added.append(self.articles.add(parsed))
        return ImportReport(tuple(added), tuple(unchanged), tuple(problems))

    def seed_if_new(self, seeds: Path) -> ImportReport | None:
        """Import the sample articles into a library that has never been seeded and is empty."""
        if Meta.get_value("seeded") is not None:
            return None
        report = None
        if self.articles.count() == 0 and seeds.is_dir():
            report = self.import_files(sorted(p for p in seeds.iterdir() if p.is_file()))
        Meta.set_value("seeded", db.utc_now())
        return report


class ArticleManager:
    """Articles: listing, reading, adding and their reading state."""

    def count(self) -> int:
        return Article.select().count()

    def ids(self, order: str = "added") -> list[int]:
        """Every article id in list order (ids only: cheap even for 100,000 articles)."""
        query = Article.select(Article.id).order_by(*SORT_ORDERS[order]).tuples()
        return [row[0] for row in query]

    def summaries(self, ids: Sequence[int]) -> list[ArticleSummary]:
        """The list rows for these ids, in the same order (missing ids are skipped)."""
        rows = {}
        for start in range(0, len(ids), 500):  # stay under SQLite's variable limit
            chunk = ids[start:start + 500]
            for row in Article.listing().where(Article.id.in_(chunk)).namedtuples():
                rows[row.id] = ArticleSummary(
                    row.id, row.title, row.author, row.publication, row.published,
                    bool(row.read), bool(row.archived), row.added_at,
                )
        return [rows[i] for i in ids if i in rows]

    def get(self, article_id: int) -> ArticleRecord:
        row = self._row(article_id)
        tags = tuple(t.tag.name for t in row.article_tags)
        return ArticleRecord(
            row.id, row.title, row.author, row.publication, row.published, row.url,
            row.source_name, row.source_format, row.added_at, row.read, row.archived,
            row.reading_position, row.content_hash, tags,
        )

    def document(self, article_id: int) -> Document:
        """The article as the reading pane shows it; its `text` is the canonical text."""
        row = self._row(article_id)
        _head, body = split_body(row.source_text, row.source_format)
        return render(row.title, row.author, row.publication, row.published, body)

    def text(self, article_id: int) -> str:
        """The canonical text stored for the article."""
        return self._row(article_id).text

    def find_by_hash(self, content_hash: str) -> int | None:
        row = Article.select(Article.id).where(Article.content_hash == content_hash).first()
        return row.id if row else None

    def add(self, parsed: ParsedArticle) -> int:
        with db.database.atomic():
            article = Article.create(
                title=parsed.title, author=parsed.author, published=parsed.published,
                source_name=parsed.source_name, source_format=parsed.source_format,
                source_text=parsed.source_text, text=parsed.text,
                content_hash=parsed.content_hash,
            )
        return article.id

    def set_read(self, article_id: int, read: bool) -> Changes:
        self._row(article_id)
        with db.database.atomic():
            Article.update(read=read).where(Article.id == article_id).execute()
        return Changes(articles=frozenset({article_id}))

    def _row(self, article_id: int) -> Article:
        row = Article.get_or_none(Article.id == article_id)
        if row is None:
            raise LibraryError(f"There is no article with id {article_id}.")
        return row


def _expand(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and supported(p)))
        else:
            found.append(path)
    return found
