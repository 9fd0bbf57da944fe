"""Reading and writing settings.toml carefully: file checks, strict parsing, comment-keeping edits."""

from __future__ import annotations

import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.files import write_file

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

NEW_FILE_HEADER = (
    "# Marginalia settings. Only values that differ from the defaults are kept here;\n"
    "# the README lists every setting and shows how to rebind keys under [keys.<context>].\n"
)


class Unusable(Exception):
    """The settings file exists but cannot be used; str() completes "<path> ..."."""


class EditRefused(Exception):
    """An edit was not made, as it could not be checked safe; str() completes
    "Could not save <name> to <path>: ..."."""


# -- reading -----------------------------------------------------------------------------


@dataclass
class Parsed:
    data: dict[str, Any]  # plain values, from the strict standard-library parser
    doc: TOMLDocument | None  # the same text, editable with its comments and layout
    bom: bool
    crlf: bool


def read(path: Path, editable: bool = True) -> Parsed | None:
    """The file parsed twice over (once without `editable`), or None when it does not
    exist; Unusable if it exists and cannot be read, decoded or parsed."""
    raw = _read_bytes(path)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise Unusable(f"is not UTF-8 text (line {line}: byte 0x{raw[error.start]:02x})") from None
    bom = text.startswith("\ufeff")  # Windows editors add one; TOML does not allow it
    if bom:
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise Unusable(f"is not valid TOML: {_where(str(error))}") from None
    except RecursionError:
        raise Unusable("is nested too deeply to read (tables or lists inside one "
                       "another, thousands of levels deep)") from None
    if not editable:
        return Parsed(data, None, bom, "\r\n" in text)
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as error:  # accepted by the strict parser yet not editable: keep out
        raise Unusable(f"cannot be edited safely: {error}") from None
    except RecursionError:
        raise Unusable("cannot be edited safely: it is nested too deeply") from None
    return Parsed(data, doc, bom, "\r\n" in text)


MAX_BYTES = 1024 * 1024  # a settings file is a few hundred bytes; this is far beyond any
_OPEN_FLAGS = (getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))


def _read_bytes(path: Path) -> bytes | None:
    """The bytes of the settings file (a link is followed), or None when there is none.

    Unusable for anything but a regular file of at most MAX_BYTES, refused before it
    is read: a FIFO would block start-up for ever, a link to /dev/zero never end. It is
    opened without waiting, in case it was replaced after the check, and no more than
    the limit is read even from a file that grows meanwhile.
    """
    try:
        _check_regular(os.stat(path))
        descriptor = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
        with os.fdopen(descriptor, "rb") as stream:
            _check_regular(os.fstat(stream.fileno()))
            raw = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise Unusable(f"cannot be read ({error.strerror or error})") from None
    if len(raw) > MAX_BYTES:
        raise Unusable(f"is too large (more than the limit of {MAX_BYTES // 1024 // 1024} MB)")
    return raw


def _check_regular(info: os.stat_result) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise Unusable("is a folder, not a settings file")
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
                "a socket" if stat.S_ISSOCK(mode) else "not a file of data")
        raise Unusable(f"is not a regular file ({kind})")
    if info.st_size > MAX_BYTES:
        raise Unusable(f"is too large ({info.st_size / 1024 / 1024:.1f} MB; "
                       f"the limit is {MAX_BYTES // 1024 // 1024} MB)")


def _where(message: str) -> str:
    """tomllib's "Invalid value (at line 3, column 7)" as "line 3, column 7: invalid value"."""
    found = re.fullmatch(r"(.*) \(at (line \d+, column \d+|end of document)\)", message)
    if not found:
        return message
    reason = found.group(1)
    return f"{found.group(2)}: {reason[:1].lower()}{reason[1:]}"


# -- writing -----------------------------------------------------------------------------


def edited(parsed: Parsed | None, name: str, value: object, default: object) -> str | None:
    """The new text of the file (parsed; None for a file not there yet) with the
    top-level key name set to value, or removed when value is the default, and all else
    kept: comments, layout, byte order mark, line endings. None when there is nothing
    to write. EditRefused if the edit would change anything but that one key."""
    import tomlkit

    if parsed is None:
        parsed = Parsed({}, tomlkit.parse(NEW_FILE_HEADER), bom=False,
                        crlf=os.linesep == "\r\n")

    doc = parsed.doc
    if value == default:
        if name not in doc:  # nothing to write, and no file to create for a default
            return None
        del doc[name]
    elif name in doc:
        doc[name] = value  # in place, keeping the comment after it
    else:
        _add(doc, name, value)
    text = tomlkit.dumps(doc)
    if parsed.crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    _check_edit(parsed.data, text, name, value, default)
    return ("\ufeff" if parsed.bom else "") + text


def _add(doc: TOMLDocument, name: str, value: object) -> None:
    """Add a top-level key beside the user's other settings.

    tomlkit on its own puts it just above the first [table], below any comment the
    user wrote for that table; this keeps such comments with their tables.
    """
    from tomlkit.items import AoT, Table

    plain = [index for index, (key, item) in enumerate(doc.body)
             if key is not None and not isinstance(item, (Table, AoT))]
    has_table = any(isinstance(item, (Table, AoT)) for _, item in doc.body)
    try:
        if plain and plain[-1] + 1 < len(doc.body):  # after the user's last plain setting
            doc._insert_at(plain[-1] + 1, name, value)
            return
        if has_table:
            doc._insert_at(0, name, value)
            return
    except AttributeError:  # a tomlkit without this (private) helper: its own placement
        pass
    doc[name] = value


def _check_edit(before: dict[str, Any], text: str, name: str, value: object,
                default: object) -> None:
    """Refuse a write that would change anything but the one setting (a guard against
    the editing library placing a key inside a table)."""
    try:
        after = tomllib.loads(text.lstrip("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        raise EditRefused(f"the edited file would not be valid TOML ({error})") from None
    expected = dict(before)
    expected.pop(name, None)
    if value != default:
        expected[name] = value
    if not _equal(after, expected):
        raise EditRefused("editing the file would have changed more than that setting, "
                          "so it was left as it was")


def _equal(a: object, b: object) -> bool:
    """Equal as TOML values: tables in any order, and nan equal to nan (a file may hold one)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def write_atomically(path: Path, text: str) -> None:
    """Write text to path so that path holds either the old text or the new, whole.

    A symbolic link (a settings file kept with one's dotfiles) is written through; a new
    file stays private to the user, like the folder platformdirs makes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, text.encode("utf-8"), mode=None if path.exists() else 0o600)
