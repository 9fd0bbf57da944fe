"""`marginalia feeds …`: output and exit codes, against 127.0.0.1 only."""

from __future__ import annotations

import json

import pytest

from reader.cli.main import main
from reader.library import Library

SENTENCE = ("Rivers carry water from the hills down to the sea, and towns grow along "
            "their banks while boats move grain and timber to the markets.")
WORDS = " ".join([SENTENCE] * 12)


def rss(items: str = "") -> str:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>River Notes</title>'
            f"<link>/</link>{items}</channel></rss>")


ITEM = (f"<item><title>Deltas</title><link>/deltas</link><guid>d1</guid>"
        f"<description><![CDATA[<p>{WORDS}</p>]]></description></item>")


@pytest.fixture
def location(any_library_location):
    """Every test here runs on a SQLite file and on PostgreSQL (the --db it is given)."""
    return any_library_location


@pytest.fixture
def other(location, tmp_path, request):
    """Another new library on the same engine."""
    if location.startswith("postgresql://"):
        return request.getfixturevalue("new_pg_database")()
    return str(tmp_path / "other.sqlite3")


def run(location, *args: str) -> int:
    return main(["--db", str(location), "feeds", *args])


def test_add_list_refresh_remove(location, httpserver, capsys):
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(ITEM), content_type="application/rss+xml")
    url = httpserver.url_for("/feed.xml")
    assert run(location, "add", url) == 0
    out = capsys.readouterr().out
    assert "Subscribed to River Notes" in out and "1 new" in out

    assert run(location, "add", url) == 1
    assert "already subscribed" in capsys.readouterr().err

    assert run(location, "list") == 0
    assert capsys.readouterr().out.strip() == f"1\t1 unread\tRiver Notes\t{url}"
    assert run(location, "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["url"] == url and listed[0]["unread"] == 1

    assert run(location, "refresh", "1") == 0
    assert "0 new articles from 1 feeds" in capsys.readouterr().out

    assert run(location, "remove", url) == 0
    assert "its articles stay" in capsys.readouterr().out
    with Library.open(location) as library:
        assert library.feeds.list() == [] and library.articles.count() == 1
    assert run(location, "remove", "1") == 1
    assert capsys.readouterr().err.strip() == "marginalia: There is no feed 1."


def test_a_failing_refresh_exits_non_zero_with_one_line(location, capsys):
    with Library.open(location) as library:
        library.feeds.add("https://feeds.invalid/rss", title="Gone")
    assert run(location, "refresh") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["marginalia: Gone: the host name could not be found"]
    assert run(location, "list") == 0
    assert "[error: the host name could not be found]" in capsys.readouterr().out


def test_a_bad_address_is_one_line_and_status_1(location, capsys):
    assert run(location, "add", "ftp://example.com/feed") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only http and https" in err


def test_opml_export_and_import(location, other, tmp_path, capsys):
    with Library.open(location) as library:
        library.feeds.add("https://rivers.example/feed.xml", title="Rivers")
        library.feeds.add("https://canals.example/atom")
    out_file = tmp_path / "feeds.opml"
    assert run(location, "export-opml", str(out_file)) == 0
    assert "Wrote 2 feeds" in capsys.readouterr().out
    assert run(other, "import-opml", str(out_file)) == 0
    assert capsys.readouterr().out.strip() == "2 feeds added."
    assert run(other, "import-opml", str(out_file)) == 0
    assert "2 already subscribed" in capsys.readouterr().out
    assert run(other, "import-opml", str(tmp_path / "missing.opml")) == 1
    assert "missing.opml" in capsys.readouterr().err
    bad = tmp_path / "bad.opml"
    bad.write_text("<html>no</html>")
    assert run(other, "import-opml", str(bad)) == 1
    assert "not an OPML" in capsys.readouterr().err
    assert run(location, "export-opml", str(tmp_path / "no" / "such" / "dir.opml")) == 1
    assert "cannot be written" in capsys.readouterr().err


def test_feeds_without_an_action_is_a_usage_error(location, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(location)
    assert exit_info.value.code == 2
