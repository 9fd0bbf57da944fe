"""An exported file's YAML front matter: Marginalia's keys kept up to date, the user's as written.

The rules, for a file the user changed (a fresh file simply gets the export's front matter):

* A key the user added is theirs: kept, with its comments and layout.
* A key Marginalia writes (title, tags, url, ...) is rewritten only when Marginalia's
  value changed since the last export; until then the user's edit of it (or their
  deleting it) stands. The manifest keeps a digest of each value as exported.
* `tags`: when Marginalia's tags change, the new ones are written followed by the tags
  the user added in the file (those Marginalia never exported); a tag removed in
  Marginalia goes.

Keys are replaced line by line (a top-level key with its indented or `- ` lines), so
the rest of the front matter stays byte for byte as the user left it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: four times faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dump(values: dict[str, Any]) -> str:
    """YAML for the keys, in order, one per line where the value allows."""
    return yaml.dump(values, Dumper=_DUMPER, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=10_000)


def load(front: str) -> dict[str, Any] | None:
    """The front matter's keys, or None when it is not a YAML mapping."""
    try:
        data = yaml.load(front, Loader=_LOADER)
    except yaml.YAMLError:
        return None
    if data is None:
        return {}
    return data if isinstance(data, dict) else None


def value_digest(value: Any) -> str:
    # repr: the values are YAML's (strings, numbers, lists, mappings, None); repr is a
    # few times faster than json.dumps for such small values.
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()[:12]


def digests(values: dict[str, Any]) -> dict[str, str]:
    return {str(key): value_digest(value) for key, value in values.items()}


def tag_list(value: Any) -> list[str]:
    """Tags as a front matter holds them: a list, or one string of them."""
    if isinstance(value, list):
        return [str(t) for t in value if t is not None]
    if isinstance(value, str):
        return [t for t in value.replace(",", " ").split() if t]
    return []


def merge(old: str | None, new: dict[str, Any], written: dict[str, str],
          written_tags: list[str]) -> tuple[str | None, list[str]]:
    """The front matter for a file whose current one is `old` (None: it has none), the
    export's being `new`; and what the user should know. `written` and `written_tags` are
    the digests and tags of the last export (empty for a file never exported)."""
    changed = {key: value for key, value in new.items()
               if value_digest(value) != written.get(str(key))}
    if "tags" in changed:
        file_tags = tag_list((load(old) or {}).get("tags")) if old is not None else []
        ours = tag_list(new["tags"])
        changed["tags"] = ours + [t for t in file_tags if t not in written_tags and t not in ours]
    if old is None:
        return (dump(changed) if changed else None), []
    current = load(old)
    if current is None:
        return old, ["its front matter is not YAML Marginalia can read: left as it is"]
    if not changed:
        return old, []
    blocks = _blocks(old)
    index = {key: n for n, (key, _text) in enumerate(blocks) if key is not None}
    for key, value in changed.items():
        text = dump({key: value})
        if key in index:
            blocks[index[key]] = (key, text)
            continue
        ours = [index[k] for k in new if k in index]
        spot = (max(ours) + 1) if ours else len(blocks)
        if spot == len(blocks) and blocks and not blocks[-1][1].endswith("\n"):
            blocks[-1] = (blocks[-1][0], blocks[-1][1] + "\n")
        blocks.insert(spot, (key, text))
        index = {k: n for n, (k, _t) in enumerate(blocks) if k is not None}
    merged = "".join(text for _key, text in blocks)
    check = load(merged)
    if check is None or any(check.get(key) != value for key, value in changed.items()):
        # A layout the line-by-line replacement cannot follow: the same keys and values,
        # written out afresh (the user's comments in it are lost, their keys are not).
        return dump({**current, **changed}), []
    return merged, []


def _blocks(front: str) -> list[tuple[Any, str]]:
    """The front matter as (key, text) blocks: a top-level key's line with the indented
    or `- ` lines after it; comments and anything unreadable are blocks of key None."""
    lines = front.splitlines(keepends=True)
    groups: list[list[str]] = []
    for n, line in enumerate(lines):
        continues = line[:1] in (" ", "\t", "-") or (
            not line.strip() and any(later[:1] in (" ", "\t", "-") for later in
                                     _next_non_blank(lines, n)))
        if groups and continues and not groups[-1][0].startswith("#"):
            groups[-1].append(line)
        else:
            groups.append([line])
    blocks = []
    for group in groups:
        text = "".join(group)
        key = None
        if not group[0].startswith("#") and group[0].strip():
            data = load(text)
            if data is not None and len(data) == 1:
                key = next(iter(data))
        blocks.append((key, text))
    return blocks


def _next_non_blank(lines: list[str], n: int) -> list[str]:
    for later in lines[n + 1:]:
        if later.strip():
            return [later]
    return []
