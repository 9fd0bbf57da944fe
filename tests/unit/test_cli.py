"""The installed commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reader import __version__
from reader.paths import DB_ENV, default_library_path


def test_console_and_gui_launchers_are_installed():
    bin_dir = Path(sys.executable).parent
    for name in ("marginalia", "marginalia-gui"):
        assert (bin_dir / name).exists(), name
    result = subprocess.run([bin_dir / "marginalia", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"marginalia {__version__}"


def test_default_library_lives_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_library_path() == tmp_path / "data" / "marginalia" / "library.sqlite3"
    monkeypatch.setenv(DB_ENV, str(tmp_path / "elsewhere.sqlite3"))
    assert default_library_path() == tmp_path / "elsewhere.sqlite3"
