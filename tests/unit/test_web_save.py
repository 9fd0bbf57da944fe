"""Saving pages by address into the library (reader.web.save), against 127.0.0.1 only."""

from __future__ import annotations

import socket
import threading

import pytest

from reader.library import Library, LibraryError
from reader.web import FetchError, save_page, save_pages


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


PARAGRAPHS = [
    "Rivers carry water from the hills down to the sea, and towns grow along them.",
    "The water brings trade, food and power for the mills that line the banks.",
    "In spring the floods spread silt over the fields and the harvest is richer for it.",
]


def page(title: str, paragraphs: list[str], head: str = "", extra: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title>{head}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
            f"{extra}</body></html>")




def serve(httpserver, path: str, html: str, **kwargs) -> str:
    httpserver.expect_request(path).respond_with_data(
        html, content_type=kwargs.pop("content_type", "text/html; charset=utf-8"), **kwargs)
    return httpserver.url_for(path)


def test_a_saved_page_is_a_readable_article(library, httpserver):
    url = serve(httpserver, "/rivers", page("Rivers", PARAGRAPHS))
    result = save_page(library, url, tags=["geography"])
    assert (result.status, result.url, result.title) == ("added", url, "Rivers")
    assert str(result) == f"added: Rivers — {url}"
    record = library.articles.get(result.article_id)
    assert record.title == "Rivers" and record.url == url and record.tags == ("geography",)
    assert record.source_format == "html"
    text = library.articles.document(result.article_id).text
    assert all(p in text for p in PARAGRAPHS) and "Home" not in text


def test_text_and_markdown_pages_are_saved(library, httpserver):
    md = serve(httpserver, "/notes.md", "# Field notes\n\nThe *river* rose a foot overnight.\n",
               content_type="text/markdown")
    txt = serve(httpserver, "/plain", "Tides\n\nThe tide turns twice a day.\n",
                content_type="text/plain")
    report = save_pages(library, [md, txt])
    assert [r.title for r in report.saved] == ["Field notes", "Tides"]
    assert "The river rose a foot overnight." in library.articles.text(report.saved[0].article_id)


def test_relative_links_are_made_absolute(library, httpserver):
    paragraphs = PARAGRAPHS[:1] + ['See <a href="/maps/delta">the delta map</a> for more.']
    url = serve(httpserver, "/links/page", page("Links", paragraphs))
    result = save_page(library, url)
    assert f'href="{httpserver.url_for("/maps/delta")}"' in library.articles.source(
        result.article_id)


def test_tracking_parameters_and_canonical_address_make_one_article(library, httpserver):
    head = '<link rel="canonical" href="/post?utm_source=rss">'
    first = serve(httpserver, "/a", page("Rivers", PARAGRAPHS, head))
    second = serve(httpserver, "/b", page("Rivers", PARAGRAPHS + ["A new closing line."], head))
    report = save_pages(library, [first + "?utm_source=x&utm_medium=y&fbclid=z#top", second])
    assert [r.status for r in report.saved] == ["added", "updated"]
    assert {r.article_id for r in report.saved} == {report.saved[0].article_id}
    assert report.saved[0].url == httpserver.url_for("/post")
    assert library.articles.count() == 1
    assert "A new closing line." in library.articles.text(report.saved[0].article_id)


def test_the_same_page_again_is_unchanged(library, httpserver):
    url = serve(httpserver, "/p", page("Rivers", PARAGRAPHS))
    first = save_page(library, url)
    again = save_page(library, url.upper().replace("/P", "/p") + "#section")
    assert again.status == "unchanged" and again.article_id == first.article_id
    assert library.articles.count() == 1


def test_markup_that_changes_on_every_visit_leaves_the_article_unchanged(library, httpserver):
    visits = iter(range(100))

    def handler(_request):
        from werkzeug import Response

        footer = f"<footer>Served at visit {next(visits)}</footer>"
        return Response(page("Rivers", PARAGRAPHS, extra=footer), content_type="text/html")

    httpserver.expect_request("/dynamic").respond_with_handler(handler)
    url = httpserver.url_for("/dynamic")
    assert [save_page(library, url).status for _ in range(2)] == ["added", "unchanged"]


def test_redirected_addresses_find_the_same_article(library, httpserver):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"})
    new = serve(httpserver, "/new", page("Rivers", PARAGRAPHS))
    first = save_page(library, httpserver.url_for("/old"))
    assert first.url == new and first.requested == httpserver.url_for("/old")
    assert save_page(library, new).article_id == first.article_id
    assert library.articles.count() == 1


def test_a_page_on_another_site_cannot_take_over_an_article_by_its_canonical_link(
        library, httpserver):
    mine = serve(httpserver, "/rivers", page("Rivers", PARAGRAPHS))
    original = save_page(library, mine)
    assert mine.startswith("http://localhost:")
    forged = serve(httpserver, "/forged", page("Rivers", ["Entirely different words here, "
                                                          "written by someone else."],
                                               f'<link rel="canonical" href="{mine}">'))
    other = save_page(library, forged.replace("localhost", "127.0.0.1"))
    assert other.status == "added" and other.article_id != original.article_id
    assert other.url == forged.replace("localhost", "127.0.0.1")
    assert PARAGRAPHS[0] in library.articles.text(original.article_id)


def test_a_markdown_page_keeps_its_front_matter_tags(library, httpserver):
    url = serve(httpserver, "/note.md", "---\ntitle: Tides\ntags: [sea, moon]\n---\n\n"
                "The tide turns twice a day.\n", content_type="text/markdown")
    result = save_page(library, url, tags=["saved"])
    assert library.articles.get(result.article_id).tags == ("moon", "saved", "sea")


def test_the_report_says_what_views_must_refresh(library, httpserver):
    url = serve(httpserver, "/r", page("Rivers", PARAGRAPHS))
    report = save_pages(library, [url])
    changes = report.changes()
    assert changes.article_list and changes.articles == {report.saved[0].article_id}
    assert not save_pages(library, []).changes().article_list


def test_an_unexpected_fault_on_one_page_does_not_stop_the_rest(library, httpserver,
                                                                 monkeypatch, caplog):
    import reader.web.save as save_module

    real = save_module.parse_article

    def parse(text, *args):
        if "BOOM" in text:
            raise RuntimeError("the extractor fell over")
        return real(text, *args)

    monkeypatch.setattr(save_module, "parse_article", parse)
    bad = serve(httpserver, "/bad", page("BOOM", PARAGRAPHS))
    good = serve(httpserver, "/good", page("Rivers", PARAGRAPHS))
    report = save_pages(library, [bad, good])
    assert [r.url for r in report.saved] == [good]
    assert report.problems[0].reason == ("could not be saved (RuntimeError: the extractor "
                                         "fell over)")
    assert "Saving" in caplog.text


def test_a_page_saved_from_the_browser_and_fetched_is_one_article(library, httpserver,
                                                                  write_file):
    url = httpserver.url_for("/saved")
    html = page("Rivers", PARAGRAPHS, f'<link rel="canonical" href="{url}">')
    imported = library.import_files([write_file("rivers.html", html)])
    serve(httpserver, "/saved", page("Rivers", PARAGRAPHS + ["An added paragraph."],
                                     f'<link rel="canonical" href="{url}">'))
    result = save_page(library, url)
    assert (result.status, result.article_id) == ("updated", imported.added[0])
    assert library.articles.count() == 1


def test_a_changed_page_is_updated_in_place_and_its_highlights_follow(library, httpserver):
    versions = iter([page("Rivers", PARAGRAPHS),
                     page("Rivers", ["A new opening paragraph, added later on by the editor."]
                          + PARAGRAPHS[1:])])
    httpserver.expect_request("/v").respond_with_handler(
        lambda _request: __import__("werkzeug").Response(next(versions),
                                                         content_type="text/html"))
    url = httpserver.url_for("/v")
    first = save_page(library, url)
    text = library.articles.text(first.article_id)
    kept_quote, lost_quote = "power for the mills", "towns grow along them"
    kept = library.highlights.create(first.article_id, text.index(kept_quote),
                                     text.index(kept_quote) + len(kept_quote)).highlight_id
    lost = library.highlights.create(first.article_id, text.index(lost_quote),
                                     text.index(lost_quote) + len(lost_quote)).highlight_id
    second = save_page(library, url)
    assert (second.status, second.article_id) == ("updated", first.article_id)
    assert second.orphaned == (lost,)
    new_text = library.articles.text(first.article_id)
    moved = library.highlights.get(kept)
    assert new_text[moved.start:moved.end] == kept_quote and not moved.orphaned
    assert moved.start != text.index(kept_quote)
    assert library.highlights.get(lost).orphaned


def test_tags_are_added_to_an_existing_article_without_an_undo_step(library, httpserver):
    url = serve(httpserver, "/t", page("Rivers", PARAGRAPHS))
    article_id = save_page(library, url, tags=["one"]).article_id
    library.undo_stack.clear()
    save_page(library, url, tags=["two", "#one"])
    assert library.articles.get(article_id).tags == ("one", "two")
    assert library.undo_stack.undo_label is None


def test_one_bad_address_never_stops_the_others(library, httpserver):
    good = serve(httpserver, "/good", page("Rivers", PARAGRAPHS))
    missing = serve(httpserver, "/missing", "gone", status=404)
    pdf = serve(httpserver, "/doc.pdf", b"%PDF-1.7", content_type="application/pdf")
    empty = serve(httpserver, "/empty", "<html><body><nav><a href='/'>Home</a></nav></body></html>")
    with socket.create_server(("127.0.0.1", 0)) as s:
        refused = f"http://127.0.0.1:{s.getsockname()[1]}/"
    steps = []
    report = save_pages(library, [missing, "http://nothing.invalid/x", pdf, good, empty,
                                  refused, "ftp://127.0.0.1/x"],
                        progress=lambda done, total: steps.append((done, total)))
    assert [r.url for r in report.saved] == [good]
    assert [(p.url, p.reason) for p in report.problems] == [
        (missing, "the server answered 404 NOT FOUND"),
        ("http://nothing.invalid/x", "the host name could not be found"),
        (pdf, "not an article (application/pdf)"),
        (empty, "has no article in it (no readable text was found in the page)"),
        (refused, "the connection was refused"),
        ("ftp://127.0.0.1/x", "is a ftp: address; only http and https pages are fetched"),
    ]
    assert steps == [(n, 7) for n in range(1, 8)]
    assert report.summary() == "1 added, 6 could not be saved."
    assert library.articles.count() == 1


def test_a_page_with_no_article_raises_a_fetch_error(library, httpserver):
    url = serve(httpserver, "/nav", "<html><body><nav>Home</nav></body></html>")
    with pytest.raises(FetchError) as caught:
        save_page(library, url)
    assert str(caught.value) == (f"{url}: has no article in it (no readable text was found "
                                 "in the page)")


def test_cancelling_stops_the_batch(library, httpserver):
    urls = [serve(httpserver, f"/c{n}", page(f"Page {n}", PARAGRAPHS)) for n in range(3)]
    report = save_pages(library, urls, cancelled=lambda: library.articles.count() >= 1)
    assert report.cancelled and [r.url for r in report.saved] == urls[:1]


def test_a_read_only_library_is_refused_before_fetching(library, httpserver, monkeypatch):
    monkeypatch.setattr(library.storage, "read_only", "the file cannot be written")
    with pytest.raises(LibraryError, match="read-only .*nothing was saved"):
        save_pages(library, [httpserver.url_for("/never")])
    assert not httpserver.log


def test_saving_from_a_worker_thread(library, httpserver):
    url = serve(httpserver, "/w", page("Rivers", PARAGRAPHS))
    done = []

    def work() -> None:
        try:
            done.append(save_pages(library, [url]))
        finally:
            library.release_thread()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)
    assert done and done[0].saved[0].status == "added"
    assert library.articles.get(done[0].saved[0].article_id).title == "Rivers"


def test_cli_add_prints_each_page_and_fails_if_any_failed(any_library_location, httpserver,
                                                          capsys):
    from reader.cli.main import main

    good = serve(httpserver, "/good", page("Rivers", PARAGRAPHS))
    missing = serve(httpserver, "/missing", "gone", status=404)
    db = ["--db", any_library_location]
    assert main([*db, "add", good, "--tag", "web", "--tag", "later"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"added: Rivers — {good}\n", "")
    assert main([*db, "add", missing, good + "?utm_source=cli", "http://nothing.invalid/"]) == 1
    out, err = capsys.readouterr()
    assert out == f"unchanged: Rivers — {good}\n"
    assert err.splitlines() == [f"marginalia: {missing}: the server answered 404 NOT FOUND",
                                "marginalia: http://nothing.invalid/: the host name could not "
                                "be found"]
    with Library.open(any_library_location) as library:
        (article,) = library.articles.records(library.articles.ids())
        assert (article.url, article.tags) == (good, ("later", "web"))


def test_cli_add_needs_an_address(library_path, capsys):
    from reader.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(["--db", str(library_path), "add"])
    assert exited.value.code == 2
    assert "URL" in capsys.readouterr().err
