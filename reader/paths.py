"""Where Marginalia keeps its files: the default library, and the data that ships with it."""

from __future__ import annotations

import os
from pathlib import Path

from reader import APP_ID

# platformdirs is imported where a folder is asked for: a command given --db needs none.

DB_ENV = "MARGINALIA_DB"
LIBRARY_FILE = "library.sqlite3"

_SOURCE_ROOT = Path(__file__).resolve().parent.parent
_PACKAGED = Path(__file__).resolve().parent / "_data"


def default_library_path() -> Path:
    """The library file used when no --db is given: $MARGINALIA_DB, else the user data folder."""
    from_env = os.environ.get(DB_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_ID, appauthor=False)) / LIBRARY_FILE


def config_dir() -> Path:
    """The user's configuration folder for Marginalia (settings, window state)."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_ID, appauthor=False))


def log_dir() -> Path:
    """The user's log folder for Marginalia."""
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_ID, appauthor=False))


def _shipped(name: str) -> Path:
    # A wheel carries the folder inside the package; a checkout has it beside `reader/`.
    packaged = _PACKAGED / name
    return packaged if packaged.is_dir() else _SOURCE_ROOT / name


def seeds_dir() -> Path:
    """The sample articles imported into a new library."""
    return _shipped("seeds")


def resources_dir() -> Path:
    """Icons, stylesheets and templates."""
    return _shipped("resources")
