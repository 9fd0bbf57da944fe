"""Feeds (reader.web.feeds): subscribing, refreshing, removing; served from 127.0.0.1 only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug import Request, Response

from reader.library import Library, LibraryError
from reader.web.feed_refresh import FULL_TEXT_WORDS, backoff_minutes
from reader.web.feedparse import FeedError


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


SENTENCES = [
    "Rivers carry water from the hills down to the sea, and towns grow along their banks.",
    "The water brings trade, food and power for the mills that line the shore.",
    "In spring the floods spread silt over the fields and the harvest is richer for it.",
    "Boats once moved grain and timber downstream long before the railways came.",
    "Bridges were built where the river narrowed, and markets grew at each crossing.",
]


def long_text(topic: str, paragraphs: int = 8) -> list[str]:
    """Paragraphs about a topic: well over FULL_TEXT_WORDS words in all."""
    return [f"{topic} note {n}. " + " ".join(SENTENCES) for n in range(paragraphs)]


def html_paragraphs(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def article_page(title: str, paragraphs: list[str]) -> str:
    return (f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{html_paragraphs(paragraphs)}</article></body></html>")


def rss2(items: list[str], title: str = "River Notes") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>{title}</title>
  <link>/blog/</link>
  <atom:link href="/feed.xml" rel="self" type="application/rss+xml"/>
  <description>Notes on rivers</description>
  {''.join(items)}
</channel>
</rss>"""


def rss2_item(guid: str, title: str, link: str, content: str | None = None,
              description: str = "A short teaser.") -> str:
    encoded = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
    return f"""<item>
    <title>{title}</title>
    <link>{link}</link>
    <guid isPermaLink="false">{guid}</guid>
    <dc:creator>Ada Lovelace</dc:creator>
    <pubDate>Tue, 06 Aug 2024 10:00:00 GMT</pubDate>
    <description><![CDATA[<p>{description}</p>]]></description>
    {encoded}
  </item>"""




class ConditionalFeed:
    """A feed served with an ETag and Last-Modified that answers 304 when they match;
    `requests` holds the headers of every request it saw."""

    def __init__(self, body: str, content_type: str = "application/rss+xml") -> None:
        self.body = body
        self.content_type = content_type
        self.version = 1
        self.requests: list[dict[str, str]] = []

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    last_modified = "Tue, 06 Aug 2024 10:00:00 GMT"

    def update(self, body: str) -> None:
        self.body = body
        self.version += 1
        self.last_modified = "Wed, 07 Aug 2024 10:00:00 GMT"

    def __call__(self, request: Request) -> Response:
        self.requests.append(dict(request.headers))
        headers = {"ETag": self.etag, "Last-Modified": self.last_modified}
        if request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers=headers)
        return Response(self.body, content_type=f"{self.content_type}; charset=utf-8",
                        headers=headers)


def serve_page(httpserver, path: str, html: str) -> str:
    httpserver.expect_request(path).respond_with_data(html, content_type="text/html")
    return httpserver.url_for(path)


def article_count(library: Library) -> int:
    return library.articles.count()


# --- the four formats --------------------------------------------------------------------

def test_rss2_full_content_becomes_an_unread_article_of_the_feed(library, httpserver):
    content = html_paragraphs(long_text("Deltas")) + (
        '<p>See the <a href="/maps/delta">map of the delta</a> for the channels, the sand '
        'banks and the old harbour walls that the river buried long ago.</p>')
    feed = rss2([rss2_item("tag:rivers,2024:1", "Deltas and their silt",
                           httpserver.url_for("/blog/deltas?utm_source=rss"), content)])
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml")
    feed_id = library.feeds.subscribe(httpserver.url_for("/feed.xml"))
    record = library.feeds.get(feed_id)
    assert record.title == "River Notes"
    assert record.site_url == httpserver.url_for("/blog/")

    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 1 and not report.problems
    assert report.changes().article_list
    article = library.articles.get(report.added[0])
    assert article.title == "Deltas and their silt"
    assert article.url == httpserver.url_for("/blog/deltas")  # normalised: no utm_*
    assert not article.read and article.tags == ()
    assert "Deltas note 7" in library.articles.text(article.id)
    assert f'href="{httpserver.url_for("/maps/delta")}"' in library.articles.source(article.id)
    assert library.feeds.article_ids(feed_id) == [article.id]
    assert library.feeds.get(feed_id).unread == 1
    # Only the feed was fetched: its content was the whole article.
    assert [r.path for r, _ in httpserver.log] == ["/feed.xml", "/feed.xml"]


def test_rss1_feed(library, httpserver):
    content = html_paragraphs(long_text("Weirs"))
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/"
         xmlns:content="http://purl.org/rss/1.0/modules/content/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="{httpserver.url_for('/rdf')}">
    <title>Weir Watch</title>
    <link>{httpserver.url_for('/')}</link>
    <description>Weirs</description>
    <items><rdf:Seq><rdf:li rdf:resource="{httpserver.url_for('/weirs/1')}"/></rdf:Seq></items>
  </channel>
  <item rdf:about="{httpserver.url_for('/weirs/1')}">
    <title>How a weir works</title>
    <link>{httpserver.url_for('/weirs/1')}</link>
    <dc:date>2024-08-06T10:00:00Z</dc:date>
    <dc:creator>Brunel</dc:creator>
    <content:encoded><![CDATA[{content}]]></content:encoded>
  </item>
</rdf:RDF>"""
    httpserver.expect_request("/rdf").respond_with_data(feed, content_type="application/rdf+xml")
    feed_id = library.feeds.subscribe(httpserver.url_for("/rdf"))
    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 1
    article = library.articles.get(report.added[0])
    assert article.title == "How a weir works"
    assert article.url == httpserver.url_for("/weirs/1")
    assert article.published == "2024-08-06"
    assert library.feeds.get(feed_id).title == "Weir Watch"


def test_atom_feed_with_relative_links_and_xhtml_content(library, httpserver):
    paragraphs = "".join(f"<p>{p}</p>" for p in long_text("Locks"))
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{httpserver.url_for('/atom/')}">
  <title type="text">Canal Log</title>
  <link rel="alternate" href="/canals/"/>
  <link rel="self" href="feed.atom"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-08-06T10:00:00Z</updated>
  <entry>
    <title>Locks, &amp; how they lift boats</title>
    <link rel="alternate" type="text/html" href="posts/locks"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2024-08-06T10:00:00Z</updated>
    <author><name>Thomas Telford</name></author>
    <summary>Short.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}
      <p>See the <a href="../maps/lock">drawing of a lock</a> for the gates, the paddles
      and the chamber that fills as the boat waits inside it.</p></div></content>
  </entry>
</feed>"""
    httpserver.expect_request("/atom/feed.atom").respond_with_data(
        feed, content_type="application/atom+xml")
    feed_id = library.feeds.subscribe(httpserver.url_for("/atom/feed.atom"))
    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 1, report.problems
    article = library.articles.get(report.added[0])
    assert article.title == "Locks, & how they lift boats"
    assert article.url == httpserver.url_for("/atom/posts/locks")
    assert article.author == "Thomas Telford"
    assert f'href="{httpserver.url_for("/maps/lock")}"' in library.articles.source(article.id)
    assert library.feeds.get(feed_id).site_url == httpserver.url_for("/canals/")


def test_json_feed(library, httpserver):
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Estuary Journal",
        "home_page_url": httpserver.url_for("/estuary/"),
        "feed_url": httpserver.url_for("/estuary/feed.json"),
        "authors": [{"name": "Rachel Carson"}],
        "items": [
            {"id": "1", "url": "posts/tides", "title": "Tides",
             "content_html": html_paragraphs(long_text("Tides")),
             "date_published": "2024-08-06T10:00:00+02:00"},
            {"id": "2", "url": "posts/salt", "title": "Salt marshes",
             "content_text": "\n\n".join(long_text("Marsh"))},
        ],
    }
    httpserver.expect_request("/estuary/feed.json").respond_with_data(
        json.dumps(feed), content_type="application/feed+json")
    feed_id = library.feeds.subscribe(httpserver.url_for("/estuary/feed.json"))
    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 2, report.problems
    by_title = {library.articles.get(a).title: library.articles.get(a) for a in report.added}
    assert by_title["Tides"].url == httpserver.url_for("/estuary/posts/tides")
    assert by_title["Tides"].author == "Rachel Carson"
    assert by_title["Tides"].published == "2024-08-06"
    assert "Marsh note 3" in library.articles.text(by_title["Salt marshes"].id)
    # The feed's first entry is its newest: it is the newest article.
    assert library.articles.ids()[0] == by_title["Tides"].id


def test_json_that_is_no_json_feed_is_refused(library, httpserver):
    httpserver.expect_request("/data.json").respond_with_data(
        '{"hello": "world"}', content_type="application/json")
    with pytest.raises(FeedError, match="not a feed"):
        library.feeds.subscribe(httpserver.url_for("/data.json"))
    assert library.feeds.list() == []


# --- subscribing ---------------------------------------------------------------------------

def test_a_page_naming_its_feed_subscribes_to_the_feed(library, httpserver):
    page = ("<!doctype html><html><head><title>Blog</title>"
            '<link rel="stylesheet" href="/style.css">'
            '<link rel="alternate" type="application/rss+xml" title="RSS" href="../feeds/rss">'
            "</head><body><p>Hello</p></body></html>")
    serve_page(httpserver, "/blog/index.html", page)
    httpserver.expect_request("/feeds/rss").respond_with_data(
        rss2([]), content_type="text/xml")
    feed_id = library.feeds.subscribe(httpserver.url_for("/blog/index.html"))
    assert library.feeds.get(feed_id).url == httpserver.url_for("/feeds/rss")


def test_a_page_naming_no_feed_is_refused(library, httpserver):
    serve_page(httpserver, "/plain", article_page("Plain", ["Nothing to follow here."]))
    with pytest.raises(FeedError, match="no feed found"):
        library.feeds.subscribe(httpserver.url_for("/plain"))


def test_a_duplicate_subscription_is_refused_in_any_spelling(library, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss2([]), content_type="application/rss+xml")
    library.feeds.subscribe(httpserver.url_for("/feed.xml"))
    other_spelling = httpserver.url_for("/feed.xml").replace("localhost", "LOCALHOST") + "#x"
    with pytest.raises(FeedError, match="already subscribed"):
        library.feeds.subscribe(other_spelling)
    with pytest.raises(FeedError, match="already subscribed"):
        library.feeds.add(httpserver.url_for("/feed.xml") + "?utm_source=x")
    assert len(library.feeds.list()) == 1


def test_an_address_that_is_not_http_is_refused(library):
    with pytest.raises(FeedError, match="only http and https"):
        library.feeds.add("ftp://example.com/feed")


# --- refreshing ----------------------------------------------------------------------------

def test_an_unchanged_feed_is_asked_for_conditionally_and_saves_nothing(library, httpserver):
    server = ConditionalFeed(rss2([rss2_item(
        "a1", "Deltas", httpserver.url_for("/deltas"),
        html_paragraphs(long_text("Deltas")))]))
    httpserver.expect_request("/feed.xml").respond_with_handler(server)
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    first = library.feeds.refresh([feed_id])
    assert len(first.added) == 1
    before = library.feeds.get(feed_id)
    assert before.title == "River Notes"

    second = library.feeds.refresh([feed_id])
    assert second.outcomes[0].status == "not_modified"
    assert second.added == () and second.changes().article_list is False
    seen = server.requests[-1]
    assert seen["If-None-Match"] == '"v1"'
    assert seen["If-Modified-Since"] == "Tue, 06 Aug 2024 10:00:00 GMT"
    assert article_count(library) == 1
    assert library.storage.rows("SELECT count(*) FROM feed_entry")[0][0] == 1
    assert library.storage.rows("SELECT etag, last_modified FROM feed")[0] == (
        '"v1"', "Tue, 06 Aug 2024 10:00:00 GMT")


def test_a_new_entry_on_the_next_refresh_adds_exactly_one_article(library, httpserver):
    first_item = rss2_item("a1", "Deltas", httpserver.url_for("/deltas"),
                           html_paragraphs(long_text("Deltas")))
    server = ConditionalFeed(rss2([first_item]))
    httpserver.expect_request("/feed.xml").respond_with_handler(server)
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    library.feeds.refresh([feed_id])
    server.update(rss2([rss2_item("a2", "Weirs", httpserver.url_for("/weirs"),
                                  html_paragraphs(long_text("Weirs"))), first_item]))
    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 1
    assert library.articles.get(report.added[0]).title == "Weirs"
    assert article_count(library) == 2
    assert library.feeds.get(feed_id).unread == 2
    # The entry already brought in is not imported again, even after its article is gone.
    library.articles.delete(report.added[0])
    server.update(server.body)
    assert library.feeds.refresh([feed_id]).added == ()


def test_a_summary_only_entry_fetches_its_page(library, httpserver):
    page_url = serve_page(httpserver, "/posts/silt", article_page("Silt", long_text("Silt", 3)))
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss2([rss2_item("s1", "Silt", "/posts/silt", description="Silt, briefly.")]),
        content_type="application/rss+xml")
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 1, report.problems
    article = library.articles.get(report.added[0])
    assert article.url == page_url
    assert "Silt note 2" in library.articles.text(article.id)
    assert "/posts/silt" in [r.path for r, _ in httpserver.log]


def test_an_entry_whose_page_is_in_the_library_is_linked_not_duplicated(library, httpserver):
    from reader.web import save_page

    page_url = serve_page(httpserver, "/posts/silt", article_page("Silt", long_text("Silt", 3)))
    saved = save_page(library, page_url)
    library.articles.set_read(saved.article_id, True)
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss2([rss2_item("s1", "Silt", page_url)]), content_type="application/rss+xml")
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    report = library.feeds.refresh([feed_id])
    assert report.added == () and report.outcomes[0].linked == (saved.article_id,)
    assert article_count(library) == 1
    assert library.feeds.article_ids(feed_id) == [saved.article_id]
    assert library.articles.get(saved.article_id).read  # left as it was


def test_an_entry_whose_page_cannot_be_fetched_now_is_tried_again(library, httpserver):
    attempts = []

    def flaky(request):
        attempts.append(1)
        if len(attempts) == 1:
            return Response("busy", status=503)
        return Response(article_page("Silt", long_text("Silt", 3)), content_type="text/html")

    httpserver.expect_request("/posts/silt").respond_with_handler(flaky)
    server = ConditionalFeed(rss2([rss2_item("s1", "Silt", "/posts/silt")]))
    httpserver.expect_request("/feed.xml").respond_with_handler(server)
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    first = library.feeds.refresh([feed_id])
    assert first.added == () and "503" in first.problems[0]
    assert library.feeds.get(feed_id).error == ""  # the feed itself was read
    second = library.feeds.refresh([feed_id])
    assert "If-None-Match" not in server.requests[-1]  # validators kept back for the retry
    assert len(second.added) == 1


def test_a_failing_feed_backs_off_and_a_success_resets_it(library, httpserver):
    state = {"up": False}

    def handler(request):
        if not state["up"]:
            return Response("down for maintenance", status=500)
        return Response(rss2([]), content_type="application/rss+xml")

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    gaps = []
    for n in range(1, 6):
        report = library.feeds.refresh([feed_id], interval_minutes=60, now=now)
        assert report.outcomes[0].status == "failed"  # recorded, never raised
        record = library.feeds.get(feed_id)
        assert record.failures == n
        assert "500" in record.error and "\n" not in record.error
        gaps.append(datetime.fromisoformat(record.next_check_at) - now)
    assert gaps == [timedelta(minutes=m) for m in (120, 240, 480, 960, 1440)]
    assert backoff_minutes(10, 60) == 24 * 60
    # Not due before its time; due after.
    assert library.feeds.due(now + timedelta(minutes=1000)) == []
    assert library.feeds.refresh(now=now + timedelta(minutes=1000)).outcomes == ()
    state["up"] = True
    later = now + timedelta(minutes=1441)
    assert library.feeds.due(later) == [feed_id]
    report = library.feeds.refresh(now=later, interval_minutes=60)
    assert report.outcomes[0].status == "updated"
    record = library.feeds.get(feed_id)
    assert (record.failures, record.error) == (0, "")
    assert datetime.fromisoformat(record.next_check_at) - later == timedelta(minutes=60)


def test_an_unreachable_feed_is_a_recorded_failure(library):
    feed_id = library.feeds.add("https://feeds.invalid/rss")
    report = library.feeds.refresh()
    assert report.outcomes[0].status == "failed"
    assert "host name could not be found" in library.feeds.get(feed_id).error
    assert report.changes().article_list is False


def test_many_unchanged_feeds_are_cheap(library, httpserver):
    server = ConditionalFeed(rss2([]))
    httpserver.expect_request("/feed.xml").respond_with_handler(server)
    ids = [library.feeds.add(httpserver.url_for("/feed.xml") + f"?n={n}") for n in range(30)]
    library.feeds.refresh(ids)
    report = library.feeds.refresh(ids)
    assert {o.status for o in report.outcomes} == {"not_modified"}
    assert [o.feed_id for o in report.outcomes] == ids
    assert all("If-None-Match" in r for r in server.requests[30:])


def test_a_refresh_from_a_worker_thread(library, httpserver):
    import threading

    httpserver.expect_request("/feed.xml").respond_with_data(
        rss2([rss2_item("a1", "Deltas", "/d", html_paragraphs(long_text("Deltas")))]),
        content_type="application/rss+xml")
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    result = {}

    def work():
        try:
            result["report"] = library.feeds.refresh()
        finally:
            library.release_thread()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert len(result["report"].added) == 1
    assert library.feeds.get(feed_id).unread == 1


# --- removing and listing ------------------------------------------------------------------

def test_removing_a_feed_keeps_its_articles_and_highlights(library, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss2([rss2_item("a1", "Deltas", "/d", html_paragraphs(long_text("Deltas")))]),
        content_type="application/rss+xml")
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    article_id = library.feeds.refresh().added[0]
    text = library.articles.text(article_id)
    start = text.index("Rivers carry water")
    library.highlights.create(article_id, start, start + 12)
    changes = library.feeds.remove(feed_id)
    assert changes.article_list
    assert library.feeds.list() == []
    assert library.articles.exists(article_id)
    assert len(library.highlights.for_article(article_id)) == 1
    assert library.storage.rows("SELECT feed_id FROM article")[0][0] is None
    with pytest.raises(LibraryError):
        library.feeds.remove(feed_id)


def test_the_list_counts_unread_articles_per_feed(library, httpserver):
    for name in ("a", "b"):
        items = [rss2_item(f"{name}{n}", f"{name} {n}", f"/{name}/{n}",
                           html_paragraphs(long_text(f"{name}{n}"))) for n in range(3)]
        httpserver.expect_request(f"/{name}.xml").respond_with_data(
            rss2(items, title=f"Feed {name}"), content_type="application/rss+xml")
        library.feeds.add(httpserver.url_for(f"/{name}.xml"))
    library.feeds.refresh()
    first, _second = library.feeds.list()
    library.articles.set_read(library.feeds.article_ids(first.id)[0], True)
    counts = {r.title: r.unread for r in library.feeds.list()}
    assert counts == {"Feed a": 2, "Feed b": 3}
    assert library.feeds.find(str(first.id)) == first.id
    assert library.feeds.find(first.url.replace("localhost", "LocalHost") + "#top") == first.id
    assert library.feeds.find("12345") is None
    assert library.feeds.find(first.url) == first.id


def test_a_long_description_is_the_whole_article_and_a_short_one_is_not(library, httpserver):
    long_description = " ".join(long_text("Fords", 5))
    assert len(long_description.split()) >= FULL_TEXT_WORDS
    serve_page(httpserver, "/short", article_page("Short one", long_text("Page", 3)))
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss2([rss2_item("l", "Long one", "/long", description=long_description),
              rss2_item("s", "Short one", "/short", description="Only a teaser.")]),
        content_type="application/rss+xml")
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 2, report.problems
    paths = [r.path for r, _ in httpserver.log]
    assert "/short" in paths and "/long" not in paths


def test_discovery_takes_the_first_feed_that_can_be_read(library, httpserver):
    page = ("<html><head><base href='/site/'>"
            '<link rel="alternate" type="application/atom+xml" href="broken.atom">'
            '<link rel="alternate" type="application/rss+xml" href="feed.rss">'
            "</head><body></body></html>")
    serve_page(httpserver, "/site/", page)
    httpserver.expect_request("/site/broken.atom").respond_with_data("gone", status=404)
    httpserver.expect_request("/site/feed.rss").respond_with_data(
        rss2([]), content_type="application/rss+xml")
    feed_id = library.feeds.subscribe(httpserver.url_for("/site/"))
    assert library.feeds.get(feed_id).url == httpserver.url_for("/site/feed.rss")


def test_a_json_feed_1_0_with_a_single_author(library, httpserver):
    feed = {"version": "https://jsonfeed.org/version/1", "title": "Old style",
            "author": {"name": "Mary Somerville"},
            "items": [{"id": 7, "url": httpserver.url_for("/p/7"), "title": "Seven",
                       "content_html": html_paragraphs(long_text("Seven"))}]}
    httpserver.expect_request("/f.json").respond_with_data(
        json.dumps(feed), content_type="application/json")
    feed_id = library.feeds.add(httpserver.url_for("/f.json"))
    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 1
    assert library.articles.get(report.added[0]).author == "Mary Somerville"
    assert library.storage.rows("SELECT entry_key FROM feed_entry")[0][0] == "id:7"


def test_an_entry_whose_page_is_gone_is_imported_from_its_own_words(library, httpserver):
    httpserver.expect_request("/gone").respond_with_data("Not found", status=404)
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss2([rss2_item("g", "Gone", "/gone",
                        description="The page went, but these few words of the entry stay "
                                    "and are worth reading on their own.")]),
        content_type="application/rss+xml")
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    report = library.feeds.refresh([feed_id])
    assert len(report.added) == 1 and not report.problems
    assert "worth reading" in library.articles.text(report.added[0])
    assert library.feeds.refresh([feed_id]).added == ()  # seen: not tried again


def test_a_cancelled_refresh_fetches_nothing_and_changes_nothing(library, httpserver):
    feed_id = library.feeds.add(httpserver.url_for("/feed.xml"))
    report = library.feeds.refresh([feed_id], cancelled=lambda: True)
    assert report.cancelled and report.outcomes == ()
    assert httpserver.log == []
    assert library.feeds.get(feed_id).checked_at is None


def test_progress_follows_the_feeds(library, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss2([]), content_type="application/rss+xml")
    ids = [library.feeds.add(httpserver.url_for("/feed.xml") + f"?n={n}") for n in range(3)]
    seen = []
    library.feeds.refresh(ids, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_refreshing_says_when_a_refresh_runs(library, httpserver):
    states = []

    def handler(request):
        states.append(library.feeds.refreshing)
        return Response(rss2([]), content_type="application/rss+xml")

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    library.feeds.add(httpserver.url_for("/feed.xml"))
    assert not library.feeds.refreshing
    library.feeds.refresh()
    assert states == [True] and not library.feeds.refreshing
