"""marginalia copy between SQLite files, and the PostgreSQL guard of the command line
(the PostgreSQL copies themselves are in tests/pg/test_pg_copy.py)."""

from __future__ import annotations


import pytest

from reader.cli.main import main
from tests.conftest import highlight_without_article
from reader.library import Library
from reader.storage.copy import CopyError, checksum, copy_library
from reader.storage.database import Storage
from reader.storage.postgres import PostgresLibraryError, check_url, connect, redact
from reader.storage.schema_info import SchemaInfo

PASSWORD = "s3cr3t-pw"


def _contents(library: Library) -> tuple:
    rows = library.storage.rows
    return (rows("SELECT id, title, note FROM article ORDER BY id"),
            rows("SELECT id, article_id, exact, note, colour FROM highlight ORDER BY id"),
            rows("SELECT name FROM tag ORDER BY name"))


def test_copy_between_files_keeps_every_table_and_id(annotated_library, tmp_path):
    source = annotated_library.path
    expected = _contents(annotated_library)
    annotated_library.close()
    target = tmp_path / "copy.sqlite3"
    report = copy_library(source, target)
    assert all(figures.matches for figures in report.tables)
    counts = {figures.table: figures.target_rows for figures in report.tables}
    for table in ("article", "highlight", "tag", "highlight_tag", "article_tag", "feed",
                  "feed_entry", "revision", "imported", "review_card", "review_log",
                  "saved_view", "meta", "article_stat"):
        assert counts[table] > 0, table
    with Library.open(target) as copied:
        assert _contents(copied) == expected
        # Full-text search works on the copy: its index was built from the rows.
        assert copied.storage.rows("SELECT count(*) FROM article_fts WHERE article_fts MATCH"
                                   " 'ukraine'")[0][0] == 2
        copied.storage.database.execute_sql(
            "INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 1)")
        # The deleted highlight's id (3) is never handed out again.
        article = copied.storage.rows("SELECT min(id) FROM article")[0][0]
        copied.highlights.create(article, 70, 80)
        assert max(h.id for h in copied.highlights.for_article(article)) == 4


def test_checksum_sees_one_changed_value(annotated_library, tmp_path):
    target = tmp_path / "copy.sqlite3"
    copy_library(annotated_library.path, target)
    info = SchemaInfo(annotated_library.storage.database)
    before = checksum(info, "highlight")
    with annotated_library.storage.write():
        annotated_library.storage.database.execute_sql(
            "UPDATE highlight SET note = note || ' ' WHERE id = 1")
    after = checksum(info, "highlight")
    assert before[0] == after[0] and before[1] != after[1]


def test_a_target_that_is_not_empty_is_refused_unless_replace(annotated_library, tmp_path):
    other = Library.open(tmp_path / "other.sqlite3")
    other.seed_if_new(__import__("reader.paths", fromlist=["seeds_dir"]).seeds_dir())
    other_titles = other.storage.rows("SELECT title FROM article ORDER BY id")
    other.close()
    with pytest.raises(CopyError, match=r"is not empty \(it holds 2 rows in article.*--replace"):
        copy_library(annotated_library.path, tmp_path / "other.sqlite3")
    with Library.open(tmp_path / "other.sqlite3") as unchanged:
        assert unchanged.storage.rows("SELECT title FROM article ORDER BY id") == other_titles
        assert unchanged.storage.rows("SELECT count(*) FROM highlight")[0][0] == 0
    report = copy_library(annotated_library.path, tmp_path / "other.sqlite3", replace=True)
    assert {f.table: f.target_rows for f in report.tables}["highlight"] == 2


def test_a_new_library_counts_as_empty(annotated_library, tmp_path):
    Storage.open(tmp_path / "new.sqlite3").close()  # its built-in saved views only
    report = copy_library(annotated_library.path, tmp_path / "new.sqlite3")
    assert all(figures.matches for figures in report.tables)


def test_a_failure_midway_leaves_the_target_as_it_was(annotated_library, tmp_path):
    # A highlight whose article does not exist (written with foreign keys off): the
    # copy fails on it, after the articles went in, and nothing stays written.
    path = highlight_without_article(annotated_library)
    target = tmp_path / "copy.sqlite3"
    with pytest.raises(CopyError, match=r"table highlight.*FOREIGN KEY.*nothing was written"):
        copy_library(path, target)
    storage = Storage.open(target)
    try:
        assert storage.rows("SELECT count(*) FROM article")[0][0] == 0
        assert storage.rows("SELECT count(*) FROM saved_view")[0][0] == 4
    finally:
        storage.close()


def test_copy_refuses_a_missing_source_and_itself(library_path, tmp_path):
    with pytest.raises(CopyError, match="no library file there"):
        copy_library(tmp_path / "missing.sqlite3", library_path)
    Storage.open(library_path).close()
    with pytest.raises(CopyError, match="the same library"):
        copy_library(library_path, library_path)


def test_cli_copy_prints_the_figures(annotated_library, tmp_path, capsys):
    source = annotated_library.path
    annotated_library.close()
    assert main(["copy", "--from", str(source), "--to", str(tmp_path / "c.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "highlight" in out and "same" in out and "DIFFERENT" not in out
    assert main(["copy", "--from", str(source), "--to", str(tmp_path / "c.sqlite3")]) == 1
    assert "is not empty" in capsys.readouterr().err


@pytest.mark.parametrize("url, words", [
    (f"postgresql://ann:{PASSWORD}@127.0.0.1:1/lib", "cannot connect"),
    (f"postgresql://ann:{PASSWORD}@127.0.0.1:1", "names no database"),
    (f"postgresql://ann:{PASSWORD}@127.0.0.1:port/lib", "not a valid PostgreSQL URL"),
    (f"postgresql://ann@127.0.0.1:1/lib?password={PASSWORD}", "cannot connect"),
])
def test_bad_urls_and_unreachable_servers_are_named_without_the_password(url, words):
    with pytest.raises(PostgresLibraryError) as caught:
        connect(url)
    message = str(caught.value)
    assert words in message
    assert PASSWORD not in message
    assert message.startswith(redact(url) + ":")
    assert "127.0.0.1" in message


def test_redact_hides_every_form_of_password():
    assert redact("postgresql://ann:pw@host:5/db") == "postgresql://ann:***@host:5/db"
    assert redact("postgres://ann:p%40w@host/db?sslmode=require&password=x") == \
        "postgres://ann:***@host/db?sslmode=require&password=***"
    assert redact("postgresql://ann@host/db") == "postgresql://ann@host/db"
    assert redact("postgresql://ann:p@ss:w@host/db") == "postgresql://ann:***@host/db"
    assert check_url("postgres://ann@host/db") == "postgresql://ann@host/db"


@pytest.mark.parametrize("command", [["backup"], ["restore", "backup.sqlite3"]])
def test_file_commands_on_a_postgres_library_say_they_need_a_file(command, capsys, monkeypatch):
    url = f"postgresql://ann:{PASSWORD}@127.0.0.1:1/lib"
    assert main(["--db", url, *command]) == 2
    err = capsys.readouterr().err
    assert "works on a library file only" in err and "marginalia copy" in err
    assert PASSWORD not in err and "postgresql://ann:***@127.0.0.1:1/lib" in err
    monkeypatch.setenv("MARGINALIA_DB", url)
    assert main(command) == 2
    assert PASSWORD not in capsys.readouterr().err


@pytest.mark.parametrize("command", [["list"], ["list", "--query", "tag:x"], ["search", "x"]])
def test_list_and_search_run_on_a_postgres_library(command, capsys):
    """They open the library (here an unreachable server, named without its password)."""
    url = f"postgresql://ann:{PASSWORD}@127.0.0.1:1/lib"
    assert main(["--db", url, *command]) == 1
    err = capsys.readouterr().err
    assert "postgresql://ann:***@127.0.0.1:1/lib: cannot connect" in err
    assert PASSWORD not in err


def test_copy_to_an_unreachable_server_names_it_without_the_password(library_path, capsys):
    Storage.open(library_path).close()
    url = f"postgresql://ann:{PASSWORD}@127.0.0.1:1/lib"
    assert main(["copy", "--from", str(library_path), "--to", url]) == 1
    captured = capsys.readouterr()
    assert "postgresql://ann:***@127.0.0.1:1/lib: cannot connect" in captured.err
    assert PASSWORD not in captured.err + captured.out


def test_progress_is_told_per_batch_in_insert_order(annotated_library, tmp_path):
    told: list[tuple[str, int]] = []
    copy_library(annotated_library.path, tmp_path / "c.sqlite3", batch_rows=1,
                 progress=lambda table, rows: told.append((table, rows)))
    assert ("highlight", 1) in told and ("highlight", 2) in told
    tables = [table for table, _rows in told]
    # Each table after the ones its foreign keys point at.
    assert tables.index("article") < tables.index("highlight") < tables.index("highlight_tag")
    assert tables.index("tag") < tables.index("article_tag")
    assert tables.index("feed") < tables.index("article") < tables.index("feed_entry")


def test_a_readers_url_has_their_name_and_no_password():
    from reader.storage.postgres import as_user

    assert as_user("postgresql://owner:s%40cret@db.example.org:5433/team", "ann") == \
        "postgresql://ann@db.example.org:5433/team"
    assert as_user("postgresql://db.example.org/team?password=x&sslmode=require&user=o",
                   "ann") == "postgresql://ann@db.example.org/team?sslmode=require"
