"""Regions of an exported file and the merge of a new export into a file the user edited."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.export import front_matter
from reader.export.regions import (ExportedFile, Region, RegionError, digest, merge_body, parse,
                                   region)
from reader.export.vault import merge


def _file(ids, version="1", extra=()):
    parts = []
    for n, region_id in enumerate(ids):
        if n:
            parts.append("\n")
        parts.append(Region(region_id, f"> quote {region_id} v{version}\n"))
    return ExportedFile(None, parts + list(extra))


def _written(ids, version="1"):
    return {"regions": {i: digest(f"> quote {i} v{version}\n") for i in ids}}


def test_parse_and_text_round_trip():
    text = ("---\ntitle: x\n---\n\nmine\n\n<!-- marginalia:begin a -->\n> q\n"
            "<!-- marginalia:end a -->\n\n> <!-- marginalia:begin b -->\n")
    parsed = parse(text)
    assert parsed.front == "title: x\n"
    assert parsed.parts == ["\nmine\n\n", Region("a", "> q\n"),
                            "\n> <!-- marginalia:begin b -->\n"]  # quoted: just text
    assert parsed.text() == text


@pytest.mark.parametrize(("text", "problem"), [
    ("<!-- marginalia:begin a -->\n", "region a has no end marker"),
    ("<!-- marginalia:end a -->\n", "line 1: the end of region a in no region"),
    ("<!-- marginalia:begin a -->\n<!-- marginalia:begin b -->\n", "line 2: region b begins "
     "inside region a"),
    ("<!-- marginalia:begin a -->\n<!-- marginalia:end b -->\n", "line 2: the end of region b "
     "in region a"),
    ("<!-- marginalia:begin a -->\n<!-- marginalia:end a -->\n<!-- marginalia:begin a -->\n"
     "<!-- marginalia:end a -->\n", "line 3: a second region a"),
])
def test_markers_that_do_not_pair_up_are_refused(text, problem):
    with pytest.raises(RegionError, match=problem):
        parse(text)


def test_the_region_filter_checks_its_id():
    assert region("\n\nbody\n\n", "hl-1") == ("<!-- marginalia:begin hl-1 -->\nbody\n"
                                             "<!-- marginalia:end hl-1 -->\n")
    with pytest.raises(RegionError, match="cannot name a region"):
        region("x", "two words")


def test_a_template_without_regions_is_one_region():
    parsed = parse("---\na: 1\n---\n\n# Title\n\nText\n", wrap="body")
    assert parsed.parts == [Region("body", "# Title\n\nText\n")]


def test_digest_ignores_what_editors_tidy():
    assert digest("a  \r\nb\n\n") == digest("\na\nb")
    assert digest("a\nb") != digest("a\nb c")


USER_TEXT = st.lists(st.sampled_from(
    ["My thought.\n", "\n", "## My section\n", "- a list of mine\n", "> a quote of mine\n",
     "<!-- my own comment -->\n", "Text with <!-- marginalia:begin x --> inside.\n"]),
    min_size=1, max_size=3).map("".join)


@given(st.lists(st.sampled_from("abcdefgh"), min_size=1, unique=True),
       st.lists(st.tuples(st.integers(0, 20), USER_TEXT), max_size=5),
       st.lists(st.sampled_from("abcdefghijk"), unique=True),
       st.sets(st.sampled_from("abcdefgh")), st.sets(st.sampled_from("abcdefgh")))
def test_whatever_the_user_writes_outside_regions_survives_any_change(
        first, inserts, second, changed, deleted_by_user):
    exported = _file(first)
    parts = list(exported.parts)
    for position, text in inserts:  # between parts: outside every region
        parts.insert(position % (len(parts) + 1), text)
    parts = [p for p in parts if not (isinstance(p, Region) and p.id in deleted_by_user)]
    edited = ExportedFile(None, parts).text()
    new = ExportedFile(None, [Region(i, f"> quote {i} v{'2' if i in changed else '1'}\n")
                              for i in second])
    merged, notes = merge(edited, new, _written(first))
    assert notes == []
    for _position, text in inserts:
        for line in text.splitlines():
            assert line in merged
    result = parse(merged)
    kept = [i for i in second if i not in deleted_by_user or i not in first]
    assert sorted(result.regions()) == sorted(kept)
    for region_id, found in result.regions().items():
        assert found == next(r for r in new.parts if r.id == region_id)
    order = [p.id for p in result.parts if isinstance(p, Region) and p.id in first]
    assert order == [i for i in first if i in order]  # the file's order is kept


def test_new_regions_go_in_marginalia_s_order():
    edited = _file(["a", "c"], extra=["\nunder c\n\n## Mine\n\nmine\n"]).text()
    new = ExportedFile(None, [Region(i, f"> quote {i} v1\n") for i in "abcd"])
    merged, _notes = merge(edited, new, _written("ac"))
    order = [p.id if isinstance(p, Region) else p for p in parse(merged).parts]
    assert order[:5] == ["a", "\n", "b", "\n", "c"]
    assert merged.index("under c") < merged.index("begin d") < merged.index("## Mine")


def test_removing_a_region_takes_its_blank_line_along():
    parts, _notes = merge_body(_file("abc").parts, [Region("a", "> quote a v1\n"),
                                                    Region("c", "> quote c v1\n")],
                               _written("abc")["regions"])
    text = ExportedFile(None, parts).text()
    assert "\n\n\n" not in text and text.count("\n\n") == 1


def test_front_matter_merge_keeps_the_user_s_layout():
    old = ("title: Old title\n# my comment\ntags:\n- offensive\n- mine\nstatus: reading\n"
           "aliases: [K]\n")
    new = {"title": "New title", "tags": ["offensive", "kursk"], "highlights": 2}
    written = front_matter.digests({"title": "Old title", "tags": ["offensive"],
                                    "highlights": 2})
    merged, notes = front_matter.merge(old, new, written, ["offensive"])
    assert notes == []
    assert merged == ("title: New title\n# my comment\ntags:\n- offensive\n- kursk\n- mine\n"
                      "status: reading\naliases: [K]\n")


def test_unreadable_front_matter_is_left_alone():
    merged, notes = front_matter.merge("title: [unclosed\n", {"title": "x"}, {}, [])
    assert merged == "title: [unclosed\n" and "not YAML" in notes[0]
