"""OPML subscription lists: the feeds in and out of the library.

Reading uses listparser, which reads OPML 1.0/2.0 as feed readers write it (nested
folders, `text` or `title`, any case of `xmlUrl`) and never fetches anything when given
bytes. Writing needs no library: the standard library's xml.etree escapes every
attribute, and the document is small and flat.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from email.utils import formatdate
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from reader.records import FeedRecord, ImportProblem, OpmlImportReport
from reader.storage.database import LibraryError
from reader.web.feedparse import FeedError

if TYPE_CHECKING:
    from reader.web.feeds import FeedManager

MAX_OPML_BYTES = 5 * 1024 * 1024


class OpmlError(LibraryError):
    """A file that is not an OPML subscription list; str() is one line."""


def import_opml(feeds: FeedManager, data: bytes) -> OpmlImportReport:
    """Subscribe to each outline's xmlUrl (without fetching), skipping duplicates and
    reporting unusable outlines by name. Raises OpmlError when data is no OPML at all."""
    import listparser

    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"the list is too large (more than {MAX_OPML_BYTES // 1024 // 1024} MB)")
    result = listparser.parse(bytes(data))  # bytes: listparser fetches a str that is a URL
    if not str(result.get("version", "")).startswith("opml"):
        problem = result.get("bozo_exception")
        raise OpmlError("not an OPML subscription list" + (f" ({problem})" if problem else ""))
    added: list[int] = []
    duplicates: list[str] = []
    problems: list[ImportProblem] = []
    for outline in result.feeds:
        url = str(outline.get("url") or "").strip()
        title = str(outline.get("title") or "").strip()
        if title == url:
            title = ""  # an export names an untitled feed by its address
        try:
            added.append(feeds.add(url, title=title))
        except FeedError as exc:
            if exc.reason.startswith("already subscribed"):
                duplicates.append(exc.url)
            else:
                problems.append(ImportProblem(title or url, exc.reason))
    return OpmlImportReport(tuple(added), tuple(duplicates), tuple(problems))


def export_opml(records: Sequence[FeedRecord], title: str = "Marginalia feeds") -> bytes:
    """An OPML 2.0 document listing these feeds, UTF-8."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ElementTree.SubElement(root, "body")
    for record in records:
        attributes = {"type": "rss", "text": record.title or record.url,
                      "title": record.title or record.url, "xmlUrl": record.url}
        if record.site_url:
            attributes["htmlUrl"] = record.site_url
        ElementTree.SubElement(body, "outline", attributes)
    ElementTree.indent(root)
    out = io.BytesIO()
    ElementTree.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue() + b"\n"
