"""Tests for reader.annotations.anchoring: describing a passage and placing it again in changed text."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from reader.annotations.anchoring import (
    CONTEXT_CHARS,
    Anchor,
    TextSelector,
    anchor,
    describe,
    max_errors,
)

TEXT = (
    "Researchers at the coastal station counted migrating whales for eleven weeks. "
    "Their report says the northern population grew steadily after the fishing ban, "
    "while the southern group stayed small and scattered along the reef. "
    "Funding for the next season has not yet been confirmed by the ministry."
)
PASSAGE = "the northern population grew steadily after the fishing ban"


def select(text: str, passage: str) -> TextSelector:
    start = text.index(passage)
    return describe(text, start, start + len(passage))


def placed(text: str, selector: TextSelector) -> tuple[str, str]:
    found = anchor(text, selector)
    assert found is not None
    return text[found.start : found.end], found.method


# --- describe -------------------------------------------------------------------------


def test_describe_takes_quote_and_context():
    start = TEXT.index(PASSAGE)
    sel = describe(TEXT, start, start + len(PASSAGE))
    assert sel == TextSelector(
        start=start,
        end=start + len(PASSAGE),
        exact=PASSAGE,
        prefix=TEXT[start - CONTEXT_CHARS : start],
        suffix=TEXT[start + len(PASSAGE) : start + len(PASSAGE) + CONTEXT_CHARS],
    )
    assert len(sel.prefix) == len(sel.suffix) == 32


def test_describe_clips_context_at_text_ends():
    sel = describe("Hello brave new world", 6, 11)
    assert (sel.exact, sel.prefix, sel.suffix) == ("brave", "Hello ", " new world")
    whole = describe("abc", 0, 3, context=5)
    assert (whole.prefix, whole.suffix) == ("", "")
    narrow = describe(TEXT, 100, 110, context=4)
    assert (narrow.prefix, narrow.suffix) == (TEXT[96:100], TEXT[110:114])


@pytest.mark.parametrize(
    ("start", "end", "context"),
    [(5, 5, 32), (7, 3, 32), (-1, 4, 32), (0, len(TEXT) + 1, 32), (0, 4, -1)],
)
def test_describe_rejects_bad_spans(start, end, context):
    with pytest.raises(ValueError):
        describe(TEXT, start, end, context)


def test_selectors_and_anchors_are_frozen():
    sel = describe(TEXT, 0, 5)
    with pytest.raises(AttributeError):
        sel.start = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        Anchor(0, 1, "position").end = 2  # type: ignore[misc]


# --- position and exact quote ---------------------------------------------------------


def test_unchanged_text_anchors_by_position():
    sel = select(TEXT, PASSAGE)
    assert anchor(TEXT, sel) == Anchor(sel.start, sel.end, "position")


def test_edit_before_the_quote_shifts_it():
    sel = select(TEXT, PASSAGE)
    new = TEXT.replace("for eleven weeks", "for nearly eleven long weeks in 2023")
    shift = len(new) - len(TEXT)
    assert anchor(new, sel) == Anchor(sel.start + shift, sel.end + shift, "quote")


def test_removal_before_the_quote_shifts_it_back():
    sel = select(TEXT, PASSAGE)
    new = TEXT.replace("Researchers at the coastal station counted", "Scientists counted")
    found = anchor(new, sel)
    assert found is not None and found.method == "quote"
    assert found.start == new.index(PASSAGE) < sel.start


def test_edit_after_the_quote_keeps_position():
    sel = select(TEXT, PASSAGE)
    new = TEXT.replace("has not yet been confirmed", "was confirmed last week")
    assert new != TEXT
    assert anchor(new, sel) == Anchor(sel.start, sel.end, "position")


def test_repeated_quote_is_told_apart_by_context():
    quote = "the committee approved the budget"
    old = f"In March {quote} for roads. Later, after a long debate, {quote} for the schools."
    start = old.rindex(quote)
    sel = describe(old, start, start + len(quote))
    # The new text has the quote three times; only the last keeps the old context, and
    # the first lies nearer the old offset.
    new = (
        f"Opening remarks were short. Then {quote} for parks, and weeks later "
        f"{quote} for roads. Later, after a long debate, {quote} for the schools."
    )
    expected = new.rindex(quote)
    assert abs(new.index(quote) - sel.start) < abs(expected - sel.start)
    assert anchor(new, sel) == Anchor(expected, expected + len(quote), "quote")


def test_repeated_quote_with_equal_context_goes_to_the_nearest():
    block = "Refrain: all the bells ring out over the harbour tonight. "
    old = block * 6
    quote = "bells ring out"
    start = 3 * len(block) + block.index(quote)
    sel = describe(old, start, start + len(quote))
    new = "Song. " + old
    hits = [i for i in range(len(new)) if new.startswith(quote, i)]
    # Occurrences 1 to 4 have exactly the stored prefix and suffix around them.
    same = [h for h in hits if new[h - 32 : h] == sel.prefix and new[h + 14 : h + 46] == sel.suffix]
    assert len(same) == 4 and start + 6 in same
    assert anchor(new, sel) == Anchor(start + 6, start + 6 + len(quote), "quote")


def test_context_is_preferred_over_nearness():
    block = "Refrain: all the bells ring out over the harbour tonight. "
    verse = "Verse one, sung slowly by the choir: bells ring out at dawn over the town. "
    old = verse + block * 3
    start = old.index("bells ring out")
    sel = describe(old, start, start + len("bells ring out"))
    new = block * 3 + verse
    expected = new.rindex("bells ring out")
    assert anchor(new, sel) == Anchor(expected, expected + 14, "quote")


# --- fuzzy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old_words", "new_words"),
    [
        ("grew steadily after", "grew slowly after"),  # a word changed
        ("grew steadily after", "grew very steadily after"),  # a word inserted
        ("population grew steadily", "population grew"),  # a word deleted
    ],
)
def test_edit_inside_the_quote_is_found_fuzzily_with_the_new_span(old_words, new_words):
    sel = select(TEXT, PASSAGE)
    new = "A new first line. " + TEXT.replace(old_words, new_words)
    edited = PASSAGE.replace(old_words, new_words)
    assert PASSAGE not in new
    start = new.index(edited)
    assert anchor(new, sel) == Anchor(start, start + len(edited), "fuzzy")


@pytest.mark.parametrize(
    ("old", "quote", "new", "expected"),
    [
        (  # the cheapest alignment drops "lantern"; the context says it is still there
            "lantern river river river river stone river river river river",
            "lantern river river river river",
            "lantern stone river river river river stone river river river river",
            "lantern stone river river river river",
        ),
        (  # "e river river harbour" fits as well, but cuts a word the quote did not
            "river candle river river river harbour river river river river",
            "river river river harbour",
            "river candle river river harbour river river river river",
            "river river harbour",
        ),
    ],
)
def test_repetitive_text_gets_the_span_the_context_delimits(old, quote, new, expected):
    start = old.index(quote)
    sel = describe(old, start, start + len(quote))
    found = anchor(new, sel)
    begin = new.index(expected)
    assert found == Anchor(begin, begin + len(expected), "fuzzy")


def test_edits_at_the_quote_boundary_keep_whole_words():
    sel = select(TEXT, PASSAGE)  # "the northern ... fishing ban"
    new = TEXT.replace("fishing ban,", "fishing bans,").replace("the northern", "The northern")
    expected = "The northern population grew steadily after the fishing bans"
    assert placed(new, sel) == (expected, "fuzzy")


def test_fuzzy_match_prefers_the_copy_with_matching_context():
    quote = "the harbour master closed the northern pier"
    old = f"Storms came early. On Monday {quote} until further notice was given."
    sel = describe(old, old.index(quote), old.index(quote) + len(quote))
    near = quote.replace("northern", "eastern")
    far = quote.replace("closed", "shut")
    new = (
        f"Storms came early. Last year {near} for a week. "
        f"On Monday {far} until further notice was given."
    )
    assert placed(new, sel) == (far, "fuzzy")


def test_error_bound_is_a_quarter_of_the_quote():
    quote = "abcdefghijklmnopqrstuvwxyz0123456789ABCD"  # 40 characters: 10 edits allowed
    assert max_errors(len(quote)) == 10
    sel = describe(f"<<{quote}>>", 2, 42)
    ten = "xxxxx" + quote[5:35] + "yyyyy"
    eleven = "xxxxxx" + quote[6:35] + "yyyyy"
    assert placed(f"<<{ten}>>", sel) == (ten, "fuzzy")
    assert anchor(f"<<{eleven}>>", sel) is None


def test_error_bound_is_capped():
    assert max_errors(3) == 0
    assert max_errors(4) == 1
    assert max_errors(100) == 25
    assert max_errors(10_000) == 40


def test_deleted_passage_is_orphaned():
    sel = select(TEXT, PASSAGE)
    new = TEXT.replace(PASSAGE, "it")
    assert anchor(new, sel) is None


def test_short_quote_is_never_matched_fuzzily():
    text = "I saw a cat on the mat."
    sel = describe(text, text.index("cat"), text.index("cat") + 3)
    assert anchor("I saw a cab on the map.", sel) is None
    assert anchor("Yes: I saw a cat on the mat.", sel) == Anchor(13, 16, "quote")
    four = describe(text, text.index("mat."), text.index("mat.") + 4)
    assert placed("I saw a cat on the map.", four) == ("map.", "fuzzy")


def test_empty_text_and_empty_quote_are_not_placed():
    sel = select(TEXT, PASSAGE)
    assert anchor("", sel) is None
    assert anchor(TEXT, TextSelector(3, 3, "", "", "")) is None


# --- code points ----------------------------------------------------------------------


def test_emoji_and_non_breaking_spaces_use_code_point_offsets():
    text = (
        "Intro 👩\u200d🔬 lab\u00a0notes: "  # a woman-scientist ZWJ sequence and an NBSP
        "the 🐋\u00a0whale sang at\u00a0dawn 🎶 and left."
    )
    quote = "the 🐋\u00a0whale sang at\u00a0dawn"
    start = text.index(quote)
    assert start == 21  # the ZWJ sequence counts as three code points
    sel = describe(text, start, start + len(quote))
    assert anchor(text, sel) == Anchor(start, start + len(quote), "position")

    shifted = "🌊🌊 " + text
    assert anchor(shifted, sel) == Anchor(start + 3, start + 3 + len(quote), "quote")

    edited = shifted.replace("sang", "sings")
    new_quote = "the 🐋\u00a0whale sings at\u00a0dawn"
    begin = edited.index(new_quote)
    assert anchor(edited, sel) == Anchor(begin, begin + len(new_quote), "fuzzy")


# --- properties -----------------------------------------------------------------------

texts = st.text(min_size=1, max_size=300)


@st.composite
def text_and_span(draw, text_strategy=texts):
    text = draw(text_strategy)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


def occurrences(text: str, needle: str) -> int:
    return sum(text.startswith(needle, i) for i in range(len(text)))


@given(text_and_span())
def test_described_span_anchors_in_place(case):
    text, start, end = case
    assert anchor(text, describe(text, start, end)) == Anchor(start, end, "position")


@given(text_and_span(), st.text(max_size=50))
def test_insertion_before_a_unique_quote_shifts_it(case, inserted):
    text, start, end = case
    sel = describe(text, start, end)
    new = inserted + text
    assume(occurrences(new, sel.exact) == 1)
    shift = len(inserted)
    method = "position" if shift == 0 else "quote"
    assert anchor(new, sel) == Anchor(start + shift, end + shift, method)


@given(text_and_span(), st.text(max_size=300))
def test_any_placement_is_sound(case, new):
    text, start, end = case
    sel = describe(text, start, end)
    found = anchor(new, sel)
    if sel.exact in new:
        assert found is not None and found.method in ("position", "quote")
    if found is None:
        return
    span = new[found.start : found.end]
    if found.method == "position":
        assert (found.start, found.end, span) == (start, end, sel.exact)
    elif found.method == "quote":
        assert span == sel.exact
    else:
        assert found.method == "fuzzy" and len(sel.exact) >= 4 and span
        assert Levenshtein.distance(sel.exact, span) <= max_errors(len(sel.exact))


words = st.lists(
    st.sampled_from("alpha beta gamma delta echo fox golf hotel india juliet kilo".split()),
    min_size=8,
    max_size=60,
).map(" ".join)


@given(text_and_span(words), st.integers(0, 10_000), st.characters())
def test_one_changed_character_is_still_placed(case, where, char):
    text, start, end = case
    assume(end - start >= 8)
    sel = describe(text, start, end)
    pos = start + where % (end - start)
    assume(text[pos] != char)
    new = text[:pos] + char + text[pos + 1 :]
    found = anchor(new, sel)
    assert found is not None
    assert Levenshtein.distance(sel.exact, new[found.start : found.end]) <= 1


def test_an_edited_sentence_is_never_placed_ending_inside_a_word():
    before = ("Residents of the lower town, whose cellars flooded twice, welcomed the "
              "decision but asked why it had taken so long.\n\n")
    old = before + "The council will publish the construction schedule next week.\n"
    new = (before + "The council published the construction schedule on Wednesday: work on "
           "the east bank starts in May.\n")
    quote = "The council will publish the construction schedule next week."
    start = old.index(quote)
    found = anchor(new, describe(old, start, start + len(quote)))
    assert found is not None and found.method == "fuzzy"
    placed = new[found.start:found.end]
    assert placed.startswith("The council published the construction schedule")
    end = found.end
    assert not (new[end - 1].isalnum() and end < len(new) and new[end].isalnum()), placed
