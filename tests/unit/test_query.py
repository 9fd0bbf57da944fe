"""The query language: its grammar (any text, printed forms), each field against a library
built here, and one SQL statement per query."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.query.syntax import And, Field, Not, Or, Text, is_query, parse
from reader.query.values import date_interval, number_interval

# --- the grammar --------------------------------------------------------------------------
QUERY_CHARS = st.sampled_from(list('abc xyz-():"OR tag:is:sort:-#é\t\n') + ["OR", " OR "])


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60) | st.lists(QUERY_CHARS, max_size=25).map("".join))
def test_any_text_is_a_query_and_its_printed_form_reads_the_same(text):
    parsed = parse(text)
    again = parse(parsed.printed())
    assert again.tree == parsed.tree
    assert again.messages == () or parsed.messages  # a clean printed form needs no mending


def test_the_shape_of_a_query():
    parsed = parse('river -tag:later (colour:pink OR colour:"key claim") added:<2w')
    assert parsed.tree == And((
        Text("river"), Not(Field("tag", "later")),
        Or((Field("colour", "pink"), Field("colour", "key claim"))),
        Field("added", "<2w")))
    assert parsed.messages == ()


@pytest.mark.parametrize(("text", "printed", "message"), [
    ("a OR", "a", "an OR with nothing on one side"),
    ("((a b", "a b", "'(' not closed"),
    ("a) b", "a b", "closes nothing"),
    ('"open phrase', '"open phrase"', "not closed"),
    ("x -", "x", "'-' before nothing"),
])
def test_what_the_grammar_cannot_take_is_mended_and_said(text, printed, message):
    parsed = parse(text)
    assert parsed.printed() == printed
    assert any(message in m for m in parsed.messages)


def test_and_binds_tighter_than_or():
    assert parse("a OR b c").tree == Or((Text("a"), And((Text("b"), Text("c")))))
    assert parse("(a OR b) c").printed() == "(a OR b) c"


def test_plain_words_are_not_a_query():
    assert not is_query("rail line") and not is_query("well-known U.S. 9:30")
    assert is_query("tag:x") and is_query("a OR b") and is_query("-word") and is_query("(a)")


def test_dates_and_numbers():
    now = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
    assert date_interval("2024-08", now) == ("2024-08-01", "2024-09-01")
    assert date_interval("2024-12", now) == ("2024-12-01", "2025-01-01")
    assert date_interval("2024-01..2024-06", now) == ("2024-01-01", "2024-07-01")
    assert date_interval("<2w", now) == ("2026-11-23T12:00:00+00:00", None)
    assert date_interval(">1y", now) == (None, "2025-12-07T12:00:00+00:00")
    assert date_interval(">2023", now) == ("2024-01-01", None)
    assert number_interval(">2000") == (2001, None)
    assert number_interval("500..1500") == (500, 1501)
    for bad in ("2024-13", "yesterday", "2024-06..2024-01"):
        with pytest.raises(ValueError):
            date_interval(bad, now)


# --- the fields, against a library ------------------------------------------------------
@pytest.fixture
def library(any_library):
    """The tests of a library run on a SQLite file and on PostgreSQL."""
    return any_library


@pytest.fixture
def shelf(library, write_file):
    """Five articles with the fields the language reads."""
    def add(name, front, body):
        path = write_file(name, f"---\n{front}\n---\n\n{body}\n")
        report = library.import_files([path])
        return report.added[0]

    long_body = " ".join(["word"] * 2500)
    ids = {
        "rivers": add("rivers.md", "title: Rivers of Europe\nauthor: Ann Lee\n"
                      "published: 2024-08-07\nurl: https://www.example.com/rivers\n"
                      "tags: [geo/rivers, travel]", "The Danube and the Rhine carry barges."),
        "bridges": add("bridges.md", "title: Bridges\nauthor: Bo Chen\npublished: 2023-03-01\n"
                       "url: https://news.example.org/bridges", "Bridges cross rivers. " + long_body),
        "salt": add("salt.md", "title: Salt\nauthor: Ann Lee\npublished: 2022-01-15",
                    "Salt was traded along rivers for centuries."),
        "tea": add("tea.md", "title: Tea\nauthor: Cy Dora", "Tea arrived by sea."),
        "kept": add("kept.md", "title: Kept\nauthor: Di Eve", "An archived one about rivers."),
    }
    a = library.articles
    a.set_archived(ids["kept"], True)
    a.set_read(ids["salt"], True)
    a.set_position(ids["bridges"], 10, 40)
    a.set_note(ids["tea"], "A note on tea.")
    text = a.text(ids["salt"])
    start = text.index("traded")
    mark = library.highlights.create(ids["salt"], start, start + 6, "pink").highlight_id
    library.highlights.set_tags(mark, ["trade"])
    text = a.text(ids["rivers"])
    start = text.index("Danube")
    library.highlights.create(ids["rivers"], start, start + 6, "blue")
    library.colours.rename("pink", "key claim")
    storage = library.storage
    with storage.write():
        storage.run("UPDATE article SET added_at = ? WHERE id = ?",
                    ("2020-01-01T00:00:00+00:00", ids["tea"]))
        storage.run("UPDATE article SET revised_at = ? WHERE id = ?",
                    ("2025-01-01T00:00:00+00:00", ids["bridges"]))
        feed = storage.models.Feed.insert(url="https://example.org/feed.xml",
                                          title="Example News").execute()
        storage.run("UPDATE article SET feed_id = ? WHERE id = ?", (feed, ids["bridges"]))
    library.query.now = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
    return ids


def found(library, shelf, query, **options):
    names = {v: k for k, v in shelf.items()}
    return sorted(names[i] for i in library.query.articles(query, archived=None, **options).ids)


@pytest.mark.parametrize(("query", "expected"), [
    ("rivers", ["bridges", "kept", "rivers", "salt"]),
    ("rivers -tag:travel", ["bridges", "kept", "salt"]),
    ("tag:geo", ["rivers"]),  # a parent tag takes its nested tags
    ("tag:geo/rivers", ["rivers"]),
    ("tag:trade", ["salt"]),  # a tag on a highlight counts for its article
    ("colour:pink", ["salt"]),
    ('colour:"key claim"', ["salt"]),  # the colour's name
    ("color:blue", ["rivers"]),
    ("has:highlights", ["rivers", "salt"]),
    ("has:note", ["tea"]),
    ("is:unread -is:archived", ["bridges", "rivers", "tea"]),
    ("is:read", ["salt"]),
    ("is:archived", ["kept"]),
    ("is:revised", ["bridges"]),
    ("author:lee", ["rivers", "salt"]),
    ("site:example.com", ["rivers"]),
    ("site:example.org", ["bridges"]),
    ("feed:example", ["bridges"]),
    ("has:feed", ["bridges"]),
    ("published:2024-08", ["rivers"]),
    ("published:2022..2023", ["bridges", "salt"]),
    ("published:>2023", ["rivers"]),
    ("added:<2w", ["bridges", "kept", "rivers", "salt"]),
    ("added:>1y", ["tea"]),
    ("words:>2000", ["bridges"]),
    ("progress:<50 progress:>30", ["bridges"]),
    ("(author:lee OR author:chen) -is:read", ["bridges", "rivers"]),
    ('"carry barges"', ["rivers"]),
    ("-(tag:travel OR is:archived) rivers", ["bridges", "salt"]),
])
def test_each_field(library, shelf, query, expected):
    assert found(library, shelf, query) == expected
    assert library.query.count(query) == len(expected)


def test_sort_and_descending(library, shelf):
    names = {v: k for k, v in shelf.items()}
    by = [names[i] for i in library.query.articles("-is:archived sort:published").ids]
    assert by == ["salt", "bridges", "rivers", "tea"]  # oldest first, no date last
    by = [names[i] for i in library.query.articles("author:lee sort:-title").ids]
    assert by == ["salt", "rivers"]


def test_what_cannot_be_read_is_said_and_the_rest_still_runs(library, shelf):
    result = library.query.articles("author:lee published:2024-13 shape:round",
                                    archived=None)
    assert sorted(result.ids) == sorted([shelf["rivers"], shelf["salt"]])
    assert any("published:2024-13" in m and "not a date" in m for m in result.messages)
    assert any("shape: is not a field" in m for m in result.messages)
    assert library.query.articles("colour:mauve", archived=None).messages
    # a term left out takes no part, excluded or not
    assert found(library, shelf, "-shape:round author:lee") == ["rivers", "salt"]
    assert found(library, shelf, "author:chen OR published:2024-13") == ["bridges"]


@pytest.mark.sqlite_only("Tracing SQLite's statements")
def test_a_query_is_one_sql_statement(library, shelf):
    statements = []
    connection = library.storage.database.connection()
    connection.set_trace_callback(statements.append)
    try:
        library.query.articles('rivers tag:geo (colour:blue OR is:revised) added:<2w '
                               'words:>1 site:example.com -feed:x sort:-added', limit=50)
    finally:
        connection.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # the colour names (read once), then the one query
    assert "FROM article a" in selects[-1] and "LIMIT" in selects[-1]


def test_the_search_box_takes_the_query_language(library, shelf):
    a = library.articles
    assert a.ids(search="tag:geo") == [shelf["rivers"]]
    assert set(a.ids(search="author:lee")) == {shelf["rivers"], shelf["salt"]}
    assert a.ids(search="is:archived") == [shelf["kept"]]  # the query says: the archive
    assert set(a.ids(search="rivers -tag:travel")) == {shelf["bridges"], shelf["salt"]}
    assert a.ids(search="author:lee", tag="travel") == [shelf["rivers"]]


def test_highlights_by_query(library, shelf):
    hits = library.query.highlights("colour:pink").ids
    assert len(hits) == 1 and library.highlights.get(hits[0]).exact == "traded"
    assert len(library.query.highlights("author:lee").ids) == 2
    assert len(library.query.highlights("tag:trade").ids) == 1
    assert len(library.query.highlights("danube").ids) == 1


def test_the_command_line_takes_queries(library, shelf, library_path, capsys):
    from reader.cli.main import main

    db = library.url or str(library_path)  # the test server's URL holds no password
    library.close()
    assert main(["--db", db, "list", "--json", "--query", "author:lee sort:title"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert [r["title"] for r in rows] == ["Rivers of Europe", "Salt"]
    assert main(["--db", db, "list", "--query", "published:2024-13"]) == 0
    assert "query: published:2024-13" in capsys.readouterr().err
    assert main(["--db", db, "search", "colour:pink OR tag:travel"]) == 0
    out = capsys.readouterr().out
    assert "2 articles" in out and "Rivers of Europe" in out and "Salt" in out
    assert "2 highlights" in out and "traded" in out and "Danube" in out


def test_export_takes_a_query(library, shelf, library_path, tmp_path, capsys):
    from reader.cli.main import main

    db = library.url or str(library_path)  # the test server's URL holds no password
    library.close()
    out = tmp_path / "vault"
    assert main(["--db", db, "export", "--out", str(out), "--query",
                 "colour:pink OR colour:blue"]) == 0
    written = sorted(p.name for p in out.glob("*.md"))
    assert len(written) == 2 and any("Salt" in n for n in written)
    assert any("Rivers" in n for n in written)
    assert main(["--db", db, "export", "--stdout", "--query", "tag:trade"]) == 0
    text = capsys.readouterr().out
    assert "Salt" in text and "Rivers of Europe" not in text
