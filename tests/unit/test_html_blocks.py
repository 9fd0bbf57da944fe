"""Sanitised HTML is read without html.parser when it is in nh3's canonical form: the
blocks must be exactly those html.parser's reading gives, for any HTML sanitised."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.importing import html_blocks
from reader.importing.html_blocks import parse_html
from reader.importing.html_sanitise import sanitise

_PIECES = [
    "<p>", "</p>", "<h2>", "</h2>", "<ul>", "<ol>", "</ul>", "</ol>", "<li>", "</li>",
    "<blockquote>", "</blockquote>", "<pre>", "</pre>", "<code>", "</code>", "<br>",
    "<hr>", "<table>", "<tr>", "<td>", "<th>", "</td>", "</tr>", "</table>", "<em>",
    "</em>", "<strong>", "</strong>", "<b>", "<i>", "<a href=\"https://x.example/?a=1&amp;b=2\">",
    "<a href=\"/relative\">", "<a href=''>", "</a>", "<div>", "</div>", "<span>", "<script>x<y",
    "</script>", "<!-- c -->", "<br/>", "<P CLASS=x>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&#xD800;",
    "&quot;", "&copy", " ", "  ", "\n", "\t", "\r\n", "\x0c", "\u00a0", "word", "two words",
    "😀", "<", ">", "&", "\"", "'", "=",
]
HTMLISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def _read_by_html_parser(html: str) -> list:
    walker = html_blocks._HtmlWalker()
    walker.feed(html)
    walker.close()
    walker.flush()
    return walker.blocks


def _read_canonically(html: str) -> list | None:
    walker = html_blocks._HtmlWalker()
    if not html_blocks._walk_canonical(walker, html):
        return None
    walker.flush()
    return walker.blocks


@settings(max_examples=500, deadline=None)
@given(HTMLISH, st.sampled_from([None, "https://site.example/a/b"]))
def test_sanitised_html_reads_canonically_as_html_parser_reads_it(html, base_url):
    sanitised = sanitise(html, base_url)
    canonical = _read_canonically(sanitised)
    assert canonical is not None, sanitised  # what nh3 writes is all canonical
    assert canonical == _read_by_html_parser(sanitised)
    assert parse_html(sanitised) == canonical


@settings(max_examples=300, deadline=None)
@given(HTMLISH)
def test_any_html_reads_as_html_parser_reads_it(html):
    # Unsanitised HTML (an older article's stored source) either reads the same way
    # canonically or is left to html.parser.
    canonical = _read_canonically(html)
    if canonical is not None:
        assert canonical == _read_by_html_parser(html)
    assert parse_html(html) == _read_by_html_parser(html)


def test_what_is_not_canonical_is_left_to_html_parser():
    for html in ("<P>Upper</P>", "<p>a<!-- c -->b</p>", "<br/>", "<p>a < b</p>",
                 "<p class='x'>single quotes</p>", "<script>if (a<b) x</script>",
                 "</p class=\"x\">", "<p>a</p><!DOCTYPE html>"):
        assert _read_canonically(html) is None, html
        assert parse_html(html) == _read_by_html_parser(html)


def test_whitespace_is_collapsed_only_where_it_is_more_than_one_space():
    blocks = parse_html("<p>one two\tthree\n four  five\r\nsix\x0cseven\u00a0 eight</p>")
    assert blocks[0].text == "one two three four five six seven\u00a0 eight"
    assert parse_html("<p>one two three</p>")[0].text == "one two three"


def test_an_article_has_at_least_five_words_counted_across_its_blocks():
    from reader.importing.html_import import MIN_ARTICLE_WORDS, _has_words

    assert MIN_ARTICLE_WORDS == 5
    assert _has_words(parse_html("<p>one two</p><p>three</p><ul><li>four five</li></ul>"), 5)
    assert not _has_words(parse_html("<p>one two</p><p>three — four</p>"), 5)
    assert not _has_words([], 5)
