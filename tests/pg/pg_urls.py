"""Test URLs for other databases of the test server."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def with_database(url: str, name: str, password: str | None = None) -> str:
    """The server URL pointed at another database (and, if given, with a password)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':')[0]}:{password}@{host}"
    return urlunsplit((parts.scheme, netloc, "/" + name, parts.query, parts.fragment))


def as_role(url: str, role: str) -> str:
    """The URL connecting as another role (no password: the test server trusts local
    connections)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, ""))
