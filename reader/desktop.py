"""Adds Marginalia to a Linux desktop's menus: a freedesktop .desktop entry and the app icons.

`install()` writes the entry to $XDG_DATA_HOME/applications and the icons to the user's
hicolor icon theme; `uninstall()` removes exactly those files again. Nothing here needs Qt
or administrator rights.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from reader import APP_ID
from reader.files import write_file
from reader.paths import resources_dir

DESKTOP_FILE = f"{APP_ID}.desktop"
TEMPLATE = f"{APP_ID}.desktop.in"
ICON_SIZES = (16, 32, 48, 64, 128, 256)
LAUNCHER = "marginalia-gui"  # the windowed launcher, [project.gui-scripts] in pyproject.toml
SCHEME_MIME_TYPE = "x-scheme-handler/marginalia"
# %u, not %U: the command line opens one file or link per start, so a file manager that
# is given several files starts Marginalia once for each instead of failing on them all.
FIELD_CODE = "%u"
# Characters the Desktop Entry spec reserves in Exec: an argument holding any of them
# must be double-quoted, and inside the quotes these four take a backslash.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = set('"`$\\')
_TOOL_TIMEOUT_SECONDS = 30


class DesktopError(Exception):
    """Installing or removing the menu entry failed; the message is meant for the user."""


def check_platform(platform: str | None = None) -> None:
    """Raise DesktopError unless this is Linux, saying what to do instead elsewhere."""
    platform = sys.platform if platform is None else platform
    if platform.startswith("linux"):
        return
    if platform.startswith(("win32", "cygwin")):
        raise DesktopError(
            "Desktop menu entries are for Linux. On Windows, pin the launcher instead: "
            f"right-click {default_launcher(platform)} and choose 'Pin to Start' "
            "(or 'Send to › Desktop (create shortcut)')."
        )
    if platform == "darwin":
        raise DesktopError(
            "Adding Marginalia to the macOS Dock or Applications folder is not supported yet; "
            "start it with the `marginalia` command."
        )
    raise DesktopError(f"Desktop menu entries are only supported on Linux, not on {platform}.")


def default_data_home() -> Path:
    """The user's data folder by the XDG rule: $XDG_DATA_HOME if absolute, else ~/.local/share."""
    configured = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative path in the variable is invalid and must be ignored.
    if configured and Path(configured).is_absolute():
        return Path(configured)
    return Path.home() / ".local" / "share"


def default_launcher(platform: str | None = None) -> Path:
    """The installed windowed launcher: `marginalia-gui` beside the running Python.

    On Windows it is `marginalia-gui.exe`, beside python.exe in a virtual environment and
    in its Scripts folder otherwise. Failing those, the interpreter's scripts folders
    (`pip install --user` puts it in ~/.local/bin) are tried. The first candidate is
    returned when none exists, so that an error can name it.
    """
    platform = sys.platform if platform is None else platform
    windows = platform.startswith(("win32", "cygwin"))
    name = f"{LAUNCHER}.exe" if windows else LAUNCHER
    beside_python = Path(sys.executable).parent
    candidates = [beside_python / name]
    if windows:
        candidates.append(beside_python / "Scripts" / name)
    user_scheme = f"{os.name}_user"
    schemes = [None, user_scheme] if user_scheme in sysconfig.get_scheme_names() else [None]
    for scheme in schemes:
        scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        if scripts:
            candidates.append(Path(scripts) / name)
    return next((path for path in candidates if path.is_file()), candidates[0])


def desktop_entry(exec_path: Path) -> str:
    """The text of marginalia.desktop, starting the launcher at exec_path (an absolute path)."""
    text = str(exec_path)
    if any(ord(char) < 0x20 or char == "\x7f" for char in text):
        raise DesktopError(
            f"The launcher path {text!r} holds control characters; a desktop entry cannot name it."
        )
    template = resources_dir() / TEMPLATE
    try:
        entry = template.read_text(encoding="utf-8")
    except OSError as exc:
        raise DesktopError(
            f"The desktop entry template {template} is missing: "
            f"{exc.strerror or exc}. Reinstall Marginalia."
        ) from exc
    values = {
        "EXEC": _escape_string(f"{_quote_exec_argument(text)} {FIELD_CODE}"),
        "TRYEXEC": _escape_string(text),
    }
    # One pass, so a path that happens to contain "@TRYEXEC@" is not substituted twice.
    return re.sub(r"@(EXEC|TRYEXEC)@", lambda match: values[match.group(1)], entry)


def installed_files(data_home_dir: Path | None = None) -> list[Path]:
    """Every file `install` writes (and `uninstall` removes), icons first, the entry last."""
    base = default_data_home() if data_home_dir is None else Path(data_home_dir)
    hicolor = base / "icons" / "hicolor"
    icons = [hicolor / "scalable" / "apps" / f"{APP_ID}.svg"]
    icons += [hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES]
    return [*icons, base / "applications" / DESKTOP_FILE]


def install(exec_path: Path | None = None, data_home: Path | None = None) -> list[Path]:
    """Add Marginalia to the desktop's menus; returns the files written.

    exec_path defaults to the installed `marginalia-gui` launcher and data_home to the
    XDG data folder. The menu database and the marginalia:// handler are updated when
    the desktop's tools for that are installed.
    """
    check_platform()
    launcher = Path(exec_path if exec_path is not None else default_launcher()).absolute()
    if not launcher.is_file():
        raise DesktopError(
            f"The Marginalia launcher {launcher} does not exist. Install Marginalia first "
            "(`make install` in a checkout), or give the launcher's path."
        )
    if not os.access(launcher, os.X_OK):
        raise DesktopError(f"The Marginalia launcher {launcher} is not executable.")
    entry = desktop_entry(launcher).encode("utf-8")
    targets = installed_files(data_home)
    sources = _icon_sources()
    written: list[Path] = []
    # The icons go first, so the menu entry never appears without its icon.
    for source, target in zip(sources, targets[:-1], strict=True):
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise DesktopError(
                f"The icon {source} is missing: {exc.strerror or exc}. Reinstall Marginalia."
            ) from exc
        _write_atomically(target, data)
        written.append(target)
    _write_atomically(targets[-1], entry)
    written.append(targets[-1])
    applications = targets[-1].parent
    _run_tool("update-desktop-database", str(applications))
    _run_tool("xdg-mime", "default", DESKTOP_FILE, SCHEME_MIME_TYPE)
    return written


def uninstall(data_home: Path | None = None) -> list[Path]:
    """Remove the files `install` writes (and nothing else); returns those that were there."""
    check_platform()
    removed: list[Path] = []
    for path in installed_files(data_home):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DesktopError(f"Could not remove {path}: {exc.strerror or exc}.") from exc
        removed.append(path)
    entry = installed_files(data_home)[-1]
    if entry in removed:
        # Drops the entry's MIME types from the folder's cache (the cache is shared, so it stays).
        _run_tool("update-desktop-database", str(entry.parent))
    return removed


def _icon_sources() -> list[Path]:
    icons = resources_dir() / "icons"
    pngs = [icons / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES]
    return [icons / f"{APP_ID}.svg", *pngs]


def _quote_exec_argument(argument: str) -> str:
    # Field codes start with %, so a literal % is written %% whether quoted or not.
    argument = argument.replace("%", "%%")
    if not any(char in _RESERVED for char in argument):
        return argument
    return '"' + "".join("\\" + c if c in _ESCAPED_IN_QUOTES else c for c in argument) + '"'


def _escape_string(value: str) -> str:
    # The spec's string escapes are undone before Exec's quoting rules are applied.
    return value.replace("\\", "\\\\")


def _write_atomically(target: Path, data: bytes) -> None:
    """Write beside the target and rename into place: a reader sees the old file or the new."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Menus and icon themes are read by other processes.
        write_file(target, data, mode=0o644)
    except OSError as exc:
        raise DesktopError(f"Could not write {target}: {exc.strerror or exc}.") from exc


def _run_tool(name: str, *args: str) -> bool:
    """Run a desktop helper if it is installed, quietly; whether it succeeded (never raises)."""
    executable = shutil.which(name)
    if executable is None:
        return False
    try:
        result = subprocess.run(
            [executable, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=_TOOL_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0
