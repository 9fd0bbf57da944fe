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
