"""The look of the window: the calm light theme's colours, fonts and stylesheet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase

from reader.paths import resources_dir

TEXT = "#2b2a27"
MUTED = "#7a756c"
QUOTE = "#55524c"
LINK = "#2f5f8a"
PAPER = "#fbfaf6"
SIDEBAR = "#f1eee7"
SELECTION = "#e3dccb"
ACCENT = "#b4532a"
CODE_BACKGROUND = "#f0ede6"
FOCUS_BAND = "#f1ece0"  # behind the paragraph that has the keyboard focus
LINE_HEIGHT_PERCENT = 150
BODY_POINT_SIZE = 13.0
ALIGN_CENTER = Qt.AlignmentFlag.AlignHCenter

# Comfortable book faces first; DejaVu Serif is on nearly every Linux desktop.
SERIF_FAMILIES = ["Charter", "Iowan Old Style", "Georgia", "Source Serif 4", "Literata",
                  "Noto Serif", "DejaVu Serif", "Times New Roman"]
MONO_FAMILIES = ["JetBrains Mono", "Menlo", "Consolas", "DejaVu Sans Mono", "Liberation Mono"]


def _first_installed(families: list[str], fallback: QFont.StyleHint) -> QFont:
    installed = set(QFontDatabase.families())
    font = QFont()
    for family in families:
        if family in installed:
            font.setFamily(family)
            break
    else:
        font.setStyleHint(fallback)
    return font


def body_font(point_size: float = BODY_POINT_SIZE) -> QFont:
    font = _first_installed(SERIF_FAMILIES, QFont.StyleHint.Serif)
    font.setPointSizeF(point_size)
    return font


def code_font(point_size: float) -> QFont:
    font = _first_installed(MONO_FAMILIES, QFont.StyleHint.Monospace)
    font.setPointSizeF(max(point_size, 6.0))
    return font


def stylesheet() -> str:
    """The application stylesheet from resources/, with the palette filled in."""
    text = (resources_dir() / "style.qss").read_text(encoding="utf-8")
    for name, value in {"TEXT": TEXT, "MUTED": MUTED, "PAPER": PAPER, "SIDEBAR": SIDEBAR,
                        "SELECTION": SELECTION, "ACCENT": ACCENT}.items():
        text = text.replace("@" + name, value)
    return text
