"""The plain, frozen records the core hands out: the UI and the CLI never see peewee rows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ArticleSummary:
    """What the article list shows for one article."""

    id: int
    title: str
    author: str
    publication: str
    published: str | None
    read: bool
    archived: bool
    added_at: str
    progress: int = 0  # percent read


@dataclass(frozen=True)
class ArticleRecord:
    """One article's metadata and reading state (its text comes from `document`)."""

    id: int
    title: str
    author: str
    publication: str
    published: str | None
    url: str | None
    source_name: str
    source_format: str
    added_at: str
    read: bool
    archived: bool
    reading_position: int
    content_hash: str
    tags: tuple[str, ...] = ()
    note: str = ""
    progress: int = 0
    revised_at: str | None = None  # when a newer version of the page last replaced its text


@dataclass(frozen=True)
class HighlightRecord:
    """A highlight: where it is (code-point offsets into the canonical text), what it says,
    and the user's colour, tags and note. An orphaned highlight could not be placed in
    the article's current text; start and end are then where it last was.

    `changed_in` is the revision (an earlier version of the article, kept when a newer one
    replaced it) in which the passage's words changed or it went: `previous_exact` is its
    wording in that revision, `changed_at` when the revision was replaced. None and ""
    for a highlight no revision has touched."""

    id: int
    article_id: int
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    colour: str
    note: str
    tags: tuple[str, ...]
    orphaned: bool
    created_at: str
    updated_at: str
    changed_in: int | None = None  # a revision id
    previous_exact: str = ""
    changed_at: str | None = None  # the revision's replaced_at


@dataclass(frozen=True)
class RevisionRecord:
    """An earlier version of an article, kept when a newer one replaced its text.

    `saved_at` is when this version was saved (the article added, or an earlier
    revision replaced), `replaced_at` when the next version took its place; `words`
    counts the words of its text. The text itself comes from `revision_text`."""

    id: int
    article_id: int
    title: str
    saved_at: str
    replaced_at: str
    content_hash: str
    source_format: str
    words: int


@dataclass(frozen=True)
class TagCount:
    """A tag and the number of articles carrying it (on the article or on a highlight),
    its nested tags included."""

    name: str
    count: int | None  # None while it is being counted


@dataclass(frozen=True)
class ImportProblem:
    """A file that could not be imported, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class ImportReport:
    added: tuple[int, ...] = ()
    unchanged: tuple[int, ...] = ()  # already in the library, identical
    problems: tuple[ImportProblem, ...] = ()
    updated: tuple[int, ...] = ()  # a newer version of an article already there (same URL)
    orphaned: tuple[int, ...] = ()  # highlights that could not be placed in updated articles

    def summary(self) -> str:
        """One line for people: what happened to the files."""
        parts = [f"{len(self.added)} imported"]
        if self.updated:
            parts.append(f"{len(self.updated)} updated")
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already in the library")
        if self.problems:
            parts.append(f"{len(self.problems)} could not be imported")
        return ", ".join(parts) + "."


@dataclass(frozen=True)
class Changes:
    """What a mutation changed, so that views refresh only what they must."""

    articles: frozenset[int] = field(default_factory=frozenset)  # rows whose fields changed
    article_list: bool = False  # articles added or removed: the list must be rebuilt
    tags: bool = False  # tag names or counts changed
    highlights: frozenset[int] = field(default_factory=frozenset)  # articles whose highlights changed
    highlight_id: int | None = None  # the highlight the action was about (e.g. the new one)
    colours: bool = False  # colour names changed

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.articles | other.articles, self.article_list or other.article_list,
            self.tags or other.tags, self.highlights | other.highlights,
            other.highlight_id if other.highlight_id is not None else self.highlight_id,
            self.colours or other.colours,
        )
