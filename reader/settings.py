"""The user's settings, from settings.toml: typed settings and key rebinding."""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from reader.commands import (
    ANYWHERE,
    COMMANDS,
    CONTEXTS,
    DEFAULT_KEYMAP,
    INVOCATIONS,
    WINDOW_CONTEXTS,
    invocation,
    invocation_problem,
    keymap_problems,
    normal_key,
)
from reader.paths import config_dir
from reader.review.cards import DEFAULT_SKIP_TAG, NEW_ORDERS
from reader.settings_file import EditRefused, Unusable, edited, read, write_atomically

SETTINGS_FILE = "settings.toml"
KEYS_TABLE = "keys"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type  # int, float, str, bool
    default: object
    description: str
    choices: tuple = ()  # allowed values, if limited
    minimum: float | None = None
    maximum: float | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("font_size", float, 13.0, "Reading font size, in points (8 to 32).",
            minimum=8, maximum=32),
    Setting("theme", str, "light", "Colour theme of the reading pane.", ("light", "sepia", "dark")),
    Setting("export_folder", str, "", "The folder annotations were last exported to."),
    Setting("export_template", str, "",
            "A Jinja2 template file for Markdown export; empty for the built-in one."),
    Setting("feed_interval_minutes", int, 60,
            "How often the window checks each feed for new articles, in minutes "
            "(5 to 1440; a failing feed waits longer).", minimum=5, maximum=1440),
    Setting("review_new_per_day", int, 10,
            "Highlights seen for the first time in the daily review, at most, each day "
            "(0 to 1000).", minimum=0, maximum=1000),
    Setting("review_due_per_day", int, 50,
            "Highlights seen before that come back in the daily review, at most, each day "
            "(0 to 10000).", minimum=0, maximum=10000),
    Setting("review_scope", str, "",
            "Which highlights the daily review draws from: a query (tag:philosophy, "
            "colour:yellow, ...); empty for the whole library."),
    Setting("review_skip_tag", str, DEFAULT_SKIP_TAG,
            "Articles and highlights with this tag are left out of the daily review."),
    Setting("review_new_order", str, NEW_ORDERS[0],
            "The order new highlights enter the review in: the newest first, the oldest "
            "first, or shuffled.", NEW_ORDERS),
    Setting("review_retention", float, 0.9,
            "The share of highlights the review schedule aims to have you remember when "
            "they come back (0.7 to 0.97: higher means more reviews).",
            minimum=0.7, maximum=0.97),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}
_COMMAND_IDS = [c.id for c in COMMANDS]
_INVOCATIONS = [*_COMMAND_IDS, *(i.text for i in INVOCATIONS if i.argument is not None)]

Keymap = dict[str, dict[str, str]]


class SettingsError(Exception):
    """The settings file was not written; the message is meant for the user."""


def default_path() -> Path:
    """Where the settings file lives: settings.toml in the user's config folder."""
    return config_dir() / SETTINGS_FILE


def setting(name: str) -> Setting:
    """The declared setting called name; KeyError for a name that is not one."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"there is no setting called {name!r}") from None


class Settings:
    """The settings in one file. Create with `Settings.load(path)`."""

    def __init__(self, path: Path, values: dict[str, object], keymap: Keymap,
                 problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        self._values = values
        self._keymap = keymap

    @classmethod
    def load(cls, path: Path | str) -> Settings:
        """The settings in path. Never raises for a bad file: what is wrong is listed in
        `problems` and the defaults are used in its place. A missing file is simply
        all defaults."""
        path = Path(path)
        values = {s.name: s.default for s in SETTINGS}
        try:
            # Read only: tomlkit (a tenth of start-up to import) is needed to save.
            parsed = read(path, editable=False)
        except Unusable as unusable:
            problem = (f"{path} {unusable}; every setting has its default value, and "
                       "Marginalia will not change the file until it is fixed.")
            return cls(path, values, _copy(DEFAULT_KEYMAP), [problem])
        if parsed is None:
            return cls(path, values, _copy(DEFAULT_KEYMAP), [])

        problems: list[str] = []
        for name, value in parsed.data.items():
            if name == KEYS_TABLE:
                continue
            if name not in _BY_NAME:
                problems.append(f"{path}: unknown setting {_quote(name)}"
                                f"{_did_you_mean(name, _BY_NAME)}; ignored.")
                continue
            declared = _BY_NAME[name]
            try:
                values[name] = _checked(declared, value)
            except ValueError as error:
                problems.append(f"{path}: {name} {error}; using the default, "
                                f"{_show(declared.default)}.")
        keymap, key_problems = _merge_keymap(parsed.data.get(KEYS_TABLE), path)
        return cls(path, values, keymap, problems + key_problems)

    def get(self, name: str) -> object:
        setting(name)
        return self._values[name]

    def set(self, name: str, value: object) -> None:
        """Change a setting and write the file at once, keeping everything else in it
        (comments, layout, key bindings, edits made by hand since it was loaded).

        A value equal to the default is removed from the file rather than written.
        Raises ValueError for a value the setting cannot take, and SettingsError when
        the file cannot be written (or exists but is broken: it is never overwritten).
        Nothing changes, in memory or on disk, when either is raised.
        """
        declared = setting(name)
        try:
            value = _checked(declared, value)
        except ValueError as error:
            raise ValueError(f"{name} {error}") from None
        try:
            parsed = read(self.path)  # again: the user may have edited it meanwhile
        except Unusable as unusable:
            raise SettingsError(
                f"Could not save {name}: {self.path} {unusable}. Fix or remove the file; "
                "Marginalia will not overwrite it.") from None
        try:
            text = edited(parsed, name, value, declared.default)
        except EditRefused as refused:
            raise SettingsError(f"Could not save {name} to {self.path}: {refused}.") from None
        if text is None:  # a default, not in the file: nothing to write
            self._values[name] = value
            return
        try:
            write_atomically(self.path, text)
        except OSError as error:
            reason = error.strerror or str(error)
            raise SettingsError(f"Could not save {name} to {self.path}: {reason}.") from error
        self._values[name] = value

    def keymap(self) -> Keymap:
        """The default keymap with the user's [keys.<context>] tables applied; it always
        passes `keymap_problems`. A fresh copy on each call."""
        return _copy(self._keymap)


# -- checking values ---------------------------------------------------------------------


def _checked(declared: Setting, value: object) -> object:
    """value as the setting stores it; ValueError with a reason completing "<name> ..."."""
    kind, given = declared.type, _show(value)
    if kind is str and isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bool) and kind is not bool:  # bool is an int to Python, not to users
        raise ValueError(f"must be {_KIND_WORDS[kind]}, not {given}")
    if kind is float and isinstance(value, int):
        try:
            value = float(value)
        except OverflowError:
            raise ValueError(f"must be a finite number, not {given}") from None
    if not isinstance(value, kind):
        raise ValueError(f"must be {_KIND_WORDS[kind]}, not {given}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number, not {given}")
    if declared.choices and value not in declared.choices:
        allowed = ", ".join(_show(choice) for choice in declared.choices)
        raise ValueError(f"must be one of {allowed}; not {given}")
    low, high = declared.minimum, declared.maximum
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"must be between {low:g} and {high:g}, not {given}")
    if low is not None and value < low:
        raise ValueError(f"must be at least {low:g}, not {given}")
    if high is not None and value > high:
        raise ValueError(f"must be at most {high:g}, not {given}")
    return value


_KIND_WORDS = {float: "a number", int: "a whole number", str: "text in quotes",
               bool: "true or false"}


def _show(value: object) -> str:
    """A value as it would be written in the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _quote(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _did_you_mean(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return f" (did you mean {_quote(close[0])}?)" if close else ""


# -- key bindings ------------------------------------------------------------------------


def _copy(keymap: Keymap) -> Keymap:
    return {context: dict(bindings) for context, bindings in keymap.items()}


def _same_key(bindings: dict[str, str], key: str) -> str | None:
    """The key in bindings that is key, however spelt ("ctrl+z", "Escape": Qt reads each
    like "Ctrl+Z", "Esc")."""
    normal = normal_key(key)
    return next((k for k in bindings if normal_key(k) == normal), None)


def _bind(bindings: dict[str, str], key: str, command_id: str) -> dict[str, str]:
    """bindings with key bound to command_id, in place of any binding of the same key."""
    old = _same_key(bindings, key)
    if old is None:
        return {**bindings, key: command_id}
    return {(key if k == old else k): (command_id if k == old else c) for k, c in bindings.items()}


def _merge_keymap(keys: object, path: Path) -> tuple[Keymap, list[str]]:
    """DEFAULT_KEYMAP with the user's [keys.<context>] tables applied, and what was
    wrong with them. Unbindings apply before bindings, so a key can be moved from one
    context to another; a binding that would clash is dropped, never a default."""
    keymap = _copy(DEFAULT_KEYMAP)
    for context in CONTEXTS:
        keymap.setdefault(context, {})
    problems: list[str] = []
    if keys is None:
        return keymap, problems
    if not isinstance(keys, dict):
        problems.append(f"{path}: keys should hold tables such as [keys.reader], not "
                        f"{_show(keys)}; ignored.")
        return keymap, problems

    unbind: list[tuple[str, str, str]] = []  # (context, key, label)
    bind: list[tuple[str, str, str, str]] = []  # (context, key, command id, label)
    for context, table in keys.items():
        header = f"[keys.{_quote(context)}]"
        if context not in CONTEXTS:
            problems.append(f"{path}: {header}: unknown context {_quote(context)}"
                            f"{_did_you_mean(context, CONTEXTS)}; the contexts are "
                            f"{', '.join(CONTEXTS)}. Its bindings are ignored.")
            continue
        if not isinstance(table, dict):
            problems.append(f"{path}: keys.{_quote(context)} should be a table of key = "
                            f"command lines, not {_show(table)}; ignored.")
            continue
        seen: dict[str, str] = {}
        for key, command_id in table.items():
            label = f"{path}: {header} {json.dumps(key, ensure_ascii=False)}"
            if not key.strip():
                problems.append(f"{label}: an empty key; ignored.")
                continue
            if not isinstance(command_id, str):
                hint = (" (settings belong above the first [table] heading)"
                        if key in _BY_NAME else "")
                problems.append(f"{label}: should be a command id in quotes, or \"\" to "
                                f"unbind the key, not {_show(command_id)}{hint}; ignored.")
                continue
            command_id = command_id.strip()
            if command_id:
                problem = invocation_problem(command_id)
                if problem is not None and command_id.partition(" ")[0] not in _COMMAND_IDS:
                    problems.append(f"{label}: unknown command {_show(command_id)}"
                                    f"{_did_you_mean(command_id, _INVOCATIONS)}; ignored.")
                    continue
                if problem is not None:
                    problems.append(f"{label}: {problem}; ignored.")
                    continue
                command_id = invocation(command_id).text  # one spelling, old ids renamed
            normal = normal_key(key)
            if normal in seen:
                problems.append(f"{label}: the same key as {json.dumps(seen[normal])} above "
                                "(case and the order of modifiers do not matter in keys); "
                                "ignored.")
                continue
            seen[normal] = key
            if command_id:
                bind.append((context, key, command_id, label))
            else:
                unbind.append((context, key, label))

    for context, key, label in unbind:
        old = _same_key(keymap[context], key)
        if old is None:
            problems.append(f"{label}: nothing to unbind, the key has no default binding "
                            f"in {context}.")
        else:
            del keymap[context][old]
    for context, key, command_id, label in bind:
        trial = {**keymap, context: _bind(keymap[context], key, command_id)}
        clashes = keymap_problems(trial)
        if clashes:
            problems.append(f"{label} = {_show(command_id)}: "
                            f"{_clash(keymap, context, key) or '; '.join(clashes)}; ignored.")
            continue
        keymap = trial

    if keymap_problems(keymap):  # cannot happen by the steps above; never hand one out
        problems.append(f"{path}: the key bindings could not be combined "
                        f"({'; '.join(keymap_problems(keymap))}); using the default keys.")
        return _copy(DEFAULT_KEYMAP), problems
    return keymap, problems


def _clash(keymap: Keymap, context: str, key: str) -> str:
    """Why binding key in context would fight an existing binding, for the user."""
    others = [ctx for ctx in keymap if ctx != context
              and ((ctx == ANYWHERE and context in WINDOW_CONTEXTS)
                   or (context == ANYWHERE and ctx in WINDOW_CONTEXTS))]
    for other in others:
        taken = _same_key(keymap[other], key)
        if taken is not None:
            return (f"{taken} is already bound to {_show(keymap[other][taken])} in {other}, and "
                    f"keys bound anywhere cannot also be bound in list or reader (unbind it "
                    f"there first with {json.dumps(taken)} = \"\" under [keys.{other}])")
    return ""
