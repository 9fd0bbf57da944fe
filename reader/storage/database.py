"""The library database: peewee models, connection pragmas and schema migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from peewee import (
    BooleanField,
    CompositeKey,
    DatabaseError,
    ForeignKeyField,
    IntegerField,
    InterfaceError,
    Model,
    SqliteDatabase,
    TextField,
)
from playhouse.sqlite_ext import FTS5Model, RowIDField, SearchField

# Every connection gets these. WAL lets the reader and a background writer work at
# once; synchronous=FULL makes a committed save survive a crash or a power cut.
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 2,  # FULL
    "busy_timeout": 5000,
}

# Created without a path, as peewee's own examples do; `open_database` binds it to a file.
database = SqliteDatabase(None)


class LibraryError(Exception):
    """A library file that cannot be used, with a message meant for the user."""


def utc_now() -> str:
    """The current time as an ISO-8601 UTC string, the form timestamps are stored in."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


# What the article list shows of each article, in ArticleSummary's order. The index
# article_list_row (schema 5) covers exactly these, so a page of rows never reads the
# table itself, whose rows carry the bodies.
SUMMARY_FIELDS = ("id", "title", "author", "publication", "published", "read", "archived",
                  "added_at", "progress")


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
    read = BooleanField(default=False)
    archived = BooleanField(default=False)
    reading_position = IntegerField(default=0)  # code-point offset into `text`
    note = TextField(default="")  # the article note, Markdown
    progress = IntegerField(default=0)  # how far it has been read, in percent

    @classmethod
    def listing(cls):
        """The columns the article list needs, never the bodies."""
        return cls.select(*(getattr(cls, name) for name in SUMMARY_FIELDS))


class Tag(BaseModel):
    name = TextField(unique=True, collation="NOCASE")


class ArticleTag(BaseModel):
    article = ForeignKeyField(Article, on_delete="CASCADE", backref="article_tags")
    tag = ForeignKeyField(Tag, on_delete="CASCADE", backref="article_tags")

    class Meta:
        primary_key = CompositeKey("article", "tag")


class Highlight(BaseModel):
    """A passage of an article, anchored by code-point offsets plus its quote and context
    (the W3C Web Annotation TextPositionSelector and TextQuoteSelector)."""

    article = ForeignKeyField(Article, on_delete="CASCADE", backref="highlights")
    start = IntegerField()
    end = IntegerField()
    exact = TextField()
    prefix = TextField(default="")
    suffix = TextField(default="")
    colour = TextField(default="yellow")
    note = TextField(default="")  # Markdown
    orphaned = BooleanField(default=False)  # could not be placed in the current text
    created_at = TextField(default=utc_now)
    updated_at = TextField(default=utc_now)


class HighlightTag(BaseModel):
    highlight = ForeignKeyField(Highlight, on_delete="CASCADE", backref="highlight_tags")
    tag = ForeignKeyField(Tag, on_delete="CASCADE", backref="highlight_tags")

    class Meta:
        primary_key = CompositeKey("highlight", "tag")


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
        cls.insert(key=key, value=value).on_conflict_replace().execute()


class ArticleIndex(FTS5Model):
    """Full-text index of articles (title, author, canonical text); kept by triggers."""

    rowid = RowIDField()
    title = SearchField()
    author = SearchField()
    text = SearchField()

    class Meta:
        database = database
        table_name = "article_fts"


class HighlightIndex(FTS5Model):
    """Full-text index of highlights (quoted text and note); kept by triggers."""

    rowid = RowIDField()
    exact = SearchField()
    note = SearchField()

    class Meta:
        database = database
        table_name = "highlight_fts"


MODELS = [Article, Tag, ArticleTag, Highlight, HighlightTag, Meta]
INDEXES = [ArticleIndex, HighlightIndex]


# --- migrations -----------------------------------------------------------------
# Each step brings the schema from version N to N+1 and is written out in SQL, so
# that it keeps meaning what it meant when it was released, whatever the models
# become later. Never edit a released step: append a new one.
# Article and highlight ids are AUTOINCREMENT: they appear in exported files and
# marginalia:// links, so an id is never handed to a different item later.

def _v1_initial(db: SqliteDatabase) -> None:
    db.execute_sql(
        """CREATE TABLE article (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            publication TEXT NOT NULL DEFAULT '',
            published TEXT,
            url TEXT,
            source_name TEXT NOT NULL DEFAULT '',
            source_format TEXT NOT NULL,
            source_text TEXT NOT NULL,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            added_at TEXT NOT NULL,
            read INTEGER NOT NULL DEFAULT 0,
            archived INTEGER NOT NULL DEFAULT 0,
            reading_position INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute_sql("CREATE INDEX article_content_hash ON article (content_hash)")
    db.execute_sql("CREATE INDEX article_added_at ON article (added_at)")
    db.execute_sql("CREATE INDEX article_url ON article (url)")
    db.execute_sql(
        "CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY,"
        " name TEXT NOT NULL COLLATE NOCASE UNIQUE)"
    )
    db.execute_sql(
        """CREATE TABLE article_tag (
            article_id INTEGER NOT NULL REFERENCES article (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
            PRIMARY KEY (article_id, tag_id)
        )"""
    )
    db.execute_sql("CREATE INDEX article_tag_tag_id ON article_tag (tag_id)")
    db.execute_sql("CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)")


def _v2_annotations(db: SqliteDatabase) -> None:
    db.execute_sql("ALTER TABLE article ADD COLUMN note TEXT NOT NULL DEFAULT ''")
    db.execute_sql(
        """CREATE TABLE highlight (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES article (id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            exact TEXT NOT NULL,
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            colour TEXT NOT NULL DEFAULT 'yellow',
            note TEXT NOT NULL DEFAULT '',
            orphaned INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute_sql("CREATE INDEX highlight_article_id ON highlight (article_id, start)")
    db.execute_sql(
        """CREATE TABLE highlight_tag (
            highlight_id INTEGER NOT NULL REFERENCES highlight (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
            PRIMARY KEY (highlight_id, tag_id)
        )"""
    )
    db.execute_sql("CREATE INDEX highlight_tag_tag_id ON highlight_tag (tag_id)")


def _v3_full_text_search(db: SqliteDatabase) -> None:
    # External-content FTS5 indexes: the text lives once, in its own table; these
    # triggers keep the index in step with every insert, update and delete.
    for table, columns in (("article", ("title", "author", "text")),
                           ("highlight", ("exact", "note"))):
        names = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        fts = f"{table}_fts"
        db.execute_sql(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}',"
            " content_rowid='id', tokenize='porter unicode61')"
        )
        db.execute_sql(
            f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new}); END"
        )
        db.execute_sql(
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN"
            f" INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END"
        )
        db.execute_sql(
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {names} ON {table} BEGIN"
            f" INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
            f" INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new}); END"
        )
        db.execute_sql(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")


def _v4_reading_progress(db: SqliteDatabase) -> None:
    db.execute_sql("ALTER TABLE article ADD COLUMN progress INTEGER NOT NULL DEFAULT 0")


def _v5_list_indexes(db: SqliteDatabase) -> None:
    # An article row holds its whole text, so reading a row means reading its text.
    # These covering indexes answer the article list (its order, its filters and the
    # fields a row shows) from the index alone, never touching the bodies.
    db.execute_sql("DROP INDEX IF EXISTS article_added_at")
    db.execute_sql("CREATE INDEX article_list_added ON article (archived, added_at DESC, id DESC, read)")
    db.execute_sql("CREATE INDEX article_list_published ON article (archived, published DESC, id DESC, read)")
    db.execute_sql("CREATE INDEX article_list_title ON article (archived, title COLLATE NOCASE, id, read)")
    db.execute_sql(
        "CREATE INDEX article_list_row ON article (id, title, author, publication, published,"
        " read, archived, added_at, progress)"
    )


def _v6_prefix_index(db: SqliteDatabase) -> None:
    # Search follows typing: the word being typed is a prefix query. Without a prefix
    # index FTS5 merges the lists of every word that begins so ("th*": them, there,
    # they, theory…) before returning one row: 0.5 s for "th" and 150 ms for "br" at
    # 100,000 articles. Two- and three-letter prefixes are now indexed; longer ones
    # match few words. The index is rebuilt from the articles (a few seconds for a
    # thousand articles; minutes at 100,000, once).
    db.execute_sql("DROP TABLE article_fts")
    db.execute_sql(
        "CREATE VIRTUAL TABLE article_fts USING fts5(title, author, text, content='article',"
        " content_rowid='id', tokenize='porter unicode61', prefix='2 3')"
    )
    db.execute_sql("INSERT INTO article_fts (article_fts) VALUES ('rebuild')")


MIGRATIONS: list[Callable[[SqliteDatabase], None]] = [
    _v1_initial,
    _v2_annotations,
    _v3_full_text_search,
    _v4_reading_progress,
    _v5_list_indexes,
    _v6_prefix_index,
]
SCHEMA_VERSION = len(MIGRATIONS)

BackupHook = Callable[[Path, int], None]


def read_schema_version(path: Path) -> int:
    """The file's schema version, read without changing the file (0 for a new file)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise LibraryError(f"{path}: not a Marginalia library ({exc}).") from exc


def open_database(path: Path, before_migration: BackupHook | None = None) -> SqliteDatabase:
    """Bind `database` to the file at path, creating or upgrading its schema.

    A file written by a newer Marginalia is refused before anything touches it.
    `before_migration(path, old_version)` runs before an existing library is upgraded
    (the caller makes its backup there).
    """
    path = Path(path)
    version = read_schema_version(path)
    if version > SCHEMA_VERSION:
        raise LibraryError(
            f"{path}: this library was written by a newer version of Marginalia "
            f"(schema {version}; this version understands up to {SCHEMA_VERSION}). "
            "It has not been changed; please update Marginalia to open it."
        )
    if not database.is_closed():
        database.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"{path.parent}: cannot create the library folder ({exc.strerror}).") from exc
    database.init(str(path), pragmas=PRAGMAS)
    try:
        database.connect()
        if 0 < version < SCHEMA_VERSION and before_migration is not None:
            before_migration(path, version)
        migrate(database, version)
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        database.close()
        raise LibraryError(f"{path}: cannot open the library ({exc}).") from exc
    return database


def migrate(db: SqliteDatabase, version: int) -> None:
    """Apply the steps after `version`, each in its own transaction with its version bump."""
    for step_number in range(version, SCHEMA_VERSION):
        with db.atomic():
            MIGRATIONS[step_number](db)
            db.pragma("user_version", step_number + 1)


def close_database() -> None:
    if not database.is_closed():
        database.close()


def close_thread_connection() -> None:
    """Close the calling worker thread's own connection, if it opened one.

    Safe at any time: peewee keeps a connection per thread, and the library may have
    been closed meanwhile (the window closing while the worker ran)."""
    try:
        if not database.deferred and not database.is_closed():
            database.close()
    except InterfaceError:
        pass
