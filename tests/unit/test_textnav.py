"""Word and sentence steps for keyboard selection."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reader.document.textnav import grow_sentence, grow_word, shrink_sentence, shrink_word, trim

TEXT = "So far, Ukraine has blown up two bridges. “It works,” he said. Then more?\nNext paragraph."


def test_grow_and_shrink_by_words():
    end = grow_word(TEXT, 0)
    assert TEXT[:end] == "So"
    end = grow_word(TEXT, end)
    assert TEXT[:end] == "So far,"
    assert TEXT[:shrink_word(TEXT, end, 0)] == "So"
    assert shrink_word(TEXT, 2, 0) == 0


def test_grow_by_sentences_stops_at_the_paragraph():
    end = grow_sentence(TEXT, 0)
    assert TEXT[:end] == "So far, Ukraine has blown up two bridges."
    end = grow_sentence(TEXT, end)
    assert TEXT[:end].endswith("“It works,” he said.")
    end = grow_sentence(TEXT, end)
    assert TEXT[:end].endswith("Then more?")
    end = grow_sentence(TEXT, end, limit=TEXT.index("\n"))
    assert end == TEXT.index("\n")


def test_shrink_by_sentences():
    end = TEXT.index("Then more?") + len("Then more?")
    end = shrink_sentence(TEXT, end, 0)
    assert TEXT[:end].endswith("he said.")
    end = shrink_sentence(TEXT, end, 0)
    assert TEXT[:end] == "So far, Ukraine has blown up two bridges."
    assert shrink_sentence(TEXT, end, 0) == 0


def test_trim():
    assert trim("  ab \n", 0, 6) == (2, 4)
    assert trim("   ", 0, 3) == (3, 3)


@given(st.text(alphabet=" ab.!?\n”", max_size=60), st.data())
def test_steps_stay_within_bounds_and_move_the_right_way(text, data):
    anchor = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(anchor, len(text)))
    assert end <= grow_word(text, end) <= len(text)
    assert end <= grow_sentence(text, end) <= len(text)
    assert anchor <= shrink_word(text, end, anchor) <= end
    assert anchor <= shrink_sentence(text, end, anchor) <= end
    if end < len(text) and text[end:].strip():
        assert grow_word(text, end) > end
