"""What the review shows: its records (the queue, a card, the history) and the words
around a card (its context sentences, the cloze gaps, the line saying why it is here)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from reader.document.textnav import sentence_ends
from reader.records import HighlightRecord
from reader.review.clock import Clock, parse_stamp
from reader.review.scheduling import CLOZE, HIGHLIGHT, QUESTION, CardState

DEFAULT_SKIP_TAG = "no-review"
NEW_ORDERS = ("newest", "oldest", "shuffled")
CONTEXT_WINDOW = 600  # characters read on each side of the passage
CONTEXT_MIN = 40  # a context shorter than this takes one more sentence
CONTEXT_MAX = 260  # longer context is cut at a word, with an ellipsis
HISTORY_DAYS = 84  # twelve weeks


@dataclass(frozen=True)
class Limits:
    """How many cards a day: new ones (first seen) and due ones (seen before)."""

    new: int = 10
    due: int = 50


@dataclass(frozen=True)
class ReviewOptions:
    """What the user chose for the review (settings.toml's review_* settings)."""

    scope: str = ""  # a query; "" for the whole library
    limits: Limits = field(default_factory=Limits)
    skip_tag: str = DEFAULT_SKIP_TAG
    order: str = NEW_ORDERS[0]
    retention: float = 0.9

    @classmethod
    def from_settings(cls, get) -> ReviewOptions:
        """From a settings lookup (`Settings.get`)."""
        return cls(str(get("review_scope")), Limits(int(get("review_new_per_day")),
                                                    int(get("review_due_per_day"))),
                   str(get("review_skip_tag")), str(get("review_new_order")),
                   float(get("review_retention")))


@dataclass(frozen=True)
class QueueItem:
    highlight_id: int
    new: bool


@dataclass(frozen=True)
class ReviewQueue:
    """Today's cards in the order they are shown (mastery cards in their learning steps,
    then due cards, most overdue first, then new ones), within the day's limits.

    `due_total` counts every card due today in the scope, beyond the limit too;
    `new_done` and `due_done` the cards already graded today (they count against the
    limits); `messages` what the scope's query mended or left out."""

    items: tuple[QueueItem, ...] = ()
    due_total: int = 0
    new_done: int = 0
    due_done: int = 0
    limits: Limits = field(default_factory=Limits)
    scope: str = ""
    messages: tuple[str, ...] = ()

    @property
    def new_count(self) -> int:
        return sum(1 for item in self.items if item.new)

    @property
    def due_count(self) -> int:
        return len(self.items) - self.new_count

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Gap:
    """Words a cloze card hides: code-point offsets into the highlight's text."""

    start: int
    end: int


@dataclass(frozen=True)
class ReviewCard:
    """One highlight as the review shows it, with its card's kind and scheduling."""

    highlight: HighlightRecord
    title: str
    author: str
    publication: str
    published: str | None
    article_tags: tuple[str, ...]
    before: str  # a sentence (or so) of the article before the passage
    after: str
    kind: str = HIGHLIGHT
    gaps: tuple[Gap, ...] = ()
    question: str = ""
    card_id: int | None = None
    state: CardState = field(default_factory=CardState)
    retired: bool = False
    reviews: int = 0  # grades given
    lapses: int = 0  # times graded Again after it had been learnt

    @property
    def highlight_id(self) -> int:
        return self.highlight.id

    @property
    def article_id(self) -> int:
        return self.highlight.article_id

    @property
    def new(self) -> bool:
        return self.state.new

    @property
    def hides_answer(self) -> bool:
        """Whether the card shows a gap or a question first, the answer on request."""
        return (self.kind == CLOZE and bool(self.gaps)) or (self.kind == QUESTION
                                                            and bool(self.question))

    def byline(self) -> str:
        return " · ".join(p for p in (self.author, self.publication) if p)


@dataclass(frozen=True)
class GradeResult:
    log_id: int
    highlight_id: int
    rating: int
    state: CardState  # after the grade
    again_today: bool  # due again before the review day ends (a learning step)


@dataclass(frozen=True)
class ReviewOverview:
    """The whole library's highlights as the review sees them."""

    highlights: int
    reviewed: int  # graded at least once
    retired: int  # never shown again

    @property
    def unseen(self) -> int:
        return max(0, self.highlights - self.reviewed - self.retired)


@dataclass(frozen=True)
class ReviewHistory:
    """Reviews per review day over the last `len(days)` days (oldest first, today
    last), and the streak: days in a row with a review, up to today (or up to
    yesterday, while today's review is still to do)."""

    days: tuple[tuple[date, int], ...]
    streak: int
    total: int  # reviews over those days

    @property
    def today(self) -> int:
        return self.days[-1][1] if self.days else 0


# --- cloze gaps ---------------------------------------------------------------------------

def gaps_to_json(text: str, gaps: list[Gap] | tuple[Gap, ...]) -> str:
    """Gaps as stored: with the words they hide, to find them again if the text moves."""
    return json.dumps([[g.start, g.end, text[g.start:g.end]] for g in normal_gaps(text, gaps)],
                      ensure_ascii=False)


def gaps_from_json(text: str, stored: str) -> tuple[Gap, ...]:
    """The stored gaps placed in the highlight's current text: where they were if the
    words are still there, else where those words are now; gaps whose words went are
    dropped."""
    try:
        items = json.loads(stored) if stored else []
    except ValueError:
        return ()
    found: list[Gap] = []
    for item in items if isinstance(items, list) else ():
        try:
            start, end, words = int(item[0]), int(item[1]), str(item[2])
        except (TypeError, ValueError, IndexError):
            continue
        if text[start:end] != words:
            start = text.find(words) if words else -1
            if start < 0:
                continue
            end = start + len(words)
        found.append(Gap(start, end))
    return tuple(normal_gaps(text, found))


def normal_gaps(text: str, gaps) -> list[Gap]:
    """Gaps inside the text, without white space at their edges, sorted and merged."""
    spans = []
    for gap in gaps:
        start, end = max(0, gap.start), min(len(text), gap.end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [Gap(s, e) for s, e in merged]


def word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown to whole words: a cursor (start == end) takes the word it touches,
    a selection cutting a word takes all of it; space and punctuation at the edges go."""
    start, end = (max(0, min(len(text), at)) for at in (start, end))
    if start == end:
        if start < len(text) and _word_char(text[start]):
            pass
        elif start > 0 and _word_char(text[start - 1]):
            start -= 1
        else:
            return start, start
        end = start
        while start > 0 and _word_char(text[start - 1]):
            start -= 1
        while end < len(text) and _word_char(text[end]):
            end += 1
        return start, end
    while 0 < start < len(text) and _word_char(text[start - 1]) and _word_char(text[start]):
        start -= 1
    while 0 < end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]):
        end += 1
    while start < end and not _word_char(text[start]):
        start += 1
    while end > start and not _word_char(text[end - 1]):
        end -= 1
    return start, end


def _word_char(char: str) -> bool:
    return char.isalnum() or char in "'’-_"


def toggle_gap(text: str, gaps: tuple[Gap, ...], start: int, end: int) -> tuple[Gap, ...]:
    """Hide the words of start..end, or show them again if a gap already covers them."""
    start, end = word_span(text, start, end)
    if start >= end:
        return gaps
    inside = [g for g in gaps if g.start <= start and end <= g.end]
    if inside:
        return tuple(g for g in gaps if g not in inside)
    return tuple(normal_gaps(text, [*gaps, Gap(start, end)]))


def cloze_parts(text: str, gaps: tuple[Gap, ...]) -> list[tuple[str, bool]]:
    """The text cut into (words, hidden) parts, in order."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for gap in gaps:
        if gap.start > at:
            parts.append((text[at:gap.start], False))
        parts.append((text[gap.start:gap.end], True))
        at = gap.end
    if at < len(text):
        parts.append((text[at:], False))
    return parts


# --- context -------------------------------------------------------------------------------

def context_before(window: str) -> str:
    """The sentence (or so) of `window`, the text just before a passage, that leads
    into it: back to the last sentence boundary that leaves at least CONTEXT_MIN
    characters, never past the start of the passage's paragraph once there are words
    (a passage opening its paragraph gets the previous paragraph's last sentence)."""
    start = 0
    for boundary in reversed([0, *sentence_ends(window, 0, len(window))]):
        words = _tidy(window[boundary:])
        if (len(words) >= CONTEXT_MIN or boundary == 0
                or (words and window[boundary] == "\n")):
            start = boundary
            break
    text = _tidy(window[start:])
    if len(text) > CONTEXT_MAX:
        cut = text[-CONTEXT_MAX:]
        text = "…" + cut[cut.find(" ") + 1:] if " " in cut else "…" + cut
    return text


def context_after(window: str) -> str:
    """The rest of the passage's sentence, and the next if that is short; within the
    paragraph once there are words."""
    for boundary in sentence_ends(window, 0, len(window)):
        words = _tidy(window[:boundary])
        if len(words) >= CONTEXT_MIN or (words and boundary < len(window)
                                         and window[boundary] == "\n"):
            window = window[:boundary]
            break
    text = _tidy(window)
    if len(text) > CONTEXT_MAX:
        cut = text[:CONTEXT_MAX]
        text = (cut[:cut.rfind(" ")] if " " in cut else cut) + "…"
    return text


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- why a card is here ------------------------------------------------------------------

def why_line(card: ReviewCard, clock: Clock) -> str:
    """One line for the card screen: why this card is shown today.

    "New · highlighted 3 Mar 2024"; "Due since 2 days · last seen 12 Nov · stability 9
    days"; "Again in this session · …" for a card in a learning step."""
    now = clock.now()
    today = clock.today()
    if card.state.new:
        made = _day_text(clock.day_of(parse_stamp(card.highlight.created_at)), today)
        first = "New: first review" if card.kind == HIGHLIGHT else f"New {card.kind} card"
        return f"{first} · highlighted {made}"
    parts = []
    due = parse_stamp(card.state.due) if card.state.due else now
    if card.state.state in (1, 3):
        parts.append("Again in this session" if due <= clock.day_end() else "Learning")
    else:
        late = (today - clock.day_of(due)).days
        parts.append("Due today" if late <= 0 else "Due since yesterday" if late == 1
                     else f"Due since {late} days")
    if card.state.last_review:
        parts.append("last seen " + _day_text(clock.day_of(parse_stamp(card.state.last_review)),
                                              today))
    if card.state.stability is not None:
        parts.append("stability " + days_text(card.state.stability))
    if card.lapses:
        parts.append(f"forgotten {card.lapses} time{'s' * (card.lapses != 1)}")
    return " · ".join(parts)


def days_text(days: float) -> str:
    if days < 1:
        return "under a day"
    if days < 60:
        whole = round(days)
        return f"{whole} day{'s' * (whole != 1)}"
    if days < 730:
        return f"{round(days / 30.4)} months"
    return f"{days / 365:.1f} years"


def _day_text(day: date, today: date) -> str:
    if day == today:
        return "today"
    if (today - day).days == 1:
        return "yesterday"
    text = f"{day.day} {day.strftime('%b')}"
    return text if day.year == today.year else f"{text} {day.year}"


def day_label(day: date) -> str:
    """A day as the chart's tooltip says it: "Tue 12 Nov 2024"."""
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b')} {day.year}"
