"""The command registry and keymap rules."""

from __future__ import annotations

import pytest

from reader.commands import (
    COMMANDS,
    CONDITIONS,
    CONTEXTS,
    DEFAULT_KEYMAP,
    INVOCATIONS,
    TAG_MANAGER,
    WINDOW_INVOCATIONS,
    command,
    invocation,
    invocation_problem,
    keymap_problems,
    keys_for,
    normal_key,
    same_key,
    unmet,
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


# Commands with an argument --------------------------------------------------------------


def test_each_choice_of_an_argument_is_an_invocation_in_registry_order():
    texts = [i.text for i in INVOCATIONS]
    assert texts[texts.index("highlight.colour 1"):texts.index("highlight.colour 5") + 1] == [
        f"highlight.colour {n}" for n in "12345"]
    assert "highlight.colour" not in texts  # a colour is needed
    assert texts[texts.index("view.theme"):texts.index("view.theme") + 4] == [
        "view.theme", "view.theme light", "view.theme sepia", "view.theme dark"]
    assert invocation("highlight.colour 3").title == "Colour 3"
    assert invocation("view.theme dark").title == "Dark theme"
    assert invocation("view.theme").title == command("view.theme").title
    assert len(texts) == len(set(texts))
    assert {i.command.id for i in INVOCATIONS} == {c.id for c in COMMANDS}


def test_invocations_are_read_with_their_argument():
    item = invocation("highlight.colour 3")
    assert (item.command.id, item.argument, item.text) == ("highlight.colour", "3",
                                                          "highlight.colour 3")
    assert invocation("  highlight.colour   3 ").text == "highlight.colour 3"
    assert invocation("highlight.create").argument is None
    assert invocation("highlight.colour-4").text == "highlight.colour 4"  # the old id
    # A keymap holds the one spelling, which the menus and keys_for look for.
    assert keymap_problems({"reader": {"Y": "highlight.colour-4"}}) == [
        "reader: Y is bound to 'highlight.colour-4', which is written 'highlight.colour 4'"]


@pytest.mark.parametrize(("text", "words"), [
    ("highlight.colour", "needs a NUMBER: 1, 2, 3, 4, 5"),
    ("highlight.colour 6", "takes a NUMBER of 1, 2, 3, 4, 5, not '6'"),
    ("view.theme blue", "not 'blue'"),
    ("highlight.create 2", "takes no argument"),
    ("no.such.command", "unknown command 'no.such.command'"),
])
def test_a_wrong_argument_is_said(text, words):
    assert words in invocation_problem(text)
    with pytest.raises(ValueError, match="."):
        invocation(text)
    assert any(words in p for p in keymap_problems({"reader": {"Y": text}}))


def test_a_key_binds_a_command_with_its_argument():
    assert DEFAULT_KEYMAP["reader"]["3"] == "highlight.colour 3"
    assert keys_for("highlight.colour 3") == [("reader", "3")]
    assert keymap_problems({"reader": {"Ctrl+1": "highlight.colour 3",
                                       "F9": "view.theme dark"}}) == []


# The tag manager's context ----------------------------------------------------------------


def test_the_tag_managers_keys_are_in_the_registry():
    assert DEFAULT_KEYMAP[TAG_MANAGER] == {"F2": "tag-manager.rename", "Del": "tag-manager.delete"}
    assert command("tag-manager.rename").dialog == TAG_MANAGER
    assert all(not i.command.dialog for i in WINDOW_INVOCATIONS)


def test_a_dialogs_key_may_also_be_bound_anywhere_but_not_cross_over():
    # The dialog is its own window: the main window's keys do not reach it.
    assert keymap_problems({"anywhere": {"F2": "view.palette"},
                            TAG_MANAGER: {"F2": "tag-manager.rename"}}) == []
    problems = keymap_problems({"reader": {"F2": "tag-manager.rename"},
                                TAG_MANAGER: {"Q": "app.quit"}})
    assert "reader: F2 is bound to tag-manager.rename, which works only in tag-manager" in problems
    assert f"{TAG_MANAGER}: Q is bound to app.quit, which works only in the main window" in problems


# When a command can run ---------------------------------------------------------------------


def test_every_condition_a_command_needs_is_declared_with_a_reason():
    for item in COMMANDS:
        for name in item.needs:
            assert CONDITIONS.get(name), (item.id, name)


def test_unmet_names_the_first_condition_that_does_not_hold():
    assert unmet(command("edit.undo"), lambda _name: True) is None
    assert unmet(invocation("edit.undo"), lambda name: name != "undo") == CONDITIONS["undo"]
    assert unmet(command("app.quit"), lambda _name: False) is None  # needs nothing
    # A library that cannot be changed is said first: nothing else would help.
    assert unmet(invocation("highlight.colour 2"),
                 lambda _name: False) == CONDITIONS["writable"]
    assert unmet(invocation("highlight.colour 2"),
                 lambda name: name == "writable") == CONDITIONS["selection-or-highlight"]
