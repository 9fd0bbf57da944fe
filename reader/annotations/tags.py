"""Tags on articles and highlights: names, nesting (`parent/child`), counts, rename and merge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from reader.storage import database as db
from reader.storage.database import ArticleTag, Highlight, HighlightTag, LibraryError, Tag
from reader.records import Changes, TagCount

SEPARATOR = "/"


def normalise(name: str) -> str:
    """A tag name as stored: no leading '#', single spaces, no empty `/` segments."""
    name = name.strip().lstrip("#")
    parts = [" ".join(part.split()) for part in name.split(SEPARATOR)]
    return SEPARATOR.join(part for part in parts if part)


def parse_tag_list(text: str) -> list[str]:
    """Tag names from what a user typed: separated by commas, duplicates (any case) dropped."""
    seen: set[str] = set()
    names = []
    for raw in text.split(","):
        name = normalise(raw)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def is_under(name: str, parent: str) -> bool:
    """Whether tag `name` is `parent` itself or nested under it (ignoring case)."""
    name, parent = name.casefold(), parent.casefold()
    return name == parent or name.startswith(parent + SEPARATOR)


class TagManager:
    """All tags of the library; tags are created on the fly when items are tagged."""

    def names(self) -> list[str]:
        return [t.name for t in Tag.select(Tag.name).order_by(Tag.name)]

    def find(self, name: str) -> str | None:
        """The stored name of the tag called `name` (ignoring case), or None."""
        row = self._row(name)
        return row.name if row else None

    @staticmethod
    def _row(name: str) -> Tag | None:
        return Tag.get_or_none(Tag.name == normalise(name))

    def ensure(self, names: Iterable[str]) -> list[Tag]:
        """The tags with these names, created if new (an existing tag keeps its own case)."""
        tags = []
        for name in names:
            name = normalise(name)
            if not name:
                continue
            tag = Tag.get_or_none(Tag.name == name) or Tag.create(name=name)
            tags.append(tag)
        return tags

    def ids_under(self, name: str) -> list[int]:
        """Ids of the tag `name` and of every tag nested below it."""
        wanted = normalise(name)
        return [t.id for t in Tag.select(Tag.id, Tag.name) if is_under(t.name, wanted)]

    def article_ids_query(self, name: str):
        """A query of the ids of articles tagged `name` or below, on the article itself
        or on one of its highlights."""
        tag_ids = self.ids_under(name)
        own = ArticleTag.select(ArticleTag.article).where(ArticleTag.tag.in_(tag_ids))
        via_highlights = (Highlight.select(Highlight.article)
                          .join(HighlightTag).where(HighlightTag.tag.in_(tag_ids)))
        return own | via_highlights

    def count(self, name: str) -> int:
        """The number of distinct articles under the tag `name` (one tag: quick)."""
        sql, params = self.article_ids_query(name).sql()
        return db.database.execute_sql(f"SELECT COUNT(*) FROM ({sql})", params).fetchone()[0]

    def tree(self) -> list[str]:
        """Every tag name, and every parent that exists only through its children
        (`history` for `history/rome`), sorted by name ignoring case: a parent always
        comes before its children. Cheap: it reads only the tag table."""
        return [display for _key, display in self._keys(self._names())[1]]

    @staticmethod
    def _names() -> dict[int, str]:
        return dict(db.database.execute_sql("SELECT id, name FROM tag").fetchall())

    @staticmethod
    def _keys(names: dict[int, str]) -> tuple[dict[int, list[str]], list[tuple[str, str]]]:
        """Each tag's own key and its parents' keys (casefolded), and every key with the
        name it is shown by, sorted."""
        display: dict[str, str] = {}
        prefixes: dict[int, list[str]] = {}
        for tag_id, name in names.items():
            parts = name.split(SEPARATOR)
            keys = []
            for depth in range(1, len(parts) + 1):
                prefix = SEPARATOR.join(parts[:depth])
                display.setdefault(prefix.casefold(), prefix)
                keys.append(prefix.casefold())
            prefixes[tag_id] = keys
        return prefixes, sorted(display.items())

    def counts(self) -> list[TagCount]:
        """Every tag of `tree()` with the number of distinct articles under it.

        This reads every tagging of articles and highlights (a few hundred milliseconds
        at 100,000 articles, seconds from a cold disk): the window runs it in a thread.
        """
        prefixes, keys = self._keys(self._names())
        pairs = (ArticleTag.select(ArticleTag.tag, ArticleTag.article)
                 | Highlight.select(HighlightTag.tag, Highlight.article).join(HighlightTag))
        articles: dict[str, set[int]] = defaultdict(set)
        # Plain cursor rows: at 100,000 articles peewee's row objects cost a second.
        for tag_id, article_id in db.database.execute(pairs):
            for key in prefixes[tag_id]:
                articles[key].add(article_id)
        return [TagCount(display, len(articles.get(key, ()))) for key, display in keys]

    def rename(self, old: str, new: str) -> Changes:
        """Rename a tag and the tags nested under it; onto an existing name, merge them.

        A parent that exists only through its children (`history` for `history/rome`)
        can be renamed too: its children move. `tags=True` in the result tells views that
        any tag shown anywhere may have changed.
        """
        old = normalise(old)
        target = normalise(new)
        moving = [t for t in Tag.select() if is_under(t.name, old)]
        if not old or not moving:
            raise LibraryError(f"There is no tag called {old!r}.")
        if not target:
            raise LibraryError("A tag name cannot be empty.")
        if is_under(target, old) and target.casefold() != old.casefold():
            raise LibraryError(f"Cannot move {old!r} inside itself ({target!r}).")
        with db.database.atomic():
            for item in moving:
                renamed = target + item.name[len(old):]
                existing = Tag.get_or_none(Tag.name == renamed)
                if existing is not None and existing.id != item.id:
                    self._merge(item, existing)
                else:
                    item.name = renamed
                    item.save()
        return Changes(tags=True, article_list=True)

    def delete(self, name: str) -> Changes:
        """Remove a tag from every article and highlight (nested tags stay)."""
        tag = self._row(name)
        if tag is None:
            raise LibraryError(f"There is no tag called {name!r}.")
        with db.database.atomic():
            tag.delete_instance()
        return Changes(tags=True, article_list=True)

    def _merge(self, source: Tag, into: Tag) -> None:
        for link in ArticleTag.select().where(ArticleTag.tag == source):
            ArticleTag.insert(article=link.article_id, tag=into).on_conflict_ignore().execute()
        for link in HighlightTag.select().where(HighlightTag.tag == source):
            HighlightTag.insert(highlight=link.highlight_id, tag=into).on_conflict_ignore().execute()
        source.delete_instance()

    def prune(self) -> None:
        """Drop tags no article or highlight carries any more."""
        used = ArticleTag.select(ArticleTag.tag) | HighlightTag.select(HighlightTag.tag)
        Tag.delete().where(Tag.id.not_in(used)).execute()
