"""The notice shown while a library from an older version is upgraded."""

from __future__ import annotations

import sqlite3

from reader.library import Library
from reader.ui.app import upgrade_notice


def test_an_older_library_gets_a_notice_a_current_one_none(qtbot, library_path, tmp_path):
    with Library.open(library_path):
        pass
    assert upgrade_notice(library_path) is None
    assert upgrade_notice(tmp_path / "new.sqlite3") is None  # created, not upgraded
    not_a_library = tmp_path / "notes.txt"
    not_a_library.write_text("plain text, not SQLite")
    assert upgrade_notice(not_a_library) is None  # opening it reports the problem

    conn = sqlite3.connect(library_path)
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    notice = upgrade_notice(library_path)
    qtbot.addWidget(notice)
    assert notice.isVisible()
    assert "Upgrading your library" in notice.text() and "backup" in notice.text()
