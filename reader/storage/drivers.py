"""Database drivers loaded when a library needs them, not when peewee is imported.

`reader/__init__.py` keeps peewee from importing the PostgreSQL and MySQL drivers it
looks for at its own import (they cost more than the rest of a command's start-up).
`psycopg()` loads psycopg 3 on the first PostgreSQL library and hands it to peewee,
exactly as peewee would have bound it at import.
"""

from __future__ import annotations

import sys
from types import ModuleType

from reader import DEFERRED_DRIVERS


def _forget_placeholders() -> None:
    for name in DEFERRED_DRIVERS:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]


def psycopg_installed() -> bool:
    """Whether psycopg 3 can be loaded (found on the path; nothing is imported)."""
    from importlib.machinery import PathFinder

    return PathFinder.find_spec("psycopg") is not None


def psycopg() -> ModuleType:
    """psycopg 3, bound into peewee (PostgresqlDatabase then uses it). Raises
    ImportError with the package to install when it is missing."""
    _forget_placeholders()
    try:
        import psycopg as driver
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json, Jsonb
    except ImportError as error:
        raise ImportError(
            "PostgreSQL libraries need the psycopg package (pip install 'psycopg[binary]'): "
            f"{error}") from error
    import peewee

    if peewee.psycopg is None:
        peewee.psycopg = driver
        peewee.TransactionStatus = TransactionStatus
        peewee.Json_pg3, peewee.Jsonb_pg3 = Json, Jsonb
        adapter = peewee.Psycopg3Adapter
        adapter.txn_idle = TransactionStatus.IDLE
        adapter.txn_inerror = TransactionStatus.INERROR
        adapter.txn_unknown = TransactionStatus.UNKNOWN
    return driver
