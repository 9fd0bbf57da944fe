"""The peewee models of a library, bound to that library's own database object.

Each open library gets its own set of model classes (`Models(database)`): a model class
holds the database it queries, so classes shared by every library would make the
database a process-wide global, one library per process and a second engine a rewrite.
Defining the classes takes well under a millisecond.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from peewee import (
    FloatField,
    CompositeKey,
    Database,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from peewee import PostgresqlDatabase, fn
from playhouse.sqlite_ext import FTS5Model, RowIDField, SearchField

# What the article list shows of each article, in ArticleSummary's order. The index
# article_list_row (schema 5) covers exactly these, so a page of rows never reads the
# table itself, whose rows carry the bodies.
SUMMARY_FIELDS = ("id", "title", "author", "publication", "published", "read", "archived",
                  "added_at", "progress")


class FlagField(IntegerField):
    """A yes/no column stored as 0 or 1 on every engine: the schema's columns are
    integers (SQLite has no boolean type), which PostgreSQL will not fill from the
    true/false a BooleanField sends. Read back as a bool."""

    def db_value(self, value: object) -> int | None:
        return None if value is None else int(bool(value))

    def python_value(self, value: object) -> bool | None:
        return None if value is None else bool(value)


class CaselessTextField(TextField):
    """A text column compared ignoring case: SQLite's COLLATE NOCASE declares it; on
    PostgreSQL, where the schema has a unique index on lower(column) instead, an equality
    with it compares lower() of both sides (the same for the ASCII letters NOCASE folds)."""

    def __eq__(self, other: object) -> Any:
        if _on_postgres(self.model._meta.database):
            return fn.lower(self) == fn.lower(other)
        return super().__eq__(other)

    __hash__ = TextField.__hash__

    def caseless(self) -> Any:
        """The column to ORDER BY ignoring case, as SQLite sorts its NOCASE column."""
        return fn.lower(self) if _on_postgres(self.model._meta.database) else self


def _on_postgres(database: Database) -> bool:
    return isinstance(database, PostgresqlDatabase)


def utc_now() -> str:
    """The current time as an ISO-8601 UTC string, the form timestamps are stored in."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Models:
    """The model classes of one library: `models.Article`, `models.Highlight`, …"""

    def __init__(self, bound: Database) -> None:
        class BaseModel(Model):
            class Meta:
                database = bound
                legacy_table_names = False

        class Article(BaseModel):
            title = TextField()
            author = TextField(default="")
            publication = TextField(default="")
            published = TextField(null=True)  # ISO date, YYYY-MM-DD
            url = TextField(null=True)
            source_name = TextField(default="")  # the file it was imported from
            source_format = TextField()  # "markdown" | "text"
            source_text = TextField()  # exactly what was imported
            text = TextField()  # the canonical text the reading pane shows
            content_hash = TextField(index=True)
            added_at = TextField(default=utc_now)
            read = FlagField(default=False)
            archived = FlagField(default=False)
            reading_position = IntegerField(default=0)  # code-point offset into `text`
            note = TextField(default="")  # the article note, Markdown
            progress = IntegerField(default=0)  # how far it has been read, in percent
            revised_at = TextField(null=True)  # when a newer version last replaced the text

        class Feed(BaseModel):
            url = TextField(unique=True)
            title = TextField(default="")
            site_url = TextField(null=True)
            etag = TextField(null=True)
            last_modified = TextField(null=True)
            added_at = TextField(default=utc_now)
            checked_at = TextField(null=True)
            succeeded_at = TextField(null=True)
            failures = IntegerField(default=0)
            next_check_at = TextField(null=True)
            error = TextField(default="")

        Article._meta.add_field(
            "feed", ForeignKeyField(Feed, null=True, on_delete="SET NULL", backref="articles"))

        class FeedEntry(BaseModel):
            feed = ForeignKeyField(Feed, on_delete="CASCADE", backref="entries")
            entry_key = TextField()
            article = ForeignKeyField(Article, null=True, on_delete="SET NULL")
            seen_at = TextField(default=utc_now)

            class Meta:
                primary_key = CompositeKey("feed", "entry_key")

        class Revision(BaseModel):
            """An earlier version of an article, kept when its page changed."""

            article = ForeignKeyField(Article, on_delete="CASCADE", backref="revisions")
            title = TextField()
            source_format = TextField()
            source_text = TextField()
            text = TextField()
            content_hash = TextField()
            saved_at = TextField()  # when this version was saved
            replaced_at = TextField(default=utc_now)  # when a newer one replaced it

        class Tag(BaseModel):
            name = CaselessTextField(unique=True, collation="NOCASE")

        class ArticleTag(BaseModel):
            article = ForeignKeyField(Article, on_delete="CASCADE", backref="article_tags")
            tag = ForeignKeyField(Tag, on_delete="CASCADE", backref="article_tags")

            class Meta:
                primary_key = CompositeKey("article", "tag")

        class Highlight(BaseModel):
            """A passage of an article, anchored by code-point offsets plus its quote and
            context (the W3C TextPositionSelector and TextQuoteSelector)."""

            article = ForeignKeyField(Article, on_delete="CASCADE", backref="highlights")
            start = IntegerField()
            end = IntegerField()
            exact = TextField()
            prefix = TextField(default="")
            suffix = TextField(default="")
            colour = TextField(default="yellow")
            note = TextField(default="")  # Markdown
            orphaned = FlagField(default=False)  # could not be placed in the current text
            created_at = TextField(default=utc_now)
            updated_at = TextField(default=utc_now)
            # Set when a revision changed or removed the passage: which, and the words before.
            changed_in = ForeignKeyField(Revision, null=True, on_delete="SET NULL",
                                         column_name="changed_in")
            previous_exact = TextField(default="")
            # Who last wrote the note: '' in a personal library, a reader in a team one.
            note_by = TextField(default="")

        class NoteHistory(BaseModel):
            """A version of a highlight's note that a later save replaced (schema 13)."""

            highlight = ForeignKeyField(Highlight, on_delete="CASCADE", backref="note_history")
            note = TextField()
            written_by = TextField(default="")
            written_at = TextField()
            replaced_by = TextField(default="")
            replaced_at = TextField(default=utc_now)

        class HighlightTag(BaseModel):
            highlight = ForeignKeyField(Highlight, on_delete="CASCADE", backref="highlight_tags")
            tag = ForeignKeyField(Tag, on_delete="CASCADE", backref="highlight_tags")

            class Meta:
                primary_key = CompositeKey("highlight", "tag")

        class ReviewCard(BaseModel):
            """A highlight in the daily review: what kind of card it is and the FSRS
            scheduler's state (state None: new, never graded). `highlight_id` is no foreign
            key: a highlight brought back by undo finds its card again."""

            highlight_id = IntegerField(unique=True)
            kind = TextField(default="highlight")  # "highlight" | "cloze" | "question"
            cloze = TextField(default="")  # JSON: the hidden words, [[start, end, text], …]
            question = TextField(default="")
            state = IntegerField(null=True)  # fsrs.State: 1 learning, 2 review, 3 relearning
            step = IntegerField(null=True)
            stability = FloatField(null=True)
            difficulty = FloatField(null=True)
            due = TextField(null=True)  # UTC, ISO 8601 to the second
            last_review = TextField(null=True)
            retired = FlagField(default=False)  # "never show again"
            created_at = TextField(default=utc_now)

        class ReviewLog(BaseModel):
            """One grade given: the card's scheduler state before (None: new) and after,
            as the fsrs library's card JSON."""

            card = ForeignKeyField(ReviewCard, on_delete="CASCADE", backref="reviews")
            highlight_id = IntegerField()
            rating = IntegerField()  # fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
            reviewed_at = TextField()
            day = TextField()  # the review day it counts for (local, YYYY-MM-DD)
            previous_state = IntegerField(null=True)
            card_before = TextField(null=True)
            card_after = TextField()
            duration_ms = IntegerField(null=True)

        class Meta(BaseModel):
            """Small facts about the library itself (e.g. whether it was seeded)."""

            key = TextField(primary_key=True)
            value = TextField()

            @classmethod
            def get_value(cls, key: str, default: str | None = None) -> str | None:
                row = cls.get_or_none(cls.key == key)
                return row.value if row else default

            @classmethod
            def set_value(cls, key: str, value: str) -> None:
                if _on_postgres(cls._meta.database):  # PostgreSQL has no REPLACE
                    cls.insert(key=key, value=value).on_conflict(
                        conflict_target=[cls.key], update={cls.value: value}).execute()
                else:
                    cls.insert(key=key, value=value).on_conflict_replace().execute()

        class SavedView(BaseModel):
            """A named query of the sidebar (reader.views)."""

            name = CaselessTextField(unique=True, collation="NOCASE")
            query = TextField()
            key = TextField(null=True)  # a key sequence, Qt's portable spelling
            position = IntegerField()

        class ArticleChange(BaseModel):
            """A random stamp per article, set anew by triggers (schema 12) on every
            change to what the article's export shows (reader.export.changes)."""

            article_id = IntegerField(primary_key=True)
            stamp = IntegerField()

        class ArticleIndex(FTS5Model):
            """Full-text index of articles (title, author, canonical text); kept by triggers."""

            rowid = RowIDField()
            title = SearchField()
            author = SearchField()
            text = SearchField()

            class Meta:
                database = bound
                table_name = "article_fts"

        class HighlightIndex(FTS5Model):
            """Full-text index of highlights (quoted text and note); kept by triggers."""

            rowid = RowIDField()
            exact = SearchField()
            note = SearchField()

            class Meta:
                database = bound
                table_name = "highlight_fts"

        self.Article = Article
        self.Feed = Feed
        self.FeedEntry = FeedEntry
        self.Revision = Revision
        self.Tag = Tag
        self.ArticleTag = ArticleTag
        self.Highlight = Highlight
        self.HighlightTag = HighlightTag
        self.NoteHistory = NoteHistory
        self.Meta = Meta
        self.SavedView = SavedView
        self.ReviewCard = ReviewCard
        self.ReviewLog = ReviewLog
        self.ArticleChange = ArticleChange
        self.ArticleIndex = ArticleIndex
        self.HighlightIndex = HighlightIndex
        # The tables (not the full-text indexes), in the order they can be created.
        self.tables = (Article, Feed, FeedEntry, Revision, Tag, ArticleTag, Highlight,
                       HighlightTag, NoteHistory, Meta, SavedView, ReviewCard, ReviewLog,
                       ArticleChange)
