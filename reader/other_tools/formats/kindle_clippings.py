"""Kindle's ``My Clippings.txt``: every highlight, note and bookmark made on a Kindle.

The device appends one entry per action, never rewriting older ones::

    \\ufeffThe Title (Lastname, Firstname)
    - Your Highlight on page 12 | Location 170-172 | Added on Monday, 7 August 2023 09:30:15

    the highlighted text, on one or more lines
    ==========

The title line ends with the author(s) in parentheses (several joined by ';', each
often "Lastname, Firstname"; the author may itself hold parentheses) and starts with a
byte-order mark on every entry. The second line is written in the device's language.
The shapes followed here come from files quoted in other readers' tests:

- KOReader, ``plugins/exporter.koplugin/clip.lua`` (English and Chinese keywords,
  上午/下午 for AM/PM);
- Axel Walthelm's MyClippings parser for calibre (``myclippings.py``, with its tests):
  old firmware ("- Highlight Loc. 143-46 | Added on Friday, 6 July 12 07:37:42
  GMT+01:00", an abbreviated end location and a two-digit year), German ("Ihre
  Markierung Position 14-14 | Hinzugefügt am Freitag, 26. April 2013 um 00:49:32
  Uhr"), French ("Votre note Emplacement 1046 | Ajouté le samedi 11 août 2012 à
  22:27:39"), Spanish ("Mi marcador en la página 222 | Posición 3393 | Añadido el
  lunes 17 de junio de 2013, 20:13:27"), Italian, Portuguese, Japanese and the old
  Chinese "我的标注 第222页 | 位置3397-3397 | 已添加至 2013年6月17日 星期一 22:27:30";
  and that a note's text may itself hold a line of "==========";
- DarylSerrano/KindleClippings (``ParsedBlock.test.ts``) and other parsers' fixtures
  for current firmware: "Ihre Markierung bei Position 170-172", "Ihr Lesezeichen auf
  Seite 307 | Position 3793", "Votre surlignement sur la page 200 | emplacement
  3054-3056 | Ajouté le mercredi 16 août 2017 02:14:10", "La subrayado en la página
  197 | posición 2031-2035 | Añadido el sábado, 12 de octubre de 2019 0:37:31" (sic),
  "Tu marcador en la posición 1060", "La nota en la página 132 | posición 1665",
  "您在位置 #170-172的标注 | 添加于 2023年8月7日星期一 上午9:30:15", "您在第 2 页（位置
  #37-#38）的标注", "您在第 57 页的笔记", "您在位置 #1680 的书签", "- 26ページ|位置No.
  295-296のハイライト |作成日: 2023年9月4日月曜日 22:53:55", "La tua evidenziazione alla
  posizione 453-454 | Aggiunto in data lunedì 8 marzo 2021 22:52:57", "Seu destaque
  na página 69 | posição 1010-1011 | Adicionado: sábado, 23 de maio de 2020 10:00:47".

Kindle writes a new entry each time a highlight is extended or a note edited, so such
repeats are merged here (see `_merge_highlights`). Times carry no zone: they are the
device's wall clock and are kept as written (stored as if UTC, like every naive time).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from reader.other_tools.common import decode_text, digest, read_bytes, sniff_text, utc_iso
from reader.other_tools.model import Export, FormatError, Highlight, Item, Problem

NAME = "kindle"
SOURCE = "Kindle"
DESCRIPTION = "My Clippings.txt"

SEPARATOR = "=========="
LANGUAGES = "English, German, French, Spanish, Italian, Portuguese, Chinese, Japanese"

# What a clipping is, in every language Kindle writes it in (matched on the metadata
# line without its date). Latin words whole; Chinese and Japanese anywhere.
_KINDS = (
    ("bookmark", re.compile(r"\b(?:bookmark|lesezeichen|signet|marcador|segnalibro)\b"
                            r"|书签|書籤|ブックマーク", re.I)),
    ("note", re.compile(r"\b(?:note|notiz|nota|notes)\b|笔记|筆記|メモ", re.I)),
    ("highlight", re.compile(r"\b(?:highlight|clip|markierung|surlignement|surlignage|subrayado"
                             r"|resaltado|evidenziazione|destaque)\b|标注|標註|標記|ハイライト",
                             re.I)),
)
_NUMBER = r"\d[\d,.]*"
_LOCATION = re.compile(
    r"(?:location|loc\.?|position|pos\.|emplacement|posici[oó]n|ubicaci[oó]n|posizione"
    r"|posi[çc][ãa]o|locatie|位置(?:\s*no\.?)?)\s*#?\s*(" + _NUMBER + r")"
    r"(?:\s*-\s*#?\s*(" + _NUMBER + r"))?", re.I)
_PAGE_TOKEN = r"(?:\d+|[ivxlcdm]+)"
_PAGES = (
    re.compile(r"(?:page|seite|p[áa]gina|pag\.)\s*(" + _PAGE_TOKEN + r"(?:\s*-\s*"
               + _PAGE_TOKEN + r")?)(?![\w])", re.I),
    re.compile(r"第\s*(\d+(?:\s*-\s*\d+)?)\s*页"),
    re.compile(r"(\d+(?:\s*-\s*\d+)?)\s*ページ"),
    re.compile(r"ページ\s*(" + _PAGE_TOKEN + r")", re.I),
)
_ANY_NUMBERS = re.compile(r"#?(\d+)(?:\s*-\s*#?(\d+))?")
# The device's message in place of the text once a publisher's limit is reached.
_CLIPPING_LIMIT = re.compile(r"<?\s*You have reached the clipping limit for this item\s*>?"
                             r"|您已达到本内容的剪贴上限", re.I)


# ---------------------------------------------------------------- shared with the notebook


def book_key(title: str, author: str) -> str:
    """The key of a Kindle book: the same for a book read from My Clippings.txt or from the
    app's notebook export, whatever the spacing or case of its title and author."""
    return digest("kindle-book", _fold(title), _fold(author))


def highlight_key(book: str, kind: str, start: int | None, page: str, text: str) -> str:
    """The key of a highlight, note or bookmark: its book, kind, where it starts and the
    text it was first made with."""
    anchor = f"L{start}" if start is not None else (f"P{page}" if page else "")
    return digest(book, kind, anchor, " ".join(text.split()))


def split_title(line: str) -> tuple[str, str]:
    """(title, author) from "Title (Author)": the author is the last parenthesised group,
    which may hold parentheses itself ("Inconnu(e)", "(美)米切尔"). A line that is all one
    group, or whose last group names an edition, is all title."""
    line = _clean_line(line)
    if not line.endswith(")"):
        return line, ""
    depth = 0
    for i in range(len(line) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(line[i], 0)
        if depth == 0:
            break
    else:
        return line, ""
    title, author = line[:i].strip(), line[i + 1:-1].strip()
    if not title or not author or re.search(r"\b(?:edition|ausgabe|édition|edición)\b",
                                            author, re.I):
        return line, ""
    return title, author


def tidy_author(raw: str) -> str:
    """Authors for people: "Lastname, Firstname" turned round, several joined by ", "."""
    names = []
    for name in re.split(r"\s*;\s*", raw or ""):
        name = " ".join(name.split())
        if not name:
            continue
        turned = re.fullmatch(r"([^\s,]+),\s*([^,]+)", name)
        names.append(f"{turned[2]} {turned[1]}" if turned else name)
    return ", ".join(names)


def parse_number(text: str) -> int | None:
    """A location number as Kindle writes it: "1234", "1,234" or "1.234"."""
    text = text.rstrip(".,")
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        return int(re.sub(r"[.,]", "", text))
    digits = re.match(r"\d+", text)
    return int(digits[0]) if digits else None


def find_location(text: str) -> tuple[int | None, int | None]:
    """(start, end) of the location range a text names ("Location 170-172", "Loc. 143-46",
    "位置 #37-#38"); an abbreviated end ("143-46") is read as 146."""
    match = _LOCATION.search(text)
    if not match:
        return None, None
    start = parse_number(match[1])
    end = parse_number(match[2]) if match[2] else None
    return _range(start, end, match[2])


def find_page(text: str) -> str:
    """The page a text names, as written ("12", "ix", "14-14"), or ""."""
    for pattern in _PAGES:
        match = pattern.search(text)
        if match:
            return re.sub(r"\s+", "", match[1])
    return ""


def page_order(page: str) -> float | None:
    """A sort number for a page: its number; roman front matter before page 1."""
    first = page.split("-")[0]
    if first.isdigit():
        return float(first)
    value = _roman(first)
    return value - 1000.0 if value else None


def location_label(start: int | None, end: int | None, page: str) -> str:
    """Where a highlight is, for people: "Page 12 · Location 170-172", "Page ix"."""
    parts = []
    if page:
        parts.append(f"Page {page}")
    if start is not None:
        parts.append(f"Location {start}" + (f"-{end}" if end and end != start else ""))
    return " · ".join(parts)


def kind_of(text: str) -> str | None:
    """"highlight", "note" or "bookmark" from words in any language Kindle writes."""
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return None


def decode(data: bytes) -> tuple[str, Problem | None]:
    """The text of a Kindle file. A file with a few bytes that are not UTF-8 (a device
    that died mid-write) is still read, with those bytes replaced and a Problem saying
    where; a binary file or bad UTF-16 is a FormatError."""
    try:
        return decode_text(data), None
    except FormatError:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
            raise
    text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n").replace("\r", "\n")
    line = text[:text.index("\ufffd")].count("\n") + 1
    return text, Problem(f"line {line}", "has bytes that are not UTF-8 text; they are read "
                                         "as '\ufffd'")


def _fold(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _clean_line(line: str) -> str:
    return re.sub(r"[\ufeff\u200b\u200c\u200d\u2060]", "", line).strip()


def _range(start: int | None, end: int | None, end_text: str | None) -> tuple[int | None,
                                                                               int | None]:
    if start is None:
        return None, None
    if end is None:
        return start, start
    if end < start and end_text:
        digits = str(start)
        written = re.sub(r"\D", "", end_text)
        if len(written) < len(digits):
            end = int(digits[:len(digits) - len(written)] + written)
    return start, max(start, end)


def _roman(text: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    text = text.lower()
    if not text or any(ch not in values for ch in text):
        return 0
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


# ---------------------------------------------------------------- dates in many languages

_MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6,
    "juli": 7, "oktober": 10, "dezember": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
    # Italian
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6,
    "julho": 7, "setembro": 9, "outubro": 10, "dezembro": 12,
}
_TIME = re.compile(r"(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?(?:[.,]\d+)?")
_AFTER_NOON = re.compile(r"^\s*([ap])\.?\s?m\b\.?", re.I)
_BEFORE_NOON = {"上午": "a", "午前": "a", "凌晨": "a", "早上": "a", "오전": "a",
                "下午": "p", "午後": "p", "晚上": "p", "中午": "p", "오후": "p"}
_EAST_ASIAN_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ZONE = re.compile(r"(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}\b", re.I)


def parse_added(text: str) -> str | None:
    """When a clipping was added, from its metadata in any of the languages read here
    ("Monday, August 7, 2023 9:30:15 AM", "Montag, 7. August 2023 09:30:15", "lundi 7
    août 2023 09:30:15", "2023年8月7日星期一 下午9:30:15", "Friday, 6 July 12 07:37:42"),
    as UTC ISO; None when it cannot be read."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _ZONE.sub(" ", text)
    hour = minute = second = 0
    time = _TIME.search(text)
    if time:
        hour, minute, second = int(time[1]), int(time[2]), int(time[3] or 0)
        half = _AFTER_NOON.match(text[time.end():])
        marker = half[1].lower() if half else None
        for word, value in _BEFORE_NOON.items():
            if text[:time.start()].rstrip().endswith(word):
                marker = value
        if marker == "p" and hour < 12:
            hour += 12
        elif marker == "a" and hour == 12:
            hour = 0
        text = text[:time.start()] + " " + text[time.end():]
    date = _EAST_ASIAN_DATE.search(text) or _ISO_DATE.search(text)
    if date:
        year, month, day = int(date[1]), int(date[2]), int(date[3])
    else:
        found = _named_date(text)
        if not found:
            return None
        year, month, day = found
    try:
        return utc_iso(datetime(year, month, day, hour, minute, second))
    except ValueError:
        return None


def _named_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from a date with a month name and two numbers, the year being
    the one above 31 or else the last (two digits meaning 20xx)."""
    month = next((_MONTHS[word] for word in re.findall(r"[^\W\d_]+", text.casefold())
                  if word in _MONTHS), None)
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if month is None or len(numbers) != 2:
        return None
    if numbers[0] > 31:
        year, day = numbers
    else:
        day, year = numbers
    if year < 100:
        year += 2000
    return year, month, day


# ---------------------------------------------------------------- detection


def detect(path: Path, head: bytes) -> bool:
    """A file whose first entry has the shape of a clipping: a title line, then "- ..."
    naming a place and a time after a '|', then a blank line, ended by "=========="."""
    try:
        text = sniff_text(head).replace("\r\n", "\n").replace("\r", "\n")
        if f"\n{SEPARATOR}" not in text:
            return False
        for _line, lines, closed in _blocks(text):
            content = _trim(lines)
            if not content:
                continue
            return closed and _looks_like_entry(content)
        return False
    except Exception:  # detection must never fail
        return False


def _looks_like_entry(lines: list[str]) -> bool:
    """A title, then "- <what> <where> | <date and time>", then a blank line."""
    title = _clean_line(lines[0])
    if not title or title.startswith("- ") or len(lines) < 2:
        return False
    meta = unicodedata.normalize("NFKC", lines[1]).strip()
    what, bar, added = meta.rpartition("|")
    if not bar or not re.match(r"-\s*\S", what) or not re.search(r"\d", what):
        return False
    time = re.search(r"\d{1,2}\s*:\s*\d{2}", added)
    if not time or not re.search(r"\d", added[:time.start()] + added[time.end():]):
        return False
    return len(lines) == 2 or not lines[2].strip()


# ---------------------------------------------------------------- reading


@dataclass
class _Entry:
    """One clipping as written."""

    index: int  # its place in the file
    book: str
    kind: str
    text: str
    start: int | None
    end: int | None
    page: str
    created_at: str | None


@dataclass(eq=False)  # compared as the one object it is
class _Group:
    """Entries that are one highlight (the first one made, then its re-highlightings)."""

    first: _Entry
    kept: _Entry
    start: int | None
    end: int | None
    folded: str  # the kept text, folded for comparing
    notes: dict[object, tuple[int, str]] = field(default_factory=dict)  # place → (index, text)


@dataclass
class _Book:
    key: str
    title: str
    author: str
    entries: list[_Entry] = field(default_factory=list)


def read(path: Path) -> Export:
    """Every book of a My Clippings.txt with its highlights, notes and bookmarks."""
    text, problem = decode(read_bytes(path))
    export = Export(format=NAME, source=SOURCE)
    if problem:
        export.problems.append(problem)
    books: dict[str, _Book] = {}
    last: _Entry | None = None
    index = 0
    for first_line, lines, closed in _blocks(text):
        content = _trim(lines)
        if not content:
            continue
        line = first_line + next(i for i, raw in enumerate(lines) if _clean_line(raw))
        looks_like = len(content) >= 2 and re.match(r"\s*-", content[1]) and "|" in content[1]
        if not looks_like:
            if last is not None and last.kind == "note":
                # A note may hold a line of "=========="; its text goes on here.
                last.text = "\n".join([last.text, SEPARATOR, *content]).strip()
            elif not closed:
                export.problems.append(Problem(f"line {line}", "the file ends in the middle "
                                                               "of a clipping"))
            else:
                export.problems.append(Problem(f"line {line}", _not_a_clipping(content)))
            continue
        index += 1
        last = _entry(content, line, index, books, export.problems)
        if last is not None:
            books[last.book].entries.append(last)
    for book in books.values():
        if book.entries:
            export.items.append(_item(book))
    if not export.items:
        raise FormatError(_nothing_read(export.problems))
    return export


def _blocks(text: str):
    """(number of the block's first line, its lines, whether a separator closed it)."""
    lines: list[str] = []
    start = 1
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.strip() == SEPARATOR:
            yield start, lines, True
            lines, start = [], number + 1
        else:
            lines.append(raw)
    if any(raw.strip() for raw in lines):
        yield start, lines, False


def _trim(lines: list[str]) -> list[str]:
    """A block's lines without the blank ones around it."""
    first = next((i for i, raw in enumerate(lines) if _clean_line(raw)), None)
    if first is None:
        return []
    last = max(i for i, raw in enumerate(lines) if _clean_line(raw))
    return lines[first:last + 1]


def _not_a_clipping(lines: list[str]) -> str:
    shown = _clean_line(lines[0])[:60]
    return (f"is not a Kindle clipping ('{shown}'): a clipping is a title line, then a "
            "line like '- Your Highlight on page 12 | Location 170-172 | Added on ...'")


def _entry(lines: list[str], line: int, index: int, books: dict[str, _Book],
           problems: list[Problem]) -> _Entry | None:
    """One clipping read from its lines, or None with a Problem saying why not."""
    meta = unicodedata.normalize("NFKC", lines[1]).strip().lstrip("-–— ").strip()
    segments = [segment.strip() for segment in meta.split("|")]
    added = segments.pop() if len(segments) > 1 else ""
    what = " | ".join(segments)
    kind = kind_of(what)
    if kind is None:
        problems.append(Problem(f"line {line + 1}", f"the kind of clipping ('{what[:60]}') "
                                f"is not in a language Marginalia reads: {LANGUAGES}"))
        return None
    title, author = split_title(lines[0])
    if not title:
        problems.append(Problem(f"line {line}", "the clipping names no book"))
        return None
    author = tidy_author(author)
    key = book_key(title, author)
    books.setdefault(key, _Book(key, title, author))
    start, end = find_location(what)
    page = find_page(what)
    if start is None and not page:
        numbers = _ANY_NUMBERS.findall(what)
        if len(numbers) == 1:
            start, end = _range(int(numbers[0][0]), int(numbers[0][1] or numbers[0][0]),
                                numbers[0][1])
    body = "\n".join(lines[2:]).strip()
    if kind == "highlight":
        body = _CLIPPING_LIMIT.sub("", body).strip()
        if not body:
            problems.append(Problem(f"line {line}", "the highlight has no text (Kindle "
                                    "keeps none for pictures, nor past a publisher's "
                                    "clipping limit)"))
            return None
    elif kind == "note" and not body:
        return None
    return _Entry(index, key, kind, body if kind != "bookmark" else "", start,
                  end, page, parse_added(added))


def _nothing_read(problems: list[Problem]) -> str:
    if not problems:
        return ("holds no clippings: a My Clippings.txt file has entries ended by lines of "
                f"'{SEPARATOR}'")
    first = problems[0]
    return (f"holds no clipping Marginalia can read ({len(problems)} problem"
            f"{'s' * (len(problems) > 1)}; the first: {first})")


def _item(book: _Book) -> Item:
    """A book with its merged highlights, its notes (on their highlights, or alone) and
    its bookmarks, in reading order."""
    highlights = [entry for entry in book.entries if entry.kind == "highlight"]
    groups, places = _merge_highlights(highlights)
    lone_notes: dict[object, list[_Entry]] = {}
    for note in (entry for entry in book.entries if entry.kind == "note"):
        group = _note_target(places, note)
        place = note.start if note.start is not None else note.page
        if group is not None:
            group.notes[place] = (note.index, note.text)  # an edited note replaces the old
        else:
            lone_notes.setdefault(place, []).append(note)
    bookmarks: dict[object, list[_Entry]] = {}
    for mark in (entry for entry in book.entries if entry.kind == "bookmark"):
        bookmarks.setdefault(mark.start if mark.start is not None else mark.page, []).append(
            mark)
    made = [_from_group(book.key, group) for group in groups]
    made += [_alone(book.key, entries, "note") for entries in lone_notes.values()]
    made += [_alone(book.key, entries, "bookmark") for entries in bookmarks.values()]
    made.sort(key=lambda pair: (pair[1].order is None, pair[1].order or 0, pair[0]))
    return Item(key=book.key, title=book.title, author=book.author, book=True,
                highlights=_unique([highlight for _index, highlight in made]))


def _merge_highlights(entries: list[_Entry]) -> tuple[list[_Group], _Places]:
    """Highlights with their re-highlightings folded in. A later highlight is the same as
    an earlier one when its text is the same (and it lies at the same place, or is long
    enough to be the same passage), or when its range meets the earlier one's and one
    text holds the other. The longer text is kept (the later on a tie); the key stays
    that of the first, so that re-reading a longer My Clippings.txt keeps it."""
    groups: list[_Group] = []
    places = _Places()
    by_text: dict[str, list[_Group]] = {}
    for entry in entries:
        folded = _fold(entry.text)
        candidates = places.near(entry.start, entry.end, entry.page) + by_text.get(folded, [])
        group = max((g for g in candidates if _same_passage(g, entry, folded)),
                    key=lambda g: g.first.index, default=None)
        if group is None:
            group = _Group(entry, entry, entry.start, entry.end, folded)
            groups.append(group)
        else:
            if len(folded) >= len(group.folded):
                group.kept, group.folded = entry, folded
            if entry.start is not None:
                group.start = entry.start if group.start is None else min(group.start,
                                                                          entry.start)
                group.end = max(group.end or group.start, entry.end or entry.start)
        places.add(group)
        same_text = by_text.setdefault(folded, [])
        if group not in same_text:
            same_text.append(group)
    return groups, places


class _Places:
    """Highlight groups by where they lie, so that finding the ones near a place does not
    mean looking at every highlight of a long book."""

    SPAN = 16  # locations per bucket
    MOST = 64  # buckets a range is filed under at most (a range of ~1000 locations)

    def __init__(self) -> None:
        self.buckets: dict[object, list[_Group]] = {}
        self.nowhere: list[_Group] = []

    def _keys(self, start: int | None, end: int | None, page: str) -> list[object]:
        if start is not None:
            first = (start - 1) // self.SPAN
            last = min((max(end or start, start) + 1) // self.SPAN, first + self.MOST)
            return [("L", n) for n in range(first, last + 1)]
        if page:
            low, _dash, high = page.partition("-")
            if low.isdigit() and (high or low).isdigit():
                top = min(int(high or low), int(low) + self.MOST)
                return [("P", str(n)) for n in range(int(low), top + 1)]
            return [("P", page)]
        return []

    def add(self, group: _Group) -> None:
        keys = self._keys(group.start, group.end, group.kept.page if group.start is None
                          else "")
        if not keys and group not in self.nowhere:
            self.nowhere.append(group)
        for key in keys:
            filed = self.buckets.setdefault(key, [])
            if group not in filed:
                filed.append(group)

    def near(self, start: int | None, end: int | None, page: str) -> list[_Group]:
        keys = self._keys(start, end, page if start is None else "")
        if not keys:
            return list(self.nowhere)
        found: dict[int, _Group] = {}
        for key in keys:
            for group in self.buckets.get(key, ()):
                found[id(group)] = group
        return list(found.values())


def _same_passage(group: _Group, entry: _Entry, folded: str) -> bool:
    meets = _meets(group, entry)
    if group.folded == folded:
        return meets is not False or len(folded) >= 30
    return bool(meets) and (group.folded in folded or folded in group.folded)


def _meets(group: _Group, entry: _Entry) -> bool | None:
    """Whether a highlight's range meets a group's; None when neither has a place."""
    if entry.start is not None and group.start is not None:
        return entry.start <= (group.end or group.start) + 1 and group.start <= (
            entry.end or entry.start) + 1
    if entry.page and group.kept.page:
        return _same_pages(entry.page, group.kept.page)
    return None


def _same_pages(one: str, other: str) -> bool:
    """Whether two pages or page ranges ("14", "14-15", "ix") share a page."""
    def span(page: str) -> tuple[str, str]:
        first, _dash, last = page.partition("-")
        return first, last or first

    (a, b), (c, d) = span(one), span(other)
    if all(part.isdigit() for part in (a, b, c, d)):
        return int(a) <= int(d) and int(c) <= int(b)
    return one == other


def _note_target(places: _Places, note: _Entry) -> _Group | None:
    """The highlight a note belongs to: the one whose range holds the note's location,
    preferring one that ends there (Kindle anchors a note at its highlight's end), then
    the latest. Without locations, one on the same page."""
    near = places.near(note.start, note.start, note.page)
    if note.start is not None:
        holding = [g for g in near if g.start is not None
                   and g.start <= note.start <= (g.end or g.start)]
        ending = [g for g in holding if (g.end or g.start) == note.start]
        chosen = ending or holding
    elif note.page:
        chosen = [g for g in near if g.start is None and g.kept.page
                  and _same_pages(g.kept.page, note.page)]
    else:
        chosen = []
    return max(chosen, key=lambda g: g.kept.index) if chosen else None


def _from_group(book: str, group: _Group) -> tuple[int, Highlight]:
    kept, first = group.kept, group.first
    note = "\n\n".join(text for _place, (_index, text) in sorted(
        group.notes.items(), key=lambda pair: pair[1][0]))
    order = group.start if group.start is not None else page_order(kept.page)
    return first.index, Highlight(
        key=highlight_key(book, "highlight", first.start, first.page, first.text),
        text=kept.text, note=note, created_at=kept.created_at,
        location=location_label(group.start, group.end, kept.page),
        order=float(order) if order is not None else None)


def _alone(book: str, entries: list[_Entry], kind: str) -> tuple[int, Highlight]:
    """A note on no highlight, or a bookmark: the latest one at its place wins (an edited
    note), under the key of the first."""
    first, latest = entries[0], entries[-1]
    order = first.start if first.start is not None else page_order(first.page)
    return first.index, Highlight(
        key=highlight_key(book, kind, first.start, first.page, first.text), text="",
        note=latest.text if kind == "note" else "", kind=kind,
        created_at=latest.created_at if kind == "note" else first.created_at,
        location=location_label(first.start, first.end, first.page),
        order=float(order) if order is not None else None)


def _unique(highlights: list[Highlight]) -> tuple[Highlight, ...]:
    """Highlights with one per key: a repeat keeps the longer text and note."""
    by_key: dict[str, Highlight] = {}
    for highlight in highlights:
        seen = by_key.get(highlight.key)
        if seen is None:
            by_key[highlight.key] = highlight
            continue
        text = highlight.text if len(highlight.text) >= len(seen.text) else seen.text
        note = highlight.note if len(highlight.note) >= len(seen.note) else seen.note
        by_key[highlight.key] = replace(seen, text=text, note=note)
    return tuple(by_key.values())
