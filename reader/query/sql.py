"""Compiling a query tree to one SQL statement over the library's tables.

Each term becomes a condition on the article (alias `a`) or, for the highlights view,
on the highlight (alias `h`, joined to its article `a`). Sets of ids (full-text matches,
tags with their nested tags, colours, a feed's articles) are non-correlated `IN
(SELECT …)` subqueries: SQLite builds each once, then walks the list's covering index
in list order, so the first page of 100,000 articles comes without reading the rest.
Fields of columns the covering index lacks (url, note, words, revised_at, feed_id)
are asked of their own indexes the same way, never of the table's rows (which carry
the bodies).

The statement is SQLite's; on PostgreSQL the few engine-specific parts (the full-text
match, a condition always true, LIKE ignoring case) are spelt for PostgreSQL (SPELLINGS),
and its storage rewrites the rest (`?`, COLLATE NOCASE: reader.storage.dialect).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reader.annotations.colours import COLOURS
from reader.annotations.tags import normalise as normal_tag
from reader.query import values
from reader.query.syntax import And, Field, Node, Not, Or, Parsed, Text

ARTICLE, HIGHLIGHT = "article", "highlight"
SORTS = {"added": "a.added_at", "published": "a.published", "title": "a.title COLLATE NOCASE",
         "progress": "a.progress"}
HIGHLIGHT_SORTS = {"added": "h.created_at", "created": "h.created_at", "title":
                   "a.title COLLATE NOCASE", "article": "a.title COLLATE NOCASE",
                   "colour": "h.colour", "published": "a.published"}
FIELDS = ("tag", "colour", "color", "has", "is", "author", "title", "site", "feed", "added",
          "published", "words", "progress", "sort")
IS_VALUES = ("unread", "read", "archived", "orphaned", "revised", "annotated")
HAS_VALUES = ("highlights", "note", "tags", "feed")


@dataclass(frozen=True)
class Spelling:
    """The parts of a compiled query that each engine spells its own way."""

    true: str  # a condition always true
    like: str  # LIKE ignoring case (SQLite's LIKE does, for ASCII letters)
    article_match: str  # the article `a` matches the full-text query `?`
    highlight_match: str  # the highlight `h` matches it


SPELLINGS = {
    "sqlite": Spelling(
        "1", "LIKE", "a.id IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ?)",
        "h.id IN (SELECT rowid FROM highlight_fts WHERE highlight_fts MATCH ?)"),
    # The schema's tsvector columns (reader.search.postgres), `?` a tsquery's text.
    "postgresql": Spelling("TRUE", "ILIKE", "a.search @@ ?::tsquery", "h.search @@ ?::tsquery"),
}


@dataclass
class Compiled:
    """A condition in SQL with its parameters, and what else the query asked."""

    where: str
    params: list[Any]
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    rank_text: str | None = None  # the top level's full-text search, for ranking
    text: str = ""  # every free word of the query (for snippets)
    scoped: bool = False  # the query says itself whether archived articles are in
    full_text: bool = False  # some of its words are searched in the full-text index
    messages: list[str] = field(default_factory=list)


class Context:
    """What compiling needs from the library: the full-text query builder, colour names,
    the engine whose SQL to write."""

    def __init__(self, fts: Any, highlight_fts: Any, colour_names: dict[str, str],
                 now: datetime | None = None, engine: str = "sqlite") -> None:
        # text -> the full-text query (FTS5's, or a tsquery on PostgreSQL) or None
        self.fts = fts
        self.highlight_fts = highlight_fts
        self.colour_names = colour_names  # folded user name -> colour key
        self.now = now
        self.spelling = SPELLINGS[engine]


def compile_query(parsed: Parsed, context: Context, target: str = ARTICLE) -> Compiled:
    out = Compiled(context.spelling.true, [])
    out.messages.extend(parsed.messages)
    tree = parsed.tree
    tree = _take_sorts(tree, out, target)
    words = []
    _free_words(tree, words)
    out.text = " ".join(words)
    top = tree.terms if isinstance(tree, And) else (tree,) if tree is not None else ()
    ranked = [t for t in top if isinstance(t, Text)]
    if ranked:
        out.rank_text = " ".join(t.printed() for t in ranked)
    if tree is not None:
        out.where = _Compiler(context, target, out).node(tree)
        out.scoped = _mentions_archive(tree)
    return out


def _take_sorts(tree: Node | None, out: Compiled, target: str) -> Node | None:
    """Remove the sort: terms (at the top level) into out.sort."""
    if tree is None:
        return None
    terms = tree.terms if isinstance(tree, And) else (tree,)
    kept = []
    sorts = HIGHLIGHT_SORTS if target == HIGHLIGHT else SORTS
    for term in terms:
        if isinstance(term, Field) and term.name == "sort":
            key = term.value.strip().lower()
            descending = key.startswith("-")
            key = key.lstrip("-")
            if key in sorts:
                out.sort.append((key, descending))
            else:
                out.messages.append(f"sort:{term.value} — sort by one of "
                                    f"{', '.join(sorts)} (with - for descending)")
            continue
        kept.append(term)
    if _has_nested_sort(tree) and len(kept) == len(terms):
        out.messages.append("sort: works only at the top of a query; left out")
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def _has_nested_sort(node: Node) -> bool:
    if isinstance(node, Field):
        return node.name == "sort"
    if isinstance(node, Not):
        return _has_nested_sort(node.term)
    if isinstance(node, And | Or):
        return any(_has_nested_sort(t) for t in node.terms)
    return False


def _free_words(node: Node | None, words: list[str]) -> None:
    if isinstance(node, Text):
        words.append(node.text)
    elif isinstance(node, And | Or):
        for term in node.terms:
            _free_words(term, words)


def _mentions_archive(node: Node) -> bool:
    if isinstance(node, Field):
        return node.name == "is" and node.value.strip().lower() == "archived"
    if isinstance(node, Not):
        return _mentions_archive(node.term)
    if isinstance(node, And | Or):
        return any(_mentions_archive(t) for t in node.terms)
    return False


class _Compiler:
    def __init__(self, context: Context, target: str, out: Compiled) -> None:
        self.context, self.target, self.out = context, target, out
        self.params = out.params
        self.spelling = context.spelling

    def node(self, node: Node) -> str:
        return self._node(node) or self.spelling.true

    def _node(self, node: Node) -> str | None:
        """The condition of a term; None for one left out (it then takes no part: `a OR
        <left out>` is `a`, and excluding it excludes nothing)."""
        if isinstance(node, And | Or):
            parts = [part for part in map(self._node, node.terms) if part is not None]
            if not parts:
                return None
            joiner = " AND " if isinstance(node, And) else " OR "
            return "(" + joiner.join(parts) + ")" if len(parts) > 1 else parts[0]
        if isinstance(node, Not):
            inner = self._node(node.term)
            return None if inner is None else f"NOT {inner}"
        if isinstance(node, Text):
            return self.text(node)
        return self.field(node)

    def text(self, node: Text) -> str | None:
        written = node.printed()
        if self.target == HIGHLIGHT:
            match = self.context.highlight_fts(written)
            if match is None:
                return None
            self.params.append(match)
            self.out.full_text = True
            return self.spelling.highlight_match
        match = self.context.fts(written)
        if match is None:
            return None
        self.params.append(match)
        self.out.full_text = True
        return self.spelling.article_match

    def field(self, node: Field) -> str | None:
        name, value = node.name, node.value.strip()
        if name not in FIELDS:
            self.out.messages.append(
                f"{name}: is not a field (the fields are {', '.join(FIELDS[:-1])} and sort);"
                f" '{node.printed()}' is left out")
            return None
        if name == "sort":
            self.out.messages.append("sort: works only at the top of a query; left out")
            return None
        if not value and name not in ("tag",):
            self.out.messages.append(f"{name}: needs a value; left out")
            return None
        try:
            return getattr(self, "field_" + ("colour" if name == "color" else name))(value)
        except ValueError as exc:
            self.out.messages.append(f"{name}:{node.value} — {exc}; left out")
            return None

    # --- article fields --------------------------------------------------------------------
    def highlights_where(self, condition: str) -> str:
        """A condition on highlights: for articles, that they have such a highlight."""
        if self.target == HIGHLIGHT:
            return condition.replace("{h}", "h")
        return f"a.id IN (SELECT h2.article_id FROM highlight h2 WHERE {condition.replace('{h}', 'h2')})"

    def field_tag(self, value: str) -> str:
        name = normal_tag(value)
        if not name:
            # tag: alone: tagged with anything
            return ("a.id IN (SELECT article_id FROM article_tag UNION SELECT h3.article_id"
                    " FROM highlight h3 JOIN highlight_tag ht3 ON ht3.highlight_id = h3.id)")
        pattern = _like(name) + "/%"
        tags = (f"SELECT id FROM tag WHERE name = ? COLLATE NOCASE OR name {self.spelling.like}"
                " ? ESCAPE '\\'")
        if self.target == HIGHLIGHT:
            self.params.extend([name, pattern, name, pattern])
            return (f"(h.id IN (SELECT highlight_id FROM highlight_tag WHERE tag_id IN ({tags}))"
                    f" OR a.id IN (SELECT article_id FROM article_tag WHERE tag_id IN ({tags})))")
        self.params.extend([name, pattern, name, pattern])
        return (f"a.id IN (SELECT article_id FROM article_tag WHERE tag_id IN ({tags})"
                f" UNION SELECT h3.article_id FROM highlight h3 JOIN highlight_tag ht3"
                f" ON ht3.highlight_id = h3.id WHERE ht3.tag_id IN ({tags}))")

    def field_colour(self, value: str) -> str:
        key = value.lower()
        if key not in COLOURS:
            key = self.context.colour_names.get(" ".join(value.casefold().split()))
        if key is None:
            raise ValueError(f"there is no colour called '{value}' (the colours are "
                             f"{', '.join(COLOURS)}, or the names you gave them)")
        self.params.append(key)
        return self.highlights_where("{h}.colour = ?")

    def field_has(self, value: str) -> str:
        what = value.lower()
        if what in ("highlights", "highlight", "annotations"):
            return (self.highlights_where(self.spelling.true) if self.target == ARTICLE
                    else self.spelling.true)
        if what in ("note", "notes"):
            if self.target == HIGHLIGHT:
                return "h.note != ''"
            return ("(a.id IN (SELECT id FROM article WHERE note != '') OR "
                    + self.highlights_where("{h}.note != ''") + ")")
        if what == "feed":
            return "a.id IN (SELECT id FROM article WHERE feed_id IS NOT NULL)"
        if what == "tags":
            if self.target == HIGHLIGHT:
                return "h.id IN (SELECT highlight_id FROM highlight_tag)"
            return "a.id IN (SELECT article_id FROM article_tag)"
        raise ValueError(f"has: takes {', '.join(HAS_VALUES)}")

    def field_is(self, value: str) -> str:
        what = value.lower()
        if what == "unread":
            return "a.read = 0"
        if what == "read":
            return "a.read = 1"
        if what == "archived":
            return "a.archived = 1"
        if what == "orphaned":
            return ("h.orphaned = 1" if self.target == HIGHLIGHT
                    else self.highlights_where("{h}.orphaned = 1"))
        if what == "revised":
            return "a.id IN (SELECT id FROM article WHERE revised_at IS NOT NULL)"
        if what == "annotated":
            return self.field_has("highlights")
        raise ValueError(f"is: takes {', '.join(IS_VALUES)}")

    def field_author(self, value: str) -> str:
        self.params.append(f"%{_like(value)}%")
        return f"a.author {self.spelling.like} ? ESCAPE '\\'"

    def field_title(self, value: str) -> str:
        self.params.append(f"%{_like(value)}%")
        return f"a.title {self.spelling.like} ? ESCAPE '\\'"

    def field_site(self, value: str) -> str:
        domain = value.lower().split("://")[-1].split("/")[0].removeprefix("www.")
        if not domain:
            raise ValueError("needs a domain, such as example.com")
        host = _like(domain)
        self.params.extend([f"%://{host}/%", f"%://{host}", f"%.{host}/%", f"%.{host}",
                            f"%{host}%"])
        like = self.spelling.like
        return (f"(a.id IN (SELECT id FROM article WHERE url {like} ? ESCAPE '\\' OR url {like} ?"
                f" ESCAPE '\\' OR url {like} ? ESCAPE '\\' OR url {like} ? ESCAPE '\\')"
                f" OR a.publication {like} ? ESCAPE '\\')")

    def field_feed(self, value: str) -> str:
        pattern = f"%{_like(value)}%"
        number = int(value) if value.isdigit() else -1
        self.params.extend([number, pattern, pattern])
        like = self.spelling.like
        return ("a.id IN (SELECT id FROM article WHERE feed_id IN (SELECT id FROM feed"
                f" WHERE id = ? OR title {like} ? ESCAPE '\\' OR url {like} ? ESCAPE '\\'))")

    def field_added(self, value: str) -> str:
        return self._between("a.added_at", values.date_interval(value, self.context.now))

    def field_published(self, value: str) -> str:
        low, high = values.date_interval(value, self.context.now)
        return self._between("a.published", (_day(low), _day(high)))

    def field_words(self, value: str) -> str:
        return ("a.id IN (SELECT article_id FROM article_stat WHERE "
                + self._between("words", values.number_interval(value)) + ")")

    def field_progress(self, value: str) -> str:
        return self._between("a.progress", values.number_interval(value))

    def _between(self, column: str, interval: values.Interval) -> str:
        low, high = interval
        parts = []
        if low is not None:
            parts.append(f"{column} >= ?")
            self.params.append(low)
        if high is not None:
            parts.append(f"{column} < ?")
            self.params.append(high)
        return "(" + " AND ".join(parts) + ")" if parts else f"{column} IS NOT NULL"


def _day(moment: object) -> object:
    """A moment as the date it falls on (published dates are days)."""
    return moment[:10] if isinstance(moment, str) else moment


def _like(text: str) -> str:
    """Text matched literally by LIKE … ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def order_by(sort: list[tuple[str, bool]], target: str = ARTICLE) -> str:
    columns = HIGHLIGHT_SORTS if target == HIGHLIGHT else SORTS
    # Articles without a date come last, whichever way.
    parts = [f"{columns[key]} {'DESC' if descending else 'ASC'}"
             + (" NULLS LAST" if key == "published" else "") for key, descending in sort]
    tie = "h.id" if target == HIGHLIGHT else "a.id"
    descending = sort[-1][1] if sort else True
    if target == HIGHLIGHT and sort and sort[-1][0] in ("article", "title"):
        # By article: each article's highlights together, in reading order (those not
        # found in its current text last), whichever way the articles go.
        return ", ".join(parts + ["a.id", "h.orphaned", "h.start", 'h."end"', "h.id"])
    return ", ".join(parts + [f"{tie} {'DESC' if descending else 'ASC'}"])
