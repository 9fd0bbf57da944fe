"""The daily review's core: the queue's limits, scopes and skip tag, grading and its undo,
never again, cloze and question cards, the history and streak, due dates for export."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from reader.importing.parsing import MARKDOWN
from reader.importing.sources import parse_article
from reader.library import LibraryError
from reader.review import CLOZE, HIGHLIGHT, QUESTION, Clock, Gap, Limits, ReviewSession
from reader.review.cards import (
    context_after,
    context_before,
    gaps_from_json,
    gaps_to_json,
    toggle_gap,
    why_line,
)
from reader.review.clock import parse_stamp


@pytest.fixture
def library(any_library):
    """Each test runs on a SQLite file and on a PostgreSQL database."""
    return any_library

MONDAY = datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)


def _article(library, title: str, sentences: int, tags=()) -> tuple[int, list[tuple[int, int]]]:
    body = "\n\n".join(f"{title} sentence {n} is about the matter at hand, number {n}."
                       for n in range(sentences))
    article_id = library.articles.add(parse_article(f"# {title}\n\n{body}", MARKDOWN,
                                                    f"{title}.md"))
    if tags:
        library.articles.set_tags(article_id, tags)
    text = library.articles.text(article_id)
    spans = []
    for n in range(sentences):
        start = text.index(f"{title} sentence {n} ")
        spans.append((start, text.index(".", start) + 1))
    return article_id, spans


def _highlights(library, title: str, count: int, colour: str = "yellow", tags=()) -> list[int]:
    article_id, spans = _article(library, title, count, tags)
    return [library.highlights.create(article_id, s, e, colour).highlight_id for s, e in spans]


@pytest.fixture
def review(library):
    library.review.clock = Clock(MONDAY, tz=timezone.utc)
    return library.review


def _ids(queue) -> list[int]:
    return [item.highlight_id for item in queue.items]


# --- limits --------------------------------------------------------------------------------

def test_new_cards_come_newest_first_within_the_daily_limit(library, review):
    ids = _highlights(library, "Alpha", 14)
    queue = review.queue(limits=Limits(new=10, due=50))
    assert _ids(queue) == ids[::-1][:10]
    assert all(item.new for item in queue.items)
    assert queue.new_count == 10 and queue.due_count == 0
    assert _ids(review.queue(limits=Limits(new=3), order="oldest")) == ids[:3]
    shuffled = _ids(review.queue(limits=Limits(new=14), order="shuffled"))
    assert sorted(shuffled) == sorted(ids) and shuffled not in (ids, ids[::-1])
    assert _ids(review.queue(limits=Limits(new=14), order="shuffled")) == shuffled  # stable


def test_new_cards_graded_today_count_against_the_limit(library, review):
    ids = _highlights(library, "Alpha", 14)
    for highlight_id in ids[-4:]:
        review.grade(highlight_id, 3)
    queue = review.queue(limits=Limits(new=10))
    assert queue.new_done == 4 and len(queue) == 6
    assert not set(_ids(queue)) & set(ids[-4:])
    review.clock.advance(days=1)  # a new day, a new allowance
    assert review.queue(limits=Limits(new=10)).new_count == 10


def test_due_cards_come_most_overdue_first_within_their_limit(library, review):
    ids = _highlights(library, "Alpha", 6)
    for days, highlight_id in enumerate(ids):  # graded on successive days
        review.clock.set(MONDAY + timedelta(days=days))
        review.grade(highlight_id, 1)  # Again: due the next day
    review.clock.set(MONDAY + timedelta(days=30))
    queue = review.queue(limits=Limits(new=0, due=4))
    assert _ids(queue) == ids[:4]
    assert queue.due_total == 6 and queue.due_count == 4
    review.grade(ids[0], 3)
    after = review.queue(limits=Limits(new=0, due=4))
    assert after.due_done == 1 and _ids(after) == ids[1:4]


def test_nothing_is_due_before_its_day(library, review):
    (highlight_id,) = _highlights(library, "Alpha", 1)
    result = review.grade(highlight_id, 3)
    due_day = review.clock.day_of(parse_stamp(result.state.due))
    review.clock.set(datetime.combine(due_day - timedelta(days=1), datetime.min.time(),
                                      timezone.utc) + timedelta(hours=23))
    assert review.queue().items == ()
    review.clock.set(datetime.combine(due_day, datetime.min.time(), timezone.utc)
                     + timedelta(hours=5))
    assert _ids(review.queue()) == [highlight_id]


def test_a_review_day_starts_at_four_in_the_morning():
    clock = Clock(datetime(2025, 6, 3, 2, 30, tzinfo=timezone.utc), tz=timezone.utc)
    assert clock.today() == date(2025, 6, 2)  # half past two still belongs to Monday
    clock.set(datetime(2025, 6, 3, 4, 0, tzinfo=timezone.utc))
    assert clock.today() == date(2025, 6, 3)
    assert clock.day_end() == datetime(2025, 6, 4, 4, 0, tzinfo=timezone.utc)


# --- scopes --------------------------------------------------------------------------------

def test_a_scope_is_a_query_tag_colour_or_words(library, review):
    history = _highlights(library, "History", 3, tags=["history/rome"])
    green = _highlights(library, "Botany", 2, colour="green")
    other = _highlights(library, "Other", 2)
    library.highlights.set_tags(other[0], ["history"])
    everything = Limits(new=50)
    assert set(_ids(review.queue(limits=everything))) == {*history, *green, *other}
    assert set(_ids(review.queue('tag:"history"', everything))) == {*history, other[0]}
    assert set(_ids(review.queue("colour:green", everything))) == set(green)
    assert set(_ids(review.queue("title:botany OR title:other", everything))) == {*green,
                                                                                  *other}
    assert set(_ids(review.queue("sentence 1", everything))) == {history[1], green[1],
                                                                 other[1]}
    # The scope applies to due cards as well as new ones.
    review.grade(green[0], 1)
    review.grade(history[0], 1)
    review.clock.advance(days=2)
    queue = review.queue("colour:green", everything)
    assert [i.highlight_id for i in queue.items if not i.new] == [green[0]]


def test_a_scope_the_query_cannot_read_is_mended_and_said(library, review):
    ids = _highlights(library, "Alpha", 2)
    queue = review.queue("nosuchfield:x", Limits(new=5))
    assert set(_ids(queue)) == set(ids)
    assert queue.messages


def test_articles_and_highlights_tagged_no_review_are_skipped(library, review):
    kept = _highlights(library, "Kept", 2)
    skipped = _highlights(library, "Skipped", 2, tags=["No-Review"])
    nested = _highlights(library, "Nested", 1, tags=["no-review/later"])
    library.highlights.set_tags(kept[1], ["no-review"])
    review.grade(skipped[0], 1)  # graded before the tag took it out: not due either
    review.clock.advance(days=3)
    assert _ids(review.queue(limits=Limits(new=10))) == [kept[0]]
    assert set(_ids(review.queue(limits=Limits(new=10), skip_tag=""))) == {
        *kept, *skipped, *nested}
    assert set(_ids(review.queue(limits=Limits(new=10), skip_tag="other"))) == {
        *kept, *skipped, *nested}


# --- grading, undo, never again ---------------------------------------------------------------

def test_undo_of_a_grade_puts_the_card_back_as_it_was(library, review):
    (highlight_id,) = _highlights(library, "Alpha", 1)
    first = review.grade(highlight_id, 3)
    review.clock.advance(days=5)
    before = review.card(highlight_id).state
    second = review.grade(highlight_id, 1)
    assert review.card(highlight_id).state != before
    assert review.undo_grade(second.log_id) == highlight_id
    assert review.card(highlight_id).state == before == first.state
    assert review.reviewed() == 1
    assert review.undo_grade() == highlight_id  # the first grade: new again
    card = review.card(highlight_id)
    assert card.new and card.reviews == 0
    assert _ids(review.queue()) == [highlight_id]
    assert review.undo_grade() is None


def test_only_a_cards_latest_grade_can_be_taken_back(library, review):
    (highlight_id,) = _highlights(library, "Alpha", 1)
    first = review.grade(highlight_id, 3)
    review.grade(highlight_id, 3)
    with pytest.raises(LibraryError):
        review.undo_grade(first.log_id)


def test_the_session_undoes_grades_and_never_again_in_turn(library, review):
    ids = _highlights(library, "Alpha", 3)
    session = ReviewSession(review, review.queue())
    shown = [session.current.highlight_id]
    session.grade(3)
    shown.append(session.current.highlight_id)
    session.retire()
    assert session.current.highlight_id == ids[0]
    assert review.card(shown[1]).retired
    assert session.undo().highlight_id == shown[1]  # never again, taken back
    assert not review.card(shown[1]).retired
    assert session.current.highlight_id == shown[1]
    assert session.undo().highlight_id == shown[0]  # then the grade
    assert review.card(shown[0]).new and session.remaining == 3 and session.graded == 0
    assert session.undo() is None


def test_never_again_keeps_a_highlight_out_of_every_queue(library, review):
    ids = _highlights(library, "Alpha", 2)
    review.grade(ids[0], 1)
    review.retire(ids[0])
    review.retire(ids[1])
    review.clock.advance(days=10)
    assert review.queue(limits=Limits(new=10)).items == ()
    assert review.due_dates(ids) == {}
    overview = review.overview()
    assert (overview.highlights, overview.reviewed, overview.retired) == (2, 0, 2)
    review.retire(ids[1], False)
    assert _ids(review.queue(limits=Limits(new=10))) == [ids[1]]
    assert review.overview().unseen == 1


def test_a_deleted_highlight_leaves_the_review_and_undo_brings_its_card_back(library, review):
    (highlight_id,) = _highlights(library, "Alpha", 1)
    review.grade(highlight_id, 1)
    state = review.card(highlight_id).state
    review.clock.advance(days=2)
    library.highlights.delete(highlight_id)
    assert review.queue().items == ()
    with pytest.raises(LibraryError):
        review.grade(highlight_id, 3)
    library.undo()
    assert review.card(highlight_id).state == state
    assert _ids(review.queue()) == [highlight_id]


def test_a_grade_is_one_to_four(library, review):
    (highlight_id,) = _highlights(library, "Alpha", 1)
    with pytest.raises(ValueError):
        review.grade(highlight_id, 5)
    assert review.reviewed() == 0


# --- mastery: cloze and question cards ----------------------------------------------------------

def test_a_cloze_card_hides_its_gaps_and_starts_again_as_new(library, review):
    (highlight_id,) = _highlights(library, "Alpha", 1)
    review.grade(highlight_id, 4)
    exact = review.card(highlight_id).highlight.exact  # "Alpha sentence 0 is about …"
    start = exact.index("matter")
    review.set_cloze(highlight_id, [Gap(start, start + len("matter"))])
    card = review.card(highlight_id)
    assert card.kind == CLOZE and card.hides_answer and card.new
    assert card.gaps == (Gap(start, start + 6),)
    assert _ids(review.queue()) == [highlight_id]  # a new card again
    review.grade(highlight_id, 3)
    graded = review.card(highlight_id).state
    review.set_cloze(highlight_id, [Gap(0, 5)])  # edited: the schedule stays
    assert review.card(highlight_id).state == graded
    review.set_cloze(highlight_id, [])  # a plain highlight again, schedule kept
    card = review.card(highlight_id)
    assert card.kind == HIGHLIGHT and not card.hides_answer and card.state == graded


def test_a_question_card_asks_and_its_answer_is_the_highlight(library, review):
    (highlight_id,) = _highlights(library, "Alpha", 1)
    review.set_question(highlight_id, "  What is   sentence 0 about? ")
    card = review.card(highlight_id)
    assert card.kind == QUESTION and card.question == "What is sentence 0 about?"
    assert card.hides_answer
    review.set_question(highlight_id, "")
    assert review.card(highlight_id).kind == HIGHLIGHT


def test_cloze_gaps_follow_their_words_and_snap_to_whole_words():
    text = "The bridge over the river was blown up."
    gaps = toggle_gap(text, (), text.index("ridg"), text.index("ridg") + 2)
    assert [text[g.start:g.end] for g in gaps] == ["bridge"]
    gaps = toggle_gap(text, gaps, text.index("river") + 1, text.index("river") + 1)
    assert [text[g.start:g.end] for g in gaps] == ["bridge", "river"]
    gaps = toggle_gap(text, gaps, text.index("bridge") + 2, text.index("bridge") + 2)
    assert [text[g.start:g.end] for g in gaps] == ["river"]  # hidden again: shown
    stored = gaps_to_json(text, gaps)
    moved = "Yesterday the bridge over the river was blown up."
    assert [moved[g.start:g.end] for g in gaps_from_json(moved, stored)] == ["river"]
    assert gaps_from_json("Nothing of it is left.", stored) == ()
    assert gaps_from_json(text, "not json") == ()
    emoji = "A 🌉 bridge 🌉 here"
    gaps = toggle_gap(emoji, (), emoji.index("bridge"), emoji.index("bridge"))
    assert [emoji[g.start:g.end] for g in gaps] == ["bridge"]


# --- history ------------------------------------------------------------------------------------

def test_history_counts_reviews_per_day_and_the_streak(library, review):
    ids = _highlights(library, "Alpha", 6)
    for days_ago, count in ((12, 1), (3, 2), (2, 1), (1, 3)):
        review.clock.set(MONDAY - timedelta(days=days_ago))
        for highlight_id in ids[:count]:
            review.grade(highlight_id, 3)
    review.clock.set(MONDAY)
    history = review.history()
    assert len(history.days) == 84 and history.days[-1][0] == date(2025, 6, 2)
    counts = {day: count for day, count in history.days if count}
    assert counts == {date(2025, 5, 21): 1, date(2025, 5, 30): 2, date(2025, 5, 31): 1,
                      date(2025, 6, 1): 3}
    assert history.total == 7 and history.today == 0
    assert history.streak == 3  # today still to do: the streak runs to yesterday
    review.grade(ids[5], 3)
    assert review.history().streak == 4 and review.history().today == 1
    review.clock.advance(days=2)
    assert review.history().streak == 0


def test_due_dates_for_export_are_review_days(library, review):
    ids = _highlights(library, "Alpha", 3)
    result = review.grade(ids[0], 3)
    review.grade(ids[1], 1)
    review.retire(ids[1])
    dates = review.due_dates(ids)
    assert dates == {ids[0]: review.clock.day_of(parse_stamp(result.state.due)).isoformat()}


# --- the words around a card ------------------------------------------------------------------

def test_a_card_carries_a_sentence_of_context_and_its_article(library, review):
    article_id = library.articles.add(parse_article(
        "# Bridges\n\nBy Ann Author\n\nThe river is wide here. Two bridges cross it near the "
        "town. The older one was built in 1850. It still carries trains.", MARKDOWN, "b.md"))
    library.articles.set_tags(article_id, ["engineering"])
    text = library.articles.text(article_id)
    start = text.index("The older")
    highlight_id = library.highlights.create(article_id, start,
                                             text.index("1850.") + 5).highlight_id
    card = review.card(highlight_id)
    assert card.before == "The river is wide here. Two bridges cross it near the town."
    assert card.after == "It still carries trains."
    assert card.title == "Bridges" and card.article_tags == ("engineering",)
    assert why_line(card, review.clock).startswith("New: first review · highlighted ")
    review.grade(highlight_id, 1)
    review.clock.advance(days=4)
    line = why_line(review.card(highlight_id), review.clock)
    assert line.startswith("Due since 3 days · last seen 2 Jun · stability ")


def test_context_stays_in_its_paragraph_and_is_cut_when_long():
    assert context_before("Heading\n\nShort. Mid ") == "Short. Mid"
    assert context_before("A paragraph that ends here with words enough.\n") == (
        "A paragraph that ends here with words enough.")
    assert context_after(" end.\nNext paragraph.") == "end."
    long = " ".join(["word"] * 200) + "."
    assert len(context_before(long)) <= 261 and context_before(long).startswith("…")
    assert len(context_after(long)) <= 261 and context_after(long).endswith("…")


def test_a_read_only_library_is_reviewed_but_not_graded(library_path, unwritable):
    from reader.library import Library, LibraryReadOnlyError

    with Library.open(library_path) as library:
        ids = _highlights(library, "Alpha", 2)
    unwritable(library_path)
    with Library.open(library_path) as library:
        library.review.clock = Clock(MONDAY, tz=timezone.utc)
        session = ReviewSession(library.review, library.review.queue())
        assert session.current.highlight_id == ids[1]
        with pytest.raises(LibraryReadOnlyError):
            session.grade(3)
        with pytest.raises(LibraryReadOnlyError):
            session.retire()
        assert session.current.highlight_id == ids[1] and session.remaining == 2
        assert not session.can_undo and library.review.reviewed() == 0


# --- properties -----------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from reader.review.cards import CONTEXT_MAX, Gap as _Gap, normal_gaps  # noqa: E402

_TEXT = st.text(st.sampled_from(list("ab c.\n,’🌉\u00a0")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=6))
def test_gaps_stay_whole_sorted_apart_and_survive_storage(text, spans):
    gaps: tuple = ()
    for start, end in spans:
        gaps = toggle_gap(text, gaps, max(0, min(start, end)), max(0, max(start, end)))
    for gap in gaps:
        assert 0 <= gap.start < gap.end <= len(text)
        assert not text[gap.start].isspace() and not text[gap.end - 1].isspace()
    assert list(gaps) == normal_gaps(text, gaps)  # sorted, merged, trimmed already
    assert all(a.end < b.start for a, b in zip(gaps, gaps[1:]))
    assert gaps_from_json(text, gaps_to_json(text, gaps)) == tuple(gaps)
    assert normal_gaps(text, [_Gap(-3, len(text) + 3)]) in ([], [_Gap(*_trimmed(text))])


def _trimmed(text: str) -> tuple[int, int]:
    start, end = 0, len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=900))
def test_context_is_never_longer_than_its_cap_and_never_raises(window):
    for context in (context_before(window), context_after(window)):
        assert len(context) <= CONTEXT_MAX + 1
        assert context == context.strip() and "\n" not in context


def test_an_export_template_shows_the_next_review_day_and_follows_it(library, review, tmp_path):
    from reader.export.exporter import Exporter

    ids = _highlights(library, "Alpha", 2)
    article_id = library.highlights.get(ids[0]).article_id
    template = tmp_path / "due.md.j2"
    template.write_text("{% for h in highlights %}{{ h.id }}: {{ h.review_due or 'never' }}\n"
                        "{% endfor %}", encoding="utf-8")
    exporter = Exporter(library, template)
    out = tmp_path / "vault"
    exporter.to_folder(out, [article_id])
    (written,) = out.glob("*.md")
    assert f"{ids[0]}: never" in written.read_text(encoding="utf-8")
    review.grade(ids[0], 3)
    day = review.due_dates([ids[0]])[ids[0]]
    report = Exporter(library, template).to_folder(out, [article_id])
    assert report.written  # the schedule changed: the file is rendered again
    assert f"{ids[0]}: {day}" in written.read_text(encoding="utf-8")
    assert not Exporter(library, template).to_folder(out, [article_id]).written
