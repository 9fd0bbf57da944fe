"""The daily review of highlights: a queue of due and new cards, scheduled by FSRS (the
fsrs library), with cloze and question cards and a history of every grade."""

from reader.review.cards import (
    DEFAULT_SKIP_TAG,
    NEW_ORDERS,
    Gap,
    GradeResult,
    Limits,
    QueueItem,
    ReviewCard,
    ReviewHistory,
    ReviewOptions,
    ReviewQueue,
)
from reader.review.clock import Clock
from reader.review.manager import ReviewManager
from reader.review.scheduling import CLOZE, HIGHLIGHT, QUESTION, RATINGS
from reader.review.session import ReviewSession

__all__ = ["CLOZE", "DEFAULT_SKIP_TAG", "HIGHLIGHT", "NEW_ORDERS", "QUESTION", "RATINGS",
           "Clock", "Gap", "GradeResult", "Limits", "QueueItem", "ReviewCard", "ReviewHistory",
           "ReviewManager", "ReviewOptions", "ReviewQueue", "ReviewSession"]
