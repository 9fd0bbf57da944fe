"""The look of the window: the light, sepia and dark themes, fonts and the stylesheet.

The module-level colour names below always hold the current theme's colours: widgets
read them when they paint, so switching the theme (`use`) recolours everything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from reader.paths import resources_dir


@dataclass(frozen=True)
class Theme:
    TEXT: str
    MUTED: str
    QUOTE: str
    LINK: str
    PAPER: str  # the reading pane
    SIDEBAR: str  # the list, the panel, bars
    SELECTION: str  # the chosen row
    ACCENT: str  # focus marks
    CODE_BACKGROUND: str
    FOCUS_BAND: str  # behind the paragraph that has the keyboard focus
    BORDER: str
    FIELD: str  # text fields
    TEXT_SELECTION: str  # selected text
    HIGHLIGHT_ALPHA: int = 120  # highlight tints are translucent so that overlaps show
    ACTIVE_ALPHA: int = 200  # the highlight at the focus


THEMES = {
    "light": Theme("#2b2a27", "#7a756c", "#55524c", "#2f5f8a", "#fbfaf6", "#f1eee7", "#e3dccb",
                   "#b4532a", "#f0ede6", "#f1ece0", "#d9d3c6", "#ffffff", "#bcd4f0"),
    "sepia": Theme("#3b2f21", "#857560", "#5c4d3a", "#7a4b1e", "#f4ecd8", "#ebe1c8", "#ddceaa",
                   "#a5522a", "#ebe0c6", "#ece0c4", "#d3c4a2", "#fbf6e9", "#d9c79c"),
    "dark": Theme("#dcd9d2", "#948f86", "#b9b4aa", "#8fb8e8", "#1f2023", "#27282c", "#3a3c42",
                  "#e08a5f", "#2b2c30", "#2a2b30", "#44464d", "#2c2d31", "#2f4a6b", 80, 130),
}
DEFAULT_THEME = "light"

TEXT = MUTED = QUOTE = LINK = PAPER = SIDEBAR = SELECTION = ACCENT = ""
CODE_BACKGROUND = FOCUS_BAND = BORDER = FIELD = TEXT_SELECTION = ""
HIGHLIGHT_ALPHA = ACTIVE_ALPHA = 0
current = DEFAULT_THEME


def use(name: str) -> None:
    """Make `name` the current theme (its colours become this module's colour names)."""
    global current
    current = name if name in THEMES else DEFAULT_THEME
    globals().update(asdict(THEMES[current]))


use(DEFAULT_THEME)

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
    """The application stylesheet from resources/, with the current theme filled in."""
    text = (resources_dir() / "style.qss").read_text(encoding="utf-8")
    # Longest names first, so that @TEXT does not eat the start of @TEXT_SELECTION.
    for name, value in sorted(asdict(THEMES[current]).items(), key=lambda kv: -len(kv[0])):
        text = text.replace("@" + name, str(value))
    return text


def apply(app: QApplication, name: str) -> None:
    """Switch the whole application to theme `name`: colours, palette and stylesheet."""
    use(name)
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, SIDEBAR), (QPalette.ColorRole.Base, FIELD),
                         (QPalette.ColorRole.AlternateBase, SIDEBAR),
                         (QPalette.ColorRole.Text, TEXT), (QPalette.ColorRole.WindowText, TEXT),
                         (QPalette.ColorRole.Button, SIDEBAR), (QPalette.ColorRole.ButtonText, TEXT),
                         (QPalette.ColorRole.Highlight, TEXT_SELECTION),
                         (QPalette.ColorRole.HighlightedText, TEXT),
                         (QPalette.ColorRole.PlaceholderText, MUTED),
                         (QPalette.ColorRole.ToolTipBase, PAPER), (QPalette.ColorRole.ToolTipText, TEXT),
                         (QPalette.ColorRole.Link, LINK)):
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet())
