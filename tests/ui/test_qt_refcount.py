"""Guard for the PySide6 pin: wrapped calls that return nothing must not leak None's refcount.

PySide6 6.12.0 on Python 3.11 decrements None's reference count on every such call
and the process aborts after a few thousand. This test lets the `<6.12` pin in
pyproject.toml be lifted safely once a fixed release is out.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QTextCursor, QTextDocument

CALLS = 10_000


def test_none_refcount_does_not_drift_across_qt_calls(qapp):
    document = QTextDocument()
    document.setPlainText("marginalia " * 100)
    cursor = QTextCursor(document)
    # Warm up caches so that only a real leak shows.
    for i in range(100):
        cursor.setPosition(i)
    before = sys.getrefcount(None)
    for i in range(CALLS):
        cursor.setPosition(i % 1000)  # returns nothing
        cursor.clearSelection()  # returns nothing
    drift = sys.getrefcount(None) - before
    assert abs(drift) < 100, f"None's reference count moved by {drift} over {CALLS} calls"
