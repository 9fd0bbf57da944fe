"""Metadata of saved web pages: each page below sets one trap, and the article must get
what the page itself declares (its JSON-LD, OpenGraph and meta tags), not the trap."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from lxml import html as lxml_html

from reader.importing.html_blocks import parse_html
from reader.importing.html_import import extract_article
from reader.importing.page_metadata import read_page_metadata, valid_date

HEADLINE = "River towns brace for record floods"
SITE = "The Valley Courier"
BODY = (
    "<p>Residents of the lower valley spent the weekend filling sandbags as the river rose "
    "faster than any forecast had predicted, and officials warned that the crest would "
    "arrive on Tuesday night.</p>"
    "<p>The mayor said the town was as ready as it could be, pointing to the new levee "
    "finished last spring, and said the schools would stay open as shelters all week.</p>"
)
NEWS_ARTICLE = {
    "@context": "https://schema.org", "@type": "NewsArticle", "headline": HEADLINE,
    "author": {"@type": "Person", "name": "Jane Doe"}, "datePublished": "2024-08-07",
    "publisher": {"@type": "Organization", "name": SITE},
}


def page(head: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head>"
            f"<body>{body}</body></html>")


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def text_of(article) -> str:
    return "\n".join(block.text for block in parse_html(article.html))


def test_title_with_a_site_suffix_gives_way_to_og_title():
    og_title = HEADLINE
    article = extract_article(page(
        f"<title>{HEADLINE} | {SITE}</title><meta property='og:title' content='{og_title}'>",
        f"<article>{BODY}</article>"))
    assert article.title == og_title


@pytest.mark.parametrize("title", [f"{HEADLINE} | {SITE}", f"{HEADLINE} - {SITE}",
                                   f"{SITE}: {HEADLINE}", f"{SITE} | {HEADLINE}"])
def test_the_site_name_around_the_title_element_is_dropped(title):
    article = extract_article(page(
        f"<title>{title}</title><meta property='og:site_name' content='{SITE}'>",
        f"<article>{BODY}</article>"))
    assert article.title == HEADLINE and article.site_name == SITE


def test_the_site_name_in_the_first_h1_is_not_the_title():
    # The page's <title> is the site's name too: the headline is the <article>'s <h1>.
    article = extract_article(page(
        f"<title>{SITE}</title>",
        f"<header><h1 class='logo'>{SITE}</h1><nav><a href='/'>Home</a> "
        f"<a href='/news'>News</a></nav></header>"
        f"<main><article><h1>{HEADLINE}</h1>{BODY}</article></main>"))
    assert article.title == HEADLINE
    assert not text_of(article).startswith(HEADLINE)  # the title is not repeated as text


def test_a_section_heading_before_the_headline_is_not_the_title():
    headline = "We must build the levee higher"
    article = extract_article(page(
        f"<title>Opinion | {SITE}</title>"
        f"<meta property='og:title' content='{headline}'>",
        f"<main><h2 class='section-label'>Opinion</h2>"
        f"<article><h2>Opinion</h2><h1>{headline}</h1>{BODY}</article></main>"))
    assert article.title == headline
    assert not text_of(article).startswith(("Opinion", headline))


def test_a_section_title_without_metadata_gives_way_to_the_article_heading():
    headline = "We must build the levee higher"
    article = extract_article(page(
        f"<title>Opinion | {SITE}</title>",
        f"<main><article><h1>{headline}</h1>{BODY}</article></main>"))
    assert article.title == headline


def test_the_first_h2_of_a_sidebar_is_not_the_title():
    article = extract_article(page(
        "", f"<aside><h2>Most read</h2><ul><li><a href='/a'>Floods close the bridge</a></li>"
            f"</ul></aside><div class='story'>{BODY}</div>"))
    assert article.title != "Most read"


def test_a_byline_with_job_title_and_follow_link_gives_the_json_ld_author():
    person = NEWS_ARTICLE["author"]["name"]
    article = extract_article(page(
        ld(NEWS_ARTICLE),
        f"<article><h1>{HEADLINE}</h1><p class='byline'>By JANE DOE, Staff Writer | "
        f"<a href='https://x.example/janedoe'>Follow on X</a></p>{BODY}</article>"))
    assert article.author == person
    assert article.title == NEWS_ARTICLE["headline"]
    assert article.published == NEWS_ARTICLE["datePublished"]
    assert article.site_name == NEWS_ARTICLE["publisher"]["name"]
    assert "Follow on X" not in text_of(article)


def test_a_byline_alone_keeps_only_the_name():
    article = extract_article(page(
        f"<title>{HEADLINE}</title>",
        f"<article><h1>{HEADLINE}</h1><p class='byline'>By JANE DOE, Staff Writer | "
        f"Follow on X</p>{BODY}</article>"))
    assert article.author == "Jane Doe"


def test_two_authors_joined_by_and_are_listed():
    article = extract_article(page(
        "<meta name='author' content='Ana Lopez and Tom Berg'>",
        f"<article><h1>{HEADLINE}</h1><p class='byline'>By Ana Lopez and Tom Berg</p>"
        f"{BODY}</article>"))
    assert article.author == "Ana Lopez, Tom Berg"


def test_json_ld_authors_in_a_list_without_duplicates():
    data = {**NEWS_ARTICLE, "author": [{"@type": "Person", "name": "Ana Lopez"},
                                       {"@type": "Person", "name": "Tom Berg"},
                                       {"@type": "Person", "name": "Ana Lopez"}]}
    article = extract_article(page(ld(data), f"<article>{BODY}</article>"))
    assert article.author == "Ana Lopez, Tom Berg"


def test_an_author_meta_that_is_a_profile_url_is_not_a_name():
    article = extract_article(page(
        "<meta name='author' content='https://valleycourier.example/staff/ana-lopez'>"
        "<meta property='article:author' content='https://social.example/ana.lopez'>",
        f"<article><h1>{HEADLINE}</h1><p class='byline'>By Ana Lopez</p>{BODY}</article>"))
    assert "http" not in article.author and "/" not in article.author
    assert article.author == "Ana Lopez"  # from the byline the page shows


def test_article_author_meta_that_is_a_name():
    article = extract_article(page(
        "<meta property='article:author' content='Tom Berg'>", f"<article>{BODY}</article>"))
    assert article.author == "Tom Berg"


def test_a_byline_with_a_date_in_it():
    article = extract_article(page(
        f"<title>{HEADLINE}</title>",
        f"<article><h1>{HEADLINE}</h1><p class='byline'>Ana Lopez · 7 August 2024</p>"
        f"{BODY}</article>"))
    assert article.author == "Ana Lopez"
    assert article.published == "2024-08-07"
    assert text_of(article).startswith("Residents")


def test_the_site_name_is_not_the_author_but_a_json_ld_organisation_is():
    site_as_author = extract_article(page(
        f"<meta property='og:site_name' content='{SITE}'><meta name='author' content='{SITE}'>",
        f"<article>{BODY}</article>"))
    assert site_as_author.author == "" and site_as_author.site_name == SITE
    wire = {**NEWS_ARTICLE, "author": {"@type": "Organization", "name": "Valley Press Agency"}}
    by_organisation = extract_article(page(ld(wire), f"<article>{BODY}</article>"))
    assert by_organisation.author == wire["author"]["name"]
    # A person named anywhere comes before the organisation.
    with_person = extract_article(page(ld(wire) + "<meta name='author' content='Tom Berg'>",
                                       f"<article>{BODY}</article>"))
    assert with_person.author == "Tom Berg"


def test_json_ld_in_a_graph_with_a_web_page_and_a_news_article():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "https://valleycourier.example/#site", "name": SITE},
        {"@type": "WebPage", "name": f"{HEADLINE} | {SITE}",
         "datePublished": "2020-01-01"},
        {"@type": "Organization", "@id": "https://valleycourier.example/#org", "name": SITE},
        {"@type": ["NewsArticle"], "headline": HEADLINE, "datePublished": "2024-08-07T06:00:00Z",
         "author": [{"@type": "Person", "name": "Ana Lopez"}],
         "publisher": {"@id": "https://valleycourier.example/#org"}},
    ]}
    article = extract_article(page(
        "<title>Valley news</title>" + ld(graph), f"<article>{BODY}</article>"))
    assert article.title == graph["@graph"][3]["headline"]
    assert article.author == "Ana Lopez"
    assert article.published == "2024-08-07"
    assert article.site_name == SITE


def test_two_json_ld_blocks_the_first_invalid():
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    wrapped = ('<script type="application/ld+json"><!--\n' + json.dumps(NEWS_ARTICLE)
               + "\n--></script>")
    article = extract_article(page(broken + wrapped, f"<article>{BODY}</article>"))
    assert article.title == NEWS_ARTICLE["headline"]
    assert article.author == NEWS_ARTICLE["author"]["name"]
    assert article.published == NEWS_ARTICLE["datePublished"]


def test_json_ld_in_a_cdata_wrapper_and_a_list():
    block = ('<script type="application/ld+json">//<![CDATA[\n'
             + json.dumps([{"@type": "BreadcrumbList"}, NEWS_ARTICLE]) + "\n//]]></script>")
    article = extract_article(page(block, f"<article>{BODY}</article>"))
    assert article.title == HEADLINE and article.author == "Jane Doe"


def test_the_date_only_in_article_published_time_with_a_time_zone():
    published_time = "2024-08-07T23:30:00-05:00"
    article = extract_article(page(
        f"<meta property='article:published_time' content='{published_time}'>",
        f"<article><h1>{HEADLINE}</h1>{BODY}</article>"))
    # The date where it was published, as the page gives it.
    assert article.published == published_time[:10]


def test_the_date_only_in_a_time_element_in_the_byline():
    article = extract_article(page(
        "",
        f"<article><h1>{HEADLINE}</h1><div class='byline'>By Ana Lopez, "
        f"<time datetime='2024-08-07T09:00:00+02:00'>Wednesday morning</time></div>"
        f"{BODY}</article>"))
    assert article.published == "2024-08-07"
    assert article.author == "Ana Lopez"


@pytest.mark.parametrize("name", ["date", "publish-date", "dc.date", "dcterms.created"])
def test_the_date_in_a_meta_tag(name):
    article = extract_article(page(f"<meta name='{name}' content='2024-08-07'>",
                                   f"<article>{BODY}</article>"))
    assert article.published == "2024-08-07"


def test_the_date_in_itemprop_date_published():
    article = extract_article(page("<meta itemprop='datePublished' content='2024-08-07'>",
                                   f"<article>{BODY}</article>"))
    assert article.published == "2024-08-07"


def test_a_date_in_the_future_or_before_1900_is_ignored():
    future = (date.today() + timedelta(days=30)).isoformat()
    for declared in (future, "1850-01-01"):
        article = extract_article(page(
            ld({**NEWS_ARTICLE, "datePublished": declared}), f"<article>{BODY}</article>"))
        assert article.published != declared


def test_the_site_name_only_in_og_site_name():
    article = extract_article(page(f"<meta property='og:site_name' content='{SITE}'>",
                                   f"<article>{BODY}</article>"))
    assert article.site_name == SITE


def test_the_site_name_only_in_the_json_ld_publisher():
    data = {**NEWS_ARTICLE, "publisher": {"@type": "NewsMediaOrganization",
                                          "name": "Hill Country Herald"}}
    article = extract_article(page(ld(data), f"<article>{BODY}</article>"))
    assert article.site_name == "Hill Country Herald"


def test_og_site_name_comes_before_the_json_ld_publisher():
    data = {**NEWS_ARTICLE, "publisher": {"@type": "Organization", "name": "Courier Media Ltd"}}
    article = extract_article(page(
        f"<meta property='og:site_name' content='{SITE}'>" + ld(data),
        f"<article>{BODY}</article>"))
    assert article.site_name == SITE


def test_no_metadata_at_all_falls_back_to_the_head_of_the_text():
    article = extract_article(page(
        "", f"<div><h1>{HEADLINE}</h1><p>7 August 2024</p>{BODY}</div>"))
    assert article.title == HEADLINE
    assert article.published == "2024-08-07"
    assert article.author == "" and article.site_name == ""
    assert text_of(article).startswith("Residents")


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-08-07", "2024-08-07"), ("2024-08-07T23:30:00-05:00", "2024-08-07"),
    ("7 August 2024", "2024-08-07"), ("August 7, 2024", "2024-08-07"),
    ("1899-12-31", None), ("not a date", None), ("", None), (None, None),
])
def test_valid_date(value, expected):
    assert valid_date(value) == expected


def test_valid_date_allows_tomorrow_but_not_later():
    tomorrow = date.today() + timedelta(days=1)
    assert valid_date(tomorrow.isoformat()) == tomorrow.isoformat()
    assert valid_date((tomorrow + timedelta(days=1)).isoformat()) is None


def test_a_declared_title_is_kept_whole_around_a_shorter_heading():
    og_title = "Floods - what we know so far"
    article = extract_article(page(
        f"<meta property='og:title' content='{og_title}'><title>Floods | {SITE}</title>",
        f"<article><h1>Floods</h1>{BODY}</article>"))
    assert article.title == og_title


def test_a_title_element_around_the_page_heading_without_a_known_site():
    article = extract_article(page(
        f"<title>{HEADLINE} :: Riverside Weekly Online</title>",
        f"<article><h1>{HEADLINE}</h1>{BODY}</article>"))
    assert article.title == HEADLINE and article.site_name == ""


def test_a_commenter_is_not_the_author():
    article = extract_article(page(
        "", f"<article><h1>{HEADLINE}</h1>{BODY}</article><section class='comments'>"
            "<div class='comment'><span class='comment-author'>Mary Smith</span>"
            "<p>Stay safe everyone, and thank you for the reporting on the floods.</p></div>"
            "</section>"))
    assert "Mary Smith" not in article.author


def test_a_headline_in_a_header_of_a_page_without_an_article_element():
    og_title = HEADLINE
    article = extract_article(page(
        f"<meta property='og:title' content='{og_title}'>",
        f"<div class='post'><header class='entry-header'><h1>{HEADLINE}</h1></header>"
        f"<div class='entry-content'>{BODY}</div></div>"))
    assert article.title == og_title


def test_the_date_in_the_site_banner_is_not_the_articles():
    article = extract_article(page(
        "",
        "<header class='masthead'><time datetime='2024-12-01'>Sunday 1 December 2024</time>"
        "<nav><a href='/'>Home</a></nav></header>"
        f"<main><article><h1>{HEADLINE}</h1><div class='byline'>By Ana Lopez "
        f"<time datetime='2024-08-07'>7 August</time></div>{BODY}</article></main>"))
    assert article.published == "2024-08-07"


def test_a_date_in_a_byline_paragraph_but_not_one_in_the_text():
    in_byline = extract_article(page(
        "", f"<div class='story'><h1>{HEADLINE}</h1><p class='byline'>By Ana Lopez on "
            f"<time datetime='2024-08-07'>7 August</time></p>{BODY}</div>"))
    assert in_byline.published == "2024-08-07"
    # A date the text speaks of is not declared as the article's (trafilatura, the
    # fallback, may still guess it when the page declares none).
    in_text = read_page_metadata(lxml_html.document_fromstring(page(
        "", f"<article><h1>{HEADLINE}</h1>{BODY}<p>The last flood, on <time "
            f"datetime='1998-03-02'>2 March 1998</time>, closed the bridge.</p></article>")))
    assert in_text.published is None


@pytest.mark.parametrize("label", ["News", "Opinion", "Live updates"])
def test_a_section_label_is_never_the_title(label):
    article = extract_article(page(
        f"<title>{label}</title><meta property='og:title' content='{label}'>",
        f"<main><article><p class='kicker'>{label}</p><h1>{HEADLINE}</h1>{BODY}"
        f"</article></main>"))
    assert article.title == HEADLINE


def test_a_byline_class_in_capitals_names_the_author_but_an_article_of_that_class_does_not():
    article = extract_article(page(
        "", f"<article class='Author-Page'><h1>{HEADLINE}</h1>"
            f"<div class='Story-BYLINE'>By Ana Lopez</div>{BODY}</article>"))
    assert article.author == "Ana Lopez"


def test_names_xml_cannot_hold_do_not_stop_the_import():
    # Word processors' <o:p>, social widgets' <fb:like>, attributes like xmlns:og or 1x.
    article = extract_article(page(
        "<meta property='og:site_name' content='The Valley Courier'>",
        f"<article xmlns:og='http://ogp.me/ns#'><h1>{HEADLINE}</h1>"
        f"<p 1x='2' data-a:b='c'>Residents of the lower valley spent the weekend filling "
        f"sandbags<o:p> as the river rose</o:p> faster than any forecast.</p>"
        f"<fb:like href='x'></fb:like>{BODY}</article>"))
    assert "filling sandbags as the river rose faster" in text_of(article)
    assert article.title == HEADLINE and article.site_name == "The Valley Courier"


def test_elements_and_attributes_xml_cannot_name_are_renamed_or_dropped():
    from reader.importing.html_import import _parse_page, _xml_names

    tree = _parse_page("<html><body><p 1x='2' data-a:b='c' class='k'>Text <o:p>in</o:p></p>"
                       "<fb:like href='x'></fb:like><p class='k'>more</p></body></html>")
    _xml_names(tree)
    assert [e.tag for e in tree.iter()] == ["html", "body", "p", "span", "span", "p"]
    assert [dict(e.attrib) for e in tree.iter("p", "span")] == [
        {"class": "k"}, {}, {"href": "x"}, {"class": "k"}]
