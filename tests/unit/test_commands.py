"""The command registry and keymap rules."""

from __future__ import annotations

from reader.commands import COMMANDS, CONTEXTS, DEFAULT_KEYMAP, keymap_problems, keys_for


def test_command_ids_are_unique_and_titled():
    ids = [c.id for c in COMMANDS]
    assert len(ids) == len(set(ids))
    assert all(c.title and c.menu for c in COMMANDS)


def test_default_keymap_has_no_problems():
    assert set(DEFAULT_KEYMAP) <= set(CONTEXTS)
    assert keymap_problems(DEFAULT_KEYMAP) == []


def test_problems_are_found():
    bad = {
        "reader": {"H": "highlight.create", "h": "highlight.delete", "J": "no.such.command",
                   "Ctrl+Z": "highlight.next"},
        "anywhere": {"Ctrl+Z": "edit.undo"},
        "sidebar": {"A": "app.quit"},
    }
    problems = keymap_problems(bad)
    assert "reader: J is bound to unknown command 'no.such.command'" in problems
    assert "reader: h is bound twice" in problems
    assert "reader: Ctrl+Z is also bound anywhere" in problems
    assert "unknown context 'sidebar'" in problems


def test_keys_for_lists_every_binding():
    assert keys_for("article.tag") == [("list", "Shift+T"), ("reader", "Shift+T")]
    assert keys_for("edit.undo") == [("anywhere", "Ctrl+Z")]
