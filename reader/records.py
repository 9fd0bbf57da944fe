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
    unchanged: tuple[int, ...] = ()
    problems: tuple[ImportProblem, ...] = ()


@dataclass(frozen=True)
class Changes:
    """What a mutation changed, so that views refresh only what they must."""

    articles: frozenset[int] = field(default_factory=frozenset)  # rows whose fields changed
    article_list: bool = False  # articles added or removed: the list must be rebuilt
    tags: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.articles | other.articles, self.article_list or other.article_list,
                       self.tags or other.tags)
