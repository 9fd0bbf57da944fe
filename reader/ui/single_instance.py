"""One window per library: a second launch hands its request to the running instance.

The first instance listens on a local socket named after the user and the library file.
A later `marginalia [--db PATH] [LINK | FILE]` connects, sends one JSON line
(`{"target": "marginalia://…"}`, or `{"target": null}` for "just show the window"), waits
for `{"ok": true}` and exits; the running window comes to the front and opens the target.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

SERVER_PREFIX = "marginalia-"
CONNECT_TIMEOUT_MS = 1000
# A running instance answers at once from its event loop; this much allows for one that
# is still starting (opening, upgrading or seeding its library) when the request comes.
ANSWER_TIMEOUT_MS = 5000
CLIENT_TIMEOUT_MS = 5000  # a client that connects and says nothing is dropped after this
MAX_REQUEST_BYTES = 64 * 1024
# Unix socket paths are limited to 104–108 bytes; longer ones fall back to Qt's temp folder.
MAX_SOCKET_PATH = 100
# For tests only: when set, the app appends one JSON line per event ("ready" when the
# window is up, "request" for each request handled) to this file, so a test can watch
# a real process. Nothing else reads or writes it.
TRACE_ENV = "MARGINALIA_TRACE_FILE"

log = logging.getLogger(__name__)

Request = str | None  # a marginalia:// link or an absolute file path; None: show the window


def server_name(library_path: Path) -> str:
    """The socket name for this user and library: short, stable, and private.

    On Linux the socket goes in $XDG_RUNTIME_DIR (a folder only the user can enter).
    Without one, it goes in a folder of the user's own in the temp folder, made with mode
    0700 and checked for owner and mode before each use: a socket at a predictable name
    in a shared /tmp could be taken first by another user, who would then receive this
    user's file paths and links. Elsewhere (Windows) it is a bare pipe name.
    """
    resolved = os.path.normcase(str(Path(library_path).expanduser().resolve()))
    key = f"{_user()}\0{resolved}".encode()
    name = SERVER_PREFIX + hashlib.sha256(key).hexdigest()[:16]
    folder = _private_folder()
    if folder is not None:
        path = os.path.join(folder, name)
        if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
            return path
    return name


class NoPrivateFolder(OSError):
    """No folder only this user can enter could be found or made for the socket."""


def _private_folder() -> str | None:
    """$XDG_RUNTIME_DIR, else the user's own 0700 folder in the temp folder (None on
    systems without Unix sockets). NoPrivateFolder when the folder there is not ours."""
    if not hasattr(os, "getuid"):
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return runtime
    folder = os.path.join(tempfile.gettempdir(), f"{SERVER_PREFIX}{os.getuid()}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise NoPrivateFolder(f"cannot make {folder}: {exc.strerror}") from exc
    found = os.lstat(folder)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() \
            or found.st_mode & 0o077:
        raise NoPrivateFolder(
            f"{folder} is not a private folder of this user (owner {found.st_uid}, mode "
            f"{stat.S_IMODE(found.st_mode):o}); not using it")
    return folder


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment or the password database
        return str(os.getuid()) if hasattr(os, "getuid") else ""


def encode_request(target: Request) -> bytes:
    return json.dumps({"target": target}).encode("utf-8") + b"\n"


def decode_request(data: bytes) -> Request:
    """The target of one request line; ValueError if the line is not a valid request."""
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a request: {exc}") from exc
    if not isinstance(message, dict) or "target" not in message:
        raise ValueError("not a request: no target")
    target = message["target"]
    if target is not None and not isinstance(target, str):
        raise ValueError("not a request: the target is not text")
    return target or None


class SingleInstance(QObject):
    """Either hands a request to the instance already running, or becomes that instance.

        instance = SingleInstance(server_name(db_path))
        if instance.try_hand_off(target):
            return 0                      # the running window has it
        instance.listen(on_request)       # we are the first; on_request(target) per launch
    """

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.acknowledged = False  # did the last successful hand-off get an answer in time?
        self._server: QLocalServer | None = None
        self._on_request: Callable[[Request], None] | None = None

    @classmethod
    def for_library(cls, library_path: Path, parent: QObject | None = None) -> SingleInstance:
        """The instance for this library; without a private place for the socket, one
        that neither hands off nor listens (this launch simply opens its own window)."""
        try:
            return cls(server_name(library_path), parent)
        except NoPrivateFolder as exc:
            log.warning("one window per library is off: %s", exc)
            return cls("", parent)

    # --- the second launch --------------------------------------------------------------
    def try_hand_off(self, request: Request, timeout_ms: int = ANSWER_TIMEOUT_MS) -> bool:
        """Send the request to a running instance; False if none is listening.

        True means the running instance has the request and this process should exit.
        `acknowledged` says whether it also answered within timeout_ms (one that is busy
        still reads the request when it gets to it).
        Blocking, and needs no QApplication. Qt keeps Python's GIL while it waits, so the
        listening side must be another process (a thread of this one could not answer).
        """
        self.acknowledged = False
        if not self.name:
            return False
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            # Nobody there, or a socket file left behind by an instance that crashed.
            return False
        socket.write(encode_request(request))
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        answer = bytearray()
        deadline = time.monotonic() + timeout_ms / 1000
        while b"\n" not in answer:
            remaining = int((deadline - time.monotonic()) * 1000)
            if remaining <= 0 or not socket.waitForReadyRead(remaining):
                break
            answer += bytes(socket.readAll().data())
        self.acknowledged = _is_acknowledgement(bytes(answer))
        socket.abort()
        return True

    # --- the first instance -------------------------------------------------------------
    def listen(self, on_request: Callable[[Request], None]) -> bool:
        """Serve requests from later launches; on_request(target) runs in the event loop.

        A socket left behind by a crashed instance is removed; a live one is never taken
        over (False is returned instead).
        """
        self.close()
        self._on_request = on_request
        if not self.name:
            return False
        # A live instance is never taken over; a socket left by a crashed one is removed.
        # (Asked first: with UserAccessOption Qt puts its socket in place by renaming,
        # which would replace a live one instead of failing with AddressInUse.)
        if self._someone_listens():
            log.warning("another instance already listens on %s", self.name)
            return False
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        # Owner-only permissions on the socket file, inside a folder of the user's own.
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("cannot listen on %s: %s", self.name, server.errorString())
            return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def is_listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    def full_server_name(self) -> str:
        """Where the socket lives (a file path on Unix), or "" when not listening."""
        return self._server.fullServerName() if self._server is not None else ""

    def close(self) -> None:
        """Stop listening (this removes the socket file)."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _someone_listens(self) -> bool:
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        alive = probe.waitForConnected(CONNECT_TIMEOUT_MS)
        probe.abort()
        return alive

    def _accept(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            _serve(server.nextPendingConnection(), self._deliver)

    def _deliver(self, request: Request) -> None:
        if self._on_request is not None:
            self._on_request(request)


def _serve(socket: QLocalSocket, deliver: Callable[[Request], None]) -> None:
    """Read one request line from a client, answer it, then hand the request on."""
    buffer = bytearray()
    done = False

    def read() -> None:
        nonlocal done
        if done:
            return
        buffer.extend(bytes(socket.readAll().data()))
        if b"\n" not in buffer and len(buffer) <= MAX_REQUEST_BYTES:
            return
        done = True
        line = bytes(buffer).split(b"\n", 1)[0]
        try:
            request = decode_request(line)
        except ValueError as exc:
            log.warning("ignored a request from another launch: %s", exc)
            _answer(socket, {"ok": False, "error": str(exc)})
            return
        # Answer first: handling may open a dialog, and the other launch is waiting.
        _answer(socket, {"ok": True})
        deliver(request)

    socket.readyRead.connect(read)
    socket.disconnected.connect(read)  # a client that wrote and left at once
    socket.disconnected.connect(socket.deleteLater)
    QTimer.singleShot(CLIENT_TIMEOUT_MS, socket, socket.abort)
    if socket.bytesAvailable():
        read()


def _answer(socket: QLocalSocket, message: dict) -> None:
    if socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
        return
    socket.write(json.dumps(message).encode("utf-8") + b"\n")
    socket.flush()
    socket.disconnectFromServer()


def _is_acknowledgement(answer: bytes) -> bool:
    try:
        message = json.loads(answer.split(b"\n", 1)[0].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(message, dict) and message.get("ok") is True


def bring_to_front(window: QWidget) -> None:
    """Show the window un-minimised and ask the window system to raise and focus it."""
    if window.isMinimized():
        state = window.windowState() & ~Qt.WindowState.WindowMinimized
        if state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            window.setWindowState(state)  # back to maximised, not to a small window
        else:
            window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def trace(event: str, **fields: object) -> None:
    """For tests only: append an event to $MARGINALIA_TRACE_FILE, if it is set."""
    path = os.environ.get(TRACE_ENV)
    if not path:
        return
    record = {"event": event, "pid": os.getpid(), **fields}
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(record) + "\n")
