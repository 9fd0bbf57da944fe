"""Showing an article fetches nothing, local or remote, and its links cannot navigate the pane.

Every resource request is recorded twice over: at the pane (`ReadingPane.loadResource`)
and at its document (a QTextDocument subclass: `QTextDocument.loadResource` also reads
file: URLs itself when the pane returns nothing). Qt's image handler can bypass both and
load a local image path directly, so the tests also look for a local image's colour in
what the pane paints.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QPixmap,
    QTextCursor,
    QTextDocument,
)

from reader.document.model import Utf16Map
from reader.ui.reading_pane import ReadingPane

# An unusual colour: if any of it is painted, the local image was loaded.
SIGNAL = QColor(12, 250, 77)


def article_markdown(image_path: str) -> str:
    return f"""# A page that would like to fetch things

Remote images: ![remote](https://example.com/a.png) and ![plain](http://example.com/b.png).

Local images: ![local](file://{image_path}), ![absolute]({image_path}) and ![relative](signal.png).

<img src="file:///etc/passwd">

<p>Inline HTML <img src="file://{image_path}"> and <img src="https://example.com/pixel.gif"></p>

Reference style: ![ref][img]

Links: [the web](https://example.org/page), [plain web](http://example.org/),
[a file](file:///etc/passwd) and [a script](javascript:alert(1)).

[img]: https://example.com/ref.png
"""


@pytest.fixture
def signal_image(tmp_path, monkeypatch):
    """A 40×40 image in the signal colour, also reachable as the relative path signal.png."""
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(SIGNAL)
    path = tmp_path / "signal.png"
    assert image.save(str(path))
    monkeypatch.chdir(tmp_path)
    return path


class RecordingDocument(QTextDocument):
    """The pane's document, noting every resource it is asked for and what came back."""

    def __init__(self, parent, loads: list[tuple[str, str, bool]]) -> None:
        super().__init__(parent)
        self.loads = loads

    def loadResource(self, kind, url):
        data = super().loadResource(kind, url)
        self.loads.append(("document", url.toString(), _has_data(data)))
        return data


def _has_data(data) -> bool:
    """Whether a load returned content: an empty result or a blank image is none."""
    if data is None:
        return False
    if isinstance(data, QPixmap):
        data = data.toImage()
    if isinstance(data, QImage):
        if data.isNull():
            return False
        alpha = bytes(data.convertToFormat(QImage.Format.Format_ARGB32).constBits())[3::4]
        return any(alpha)
    if isinstance(data, QByteArray):
        return not data.isEmpty()
    if isinstance(data, (bytes, bytearray, str)):
        return len(data) > 0
    return True


@pytest.fixture
def loads(monkeypatch) -> list[tuple[str, str, bool]]:
    """(where, url, returned data?) for every load, at the pane and at its document."""
    recorded: list[tuple[str, str, bool]] = []
    pane_load = ReadingPane.loadResource

    def recording(self, kind, url):
        data = pane_load(self, kind, url)
        recorded.append(("pane", url.toString(), _has_data(data)))
        return data

    monkeypatch.setattr(ReadingPane, "loadResource", recording)
    return recorded


@pytest.fixture
def pane(qtbot, loads) -> ReadingPane:
    pane = ReadingPane()
    qtbot.addWidget(pane)
    pane.setDocument(RecordingDocument(pane, loads))
    pane.resize(900, 1200)
    with qtbot.waitExposed(pane):
        pane.show()
    return pane


def _painted_signal(pane: ReadingPane) -> bool:
    """Whether a run of signal-coloured pixels appears in what the pane paints."""
    image = pane.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixel = bytes([SIGNAL.blue(), SIGNAL.green(), SIGNAL.red(), 0xFF])
    return pixel * 8 in bytes(image.constBits())


@pytest.fixture
def shown(pane, library, write_file, signal_image):
    """The article, imported into a library and shown the way the window shows it."""
    report = library.import_files([write_file("page.md", article_markdown(str(signal_image)))])
    assert not report.problems
    document = library.articles.document(report.added[0])
    pane.show_document(document)
    return document


def test_showing_an_article_loads_no_image_remote_or_local(pane, shown, loads):
    text_before = pane.plain_text()
    assert not _painted_signal(pane)  # painting lays out every image there is
    assert [load for load in loads if load[2]] == []
    schemes = {QUrl(url).scheme() for _where, url, _data in loads}
    assert not schemes & {"http", "https", "file"}
    assert pane.plain_text() == text_before == shown.text


def test_the_recorders_see_loads_and_the_pane_returns_nothing_for_them(pane, loads):
    # A document the pipeline never makes, to show that the recording works.
    pane.document().setHtml('<p>x <img src="https://example.com/seen.png"></p>')
    pane.grab()
    seen = [(where, data) for where, url, data in loads if url == "https://example.com/seen.png"]
    assert ("pane", False) in seen and ("document", False) in seen


def test_even_html_with_local_images_would_load_nothing(pane, loads, signal_image, tmp_path):
    stylesheet = tmp_path / "style.css"
    stylesheet.write_text("p { color: red }")
    pane.document().setHtml(
        f'<html><head><link rel="stylesheet" type="text/css" href="file://{stylesheet}"></head>'
        f'<body><p>x <img src="file://{signal_image}"> <img src="{signal_image}"> '
        f'<img src="signal.png"></p></body></html>')
    assert not _painted_signal(pane)
    assert [load for load in loads if load[2]] == []


def test_only_web_links_survive_from_markdown_to_the_pane(shown):
    links = {span.link for block in shown.blocks for span in block.spans if span.link}
    assert links == {"https://example.org/page", "http://example.org/"}


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toString()))
    return urls


def test_clicking_a_web_link_opens_the_browser_and_leaves_the_pane(qtbot, pane, shown, opened):
    text_before = pane.plain_text()
    offset = shown.text.index("the web") + 3
    cursor = QTextCursor(pane.document())
    cursor.setPosition(Utf16Map(shown.text).to_utf16(offset))
    pane.setTextCursor(cursor)
    pane.ensureCursorVisible()
    with qtbot.waitSignal(pane.anchorClicked):
        qtbot.mouseClick(pane.viewport(), Qt.MouseButton.LeftButton,
                         pos=pane.cursorRect(cursor).center())
    assert opened == ["https://example.org/page"]
    pane.anchorClicked.emit(QUrl("http://example.org/"))
    assert opened == ["https://example.org/page", "http://example.org/"]
    assert pane.plain_text() == text_before
    assert pane.source().isEmpty()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "page.html"])
def test_other_links_are_refused_and_open_nothing(qtbot, pane, shown, opened, url):
    text_before = pane.plain_text()
    with qtbot.waitSignal(pane.link_refused) as refused:
        pane.anchorClicked.emit(QUrl(url))
    assert refused.args == [QUrl(url).toString()]
    assert opened == []
    assert pane.plain_text() == text_before
    assert pane.source().isEmpty()

