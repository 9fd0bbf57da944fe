"""Text from strangers is plain text: the widgets that show data never read it as HTML.

QLabel, QMessageBox (text and informative text), QInputDialog's label and tooltips guess
the format of what they are given (Qt.AutoText): a tag, a title or a file name such as
`<img src=file:/dev/zero>` would be rendered as HTML, and Qt would read the file as an
image. Everything the UI shows goes through these helpers instead: labels and boxes are
set to Qt.TextFormat.PlainText, and a tooltip that Qt would read as rich text is made of
escaped text (a tooltip has no format of its own to set).
"""

from __future__ import annotations

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMessageBox, QSizePolicy, QWidget

PLAIN = Qt.TextFormat.PlainText


def plain_label(text: str = "", parent: QWidget | None = None, *,
                clipped: bool = False) -> QLabel:
    """A label that shows its text literally, whatever it holds. A `clipped` one (for
    text that holds data) asks for no width of its own: a 10,000-character tag or
    title is cut off at the edge instead of widening the window to fit it."""
    label = QLabel(parent)
    label.setTextFormat(PLAIN)
    label.setText(text)
    if clipped:
        label.setSizePolicy(QSizePolicy.Policy.Ignored, label.sizePolicy().verticalPolicy())
        label.setMinimumWidth(1)
    return label


# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
_OPENERS = frozenset("\u202a\u202b\u202d\u202e")
_ISOLATES = frozenset("\u2066\u2067\u2068")
_BIDI = _OPENERS | _ISOLATES | frozenset("\u202c\u2069")
FSI, PDI = "\u2068", "\u2069"


def isolate(text: str) -> str:
    """`text` set inside a sentence of the UI: if it holds bidi controls, wrapped in an
    isolate (FSI … PDI), so that an unterminated right-to-left override in a tag or a
    title cannot reverse the words after it. Other text is returned as is."""
    if not _BIDI.intersection(text):
        return text
    depth = stray = 0
    for char in text:
        if char in _ISOLATES:
            depth += 1
        elif char == PDI:
            if depth:
                depth -= 1
            else:
                stray += 1  # would close ours: one more isolate for it to close
    # An isolate's PDI ends every embedding and override opened inside it.
    return FSI * (1 + stray) + text + PDI * (depth + 1)


def tooltip(text: str | None) -> str | None:
    """The tooltip that shows `text` literally: as is when Qt would take it for plain
    text, else as rich text made of its escaped characters (which loads nothing)."""
    if not text or ("<" not in text and "&" not in text):
        return text
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def message_box(icon: QMessageBox.Icon, title: str, text: str, informative: str = "",
                buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.NoButton,
                parent: QWidget | None = None) -> QMessageBox:
    """A message box whose text and informative text are shown literally."""
    box = QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(PLAIN)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    _plain_labels(box)
    return box


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """Say something went wrong, modally (QMessageBox.warning, with the text literal)."""
    message_box(QMessageBox.Icon.Warning, title, text, parent=parent,
                buttons=QMessageBox.StandardButton.Ok).exec()


def critical(parent: QWidget | None, title: str, text: str) -> None:
    """QMessageBox.critical, with the text shown literally."""
    message_box(QMessageBox.Icon.Critical, title, text, parent=parent,
                buttons=QMessageBox.StandardButton.Ok).exec()


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """QInputDialog.getText with its label shown literally: the text typed, or None."""
    dialog = QInputDialog(parent)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setTextValue(text)
    _plain_labels(dialog)
    try:
        accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
        return dialog.textValue() if accepted else None
    finally:
        dialog.deleteLater()


def _plain_labels(widget: QWidget) -> None:
    # QMessageBox.setTextFormat does not reach its informative text; QInputDialog has none.
    for label in widget.findChildren(QLabel):
        label.setTextFormat(PLAIN)
