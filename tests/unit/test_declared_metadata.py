"""Saved pages that declare their metadata skip trafilatura's own metadata pass (and
htmldate's search of the text for a date); the article's title, author, date, site and
address must come out exactly as they do with that pass, and a page that declares no
date still has its text searched for one."""

from __future__ import annotations

import json

import pytest

import reader.importing.html_import as html_import
from reader.importing.html_import import extract_article

HEADLINE = "Harbour ferries return after a winter of repairs"
SITE = "The Coastal Post"
ADDRESS = "https://coastalpost.example/news/ferries-return"
PARAGRAPHS = "".join(
    f"<p>{text}</p>" for text in (
        "The first ferry of the season left the harbour at seven on Monday morning, "
        "carrying commuters who had spent four months on the long road round the bay.",
        "Engineers replaced both engines and the steering gear over the winter, work "
        "the operator said had been put off for a decade and could wait no longer.",
        "Timetables return to their summer pattern next week, with a boat every half "
        "hour at peak times and a late sailing on Fridays and Saturdays.",
    ))
CHROME = ("<header><a class='logo' href='/'>The Coastal Post</a><nav><a href='/news'>News"
          "</a> <a href='/sport'>Sport</a></nav></header>")
FOOTER = "<footer><p>© 2026 The Coastal Post</p></footer>"


def page(head: str, byline: str = "", title_element: str = f"{HEADLINE} | {SITE}") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title_element}</title>"
            f"<link rel='canonical' href='{ADDRESS}'>{head}</head><body>{CHROME}"
            f"<main><article><h1>{HEADLINE}</h1>{byline}{PARAGRAPHS}</article></main>"
            f"{FOOTER}</body></html>")


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


OG_SITE = f"<meta property='og:site_name' content='{SITE}'>"
AUTHOR_META = "<meta name='author' content='Ana Lopez'>"

# name -> (page, expected title, author, date, site)
PAGES = {
    "json-ld, author an object": (page(ld({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": HEADLINE,
        "datePublished": "2025-03-04T07:15:00+00:00",
        "author": {"@type": "Person", "name": "Ana Lopez"},
        "publisher": {"@type": "Organization", "name": SITE}})),
        HEADLINE, "Ana Lopez", "2025-03-04", SITE),
    "json-ld, authors a list": (page(ld({
        "@context": "https://schema.org", "@type": "Article", "headline": HEADLINE,
        "datePublished": "2025-03-04",
        "author": [{"@type": "Person", "name": "Ana Lopez"},
                   {"@type": "Person", "name": "Tom Reyes"}],
        "publisher": {"@type": "Organization", "name": SITE}})),
        HEADLINE, "Ana Lopez, Tom Reyes", "2025-03-04", SITE),
    "opengraph": (page(
        f"<meta property='og:title' content='{HEADLINE}'>{OG_SITE}{AUTHOR_META}"
        "<meta property='article:published_time' content='2025-03-04T23:30:00-05:00'>"),
        HEADLINE, "Ana Lopez", "2025-03-04", SITE),
    "meta name=date": (page(f"{OG_SITE}{AUTHOR_META}<meta name='date' content='2025-03-04'>"),
                       HEADLINE, "Ana Lopez", "2025-03-04", SITE),
    "time element in the byline": (page(
        f"{OG_SITE}{AUTHOR_META}",
        "<p class='byline'>By Ana Lopez — <time datetime='2025-03-04'>4 March 2025</time></p>"),
        HEADLINE, "Ana Lopez", "2025-03-04", SITE),
    "no date in the metadata": (page(
        f"{OG_SITE}{AUTHOR_META}", "<p class='byline'>By Ana Lopez</p><p>4 March 2025</p>"),
        HEADLINE, "Ana Lopez", "2025-03-04", SITE),
    # Nothing names the site: trafilatura's pass runs (and the page's host is its name).
    "no site name in the metadata": (page(
        f"{AUTHOR_META}<meta name='date' content='2025-03-04'>", title_element=HEADLINE),
        HEADLINE, "Ana Lopez", "2025-03-04", "coastalpost.example"),
}
DECLARE_EVERYTHING = {"json-ld, author an object", "json-ld, authors a list", "opengraph",
                      "meta name=date", "time element in the byline"}


@pytest.fixture
def metadata_passes(monkeypatch):
    """How many times trafilatura's metadata pass ran."""
    import trafilatura.core

    calls = []
    original = trafilatura.core.extract_metadata

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(trafilatura.core, "extract_metadata", counting)
    return calls


@pytest.mark.parametrize("name", PAGES)
def test_declared_metadata_is_read_and_the_metadata_pass_runs_only_when_needed(
        name, metadata_passes):
    html, title, author, published, site = PAGES[name]
    article = extract_article(html)
    assert (article.title, article.author, article.published, article.site_name) == (
        title, author, published, site)
    assert article.url == ADDRESS
    assert article.html.startswith("<p>The first ferry")  # heading and byline dropped
    assert len(metadata_passes) == (0 if name in DECLARE_EVERYTHING else 1)


@pytest.mark.parametrize("name", PAGES)
def test_the_article_is_the_same_as_with_trafilaturas_metadata_pass(name, monkeypatch):
    html = PAGES[name][0]
    skipped = extract_article(html)
    monkeypatch.setattr(html_import, "declares_everything", lambda *args: False)
    assert extract_article(html) == skipped


def test_a_page_without_a_date_in_its_metadata_has_its_text_searched(monkeypatch):
    import trafilatura.core

    extensive = []
    original = trafilatura.core.extract_metadata

    def recording(tree, url, date_params, *args):
        extensive.append(date_params["extensive_search"])
        return original(tree, url, date_params, *args)

    monkeypatch.setattr(trafilatura.core, "extract_metadata", recording)
    for name in ("no date in the metadata", "no site name in the metadata"):
        extract_article(PAGES[name][0])
    # The first declares no date: searched for; the second declares one: not.
    assert extensive == [True, False]


def test_the_host_is_never_the_author_even_when_everything_else_is_declared(metadata_passes):
    # The author meta names the site's host: not a person, so trafilatura is asked.
    html = page(f"{OG_SITE}<meta name='author' content='coastalpost.example'>"
                "<meta name='date' content='2025-03-04'>")
    article = extract_article(html)
    assert article.author != "coastalpost.example" and len(metadata_passes) == 1
