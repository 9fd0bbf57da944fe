"""File names for exported articles: made from titles, safe everywhere, and checked when read back."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

MAX_NAME_CHARS = 120
NAME_MAX_BYTES = 255  # the usual file system limit on a file name, in bytes (UTF-8)
TEMPORARY_EXTRA_BYTES = len("." + ".0123abcd.tmp")  # reader.files' temporary beside a file
# The title's part of a name, in UTF-8 bytes (a CJK character is 3): with " (2).md" and
# the temporary's extra bytes, well inside NAME_MAX_BYTES.
MAX_NAME_BYTES = 200
NAME_RESERVE_BYTES = TEMPORARY_EXTRA_BYTES + len(" (99999).md")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_file_name(title: str, taken: set[str], article_id: int | None = None,
                   max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name from a title, safe on Linux, macOS and Windows, unique among `taken`
    (casefolded names: macOS and Windows ignore case). A title too long for a file name
    (over MAX_NAME_CHARS characters or max_bytes bytes of UTF-8) is cut, at a word
    boundary where there is one, and marked with "…" and the article's id."""
    stem = _ILLEGAL.sub(" ", title.encode("utf-8", "replace").decode("utf-8"))
    stem = " ".join(stem.split()).strip(" .") or "Untitled"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    stem = _shorten(stem, article_id, max_bytes)
    name, number = f"{stem}.md", 2
    while name.casefold() in taken:
        name, number = f"{stem} ({number}).md", number + 1
    return name


def _shorten(stem: str, article_id: int | None, max_bytes: int) -> str:
    if len(stem) <= MAX_NAME_CHARS and len(stem.encode("utf-8")) <= max_bytes:
        return stem
    mark = "…" if article_id is None else f"… ({article_id})"
    room_chars = MAX_NAME_CHARS - len(mark)
    room_bytes = max_bytes - len(mark.encode("utf-8"))
    # At most room_bytes, in whole characters: a character cut in half is dropped.
    cut = stem[:room_chars].encode("utf-8")[:room_bytes].decode("utf-8", "ignore")
    space = cut.rfind(" ")
    if space >= len(cut) // 2:  # a word boundary that keeps most of it
        cut = cut[:space]
    return cut.rstrip(" .,;:-\u200d") + mark


def untrusted_file_name(folder: Path, name: str, name_max: int = NAME_MAX_BYTES,
                        regular_files: set[str] | None = None) -> str | None:
    """Why `name` is not a plain Markdown file name inside folder (as the exporter gives
    them), or None if it is one: no path (either separator, `..`, absolute), no character
    a file name must not have, ending in .md, short enough, not a link or a folder."""
    if os.path.isabs(name) or re.match(r"[A-Za-z]:|[/\\]", name):
        return "is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "leads out of the folder"
    if "/" in name or "\\" in name:
        return "is a path, not a file name"
    if _ILLEGAL.search(name) or name.startswith(".") or name.split(".")[0].upper() in _RESERVED:
        return "is not a file name the export gives"  # CON.md is a device on Windows
    if not name.endswith(".md"):
        return "does not end in .md"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not a valid file name"
    if size + TEMPORARY_EXTRA_BYTES > name_max:
        return "is too long"
    if regular_files is not None and name in regular_files:
        return None  # listed as a regular file a moment ago, not a link
    try:
        mode = (folder / name).lstat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be checked ({getattr(exc, 'strerror', None) or exc})"
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def name_max(folder: Path) -> int:
    """The longest file name the folder's file system takes, in bytes (at most 255)."""
    try:
        return max(64, min(NAME_MAX_BYTES, os.pathconf(folder, "PC_NAME_MAX")))
    except (AttributeError, ValueError, OSError):  # Windows has no pathconf
        return NAME_MAX_BYTES
