"""Reading article files: metadata, canonical text, and every kind of bad file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from reader.paths import seeds_dir
from reader.importing.sources import SourceError, decode, parse_article, read_article
from tests.conftest import SEED_TITLES


def test_seed_metadata():
    found = {}
    for path in sorted(seeds_dir().iterdir()):
        article = read_article(path)
        found[article.title] = (article.author, article.published)
    assert found == SEED_TITLES


def test_seed_bodies_are_not_broken_mid_sentence():
    for path in sorted(seeds_dir().iterdir()):
        article = read_article(path)
        paragraphs = article.text.split("\n")[2:]  # after the title and byline
        body = [p for p in paragraphs if "wsws.org/contact" not in p and "To contact" not in p
                and not p.startswith("Socialist Equality")]
        assert len(body) > 8
        for paragraph in body:
            assert re.search(r"[.!?:][\"'”’)]*$", paragraph), f"{path.name}: {paragraph[-60:]!r}"


def test_seed_text_reads_the_mended_sentence_whole():
    text = read_article(seeds_dir() / "2024-08-07-ukrainian-military-launches-incursion-of-russia.md").text
    assert "while others reported that they had to hide in churches" in text
    assert "desertions of soldiers from the front are growing" in text


def test_markdown_article_with_its_own_metadata(write_file):
    path = write_file("piece.md", "# On Reading\n\nBy Ana Lopez\n\nMarch 3, 2021\n\n"
                                  "Readers *underline* things.\n\n## Why\n\nBecause.\n")
    article = read_article(path)
    assert (article.title, article.author, article.published) == ("On Reading", "Ana Lopez", "2021-03-03")
    assert article.source_format == "markdown"
    assert article.text == "On Reading\nAna Lopez · 3 March 2021\nReaders underline things.\nWhy\nBecause."


def test_plain_text_article(write_file):
    path = write_file("note.txt", "A Plain Title\nJohn Smith\n2020-01-02\n\nFirst paragraph\nwrapped.\n")
    article = read_article(path)
    assert article.source_format == "text"
    # The head lines are one paragraph in plain text: the title is its first line only
    # when the paragraph is a single line, so this one becomes body text.
    assert article.text.endswith("First paragraph wrapped.")


def test_plain_text_with_a_head(write_file):
    path = write_file("note.txt", "A Plain Title\n\nJohn Smith\n\n2 January 2020\n\nFirst paragraph.\n")
    article = read_article(path)
    assert (article.title, article.author, article.published) == ("A Plain Title", "John Smith", "2020-01-02")
    assert article.text == "A Plain Title\nJohn Smith · 2 January 2020\nFirst paragraph."


def test_a_file_without_a_title_is_named_after_the_file(write_file):
    article = read_article(write_file("2023-05-01-field-notes.md", "just some words, lowercase, with a comma,\n"))
    assert article.title == "Field notes"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "is empty"),
        ("blank.md", b"  \n\n\t\n", "is empty"),
        ("binary.md", b"PK\x03\x04\x00\x00binary", "is a binary file"),
        ("latin1.md", "Café au lait".encode("latin-1"), "is not valid UTF-8 text (byte 0xe9 at position 3)"),
        ("picture.png", b"\x89PNG", "is not a supported kind of file (.png)"),
        ("only-markup.md", b"<div>\n</div>\n", "has no article text"),
    ],
)
def test_bad_files_are_refused_with_the_reason(write_file, name, content, reason):
    path = write_file(name, content)
    with pytest.raises(SourceError) as caught:
        read_article(path)
    assert reason in str(caught.value)


def test_unreadable_file(write_file, monkeypatch):
    path = write_file("locked.md", "# Title\n\nText.")

    real_open = os.open

    def refuse(name, *args, **kwargs):
        if Path(name) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(SourceError, match=r"cannot be read \(Permission denied\)"):
        read_article(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SourceError, match="cannot be read"):
        read_article(tmp_path / "gone.md")
    folder = tmp_path / "folder.md"
    folder.mkdir()
    with pytest.raises(SourceError, match="is a folder"):
        read_article(folder)


def test_too_large_file(write_file):
    path = write_file("huge.md", "")
    with path.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)
    with pytest.raises(SourceError, match=r"is too large \(21.0 MB; the limit is 20 MB\)"):
        read_article(path)


def test_utf8_byte_order_mark_and_crlf_are_accepted():
    text = decode(b"\xef\xbb\xbf# Title\r\n\r\nBody.\r\n")
    assert parse_article(text, "markdown").text == "Title\nBody."
