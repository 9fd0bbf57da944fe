"""Tags on articles and highlights: names, nesting (`parent/child`), counts, rename and merge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from reader import reads
from reader.annotations.tag_names import SEPARATOR, is_under, normalise, parse_tag_list
from reader.records import Changes, TagCount
from reader.storage.database import LibraryError, Storage

# The names' rules live beside, without the database (the command line's lean path uses them).
__all__ = ["SEPARATOR", "TagManager", "is_under", "normalise", "parse_tag_list"]


class TagManager:
    """All tags of the library; tags are created on the fly when items are tagged."""

    def __init__(self, store: Storage) -> None:
        self._store = store
        self._m = store.models

    def names(self) -> list[str]:
        return [t.name for t in self._m.Tag.select(self._m.Tag.name).order_by(self._m.Tag.name.caseless())]

    def find(self, name: str) -> str | None:
        """The stored name of the tag called `name` (ignoring case), or None."""
        return reads.find_tag(self._store.rows, name)

    def _row(self, name: str) -> Any:
        return self._m.Tag.get_or_none(self._m.Tag.name == normalise(name))

    def ensure(self, names: Iterable[str]) -> list[int]:
        """The ids of the tags with these names, created if new (an existing tag keeps
        its own case)."""
        m = self._m
        ids = []
        for name in names:
            name = normalise(name)
            if not name:
                continue
            tag = m.Tag.get_or_none(m.Tag.name == name) or m.Tag.create(name=name)
            ids.append(tag.id)
        return ids

    def ids_under(self, name: str) -> list[int]:
        """Ids of the tag `name` and of every tag nested below it."""
        return reads.tag_ids_under(self._store.rows, name)

    def _article_ids_query(self, name: str) -> Any:
        """The subquery of the ids of articles tagged `name` or below, on the article
        itself or on one of its highlights (for the storage queries of the core)."""
        m = self._m
        tag_ids = self.ids_under(name)
        own = m.ArticleTag.select(m.ArticleTag.article).where(m.ArticleTag.tag.in_(tag_ids))
        via_highlights = (m.Highlight.select(m.Highlight.article)
                          .join(m.HighlightTag).where(m.HighlightTag.tag.in_(tag_ids)))
        return own | via_highlights

    def count(self, name: str) -> int:
        """The number of distinct articles under the tag `name` (one tag: quick)."""
        return self._article_ids_query(name).count()  # SELECT COUNT(1) FROM (the union)

    def tree(self) -> list[str]:
        """Every tag name, and every parent that exists only through its children
        (`history` for `history/rome`), sorted by name ignoring case: a parent always
        comes before its children. Cheap: it reads only the tag table."""
        return [display for _key, display in self._keys(self._names())[1]]

    def _names(self) -> dict[int, str]:
        return reads.tag_names(self._store.rows)

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
        m = self._m
        pairs = (m.ArticleTag.select(m.ArticleTag.tag, m.ArticleTag.article)
                 | m.Highlight.select(m.HighlightTag.tag, m.Highlight.article).join(m.HighlightTag))
        articles: dict[str, set[int]] = defaultdict(set)
        # Plain cursor rows: at 100,000 articles peewee's row objects cost a second.
        for tag_id, article_id in self._store.database.execute(pairs):
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
        moving = [t for t in self._m.Tag.select() if is_under(t.name, old)]
        if not old or not moving:
            raise LibraryError(f"There is no tag called {old!r}.")
        if not target:
            raise LibraryError("A tag name cannot be empty.")
        if is_under(target, old) and target.casefold() != old.casefold():
            raise LibraryError(f"Cannot move {old!r} inside itself ({target!r}).")
        with self._store.write():
            for item in moving:
                renamed = target + item.name[len(old):]
                existing = self._m.Tag.get_or_none(self._m.Tag.name == renamed)
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
        with self._store.write():
            tag.delete_instance()
        return Changes(tags=True, article_list=True)

    def _merge(self, source: Any, into: Any) -> None:
        m = self._m
        for link in m.ArticleTag.select().where(m.ArticleTag.tag == source):
            m.ArticleTag.insert(article=link.article_id, tag=into).on_conflict_ignore().execute()
        for link in m.HighlightTag.select().where(m.HighlightTag.tag == source):
            m.HighlightTag.insert(highlight=link.highlight_id, tag=into).on_conflict_ignore().execute()
        source.delete_instance()

    def prune(self) -> None:
        """Drop tags no article or highlight carries any more."""
        m = self._m
        used = m.ArticleTag.select(m.ArticleTag.tag) | m.HighlightTag.select(m.HighlightTag.tag)
        m.Tag.delete().where(m.Tag.id.not_in(used)).execute()
