"""The README's keymap table is the registry's, word for word."""

from __future__ import annotations

from pathlib import Path

from reader.commands import keymap_markdown

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- keymap:start -->\n", "<!-- keymap:end -->"


def test_readme_keymap_matches_the_registry():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lost its keymap markers"
    table = text.split(START, 1)[1].split(END, 1)[0]
    assert table == keymap_markdown(), (
        "The README's keymap table is out of date: regenerate it with "
        "`.venv/bin/python -m reader.commands` and paste it between the markers."
    )
