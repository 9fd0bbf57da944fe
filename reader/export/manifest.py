"""The export folder's manifest: which file each article went to, and what was written there.

`.marginalia-export.json` in the folder maps each article's id to an entry:

    file         the file's name in the folder
    exported     when the file was last written (its front matter's `exported`)
    fingerprint  a digest of everything the file was rendered from (reader.export.changes)
    change       the article's change stamp when that digest was taken: an article whose
                 stamp is still this one is not digested again (reader.export.changes)
    sha, size, mtime_ns   the file as written: a file still of that size and time is
                 taken as untouched without being read; one that is not is read and
                 compared with `sha`
    regions      each region's digest as exported (reader.export.regions)
    front, tags  each front matter value's digest, and the tags, as exported
    pending      the same, for a file being written: saved before the file, so that an
                 export killed part-way knows afterwards which version the file holds

Beside the entries, `context` is a digest of everything else the files were rendered
with (template, options, colour names, the version of the output): the entries' `change`
stamps hold only under it, and an export with another context drops them all.

The manifest is a file in a folder the user may share, so it is checked, not trusted:
a name is used only if it is a plain `.md` file name inside the folder, and a field of
the wrong type is dropped (the file is then read and compared, as after an old export).
"""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

from reader.export.names import NAME_MAX_BYTES, untrusted_file_name
from reader.files import write_file

MANIFEST = ".marginalia-export.json"
FORMAT = 2

_STATE_TYPES: dict[str, type] = {"fingerprint": str, "change": int, "sha": str, "size": int,
                                 "mtime_ns": int,
                                 "regions": dict, "front": dict, "tags": list, "exported": str}


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def read(folder: Path, warnings: list[str]) -> dict:
    """The folder's manifest, or an empty one when it is missing or unreadable."""
    path = folder / MANIFEST
    empty = {"format": FORMAT, "articles": {}}
    try:
        if stat.S_ISLNK(path.lstat().st_mode):
            # It could lead anywhere: not read, and replaced by a file of this export's own.
            warnings.append(f"{path} is a symbolic link: ignored, and replaced by a file.")
            return empty
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("articles"), dict):
            data["format"] = FORMAT
            return data
    except (OSError, ValueError):
        pass
    return empty


def write(folder: Path, manifest: dict) -> None:
    """Save the manifest atomically; a link in its place is replaced, never written through.
    Raises OSError."""
    # No indentation: with it, json writes in Python, several times slower than its C
    # encoder, and the manifest holds a few digests for every file.
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    write_file(folder / MANIFEST, text.encode("utf-8", "surrogatepass"), follow_symlinks=False)


def drop_untrusted_entries(folder: Path, names: dict, warnings: list[str],
                           name_max: int = NAME_MAX_BYTES,
                           regular_files: set[str] | None = None) -> None:
    """Remove from the manifest's entries every one that is not a file name the exporter
    could have given: the manifest is a file in the folder, which anyone who shares the
    folder can edit, and its names must never lead outside it. Each one dropped is a
    warning naming it; its article gets a fresh name like a new one. Fields of the wrong
    type are dropped quietly. `regular_files`: the names the folder's listing found to be
    regular files (not links), which need no second look."""
    seen: dict[str, str] = {}
    for key in sorted(names, key=lambda k: (len(k), k)):
        entry = names[key]
        name = entry.get("file") if isinstance(entry, dict) else None
        if not (key.isdecimal() and isinstance(entry, dict) and isinstance(name, str)
                and isinstance(entry.get("exported"), str)):
            problem = "is not an entry this program writes"
        else:
            problem = untrusted_file_name(folder, name, name_max, regular_files)
            if problem is None and name.casefold() in seen:
                problem = f"is already the file of article {seen[name.casefold()]}"
        if problem is None:
            seen[name.casefold()] = key
            _clean(entry)
            continue
        del names[key]
        shown = repr(name) if isinstance(name, str) else repr(entry)
        shown = shown if len(shown) <= 300 else shown[:299] + "…"
        warnings.append(f"{folder / MANIFEST}: the entry for article {key}, {shown}, {problem}: "
                        "ignored; the article gets a new file name.")


def _clean(entry: dict, pending: bool = False) -> None:
    for field, kind in _STATE_TYPES.items():
        value = entry.get(field)
        if field in entry and not (isinstance(value, kind) and not isinstance(value, bool)
                                   and _well_formed(field, value)):
            del entry[field]
    if pending:
        return
    if "pending" in entry:
        if isinstance(entry["pending"], dict):
            _clean(entry["pending"], pending=True)
        else:
            del entry["pending"]
    for field in set(entry) - set(_STATE_TYPES) - {"file", "pending"}:
        del entry[field]


def _well_formed(field: str, value: Any) -> bool:
    if field in ("regions", "front"):  # JSON's keys are strings
        return all(type(v) is str for v in value.values())
    if field == "tags":
        return all(type(t) is str for t in value)
    return True


def settle_pending(folder: Path, names: dict) -> None:
    """After an export killed between saving the manifest and renaming its files into
    place: each file being written either holds the new version (its pending state
    becomes the entry's) or still the old one (the pending state is dropped)."""
    for entry in names.values():
        pending = entry.pop("pending", None)
        if not pending:
            continue
        try:
            data = (folder / entry["file"]).read_bytes()
        except OSError:
            continue
        if file_digest(data) == pending.get("sha"):
            entry.update(pending)
            entry.pop("mtime_ns", None)  # the next export reads the file once to confirm it


def state(entry: dict) -> dict:
    """The entry's record of the file as last written (empty for an old export's)."""
    return {field: entry[field] for field in _STATE_TYPES if field in entry}
