"""The Linux menu entry and icons: the entry's text, install/uninstall, the shipped icon files."""

from __future__ import annotations

import configparser
import shutil
import stat
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reader import desktop
from reader.desktop import DesktopError
from reader.paths import resources_dir

ICONS = resources_dir() / "icons"
SVG_NS = "{http://www.w3.org/2000/svg}"
EXPECTED_FILES = {
    "applications/marginalia.desktop",
    "icons/hicolor/scalable/apps/marginalia.svg",
    *(f"icons/hicolor/{n}x{n}/apps/marginalia.png" for n in (16, 32, 48, 64, 128, 256)),
}
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="menu entries are installed on Linux only"
)


def parse_entry(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # desktop entry keys are case-sensitive
    parser.read_string(text)
    assert parser.sections() == ["Desktop Entry"]
    return dict(parser["Desktop Entry"])


def listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()}


def make_launcher(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def launcher(tmp_path) -> Path:
    return make_launcher(tmp_path / "venv" / "bin" / "marginalia-gui")


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture
def tool_calls(monkeypatch) -> list[tuple[str, ...]]:
    """Record the desktop helpers install/uninstall would run, instead of running them."""
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(desktop, "_run_tool", lambda *argv: calls.append(argv) or True)
    return calls


# --- the entry ----------------------------------------------------------------------------


def test_entry_keys_and_values(launcher):
    assert parse_entry(desktop.desktop_entry(launcher)) == {
        "Type": "Application",
        "Version": "1.4",
        "Name": "Marginalia",
        "GenericName": "Article Reader",
        "Comment": "Read articles closely: highlight passages, tag them and write notes "
        "in the margin",
        "Exec": f"{launcher} %u",
        "TryExec": str(launcher),
        "Icon": "marginalia",
        "Terminal": "false",
        "Categories": "Office;Viewer;",
        "MimeType": "text/markdown;text/html;text/plain;x-scheme-handler/marginalia;",
        "StartupWMClass": "marginalia",
        "Keywords": "article;reader;reading;highlight;annotation;notes;margin;markdown;",
    }


def test_a_path_with_spaces_is_quoted_in_exec_but_not_in_tryexec():
    entry = parse_entry(desktop.desktop_entry(Path("/opt/My Apps/marginalia-gui")))
    assert entry["Exec"] == '"/opt/My Apps/marginalia-gui" %u'
    assert entry["TryExec"] == "/opt/My Apps/marginalia-gui"


def test_reserved_characters_are_escaped_inside_the_quotes():
    # Written in the file: quoting escapes (\" \$ \` \\) and then the string escape that
    # doubles every backslash; a literal % becomes %% so it is not taken for a field code.
    entry = parse_entry(desktop.desktop_entry(Path('/opt/a"b$c`d\\e%f/marginalia-gui')))
    assert entry["Exec"] == '"/opt/a\\\\"b\\\\$c\\\\`d\\\\\\\\e%%f/marginalia-gui" %u'
    assert entry["TryExec"] == '/opt/a"b$c`d\\\\e%f/marginalia-gui'


def test_a_plain_path_is_not_quoted():
    assert parse_entry(desktop.desktop_entry(Path("/usr/bin/marginalia-gui")))["Exec"] == (
        "/usr/bin/marginalia-gui %u"
    )


def test_a_path_with_a_newline_is_refused():
    with pytest.raises(DesktopError, match="control characters"):
        desktop.desktop_entry(Path("/opt/a\nb/marginalia-gui"))


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate is not installed (apt: desktop-file-utils)",
)
@pytest.mark.parametrize(
    "exec_path",
    [
        "/home/reader/.venv/bin/marginalia-gui",
        "/home/reader/My Apps (old)/it's & $x/marginalia-gui",
        "/home/reader/café/marginalia-gui",
    ],
)
def test_desktop_file_validate_accepts_the_entry(tmp_path, exec_path):
    entry = tmp_path / "marginalia.desktop"
    entry.write_text(desktop.desktop_entry(Path(exec_path)), encoding="utf-8")
    result = subprocess.run(
        ["desktop-file-validate", str(entry)], check=False, capture_output=True, text=True
    )
    # Not even a hint: the validator prints nothing for an entry it has no remark on.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


# --- install and uninstall --------------------------------------------------------------


@linux_only
def test_install_writes_exactly_the_entry_and_the_icons(launcher, data_home, tool_calls):
    written = desktop.install(exec_path=launcher)
    assert listing(data_home) == EXPECTED_FILES
    assert {p.relative_to(data_home).as_posix() for p in written} == EXPECTED_FILES
    assert len(written) == len(EXPECTED_FILES)
    entry = parse_entry((data_home / "applications/marginalia.desktop").read_text("utf-8"))
    assert entry["Exec"] == f"{launcher} %u"
    assert entry["TryExec"] == str(launcher)
    assert (data_home / "icons/hicolor/scalable/apps/marginalia.svg").read_bytes() == (
        (ICONS / "marginalia.svg").read_bytes()
    )
    assert (data_home / "icons/hicolor/48x48/apps/marginalia.png").read_bytes() == (
        (ICONS / "hicolor/48x48/apps/marginalia.png").read_bytes()
    )
    assert tool_calls == [
        ("update-desktop-database", str(data_home / "applications")),
        ("xdg-mime", "default", "marginalia.desktop", "x-scheme-handler/marginalia"),
    ]


@linux_only
def test_installed_files_are_readable_by_everyone(launcher, data_home, tool_calls):
    for path in desktop.install(exec_path=launcher):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


@linux_only
def test_installing_again_replaces_the_entry(tmp_path, launcher, data_home, tool_calls):
    desktop.install(exec_path=launcher)
    moved = make_launcher(tmp_path / "other place" / "marginalia-gui")
    desktop.install(exec_path=moved)
    assert listing(data_home) == EXPECTED_FILES  # no partial files left behind
    entry = parse_entry((data_home / "applications/marginalia.desktop").read_text("utf-8"))
    assert entry["Exec"] == f'"{moved}" %u'


@linux_only
def test_an_explicit_data_home_wins_over_xdg_data_home(tmp_path, launcher, data_home, tool_calls):
    elsewhere = tmp_path / "elsewhere"
    desktop.install(exec_path=launcher, data_home=elsewhere)
    assert listing(elsewhere) == EXPECTED_FILES
    assert not data_home.exists()


def test_data_home_follows_the_xdg_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert desktop.default_data_home() == tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", "")
    assert desktop.default_data_home() == tmp_path / "home" / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")  # the spec says: ignore it
    assert desktop.default_data_home() == tmp_path / "home" / ".local" / "share"


@linux_only
def test_uninstall_removes_exactly_what_install_wrote(launcher, data_home, tool_calls):
    written = desktop.install(exec_path=launcher)
    unrelated = {
        "applications/other.desktop",
        "applications/mimeinfo.cache",
        "icons/hicolor/48x48/apps/other.png",
        "icons/hicolor/scalable/apps/other.svg",
        "icons/hicolor/48x48/apps/marginalia-old.png",
    }
    for name in unrelated:
        (data_home / name).write_text("not Marginalia's")
    tool_calls.clear()
    removed = desktop.uninstall()
    assert sorted(removed) == sorted(written)
    assert listing(data_home) == unrelated
    assert tool_calls == [("update-desktop-database", str(data_home / "applications"))]
    assert desktop.uninstall() == []


@linux_only
def test_a_missing_launcher_is_named_and_nothing_is_written(tmp_path, data_home, tool_calls):
    missing = tmp_path / "nowhere" / "marginalia-gui"
    with pytest.raises(DesktopError) as caught:
        desktop.install(exec_path=missing)
    assert str(missing) in str(caught.value)
    assert not data_home.exists()
    assert tool_calls == []


@linux_only
def test_the_default_launcher_is_the_gui_script_beside_python(
    tmp_path, monkeypatch, data_home, tool_calls
):
    python = tmp_path / "env" / "bin" / "python"
    monkeypatch.setattr(sys, "executable", str(python))
    monkeypatch.setattr(desktop.sysconfig, "get_path", lambda *args: str(tmp_path / "empty"))
    expected = python.parent / "marginalia-gui"
    with pytest.raises(DesktopError, match="does not exist") as caught:
        desktop.install()
    assert str(expected) in str(caught.value)
    make_launcher(expected)
    desktop.install()
    entry = parse_entry((data_home / "applications/marginalia.desktop").read_text("utf-8"))
    assert entry["Exec"] == f"{expected} %u"


@pytest.mark.parametrize(
    "platform, advice",
    [
        ("win32", "Pin to Start"),
        ("darwin", "not supported yet"),
        ("freebsd14", "only supported on Linux"),
    ],
)
def test_other_platforms_are_refused_with_advice(
    platform, advice, launcher, data_home, monkeypatch, tool_calls
):
    monkeypatch.setattr(sys, "platform", platform)
    with pytest.raises(DesktopError, match=advice):
        desktop.install(exec_path=launcher)
    with pytest.raises(DesktopError, match=advice):
        desktop.uninstall()
    assert not data_home.exists()


@linux_only
def test_missing_or_failing_helpers_do_not_stop_the_install(
    tmp_path, launcher, data_home, monkeypatch
):
    tools = tmp_path / "tools"
    log = tmp_path / "xdg-mime.log"
    make_launcher(tools / "update-desktop-database").write_text("#!/bin/sh\nexit 3\n")
    make_launcher(tools / "xdg-mime").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
    monkeypatch.setenv("PATH", str(tools))
    desktop.install(exec_path=launcher)
    assert log.read_text().split("\n") == [
        "default",
        "marginalia.desktop",
        "x-scheme-handler/marginalia",
        "",
    ]
    monkeypatch.setenv("PATH", str(tmp_path / "no tools here"))
    assert len(desktop.uninstall()) == len(EXPECTED_FILES)


@linux_only
@pytest.mark.skipif(
    shutil.which("update-desktop-database") is None,
    reason="update-desktop-database is not installed (apt: desktop-file-utils)",
)
def test_the_menu_cache_learns_the_link_scheme_and_forgets_it(launcher, data_home, monkeypatch):
    real_which = shutil.which
    # xdg-mime would change the test user's default handlers; only the cache is under test.
    monkeypatch.setattr(
        desktop.shutil,
        "which",
        lambda name, *a, **k: None if name == "xdg-mime" else real_which(name),
    )
    desktop.install(exec_path=launcher)
    cache = data_home / "applications" / "mimeinfo.cache"
    assert "x-scheme-handler/marginalia=marginalia.desktop;" in cache.read_text("utf-8")
    desktop.uninstall()
    assert "marginalia.desktop" not in cache.read_text("utf-8")  # the shared cache stays


# --- the shipped icons ------------------------------------------------------------------


@pytest.mark.parametrize("size", desktop.ICON_SIZES)
def test_each_png_has_its_size_and_an_alpha_channel(size):
    data = (ICONS / "hicolor" / f"{size}x{size}" / "apps" / "marginalia.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, chunk, width, height, depth, colour_type = struct.unpack(">I4sIIBB", data[8:26])
    assert (chunk, length) == (b"IHDR", 13)
    assert (width, height) == (size, size)
    assert (depth, colour_type) == (8, 6)  # 8-bit RGBA: the rounded corners are transparent


def test_the_icon_sizes_are_the_usual_hicolor_ones():
    assert desktop.ICON_SIZES == (16, 32, 48, 64, 128, 256)
    shipped = {p.parent.parent.name for p in (ICONS / "hicolor").glob("*/apps/marginalia.png")}
    assert shipped == {f"{n}x{n}" for n in desktop.ICON_SIZES}


def test_the_svg_is_square_self_contained_and_has_no_text():
    root = ET.parse(ICONS / "marginalia.svg").getroot()
    assert root.tag == f"{SVG_NS}svg"
    x, y, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert (x, y) == (0, 0) and width == height > 0
    assert not list(root.iter(f"{SVG_NS}text")), "text needs fonts the desktop may lack"
    hrefs = [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("href")]
    assert all(h.startswith("#") for h in hrefs), hrefs
