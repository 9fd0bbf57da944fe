"""Reads article files from disk and turns them into documents: checks, format, parsing.

Every way a file can be unusable (unreadable, empty, binary, not UTF-8, too large, no
text) raises `SourceError` with a reason meant for the user; nothing is stored for it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from reader.document import BYLINE, TITLE, Block, Document, Span
from reader.head import Head, format_date, split_head
from reader.parsing import MARKDOWN, TEXT, mend_paragraphs, parse

MAX_BYTES = 20 * 1024 * 1024
_FORMAT_BY_SUFFIX = {
    ".md": MARKDOWN, ".markdown": MARKDOWN, ".mdown": MARKDOWN, ".mkd": MARKDOWN,
    ".txt": TEXT, ".text": TEXT, "": TEXT,
}
BYLINE_SEPARATOR = " · "


class SourceError(Exception):
    """A file that cannot become an article; str() is the reason, for the user."""


@dataclass(frozen=True)
class ParsedArticle:
    """What an import learns from a file: metadata from its head, and its text."""

    title: str
    author: str
    published: str | None
    source_text: str
    source_format: str
    source_name: str
    text: str  # canonical text of the rendered document
    content_hash: str


def supported(path: Path) -> bool:
    return path.suffix.lower() in _FORMAT_BY_SUFFIX


def read_article(path: Path) -> ParsedArticle:
    """Read and parse one article file, or raise SourceError saying why it cannot be used."""
    source_format = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if source_format is None:
        raise SourceError(f"is not a supported kind of file ({path.suffix or 'no extension'}); "
                          "Markdown (.md) and plain text (.txt) can be imported")
    text = decode(_read_bytes(path))
    return parse_article(text, source_format, path.name)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise SourceError("is a folder, not a file")
        if size > MAX_BYTES:
            raise SourceError(f"is too large ({size / 1024 / 1024:.1f} MB; the limit is 20 MB)")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot be read ({exc.strerror or exc})") from exc


def decode(data: bytes) -> str:
    """The UTF-8 text of a file's bytes; raises SourceError for empty, binary or undecodable data."""
    if not data.strip():
        raise SourceError("is empty")
    if b"\x00" in data[:65536]:
        raise SourceError("is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"is not valid UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start})"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_article(source_text: str, source_format: str, source_name: str = "") -> ParsedArticle:
    """Parse source text into an article; raises SourceError when it holds no readable text."""
    head, body = split_body(source_text, source_format)
    if not any(block.text.strip() for block in body) and not head.title:
        raise SourceError("has no article text")
    title = head.title or _title_from_name(source_name) or "Untitled"
    document = render(title, head.author, "", head.published, body)
    return ParsedArticle(
        title=title,
        author=head.author,
        published=head.published,
        source_text=source_text,
        source_format=source_format,
        source_name=source_name,
        text=document.text,
        content_hash=content_hash(source_text),
    )


def split_body(source_text: str, source_format: str) -> tuple[Head, list[Block]]:
    """The head metadata and the mended body blocks of a source."""
    head, body = split_head(parse(source_text, source_format))
    return head, mend_paragraphs(body)


def render(title: str, author: str, publication: str, published: str | None,
           body: list[Block]) -> Document:
    """The document the reading pane shows: title, byline, then the body."""
    blocks = [Block(TITLE, (Span(title),))]
    byline = BYLINE_SEPARATOR.join(p for p in (author, publication, format_date(published)) if p)
    if byline:
        blocks.append(Block(BYLINE, (Span(byline),)))
    blocks.extend(body)
    return Document(tuple(blocks))


def content_hash(source_text: str) -> str:
    return hashlib.sha256(source_text.encode("utf-8")).hexdigest()


def _title_from_name(name: str) -> str:
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", Path(name).stem)
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:]
