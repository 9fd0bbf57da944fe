"""The schema ladder on PostgreSQL: the same steps and tables as on SQLite, search with
English stemming, the triggers' bookkeeping, and a step without a PostgreSQL form."""

from __future__ import annotations

import pytest
from peewee import IntegrityError, SqliteDatabase

from reader.storage import migrations
from reader.storage.migrations import SCHEMA_VERSION
from reader.storage.migrations_postgres import POSTGRESQL_FORMS, postgresql_form
from reader.storage.postgres import PostgresLibraryError, PostgresStorage, connect
from reader.storage.schema_info import SchemaInfo

ARTICLE = ("INSERT INTO article (title, source_format, source_text, text, content_hash,"
           " added_at) VALUES (%s, 'text', %s, %s, 'h', '2024-01-01') RETURNING id")


@pytest.fixture
def pg_storage(pg_url):
    storage = PostgresStorage.open(pg_url)
    yield storage
    storage.close()


def test_every_step_has_a_postgresql_form():
    assert all(postgresql_form(n) is not None for n in range(1, SCHEMA_VERSION + 1))
    assert len(set(POSTGRESQL_FORMS.values())) == len(POSTGRESQL_FORMS)


def test_a_new_library_is_at_the_latest_schema_with_sqlites_tables(pg_storage):
    assert pg_storage.rows("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    sqlite = SqliteDatabase(":memory:")
    migrations.migrate(sqlite, 0)
    on_sqlite, on_pg = SchemaInfo(sqlite), SchemaInfo(pg_storage.database)
    assert on_pg.tables() == on_sqlite.tables()
    for table in on_sqlite.tables():
        assert on_pg.columns(table) == on_sqlite.columns(table), table
        assert on_pg.primary_key(table) == on_sqlite.primary_key(table), table
        assert on_pg.parents(table) == on_sqlite.parents(table), table
    assert pg_storage.rows("SELECT name FROM saved_view ORDER BY position") == \
        sqlite.execute_sql("SELECT name FROM saved_view ORDER BY position").fetchall()


def test_opening_again_changes_nothing(pg_url, pg_storage):
    again = PostgresStorage.open(pg_url)
    try:
        assert again.rows("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
        assert again.rows("SELECT count(*) FROM saved_view") == [(4,)]
    finally:
        again.close()


def test_search_stems_english_and_follows_edits(pg_storage):
    run = pg_storage.database.execute_sql
    first = run(ARTICLE, ("Running birds", "x", "The birds were running home.")).fetchone()[0]
    run(ARTICLE, ("Cats", "x", "A cat sleeps."))

    def found(words: str, table: str = "article") -> list[int]:
        return [row[0] for row in pg_storage.rows(
            f"SELECT id FROM {table} WHERE search @@ websearch_to_tsquery('english', ?)"
            " ORDER BY id", (words,))]

    assert found("runs bird") == [first]
    assert found('"birds were" OR cat') == [first, first + 1]
    assert found('") AND OR ( -') == []  # any input is a valid query
    run("UPDATE article SET text = 'Nothing here.', title = 'Quiet' WHERE id = %s", (first,))
    assert found("bird") == []
    run("INSERT INTO highlight (article_id, start, \"end\", exact, note, created_at,"
        " updated_at) VALUES (%s, 0, 4, 'Nothing', 'my thoughts on gardens', 'n', 'n')",
        (first,))
    assert len(found("garden", "highlight")) == 1
    plan = "\n".join(row[0] for row in pg_storage.rows(
        "EXPLAIN SELECT id FROM article WHERE search @@ to_tsquery('english', 'bird')"))
    assert "article_search" in plan or "Seq Scan" in plan  # the GIN index exists for it
    assert pg_storage.rows("SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search'"
                           )[0][0].endswith("USING gin (search)")


def test_word_counts_follow_the_text_as_on_sqlite(pg_storage):
    run = pg_storage.database.execute_sql
    article = run(ARTICLE, ("T", "x", "one two\nthree")).fetchone()[0]
    assert pg_storage.rows("SELECT words FROM article_stat") == [(3,)]
    run("UPDATE article SET text = 'one' WHERE id = %s", (article,))
    assert pg_storage.rows("SELECT words FROM article_stat") == [(1,)]
    run("DELETE FROM article WHERE id = %s", (article,))
    assert pg_storage.rows("SELECT count(*) FROM article_stat") == [(0,)]


def test_tag_and_view_names_are_unique_whatever_their_case(pg_storage):
    run = pg_storage.database.execute_sql
    run("INSERT INTO tag (name) VALUES ('Reading')")
    with pytest.raises(IntegrityError), pg_storage.write():
        run("INSERT INTO tag (name) VALUES ('READING')")
    with pytest.raises(IntegrityError), pg_storage.write():
        run("INSERT INTO saved_view (name, query, position) VALUES ('inbox', 'x', 9)")


def test_a_step_without_a_postgresql_form_stops_opening(pg_url, monkeypatch):
    def _v12_sqlite_only(db):
        db.execute_sql("CREATE TABLE sqlite_only (id INTEGER PRIMARY KEY AUTOINCREMENT)")

    steps = [*migrations.MIGRATIONS, _v12_sqlite_only]
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    with pytest.raises(PostgresLibraryError) as caught:
        PostgresStorage.open(pg_url)
    number = len(steps)
    assert (f"needs schema step {number}, which has no PostgreSQL form yet; it stays at "
            f"schema {number - 1}") in str(caught.value)
    database = connect(pg_url)
    try:  # the steps before it were applied, each with its version
        assert database.execute_sql("SELECT version FROM schema_version").fetchall() == \
            [(number - 1,)]
    finally:
        database.close()


def test_a_database_of_someone_elses_is_refused(pg_url):
    database = connect(pg_url)
    database.execute_sql("CREATE TABLE invoices (id int)")
    database.close()
    with pytest.raises(PostgresLibraryError, match=r"holds tables \(invoices\) but no "
                                                   "Marginalia schema; nothing was changed"):
        PostgresStorage.open(pg_url)


def test_a_newer_library_is_refused(pg_url, pg_storage):
    pg_storage.database.execute_sql("UPDATE schema_version SET version = version + 1")
    with pytest.raises(PostgresLibraryError, match="newer version of Marginalia"):
        PostgresStorage.open(pg_url)


def test_a_text_too_long_for_one_tsvector_is_stored_and_found(pg_storage):
    # A million characters of distinct words would make a tsvector over PostgreSQL's
    # 1 MB limit, and the article could not be stored; its first part is indexed.
    import random
    import string

    chance = random.Random(7)
    words = ["".join(chance.choice(string.ascii_lowercase) for _ in range(9))
             for _ in range(130_000)]
    text = "zebrafinch " + " ".join(words) + " lastwordhere"
    assert len(text) > 1_000_000
    run = pg_storage.database.execute_sql
    article = run(ARTICLE, ("Long", "x", text)).fetchone()[0]
    assert pg_storage.rows("SELECT id FROM article WHERE search @@"
                           " websearch_to_tsquery('english', 'zebrafinch')") == [(article,)]
    assert pg_storage.rows("SELECT length(text) FROM article") == [(len(text),)]


def test_long_titles_and_addresses_are_stored_and_found(pg_storage):
    # A btree index entry is limited to 2.7 kB: no index may hold a whole title or URL.
    import random
    import string

    chance = random.Random(3)
    title = "".join(chance.choice(string.ascii_letters) for _ in range(9000))
    url = "https://example.org/?q=" + "".join(chance.choice(string.ascii_letters)
                                              for _ in range(9000))
    article = pg_storage.database.execute_sql(
        "INSERT INTO article (title, url, source_format, source_text, text, content_hash,"
        " added_at) VALUES (%s, %s, 'text', 'x', 'y', 'h', 'n') RETURNING id",
        (title, url)).fetchone()[0]
    assert pg_storage.rows("SELECT id FROM article WHERE url = ?", (url,)) == [(article,)]
    assert pg_storage.rows("SELECT id FROM article ORDER BY left(lower(title), 200),"
                           " lower(title), id") == [(article,)]


def test_export_stamps_move_as_on_sqlite(pg_storage):
    """The same changes move the same articles' stamps on both engines (schema 12)."""
    sqlite = SqliteDatabase(":memory:")
    migrations.migrate(sqlite, 0)

    def scenario(run) -> list[set[int]]:
        def stamps() -> dict[int, int]:
            return dict(run("SELECT article_id, stamp FROM article_change").fetchall())

        moved: list[set[int]] = []

        def step(sql: str, params: tuple = ()) -> None:
            before = stamps()
            run(sql, params)
            after = stamps()
            moved.append({a for a in before.keys() | after.keys()
                          if before.get(a) != after.get(a)})

        a = run(ARTICLE, ("A", "x", "Alpha text.")).fetchone()[0]
        b = run(ARTICLE, ("B", "x", "Beta text.")).fetchone()[0]
        tag = run("INSERT INTO tag (name) VALUES ('history') RETURNING id").fetchone()[0]
        step("UPDATE article SET read = 1, reading_position = 40 WHERE id = %s", (a,))
        step("UPDATE article SET title = 'A2' WHERE id = %s", (a,))
        step("UPDATE article SET title = 'A2' WHERE id = %s", (a,))  # the same value
        step("INSERT INTO highlight (article_id, start, \"end\", exact, created_at, updated_at)"
             " VALUES (%s, 0, 5, 'Alpha', 'now', 'now')", (a,))
        step("UPDATE highlight SET note = 'why' WHERE article_id = %s", (a,))
        step("INSERT INTO article_tag (article_id, tag_id) VALUES (%s, %s)", (b, tag))
        step("INSERT INTO highlight_tag (highlight_id, tag_id)"
             " SELECT id, %s FROM highlight WHERE article_id = %s", (tag, a))
        step("UPDATE tag SET name = 'History' WHERE id = %s", (tag,))
        step("DELETE FROM article WHERE id = %s", (a,))
        return moved + [set(stamps())]

    on_pg = scenario(pg_storage.database.execute_sql)
    on_sqlite = scenario(lambda sql, params=(): sqlite.execute_sql(sql.replace("%s", "?"), params))
    assert on_pg == on_sqlite
    assert on_sqlite == [set(), {1}, set(), {1}, {1}, {2}, {1}, {1, 2}, {1}, {2}]


def test_committed_changes_are_announced_on_the_changes_channel(pg_url, pg_storage):
    """Step 13: each committed change to what a window shows is announced as
    "<pid> <table> <article id>", at commit only; reading positions are not."""
    from reader.storage.drivers import psycopg
    from reader.storage.migrations_postgres import CHANGES_CHANNEL

    run = pg_storage.database.execute_sql
    writer_pid = pg_storage.rows("SELECT pg_backend_pid()")[0][0]
    with psycopg().connect(pg_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANGES_CHANNEL}")

        def heard() -> list[str]:
            return sorted({n.payload for n in listener.notifies(timeout=0.5)})

        with pg_storage.database.atomic():
            article = run(ARTICLE, ("Birds", "x", "Birds sing.")).fetchone()[0]
            assert heard() == []  # nothing before the commit
        assert heard() == [f"{writer_pid} article {article}"]
        with pg_storage.database.atomic():
            run("UPDATE article SET reading_position = 40, progress = 0.5 WHERE id = %s",
                (article,))
        assert heard() == []
        with pg_storage.database.atomic():
            highlight = run("INSERT INTO highlight (article_id, start, \"end\", exact,"
                            " created_at, updated_at) VALUES (%s, 0, 5, 'Birds', 'now', 'now')"
                            " RETURNING id", (article,)).fetchone()[0]
            tag = run("INSERT INTO tag (name) VALUES ('song') RETURNING id").fetchone()[0]
            run("INSERT INTO highlight_tag (highlight_id, tag_id) VALUES (%s, %s)",
                (highlight, tag))
        assert heard() == [f"{writer_pid} highlight {article}",
                           f"{writer_pid} highlight_tag {article}", f"{writer_pid} tag"]
        with pg_storage.database.atomic():
            run("DELETE FROM article WHERE id = %s", (article,))
        assert f"{writer_pid} article {article}" in heard()


@pytest.mark.parametrize("order", ["added", "published"])
def test_the_lists_first_page_walks_an_index_without_sorting(pg_storage, order):
    """The newest-first orders are read from their index (step 13), as on SQLite."""
    from reader.reads import list_ids
    from reader.storage.dialect import to_postgres

    run = pg_storage.database.execute_sql
    for n in range(3):
        run(ARTICLE, (f"Article {n}", "x", "Text."))
    plans: list[str] = []

    def explain(sql, params):
        with pg_storage.database.atomic():
            run("SET LOCAL enable_seqscan = off")
            plans.extend(row[0] for row in run("EXPLAIN " + to_postgres(sql), params))
        return []

    list_ids(explain, order=order, limit=200)
    plan = "\n".join(plans)
    assert "Index" in plan and "Sort" not in plan, plan


def test_a_library_another_process_creates_meanwhile_is_read_not_refused(pg_url):
    """Opening while another process creates the library: its first tables and its
    schema table commit between this opener's two looks, which must not take it for
    someone else's database."""
    from reader.storage.drivers import psycopg
    from reader.storage.postgres import read_schema_version

    creating = psycopg().connect(pg_url)  # a transaction, committed on cue
    creating.execute("CREATE TABLE schema_version (version integer NOT NULL)")
    creating.execute("INSERT INTO schema_version (version) VALUES (3)")
    creating.execute("CREATE TABLE article (id bigint PRIMARY KEY)")
    database = connect(pg_url)
    real = database.execute_sql
    looks: list[str] = []

    def commit_after_the_first_look(sql, params=None, *args, **kwargs):
        result = real(sql, params, *args, **kwargs)
        if not looks:
            creating.commit()
        looks.append(sql)
        return result

    database.execute_sql = commit_after_the_first_look
    try:
        assert read_schema_version(database) == 3
    finally:
        database.close()
        creating.close()
