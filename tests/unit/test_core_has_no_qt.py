"""The core must work without Qt: importing it never loads PySide6."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import reader


def test_core_modules_do_not_load_qt():
    core = [m.name for m in pkgutil.walk_packages(reader.__path__, "reader.")
            if not m.name.startswith("reader.ui") and not m.name.endswith("__main__")]
    assert "reader.library" in core and "reader.cli.main" in core
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
