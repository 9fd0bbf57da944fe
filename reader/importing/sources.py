"""Reads article files from disk and turns them into documents: checks, format, parsing.

Every way a file can be unusable (unreadable, not a regular file, empty, binary, not
UTF-8, too large, no text, front matter or nesting beyond what can be read safely)
raises `SourceError` with a reason meant for the user; nothing is stored for it, and
the other files of an import go on.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from reader.document.model import BYLINE, TITLE, Block, Document, Span
from reader.importing.head import Head, format_date, parse_author, parse_date, split_head
from reader.importing.parsing import MARKDOWN, TEXT, NestingError, mend_paragraphs, parse

HTML = "html"

MAX_BYTES = 20 * 1024 * 1024
MAX_FRONT_MATTER = 64 * 1024  # bytes of YAML at the top of a Markdown file
MAX_FRONT_MATTER_VALUES = 10_000  # YAML nodes, every alias expanded
_FORMAT_BY_SUFFIX = {
    ".md": MARKDOWN, ".markdown": MARKDOWN, ".mdown": MARKDOWN, ".mkd": MARKDOWN,
    ".txt": TEXT, ".text": TEXT, "": TEXT,
    ".html": HTML, ".htm": HTML, ".xhtml": HTML,
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
BYLINE_SEPARATOR = " · "

_log = logging.getLogger(__name__)


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
    publication: str = ""
    url: str | None = None
    tags: tuple[str, ...] = ()


def supported(path: Path) -> bool:
    return path.suffix.lower() in _FORMAT_BY_SUFFIX


def read_article(path: Path) -> ParsedArticle:
    """Read and parse one article file, or raise SourceError saying why it cannot be used."""
    source_format = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if source_format is None:
        raise SourceError(f"is not a supported kind of file ({path.suffix or 'no extension'}); "
                          "Markdown (.md), plain text (.txt) and web pages (.html) can be imported")
    data = _read_bytes(path)
    text = decode_page(data) if source_format == HTML else decode(data)
    try:
        return parse_article(text, source_format, _shown_name(path.name))
    except SourceError:
        raise
    except RecursionError as exc:
        raise SourceError("is nested too deeply to read") from exc
    except Exception as exc:  # one file's surprise must not end the import of the rest
        _log.exception("Could not import %s", path)
        raise SourceError(f"could not be imported ({type(exc).__name__}: {exc})") from exc


def _shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as lone surrogates,
    which cannot be stored) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file (a link is followed) of at most MAX_BYTES.

    Anything else is refused before it is read: a FIFO or a device would block for ever
    or never end (a link to /dev/zero). The file is opened without waiting, in case it
    was replaced by one after the check, and no more than the limit is read even from a
    file that grows meanwhile.
    """
    try:
        _check_regular(os.stat(path))
        descriptor = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
        with os.fdopen(descriptor, "rb") as stream:
            _check_regular(os.fstat(stream.fileno()))
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_BYTES:
        raise SourceError(f"is too large (more than {MAX_BYTES // 1024 // 1024} MB, the limit)")
    return data


_OPEN_FLAGS = (getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))


def _check_regular(info: os.stat_result) -> None:
    """SourceError unless info is a regular file's, within the size limit."""
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise SourceError("is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise SourceError(f"is not a regular file ({_file_kind(mode)})")
    if info.st_size > MAX_BYTES:
        raise SourceError(f"is too large ({info.st_size / 1024 / 1024:.1f} MB; "
                          f"the limit is {MAX_BYTES // 1024 // 1024} MB)")


def _file_kind(mode: int) -> str:
    """What a file that is not a regular one is, for the user: "a FIFO", "a device"..."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file of data"


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
    if not text.strip():
        raise SourceError("is empty")  # only white space, in any of Unicode's kinds
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_page(data: bytes) -> str:
    """A saved web page's text: UTF-8, or the character set its <meta> tag declares."""
    try:
        return decode(data)
    except SourceError as utf8_problem:
        declared = _META_CHARSET.search(data[:8192])
        if declared is None or b"\x00" in data[:65536]:
            raise
        charset = declared.group(1).decode("ascii", "replace")
        try:
            if codecs.lookup(charset).name in _NOT_PAGE_CHARSETS:
                raise SourceError(f"{utf8_problem}, and the character set its page declares, "
                                  f"{charset}, is not one for web pages")
            text = data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise SourceError(f"{utf8_problem}, nor valid {charset} as its page declares") from None
        return text.replace("\r\n", "\n").replace("\r", "\n")


# Python codecs a page may name that no browser reads pages in: they turn escapes into
# lone surrogates (unicode_escape, UTF-7) or take time growing with the square of the
# length (punycode, idna: hours for a large file).
_NOT_PAGE_CHARSETS = frozenset({"punycode", "idna", "unicode-escape", "raw-unicode-escape",
                                "utf-7", "undefined"})


def parse_article(source_text: str, source_format: str, source_name: str = "") -> ParsedArticle:
    """Parse source text into an article; raises SourceError when it holds no readable text.

    A web page is reduced to its article and sanitised first; what is stored is that
    sanitised HTML, never the page as saved.
    """
    meta: dict[str, object] = {}
    # Duplicates are recognised by what was imported, before any extraction.
    fingerprint = content_hash(source_text)
    if source_format == HTML:
        from reader.importing.html_import import NoArticleError, extract_article

        try:
            page = extract_article(source_text)
        except NoArticleError as exc:
            raise SourceError(str(exc) or "has no article in it") from exc
        source_text = page.html
        # Entities such as &#xD800; name no character: shown as U+FFFD, as browsers do.
        meta = {"title": _replace_surrogates(page.title),
                "author": _replace_surrogates(page.author), "published": page.published,
                "publication": _replace_surrogates(page.site_name),
                "url": _replace_surrogates(page.url or "")}
    elif source_format == MARKDOWN:
        meta = front_matter(source_text)
    head, body = split_body(source_text, source_format, strict=True)
    title = str(meta.get("title") or head.title or _title_from_name(source_name) or "Untitled")
    author = str(meta.get("author") or head.author)
    published = meta.get("published") or head.published
    publication = str(meta.get("publication") or "")
    if not any(block.text.strip() for block in body) and not (head.title or meta.get("title")):
        raise SourceError("has no article text")
    document = render(title, author, publication, published, body)
    article = ParsedArticle(
        title=title, author=author, published=published, source_text=source_text,
        source_format=source_format, source_name=_shown_name(source_name), text=document.text,
        content_hash=fingerprint, publication=publication,
        url=meta.get("url") or None, tags=tuple(str(tag) for tag in meta.get("tags") or ()),
    )
    _check_text(article)
    return article


def parse_content(source_text: str, source_format: str, *, title: str, author: str = "",
                  published: str | None = None, publication: str = "", url: str | None = None,
                  tags: tuple[str, ...] = (), source_name: str = "") -> ParsedArticle:
    """An article from content another tool exported, with the metadata it gave.

    Unlike a saved page, exported HTML is already the article: it is sanitised, not
    searched for the article (which would drop a short one). Markdown front matter fills
    in what the tool did not give. SourceError when it holds no readable text.
    """
    fingerprint = content_hash(source_text)
    meta: dict[str, object] = {}
    if source_format == HTML:
        from reader.importing.html_sanitise import sanitise

        source_text = sanitise(source_text, url)
    elif source_format == MARKDOWN:
        meta = front_matter(source_text)
    try:
        head, body = split_body(source_text, source_format, strict=True)
    except RecursionError as exc:
        raise SourceError("is nested too deeply to read") from exc
    if not any(block.text.strip() for block in body):
        raise SourceError("has no article text")
    title = _replace_surrogates(title or str(meta.get("title") or head.title or "Untitled"))
    author = _replace_surrogates(author or str(meta.get("author") or head.author))
    published = published or meta.get("published") or head.published
    document = render(title, author, publication, published, body)
    article = ParsedArticle(
        title=title, author=author, published=published, source_text=source_text,
        source_format=source_format, source_name=_shown_name(source_name), text=document.text,
        content_hash=fingerprint, publication=_replace_surrogates(publication),
        url=url or meta.get("url") or None,
        tags=tuple(dict.fromkeys(tuple(tags) + tuple(str(t) for t in meta.get("tags") or ()))),
    )
    _check_text(article)
    return article


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _replace_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _check_text(article: ParsedArticle) -> None:
    """SourceError if any text of the article holds a lone surrogate: a code point that is
    no character (from an escape such as "\\uD800" in YAML) and cannot be stored."""
    fields = {"title": article.title, "author": article.author,
              "publication": article.publication, "URL": article.url or "",
              "tags": " ".join(article.tags), "text": article.text,
              "source": article.source_text}
    for field, value in fields.items():
        found = _SURROGATE.search(value)
        if found:
            raise SourceError(f"has a lone surrogate (U+{ord(found.group()):04X}, which is "
                              f"not a character) in its {field}")


def front_matter(source_text: str) -> dict[str, object]:
    """Title, author, date, publication, URL and tags from a Markdown file's YAML front matter."""
    match = _FRONT_MATTER.match(source_text)
    if not match:
        return {}
    data = _load_yaml(match.group(1))
    if not isinstance(data, dict):
        return {}
    lowered = {str(k).lower(): v for k, v in data.items()}

    def first(*names: str) -> object:
        return next((lowered[n] for n in names if lowered.get(n) not in (None, "", [])), None)

    authors = first("author", "authors", "by")
    if isinstance(authors, list):
        authors = ", ".join(str(a) for a in authors)
    when = first("published", "date", "created", "published_at")
    url = first("url", "source", "link", "canonical")
    tags = first("tags", "keywords")
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,\s]+", tags) if t]
    return {
        "title": str(first("title") or "").strip(),
        "author": parse_author(str(authors)) or str(authors or "").strip(),
        "published": parse_date(str(when)) if when else None,
        "publication": str(first("publication", "site", "site_name", "source_name") or "").strip(),
        "url": str(url).strip() if isinstance(url, str) and re.match(r"https?://", url) else None,
        "tags": [str(t).lstrip("#") for t in tags] if isinstance(tags, list) else [],
    }


def _load_yaml(text: str) -> object:
    """The YAML document in text, read safely; SourceError for one that is not valid, or
    that is too large or expands (by aliases: a "billion laughs") into too many values."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER:
        raise SourceError(f"has front matter larger than {MAX_FRONT_MATTER // 1024} KB")
    import yaml  # only for files with front matter: slow to load

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise SourceError(f"has front matter that is not valid YAML{where}") from exc
    except RecursionError as exc:
        raise SourceError("has front matter nested too deeply to read") from exc
    except ValueError as exc:  # e.g. a number of more digits than Python converts
        raise SourceError(f"has front matter that cannot be read ({exc})") from exc
    finally:
        loader.dispose()


def _check_expansion(root: object) -> None:
    """SourceError if the YAML node graph under root, with every alias expanded, would hold
    more than MAX_FRONT_MATTER_VALUES nodes, or refers to itself.

    Aliases make a graph whose expansion grows exponentially with its size: nine lines
    of them stand for a billion strings. Sizes are summed over the graph bottom up,
    once per node, without recursion.
    """
    from yaml.nodes import MappingNode, SequenceNode

    def children(node: object) -> list:
        if isinstance(node, SequenceNode):
            return list(node.value)
        if isinstance(node, MappingNode):
            return [part for pair in node.value for part in pair]
        return []

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the path from the root to the node being summed
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children(node))
            if sizes[key] > MAX_FRONT_MATTER_VALUES:
                raise SourceError(
                    f"has front matter whose YAML aliases expand to more than "
                    f"{MAX_FRONT_MATTER_VALUES:,} values")
            continue
        if key in sizes:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in children(node):
            if id(child) in open_nodes:
                raise SourceError("has front matter whose YAML aliases refer to themselves")
            if id(child) not in sizes:
                stack.append((child, False))


def split_body(source_text: str, source_format: str,
               strict: bool = False) -> tuple[Head, list[Block]]:
    """The head metadata and the mended body blocks of a source. With strict (on import),
    SourceError for Markdown nested so deeply that the parser would leave text out."""
    if source_format == HTML:
        from reader.importing.html_blocks import parse_html

        return Head(), parse_html(source_text)
    if source_format == MARKDOWN:
        match = _FRONT_MATTER.match(source_text)
        if match:
            source_text = source_text[match.end():]
    try:
        blocks = parse(source_text, source_format, strict)
    except NestingError as exc:
        raise SourceError(str(exc)) from exc
    head, body = split_head(blocks)
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
    # surrogatepass: text with a lone surrogate is refused later, with its reason
    return hashlib.sha256(source_text.encode("utf-8", "surrogatepass")).hexdigest()


def _title_from_name(name: str) -> str:
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", Path(name).stem)
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:]
