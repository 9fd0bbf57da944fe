"""The importers never fail in any other way than a clear SourceError, whatever the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.importing.sources import SourceError, decode, parse_article, render, split_body

MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("abc XYZ\n\n#*_`>-+1.)[]()!<>/&;:\"'“”—\u00a0😀\t|~=^$%\\")),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(MARKDOWNISH, st.text(max_size=200)), st.sampled_from(["markdown", "text"]))
def test_parse_article_gives_an_article_or_a_clear_reason(source, source_format):
    try:
        article = parse_article(source, source_format, "fuzz.md")
    except SourceError as exc:
        assert str(exc)
        return
    head, body = split_body(article.source_text, source_format)
    document = render(article.title, article.author, article.publication, article.published, body)
    assert document.text == article.text
    assert article.title


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_decode_gives_text_or_a_clear_reason(data):
    try:
        text = decode(data)
    except SourceError as exc:
        assert str(exc).startswith(("is empty", "is a binary file", "is not valid UTF-8"))
        return
    assert "\r" not in text and text.strip()
