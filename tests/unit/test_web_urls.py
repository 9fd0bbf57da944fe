"""Addresses as the library keeps them (reader.web.urls): no network here."""

from __future__ import annotations

import pytest

from reader.web import AddressError, address_from_text, canonical_url, normalise_url


@pytest.mark.parametrize(("given", "stored"), [
    ("HTTP://Example.COM:80/Path?b=2&a=1#notes", "http://example.com/Path?b=2&a=1"),
    ("https://example.com:443", "https://example.com/"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://example.com/a?utm_source=feed&id=7&UTM_Campaign=x&fbclid=abc",
     "https://example.com/a?id=7"),
    ("https://example.com/a?gclid=1&mc_cid=2&mc_eid=3&igshid=4&yclid=5&_hsenc=6&_hsmi=7"
     "&ref_src=8", "https://example.com/a"),
    ("https://example.com/a?z=1&ref=2&utm_x&q=%20a", "https://example.com/a?z=1&ref=2&q=%20a"),
    ("http://[::1]:80/x", "http://[::1]/x"),
    ("https://user@Example.com/", "https://user@example.com/"),
    ("https://ru.wikipedia.org/wiki/Река?q=é",
     "https://ru.wikipedia.org/wiki/%D0%A0%D0%B5%D0%BA%D0%B0?q=%C3%A9"),
    ("https://example.com/a%2fb%c3%a9 c", "https://example.com/a%2Fb%C3%A9%20c"),
    ("https://BÜCHER.example/x", "https://xn--bcher-kva.example/x"),
])
def test_normalise(given, stored):
    assert normalise_url(given) == stored
    assert normalise_url(stored) == stored


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x/y", "mailto:a@b", "/relative",
                                 "http://", "http://host:port/"])
def test_only_http_addresses_normalise(url):
    with pytest.raises(AddressError):
        normalise_url(url)


@pytest.mark.parametrize(("text", "address"), [
    ("  https://example.com/a \n", "https://example.com/a"),
    ("example.com/post", "https://example.com/post"),
    ("localhost:8000/x", "https://localhost:8000/x"),
    ("//example.com/x", "https://example.com/x"),
])
def test_address_from_text(text, address):
    assert address_from_text(text) == address


@pytest.mark.parametrize("text", ["", "   ", "file:///etc/passwd", "javascript:alert(1)",
                                  "data:text/html,hi", "not an address"])
def test_address_from_text_refuses(text):
    with pytest.raises(AddressError):
        address_from_text(text)


def test_canonical_link_then_og_url():
    page = ('<html><head><meta property="og:url" content="https://example.com/og">'
            '<link rel="Canonical" href="/posts/1?utm_source=x"></head><body></body></html>')
    assert canonical_url(page, "https://example.com/p?id=1") == \
        "https://example.com/posts/1?utm_source=x"
    og_only = '<meta property="og:url" content="https://example.com/og">'
    assert canonical_url(og_only, "https://example.com/p") == "https://example.com/og"


@pytest.mark.parametrize("page", [
    '<link rel="canonical" href="javascript:alert(1)">',
    '<link rel="canonical" href="ftp://example.com/x">',
    '<link rel="canonical" href="/">',  # the site's home page, for a page elsewhere
    '<link rel="canonical" href="https://en.wikipedia.org/wiki/River">',  # another site
    '<meta property="og:url" content="https://attacker.example.org/posts/1">',
    '<html><head></head><body><link rel="canonical" href="/in-body"></body></html>',
    '',
])
def test_no_believable_canonical(page):
    assert canonical_url(page, "https://example.com/posts/1") is None


@pytest.mark.parametrize(("href", "believed"), [
    ("https://www.example.com/posts/1", True),
    ("https://blog.example.com/posts/1", True),
    ("http://example.com/posts/1", True),
    ("https://example.com.evil.net/posts/1", False),
    ("https://other.co.uk/posts/1", False),
])
def test_a_canonical_address_is_believed_on_the_same_site_only(href, believed):
    base = "https://example.com/p?id=1" if "co.uk" not in href else "https://mine.co.uk/p"
    found = canonical_url(f'<link rel="canonical" href="{href}">', base)
    assert (found == href) is believed
