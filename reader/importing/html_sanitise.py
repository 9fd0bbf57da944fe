"""Sanitising article HTML: an allow-list of tags, and links only to http, https and mailto.

nh3 (the Rust `ammonia` sanitiser) keeps only the allow-listed tags, with `href` on
links as the only attribute; everything else loses its tag (scripts and the like lose
their content too). What comes out is what an article stores as its source.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "pre", "code",
    "em", "i", "strong", "b", "a", "br", "hr", "table", "thead", "tbody", "tr", "th", "td",
})
# Removed together with everything inside them: their content is never article text, and
# the raw-text ones (script, style, xmp, plaintext, ...) would otherwise come out as text.
_DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
    "textarea", "select", "button", "title", "xmp", "plaintext", "noembed", "noframes",
})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_EDGE = "".join(map(chr, range(0x21)))  # what browsers strip from a URL's ends
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def safe_link(href: str, base_url: str | None = None, require_absolute: bool = False) -> str | None:
    """`href` as an http(s) or mailto URL (relative ones resolved against `base_url`), else None.

    Fragment-only links ("#notes") point inside the saved page, which the reader does not
    keep, so they are dropped rather than sent to the site.
    """
    # Browsers ignore leading and trailing spaces and control characters in a URL.
    href = href.strip(_URL_EDGE)
    try:
        parts = urlsplit(href)
        if not parts.scheme:
            if require_absolute or not base_url or href.startswith("#") or not href:
                return None
            parts = urlsplit(urljoin(base_url, href))
        scheme = parts.scheme.lower()
        if scheme not in LINK_SCHEMES or (scheme != "mailto" and not parts.hostname):
            return None
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    return parts.geturl()


def sanitise(article_html: str, base_url: str | None = None) -> str:
    """Article HTML reduced to the allow-listed tags, with `href` on links as the only attribute.

    Links keep only http, https and mailto targets; relative ones are resolved against
    `base_url` (an http(s) URL) or dropped, keeping their text.
    """
    base = safe_link(base_url or "", require_absolute=True)

    def keep_link(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            return safe_link(value, base)
        return None

    cleaner = nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={"a": {"href"}},
        attribute_filter=keep_link,
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    return cleaner.clean(_SURROGATE.sub("\ufffd", article_html)).strip()
