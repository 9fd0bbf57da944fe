"""The schema's history: each migration step, in SQL, and the version it brings a library to."""

from __future__ import annotations

from collections.abc import Callable

# typing.TYPE_CHECKING without importing typing: the command line's lean read path reads
# SCHEMA_VERSION here, without peewee (only named in annotations) or typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from peewee import Database

# Each step brings the schema from version N to N+1 and is written out in SQL, so
# that it keeps meaning what it meant when it was released, whatever the models
# become later. Never edit a released step: append a new one.
# Article and highlight ids are AUTOINCREMENT: they appear in exported files and
# marginalia:// links, so an id is never handed to a different item later.

def _v1_initial(db: Database) -> None:
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


def _v2_annotations(db: Database) -> None:
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


def _v3_full_text_search(db: Database) -> None:
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


def _v4_reading_progress(db: Database) -> None:
    db.execute_sql("ALTER TABLE article ADD COLUMN progress INTEGER NOT NULL DEFAULT 0")


def _v5_list_indexes(db: Database) -> None:
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


def _v6_prefix_index(db: Database) -> None:
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


def _v7_feeds_and_revisions(db: Database) -> None:
    # Feeds the reader follows, the entries each has brought in (so an entry becomes one
    # article however often the feed is read), and the earlier versions of an article
    # whose page changed after it was saved. Removing a feed keeps its articles.
    db.execute_sql(
        """CREATE TABLE feed (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            url TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            site_url TEXT,
            etag TEXT,
            last_modified TEXT,
            added_at TEXT NOT NULL,
            checked_at TEXT,
            succeeded_at TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_check_at TEXT,
            error TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute_sql(
        """CREATE TABLE feed_entry (
            feed_id INTEGER NOT NULL REFERENCES feed (id) ON DELETE CASCADE,
            entry_key TEXT NOT NULL,
            article_id INTEGER REFERENCES article (id) ON DELETE SET NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (feed_id, entry_key)
        )"""
    )
    db.execute_sql("CREATE INDEX feed_entry_article_id ON feed_entry (article_id)")
    db.execute_sql(
        "ALTER TABLE article ADD COLUMN feed_id INTEGER REFERENCES feed (id) ON DELETE SET NULL")
    db.execute_sql("CREATE INDEX article_feed_id ON article (feed_id)")
    db.execute_sql("ALTER TABLE article ADD COLUMN revised_at TEXT")
    db.execute_sql(
        """CREATE TABLE revision (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES article (id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            source_format TEXT NOT NULL,
            source_text TEXT NOT NULL,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            replaced_at TEXT NOT NULL
        )"""
    )
    db.execute_sql("CREATE INDEX revision_article_id ON revision (article_id, replaced_at)")
    # A highlight whose passage changed or went in a revision: which revision it was,
    # and its wording before.
    db.execute_sql(
        "ALTER TABLE highlight ADD COLUMN changed_in INTEGER REFERENCES revision (id)"
        " ON DELETE SET NULL")
    db.execute_sql("ALTER TABLE highlight ADD COLUMN previous_exact TEXT NOT NULL DEFAULT ''")


def _v8_imported_from_other_tools(db: Database) -> None:
    # What each import from another tool brought in, by the tool's own key for it, so
    # that importing the same export again adds nothing twice, a stopped import resumes,
    # and something deleted here since is not brought back. No foreign keys: a link
    # outlives its target, to remember that it was deleted. For a highlight of a source
    # whose text could not be had (a Kindle book), the passage, its place in the source
    # and its order are kept, to build that source's article again with new highlights.
    db.execute_sql(
        """CREATE TABLE imported (
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            item_key TEXT NOT NULL DEFAULT '',
            article_id INTEGER,
            highlight_id INTEGER,
            passage TEXT NOT NULL DEFAULT '',
            location TEXT NOT NULL DEFAULT '',
            position REAL,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (source, kind, key)
        )"""
    )
    db.execute_sql("CREATE INDEX imported_item ON imported (source, item_key)")


def _v9_query_fields(db: Database) -> None:
    # The query language's fields whose columns the list's covering index lacks get
    # small indexes of their own, so that a condition on them never reads the table's
    # rows (which carry the bodies). An article's length in words (spaces and line
    # breaks counted by SQL) lives in a table of its own, kept by triggers: a column of
    # the article would be a second write of the whole row, body and all, on every
    # insert.
    db.execute_sql(
        """CREATE TABLE article_stat (
            article_id INTEGER NOT NULL PRIMARY KEY REFERENCES article (id) ON DELETE CASCADE,
            words INTEGER NOT NULL
        )"""
    )
    count = "length(new.text) - length(replace(replace(new.text, ' ', ''), char(10), '')) + 1"
    db.execute_sql("INSERT INTO article_stat (article_id, words) SELECT id, "
                   + count.replace("new.", "") + " FROM article")
    db.execute_sql("CREATE INDEX article_stat_words ON article_stat (words, article_id)")
    for event in ("INSERT", "UPDATE OF text"):
        name = "insert" if event == "INSERT" else "update"
        db.execute_sql(
            f"CREATE TRIGGER article_stat_{name} AFTER {event} ON article BEGIN"
            f" INSERT OR REPLACE INTO article_stat (article_id, words) VALUES (new.id, {count});"
            f" END")
    db.execute_sql("CREATE TRIGGER article_stat_delete AFTER DELETE ON article BEGIN"
                   " DELETE FROM article_stat WHERE article_id = old.id; END")
    db.execute_sql("CREATE INDEX article_with_note ON article (id) WHERE note != ''")
    db.execute_sql("CREATE INDEX article_revised ON article (id) WHERE revised_at IS NOT NULL")
    db.execute_sql("CREATE INDEX highlight_colour ON highlight (colour, article_id)")


def _v10_saved_views(db: Database) -> None:
    # Named queries shown above the tags, in the user's order, each with an optional key
    # sequence that chooses it (Qt's portable spelling). The four built in are ordinary
    # rows: they can be renamed, edited, moved and deleted like the user's own.
    db.execute_sql(
        """CREATE TABLE saved_view (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            query TEXT NOT NULL,
            key TEXT,
            position INTEGER NOT NULL
        )"""
    )
    for position, (name, query, key) in enumerate((
            ("Inbox", "is:unread -is:archived", "G, I"),
            ("Annotated", "has:highlights", "G, A"),
            ("Orphans", "is:orphaned", "G, O"),
            ("Feeds", "has:feed", "G, F"))):
        db.execute_sql("INSERT INTO saved_view (name, query, key, position) VALUES (?, ?, ?, ?)",
                       (name, query, key, position))


def _v11_review(db: Database) -> None:
    # The daily review: one card per highlight that has been reviewed (or made into a
    # cloze or question card), with the FSRS scheduler's state in columns (state NULL: a
    # new card, never graded), and every grade given, with the scheduler's state before
    # and after it (the fsrs library's card JSON). No foreign key to the highlight: a
    # deleted highlight that undo brings back (with its id, which is never reused) finds
    # its card and history again; queries join the highlight, so a card without one is
    # never shown. The index on (retired, state, due) answers "what is due" in due order
    # without reading the cards that are not; the partial index on the cards already seen
    # lets the new cards (highlights without one) be found without reading the cards, and
    # a narrow index of the highlights' ids walks them newest first without reading their
    # rows (which carry the quoted text): 5 ms instead of 10 at 50,000 highlights.
    db.execute_sql(
        """CREATE TABLE review_card (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            highlight_id INTEGER NOT NULL UNIQUE,
            kind TEXT NOT NULL DEFAULT 'highlight',
            cloze TEXT NOT NULL DEFAULT '',
            question TEXT NOT NULL DEFAULT '',
            state INTEGER,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT,
            last_review TEXT,
            retired INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute_sql("CREATE INDEX review_card_due ON review_card (retired, state, due)")
    db.execute_sql("CREATE INDEX review_card_seen ON review_card (highlight_id)"
                   " WHERE state IS NOT NULL OR retired = 1")
    db.execute_sql("CREATE INDEX highlight_review_order ON highlight (id, article_id)")
    db.execute_sql(
        """CREATE TABLE review_log (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            card_id INTEGER NOT NULL REFERENCES review_card (id) ON DELETE CASCADE,
            highlight_id INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            reviewed_at TEXT NOT NULL,
            day TEXT NOT NULL,
            previous_state INTEGER,
            card_before TEXT,
            card_after TEXT NOT NULL,
            duration_ms INTEGER
        )"""
    )
    db.execute_sql("CREATE INDEX review_log_day ON review_log (day, previous_state)")
    db.execute_sql("CREATE INDEX review_log_card ON review_log (card_id, id)")


def _v12_export_changes(db: Database) -> None:
    # A stamp for each article, set to a new random number by triggers on every change
    # to what its export shows: its own fields, its tags, its highlights and their tags,
    # their review schedules, a tag's new name, a revision's date. A re-export compares
    # each article's stamp with the one its manifest kept, and reads and renders only the
    # articles whose stamp moved. Random rather than counted: two copies of a library
    # that went separate ways (a backup restored, a file taken to another computer) must
    # not give the same number to different changes, and an equal stamp then still means
    # the same last change. Changes to reading (read, progress, position) leave it be.
    db.execute_sql(
        """CREATE TABLE article_change (
            article_id INTEGER NOT NULL PRIMARY KEY,
            stamp INTEGER NOT NULL
        )"""
    )
    db.execute_sql("INSERT INTO article_change (article_id, stamp)"
                   " SELECT id, random() FROM article")

    # No INSERT OR REPLACE: a trigger's statements take the conflict policy of the
    # statement that fired it, so under an INSERT OR IGNORE (how tags are linked) a
    # replace would be ignored. An article's delete trigger runs after those of the rows
    # its deletion cascades to: the stamp those give it goes with it.
    def bump(article_id: str) -> str:
        return (f"UPDATE article_change SET stamp = random() WHERE article_id = {article_id};"
                f" INSERT INTO article_change (article_id, stamp) SELECT a, random() FROM"
                f" (SELECT {article_id} AS a) WHERE a IS NOT NULL AND NOT EXISTS"
                f" (SELECT 1 FROM article_change WHERE article_id = a);")

    def bump_of_highlight(highlight_id: str) -> str:
        return bump(f"(SELECT article_id FROM highlight WHERE id = {highlight_id})")

    def changed(columns: tuple[str, ...]) -> str:
        return " OR ".join(f"new.{c} IS NOT old.{c}" for c in columns)

    def trigger(name: str, event: str, table: str, body: str, when: str = "") -> None:
        db.execute_sql(f"CREATE TRIGGER article_change_{name} AFTER {event} ON {table}"
                       + (f" WHEN {when}" if when else "") + f" BEGIN {body} END")

    exported = ("title", "author", "publication", "published", "url", "note", "source_format",
                "source_text", "text", "content_hash", "revised_at")
    trigger("article_insert", "INSERT", "article", bump("new.id"))
    trigger("article_update", "UPDATE OF " + ", ".join(exported), "article", bump("new.id"),
            changed(exported))
    trigger("article_delete", "DELETE", "article",
            "DELETE FROM article_change WHERE article_id = old.id;")
    trigger("article_tag_insert", "INSERT", "article_tag", bump("new.article_id"))
    trigger("article_tag_delete", "DELETE", "article_tag", bump("old.article_id"))
    trigger("article_tag_update", "UPDATE", "article_tag",
            bump("old.article_id") + " " + bump("new.article_id"))
    highlight = ("article_id", "start", '"end"', "exact", "prefix", "suffix", "colour", "note",
                 "orphaned", "created_at", "updated_at", "changed_in", "previous_exact")
    trigger("highlight_insert", "INSERT", "highlight", bump("new.article_id"))
    trigger("highlight_update", "UPDATE", "highlight",
            bump("old.article_id") + " " + bump("new.article_id"), changed(highlight))
    trigger("highlight_delete", "DELETE", "highlight", bump("old.article_id"))
    trigger("highlight_tag_insert", "INSERT", "highlight_tag", bump_of_highlight("new.highlight_id"))
    trigger("highlight_tag_delete", "DELETE", "highlight_tag",
            bump_of_highlight("old.highlight_id"))
    trigger("highlight_tag_update", "UPDATE", "highlight_tag",
            bump_of_highlight("old.highlight_id") + " " + bump_of_highlight("new.highlight_id"))
    # A tag's name is shown in the files of every article carrying it (or one of whose
    # highlights does). The name's collation ignores case; a change of case is a change.
    trigger("tag_update", "UPDATE OF name", "tag",
            "UPDATE article_change SET stamp = random() WHERE article_id IN"
            " (SELECT article_id FROM article_tag WHERE tag_id = new.id UNION"
            " SELECT h.article_id FROM highlight_tag ht JOIN highlight h ON h.id = ht.highlight_id"
            " WHERE ht.tag_id = new.id);",
            "new.name IS NOT old.name COLLATE BINARY")
    # A highlight's changed_at is its revision's replaced_at (a deleted revision sets
    # its highlights' changed_in to NULL, which their own trigger sees).
    trigger("revision_update", "UPDATE OF replaced_at", "revision", bump("new.article_id"),
            "new.replaced_at IS NOT old.replaced_at")
    trigger("revision_delete", "DELETE", "revision", bump("old.article_id"))
    # Templates can show a highlight's next review day.
    review = ("highlight_id", "due", "retired")
    trigger("review_card_insert", "INSERT", "review_card", bump_of_highlight("new.highlight_id"))
    trigger("review_card_update", "UPDATE OF " + ", ".join(review), "review_card",
            bump_of_highlight("old.highlight_id") + " " + bump_of_highlight("new.highlight_id"),
            changed(review))
    trigger("review_card_delete", "DELETE", "review_card", bump_of_highlight("old.highlight_id"))


def _v13_note_history(db: Database) -> None:
    # Who last wrote each highlight's note ('' in a personal library, a reader's role in a
    # team one), and the versions a later save replaced: two readers editing one note
    # keep both, the later shown, the earlier in the note's history. A version goes with
    # its highlight.
    db.execute_sql("ALTER TABLE highlight ADD COLUMN note_by TEXT NOT NULL DEFAULT ''")
    db.execute_sql(
        """CREATE TABLE note_history (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            highlight_id INTEGER NOT NULL REFERENCES highlight (id) ON DELETE CASCADE,
            note TEXT NOT NULL,
            written_by TEXT NOT NULL DEFAULT '',
            written_at TEXT NOT NULL,
            replaced_by TEXT NOT NULL DEFAULT '',
            replaced_at TEXT NOT NULL
        )"""
    )
    db.execute_sql("CREATE INDEX note_history_highlight ON note_history (highlight_id, id)")


MIGRATIONS: list[Callable[[Database], None]] = [
    _v1_initial,
    _v2_annotations,
    _v3_full_text_search,
    _v4_reading_progress,
    _v5_list_indexes,
    _v6_prefix_index,
    _v7_feeds_and_revisions,
    _v8_imported_from_other_tools,
    _v9_query_fields,
    _v10_saved_views,
    _v11_review,
    _v12_export_changes,
    _v13_note_history,
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: Database, version: int) -> None:
    """Apply the steps after `version`, each in its own transaction with its version bump."""
    for step_number in range(version, SCHEMA_VERSION):
        with db.atomic():
            MIGRATIONS[step_number](db)
            db.pragma("user_version", step_number + 1)
