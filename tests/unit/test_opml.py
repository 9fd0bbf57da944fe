"""OPML subscription lists in and out of the library (reader.web.opml); nothing is fetched."""

from __future__ import annotations

import socket
from xml.etree import ElementTree

import pytest

from reader.library import Library
from reader.web.opml import OpmlError


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


SAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Rivers">
      <outline type="rss" text="River Notes" title="River Notes"
               xmlUrl="https://rivers.example/feed.xml" htmlUrl="https://rivers.example/"/>
      <outline type="rss" text="Canals &amp; Locks" xmlURL="https://canals.example/atom"/>
    </outline>
    <outline type="rss" text="Broken one" xmlUrl="ftp://old.example/feed"/>
    <outline type="rss" text="Dup" xmlUrl="HTTPS://rivers.example/feed.xml#again"/>
    <outline type="rss" title="Estuary" xmlUrl="https://estuary.example/feed.json?utm_source=x"/>
  </body>
</opml>
"""


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Importing a list never fetches: any lookup of a name fails the test."""

    def getaddrinfo(host, *args, **kwargs):
        raise AssertionError(f"tried to reach {host}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_an_opml_list_is_imported_without_fetching(library):
    report = library.feeds.import_opml(SAMPLE)
    assert len(report.added) == 3
    assert report.duplicates == ("https://rivers.example/feed.xml",)
    assert [(p.path, "ftp" in p.reason) for p in report.problems] == [("Broken one", True)]
    feeds = {f.url: f for f in library.feeds.list()}
    assert set(feeds) == {"https://rivers.example/feed.xml", "https://canals.example/atom",
                          "https://estuary.example/feed.json"}
    assert feeds["https://canals.example/atom"].title == "Canals & Locks"
    assert feeds["https://estuary.example/feed.json"].title == "Estuary"
    assert all(f.checked_at is None for f in feeds.values())  # due at the next refresh
    assert set(library.feeds.due()) == {f.id for f in feeds.values()}
    assert "3 feeds added" in report.summary()


def test_importing_the_same_list_twice_adds_nothing(library):
    library.feeds.import_opml(SAMPLE)
    again = library.feeds.import_opml(SAMPLE)
    assert again.added == () and len(again.duplicates) == 4


def test_a_file_that_is_not_opml_is_refused(library):
    with pytest.raises(OpmlError, match="not an OPML"):
        library.feeds.import_opml(b"<html><body>hello</body></html>")
    with pytest.raises(OpmlError):
        library.feeds.import_opml(b"\x00\x01 binary")
    assert library.feeds.list() == []


def test_export_then_import_into_a_fresh_library_gives_the_same_feeds(library, tmp_path):
    library.feeds.add("https://rivers.example/feed.xml", title='Rivers <&> "quoted"')
    library.feeds.add("https://canals.example/atom?a=1&b=2", site_url="https://canals.example/")
    library.feeds.add("https://estuary.example/feed.json")
    data = library.feeds.export_opml()
    root = ElementTree.fromstring(data)  # well-formed, escaped
    assert root.tag == "opml" and root.get("version") == "2.0"
    outlines = root.findall("./body/outline")
    assert {o.get("xmlUrl") for o in outlines} == {f.url for f in library.feeds.list()}
    assert 'Rivers <&> "quoted"' in {o.get("text") for o in outlines}

    with Library.open(tmp_path / "other.sqlite3") as fresh:
        report = fresh.feeds.import_opml(data)
        assert len(report.added) == 3 and not report.problems
        assert ([(f.url, f.title) for f in fresh.feeds.list()]
                == [(f.url, f.title) for f in library.feeds.list()])
        titles = {f.url: f.title for f in fresh.feeds.list()}
        assert titles["https://rivers.example/feed.xml"] == 'Rivers <&> "quoted"'
