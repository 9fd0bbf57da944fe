"""Tag names: how a name is stored, read from what a user typed, and nested (`parent/child`).

Plain functions without the database, so that the command line's lean read path and the
query compiler use them without loading the storage layer."""

from __future__ import annotations

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
