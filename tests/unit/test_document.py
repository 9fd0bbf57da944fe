"""The document model, its canonical text and UTF-16 offset conversion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.document.model import PARAGRAPH, TITLE, Block, Document, Span, Utf16Map, merge_spans


def test_text_is_the_blocks_joined_by_newlines():
    doc = Document((Block(TITLE, (Span("T"),)), Block(PARAGRAPH, (Span("a "), Span("b", bold=True)))))
    assert doc.text == "T\na b"
    assert doc.block_starts() == [0, 2]


def test_unknown_block_kind_is_refused():
    with pytest.raises(ValueError, match="unknown block kind"):
        Block("banner")


def test_merge_spans_joins_same_style_and_drops_empty():
    merged = merge_spans([Span("a"), Span(""), Span("b"), Span("c", italic=True)])
    assert merged == (Span("ab"), Span("c", italic=True))


def test_utf16_map_with_emoji_and_non_breaking_space():
    text = "a\u00a0😀b"
    mapping = Utf16Map(text)
    assert [mapping.to_utf16(i) for i in range(len(text) + 1)] == [0, 1, 2, 4, 5]
    assert mapping.to_codepoint(4) == 3
    assert mapping.to_codepoint(3) == 2  # inside the surrogate pair: the emoji itself
    assert mapping.utf16_length == 5


@given(st.text())
def test_utf16_map_agrees_with_utf16_encoding(text):
    mapping = Utf16Map(text)
    for i in range(len(text) + 1):
        units = len(text[:i].encode("utf-16-le")) // 2
        assert mapping.to_utf16(i) == units
        assert mapping.to_codepoint(units) == i
    assert mapping.utf16_length == len(text.encode("utf-16-le")) // 2


# Text rich in what the map must find: astral characters (emoji, CJK Extension B, the
# first and last astral code points) between BMP neighbours (the last BMP character,
# surrogate-free edge cases, NBSP, ZWJ).
_MIXED = st.text(st.sampled_from(
    ["a", "\u00a0", "\u200d", "\uffff", "\U00010000", "\U0010ffff", "😀", "𠜎", "🇺", "\n"])
    | st.characters())


@given(_MIXED)
def test_utf16_map_finds_the_same_astral_characters_as_a_per_character_scan(text):
    # The map scans with a regex; this is the per-character loop it replaced.
    expected = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    mapping = Utf16Map(text)
    assert mapping._astral == expected
    assert mapping.utf16_length == len(text) + len(expected)
    for i in range(len(text) + 1):
        assert mapping.to_utf16(i) == i + sum(1 for a in expected if a < i)
