"""Marginalia's Qt-free core: the library of articles, their text and annotations."""

from __future__ import annotations

import sys as _sys

__version__ = "0.1.0"
APP_NAME = "Marginalia"
APP_ID = "marginalia"

# peewee imports every PostgreSQL and MySQL driver it can find as it is itself imported:
# with psycopg installed (for team libraries) that alone costs 60-150 ms, on every start
# of the window and every command, though a personal library never uses it. Until a
# PostgreSQL library is opened (reader.storage.drivers.psycopg() then binds the driver),
# peewee is left to find none. Only when neither peewee nor the drivers are loaded yet.
DEFERRED_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi", "pymysql", "MySQLdb")
if "peewee" not in _sys.modules:
    for _name in DEFERRED_DRIVERS:
        _sys.modules.setdefault(_name, None)  # type: ignore[arg-type]
