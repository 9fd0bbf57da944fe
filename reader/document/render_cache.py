"""A small cache of rendered articles, so that opening an article again skips the parser."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from reader.document.model import Document

DEFAULT_SIZE = 16


class RenderCache:
    """The last few rendered `Document`s, each with the inputs it was rendered from.

    An entry is used only when the inputs are equal to those it was made from (the whole
    source, not a hash of it), so an article whose source or heading fields changed is
    rendered again. Documents are frozen, so one can be handed out many times.
    """

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[int, tuple[Hashable, Document]] = OrderedDict()

    def get(self, article_id: int, inputs: Hashable, render: Callable[[], Document]) -> Document:
        """The document for these inputs: from the cache, or made by `render()` and kept."""
        entry = self._entries.get(article_id)
        if entry is not None and entry[0] == inputs:
            self._entries.move_to_end(article_id)
            return entry[1]
        document = render()
        self._entries[article_id] = (inputs, document)
        self._entries.move_to_end(article_id)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return document

    def discard(self, article_id: int) -> None:
        self._entries.pop(article_id, None)

    def __len__(self) -> int:
        return len(self._entries)


# Shared by every open library: an entry is reused only for equal inputs, and the same
# inputs always render to the same document, whichever library they came from.
rendered_documents = RenderCache()
