"""Imports pages saved from a browser: finds the article, sanitises it, renders it as blocks.

trafilatura finds the readable article in a page (main text without navigation, ads,
share buttons, comments or scripts) and reads its title, author, date, site name and
canonical URL. Its XML output is mapped onto a small HTML vocabulary, and nh3 (the Rust
`ammonia` sanitiser) keeps only an explicit allow-list of tags, with `href` on links as
the only attribute. That sanitised HTML is what an article stores as its source;
`parse_html` turns it into the same blocks as Markdown import.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from reader.importing.bylines import clean_names
from reader.importing.head import parse_date
from reader.importing.html_blocks import parse_html
from reader.importing.html_sanitise import safe_link, sanitise
from reader.importing.page_metadata import (
    PageMetadata,
    declares_everything,
    is_section_label,
    read_page_metadata,
    resolve,
)

HTML = "html"


_NO_ARTICLE = "has no article in it (no readable text was found in the page)"
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses; not NBSP
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_WORDS = re.compile(r"\w+")
_BY_PREFIX = re.compile(r"^(written\s+)?by\s+", re.IGNORECASE)



MIN_ARTICLE_WORDS = 5
_MAX_BYLINE_CHARS = 160


class NoArticleError(ValueError):
    """A page in which no article text could be found; str() is the reason, for the user."""


# trafilatura logs errors for pages it finds empty; we say so ourselves.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

@dataclass(frozen=True)
class ExtractedArticle:
    """The article found in a saved page, with its sanitised HTML."""

    title: str
    author: str
    published: str | None  # ISO date
    site_name: str  # becomes the article's publication
    url: str | None  # canonical http(s) URL, if the page names one
    html: str  # sanitised article HTML, stored as the article's source_text


def extract_article(page_html: str) -> ExtractedArticle:
    """The readable article in a saved web page; raises NoArticleError when there is none."""
    page = _xml_compatible(page_html)
    if not page.strip():
        raise NoArticleError(_NO_ARTICLE)
    doc, declared = _extract_xml(page)
    if doc is None:
        raise NoArticleError(_NO_ARTICLE)
    url = safe_link(doc.get("url") or "", require_absolute=True)
    # What the page declares comes first; trafilatura's guesses are checked by the same rules.
    found = resolve(declared, title=doc.get("title") or "", author=doc.get("author") or "",
                    published=doc.get("date"), site_name=doc.get("sitename") or "",
                    host=_host_name(url))
    title, author, published, site_name = (found.title, found.author, found.published,
                                           found.site_name)
    main = doc.find("main")
    if main is None:
        raise NoArticleError(_NO_ARTICLE)
    title = _drop_head(main, title, author, published)
    article_html = sanitise(_to_html(main), base_url=url)
    # A page whose "article" is a stray "<", a row of dashes or a lone menu link
    # ("Home") has no article: an article has at least a sentence's worth of words.
    if not _has_words(parse_html(article_html), MIN_ARTICLE_WORDS):
        raise NoArticleError(_NO_ARTICLE)
    return ExtractedArticle(title, author, published, site_name, url, article_html)


def _has_words(blocks, count: int) -> bool:
    """Whether `blocks` hold at least `count` words (counted only as far as that)."""
    found = 0
    for block in blocks:
        found += len(_WORDS.findall(block.text))
        if found >= count:
            return True
    return False


def _extract_xml(page: str) -> tuple[etree._Element | None, PageMetadata]:
    """trafilatura's XML for the page's main text and metadata (None if it found none),
    and the metadata the page declares."""
    try:
        tree = _parse_page(page)
    except NoArticleError:
        raise
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None, PageMetadata()
    # Before trafilatura, which strips scripts (JSON-LD) and headers from the tree it is given.
    declared = read_page_metadata(tree)
    _xml_names(tree)
    # Comments are never the article, and one holding "--" (legal in HTML, not in XML)
    # breaks the XML trafilatura builds from the page.
    etree.strip_elements(tree, etree.Comment, with_tail=False)
    try:
        xml = _trafilatura_xml(tree, declared)
    except etree.XMLSyntaxError as exc:  # trafilatura parses its own XML output again
        if exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT or "limit" in str(exc).lower():
            raise NoArticleError("has a paragraph too long to read (over 10 MB of text "
                                 "without a break)") from exc
        raise NoArticleError(f"could not be read as a web page ({exc})") from exc
    if not xml:
        return None, declared
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(xml.encode("utf-8"), parser), declared


def _trafilatura_xml(tree: lxml_html.HtmlElement, declared: PageMetadata) -> str | None:
    """trafilatura's XML of the page's main text and metadata, or None.

    What `trafilatura.extract(output_format="xml", with_metadata=True)` does, less the
    content fingerprint it adds for deduplication (a quarter of the extraction's time,
    and never used here). When the page declares everything the article needs (title,
    author, date, site name: see `declares_everything`), trafilatura's metadata pass is
    skipped, for its guesses would not be used; only the page's address is read as it
    reads it. Otherwise, when the page declares its date (JSON-LD, OpenGraph, <meta>),
    htmldate is told not to search the text for one (dateparser over the whole page:
    most of the time of a long page).
    """
    from trafilatura.core import bare_extraction, determine_returnstring
    from trafilatura.settings import Extractor, set_date_params

    url = None
    with_metadata = True
    if declares_everything(declared):
        url = _declared_url(tree)
        # The host's name is never an author's: checked again once it is known.
        with_metadata = not declares_everything(declared, _host_name(url))
    options = Extractor(
        output_format="xml",
        with_metadata=with_metadata,
        url=None if with_metadata else url,
        comments=False,
        formatting=True,
        links=True,
        tables=True,
        images=False,
        # Without it, trafilatura's last-resort fallback returns every string of a
        # page with no article (a login form and its menu); it also keeps sidebars
        # out of pages built from bare <div>s.
        precision=True,
        date_params=set_date_params(extensive=not declared.published),
    )
    document = bare_extraction(tree, options=options, as_dict=False)
    if not document:
        return None
    if not with_metadata:
        document.url = url
    return determine_returnstring(document, options) or None


def _declared_url(tree: lxml_html.HtmlElement) -> str | None:
    """The page's address as trafilatura's metadata pass reads it: og:url or JSON-LD,
    else <link rel=canonical>."""
    from trafilatura.metadata import examine_meta, extract_meta_json, extract_url

    metadata = examine_meta(tree)
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # noqa: BLE001 - trafilatura's own pass ignores its failures too
        pass
    return metadata.url or extract_url(tree)


def _parse_page(page: str) -> lxml_html.HtmlElement:
    """The page's element tree.

    libxml2 stops parsing, with only a logged error, at elements nested more than 256
    deep and at a run of text (or a comment, script or attribute) over 10 MB: a page of
    100,000 nested <div>s kept only what came before them. A page nested too deeply is
    flattened the way browsers do (deeper elements become siblings at the limit), and
    one with a run too long is parsed again without that limit.
    """
    flattened = huge = False
    while True:
        tree, limit = _parse_once(page, huge)
        if limit is None:
            return tree
        if limit == _DEPTH and not flattened:
            page, flattened = flatten_deep(page), True
        elif limit == _SIZE and not huge:
            huge = True
        elif limit == _DEPTH:
            raise NoArticleError(f"is nested too deeply to read (elements inside one another "
                                 f"more than {_LIBXML_MAX_DEPTH} levels deep)")
        else:
            raise NoArticleError("is too large to read as a web page")


_LIBXML_MAX_DEPTH = 256  # libxml2's limit on nesting without XML_PARSE_HUGE
# What flatten_deep leaves: far more than any article needs, and well under libxml2's
# limit with the elements it implies. (trafilatura's fallback takes time in proportion to
# depth times size, so less is faster for the pages that need flattening.)
MAX_DEPTH = 128
_DEPTH, _SIZE = "depth", "size"


def _parse_once(page: str, huge: bool) -> tuple[lxml_html.HtmlElement, str | None]:
    """The parsed page, and the limit libxml2 stopped at, if any: _DEPTH or _SIZE."""
    # Parsing ourselves lets trafilatura take pages without <html>, and pages that
    # declare an encoding (which lxml refuses in a str).
    parser = lxml_html.HTMLParser(encoding="utf-8", huge_tree=huge)
    tree = lxml_html.document_fromstring(page.encode("utf-8"), parser=parser)
    limits = [error.message.lower() for error in parser.error_log
              if error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT]
    if not limits:
        return tree, None
    return tree, _DEPTH if any("depth" in message for message in limits) else _SIZE


_VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "keygen", "command", "basefont", "bgsound", "frame", "isindex",
})


_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "colgroup"})


def flatten_deep(page: str, max_depth: int = MAX_DEPTH) -> str:
    """`page` with no element nested more than max_depth deep; text and order unchanged.

    As a browser does past its own limit, a start tag at the limit closes the element
    at the top (its end tag, when it comes, is dropped), so that deeper elements become
    siblings there instead of children. Written for pages libxml2 cannot parse; an
    ordinary page comes out as it went in, but for stray end tags, which are dropped.
    """
    flattener = _Flattener(max_depth)
    flattener.feed(page)
    flattener.close()
    return "".join(flattener.out)


class _Flattener(HTMLParser):
    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._max_depth = max_depth
        # Every element open in the page, as [tag, still open in the output?].
        self._source: list[list] = []
        self._open_names: dict[str, int] = {}  # how many of each tag _source holds
        self._output: list[int] = []  # indexes in _source of the elements open in the output
        self._starts: list[int] = []  # and the indexes in `out` of their start tags

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _VOID_TAGS:
            self.out.append(self.get_starttag_text() or "")
            return
        if len(self._output) >= self._max_depth:
            self._close_top()
            # Not as a child of a table's rows, where it would be no part of the table.
            while self._output and self._source[self._output[-1]][0] in _TABLE_PARTS:
                self._close_top()
        self._starts.append(len(self.out))
        self.out.append(self.get_starttag_text() or "")
        self._output.append(len(self._source))
        self._source.append([tag, True])
        self._open_names[tag] = self._open_names.get(tag, 0) + 1

    def _close_top(self) -> None:
        """Close the innermost element now; its end tag in the page will be dropped."""
        closed = self._output.pop()
        self._source[closed][1] = False
        start = self._starts.pop()
        if any(self.out[i].strip() for i in range(start + 1, len(self.out))):
            self.out.append(f"</{self._source[closed][0]}>")
        else:  # an empty element (the usual <div> of a deep page) is left out
            del self.out[start:]

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if not self._open_names.get(tag):
            return  # a stray end tag: nothing it could close
        while True:
            name, is_open = self._source.pop()
            self._open_names[name] -= 1
            if is_open:
                self._output.pop()
                self._starts.pop()
                self.out.append(f"</{name}>")
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def _xml_compatible(text: str) -> str:
    """`text` without what lxml cannot hold (trafilatura builds XML): control characters
    other than whitespace, which pages never show, and lone surrogates."""
    text = _SURROGATE.sub("\ufffd", text.replace("\x0c", " "))
    return _NOT_XML.sub("", text)


def _xml_names(tree: lxml_html.HtmlElement) -> None:
    """Give every element and attribute a name XML accepts, as trafilatura builds XML.

    Pages written by word processors or social widgets are full of names like <o:p> and
    <fb:like>; they carry no text of their own. A page uses few distinct names: each is
    checked once (a page has thousands of elements).
    """
    good = set(_KNOWN_XML_NAMES)
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag not in good:
            if _XML_NAME.fullmatch(tag):
                good.add(tag)
            else:
                element.tag = "span"
        attributes = element.attrib
        if attributes:
            bad = [n for n in attributes if n not in good and not _remember(n, good)]
            for name in bad:
                del attributes[name]


_KNOWN_XML_NAMES = frozenset({"html", "head", "body", "div", "p", "a", "span", "href", "class",
                              "id", "li", "ul", "meta", "script", "link", "style", "img",
                              "src", "alt", "title", "content", "name", "property", "rel"})


def _remember(name: str, good: set[str]) -> bool:
    """Whether `name` is a valid XML name (remembered in `good` when it is)."""
    if _XML_NAME.fullmatch(name):
        good.add(name)
        return True
    return False


def _clean(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _host_name(url: str | None) -> str:
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.")


def _drop_head(main: etree._Element, title: str, author: str, published: str | None) -> str:
    """Remove the title heading and byline lines the metadata already holds; returns the title.

    A page without a title in its metadata gives its leading h1/h2 for one.
    """
    first = _first_child(main)
    if first is not None and first.tag == "head" and is_section_label("".join(first.itertext())):
        following = first.getnext()
        if following is not None and following.tag == "head":  # "Opinion" over the headline
            _remove(first)
            first = _first_child(main)
    if first is not None and first.tag == "head" and first.get("rend") in ("h1", "h2"):
        heading = _clean("".join(first.itertext()))
        if not title:
            title = heading
        if heading.casefold() == title.casefold():
            _remove(first)
    for _ in range(3):
        first = _first_child(main)
        if first is None or first.tag != "p" or not _is_byline(first, author, published):
            break
        _remove(first)
    return title


def _first_child(main: etree._Element) -> etree._Element | None:
    return None if (main.text or "").strip() else next(iter(main), None)


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    # Keep the text that follows the element.
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _is_byline(element: etree._Element, author: str, published: str | None) -> bool:
    text = _clean("".join(element.itertext()))
    if not text:
        return False
    named = _BY_PREFIX.sub("", text)
    if author and named.casefold() == author.casefold():
        return True
    # "By JANE DOE, Staff Writer | Follow on X", "Ana Lopez · 7 August 2024"
    if author and len(text) <= _MAX_BYLINE_CHARS and (
            {n.casefold() for n in clean_names(text)} == {a.casefold() for a in author.split(", ")}):
        return True
    return published is not None and parse_date(text) == published


# trafilatura's XML vocabulary -> HTML. Anything not named here loses its tag, keeps its text.
_XML_TO_HTML = {"p": "p", "quote": "blockquote", "item": "li", "lb": "br", "row": "tr",
                "table": "table"}  # "graphic" (an image) among the rest
_HI_TO_HTML = {"#b": "strong", "#i": "em", "#t": "code"}


def _to_html(main: etree._Element) -> str:
    # Code first: whether it is a block depends on its parent's XML name.
    for element in list(main.iter("code")):
        _code_to_html(element)
    for element in list(main.iter()):
        # Skips comments, processing instructions and the code done above.
        if not isinstance(element.tag, str) or element.tag in ("code", "pre"):
            continue
        tag, attrs = element.tag, dict(element.attrib)
        element.attrib.clear()
        if tag == "main":
            element.tag = "div"
        elif tag == "head":
            level = attrs.get("rend", "")
            element.tag = level if re.fullmatch(r"h[1-6]", level) else "h3"
        elif tag == "list":
            element.tag = "ol" if attrs.get("rend") == "ol" else "ul"
        elif tag == "cell":
            element.tag = "th" if attrs.get("role") == "head" else "td"
        elif tag == "hi":
            element.tag = _HI_TO_HTML.get(attrs.get("rend", ""), "span")
        elif tag == "ref":
            element.tag = "a"
            if attrs.get("target"):
                element.set("href", attrs["target"])
        else:
            element.tag = _XML_TO_HTML.get(tag, "span")
    return etree.tostring(main, method="html", encoding="unicode")


def _code_to_html(element: etree._Element) -> None:
    """trafilatura writes inline and block code alike as <code>; blocks become <pre><code>."""
    parent = element.getparent()
    text = "".join(element.itertext())
    parent_tag = parent.tag if parent is not None else ""
    if parent_tag in ("main", "quote") or ("\n" in text and parent_tag in ("item", "cell")):
        for child in list(element):
            element.remove(child)
        element.tag, element.text = "pre", None
        etree.SubElement(element, "code").text = text
    else:
        element.tag = "code"


