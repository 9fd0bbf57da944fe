"""The command registry and keymap rules."""

from __future__ import annotations

import pytest

from reader.commands import (
    COMMANDS,
    CONTEXTS,
    DEFAULT_KEYMAP,
    keymap_problems,
    keys_for,
    normal_key,
    same_key,
)


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


# Key names ---------------------------------------------------------------------------

SPELLINGS = [
    ("ctrl+shift+k", "Shift+Ctrl+K"),
    ("Meta+Alt+Shift+Ctrl+X", "ctrl+shift+meta+alt+x"),
    ("Esc", "Escape"),
    ("escape", "ESC"),
    ("Del", "Delete"),
    ("Ins", "insert"),
    ("g,g", "G, G"),
    ("shift+t", "Shift+T"),
    ("f2", "F2"),
    ("ctrl + k", "Ctrl+K"),
    ("BackSpace", "Backspace"),
]
DIFFERENT = [("Return", "Enter"), ("T", "Shift+T"), ("G, G", "G"), ("Ctrl++", "Ctrl+="),
             ("Ctrl+,", ","), ("1", "Num+1")]


@pytest.mark.parametrize(("a", "b"), SPELLINGS)
def test_spellings_of_one_key_are_the_same_key(a, b):
    assert normal_key(a) == normal_key(b)
    assert same_key(a, b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_keys_stay_different(a, b):
    assert normal_key(a) != normal_key(b)


@pytest.mark.parametrize("key", [k for pair in SPELLINGS + DIFFERENT for k in pair]
                         + [key for bindings in DEFAULT_KEYMAP.values() for key in bindings])
def test_the_normal_form_is_what_qt_reads(key):
    from PySide6.QtGui import QKeySequence

    assert normal_key(key) == QKeySequence.fromString(key).toString()


def test_a_clash_is_found_however_the_key_is_spelt():
    problems = keymap_problems({
        "anywhere": {"Ctrl+Shift+K": "view.palette"},
        "reader": {"shift+ctrl+k": "highlight.next", "Escape": "reader.back", "Esc": "app.quit"},
    })
    assert "reader: shift+ctrl+k is also bound anywhere" in problems
    assert "reader: Esc is bound twice" in problems
