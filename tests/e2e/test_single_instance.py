"""One window per library: a second launch hands its request to the first and exits.

The first tests drive real `marginalia` processes; the rest drive `SingleInstance` in
this process (its blocking client then runs on a worker thread, so that the listening
side can answer from the event loop).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

import reader
from reader.links import Link
from reader.settings import Settings
from reader.ui import app as app_module
from reader.ui.main_window import MainWindow
from reader.ui.single_instance import (
    NoPrivateFolder,
    SERVER_PREFIX,
    TRACE_ENV,
    SingleInstance,
    decode_request,
    encode_request,
    server_name,
)

START_TIMEOUT = 30.0  # generous: a loaded CI machine; a healthy start takes about a second
UNIX_SOCKETS = hasattr(socket, "AF_UNIX") and os.name != "nt"


@pytest.fixture
def runtime_dir(monkeypatch):
    """A short, private XDG_RUNTIME_DIR (Unix socket paths must stay short)."""
    path = tempfile.mkdtemp(prefix="mr-")
    monkeypatch.setenv("XDG_RUNTIME_DIR", path)
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


def _child_env() -> dict[str, str]:
    """This environment (conftest has isolated the XDG_* folders), importing this `reader`."""
    env = dict(os.environ)
    source_root = str(Path(reader.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH", "")) if p)
    return env


class Launcher:
    """Starts `python -m reader.cli --db DB ...` with isolated folders and a trace file."""

    def __init__(self, tmp_path: Path, runtime_dir: Path) -> None:
        self.db = tmp_path / "library.sqlite3"
        self.trace = tmp_path / "trace.jsonl"
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.env = _child_env()
        self.env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime_dir))
        self.env[TRACE_ENV] = str(self.trace)
        self.env.pop("MARGINALIA_DB", None)
        self.started: list[subprocess.Popen] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "reader.cli", "--db", str(self.db), *args]

    def start(self, *args: str) -> subprocess.Popen:
        index = len(self.started)
        with open(self.logs / f"{index}.out", "wb") as output:  # the child keeps its own copy
            process = subprocess.Popen(self.command(*args), env=self.env, stdout=output,
                                       stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), check=False, env=self.env, cwd=cwd,
                              capture_output=True, text=True, timeout=START_TIMEOUT)

    def events(self) -> list[dict]:
        if not self.trace.exists():
            return []
        return [json.loads(line) for line in self.trace.read_text().splitlines() if line]

    def wait_for(self, predicate, process: subprocess.Popen) -> dict:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for event in self.events():
                if predicate(event):
                    return event
            if process.poll() is not None:
                output = (self.logs / f"{self.started.index(process)}.out").read_text()
                pytest.fail(f"the first instance exited ({process.returncode}):\n{output}")
            time.sleep(0.05)
        pytest.fail(f"timed out; events so far: {self.events()}")

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@pytest.fixture
def launcher(tmp_path, runtime_dir):
    launcher = Launcher(tmp_path, runtime_dir)
    try:
        yield launcher
    finally:
        launcher.kill_all()


def test_a_second_launch_hands_its_request_to_the_first_and_exits(launcher, write_file):
    first = launcher.start()
    ready = launcher.wait_for(lambda e: e["event"] == "ready", first)
    assert ready["pid"] == first.pid

    link = str(Link(2))
    second = launcher.run(link)
    assert second.returncode == 0, second.stderr
    assert "busy" not in second.stderr  # the first answered in time
    got = launcher.wait_for(lambda e: e["event"] == "request" and e["target"] == link, first)
    assert got["pid"] == first.pid and got["article"] == 2

    # A file named relative to the second launch's folder reaches the first as a full path.
    article = write_file("later.md", "# Read this later\n\nA paragraph worth keeping.\n")
    second = launcher.run(article.name, cwd=article.parent)
    assert second.returncode == 0, second.stderr
    got = launcher.wait_for(lambda e: e["event"] == "request" and e["target"] == str(article),
                            first)
    assert got["article"] not in (None, 1, 2)  # imported as a new article and opened

    # No target: "just show the window" (sent from here, to save a launch).
    assert SingleInstance(server_name(launcher.db)).try_hand_off(None)
    launcher.wait_for(lambda e: e["event"] == "request" and e["target"] is None, first)

    # Only the first instance ever opened a window; every request was handled there.
    assert {e["pid"] for e in launcher.events()} == {first.pid}
    assert first.poll() is None


@pytest.mark.skipif(not UNIX_SOCKETS, reason="socket files exist on Unix only")
def test_a_socket_left_by_a_crashed_instance_does_not_block_start_up(launcher):
    path = server_name(launcher.db)
    assert path.startswith(str(launcher.env["XDG_RUNTIME_DIR"]))
    _leave_stale_socket(path)

    first = launcher.start()
    launcher.wait_for(lambda e: e["event"] == "ready", first)
    client = SingleInstance(path)
    assert client.try_hand_off(str(Link(1)))
    assert client.acknowledged
    launcher.wait_for(lambda e: e["event"] == "request" and e["target"] == str(Link(1)), first)


def _leave_stale_socket(path: str) -> None:
    """A socket file with nobody listening: what an instance that was killed leaves behind."""
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.listen(1)
    stale.close()
    assert os.path.exists(path)


# --- SingleInstance in this process ----------------------------------------------------------


_CLIENT = """
import json, sys
from reader.ui.single_instance import SingleInstance
client = SingleInstance(sys.argv[1])
handed = client.try_hand_off(json.loads(sys.argv[2]))
print(json.dumps([handed, client.acknowledged]))
"""

_RAW_CLIENT = """
import sys
from PySide6.QtNetwork import QLocalSocket
raw = QLocalSocket()
raw.connectToServer(sys.argv[1])
raw.waitForConnected(5000)
raw.write(sys.argv[2].encode() + b"\\n")
raw.waitForBytesWritten(5000)
raw.waitForReadyRead(5000)
sys.stdout.write(bytes(raw.readAll().data()).decode())
"""


def _talk_from_another_process(qtbot, code: str, *args: str) -> str:
    """Run a client in a child process while this one's event loop serves it.

    Not a thread: QLocalSocket's blocking waits keep Python's GIL, so a client thread
    would stop the listening side's Python slots until it timed out.
    """
    child = subprocess.Popen([sys.executable, "-c", code, *args], env=_child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=int(START_TIMEOUT * 1000))
        out, err = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    assert child.returncode == 0, err
    return out


def _hand_off(qtbot, name: str, request) -> list[bool]:
    """[handed off, acknowledged] for a request sent from another process."""
    return json.loads(_talk_from_another_process(qtbot, _CLIENT, name, json.dumps(request)))


@pytest.fixture
def name(tmp_path, runtime_dir) -> str:
    return server_name(tmp_path / "library.sqlite3")


def test_requests_reach_the_listening_instance(qtbot, name):
    server = SingleInstance(name)
    received = []
    assert server.listen(received.append)
    assert server.is_listening()
    assert _hand_off(qtbot, name, "marginalia://open?article=3") == [True, True]
    qtbot.waitUntil(lambda: len(received) == 1)
    assert _hand_off(qtbot, name, None) == [True, True]
    qtbot.waitUntil(lambda: len(received) == 2)
    assert received == ["marginalia://open?article=3", None]
    server.close()


def test_with_nobody_listening_the_hand_off_fails_and_this_launch_starts(name):
    client = SingleInstance(name)
    assert not client.try_hand_off("marginalia://open?article=1")
    assert not client.acknowledged


@pytest.mark.skipif(not UNIX_SOCKETS, reason="socket files exist on Unix only")
def test_a_stale_socket_file_is_replaced_and_closing_removes_it(qtbot, name):
    _leave_stale_socket(name)
    server = SingleInstance(name)
    assert not server.try_hand_off(None)
    received = []
    assert server.listen(received.append)
    assert server.full_server_name() == name
    assert _hand_off(qtbot, name, "marginalia://open?article=5") == [True, True]
    qtbot.waitUntil(lambda: received == ["marginalia://open?article=5"])
    server.close()
    assert not os.path.exists(name)
    assert not server.is_listening()


def test_a_live_instance_is_never_taken_over(qtbot, name):
    first, second = SingleInstance(name), SingleInstance(name)
    to_first, to_second = [], []
    assert first.listen(to_first.append)
    assert not second.listen(to_second.append)
    assert _hand_off(qtbot, name, "marginalia://open?article=7") == [True, True]
    qtbot.waitUntil(lambda: to_first == ["marginalia://open?article=7"])
    assert to_second == []
    first.close()


def test_a_malformed_request_is_answered_with_an_error_and_not_handled(qtbot, name):
    server = SingleInstance(name)
    received = []
    assert server.listen(received.append)
    answer = _talk_from_another_process(qtbot, _RAW_CLIENT, name, "this is not json")
    assert json.loads(answer)["ok"] is False
    assert received == []
    server.close()


def test_requests_are_one_json_line_each_way():
    assert encode_request("marginalia://open?article=1") == \
        b'{"target": "marginalia://open?article=1"}\n'
    assert decode_request(encode_request("/tmp/a b.md").rstrip(b"\n")) == "/tmp/a b.md"
    assert decode_request(encode_request(None)) is None
    assert decode_request(b'{"target": ""}') is None
    for bad in (b"nonsense", b'["target"]', b'{"target": 3}', b"{}", b"\xff"):
        with pytest.raises(ValueError):
            decode_request(bad)


def test_the_server_name_is_per_library_short_and_private(tmp_path, monkeypatch, runtime_dir):
    one = server_name(tmp_path / "a" / "library.sqlite3")
    assert one == server_name(tmp_path / "a" / ".." / "a" / "library.sqlite3")
    assert one != server_name(tmp_path / "b" / "library.sqlite3")
    assert one.startswith(str(runtime_dir) + os.sep + SERVER_PREFIX)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / ("long" * 40)))
    (tmp_path / ("long" * 40)).mkdir()
    assert server_name(tmp_path / "a" / "library.sqlite3").startswith(SERVER_PREFIX)
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    shared = Path(tempfile.mkdtemp(prefix="mt-", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    private = server_name(tmp_path / "a" / "library.sqlite3")
    folder = Path(private).parent
    assert folder == shared / f"{SERVER_PREFIX}{os.getuid()}"
    assert Path(private).name.startswith(SERVER_PREFIX) and len(Path(private).name) == len(
        SERVER_PREFIX) + 16
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.stat().st_uid == os.getuid()
    shutil.rmtree(shared)


@pytest.fixture
def shared_temp(monkeypatch):
    """A fresh temp folder shared like /tmp (mode 1777), short enough for socket paths,
    and no XDG_RUNTIME_DIR."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    folder = Path(tempfile.mkdtemp(prefix="mt-", dir="/tmp"))
    folder.chmod(0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="Unix sockets and users")
def test_without_a_runtime_folder_a_squatted_folder_is_refused(tmp_path, shared_temp):
    """A folder at the predictable name that another user made, or that others can enter,
    is not used: single-instance is off instead of talking to a stranger."""
    shared = shared_temp
    squat = shared / f"{SERVER_PREFIX}{os.getuid()}"
    squat.mkdir(mode=0o777)
    squat.chmod(0o777)
    with pytest.raises(NoPrivateFolder, match="not a private folder"):
        server_name(tmp_path / "library.sqlite3")
    instance = SingleInstance.for_library(tmp_path / "library.sqlite3")
    assert not instance.try_hand_off("marginalia://open?article=1")
    assert not instance.listen(lambda request: None)
    squat.rmdir()
    squat.symlink_to(shared)  # a link to elsewhere is refused too
    with pytest.raises(NoPrivateFolder):
        server_name(tmp_path / "library.sqlite3")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to act as another user")
def test_another_user_can_neither_connect_nor_squat(qtbot, tmp_path, shared_temp):
    name = server_name(tmp_path / "library.sqlite3")
    assert os.path.isabs(name)
    received = []
    instance = SingleInstance(name)
    assert instance.listen(received.append)
    try:
        stranger = (
            "import os, socket, sys\n"
            "os.setgid(65534); os.setuid(65534)\n"
            "s = socket.socket(socket.AF_UNIX)\n"
            "try:\n"
            "    s.connect(sys.argv[1])\n"
            "except PermissionError:\n"
            "    print('refused')\n"
            "else:\n"
            "    s.sendall(b'{\"target\": \"/etc/passwd\"}\\n'); print('connected')\n"
            "try:\n"
            "    os.mkdir(os.path.join(sys.argv[2], 'x'))\n"
            "except PermissionError:\n"
            "    print('cannot squat')\n")
        done = subprocess.run([sys.executable, "-c", stranger, name, str(Path(name).parent)],
                              capture_output=True, text=True, timeout=30)
        qtbot.wait(200)
        assert done.stdout.split() == ["refused", "cannot", "squat"], done.stdout + done.stderr
        assert received == []
    finally:
        instance.close()


def test_a_request_brings_the_window_back_and_opens_its_target(qtbot, seeded_library, tmp_path,
                                                               monkeypatch):
    trace = tmp_path / "trace.jsonl"
    monkeypatch.setenv(TRACE_ENV, str(trace))
    window = MainWindow(seeded_library,
                        QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat),
                        Settings.load(tmp_path / "settings.toml"))
    qtbot.addWidget(window)
    window.show()
    other = next(i for i in seeded_library.articles.ids() if i != window.current_article_id())
    window.showMinimized()
    assert window.isMinimized()
    app_module.handle_request(window, str(Link(other)))
    assert not window.isMinimized() and window.isVisible()
    assert window.current_article_id() == other
    app_module.handle_request(window, None)
    assert window.current_article_id() == other
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert [(e["event"], e["target"], e["article"]) for e in events] == [
        ("request", str(Link(other)), other), ("request", None, other)]


def test_a_file_target_is_made_absolute_before_it_is_handed_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert app_module.portable_target("notes/a.md") == str(tmp_path / "notes" / "a.md")
    assert app_module.portable_target(str(Link(4))) == str(Link(4))
    assert app_module.portable_target(None) is None


def test_the_bookmarklet_link_saves_the_page_in_the_running_window(launcher, httpserver):
    """A browser's bookmarklet opens marginalia://save?url=…; the system starts a second
    Marginalia with it, which hands it to the running window: that window saves the page
    and opens it."""
    from reader.links import SaveLink
    from tests.unit.test_web_save import PARAGRAPHS, page, serve

    url = serve(httpserver, "/bookmarked", page("Saved from the browser", PARAGRAPHS))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        launcher.env.pop(name, None)
    first = launcher.start()
    launcher.wait_for(lambda e: e["event"] == "ready", first)
    link = str(SaveLink(url))
    second = launcher.run(link)
    assert second.returncode == 0, second.stderr
    got = launcher.wait_for(lambda e: e["event"] == "request" and e["target"] == link, first)
    import sqlite3

    conn = sqlite3.connect(launcher.db)
    try:
        rows = conn.execute("SELECT id, title FROM article WHERE url = ?", (url,)).fetchall()
    finally:
        conn.close()
    assert [title for _id, title in rows] == ["Saved from the browser"]
    assert got["article"] == rows[0][0]  # the window shows it
    assert {e["pid"] for e in launcher.events()} == {first.pid}
