"""Readwise's Markdown export: one ``.md`` page per book or article, alone or in a zip.

Readwise renders these pages on its servers with Jinja templates (documented at
help.readwise.io/article/121-how-can-i-customize-the-markdown-export); the default shape
followed here is that of real exported pages kept in public repositories (e.g. a Kindle
book with tags, an article from Reader with "View Highlight" links, a tweet thread)::

    # Threat Modeling

    ![rw-book-cover](https://images-na.ssl-images-amazon.com/images/I/51eOfrrNdYL._SL200_.jpg)

    ## Metadata
    - Author: [[Adam Shostack]]
    - Full Title: Threat Modeling
    - Category: #books
    - Document Tags: [[security]] [[work]]
    - URL: https://...

    ## Highlights
    - Problems where data is treated as code are common. ([Location 945](https://readwise.io/to_kindle?action=open&asin=B00IG71FAS&location=945))
    - Follow this simplified, five-step process as you go:
      Draw a diagram. ([Location 1096](https://readwise.io/to_kindle?...&location=1096))
        - Tags: [[favorite]]
        - Note: the process in short

- a highlight's further lines are indented by two spaces; its tags and note are
  sub-items indented by four (older pages wrote ``- **Note:** ...``);
- the link after a highlight is its place (``Location 945``, ``Page 12``) or, for
  Reader and the web, ``View Highlight`` pointing at ``read.readwise.io/read/<id>``,
  whose id is kept as the highlight's key;
- older pages used ``### Metadata`` / ``### Highlights`` and ``- Author: Name``; later
  exports add ``## New highlights added July 26, 2021 at 10:00 AM`` sections and a
  ``## Full Document`` section with the document's text (kept as the item's content);
- tags are written ``[[name]]`` or ``#name``; Kindle colours come as tags (``[[pink]]``).

Detection needs a highlights section and Readwise's own marks (the metadata block, a
readwise.io link or the ``rw-book-cover`` image), so an ordinary Markdown article with a
"Highlights" heading is not taken for an export. Articles with a URL are web documents
(``book=False``); books, podcasts, tweets and documents without a URL are books.
Headings marked with Readwise's ``.h1`` ... ``.h6`` notes (or the ``h1`` ... ``h6`` tags
Readwise makes of them) stay highlights without the mark (see readwise_csv).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from reader.other_tools.common import (
    decode_text,
    digest,
    parse_moment,
    read_bytes,
    sniff_text,
    split_tags,
)
from reader.other_tools.formats.readwise_csv import book_key, merge, split_colour, strip_heading
from reader.other_tools.model import MARKDOWN, Export, FormatError, Highlight, Item, Problem

NAME = "readwise-markdown"
SOURCE = "Readwise"
DESCRIPTION = "Readwise's Markdown export"

MAX_PAGE_BYTES = 50 * 1024 * 1024  # one page of a zip, unpacked
MAX_ZIP_BYTES = 500 * 1024 * 1024  # all pages of a zip, unpacked
_SNIFF_PAGES = 20  # pages of a zip that detection looks at

_HEADING = re.compile(r"^(#{1,3})[ \t]+(.*?)[ \t#]*$")
_HIGHLIGHTS = re.compile(r"^(new\s+)?highlights\b", re.IGNORECASE)
_META_LINE = re.compile(r"^[-*][ \t]+([A-Za-z][A-Za-z ]*?)[ \t]*:[ \t]*(.*)$")
_SUB_ITEM = re.compile(r"^[ \t]{2,}[-*][ \t]+\**(Note|Tags)\**[ \t]*:\**[ \t]*(.*)$",
                       re.IGNORECASE)
_LINK_END = re.compile(r"[ \t]*\(\[(?P<label>[^\]\n]*)\]\((?P<url>[^)\s]*)\)\)[ \t]*$")
_PLAIN_END = re.compile(
    r"[ \t]*\((?P<label>(?:Location|Loc\.?|Page|Position)[ \t]+[\d.,]+"
    r"(?:[ \t]*[-–][ \t]*[\d.,]+)?)\)[ \t]*$", re.IGNORECASE)
_PLACE = re.compile(r"^(?P<kind>Location|Loc\.?|Page|Position)[ \t]+(?P<value>[\d.,]+)",
                    re.IGNORECASE)
_READWISE_ID = re.compile(r"readwise\.io/(?:read|open|bookreview/\d+/highlight)/(\w+)")
_WIKI_LINK = re.compile(r"\[\[([^\]|]*)(?:\|[^\]]*)?\]\]")
_READWISE_LINK = re.compile(r"\]\(https?://(?:read\.|www\.)?readwise\.io/")


def detect(path: Path, head: bytes) -> bool:
    """A Readwise page (or a zip holding one): a highlights section beside Readwise's
    metadata block, readwise.io links or its cover image."""
    try:
        if head.startswith(b"PK\x03\x04"):
            return _zip_has_page(path)
        return looks_like_page(sniff_text(head))
    except Exception:  # noqa: BLE001 - detection never raises
        return False


def looks_like_page(text: str) -> bool:
    """Whether a Markdown text has the structure of a Readwise export page."""
    if not re.search(r"^#{2,3}[ \t]+(new[ \t]+)?highlights\b", text, re.IGNORECASE | re.M):
        return False
    fields = re.findall(r"^- (Author|Full Title|Category|URL|Document Tags):", text, re.M)
    metadata = (re.search(r"^#{2,3}[ \t]+Metadata[ \t]*$", text, re.M) is not None
                and len(set(fields)) >= 2)
    return metadata or "![rw-book-cover](" in text or bool(_READWISE_LINK.search(text))


def read(path: Path) -> Export:
    data = read_bytes(path)
    export = Export(NAME, SOURCE)
    pages = _Pages()
    if data.startswith(b"PK\x03\x04"):
        _read_zip(data, pages, export.problems)
    else:
        text = decode_text(data)
        if not looks_like_page(text):
            raise FormatError("is not a Readwise Markdown export: it has no Highlights "
                              "section with Readwise's metadata or links")
        pages.add(parse_page(text, path.stem, "", export.problems))
    export.items = pages.items()
    return export


# --- zip files ----------------------------------------------------------------------


def _zip_has_page(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        for info in _markdown_members(archive)[:_SNIFF_PAGES]:
            with archive.open(info) as member:
                if looks_like_page(sniff_text(member.read(16 * 1024))):
                    return True
    return False


def _markdown_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return members(archive, ".md")


def members(archive: zipfile.ZipFile, suffix: str) -> list[zipfile.ZipInfo]:
    """The files of a zip whose names end with `suffix`, without macOS's resource forks."""
    return [info for info in archive.infolist()
            if not info.is_dir() and info.filename.lower().endswith(suffix)
            and not info.filename.startswith("__MACOSX/")]


def unpacked(data: bytes, suffixes: tuple[str, ...],
             problems: list[Problem]) -> Iterator[tuple[str, str]]:
    """(name, text) of each file of a zip whose name ends with one of `suffixes`, in the
    zip's order. A member that is too large, broken or not text is a Problem; a file that
    is no zip at all, or holds no such member, is a FormatError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        found = [info for suffix in suffixes for info in members(archive, suffix)]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FormatError(f"is not a readable zip file ({exc})") from exc
    if not found:
        raise FormatError(f"is a zip file without {' or '.join(suffixes)} files")
    found.sort(key=lambda info: info.header_offset)
    total = 0
    for info in found:
        if info.file_size > MAX_PAGE_BYTES or total + info.file_size > MAX_ZIP_BYTES:
            problems.append(Problem(info.filename, "is too large to read"))
            continue
        try:
            with archive.open(info) as member:
                raw = member.read(MAX_PAGE_BYTES + 1)  # the size a zip declares may lie
            total += len(raw)
            if len(raw) > MAX_PAGE_BYTES or total > MAX_ZIP_BYTES:
                problems.append(Problem(info.filename, "is too large to read"))
                continue
            text = decode_text(raw)
        except FormatError as exc:
            problems.append(Problem(info.filename, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a broken member (CRC, zlib, encrypted)
            problems.append(Problem(info.filename, f"cannot be unpacked ({exc})"))
            continue
        yield info.filename, text


def _read_zip(data: bytes, pages: _Pages, problems: list[Problem]) -> None:
    for name, text in unpacked(data, (".md",), problems):
        if not looks_like_page(text):
            problems.append(Problem(name, "is not a Readwise highlights page"))
            continue
        pages.add(parse_page(text, Path(name).stem, f"{name} ", problems))
    if not pages.items():
        raise FormatError("holds no Readwise highlight pages")


# --- one page -----------------------------------------------------------------------


@dataclass
class Page:
    """What one exported page says."""

    title: str
    author: str = ""
    category: str = ""
    url: str | None = None
    asin: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    published: str | None = None
    content: str | None = None
    highlights: list[_Draft] = field(default_factory=list)

    @property
    def key(self) -> str:
        if self.asin:
            return book_key(self.title, self.author, self.asin)
        return self.url or book_key(self.title, self.author)

    @property
    def book(self) -> bool:
        return not self.url or self.category not in ("articles", "")


@dataclass
class _Draft:
    """A highlight as its lines are read."""

    line: int
    lines: list[str]
    note: list[str] = field(default_factory=list)
    tags: tuple[str, ...] = ()


def parse_page(text: str, fallback_title: str, where: str,
               problems: list[Problem]) -> Page:
    """A page's metadata and highlights; `where` prefixes the line numbers of Problems."""
    lines = _without_front_matter(text.split("\n"))
    page = Page(title="")
    section = ""
    heading_title = ""
    full: list[str] = []
    for number, line in lines:
        heading = _HEADING.match(line)
        if heading and (section != "full" or _ends_full_document(heading)):
            level, name = len(heading.group(1)), heading.group(2).strip()
            if level == 1:
                heading_title = heading_title or name
                section = ""
            elif name.lower() == "metadata":
                section = "metadata"
            elif _HIGHLIGHTS.match(name):
                section = "highlights"
            elif name.lower() == "full document":
                section = "full"
            else:
                section = ""
            continue
        if section == "metadata":
            _metadata_line(page, line)
        elif section == "highlights":
            _highlight_line(page, number, line)
        elif section == "full":
            full.append(line)
    page.title = page.title or _unwiki(heading_title) or fallback_title
    content = "\n".join(full).strip()
    if content and not re.fullmatch(r"\[\[[^\]]*\]\]", content):
        page.content = content
    page.highlights = [draft for draft in page.highlights if _keep(draft, where, problems)]
    return page


def _without_front_matter(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, line) after a YAML front matter that a custom template may add."""
    numbered = list(enumerate(lines, start=1))
    if lines and lines[0].strip() == "---":
        for index in range(1, min(len(lines), 200)):
            if lines[index].strip() == "---":
                return numbered[index + 1:]
    return numbered


def _ends_full_document(heading: re.Match[str]) -> bool:
    """Inside "Full Document" only Readwise's own sections end it (the document has its
    own headings)."""
    name = heading.group(2).strip()
    return len(heading.group(1)) == 2 and (name.lower() == "metadata"
                                           or bool(_HIGHLIGHTS.match(name)))


def _metadata_line(page: Page, line: str) -> None:
    found = _META_LINE.match(line.strip())
    if not found:
        return
    name, value = found.group(1).strip().lower(), found.group(2).strip()
    if name == "author":
        page.author = _unwiki(value)
    elif name == "full title":
        page.title = _unwiki(value)
    elif name == "category":
        page.category = value.lstrip("#").strip().lower()
    elif name == "url" and _is_web(value):
        page.url = value
    elif name in ("document tags", "tags"):
        page.tags = tag_list(value)
    elif name == "document note":
        page.note = value
    elif name in ("published date", "publication date", "date published") and value:
        moment = parse_moment(value)
        page.published = moment[:10] if moment else None


def _highlight_line(page: Page, number: int, line: str) -> None:
    sub = _SUB_ITEM.match(line)
    draft = page.highlights[-1] if page.highlights else None
    if sub and draft is not None:
        label, value = sub.group(1).lower(), sub.group(2).strip()
        if label == "tags":
            draft.tags += tag_list(value)
        else:
            draft.note.append(value)
        return
    if line.startswith(("- ", "* ")):
        page.highlights.append(_Draft(number, [line[2:]]))
    elif draft is not None and line.startswith("  "):
        if draft.note and line.startswith("      ") and line.strip():
            draft.note.append(line.strip())  # a note of several lines
        elif not draft.note and not draft.tags:
            draft.lines.append(line[2:])  # the highlight's next line (or paragraph)
    # blank lines and anything else between highlights are left out


def _keep(draft: _Draft, where: str, problems: list[Problem]) -> bool:
    if "\n".join(draft.lines).strip() or "".join(draft.note).strip():
        return True
    problems.append(Problem(f"{where}line {draft.line}", "is an empty highlight"))
    return False


def tag_list(value: str) -> tuple[str, ...]:
    """Tags as Readwise writes them: ``[[a]] [[b c]]`` or ``#a #b``."""
    if "[[" in value:
        return split_tags(",".join(_WIKI_LINK.findall(value)))
    return split_tags(value, separators=" ,")


def _unwiki(value: str) -> str:
    return _WIKI_LINK.sub(r"\1", value).strip()


def _is_web(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# --- from pages to items --------------------------------------------------------------


class _Pages:
    """Pages gathered into items: the same document twice (in two files) is one item."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[Page, dict[str, Highlight]]] = {}

    def add(self, page: Page) -> None:
        highlights = [(draft, _split_place(draft)) for draft in page.highlights]
        for _, (_, _, _, asin) in highlights:
            page.asin = page.asin or asin
        key = page.key
        _, known = self._items.setdefault(key, (page, {}))
        for index, (draft, (text, label, url, _)) in enumerate(highlights, start=1):
            highlight = _highlight(key, draft, text, label, url, index)
            old = known.get(highlight.key)
            known[highlight.key] = merge(old, highlight) if old else highlight

    def items(self) -> list[Item]:
        return [Item(key=key, title=page.title, author=page.author, url=page.url,
                     content=page.content, content_format=MARKDOWN, tags=page.tags,
                     published=page.published, note=page.note,
                     highlights=tuple(found.values()), book=page.book)
                for key, (page, found) in self._items.items()]


def _split_place(draft: _Draft) -> tuple[str, str, str, str]:
    """(text, place label, link, Amazon id) of a highlight: Readwise puts its place or
    link at the end of the last line."""
    text = "\n".join(draft.lines).rstrip()
    label = url = asin = ""
    found = _LINK_END.search(text) or _PLAIN_END.search(text)
    if found:
        label = found.group("label").strip()
        url = found.groupdict().get("url") or ""
        text = text[:found.start()].rstrip()
    if "to_kindle" in url:
        asin = (parse_qs(urlsplit(url).query).get("asin") or [""])[0]
    return text, label, url, asin


def _highlight(item_key: str, draft: _Draft, text: str, label: str, url: str,
               index: int) -> Highlight:
    location, order, kind, value = "", None, "", ""
    place = _PLACE.match(label)
    if place:
        kind = "page" if place.group("kind").lower() == "page" else "location"
        value = place.group("value").replace(",", "")
        location = f"{'Page' if kind == 'page' else 'Location'} {label[place.start('value'):]}"
        try:
            order = float(value)
        except ValueError:
            order = None
    readwise_id = _READWISE_ID.search(url)
    key = (f"readwise:{readwise_id.group(1)}" if readwise_id
           else digest(item_key, kind, value, text))
    tags, shade = split_colour(draft.tags, None)
    note = strip_heading("\n".join(draft.note)).strip()
    return Highlight(key=key, text=text, note=note, colour=shade, tags=tags,
                     location=location, order=order if order is not None else float(index),
                     kind="highlight" if text else "note")
