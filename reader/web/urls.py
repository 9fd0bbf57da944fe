"""Web addresses as the library keeps them: one spelling per page.

The same page is reached by many spellings: `HTTP://Example.com:80/a#notes`,
`https://example.com/a?utm_source=feed`, or whatever address a redirect ends at.
`normalise_url` reduces an address to the one the library stores, so that saving a page
again finds the article already there; `canonical_url` reads the address a page gives
for itself (`<link rel=canonical>`, else `og:url`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

FETCHED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that say where a visitor came from, never which page it is.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi", "ref_src",
})
TRACKING_PREFIXES = ("utm_",)

_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_BARE_HOST = re.compile(r"^[^/?#:@\s]+(:\d+)?([/?#]|$)")  # example.com, localhost:8000/x
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_URL_SAFE = "".join(map(chr, range(0x21, 0x7F)))  # all printable ASCII but space
_EDGE = "".join(map(chr, range(0x21)))  # spaces and control characters around an address


class AddressError(ValueError):
    """Text that is not an http(s) address; str() is the reason, for the user."""


def address_from_text(text: str) -> str:
    """The address a person typed or pasted: trimmed, and `https://` added to a bare host
    name ("example.com/page"). Raises AddressError for anything that is not http(s)."""
    address = text.strip(_EDGE)
    if not address:
        raise AddressError("no address was given")
    if address.startswith("//"):
        address = "https:" + address
    elif _BARE_HOST.match(address) and not address.lower().startswith(("http:", "https:")):
        address = "https://" + address
    elif not _HAS_SCHEME.match(address):
        raise AddressError(f"{address} is not a web address")
    check_fetchable(address)
    return address


def check_fetchable(url: str) -> None:
    """Raise AddressError unless url is an absolute http or https address with a host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise AddressError(f"{url} is not a valid address ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in FETCHED_SCHEMES:
        what = f"a {scheme}: address" if scheme else "not an absolute address"
        raise AddressError(f"{url} is {what}; only http and https pages are fetched")
    if not host:
        raise AddressError(f"{url} has no host name")


def is_fetchable(url: str) -> bool:
    try:
        check_fetchable(url)
    except AddressError:
        return False
    return True


def normalise_url(url: str) -> str:
    """The address as the library stores it.

    Scheme and host in lower case (an international host name in its ASCII form), the
    default port dropped, an empty path made `/`, the fragment dropped, characters outside
    ASCII percent-encoded (as a browser sends them) and tracking parameters (`utm_*`,
    `fbclid`, `gclid`, ...) removed from the query; the other parameters keep their order
    and spelling. Raises AddressError for an address that is not http(s).
    """
    check_fetchable(url)
    parts = urlsplit(url.strip(_EDGE))
    scheme = parts.scheme.lower()
    host = _ascii_host((parts.hostname or "").lower())
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None or parts.password is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, _encoded(parts.path) or "/", _encoded(query), ""))


def _ascii_host(host: str) -> str:
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # not a name IDNA can spell; kept as it was given


def _encoded(part: str) -> str:
    """part with non-ASCII characters and spaces percent-encoded and escapes in upper case
    (`%c3%a9` and `é` are the same address); everything else is left as it was."""
    part = _ESCAPE.sub(lambda m: m.group(0).upper(), part)
    return quote(part, safe=_URL_SAFE)


def _is_tracking(parameter: str) -> bool:
    name = unquote(parameter.partition("=")[0]).strip().lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def canonical_url(page_html: str, base_url: str) -> str | None:
    """The address the page gives for itself, absolute, or None.

    `<link rel="canonical">` first, then `<meta property="og:url">`; relative ones are
    resolved against base_url (the address the page was fetched from). Only http(s)
    addresses count, and two kinds are not believed:

    - an address on another site (only the same host, with or without `www.`, or a
      subdomain of it or its parent): saving a page updates the article stored under its
      canonical address, so any page could otherwise overwrite any article;
    - a site's home page named by a page elsewhere on it (a common template mistake):
      every page of that site would otherwise become one article.
    """
    finder = _HeadLinks()
    try:
        finder.feed(page_html[:1_000_000])
        finder.close()
    except _EndOfHead:
        pass
    for href in (finder.canonical, finder.og_url):
        if not href:
            continue
        candidate = urljoin(base_url, href.strip(_EDGE))
        if not is_fetchable(candidate):
            continue
        if urlsplit(candidate).path in ("", "/") and urlsplit(base_url).path not in ("", "/"):
            continue
        if not same_site(candidate, base_url):
            continue
        return candidate
    return None


def same_site(url: str, other: str) -> bool:
    """Whether two addresses are on one site: the same host (`www.` aside), or one a
    subdomain of the other (blog.example.com and example.com); attacker.co.uk and
    victim.co.uk are not."""
    hosts = []
    for address in (url, other):
        host = _ascii_host((urlsplit(address).hostname or "").lower()).rstrip(".")
        hosts.append(host.removeprefix("www."))
    first, second = hosts
    return bool(first) and (first == second or first.endswith("." + second)
                            or second.endswith("." + first))


class _EndOfHead(Exception):
    pass


class _HeadLinks(HTMLParser):
    """Collects the canonical link and og:url of a page's head; stops at its body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: str | None = None
        self.og_url: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "body":
            raise _EndOfHead
        if tag == "link" and self.canonical is None:
            if "canonical" in values.get("rel", "").lower().split() and values.get("href"):
                self.canonical = values["href"]
        elif tag == "meta" and self.og_url is None:
            if values.get("property", values.get("name", "")).lower() == "og:url":
                self.og_url = values.get("content") or None

    handle_startendtag = handle_starttag
