"""The Kindle app's notebook export: "Export Notebook" in Kindle for PC/Mac, iOS, Android.

One HTML file per book. The shape, from exported files kept in other projects
(krystofl/kindle-notes-to-md ``example_notebook.html``; the fixtures of parsers that
read the desktop app's files, e.g. ``<h3 class='noteHeading'>Note - I &gt; Page 11
&middot; Location 116</div><div class='noteText'>This is a note</h3>``)::

    <div class="bookTitle">On Writing</div>
    <div class="authors">Stephen King</div>
    <div class="citation"></div>
    <div class="sectionHeading">Chapter 1</div>
    <div class="noteHeading">Highlight (<span class="highlight_yellow">yellow</span>) -
        Chapter 1 > Page 12 · Location 590</div>
    <div class="noteText">the highlighted text</div>
    <div class="noteHeading">Note - Page 12 · Location 590</div>
    <div class="noteText">the note typed on it</div>

The desktop app writes the headings as ``<h1>``/``<h2>``/``<h3>`` closed by the wrong
tags (``<h3 class='noteHeading'>…</div><div class='noteText'>…</h3>``), so this reader
goes by the ``class`` of each opening tag and ignores closing tags: a block runs until
the next one opens. The colour is in the span's class (``highlight_yellow``, ``_blue``,
``_pink``, ``_orange``) whatever the app's language; the heading's words are localised
("标注(<span class="highlight_blue">蓝色</span>) - 第 30 页·位置 434", "ハイライト(ピンク) -
3.7 章 > ページ23 ·位置607", "メモ - ページ xii"). A note follows the highlight it is on.
There are no dates in this export.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

from reader.other_tools.common import colour, read_bytes, sniff_text
from reader.other_tools.formats.kindle_clippings import (
    book_key,
    decode,
    find_location,
    find_page,
    highlight_key,
    kind_of,
    location_label,
    page_order,
    tidy_author,
)
from reader.other_tools.model import Export, FormatError, Highlight, Item, Problem

NAME = "kindle-html"
SOURCE = "Kindle"
DESCRIPTION = "the Kindle app's notebook export (HTML)"

LANGUAGES = "English, German, French, Spanish, Italian, Portuguese, Chinese, Japanese"
_BLOCKS = {"notebookFor", "bookTitle", "authors", "citation", "sectionHeading",
           "noteHeading", "noteText", "notebookGraphic"}
# A note on a highlight sits where the highlight starts or a little after (the export
# gives only a highlight's first location; a long one spans some twenty).
_NOTE_REACH = 20
# Colour names the app writes in the heading when the span has no class.
_COLOUR_WORDS = {
    "gelb": "yellow", "blau": "blue", "rosa": "pink", "jaune": "yellow", "bleu": "blue",
    "rose": "pink", "amarillo": "yellow", "azul": "blue", "naranja": "orange",
    "giallo": "yellow", "blu": "blue", "arancione": "orange", "amarelo": "yellow",
    "laranja": "orange", "黄": "yellow", "黄色": "yellow", "蓝色": "blue", "藍色": "blue",
    "粉色": "pink", "粉红色": "pink", "粉紅色": "pink", "橙色": "orange", "イエロー": "yellow",
    "ブルー": "blue", "ピンク": "pink", "オレンジ": "orange",
}
# The notebook's own classes, in the attribute of an opening tag.
_CLASS_RE = {name: re.compile(r"""class\s*=\s*["'][^"']*\b%s\b""" % name) for name in
             ("noteHeading", "noteText", "bookTitle")}


def detect(path: Path, head: bytes) -> bool:
    """An HTML file with the notebook's classes: a noteHeading and a noteText or bookTitle."""
    try:
        text = sniff_text(head)
        return bool(_CLASS_RE["noteHeading"].search(text)) and bool(
            _CLASS_RE["noteText"].search(text) or _CLASS_RE["bookTitle"].search(text))
    except Exception:  # detection must never fail
        return False


@dataclass
class _Block:
    """The text under one classed tag, up to the next one."""

    kind: str  # its class
    line: int
    parts: list[str] = field(default_factory=list)
    colour: str | None = None  # from a span's highlight_<colour> class
    picture: bool = False

    @property
    def text(self) -> str:
        """The block's text: spaces as HTML shows them, line breaks only where a <br> is."""
        lines = "".join(self.parts).split("\n")
        return "\n".join(" ".join(line.split()) for line in lines).strip()


class _Reader(HTMLParser):
    """The file's blocks in order, whatever closing tags it has."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.skipping = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping = True
            return
        classes = (dict(attrs).get("class") or "").split()
        named = next((name for name in classes if name in _BLOCKS), None)
        if named:
            self.blocks.append(_Block(named, self.getpos()[0]))
            return
        if not self.blocks:
            return
        block = self.blocks[-1]
        if tag == "br":
            block.parts.append("\n")
        elif tag == "img":
            block.picture = True
        for name in classes:
            if name.startswith("highlight_") and block.colour is None:
                block.colour = name[len("highlight_"):]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping = False

    def handle_data(self, data: str) -> None:
        if self.blocks and not self.skipping:
            self.blocks[-1].parts.append(re.sub(r"\s+", " ", data))


@dataclass
class _Note:
    """One heading with its text, read."""

    line: int
    kind: str
    text: str
    colour: str | None
    start: int | None
    page: str


@dataclass
class _Book:
    title: str
    author: str
    line: int
    notes: list[_Note] = field(default_factory=list)


def read(path: Path) -> Export:
    """The book of a notebook export with its highlights and notes."""
    text, problem = decode(read_bytes(path))
    export = Export(format=NAME, source=SOURCE)
    if problem:
        export.problems.append(problem)
    reader = _Reader()
    try:
        reader.feed(text)
        reader.close()
    except Exception as exc:  # html.parser is lenient; this is a last resort
        raise FormatError(f"cannot be read as HTML ({exc})") from exc
    if not any(block.kind == "noteHeading" for block in reader.blocks):
        raise FormatError("holds no highlights or notes: a Kindle notebook export has "
                          "'noteHeading' entries")
    books = _books(reader.blocks, path, export.problems)
    for book in books:
        highlights = _highlights(book, export.problems)
        if highlights:
            key = book_key(book.title, book.author)
            export.items.append(Item(key=key, title=book.title, author=book.author,
                                     book=True, highlights=_keyed(key, highlights)))
    if not export.items:
        first = export.problems[0] if export.problems else None
        raise FormatError("holds no highlight or note Marginalia can read"
                          + (f" (the first problem: {first})" if first else ""))
    return export


def _books(blocks: list[_Block], path: Path, problems: list[Problem]) -> list[_Book]:
    """The books of the file (one, as the app writes it) with their headings read."""
    books: list[_Book] = []
    heading: _Block | None = None  # a heading waiting for the text under it

    def take(body: _Block | None) -> None:
        note = _note(heading, body, problems)
        if note is not None:
            if not books:
                books.append(_untitled(path, heading.line, problems))
            books[-1].notes.append(note)

    for block in blocks:
        if heading is not None:
            # The text after a heading is its passage or note (a bookmark has none).
            body = block if block.kind in ("noteText", "notebookGraphic") else None
            take(body)
            heading = None
            if body is not None:
                continue
        if block.kind == "bookTitle":
            books.append(_Book(block.text or _stem(path), "", block.line))
        elif block.kind == "authors" and books and not books[-1].author:
            books[-1].author = tidy_author(block.text)
        elif block.kind == "noteHeading":
            heading = block
    if heading is not None:
        take(None)
    return books


def _untitled(path: Path, line: int, problems: list[Problem]) -> _Book:
    problems.append(Problem("the notebook", "names no book (it has no 'bookTitle'); the "
                                            "file's name is taken as its title"))
    return _Book(_stem(path), "", line)


def _stem(path: Path) -> str:
    return re.sub(r"[-_ ]*notebook$", "", path.stem, flags=re.I) or path.stem


def _note(heading: _Block, body: _Block | None, problems: list[Problem]) -> _Note | None:
    """One heading read with the text under it, or None with a Problem saying why not."""
    where = f"line {heading.line}"
    words = unicodedata.normalize("NFKC", heading.text.replace("\n", " "))
    what, _dash, place = words.partition(" - ")
    if not _dash:
        what, _dash, place = words.partition("-")
    kind = "highlight" if heading.colour else kind_of(re.sub(r"\(.*?\)", " ", what))
    if kind is None:
        problems.append(Problem(where, f"the kind of note ('{what.strip()[:60]}') is not in "
                                       f"a language Marginalia reads: {LANGUAGES}"))
        return None
    place = place.rpartition(">")[2]  # drop the chapter before "Chapter > Page 12 · ..."
    start, _end = find_location(place)
    page = find_page(place)
    text = body.text if body is not None else ""
    if kind == "highlight" and not text:
        picture = body is not None and (body.picture or body.kind == "notebookGraphic")
        problems.append(Problem(where, "the highlight is a picture, which the export does "
                                       "not carry" if picture else "the highlight has no text"))
        return None
    if kind == "note" and not text:
        return None
    return _Note(heading.line, kind, text if kind != "bookmark" else "",
                 _colour(heading.colour, what), start, page)


def _colour(name: str | None, heading: str) -> str | None:
    """Marginalia's colour for the span's class, else for a colour word in parentheses."""
    if name:
        return colour(name)
    word = re.search(r"\(\s*([^()]+?)\s*\)", heading)
    if not word:
        return None
    found = word[1].casefold()
    return colour(_COLOUR_WORDS.get(found, found))


def _highlights(book: _Book, problems: list[Problem]) -> list[tuple[str, _Note, str]]:
    """(kind, the passage or note, its note) in the book's order: a note directly after
    the highlight it is on becomes that highlight's note; others stand alone."""
    made: list[tuple[str, _Note, str]] = []
    for note in book.notes:
        previous = made[-1] if made else None
        if note.kind == "note" and previous and previous[0] == "highlight" and not previous[2] \
                and _near(previous[1], note):
            made[-1] = (previous[0], previous[1], note.text)
        else:
            made.append((note.kind, note, note.text if note.kind == "note" else ""))
    return made


def _near(highlight: _Note, note: _Note) -> bool:
    if highlight.start is not None and note.start is not None:
        return 0 <= note.start - highlight.start <= _NOTE_REACH
    if highlight.page and note.page:
        return highlight.page == note.page
    return True


def _keyed(book: str, made: list[tuple[str, _Note, str]]) -> tuple[Highlight, ...]:
    """The highlights with their keys; a repeat of a key keeps the longer note."""
    by_key: dict[str, Highlight] = {}
    for kind, item, note in made:
        text = item.text if kind == "highlight" else ""
        key = highlight_key(book, kind, item.start, item.page, text or note)
        order = item.start if item.start is not None else page_order(item.page)
        highlight = Highlight(key=key, text=text, note=note, kind=kind,
                              colour=item.colour if kind == "highlight" else None,
                              location=location_label(item.start, None, item.page),
                              order=float(order) if order is not None else None)
        seen = by_key.get(key)
        if seen is not None and len(seen.note) > len(note):
            highlight = replace(highlight, note=seen.note)
        by_key[key] = highlight
    return tuple(by_key.values())
