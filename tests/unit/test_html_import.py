"""Saved web pages: the article is found, its metadata read, its HTML sanitised and parsed."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from reader.document.model import CODE, HEADING, LINE_BREAK, LIST_ITEM, PARAGRAPH, QUOTE, RULE
from reader.importing.html_blocks import parse_html
from reader.importing.html_import import ExtractedArticle, NoArticleError, extract_article
from reader.importing.html_sanitise import ALLOWED_TAGS, safe_link, sanitise

CANONICAL = "https://valleycourier.example/news/2024/08/river-floods"
SCRIPT_SECRET = "SECRETSCRIPTPAYLOAD"

NEWS_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>River towns brace for record floods | The Valley Courier</title>
<meta property="og:site_name" content="The Valley Courier">
<meta property="og:title" content="River towns brace for record floods">
<meta property="og:url" content="{CANONICAL}">
<link rel="canonical" href="{CANONICAL}">
<meta name="author" content="Ana Lopez">
<script>window.dataLayer = []; trackReader("{SCRIPT_SECRET}");</script>
<style>body {{ font-family: serif }}</style>
</head>
<body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
  <button onclick="acceptCookies()">Accept all cookies</button></div>
<header class="site-header">
  <a href="/" class="logo">The Valley Courier</a>
  <nav class="main-nav"><ul>
    <li><a href="/news">Latest headlines</a></li><li><a href="/sport">Sport results</a></li>
    <li><a href="/weather">Weather desk</a></li><li><a href="/subscribe">Subscribe today</a></li>
  </ul></nav>
</header>
<main>
<article class="story">
  <h1>River towns brace for record floods</h1>
  <p class="byline">By Ana Lopez</p>
  <time datetime="2024-08-18">18 August 2024</time>
  <div class="share-buttons"><a href="https://social.example/share?u=1">Share on Chirper</a>
    <a href="https://friends.example/share?u=1">Share on Friendbook</a></div>
  <p>Residents of the lower valley spent the weekend filling sandbags as the river rose
     faster than <em>any forecast</em> had predicted, and officials warned that the crest
     would arrive on Tuesday night.</p>
  <p onclick="steal()">The mayor said the town was <strong>as ready as it could be</strong>,
     pointing to the new levee finished last spring.
     <a href="javascript:alert(document.cookie)">Read the evacuation plan</a>,
     see the <a href="/maps/flood-zones">flood zone maps</a>, the
     <a href="https://water.example/gauges" onmouseover="track()">river gauges</a> and the
     <a href="file:///C:/Users/ana/Downloads/plan.pdf">council's plan</a>.</p>
  <figure><img src="https://cdn.example/images/levee.jpg" alt="The new levee" onerror="pwn()">
    <figcaption>The new levee at dusk.</figcaption></figure>
  <script>document.write("{SCRIPT_SECRET}");</script>
  <h2>Farmers move livestock to higher ground</h2>
  <p>Upstream, farmers spent Saturday moving cattle and sheep to pastures on the ridge,
     a task that some of them said they had never had to do in forty years of farming.</p>
  <div class="ad-slot advertisement">Advertisement: Buy the best rubber boots in the valley</div>
  <blockquote><p>We have seen high water before, but never this early in the year.</p></blockquote>
  <ul><li>Shelters open at the school</li><li>Roads closed north of the bridge</li></ul>
  <p>Forecasters expect the rain to ease by Thursday, though the river may stay high for
     another week as water drains from the hills.</p>
</article>
<section id="comments" class="comments">
  <h3>Comments</h3>
  <div class="comment"><p>Great reporting, keep it up! Posted by user123</p></div>
  <div class="comment"><p>My basement flooded last year, stay safe everyone.</p></div>
</section>
</main>
<footer class="site-footer"><p>Copyright 2024 The Valley Courier. All rights reserved.</p>
  <a href="/privacy">Privacy policy</a></footer>
</body></html>
"""

BOILERPLATE = [
    "cookies", "Accept all", "Latest headlines", "Sport results", "Weather desk", "Subscribe today",
    "Share on", "Advertisement", "rubber boots", "Comments", "Great reporting", "basement",
    "Copyright", "rights reserved", "Privacy policy", "By Ana Lopez", "levee at dusk",
]


class _Tags(HTMLParser):
    """Every start tag and its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_safe(stored_html: str) -> None:
    """The stored HTML holds only allow-listed tags, and links with web or mail targets."""
    lowered = stored_html.lower()
    # A "<" in text is written "&lt;", so these can only be tags.
    for tag in ("<script", "<img", "<iframe", "<style", "<form", "<svg", "<object", "<input"):
        assert tag not in lowered, (tag, stored_html)
    parser = _Tags()
    parser.feed(stored_html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, stored_html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, stored_html)
            assert (tag, name) == ("a", "href"), (tag, name, stored_html)
            parts = urlsplit(value or "")
            assert parts.scheme in ("http", "https", "mailto"), value
            assert parts.scheme == "mailto" or parts.hostname, value


def text_of(blocks) -> str:
    return "\n".join(block.text for block in blocks)


@pytest.fixture(scope="module")
def news() -> ExtractedArticle:
    return extract_article(NEWS_PAGE)


def test_metadata_of_a_saved_news_page(news):
    assert news.title == "River towns brace for record floods"
    assert news.author == "Ana Lopez"
    assert news.published == "2024-08-18"
    assert news.site_name == "The Valley Courier"
    assert news.url == CANONICAL


def test_only_the_article_text_is_kept(news):
    text = text_of(parse_html(news.html))
    for sentence in (
        "Residents of the lower valley spent the weekend filling sandbags",
        "The mayor said the town was as ready as it could be",
        "Farmers move livestock to higher ground",
        "a task that some of them said they had never had to do in forty years of farming.",
        "We have seen high water before",
        "Shelters open at the school",
        "Forecasters expect the rain to ease by Thursday",
    ):
        assert sentence in text
    for junk in BOILERPLATE:
        assert junk not in text, junk
    assert SCRIPT_SECRET not in text and SCRIPT_SECRET not in news.html


def test_stored_html_is_sanitised(news):
    assert_safe(news.html)
    for gone in ("javascript:", "file:", "<script", "<img", SCRIPT_SECRET):
        assert gone not in news.html, gone
    assert "onclick" not in news.html and "onmouseover" not in news.html
    assert "cdn.example" not in news.html  # no remote image
    # The unsafe links keep their words but lose their targets.
    assert "evacuation plan" in news.html and "council's plan" in news.html


def test_blocks_have_the_expected_kinds_and_styles(news):
    blocks = parse_html(news.html)
    assert [b.kind for b in blocks] == [
        PARAGRAPH, PARAGRAPH, HEADING, PARAGRAPH, QUOTE, LIST_ITEM, LIST_ITEM, PARAGRAPH,
    ]
    # The title is metadata, not repeated as the first block.
    assert blocks[0].text.startswith("Residents")
    assert blocks[2].level == 2
    first = {span.text: span for span in blocks[0].spans}
    assert first["any forecast"].italic and not first["any forecast"].bold
    # Whitespace is collapsed as a browser would: the source's line breaks are spaces.
    assert "river rose faster than any forecast" in blocks[0].text
    second = {span.text: span for span in blocks[1].spans}
    assert second["as ready as it could be"].bold
    assert second["river gauges"].link == "https://water.example/gauges"
    # A relative link points at the page's own site.
    assert second["flood zone maps"].link == "https://valleycourier.example/maps/flood-zones"
    links = {span.link for block in blocks for span in block.spans} - {None}
    assert links == {
        "https://water.example/gauges", "https://valleycourier.example/maps/flood-zones",
    }
    assert all(not b.ordered and b.level == 1 and b.item_start for b in blocks[5:7])


def test_metadata_found_in_the_page_body_without_meta_tags():
    page = (
        "<html><head><title>Night trains return | Rail Weekly</title>"
        '<link rel="canonical" href="https://www.railweekly.example/night-trains"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
        "<h1>Night trains return</h1><p class='byline'>By Jonas Berg</p>"
        "<time datetime='2023-11-02'>2 November 2023</time>"
        "<p>After a decade away, sleeper trains once again link the capital with the coast, "
        "and the first departures sold out within hours of going on sale last week.</p>"
        "<p>Operators say demand has surprised them, and more carriages are on order for "
        "next summer, when a second route through the mountains is planned to open.</p>"
        "</article></body></html>"
    )
    article = extract_article(page)
    assert article.title == "Night trains return"
    assert article.author == "Jonas Berg"
    assert article.published == "2023-11-02"
    assert article.site_name == "railweekly.example"  # no site name given: the host
    assert article.url == "https://www.railweekly.example/night-trains"
    assert text_of(parse_html(article.html)).startswith("After a decade away")


def test_the_news_page_with_its_site_name_as_author_banner_and_title():
    # The same page as a CMS might write it: the site's name as author meta, title and
    # banner <h1>, and a byline with a job title and a follow link.
    page = (NEWS_PAGE
            .replace('<meta name="author" content="Ana Lopez">',
                     '<meta name="author" content="The Valley Courier">')
            .replace("<title>River towns brace for record floods | The Valley Courier</title>",
                     "<title>The Valley Courier</title>")
            .replace('<meta property="og:title" content="River towns brace for record floods">',
                     "")
            .replace('<a href="/" class="logo">The Valley Courier</a>',
                     '<h1 class="logo"><a href="/">The Valley Courier</a></h1>')
            .replace('<p class="byline">By Ana Lopez</p>',
                     '<p class="byline">By ANA LOPEZ, Staff Writer | '
                     '<a href="https://social.example/ana">Follow on Chirper</a></p>'))
    article = extract_article(page)
    assert article.title == "River towns brace for record floods"
    assert article.author == "Ana Lopez"
    assert article.site_name == "The Valley Courier"
    assert article.published == "2024-08-18"
    text = text_of(parse_html(article.html))
    assert text.startswith("Residents of the lower valley")
    for junk in ("Staff Writer", "Follow on", "ANA LOPEZ"):
        assert junk not in text, junk


def test_the_news_page_with_json_ld_takes_its_metadata():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", '
          '"@type": "NewsArticle", "headline": "River towns brace for record floods", '
          '"datePublished": "2024-08-17T22:15:00-04:00", "author": [{"@type": "Person", '
          '"name": "Ana Lopez"}, {"@type": "Person", "name": "Tom Berg"}], '
          '"publisher": {"@type": "Organization", "name": "The Valley Courier"}}</script>')
    article = extract_article(NEWS_PAGE.replace("</head>", ld + "</head>"))
    assert article.title == "River towns brace for record floods"
    assert article.author == "Ana Lopez, Tom Berg"
    assert article.published == "2024-08-17"  # the JSON-LD's date, before the <time>'s
    assert article.site_name == "The Valley Courier"


def test_a_page_without_an_article_is_refused():
    page = (
        "<html><head><title>Sign in | Example</title></head><body>"
        "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/about'>About us</a></li>"
        "<li><a href='/contact'>Contact</a></li></ul></nav></header>"
        "<main><form action='/login' method='post'><h2>Sign in</h2>"
        "<label>Email address</label><input name='email'><label>Password</label>"
        "<input type='password' name='password'><button>Log in</button>"
        "<p><a href='/forgot'>Forgot your password?</a></p></form></main>"
        "<footer>Example Ltd</footer></body></html>"
    )
    with pytest.raises(NoArticleError, match="no article"):
        extract_article(page)


@pytest.mark.parametrize("page", ["", "   \n", "<html><body></body></html>", "<", "\x00",
                                  "<script>alert(1)</script>"])
def test_empty_pages_have_no_article(page):
    with pytest.raises(NoArticleError):
        extract_article(page)


@pytest.mark.parametrize(("href", "base", "expected"), [
    ("https://example.org/a?b=1#c", None, "https://example.org/a?b=1#c"),
    ("mailto:ana@example.org", None, "mailto:ana@example.org"),
    ("/maps", "https://site.example/news/x", "https://site.example/maps"),
    ("../up", "https://site.example/news/x", "https://site.example/up"),
    ("//cdn.example/x", "https://site.example/", "https://cdn.example/x"),
    ("/maps", None, None),
    ("River_files/page.html", None, None),
    ("#notes", "https://site.example/x", None),
    ("javascript:alert(1)", "https://site.example/", None),
    (" JaVaScRiPt:alert(1)", None, None),
    ("\x01javascript:alert(1)", None, None),
    ("java\tscript:alert(1)", None, None),
    ("vbscript:msgbox(1)", None, None),
    ("file:///etc/passwd", None, None),
    ("data:text/html,<script>alert(1)</script>", None, None),
    ("http://", None, None),
    ("https://[::1", None, None),
])
def test_safe_link(href, base, expected):
    assert safe_link(href, base) == expected


def test_sanitise_keeps_structure_and_drops_everything_else():
    dirty = (
        '<div class="x" style="color:red"><p id="p1" onclick="f()">Hi <b>bold</b> '
        '<a href="javascript:x()" onclick="y()">js</a> <a href="JAVA&#x09;SCRIPT:x()">tab</a> '
        '<a href="https://ok.example/" target="_blank" rel="opener">ok</a> '
        '<a href="/rel">rel</a></p><img src="https://t.example/pixel.gif" onerror="z()">'
        '<iframe src="https://evil.example/"></iframe><svg onload="z()"><text>svg</text></svg>'
        "<form><input value=1><button>Press</button></form><noscript>enable js</noscript>"
        f"<style>p{{}}</style><script>{SCRIPT_SECRET}</script><!-- a comment -->"
        "<pre><code>x = 1</code></pre><table><tr><td>cell</td></tr></table></div>"
    )
    clean = sanitise(dirty, base_url="https://site.example/a/b")
    assert_safe(clean)
    assert SCRIPT_SECRET not in clean and "javascript" not in clean.lower()
    assert '<a href="https://ok.example/">ok</a>' in clean
    assert '<a href="https://site.example/rel">rel</a>' in clean
    assert "<a>js</a>" in clean and "<a>tab</a>" in clean
    for gone in ("svg", "Press", "enable js", "a comment", "pixel"):
        assert gone not in clean, gone
    assert "<pre><code>x = 1</code></pre>" in clean and "<b>bold</b>" in clean


def test_relative_links_without_a_base_lose_their_target():
    assert sanitise('<a href="/maps">maps</a>') == "<a>maps</a>"


# parse_html on its own.

def test_whitespace_collapses_and_br_is_a_line_break():
    (block,) = parse_html("<p>  one \n\t two <br>  three&nbsp; four <em> five</em> </p>")
    assert block.text == f"one two{LINE_BREAK}three\xa0 four five"
    assert block.spans[-1].italic and block.spans[-1].text == "five"


def test_two_line_breaks_separate_paragraphs():
    blocks = parse_html("<p>first part<br><br>second part<br></p>")
    assert [(b.kind, b.text) for b in blocks] == [
        (PARAGRAPH, "first part"), (PARAGRAPH, "second part"),
    ]


def test_nested_lists_keep_levels_order_and_item_starts():
    blocks = parse_html(
        "<ol><li>one<ul><li>inner</li></ul>tail</li><li><p>two</p><p>more</p></li></ol>"
    )
    assert [(b.kind, b.text, b.level, b.ordered, b.item_start) for b in blocks] == [
        (LIST_ITEM, "one", 1, True, True),
        (LIST_ITEM, "inner", 2, False, True),
        (LIST_ITEM, "tail", 1, True, False),
        (LIST_ITEM, "two", 1, True, True),
        (LIST_ITEM, "more", 1, True, False),
    ]


def test_code_quotes_headings_rules_and_tables():
    blocks = parse_html(
        "<h3>Part <i>two</i></h3><pre><code>\nx = 1\n\n  y = 2\n</code></pre><hr>"
        "<blockquote><p>outer</p><blockquote><p>inner</p></blockquote></blockquote>"
        "<p>Use <code>ls  -l</code> or <a href='mailto:a@b.example'>write</a>.</p>"
        "<table><tr><th>Name</th><th>Age</th></tr><tr><td>Ana</td><td></td><td>41</td></tr></table>"
    )
    assert [(b.kind, b.text, b.level) for b in blocks] == [
        (HEADING, "Part two", 3), (CODE, "x = 1", 0), (CODE, "", 0), (CODE, "  y = 2", 0),
        (RULE, "", 0), (QUOTE, "outer", 1), (QUOTE, "inner", 2),
        (PARAGRAPH, "Use ls -l or write.", 0),
        (PARAGRAPH, "Name | Age", 0), (PARAGRAPH, "Ana | 41", 0),
    ]
    assert blocks[0].spans[-1].italic
    assert all(span.code for span in blocks[1].spans)
    spans = {span.text: span for span in blocks[7].spans}
    assert spans["ls -l"].code and spans["write"].link == "mailto:a@b.example"
    assert blocks[8].spans[0].bold


def test_parse_html_ignores_unsafe_links_and_scripts_even_unsanitised():
    (block,) = parse_html(
        f'<p><a href="javascript:x()">a</a> <a href="/rel">b</a>'
        f"<script>{SCRIPT_SECRET}</script></p>"
    )
    assert block.text == "a b" and all(span.link is None for span in block.spans)


# Fuzzing.

_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="<&", blacklist_categories=("Cs",)), max_size=60
)
_VOCABULARY = ("the", "river", "rose", "fast", "and", "farmers", "moved", "their", "cattle",
               "to", "ridge", "before", "night", "fell", "water", "town.")
_WORDS = st.lists(st.sampled_from(_VOCABULARY), max_size=40).map(" ".join)
_MARKUP = st.sampled_from([
    "<p>", "</p>", "<h1>", "</h1>", "<h2>", "</h2>", "<em>", "</em>", "<strong>", "</strong>",
    "<ul><li>", "</li></ul>", "<ol><li>", "<blockquote>", "</blockquote>", "<pre>", "</pre>",
    "<code>", "</code>", "<br>", "<hr>", "<table><tr><td>", "</td></tr></table>",
    "<div>", "</div>", "<article>", "</article>", "<nav>", "</nav>", "<footer>", "</footer>",
    f"<script>{SCRIPT_SECRET}</script>", f"<style>{SCRIPT_SECRET}</style>", "<script>",
    f'<a href="javascript:{SCRIPT_SECRET}()">', '<a href="file:///etc/passwd">',
    '<a href="data:text/html,x">', '<a href="/relative">', '<a href="https://ok.example/">',
    "</a>", '<img src="https://t.example/x.png" onerror="x()">', '<p onclick="x()">',
    '<iframe src="https://e.example/">', "<form><input>", "<svg onload=x()>",
    '<a href=" JaVaScRiPt:x()">', '<a href="java&#x0A;script:x()">', "<textarea>", "<xmp>",
    "<plaintext>", "<noscript>", "<!--", "-->", "<![CDATA[", "]]>", "<", "</", ">", "<p",
    "<scr", "ipt>", '"', "'", "=", "&", "&amp;", "&lt;", "&#0;", "&#x110000;",
    '<link rel="canonical" href="javascript:alert(1)">',
    '<meta property="og:url" content="file:///x">',
    "<html>", "<body>", "<head>", "<title>", "</title>",
])
_HTMLISH = st.lists(st.one_of(_MARKUP, _TEXT, _WORDS), max_size=40).map("".join)


def _page(body: str, words: str) -> str:
    return (
        "<html><head><title>A page</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>A page</h1><p>{words}</p>{body}<p>{words}</p></article></body></html>"
    )


# What a page shows as text, as lxml (which trafilatura uses) parses it. Script content
# may reach an article's text only where the page itself shows it as text: "<SCRIPT" in a
# <title> is text by the HTML parsing rules, and "</<script>SECRET" makes the script tag a
# comment and SECRET text, for browsers and for us alike.
def visible_text(page: str) -> str:
    try:
        tree = lxml_html.document_fromstring(
            page.encode("utf-8", "replace"), parser=lxml_html.HTMLParser(encoding="utf-8")
        )
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(tree, "script", "style", etree.Comment, with_tail=False)
    return re.sub(r"[\x00-\x20]", "", "".join(tree.itertext())).lower()


_PAGES = st.one_of(
    st.text(max_size=300),
    _HTMLISH,
    st.builds(_page, _HTMLISH, _WORDS),
    st.builds(_page, st.text(max_size=200), _WORDS),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PAGES)
@example("<ARTICLE><H1>0<P/><EM><!-")  # a comment with "--" once broke trafilatura's XML
def test_extraction_returns_a_safe_article_or_says_there_is_none(page):
    try:
        article = extract_article(page)
    except NoArticleError:
        return
    assert isinstance(article, ExtractedArticle)
    assert_safe(article.html)
    assert article.url is None or urlsplit(article.url).scheme in ("http", "https")
    blocks = parse_html(article.html)
    assert any(block.text.strip() for block in blocks)
    text = text_of(blocks).lower()
    shown = visible_text(page)
    for secret in ("<script", SCRIPT_SECRET.lower()):
        assert secret not in text or secret in shown, secret


@settings(max_examples=300, deadline=None)
@given(_HTMLISH)
def test_parse_html_takes_any_sanitised_html(dirty):
    clean = sanitise(dirty, base_url="https://site.example/")
    assert_safe(clean)
    # The fragments never spell "<script" as text: only a script tag could, and it is gone.
    assert "<script" not in text_of(parse_html(clean)).lower()
