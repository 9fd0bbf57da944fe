"""Marginalia's Qt-free core: the library of articles, their text and annotations."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "Marginalia"
APP_ID = "marginalia"
