"""marginalia:// links."""

from __future__ import annotations

import pytest

from reader.links import Link, is_link, parse_link


def test_round_trip():
    link = Link(12, 340)
    assert str(link) == "marginalia://open?article=12&highlight=340"
    assert parse_link(str(link)) == link
    assert parse_link("marginalia://open?article=7") == Link(7)
    assert parse_link("MARGINALIA://open?article=7&highlight=2") == Link(7, 2)
    assert is_link("marginalia://x") and not is_link("/home/me/a.md")


@pytest.mark.parametrize(
    ("url", "reason"),
    [("marginalia://open", "names no article"), ("marginalia://open?article=x", "must be a number"),
     ("marginalia://delete?article=1", "not a Marginalia link"), ("https://e.org", "not a Marginalia link"),
     ("marginalia://open?article=1&highlight=-3", "must be a number")],
)
def test_bad_links(url, reason):
    with pytest.raises(ValueError, match=reason):
        parse_link(url)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("99999999999999999999999999", "must be a number from 1 to 9223372036854775807, "
                                       "not 99999999999999999999999999"),
        (str(2**63), "must be a number from 1 to 9223372036854775807"),
        ("0", "must be a number from 1 to"),
        ("000", "must be a number from 1 to"),
        ("9" * 5000, "not 99999999999999999999…(5000 characters)"),
        ("²", "must be a number, not '²'"),
        ("١٢", "must be a number"),
    ],
)
def test_ids_beyond_what_sqlite_holds_are_refused(value, reason):
    for url in (f"marginalia://open?article={value}",
                f"marginalia://open?article=1&highlight={value}"):
        with pytest.raises(ValueError) as raised:
            parse_link(url)
        assert reason in str(raised.value)
        assert len(str(raised.value)) < 400


def test_the_largest_id_and_leading_zeros_are_accepted():
    biggest = 2**63 - 1
    assert parse_link(f"marginalia://open?article={biggest}&highlight=007") == Link(biggest, 7)


def test_a_save_link_names_the_page_to_save():
    from reader.links import SaveLink

    page = "https://news.example/a?id=3&utm_source=x#top"
    link = SaveLink(page)
    assert parse_link(str(link)) == link
    assert parse_link("marginalia://save?url=https%3A%2F%2Fnews.example%2Fa") == SaveLink(
        "https://news.example/a")
    for bad, reason in (("marginalia://save", "names no page"),
                        ("marginalia://save?url=", "names no page"),
                        ("marginalia://save?url=" + "a" * 9000, "too long"),
                        ("marginalia://fetch?url=x", "not a Marginalia link")):
        with pytest.raises(ValueError, match=reason):
            parse_link(bad)
