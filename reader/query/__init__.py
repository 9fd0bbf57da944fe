"""The query language: one way to say which articles or highlights, everywhere.

The search box, `marginalia list --query`, `marginalia search`, `marginalia export
--query` and saved views all take it. `syntax` reads any text into a tree (never an
error), `values` reads dates and numbers, `sql` compiles a tree to one SQL statement,
and `manager.QueryManager` (`library.query`) runs it.
"""

from __future__ import annotations

import re

# Words that make a search more than words: a field, OR, an exclusion, parentheses.
_QUERY_SYNTAX = re.compile(r'[A-Za-z]:|[()"]|(?:^|\s)-\S|(?:^|\s)OR(?:\s|$)')


def is_query(text: str) -> bool:
    """Whether a search uses the query language's syntax, not only words (cheap: neither
    the syntax module, its dataclasses nor the parser are loaded for plain words)."""
    return bool(_QUERY_SYNTAX.search(text))
