"""What a team library's change announcements ("<pid> <table> <article id>") tell the
window to refresh (reader.live_updates.changes_from); the listening itself is tested
on a server in tests/pg/test_pg_live.py."""

from __future__ import annotations

import pytest

from reader.records import Changes
from reader.live_updates import changes_from

OTHER, MINE = 4001, 4002


@pytest.mark.parametrize("payload, expected", [
    ("article 7", Changes(article_list=True, articles=frozenset({7}))),
    ("highlight 7", Changes(highlights=frozenset({7}))),
    ("note_history 7", Changes(highlights=frozenset({7}))),
    ("review_card 7", Changes(highlights=frozenset({7}))),
    ("highlight_tag 7", Changes(highlights=frozenset({7}), tags=True)),
    ("article_tag 7", Changes(articles=frozenset({7}), tags=True)),
    ("revision 7", Changes(articles=frozenset({7}))),
    ("tag", Changes(tags=True)),
    ("meta", Changes(colours=True)),
    ("saved_view", Changes(views=True)),
    ("feed", Changes(feeds=True, article_list=True)),
    # A highlight's tag row whose highlight is already gone names no article.
    ("highlight_tag", Changes(tags=True, article_list=True)),
    # A table a newer schema announces: everything a window shows is refreshed.
    ("bookmark 7", Changes(article_list=True, tags=True, colours=True, views=True,
                           feeds=True)),
])
def test_each_table_names_what_to_refresh(payload, expected):
    assert changes_from([f"{OTHER} {payload}"], frozenset({MINE})) == expected


def test_a_burst_is_one_changes_without_this_processs_own():
    heard = [f"{OTHER} article 1", f"{MINE} article 2", f"{OTHER} highlight 3",
             f"{MINE} tag", f"{OTHER} highlight 1"]
    assert changes_from(heard, frozenset({MINE})) == Changes(
        article_list=True, articles=frozenset({1}), highlights=frozenset({1, 3}))


def test_only_its_own_changes_make_no_changes():
    assert changes_from([f"{MINE} article 2", f"{MINE} meta"], frozenset({MINE})) == Changes()


def test_a_malformed_payload_is_ignored():
    assert changes_from(["", "x article 1", "article 1"], frozenset()) == Changes()
