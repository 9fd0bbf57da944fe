"""The `Library` facade: the one way into a library file for the window and the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from typing import Any

from peewee import OperationalError

from reader.storage import database as db
from reader.storage.backup import backup_before_migration
from reader.annotations.colours import ColourManager
from reader.storage.database import Article, ArticleIndex, ArticleTag, Highlight, LibraryError, Meta, Tag
from reader.document.model import Document
from reader.annotations.highlights import HighlightManager
from reader.search.fulltext import SearchManager
from reader.records import (
    ArticleRecord,
    ArticleSummary,
    Changes,
    ImportProblem,
    ImportReport,
)
from reader.document.render_cache import rendered_documents
from reader.importing.sources import ParsedArticle, SourceError, read_article, render, split_body, supported
from reader.annotations.tags import TagManager
from reader.annotations.undo import UndoStack

__all__ = ["Library", "LibraryError"]

SORT_ORDERS = {
    "added": (Article.added_at.desc(), Article.id.desc()),
    "published": (Article.published.desc(), Article.id.desc()),  # NULLs sort last in DESC
    "title": (Article.title.collate("NOCASE"), Article.id),
}


class Library:
    """An open library file. Create with `Library.open(path)`; close when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.undo_stack = UndoStack()
        self.tags = TagManager()
        self.colours = ColourManager()
        self.highlights = HighlightManager(self.tags, self.undo_stack)
        self.search = SearchManager()
        self.articles = ArticleManager(self.tags, self.highlights, self.search, self.undo_stack)

    @classmethod
    def open(cls, path: Path | str) -> Library:
        """Open (creating or upgrading) the library at path; raises LibraryError.

        Before an existing library's schema is upgraded, a copy is kept in `backups/`.
        """
        path = Path(path).expanduser()
        db.open_database(path, before_migration=backup_before_migration)
        return cls(path)

    @staticmethod
    def needs_upgrade(path: Path | str) -> bool:
        """Whether opening the library at path will upgrade its schema first (slow for a
        large library); False for a new file or one that cannot be read."""
        try:
            version = db.read_schema_version(Path(path).expanduser())
        except (LibraryError, OSError):
            return False  # `open` says what is wrong with it
        return 0 < version < db.SCHEMA_VERSION

    def release_thread(self) -> None:
        """Close the calling worker thread's connection to the library, if it opened one
        (workers call this when their job is done; safe after `close`)."""
        db.close_thread_connection()

    def undo(self) -> Changes | None:
        """Undo the last annotation action (None when there is none)."""
        return self.undo_stack.undo()

    def redo(self) -> Changes | None:
        return self.undo_stack.redo()

    def close(self) -> None:
        db.close_database()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def import_files(self, paths: Iterable[Path],
                     progress: Callable[[int, int], None] | None = None) -> ImportReport:
        """Import article files (folders are searched); each file is stored whole or not at all.

        `progress(done, total)` is called after each file.
        """
        added: list[int] = []
        unchanged: list[int] = []
        updated: list[int] = []
        orphaned: list[int] = []
        problems: list[ImportProblem] = []
        files = _expand(paths)
        for done, path in enumerate(files, start=1):
            if progress:
                progress(done, len(files))
            try:
                parsed = read_article(path)
            except SourceError as exc:
                problems.append(ImportProblem(str(path), str(exc)))
                continue
            existing = self.articles.find_by_hash(parsed.content_hash)
            same_url = self.articles.find_by_url(parsed.url) if parsed.url else None
            if existing is not None:
                unchanged.append(existing)
            elif same_url is not None:
                # A newer version of an article we have: update it in place.
                orphaned += self.articles.replace_source(same_url, parsed)
                updated.append(same_url)
            else:
                added.append(self.articles.add(parsed))
        return ImportReport(tuple(added), tuple(unchanged), tuple(problems), tuple(updated),
                            tuple(orphaned))

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
    """Articles: listing, reading, adding, tagging, notes, deleting and reading state."""

    def __init__(self, tags: TagManager, highlights: HighlightManager, search: SearchManager,
                 undo: UndoStack) -> None:
        self._tags = tags
        self._highlights = highlights
        self._search = search
        self._undo = undo

    def count(self) -> int:
        return Article.select().count()

    def ids(self, order: str = "added", tag: str | None = None, search: str = "",
            archived: bool = False, unread_only: bool = False, ranked: bool = True,
            limit: int | None = None) -> list[int]:
        """Article ids in list order (ids only: cheap even for 100,000 articles).

        The articles in the reading list, or with `archived` those in the archive. With
        `tag`, only articles carrying it or a tag nested below it, on the article or on
        one of its highlights. With `search`, only articles matching it, best match first
        (or, with `ranked=False`, in the index's own order: the first `limit` matches of a
        word found in most articles come at once, while ranking them all takes longer).
        `limit` keeps the first ids of the list only.
        """
        in_view = (Article.archived == archived)
        if unread_only:
            in_view &= (Article.read == False)  # noqa: E712
        if search.strip():
            matches = self._search.article_ids_query(search, ranked=ranked)
            if matches is None:
                return []
            # The full-text index drives the query; the view's filter is a set it checks
            # against. A join instead lets SQLite scan the articles and query the index
            # once for each: seconds for a prefix such as "b" at 100,000 articles.
            if archived:
                matches = matches.where(ArticleIndex.rowid.in_(
                    Article.select(Article.id).where(in_view)))
            else:
                hidden = Article.archived == True  # noqa: E712 - usually few articles
                if unread_only:
                    hidden |= Article.read == True  # noqa: E712
                matches = matches.where(ArticleIndex.rowid.not_in(
                    Article.select(Article.id).where(hidden)))
            if tag:
                matches = matches.where(ArticleIndex.rowid.in_(self._tags.article_ids_query(tag)))
            if limit is not None:
                matches = matches.limit(limit)
            try:
                return [row[0] for row in db.database.execute(matches)]
            except OperationalError:
                return []  # web_query leaves nothing FTS5 rejects; this is the last guard
        query = Article.select(Article.id).where(in_view).order_by(*SORT_ORDERS[order])
        if tag:
            query = query.where(Article.id.in_(self._tags.article_ids_query(tag)))
        if limit is not None:
            query = query.limit(limit)
        # A plain cursor: at 100,000 ids, peewee's row wrapping would triple the time.
        return [row[0] for row in db.database.execute(query)]

    def summaries(self, ids: Sequence[int]) -> list[ArticleSummary]:
        """The list rows for these ids, in the same order (missing ids are skipped)."""
        rows = {}
        for start in range(0, len(ids), 500):  # stay under SQLite's variable limit
            chunk = ids[start:start + 500]
            # The covering index holds every field of a row: reading it instead of the
            # table (whose rows carry the bodies) takes a page of 200 rows at 100,000
            # articles from 30 ms to 4 ms. Plain SQL, as peewee cannot say INDEXED BY.
            cursor = db.database.execute_sql(
                f"SELECT {', '.join(db.SUMMARY_FIELDS)} FROM article INDEXED BY article_list_row "
                f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
            for row in cursor:
                rows[row[0]] = ArticleSummary(
                    row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]),
                    row[7], row[8])
        return [rows[i] for i in ids if i in rows]

    def exists(self, article_id: int) -> bool:
        return Article.select(Article.id).where(Article.id == article_id).exists()

    def get(self, article_id: int) -> ArticleRecord:
        found = self.records([article_id])
        if not found:
            raise LibraryError(f"There is no article with id {article_id}.")
        return found[0]

    def records(self, article_ids: Sequence[int]) -> list[ArticleRecord]:
        """The records of these articles (missing ids skipped), in a few queries however
        many there are: everything but the bodies, which can be tens of kilobytes each."""
        fields = [f for f in Article._meta.sorted_fields if f.name not in ("source_text", "text")]
        found: dict[int, ArticleRecord] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start:start + 500])
            tags: dict[int, list[str]] = {}
            for article_id, name in db.database.execute(
                    Tag.select(ArticleTag.article, Tag.name).join(ArticleTag)
                    .where(ArticleTag.article.in_(chunk)).order_by(Tag.name)):
                tags.setdefault(article_id, []).append(name)
            for row in Article.select(*fields).where(Article.id.in_(chunk)):
                found[row.id] = ArticleRecord(
                    row.id, row.title, row.author, row.publication, row.published, row.url,
                    row.source_name, row.source_format, row.added_at, row.read, row.archived,
                    row.reading_position, row.content_hash, tuple(tags.get(row.id, ())),
                    row.note, row.progress,
                )
        return [found[i] for i in article_ids if i in found]

    def tag_names(self, article_id: int) -> tuple[str, ...]:
        query = (Tag.select(Tag.name).join(ArticleTag)
                 .where(ArticleTag.article == article_id).order_by(Tag.name))
        return tuple(t.name for t in query)

    def document(self, article_id: int) -> Document:
        """The article as the reading pane shows it; its `text` is the canonical text.

        If rendering now gives a different text than was stored (the renderer changed),
        the stored text is updated and the highlights are re-anchored in it.
        """
        row = self._row(article_id)

        def render_row() -> Document:
            _head, body = split_body(row.source_text, row.source_format)
            return render(row.title, row.author, row.publication, row.published, body)

        # Parsing and rendering a long article takes ~10 ms; opening it again reuses the
        # document while everything it was rendered from is unchanged.
        inputs = (row.source_text, row.source_format, row.title, row.author, row.publication,
                  row.published)
        document = rendered_documents.get(article_id, inputs, render_row)
        if document.text != row.text:
            with db.database.atomic():
                Article.update(text=document.text).where(Article.id == article_id).execute()
                self._highlights.reanchor(article_id, document.text)
        return document

    def replace_source(self, article_id: int, parsed: ParsedArticle) -> list[int]:
        """Store a newer version of an article, re-anchoring its highlights in one transaction.

        Returns the ids of highlights that could not be placed (kept, as orphaned).
        """
        self._row(article_id)
        with db.database.atomic():
            Article.update(
                title=parsed.title, author=parsed.author, published=parsed.published,
                publication=parsed.publication, url=parsed.url,
                source_name=parsed.source_name, source_format=parsed.source_format,
                source_text=parsed.source_text, text=parsed.text, content_hash=parsed.content_hash,
            ).where(Article.id == article_id).execute()
            return self._highlights.reanchor(article_id, parsed.text)

    def set_note(self, article_id: int, note: str) -> Changes:
        """Set the article note (Markdown); undoable."""
        before = self._row(article_id).note
        note = note.rstrip()

        def write(value: str) -> Changes:
            Article.update(note=value).where(Article.id == article_id).execute()
            return Changes(articles=frozenset({article_id}))

        with db.database.atomic():
            changes = write(note)
        self._undo.push("Edit article note", lambda: write(before), lambda: write(note))
        return changes

    def set_tags(self, article_id: int, names: Iterable[str]) -> Changes:
        """Replace the article's own tags; undoable."""
        before = self.tag_names(article_id)
        names = list(names)
        changes = self._apply_tags(article_id, names)
        self._undo.push("Tag article", lambda: self._apply_tags(article_id, before),
                        lambda: self._apply_tags(article_id, names))
        return changes

    def _apply_tags(self, article_id: int, names: Iterable[str]) -> Changes:
        self._row(article_id)
        with db.database.atomic():
            ArticleTag.delete().where(ArticleTag.article == article_id).execute()
            for tag in self._tags.ensure(names):
                ArticleTag.insert(article=article_id, tag=tag).on_conflict_ignore().execute()
            self._tags.prune()
        return Changes(articles=frozenset({article_id}), tags=True)

    def delete(self, article_id: int) -> Changes:
        """Delete an article with its highlights, notes and tags; undoable."""
        snapshot = self._snapshot(article_id)
        changes = self._remove(article_id)
        self._undo.push("Delete article", lambda: self._restore(snapshot),
                        lambda: self._remove(article_id))
        return changes

    def _remove(self, article_id: int) -> Changes:
        with db.database.atomic():
            Article.delete().where(Article.id == article_id).execute()  # cascades
            self._tags.prune()
        return Changes(article_list=True, tags=True, highlights=frozenset({article_id}))

    def _snapshot(self, article_id: int) -> dict[str, Any]:
        row = self._row(article_id)
        return {
            "article": {f: getattr(row, f) for f in Article._meta.fields},
            "tags": self.tag_names(article_id),
            "highlights": [self._highlights.snapshot(h.id) for h in
                           Highlight.select(Highlight.id).where(Highlight.article == article_id)],
        }

    def _restore(self, snapshot: dict[str, Any]) -> Changes:
        article_id = snapshot["article"]["id"]
        with db.database.atomic():
            Article.insert(**snapshot["article"]).execute()
            for tag in self._tags.ensure(snapshot["tags"]):
                ArticleTag.insert(article=article_id, tag=tag).execute()
            for highlight in snapshot["highlights"]:
                self._highlights.restore(highlight)
        return Changes(article_list=True, tags=True, highlights=frozenset({article_id}))

    def source(self, article_id: int) -> str:
        """Exactly what was imported (for web pages: the sanitised article)."""
        return self._row(article_id).source_text

    def text(self, article_id: int) -> str:
        """The canonical text stored for the article."""
        return self._row(article_id).text

    def find_by_hash(self, content_hash: str) -> int | None:
        row = Article.select(Article.id).where(Article.content_hash == content_hash).first()
        return row.id if row else None

    def add_many(self, articles: Iterable[ParsedArticle], batch: int = 500) -> list[int]:
        """Store many parsed articles quickly (one transaction per batch); for bulk loads."""
        ids: list[int] = []
        pending: list[ParsedArticle] = []

        def flush() -> None:
            with db.database.atomic():
                for parsed in pending:
                    ids.append(Article.insert(
                        title=parsed.title, author=parsed.author, published=parsed.published,
                        publication=parsed.publication, url=parsed.url,
                        source_name=parsed.source_name, source_format=parsed.source_format,
                        source_text=parsed.source_text, text=parsed.text,
                        content_hash=parsed.content_hash, added_at=db.utc_now(),
                    ).execute())
                    for tag in self._tags.ensure(parsed.tags):
                        ArticleTag.insert(article=ids[-1], tag=tag).on_conflict_ignore().execute()
            pending.clear()

        for parsed in articles:
            pending.append(parsed)
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        return ids

    def find_by_url(self, url: str) -> int | None:
        row = Article.select(Article.id).where(Article.url == url).first()
        return row.id if row else None

    def add(self, parsed: ParsedArticle) -> int:
        """Store a parsed article (with the tags its file carried), in one transaction."""
        with db.database.atomic():
            article = Article.create(
                title=parsed.title, author=parsed.author, published=parsed.published,
                publication=parsed.publication, url=parsed.url,
                source_name=parsed.source_name, source_format=parsed.source_format,
                source_text=parsed.source_text, text=parsed.text,
                content_hash=parsed.content_hash,
            )
            for tag in self._tags.ensure(parsed.tags):
                ArticleTag.insert(article=article.id, tag=tag).on_conflict_ignore().execute()
        return article.id

    def set_position(self, article_id: int, position: int, progress: int) -> Changes:
        """Remember where the reader is (a code-point offset) and how far, in percent.

        Reading to the end marks the article read. Not an undoable action.
        """
        row = self._row(article_id)
        progress = max(0, min(100, progress))
        fields: dict[str, object] = {"reading_position": max(0, position), "progress": progress}
        if progress >= 100:
            fields["read"] = True
        if all(getattr(row, name) == value for name, value in fields.items()):
            return Changes()
        with db.database.atomic():
            Article.update(**fields).where(Article.id == article_id).execute()
        return Changes(articles=frozenset({article_id}))

    def set_archived(self, article_id: int, archived: bool) -> Changes:
        """Move an article into the archive (out of the reading list) or back."""
        self._row(article_id)
        with db.database.atomic():
            Article.update(archived=archived).where(Article.id == article_id).execute()
        return Changes(articles=frozenset({article_id}), article_list=True)

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
