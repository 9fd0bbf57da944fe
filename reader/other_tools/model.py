"""What an export from another tool holds, in one shape for every tool.

A format module reads a file into an `Export`: the documents (`Item`) the other tool
kept, each with its highlights (`Highlight`), plus a `Problem` for every entry it could
not read. Nothing here touches the library; `reader.other_tools.importer` does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How the content of an item is written, when the export carries it.
MARKDOWN = "markdown"
HTML = "html"
TEXT = "text"


class FormatError(Exception):
    """A file that cannot be read as the format at all; str() is the reason, for people.

    Raised only when nothing of the file can be used (a zip that is not a zip, a CSV
    without the columns that make it that format). A single bad entry is a `Problem`.
    """


@dataclass(frozen=True)
class Highlight:
    """One passage marked in the other tool (or a note or bookmark made there)."""

    key: str  # stable within its source: the tool's own id, else a digest of what it is
    text: str  # the quoted passage, as the tool kept it ("" for a bookmark)
    note: str = ""
    colour: str | None = None  # one of reader.annotations.colours.COLOURS, or None
    tags: tuple[str, ...] = ()
    created_at: str | None = None  # ISO 8601 in UTC, "2024-03-01T09:30:00+00:00"
    location: str = ""  # where the tool placed it, for people: "Location 120-125", "Page 4"
    order: float | None = None  # sort key in the source's reading order (location number)
    # Where the tool says the passage lies in the document's text (W3C selectors):
    start: int | None = None  # TextPositionSelector, in the tool's own text
    end: int | None = None
    prefix: str = ""  # TextQuoteSelector's context
    suffix: str = ""
    kind: str = "highlight"  # "highlight", "note" (a note with no passage) or "bookmark"


@dataclass(frozen=True)
class Item:
    """One document of the other tool: an article, a web page or a book."""

    key: str  # stable within its source: the tool's id, else its URL, else title/author
    title: str
    author: str = ""
    url: str | None = None
    content: str | None = None  # the document's text when the export carries it
    content_format: str = MARKDOWN  # MARKDOWN, HTML or TEXT
    tags: tuple[str, ...] = ()
    published: str | None = None  # ISO date, YYYY-MM-DD
    saved_at: str | None = None  # ISO 8601 in UTC: when it was saved in the other tool
    archived: bool | None = None  # None: the tool does not say
    read: bool | None = None
    note: str = ""  # a note on the whole document
    highlights: tuple[Highlight, ...] = ()
    # A book or other source whose text cannot be had: becomes an article made of its
    # highlights. False for web documents, whose page can be fetched by `url`.
    book: bool = False


@dataclass(frozen=True)
class Problem:
    """An entry that could not be read; the others still import."""

    where: str  # "line 42", "row 7", "entry 3 (\"Title\")", "content/slug.md"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class Export:
    """What a file of some format holds."""

    format: str  # the format's NAME, e.g. "kindle"
    source: str  # the tool's name for people, e.g. "Kindle"
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
