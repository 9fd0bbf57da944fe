"""Articles: listing, reading, adding, tagging, notes, deleting and reading state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from reader.annotations.highlights import HighlightManager
from reader.annotations.tags import TagManager
from reader.annotations.undo import State, UndoStack
from reader import reads
from reader.document.model import Document
from reader.document.render_cache import rendered_documents
from reader.records import ArticleRecord, ArticleSummary, Changes, RevisionRecord
from reader.query.syntax import is_query
from reader.search.fulltext import SearchManager
from reader.storage.database import LibraryError, Storage, utc_now

if TYPE_CHECKING:
    from reader.importing.sources import ParsedArticle

# reader.importing.sources (the Markdown parser) and reader.revisions (difflib) are
# imported where they are used: `marginalia list` and `search` need neither.

SORT_ORDERS = reads.SORT_ORDERS  # the list's orders (its statements are reader.reads')


class ArticleManager:
    """Articles: listing, reading, adding, tagging, notes, deleting and reading state."""

    def __init__(self, store: Storage, tags: TagManager, highlights: HighlightManager,
                 search: SearchManager, undo: UndoStack, query: Any = None) -> None:
        self._store = store
        self._query = query
        self._m = store.models
        self._tags = tags
        self._highlights = highlights
        self._search = search
        self._undo = undo

    def count(self) -> int:
        return self._m.Article.select().count()

    def ids(self, order: str = "added", tag: str | None = None, search: str = "",
            archived: bool | None = False, unread_only: bool = False, ranked: bool = True,
            limit: int | None = None, feed: int | None = None) -> list[int]:
        """Article ids in list order (ids only: cheap even for 100,000 articles).

        The articles in the reading list, or with `archived` those in the archive, or with
        `archived=None` both (a saved view's, unless its query says itself). With
        `tag`, only articles carrying it or a tag nested below it, on the article or on
        one of its highlights. With `search`, only articles matching it, best match first
        (or, with `ranked=False`, in the index's own order: the first `limit` matches of a
        word found in most articles come at once, while ranking them all takes longer).
        `limit` keeps the first ids of the list only. With `feed`, only the articles that
        feed brought in.
        """
        m = self._m
        on_postgres = getattr(self._store, "engine", "sqlite") == "postgresql"
        if search.strip() and self._query is not None and (
                archived is None or on_postgres or is_query(search)):
            # Fields, OR, exclusions, parentheses: the query language, in one statement
            # (which also lists the reading list and the archive together). On
            # PostgreSQL plain words too, searched as the search box's words.
            return self._query.articles(
                search, archived=archived, order=order, ranked=ranked, limit=limit, tag=tag,
                feed=feed, unread_only=unread_only,
                words_only=on_postgres and not is_query(search)).ids
        in_view = (m.Article.archived == archived) if archived is not None else (
            m.Article.archived.in_([False, True]))
        if unread_only:
            in_view &= (m.Article.read == False)  # noqa: E712
        if search.strip():
            matches = self._search._article_ids_query(search, ranked=ranked)
            if matches is None:
                return []
            # The full-text index drives the query; the view's filter is a set it checks
            # against. A join instead lets SQLite scan the articles and query the index
            # once for each: seconds for a prefix such as "b" at 100,000 articles.
            rowid = m.ArticleIndex.rowid
            if archived:
                matches = matches.where(rowid.in_(m.Article.select(m.Article.id).where(in_view)))
            else:
                hidden = m.Article.archived == True  # noqa: E712 - usually few articles
                if unread_only:
                    hidden |= m.Article.read == True  # noqa: E712
                matches = matches.where(rowid.not_in(m.Article.select(m.Article.id).where(hidden)))
            if tag:
                matches = matches.where(rowid.in_(self._tags._article_ids_query(tag)))
            if feed is not None:
                matches = matches.where(rowid.in_(self._feed_ids_query(feed)))
            if limit is not None:
                matches = matches.limit(limit)
            return [row[0] for row in self._search.rows(search, matches)]
        return reads.list_ids(self._store.rows, order, archived,
                              self._tags.ids_under(tag) if tag else None, unread_only, feed,
                              limit)

    def _feed_ids_query(self, feed: int) -> Any:
        # A set of ids from the index on feed_id, which the list's covering index is
        # checked against: `feed_id = ?` in the main query would read each article's row
        # (and so its body) to find its feed.
        m = self._m
        return m.Article.select(m.Article.id).where(m.Article.feed == feed)

    def summaries(self, ids: Sequence[int]) -> list[ArticleSummary]:
        """The list rows for these ids, in the same order (missing ids are skipped)."""
        return [ArticleSummary(row[0], row[1], row[2], row[3], row[4], bool(row[5]),
                               bool(row[6]), row[7], row[8])
                for row in reads.summaries(self._store.rows, ids)]

    def exists(self, article_id: int) -> bool:
        return bool(self._store.rows("SELECT 1 FROM article WHERE id = ?", (article_id,)))

    def get(self, article_id: int) -> ArticleRecord:
        found = self.records([article_id])
        if not found:
            raise LibraryError(f"There is no article with id {article_id}.")
        return found[0]

    def records(self, article_ids: Sequence[int]) -> list[ArticleRecord]:
        """The records of these articles (missing ids skipped), in a few queries however
        many there are: everything but the bodies, which can be tens of kilobytes each."""
        return reads.article_records(self._store.rows, article_ids)

    def addresses_and_tags(self, article_ids: Sequence[int]
                           ) -> tuple[dict[int, str | None], dict[int, tuple[str, ...]]]:
        """Each article's address and tags, for listings that have its summary already
        (see reader.reads.addresses_and_tags)."""
        return reads.addresses_and_tags(self._store.rows, article_ids)

    def tag_names(self, article_id: int) -> tuple[str, ...]:
        m = self._m
        query = (m.Tag.select(m.Tag.name).join(m.ArticleTag)
                 .where(m.ArticleTag.article == article_id).order_by(m.Tag.name.caseless()))
        return tuple(t.name for t in query)

    def document(self, article_id: int) -> Document:
        """The article as the reading pane shows it; its `text` is the canonical text.

        If rendering now gives a different text than was stored (the renderer changed),
        the stored text is updated and the highlights are re-anchored in it.
        """
        # Plain SQL, only what rendering needs: peewee's query and row took 0.5 ms of
        # opening an article.
        found = reads.article_values(self._store.rows, article_id, *reads.DOCUMENT_COLUMNS)
        if found is None:
            raise LibraryError(f"There is no article with id {article_id}.")
        *inputs, text = found
        # Parsing and rendering a long article takes ~10 ms; opening it again reuses the
        # document while everything it was rendered from is unchanged.
        document = rendered_documents.get(article_id, tuple(inputs),
                                          lambda: reads.render(*inputs))
        if document.text != text and self._store.read_only is None and not self._store.damaged:
            with self._store.write():
                self._update(article_id, text=document.text)
                self._highlights.reanchor(article_id, document.text)
        return document

    def replace_source(self, article_id: int, parsed: ParsedArticle) -> list[int]:
        """Store a newer version of an article, re-anchoring its highlights in one transaction.

        When the canonical text changed, the version replaced is kept as a revision (see
        reader.revisions), `revised_at` is set, and each highlight whose passage changed
        or went is marked with that revision and its old words; a version with the same
        text (new metadata only) replaces the fields and keeps no revision.
        Returns the ids of highlights that could not be placed (kept, as orphaned).
        """
        self._check(article_id)
        with self._store.write():
            old = self._row(article_id, "title", "source_format", "source_text", "text",
                            "content_hash", "added_at", "revised_at")
            fields: dict[str, Any] = dict(
                title=parsed.title, author=parsed.author, published=parsed.published,
                publication=parsed.publication, url=parsed.url,
                source_name=parsed.source_name, source_format=parsed.source_format,
                source_text=parsed.source_text, text=parsed.text, content_hash=parsed.content_hash,
            )
            revision_id = None
            if old.text != parsed.text:
                now = utc_now()
                revision_id = _revisions().keep(self._store, article_id, old, now)
                fields["revised_at"] = now
            self._update(article_id, **fields)
            return self._highlights.reanchor(article_id, parsed.text, revision_id)

    # --- revisions: earlier versions kept when a newer one replaced the text ---------------
    def revisions(self, article_id: int) -> list[RevisionRecord]:
        """The article's earlier versions, newest first (none for an unknown article)."""
        return _revisions().records(self._store, article_id)

    def revision_text(self, revision_id: int) -> str:
        """The canonical text of an earlier version; LibraryError if there is none."""
        return _revisions().text(self._store, revision_id)

    def revised_at(self, article_id: int) -> str | None:
        """When a newer version last replaced the article's text (None: never)."""
        return self._value(article_id, "revised_at")

    def diff(self, article_id: int, revision_id: int,
             newer: int | None = None) -> list[tuple[str, str]]:
        """The changes from an earlier version to the current text (or to the `newer`
        revision, e.g. the one after it: what that replacement changed), word by word:
        (op, text) pairs with op "same", "added" or "removed" (see
        reader.revisions.word_diff). LibraryError for a revision of another article."""
        old = _revisions().text(self._store, revision_id, article_id)
        new = (self.text(article_id) if newer is None
               else _revisions().text(self._store, newer, article_id))
        return _revisions().word_diff(old, new)

    def set_note(self, article_id: int, note: str) -> Changes:
        """Set the article note (Markdown); undoable."""
        note = note.rstrip()

        def write(value: str) -> Changes:
            self._update(article_id, note=value)
            return Changes(articles=frozenset({article_id}))

        with self._store.write():
            before = self._row(article_id, "note").note
            changes = write(note)
            self._undo.push("Edit article note", lambda: write(before), lambda: write(note),
                            self._state(article_id, note=True))
        return changes

    def set_tags(self, article_id: int, names: Iterable[str]) -> Changes:
        """Replace the article's own tags; undoable."""
        names = list(names)
        with self._store.write():
            before = self.tag_names(article_id)
            changes = self._apply_tags(article_id, names)
            self._undo.push("Tag article", lambda: self._apply_tags(article_id, before),
                            lambda: self._apply_tags(article_id, names),
                            self._state(article_id, tags=True))
        return changes

    def _apply_tags(self, article_id: int, names: Iterable[str]) -> Changes:
        self._check(article_id)
        with self._store.write():
            links = self._m.ArticleTag
            links.delete().where(links.article == article_id).execute()
            for tag in self._tags.ensure(names):
                links.insert(article=article_id, tag=tag).on_conflict_ignore().execute()
            self._tags.prune()
        return Changes(articles=frozenset({article_id}), tags=True)

    def delete(self, article_id: int) -> Changes:
        """Delete an article with its highlights, notes and tags; undoable."""
        with self._store.write():
            snapshot = self._snapshot(article_id)
            changes = self._remove(article_id)
            # Put back, it must not meet another reader's article; deleted again (redo),
            # it must not take another reader's note, tags or highlights with it.
            self._undo.push("Delete article", lambda: self._restore(snapshot),
                            lambda: self._remove(article_id),
                            self._state(article_id, note=True, tags=True, highlights=True))
        return changes

    def _state(self, article_id: int, *, note: bool = False, tags: bool = False,
               highlights: bool = False) -> State:
        """What undo compares before it reverts an action on the article (see
        reader.annotations.undo): None when it no longer exists, else its note, its
        tags (without case) and its highlights' ids, those asked for."""

        def state() -> Any:
            # Locked on PostgreSQL until undo has written (see HighlightManager._column_values).
            found = self._store.rows("SELECT note FROM article WHERE id = ?"
                                     + self._store.row_lock, (article_id,))
            if not found:
                return None
            return (found[0][0] if note else None,
                    tuple(n.casefold() for n in self.tag_names(article_id)) if tags else None,
                    tuple(sorted(h.id for h in self._highlights.for_article(article_id)))
                    if highlights else None)

        return state

    def _remove(self, article_id: int) -> Changes:
        with self._store.write():
            self._m.Article.delete_by_id(article_id)  # cascades
            self._tags.prune()
        return Changes(article_list=True, tags=True, highlights=frozenset({article_id}))

    def _snapshot(self, article_id: int) -> dict[str, Any]:
        row = self._row(article_id)
        return {
            "article": {f: getattr(row, f) for f in self._m.Article._meta.fields},
            "tags": self.tag_names(article_id),
            "revisions": _revisions().snapshot(self._store, article_id),
            "highlights": [self._highlights.snapshot(h.id)
                           for h in self._highlights.for_article(article_id)],
        }

    def _restore(self, snapshot: dict[str, Any]) -> Changes:
        article_id = snapshot["article"]["id"]
        with self._store.write():
            self._m.Article.insert(**snapshot["article"]).execute()
            for tag in self._tags.ensure(snapshot["tags"]):
                self._m.ArticleTag.insert(article=article_id, tag=tag).execute()
            # Before the highlights, which name the revision their passage changed in.
            _revisions().restore(self._store, snapshot.get("revisions", []))
            for highlight in snapshot["highlights"]:
                self._highlights.restore(highlight)
        return Changes(article_list=True, tags=True, highlights=frozenset({article_id}))

    def source(self, article_id: int) -> str:
        """Exactly what was imported (for web pages: the sanitised article)."""
        return self._value(article_id, "source_text")

    def text(self, article_id: int) -> str:
        """The canonical text stored for the article."""
        return self._value(article_id, "text")

    def _value(self, article_id: int, column: str) -> Any:
        found = reads.article_values(self._store.rows, article_id, column)
        if found is None:
            raise LibraryError(f"There is no article with id {article_id}.")
        return found[0]

    def find_by_hash(self, content_hash: str) -> int | None:
        found = self._store.rows("SELECT id FROM article WHERE content_hash = ? LIMIT 1",
                                 (content_hash,))
        return found[0][0] if found else None

    def add_many(self, articles: Iterable[ParsedArticle], batch: int = 500) -> list[int]:
        """Store many parsed articles quickly (one transaction per batch); for bulk loads."""
        ids: list[int] = []
        pending: list[ParsedArticle] = []

        def flush() -> None:
            with self._store.write():
                for parsed in pending:
                    ids.append(self._m.Article.insert(
                        title=parsed.title, author=parsed.author, published=parsed.published,
                        publication=parsed.publication, url=parsed.url,
                        source_name=parsed.source_name, source_format=parsed.source_format,
                        source_text=parsed.source_text, text=parsed.text,
                        content_hash=parsed.content_hash, added_at=utc_now(),
                    ).execute())
                    for tag in self._tags.ensure(parsed.tags):
                        self._m.ArticleTag.insert(
                            article=ids[-1], tag=tag).on_conflict_ignore().execute()
            pending.clear()

        for parsed in articles:
            pending.append(parsed)
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        return ids

    def find_by_url(self, url: str) -> int | None:
        found = self._store.rows("SELECT id FROM article WHERE url = ? LIMIT 1", (url,))
        return found[0][0] if found else None

    def add(self, parsed: ParsedArticle) -> int:
        """Store a parsed article (with the tags its file carried), in one transaction."""
        with self._store.write():
            article = self._m.Article.create(
                title=parsed.title, author=parsed.author, published=parsed.published,
                publication=parsed.publication, url=parsed.url,
                source_name=parsed.source_name, source_format=parsed.source_format,
                source_text=parsed.source_text, text=parsed.text,
                content_hash=parsed.content_hash,
            )
            for tag in self._tags.ensure(parsed.tags):
                self._m.ArticleTag.insert(
                    article=article.id, tag=tag).on_conflict_ignore().execute()
        return article.id

    def set_position(self, article_id: int, position: int, progress: int) -> Changes:
        """Remember where the reader is (a code-point offset) and how far, in percent.

        Reading to the end marks the article read. Not an undoable action; nothing is
        kept in a library opened read-only.
        """
        if self._store.read_only is not None:
            return Changes()
        row = self._row(article_id, "reading_position", "progress", "read")
        progress = max(0, min(100, progress))
        fields: dict[str, object] = {"reading_position": max(0, position), "progress": progress}
        if progress >= 100:
            fields["read"] = True
        if all(getattr(row, name) == value for name, value in fields.items()):
            return Changes()
        with self._store.write():
            self._update(article_id, **fields)
        return Changes(articles=frozenset({article_id}))

    def set_archived(self, article_id: int, archived: bool) -> Changes:
        """Move an article into the archive (out of the reading list) or back."""
        self._check(article_id)
        with self._store.write():
            self._update(article_id, archived=archived)
        return Changes(articles=frozenset({article_id}), article_list=True)

    def set_read(self, article_id: int, read: bool) -> Changes:
        self._check(article_id)
        with self._store.write():
            self._update(article_id, read=read)
        return Changes(articles=frozenset({article_id}))

    def _row(self, article_id: int, *fields: str) -> Any:
        """The article's row (only `fields` when given; the whole row carries the bodies)."""
        columns = [getattr(self._m.Article, name) for name in fields]
        row = (self._m.Article.select(*columns).where(self._m.Article.id == article_id).first())
        if row is None:
            raise LibraryError(f"There is no article with id {article_id}.")
        return row

    def _check(self, article_id: int) -> None:
        if not self.exists(article_id):
            raise LibraryError(f"There is no article with id {article_id}.")

    def _update(self, article_id: int, **fields: Any) -> None:
        self._m.Article.update(**fields).where(self._m.Article.id == article_id).execute()


def _revisions():
    """reader.revisions, imported on first use."""
    from reader import revisions

    return revisions
