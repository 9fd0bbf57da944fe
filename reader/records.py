"""The plain, frozen records the core hands out: the UI and the CLI never see peewee rows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


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
    # On a team library (PostgreSQL, `marginalia team init`): the reader (role) who made
    # it, and whether only they can see it. "" and False in a personal library.
    author: str = ""
    private: bool = False


HIGHLIGHT_FIELDS = tuple(f.name for f in fields(HighlightRecord))
assert HIGHLIGHT_FIELDS[9:11] == ("tags", "orphaned") and len(HIGHLIGHT_FIELDS) == 18  # reader.reads' order


@dataclass(frozen=True)
class NoteVersion:
    """A version of a highlight's note that a later save replaced, kept in the note's
    history: who wrote it and when, who replaced it and when. Writers are readers'
    roles on a team library, "" in a personal one."""

    id: int
    highlight_id: int
    note: str
    written_by: str
    written_at: str
    replaced_by: str
    replaced_at: str


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
class SavedView:
    """A named query shown in the sidebar; choosing it lists the articles it finds.

    `key` is the key sequence that chooses it, in Qt's portable spelling ("G, I"), or
    None; `position` orders the views in the sidebar (lowest first)."""

    id: int
    name: str
    query: str
    key: str | None
    position: int


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
    # What each export of another tool brought (reader.other_tools.importer's reports).
    exports: tuple[Any, ...] = ()

    def summary(self) -> str:
        """One line for people: what happened to the files."""
        if self.exports and not (self.added or self.updated or self.unchanged):
            problems = sum(len(e.problems) for e in self.exports) + len(self.problems)
            added = sum(e.highlights_added for e in self.exports)
            articles = sum(e.articles_added for e in self.exports)
            return (f"Imported {added} highlight{'s' * (added != 1)} and {articles} "
                    f"article{'s' * (articles != 1)} from "
                    f"{', '.join(dict.fromkeys(e.source for e in self.exports))}"
                    + (f"; {problems} problem{'s' * (problems != 1)}" if problems else "")
                    + ".")
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
    feeds: bool = False  # feeds subscribed, removed or renamed
    views: bool = False  # saved views added, edited, reordered or removed

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.articles | other.articles, self.article_list or other.article_list,
            self.tags or other.tags, self.highlights | other.highlights,
            other.highlight_id if other.highlight_id is not None else self.highlight_id,
            self.colours or other.colours, self.feeds or other.feeds,
            self.views or other.views,
        )


@dataclass(frozen=True)
class NoteSaved(Changes):
    """What saving a highlight's note changed, and what became of the version it replaced.

    `kept` is that version when it went into the note's history (someone else wrote it,
    or it changed while the editor was open); `conflict` says the stored note was not
    the text the editor started from: someone (`kept.written_by`) changed it meanwhile,
    and this save won."""

    kept: NoteVersion | None = None
    conflict: bool = False


@dataclass(frozen=True)
class FeedRecord:
    """A feed the library follows, as the sidebar and `feeds list` show it."""

    id: int
    url: str  # the feed's own address (normalised)
    title: str
    site_url: str | None
    unread: int  # its articles not yet read (and not archived)
    added_at: str
    checked_at: str | None  # when it was last asked for (UTC, ISO 8601)
    succeeded_at: str | None  # when it last answered (200 or 304)
    failures: int  # failed checks in a row
    next_check_at: str | None  # when it is due again (None: now)
    error: str  # why the last check failed, one line; "" after a success

    @property
    def name(self) -> str:
        return self.title or self.url


@dataclass(frozen=True)
class FeedOutcome:
    """What refreshing one feed did."""

    feed_id: int
    url: str
    title: str
    status: str  # "updated" (a new version was read), "not_modified" (304) or "failed"
    added: tuple[int, ...] = ()  # articles the feed brought in
    linked: tuple[int, ...] = ()  # entries whose page was already an article: linked, not added
    problems: tuple[str, ...] = ()  # entries that could not be imported (tried again later)
    error: str = ""  # why the feed itself could not be read

    def __str__(self) -> str:
        name = self.title or self.url
        if self.status == "failed":
            return f"{name}: {self.error}"
        return f"{name}: {len(self.added)} new" + (
            f", {len(self.problems)} entries could not be imported" if self.problems else "")


@dataclass(frozen=True)
class FeedRefreshReport:
    """What `feeds.refresh` did with each feed, in the order the feeds were listed."""

    outcomes: tuple[FeedOutcome, ...] = ()
    cancelled: bool = False

    @property
    def added(self) -> tuple[int, ...]:
        return tuple(a for o in self.outcomes for a in o.added)

    @property
    def failed(self) -> tuple[FeedOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def problems(self) -> tuple[str, ...]:
        """One line each: the feeds that failed, then the entries that could not be imported."""
        return (tuple(str(o) for o in self.failed)
                + tuple(f"{o.title or o.url}: {p}" for o in self.outcomes for p in o.problems))

    def changes(self) -> Changes:
        """What the views must refresh (the list when articles were added)."""
        if not self.added and not any(o.linked for o in self.outcomes):
            return Changes()
        return Changes(articles=frozenset(self.added) | frozenset(
            a for o in self.outcomes for a in o.linked), article_list=bool(self.added))

    def summary(self) -> str:
        parts = [f"{len(self.added)} new articles from {len(self.outcomes)} feeds"]
        if self.failed:
            parts.append(f"{len(self.failed)} feeds could not be read")
        entries = sum(len(o.problems) for o in self.outcomes)
        if entries:
            parts.append(f"{entries} entries could not be imported")
        if self.cancelled:
            parts.append("cancelled")
        return ", ".join(parts) + "."


@dataclass(frozen=True)
class OpmlImportReport:
    """What importing an OPML subscription list did."""

    added: tuple[int, ...] = ()  # the new feeds' ids
    duplicates: tuple[str, ...] = ()  # addresses already subscribed to
    problems: tuple[ImportProblem, ...] = ()  # outlines that could not be used, by name

    def summary(self) -> str:
        parts = [f"{len(self.added)} feeds added"]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already subscribed")
        if self.problems:
            parts.append(f"{len(self.problems)} could not be used")
        return ", ".join(parts) + "."
