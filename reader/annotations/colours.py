"""The five highlight colours and the names the user gives them."""

from __future__ import annotations

from dataclasses import dataclass

from reader.storage.database import Storage

COLOURS = ("yellow", "green", "blue", "pink", "purple")
DEFAULT_COLOUR = "yellow"
# Soft tints that keep black text readable; the UI draws them translucent so that
# overlapping highlights both show.
HEX = {
    "yellow": "#f7d84a",
    "green": "#8fd18b",
    "blue": "#8cbcf0",
    "pink": "#f29ac0",
    "purple": "#bda0ec",
}
_NAME_KEY = "colour_name:"


@dataclass(frozen=True)
class Colour:
    key: str  # one of COLOURS; what is stored with a highlight
    name: str  # what the user calls it, e.g. "key claim"
    hex: str
    number: int  # 1-5, its key in the reader


def check(colour: str) -> str:
    if colour not in COLOURS:
        raise ValueError(f"unknown colour {colour!r}; choose one of {', '.join(COLOURS)}")
    return colour


class ColourManager:
    """The colours with their user-chosen names (stored only when they differ)."""

    def __init__(self, store: Storage) -> None:
        self._store = store
        self._m = store.models

    def all(self) -> list[Colour]:
        names = {row.key[len(_NAME_KEY):]: row.value
                 for row in self._m.Meta.select().where(self._m.Meta.key.startswith(_NAME_KEY))}
        return [Colour(key, names.get(key, key.capitalize()), HEX[key], number)
                for number, key in enumerate(COLOURS, start=1)]

    def name(self, colour: str) -> str:
        return next(c.name for c in self.all() if c.key == colour)

    def rename(self, colour: str, name: str) -> None:
        check(colour)
        name = " ".join(name.split())
        with self._store.write():
            if not name or name == colour.capitalize():
                self._m.Meta.delete().where(self._m.Meta.key == _NAME_KEY + colour).execute()
            else:
                self._m.Meta.set_value(_NAME_KEY + colour, name)
