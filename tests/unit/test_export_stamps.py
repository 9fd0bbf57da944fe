"""Articles' change stamps (schema 12): every change to what an article's export shows moves
its stamp, nothing else does, and a re-export reads and renders only the articles whose
stamp moved, with the same files as a full export."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import timedelta, timezone

import pytest
from peewee import SqliteDatabase

from reader.export import changes
from tests.conftest import trace_statements
from reader.export.exporter import MANIFEST, Exporter
from reader.library import Library
from reader.storage.database import SCHEMA_VERSION
from reader.storage.dialect import to_postgres
from reader.storage.migrations import MIGRATIONS


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


SOURCE = ("# Rivers {n}\n\nBy Ana Lopez\n\nThe river rose in the night. Nobody expected it.\n\n"
          "The ferry stopped at noon.\n")


@pytest.fixture
def annotated(library, write_file):
    """Three articles with a highlight tagged `water`, the second also tagged `solo` as an
    article, and one article without annotations."""
    ids = []
    for n in range(3):
        (article_id,) = library.import_files(
            [write_file(f"r{n}.md", SOURCE.format(n=n))]).added
        text = library.articles.text(article_id)
        highlight = library.highlights.create(article_id, text.index("The river"),
                                              text.index("the night.") + 10).highlight_id
        library.highlights.set_tags(highlight, ["water"])
        ids.append(article_id)
    library.articles.set_tags(ids[1], ["solo"])
    (plain,) = library.import_files([write_file("plain.md", "# Plain\n\nNo marks.\n")]).added
    return ids, plain


def _stamps(library) -> dict[int, int]:
    return dict(library.storage.rows("SELECT article_id, stamp FROM article_change"))


def _shape(statement: str) -> str:
    """A statement with its list of ids written as one placeholder."""
    return re.sub(r"IN \([^)]*\)", "IN ({})", statement)


def _spelled(library, statement: str) -> str:
    """The statement as the library's engine receives it."""
    return to_postgres(statement) if library.on_postgres else statement


def _first_highlight(library, article_id: int) -> int:
    return library.highlights.for_article(article_id)[0].id


@pytest.mark.parametrize("full_text", [False, True])
def test_nothing_changed_reads_only_the_stamps_and_writes_nothing(
        library, annotated, tmp_path, rendered, full_text):
    ids, plain = annotated
    folder = tmp_path / "vault"
    first = Exporter(library, full_text=full_text).to_folder(folder, [*ids, plain])
    assert len(first.written) == 3
    times = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    rendered.clear()
    exporter = Exporter(library, full_text=full_text)
    statements = trace_statements(library)
    report = exporter.to_folder(folder, [*ids, plain])
    assert report.written == () and sorted(report.unchanged) == sorted(first.written)
    assert report.skipped == (plain,) and rendered == []
    # The stamps of the exported articles, and whether the one without a file has gained
    # a highlight or a note (from two indexes): nothing else of any article is read.
    assert {_shape(s) for s in statements} == {_spelled(library, query) for query in (
        changes._STAMPS, changes._WITH_HIGHLIGHTS, changes._WITH_NOTE)}, statements
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == times  # manifest included


@pytest.mark.sqlite_only("SQLite's covering index (EXPLAIN QUERY PLAN)")
def test_the_annotation_check_reads_indexes_only(library, annotated):
    ids, _plain = annotated
    plans = {query: " ".join(str(row[-1]) for row in library.storage.rows(
        "EXPLAIN QUERY PLAN " + query.format("?, ?"), ids[:2]))
        for query in (changes._WITH_HIGHLIGHTS, changes._WITH_NOTE)}
    assert "COVERING INDEX highlight_article_id" in plans[changes._WITH_HIGHLIGHTS]
    assert "INDEX article_with_note" in plans[changes._WITH_NOTE]
    library.articles.set_note(ids[2], "A note.")
    assert changes.annotated(library.storage, [*ids, _plain]) == set(ids)


def _edits(library, ids):
    """Each kind of change, and the articles whose files it changes."""
    first, second, third = ids

    def title() -> None:  # no command renames an article yet; the trigger sees SQL alike
        library.storage.run("UPDATE article SET title = 'Lakes' WHERE id = ?", (second,))

    return {
        "a highlight's note": (lambda: library.highlights.set_note(
            _first_highlight(library, first), "A note."), [first]),
        "a highlight's colour": (lambda: library.highlights.recolour(
            _first_highlight(library, second), "green"), [second]),
        "a tag added to a highlight": (lambda: library.highlights.set_tags(
            _first_highlight(library, third), ["water", "flood"]), [third]),
        "a deleted highlight": (lambda: library.highlights.delete(
            _first_highlight(library, first)), [first]),
        "a new highlight": (lambda: library.highlights.create(second, 0, 6), [second]),
        "the article's note": (lambda: library.articles.set_note(third, "Why?"), [third]),
        "the article's title": (title, [second]),
        "the article's tags": (lambda: library.articles.set_tags(first, ["later"]), [first]),
        "a highlights' tag renamed": (lambda: library.tags.rename("water", "rivers"), ids),
        "an article's tag renamed": (lambda: library.tags.rename("solo", "alone"), [second]),
        "a tag's case changed": (lambda: library.tags.rename("solo", "Solo"), [second]),
        "a tag deleted": (lambda: library.tags.delete("solo"), [second]),
    }


@pytest.mark.parametrize("change", ["a highlight's note", "a highlight's colour",
                                    "a tag added to a highlight", "a deleted highlight",
                                    "a new highlight", "the article's note", "the article's title",
                                    "the article's tags", "a highlights' tag renamed",
                                    "an article's tag renamed", "a tag's case changed",
                                    "a tag deleted"])
def test_each_change_renders_and_writes_only_its_articles_files(
        library, annotated, tmp_path, rendered, change):
    ids, _plain = annotated
    folder = tmp_path / "vault"
    paths = dict(zip(ids, Exporter(library).to_folder(folder, ids).written))
    before = {p: p.read_bytes() for p in paths.values()}
    edit, changed = _edits(library, ids)[change]
    stamps = _stamps(library)
    edit()
    after = _stamps(library)
    assert {i for i in ids if after[i] != stamps[i]} == set(changed)
    rendered.clear()
    report = Exporter(library).to_folder(folder, ids)
    assert sorted(set(rendered)) == sorted(changed)
    assert sorted(report.written) == sorted(paths[i] for i in changed)
    for path in report.written:
        assert path.read_bytes() != before[path]
    # The same files as a full export into an empty folder.
    fresh = _by_article(Exporter(library).to_folder(tmp_path / "fresh", ids).written)
    assert fresh == _by_article(paths[i] for i in fresh)
    rendered.clear()
    assert Exporter(library).to_folder(folder, ids).written == () and rendered == []


def _by_article(paths) -> dict[int, str]:
    """Each file's text (without its export time) by the id of its article."""
    found = {}
    for path in paths:
        text = path.read_text()
        found[int(re.search(r"(?m)^marginalia_id: (\d+)$", text)[1])] = _without_time(text)
    return found


def _without_time(text: str) -> str:
    return re.sub(r"(?m)^exported: .*$", "exported:", text)


def test_a_change_undone_moves_the_stamp_and_its_digest_spares_the_rendering(
        library, annotated, tmp_path, rendered):
    ids, _plain = annotated
    folder = tmp_path / "vault"
    Exporter(library).to_folder(folder, ids)
    stamps = _stamps(library)
    library.highlights.delete(_first_highlight(library, ids[2]))
    library.undo()  # the same highlight, with its id, is back
    assert [i for i in ids if _stamps(library)[i] != stamps[i]] == [ids[2]]
    rendered.clear()
    statements = trace_statements(library)
    assert Exporter(library).to_folder(folder, ids).written == () and rendered == []
    digests = [s for s in statements if "FROM highlight h" in s]
    assert digests and all(f"IN ({ids[2]})" in s for s in digests), digests


def test_reading_an_article_moves_no_stamp(library, annotated):
    ids, _plain = annotated
    stamps = _stamps(library)
    library.articles.set_position(ids[0], 10, 40)
    library.articles.set_read(ids[0], True)
    library.articles.set_archived(ids[1], True)
    library.storage.run(  # a save of the whole row with the same values
        "UPDATE article SET title = title, note = note, text = text WHERE id = ?", (ids[2],))
    assert _stamps(library) == stamps


def test_a_deleted_article_takes_its_stamp_with_it_and_undo_brings_one(library, annotated):
    ids, _plain = annotated
    library.articles.delete(ids[0])
    assert ids[0] not in _stamps(library)
    assert library.storage.rows("SELECT count(*) FROM article_change")[0][0] == \
        library.articles.count()
    library.undo()
    assert ids[0] in _stamps(library)


def test_a_graded_review_moves_the_stamp_and_shows_only_where_the_template_shows_it(
        library, annotated, tmp_path, rendered):
    ids, _plain = annotated
    template = tmp_path / "due.md.j2"
    template.write_text("{% for h in highlights %}{{ h.id }}: {{ h.review_due or 'never' }}\n"
                        "{% endfor %}", encoding="utf-8")
    plain_folder, due_folder = tmp_path / "plain", tmp_path / "due"
    Exporter(library).to_folder(plain_folder, ids)
    paths = dict(zip(ids, Exporter(library, template).to_folder(due_folder, ids).written))
    stamps = _stamps(library)
    highlight = _first_highlight(library, ids[1])
    library.review.grade(highlight, 3)
    assert [i for i in ids if _stamps(library)[i] != stamps[i]] == [ids[1]]
    rendered.clear()
    assert Exporter(library).to_folder(plain_folder, ids).written == ()
    assert rendered == []  # its digest, which holds no review days, is as it was
    report = Exporter(library, template).to_folder(due_folder, ids)
    assert report.written == (paths[ids[1]],) and set(rendered) == {ids[1]}
    assert f"{highlight}: never" not in paths[ids[1]].read_text()
    # Review days are local days: another time zone is another export.
    library.review.clock.tz = timezone(timedelta(hours=13))
    assert Exporter(library, template)._context != Exporter(library)._context
    rendered.clear()
    Exporter(library, template).to_folder(due_folder, ids)
    assert sorted(set(rendered)) == sorted(ids)


def test_stamps_kept_under_another_template_are_not_trusted(library, annotated, tmp_path):
    ids, _plain = annotated
    folder = tmp_path / "vault"
    Exporter(library).to_folder(folder, ids)
    template = tmp_path / "mine.md.j2"
    template.write_text("Mine: {{ article.title }}\n")
    # Another template for one article only: the others' files still hold the first
    # template's output, and their stamps, as kept, must not vouch for them.
    Exporter(library, template).to_folder(folder, ids[:1])
    entries = json.loads((folder / MANIFEST).read_text())["articles"]
    assert [("change" in entries[str(i)]) for i in ids] == [True, False, False]
    report = Exporter(library, template).to_folder(folder, ids)
    assert len(report.written) == 2
    for path in folder.glob("*.md"):
        assert "\nMine: Rivers" in path.read_text() and "## Highlights" not in path.read_text()


def test_a_manifest_without_stamps_is_brought_up_to_date_without_rendering(
        library, annotated, tmp_path, rendered):
    """A folder exported before schema 12: its digests decide, once, and the stamps kept
    then spare the next export the digests."""
    ids, _plain = annotated
    folder = tmp_path / "vault"
    Exporter(library).to_folder(folder, ids)
    data = json.loads((folder / MANIFEST).read_text())
    del data["context"]
    for entry in data["articles"].values():
        del entry["change"]
    (folder / MANIFEST).write_text(json.dumps(data))
    rendered.clear()
    assert Exporter(library).to_folder(folder, ids).written == () and rendered == []
    entries = json.loads((folder / MANIFEST).read_text())["articles"]
    assert all(isinstance(entries[str(i)]["change"], int) for i in ids)
    statements = trace_statements(library)
    Exporter(library).to_folder(folder, ids)
    assert not [s for s in statements if "FROM highlight" in s]


def test_user_edits_outside_the_regions_survive_a_re_export(library, annotated, tmp_path):
    ids, _plain = annotated
    folder = tmp_path / "vault"
    path = Exporter(library).to_folder(folder, ids).written[0]
    path.write_text(path.read_text() + "\nMy own thoughts.\n")
    library.highlights.set_note(_first_highlight(library, ids[0]), "Changed.")
    report = Exporter(library).to_folder(folder, ids)
    assert report.written == (path,)
    text = path.read_text()
    assert "My own thoughts." in text and "Changed." in text


def test_a_library_copy_that_went_its_own_way_is_told_apart(library_path, write_file,
                                                             tmp_path):
    """A backup restored after an export, then changed: its changes are new ones, even
    when they are as many as those made after the backup (a counter would say the same)."""
    folder, backup = tmp_path / "vault", tmp_path / "backup.sqlite3"
    with Library.open(library_path) as library:
        (article_id,) = library.import_files([write_file("a.md", SOURCE.format(n=1))]).added
        highlight = library.highlights.create(article_id, 0, 6).highlight_id
        Exporter(library).to_folder(folder, [article_id])
        library.storage.database.execute_sql("VACUUM INTO ?", (str(backup),))
        library.highlights.set_note(highlight, "First thought.")
        (path,) = Exporter(library).to_folder(folder, [article_id]).written
    assert "First thought." in path.read_text()
    for suffix in ("-wal", "-shm"):
        library_path.with_name(library_path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(backup, library_path)
    with Library.open(library_path) as library:
        library.highlights.set_note(highlight, "Second thought.")
        assert Exporter(library).to_folder(folder, [article_id]).written == (path,)
    assert "Second thought." in path.read_text()


def _insert_rows(conn) -> None:
    """The same articles, tags and highlights, in SQL, into a library of schema 11 or 12."""
    for n in range(3):
        text = f"Rivers {n}\nThe river rose in the night.\nThe ferry stopped."
        conn.execute(
            "INSERT INTO article (title, author, source_format, source_text, text, content_hash,"
            " added_at, note) VALUES (?, 'Ana', 'markdown', ?, ?, ?, '2024-01-0' || ?, ?)",
            (f"Rivers {n}", f"# Rivers {n}\n\nThe river rose in the night.\n\nThe ferry "
             "stopped.\n", text, f"hash{n}", n + 1, "Why?" if n == 2 else ""))
        start = text.index("The river")
        conn.execute(
            'INSERT INTO highlight (article_id, start, "end", exact, colour, note, created_at,'
            " updated_at) VALUES (?, ?, ?, ?, 'green', ?, '2024-02-01', '2024-02-01')",
            (n + 1, start, start + 9, "The river", f"Note {n}"))
    conn.execute("INSERT INTO tag (name) VALUES ('water'), ('solo')")
    conn.execute("INSERT INTO highlight_tag (highlight_id, tag_id) VALUES (1, 1), (2, 1)")
    conn.execute("INSERT INTO article_tag (article_id, tag_id) VALUES (2, 2)")


def test_a_library_of_schema_11_is_stamped_and_exports_as_a_fresh_one(tmp_path, rendered):
    old_path, new_path = tmp_path / "old.sqlite3", tmp_path / "new.sqlite3"
    old = SqliteDatabase(str(old_path))
    with old.atomic():
        for step in MIGRATIONS[:11]:
            step(old)
        old.pragma("user_version", 11)
    old.close()
    conn = sqlite3.connect(old_path)
    _insert_rows(conn)
    conn.commit()
    conn.close()
    with Library.open(new_path) as fresh:
        _insert_rows(fresh.storage.database.connection())
        fresh.storage.database.connection().commit()
        fresh_files = Exporter(fresh).to_folder(tmp_path / "fresh", [1, 2, 3]).written
    with Library.open(old_path) as migrated:
        assert migrated.storage.database.pragma("user_version") == SCHEMA_VERSION
        stamps = _stamps(migrated)
        assert sorted(stamps) == [1, 2, 3] and len(set(stamps.values())) == 3
        folder = tmp_path / "migrated"
        files = Exporter(migrated).to_folder(folder, [1, 2, 3]).written
        assert [p.name for p in files] == [p.name for p in fresh_files]
        assert [_without_time(p.read_text()) for p in files] == \
            [_without_time(p.read_text()) for p in fresh_files]
        # The triggers work on the migrated file as on a fresh one.
        migrated.tags.rename("water", "rivers")
        rendered.clear()
        report = Exporter(migrated).to_folder(folder, [1, 2, 3])
        assert sorted(set(rendered)) == [1, 2] and report.written == tuple(files[:2])
        assert "rivers" in files[0].read_text()


def test_an_article_without_a_stamp_is_decided_by_its_digest(library, annotated, tmp_path,
                                                              rendered):
    """A stamp row gone missing (the table edited by hand) costs a digest, never a file:
    the article is still exported, and a file the user deleted is still not recreated."""
    ids, plain = annotated
    folder = tmp_path / "vault"
    paths = dict(zip(ids, Exporter(library).to_folder(folder, ids).written))
    paths[ids[0]].unlink()
    library.storage.database.execute_sql(
        f"DELETE FROM article_change WHERE article_id IN ({ids[0]}, {ids[1]}, {plain})")
    rendered.clear()
    report = Exporter(library).to_folder(folder, [*ids, plain])
    assert report.not_recreated == (paths[ids[0]],) and report.skipped == (plain,)
    assert sorted(report.unchanged) == sorted([paths[ids[1]], paths[ids[2]]])
    assert rendered == []
    library.highlights.set_note(_first_highlight(library, ids[1]), "Still followed.")
    assert Exporter(library).to_folder(folder, ids).written == (paths[ids[1]],)
