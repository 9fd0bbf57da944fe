"""What the format readers share: reading a file's text or rows, dates, colours, keys."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from reader.other_tools.model import FormatError

MAX_EXPORT_BYTES = 200 * 1024 * 1024  # an export of years of reading, not more
SNIFF_BYTES = 64 * 1024  # what detection reads of a file's start


def read_bytes(path: Path, limit: int = MAX_EXPORT_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit`; FormatError saying why not."""
    from reader.importing.sources import _file_kind

    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise FormatError("is a folder, not an export file")
        if not stat.S_ISREG(info.st_mode):
            raise FormatError(f"is not a regular file ({_file_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FormatError(f"is too large ({info.st_size / 1024 / 1024:.1f} MB; the limit "
                              f"is {limit // 1024 // 1024} MB)")
        with open(path, "rb") as stream:
            # As much as the file holds (plus one byte, to see it grew past the limit):
            # read(limit + 1) allocated the whole limit, 200 MB, for any file.
            data = stream.read(min(info.st_size, limit) + 1)
            if len(data) == info.st_size + 1 and len(data) <= limit:
                data += stream.read(limit + 1 - len(data))  # grew since it was measured
    except OSError as exc:
        raise FormatError(f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:
        raise FormatError(f"is too large (more than {limit // 1024 // 1024} MB)")
    if not data.strip():
        raise FormatError("is empty")
    return data


def clean_text(text: str) -> str:
    """Text without lone UTF-16 surrogates (JSON's "\\ud800" escapes), which no file or
    database can store: each becomes U+FFFD, as the article importer does."""
    from reader.importing.sources import _replace_surrogates

    return _replace_surrogates(text)


def read_json(path: Path) -> object:
    """A file's JSON; FormatError with the line and column where it stops being JSON."""
    import json

    text = decode_text(read_bytes(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"is not valid JSON ({exc.msg} at line {exc.lineno}, "
                          f"column {exc.colno})") from exc
    except RecursionError as exc:
        raise FormatError("is JSON nested too deeply to be an export") from exc


def json_type(value: object) -> str:
    """What a JSON value is, for people."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def json_text(value: object, limit: int | None = None) -> str:
    """A JSON value as text: strings (lone surrogates replaced) and numbers; "" else."""
    if isinstance(value, str):
        text = clean_text(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
    else:
        return ""
    return text[:limit] if limit else text


def short(title: str) -> str:
    """A title shortened for a message."""
    return title if len(title) <= 60 else title[:57] + "..."


def sniff(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first bytes of a file, for detection; b"" when it cannot be read."""
    try:
        with open(path, "rb") as stream:
            return stream.read(size)
    except OSError:
        return b""


def decode_text(data: bytes) -> str:
    """Text of an export: UTF-8 (with or without a byte-order mark) or UTF-16 with one;
    Windows and old Mac line ends become "\\n". FormatError for anything else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FormatError(f"is not valid UTF-16 text (at byte {exc.start})") from exc
    else:
        if b"\x00" in data[:4096]:
            raise FormatError("is a binary file, not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise FormatError(f"is not valid UTF-8 text (byte 0x{data[exc.start]:02x} on "
                              f"line {line})") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_text(head: bytes) -> str:
    """The start of a file as text for detection, whatever its encoding; "" if binary."""
    try:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return head[: len(head) // 2 * 2].decode("utf-16", "replace")
        if b"\x00" in head[:4096]:
            return ""
        return head.decode("utf-8-sig", "replace")
    except UnicodeDecodeError:
        return ""


def csv_header(text: str) -> list[str]:
    """The column names of a CSV text's first row, stripped of spaces and a BOM."""
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    return [name.strip().lstrip("\ufeff") for name in first]


def csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a CSV text; the row's keys are the header's
    names in lower case, its values stripped. Quoted values may hold line breaks: the line
    number is the one the row starts on. Missing trailing cells read as ""."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            row = {name: (cells[i].strip() if i < len(cells) else "")
                   for i, name in enumerate(header)}
            yield line, row
        line = reader.line_num + 1


def require_columns(header: Iterable[str], needed: Iterable[str], what: str) -> None:
    """FormatError naming the columns a CSV lacks to be read as `what`."""
    have = {name.strip().lower() for name in header}
    missing = [name for name in needed if name.lower() not in have]
    if missing:
        raise FormatError(f"is missing the column{'s' * (len(missing) > 1)} "
                          f"{', '.join(missing)} that a {what} has")


def utc_iso(moment: datetime) -> str:
    """A moment as stored: ISO 8601 in UTC to the second (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_timestamp(value: str | float | int) -> str | None:
    """A Unix time (seconds, or milliseconds when it is that large) as UTC ISO; None if
    it is not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        return utc_iso(datetime.fromtimestamp(number, timezone.utc))
    except (OverflowError, OSError, ValueError):
        return None


def parse_moment(text: str, dayfirst: bool = False) -> str | None:
    """A date and time written in any common form as UTC ISO, else None. ISO 8601 first;
    then dateutil (English month names)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return utc_iso(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    from dateutil import parser as date_parser

    try:
        return utc_iso(date_parser.parse(text, dayfirst=dayfirst))
    except (ValueError, OverflowError):
        return None


# The colours other tools use, as Marginalia's five.
_COLOURS = {
    "yellow": "yellow", "green": "green", "blue": "blue", "pink": "pink", "red": "pink",
    "purple": "purple", "orange": "yellow", "violet": "purple", "magenta": "pink",
    "lighten": "yellow", "gray": "blue", "grey": "blue", "cyan": "blue", "olive": "green",
}


def colour(name: str | None) -> str | None:
    """Marginalia's colour for another tool's colour name (None when it names none)."""
    if not name:
        return None
    return _COLOURS.get(name.strip().lower())


def digest(*parts: object) -> str:
    """A stable key from what identifies an entry, for tools that give it no id."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def split_tags(text: str, separators: str = ",") -> tuple[str, ...]:
    """Tag names from a list written in one cell ("a, b" or "a|b"), without '#', no repeats."""
    names: list[str] = []
    for part in re.split(f"[{re.escape(separators)}]", text or ""):
        name = part.strip().lstrip("#").strip()
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return tuple(names)
