"""What a saved web page says about its article: headline, authors, date and site name.

Pages declare their metadata for search engines and social networks, and that is more
reliable than guessing from the page's text. In order of trust:

1. JSON-LD (schema.org NewsArticle, Article, BlogPosting, Report...; also inside @graph
   arrays and lists): headline, author (Person, or a list of them), datePublished,
   publisher.name.
2. OpenGraph and meta tags: og:title, og:site_name, article:published_time,
   article:author (when it is a name, not a profile URL), twitter:title, name=author,
   name=date / publish-date / dc.date / dcterms.created, itemprop=datePublished.
3. The page itself: its <title> (without the site's name), the headline <h1> of its
   <article>, a <time datetime> in its byline.

Only then does the caller fall back to what trafilatura found, and after that to the
head of the article's text.

Rules the values keep:

- The title is the article's headline: never the site's name, never a section label
  ("News", "Opinion", "Live updates"), and without a " | Site", " - Site" or "Site: "
  around it.
- The author holds people's names only, joined with ", ": no "By", no job titles, no
  dates, no "Follow on X", no e-mail addresses or profile URLs, no duplicates, and never
  the site's name. An organisation is the author only when the page's JSON-LD says the
  author is an Organization and no source names a person (a wire service, an
  editorial board): the page itself says so, and it is better than nothing.
- Dates are ISO (YYYY-MM-DD), in the page's own time zone (the date a reader there saw),
  and ignored when before 1900 or after tomorrow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from lxml import etree

from reader.importing.bylines import URL, clean_names, clean_text, unique
from reader.importing.head import parse_date
from reader.importing.page_jsonld import (
    ARTICLE_TYPES,
    json_ld,
    ld_authors,
    ld_name,
    ld_text,
    types,
)

_SQUASH = re.compile(r"[\W_]+")
# Between a headline and the site's name (or a section) in a title.
_TITLE_SEPARATOR = re.compile(r"\s+[|•·»«—–\-:~/]\s+|\s*\|\s*|\s*::\s*")
_SITE_PREFIX = re.compile(r"^(?P<site>[^:]{2,60}):\s+(?P<rest>.+)$")

# Headings that name a part of a site, not an article.
SECTION_LABELS = frozenset({
    "news", "latest news", "breaking news", "breaking", "top stories", "latest", "home",
    "homepage", "front page", "opinion", "opinions", "comment", "comment is free",
    "editorial", "editorials", "analysis", "live", "live updates", "live blog", "live news",
    "sport", "sports", "business", "money", "world", "world news", "politics", "features",
    "culture", "arts", "technology", "tech", "science", "health", "lifestyle", "travel",
    "food", "entertainment", "local", "local news", "national", "international", "blog",
    "blogs", "articles", "article", "stories", "story", "reviews", "review", "podcasts",
    "podcast", "video", "videos", "photos", "most read", "most popular", "popular",
    "trending", "related", "related articles", "related stories", "more stories",
    "read more", "recommended", "menu", "search", "weather", "economy", "environment",
    "climate", "education", "obituaries", "letters", "uk", "us", "europe", "markets",
    "newsletter", "newsletters", "subscribe", "sign in", "log in", "advertisement",
})

_DATE_META = ("article:published_time", "og:published_time", "article:published",
              "datepublished", "date", "publish-date", "publish_date", "publishdate",
              "pubdate", "published_time", "dc.date", "dc.date.issued", "dc.date.created",
              "dcterms.created", "dcterms.issued", "dcterms.date", "sailthru.date",
              "parsely-pub-date", "citation_publication_date")
_AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "dcterms.creator",
                "parsely-author", "sailthru.author")
_TITLE_META = ("og:title", "twitter:title")
_SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title")
_BYLINE_CLASS = re.compile(r"byline|dateline|author|meta|publish|posted|date|time|info",
                           re.IGNORECASE)
_MASTHEAD_CLASS = re.compile(r"logo|brand|masthead|site-?(?:name|title)", re.IGNORECASE)
_ASIDE_CLASS = re.compile(r"comment|sidebar|related|recommend|footer|widget|promo",
                          re.IGNORECASE)
# Where a title candidate comes from.
_DECLARED, _TITLE_ELEMENT, _SHOWN = "declared", "title element", "shown"


@dataclass(frozen=True)
class PageMetadata:
    """Everything a page declares; `resolve` decides what the article gets."""

    titles: tuple[str, ...] = ()  # declared headlines, most trusted first
    page_title: str = ""  # the <title>
    headings: tuple[str, ...] = ()  # the article's own <h1> (or itemprop=headline)
    # People's names from each source that has any, most trusted first.
    authors: tuple[tuple[str, ...], ...] = ()
    organisations: tuple[str, ...] = ()  # JSON-LD authors that are organisations
    published: str | None = None
    site_names: tuple[str, ...] = ()  # most trusted first
    mastheads: tuple[str, ...] = ()  # texts shown as the site's banner


@dataclass(frozen=True)
class Resolved:
    title: str
    author: str
    published: str | None
    site_name: str


def read_page_metadata(tree: etree._Element) -> PageMetadata:
    """The metadata `tree` (a parsed page, before trafilatura cleans it) declares."""
    metas = _meta_tags(tree)
    objects, ids = json_ld(tree)
    article = next((o for o in objects if types(o) & ARTICLE_TYPES), None)

    titles: list[str] = []
    ld_people: list[str] = []
    organisations: list[str] = []
    ld_date = None
    site_names: list[str] = []
    if article is not None:
        titles += [ld_text(article.get("headline")), ld_text(article.get("name"))]
        ld_people, organisations = ld_authors(article.get("author"), ids)
        ld_date = valid_date(ld_text(article.get("datePublished"))) or valid_date(
            ld_text(article.get("dateCreated")))
        site_names.append(ld_name(article.get("publisher"), ids))
    titles += [metas.get(name, "") for name in _TITLE_META]
    titles += [clean_text(_text(e)) for e in tree.xpath(
        "//*[@itemprop='headline'][not(self::meta)]")[:1]]

    site_names.insert(0, metas.get("og:site_name", ""))
    site_names += [ld_text(o.get("name")) for o in objects if "website" in types(o)]
    site_names += [metas.get(name, "") for name in _SITE_META[1:]]

    author_sources = [ld_people]
    author_sources += [clean_names(metas.get(name, "")) for name in _AUTHOR_META]
    author_sources.append(_microdata_authors(tree))
    author_sources.append(_byline_authors(tree))

    published = ld_date
    for name in _DATE_META:
        published = published or valid_date(metas.get(name))
    published = published or _time_in_byline(tree)

    page_title = ""
    title_element = tree.find(".//title")
    if title_element is not None:
        page_title = clean_text(_text(title_element))
    headings, mastheads = _headings(tree)
    return PageMetadata(
        titles=unique(titles),
        page_title=page_title,
        headings=headings,
        authors=tuple(tuple(a) for a in author_sources if a),
        organisations=unique(organisations),
        published=published,
        site_names=unique(site_names),
        mastheads=mastheads,
    )


def resolve(meta: PageMetadata, *, title: str = "", author: str = "",
            published: str | None = None, site_name: str = "", host: str = "") -> Resolved:
    """The article's title, author, date and site name: what the page declares, else the
    given fallbacks (trafilatura's), checked by the same rules. Empty when nothing fits."""
    site = next((s for s in (*meta.site_names, clean_text(site_name)) if s and not URL.match(s)),
                "") or host
    site_like = _site_like(meta, site, host)

    headline = ""
    candidates = [*((_DECLARED, t) for t in meta.titles), (_TITLE_ELEMENT, meta.page_title),
                  *((_SHOWN, h) for h in meta.headings), (_SHOWN, title)]
    shown = {h.casefold() for h in meta.headings}
    for kind, candidate in candidates:
        # A declared headline is the page's word: only a site's name or a section is
        # taken from around it. A <title> may also be the headline the page shows with
        # anything around it.
        headline, site_removed = _headline(candidate, site_like,
                                           () if kind == _DECLARED else meta.headings)
        # A <title> that names no site around the headline the page shows may be
        # "Section | Site", or the site's own title: the page's headline is surer.
        if kind == _TITLE_ELEMENT and shown and not site_removed and (
                headline.casefold() not in shown):
            continue
        if headline:
            break

    names = _people(meta.authors, site_like) or _people(
        [clean_names(author.replace(";", ","))], site_like)
    if not names:
        names = list(meta.organisations)
    return Resolved(headline, ", ".join(unique(names)), meta.published or valid_date(published),
                    site)


def declares_everything(meta: PageMetadata, host: str = "") -> bool:
    """Whether `resolve` takes the title, author, date and site name all from what the
    page declares, whatever fallbacks it is given: then trafilatura's own metadata pass
    (and htmldate's search of the page for a date) would change nothing."""
    site = next((s for s in meta.site_names if s and not URL.match(s)), "")
    # The title: trafilatura's is the last candidate `resolve` tries, so a title found
    # without it is a declared one. The author: named as a person (trafilatura's comes
    # before an organisation). The site's name: declared, not taken from the host.
    return bool(site and meta.published and resolve(meta, host=host).title
                and _people(meta.authors, _site_like(meta, site, host)))


def _site_like(meta: PageMetadata, site: str, host: str) -> set[str]:
    """The squashed names that are the site's, never a headline or an author."""
    site_like = {_squash(s) for s in (*meta.site_names, site, *meta.mastheads) if s}
    if host:
        site_like |= {_squash(host), _squash(host.split(".")[0])}
    site_like.discard("")
    return site_like


def _people(sources, site_like: set[str]) -> list[str]:
    """The names of the first source that names someone other than the site."""
    for source in sources:
        names = [n for n in source if _squash(n) not in site_like]
        if names:
            return names
    return []


def is_section_label(text: str) -> bool:
    return clean_text(text).casefold().strip(" :»>") in SECTION_LABELS


def valid_date(value: str | None) -> str | None:
    """ISO date of a declared date (ISO or written out), if plausible as a publication date."""
    value = clean_text(value or "")
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        iso = parse_date(value)
        if iso is None:
            return None
        day = date.fromisoformat(iso)
    if day.year < 1900 or day > date.today() + timedelta(days=1):
        return None
    return day.isoformat()


def _headline(candidate: str, site_like: set[str],
              headings: tuple[str, ...]) -> tuple[str, bool]:
    """`candidate` without the site's name or a section around it ("" if nothing is left),
    and whether a site's name was taken away."""
    text = clean_text(candidate)
    site_removed = False
    if not text or URL.match(text):
        return "", False
    for heading in headings:  # "Headline | Site" where the page shows "Headline"
        if heading.casefold() != text.casefold() and _is_part_of(heading, text):
            text, site_removed = heading, True
            break
    while True:
        parts = _TITLE_SEPARATOR.split(text)
        if len(parts) < 2:
            prefix = _SITE_PREFIX.match(text)
            if prefix and _is_site(prefix["site"], site_like):
                text, site_removed = prefix["rest"].strip(), True
                continue
            break
        if _is_site(parts[-1], site_like) or is_section_label(parts[-1]):
            site_removed = site_removed or _is_site(parts[-1], site_like)
            text = text[:_last_separator(text).start()].strip()
        elif _is_site(parts[0], site_like) or is_section_label(parts[0]):
            site_removed = site_removed or _is_site(parts[0], site_like)
            text = text[_TITLE_SEPARATOR.search(text).end():].strip()
        else:
            break
    if not text or _is_site(text, site_like) or is_section_label(text):
        return "", site_removed
    return text, site_removed


def _is_part_of(heading: str, title: str) -> bool:
    """Whether `title` is `heading` with something more around it, after a separator."""
    h, t = heading.casefold(), title.casefold()
    if t.startswith(h):
        return bool(_TITLE_SEPARATOR.match(title[len(heading):]))
    if t.endswith(h):
        rest = title[:len(title) - len(heading)]
        return bool(re.search(r"(?:\s+[|•·»—–\-:~/]|\s*\||\s*::|:)\s*$", rest))
    return False


def _last_separator(text: str) -> re.Match:
    *_, last = _TITLE_SEPARATOR.finditer(text)
    return last


def _is_site(text: str, site_like: set[str]) -> bool:
    return _squash(text) in site_like


def _meta_tags(tree: etree._Element) -> dict[str, str]:
    """The first non-empty content of each meta name/property/itemprop, names in lower case."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        content = clean_text(element.get("content") or "")
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            name = (element.get(attribute) or "").strip().casefold()
            if name and name not in found:
                found[name] = content
    return found


def _microdata_authors(tree: etree._Element) -> list[str]:
    names: list[str] = []
    for element in tree.xpath("//*[@itemprop='author'] | //a[@rel='author']")[:5]:
        inner = element.xpath(".//*[@itemprop='name']")
        source = inner[0] if inner else element
        text = source.get("content") or _text(source)
        names += clean_names(text)
    return list(unique(names))


def _byline_authors(tree: etree._Element) -> list[str]:
    """The names in the page's first byline (an element of class "byline" or "author")."""
    for element in _byline_elements(tree)[:5]:
        text = _text(element)
        if len(text) <= 200 and not _aside(element):
            names = clean_names(text)
            if names:
                return names
    return []


_HAS_CLASS = etree.XPath("//*[@class]")


def _byline_elements(tree: etree._Element) -> list[etree._Element]:
    """The elements whose class names a byline or an author (in any case), in page
    order; never the page's body, html, article or main."""
    found = []
    for element in _HAS_CLASS(tree):
        # Only ASCII letters are folded, as XPath's translate() did before.
        marks = element.get("class").translate(_ASCII_LOWER)
        if ("byline" in marks or "author" in marks) and element.tag not in _NOT_BYLINES:
            found.append(element)
    return found


_ASCII_LOWER = str.maketrans("BYLINEAUTHOR", "bylineauthor")
_NOT_BYLINES = frozenset({"body", "html", "article", "main"})


def _aside(element: etree._Element) -> bool:
    """Whether `element` is in a comment, a sidebar or the page's footer or menu."""
    for ancestor in (element, *element.iterancestors()):
        if ancestor.tag in ("aside", "footer", "nav") or _ASIDE_CLASS.search(
                f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"):
            return True
    return False


def _time_in_byline(tree: etree._Element) -> str | None:
    """The date of a <time datetime> that dates the article: marked as its publication
    date, or in its byline or header, or in the article before its text."""
    for element in tree.xpath("//*[@itemprop='datePublished'] | //time[@pubdate]"):
        found = valid_date(element.get("datetime") or element.get("content") or _text(element))
        if found:
            return found
    for element in tree.iter("time"):
        value = element.get("datetime")
        if not value or not _dates_the_article(element):
            continue
        found = valid_date(value)
        if found:
            return found
    return None


def _dates_the_article(element: etree._Element) -> bool:
    """Whether a <time> is in a byline or in the article (not in its text), and not in
    the site's banner, which often shows today's date."""
    ancestors = list(element.iterancestors())
    tags = {a.tag for a in ancestors}
    in_article = bool(tags & {"article", "main"})
    if tags & {"aside", "nav", "footer"} or ("header" in tags and not in_article):
        return False
    if any(_BYLINE_CLASS.search(f"{a.get('class') or ''} {a.get('id') or ''}")
           for a in ancestors[:4]):
        return True
    return in_article and not tags & {"p", "li", "td", "blockquote"}


def _headings(tree: etree._Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the article's headlines, the texts of site banners): the <h1>s in an <article> or
    <main> (or marked itemprop=headline), else the page's others; those marked as a
    logo or banner are the site's."""
    in_article: list[str] = []
    others: list[str] = []
    mastheads: list[str] = []
    for element in tree.xpath("//h1 | //*[@itemprop='headline'][not(self::meta)]"):
        text = clean_text(_text(element))
        if not text:
            continue
        ancestors = list(element.iterancestors())
        tags = {a.tag for a in ancestors}
        marks = " ".join(f"{e.get('class') or ''} {e.get('id') or ''}"
                         for e in [element, *ancestors[:2]])
        if _MASTHEAD_CLASS.search(marks):
            mastheads.append(text)
        elif tags & {"article", "main"} or element.get("itemprop") == "headline":
            in_article.append(text)
        else:
            others.append(text)
    # Beside the article's own <h1>, another (in the page's header, say) is the site's
    # banner. Without one, a page's <h1> in a <header> may be the article's header.
    if in_article:
        return unique(in_article), unique(mastheads + others)
    return unique(others), unique(mastheads)


def _text(element: etree._Element) -> str:
    return "".join(t for t in element.itertext() if isinstance(t, str))


def _squash(text: str) -> str:
    return _SQUASH.sub("", text.casefold().removeprefix("the "))

