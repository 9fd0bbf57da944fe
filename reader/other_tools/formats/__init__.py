"""The export formats of other tools, each read by its own module.

A format module has:

- ``NAME``: what ``--from`` takes, e.g. ``"kindle"``;
- ``SOURCE``: the tool, for people, e.g. ``"Kindle"``;
- ``DESCRIPTION``: the file, for people, e.g. ``"My Clippings.txt"``;
- ``detect(path, head) -> bool``: whether the file is in this format, from its name
  and its first bytes (``head``, up to ``common.SNIFF_BYTES``) — never from the
  extension alone;
- ``read(path) -> Export``: the file's items, and a ``Problem`` for each entry that
  could not be read; ``FormatError`` when nothing of it can be.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from reader.other_tools.common import sniff
from reader.other_tools.model import FormatError

# Most specific first: the first whose detect() accepts a file reads it.
_MODULES = (
    "omnivore", "wallabag", "hypothesis", "koreader", "kindle_clippings", "kindle_notebook",
    "readwise_csv", "readwise_markdown", "instapaper", "pocket",
)


def formats() -> list[ModuleType]:
    """Every format module, in detection order."""
    return [importlib.import_module(f"{__name__}.{name}") for name in _MODULES]


def names() -> list[str]:
    return [module.NAME for module in formats()]


def by_name(name: str) -> ModuleType:
    """The format called `name` (as --from takes it); FormatError naming the known ones."""
    for module in formats():
        if module.NAME == name.strip().lower():
            return module
    raise FormatError(f"there is no import format called {name!r}; the formats are "
                      f"{', '.join(names())}")


def detect(path: Path) -> ModuleType | None:
    """The format of an export file, or None when it is none of them."""
    head = sniff(path)
    if not head:
        return None
    for module in formats():
        if module.detect(path, head):
            return module
    return None
