"""Keeps the window honest about its library: a banner when it is read-only or damaged,
the whole-file check after start-up, and a refresh when another process changed it.

- A library opened read-only (its file or folder cannot be written) or found damaged
  gets a banner saying why; the registry's "writable" condition disables every command
  that would change it.
- Damage is looked for before the user's first writes, not only after a crash: the
  whole-file check (SQLite's quick_check; seconds at 100,000 articles) runs in the
  background once the window is up. Damage found then, or met by any read, stops every
  write; the next start offers the newest good backup.
- `marginalia import` in a terminal, or a second Marginalia, may change the library
  while the window is open: SQLite's data_version, read every two seconds, tells, and
  the window's views refresh as after any change.
- On a team library (PostgreSQL) the server says what others commit, as it happens
  (`Library.watch_changes`, LISTEN/NOTIFY): each burst of their changes is announced on
  the bus, on the UI thread, within a moment. When the connection is lost the banner
  says so, what is on screen stays, every command that would write is disabled (nothing
  is queued to be saved later) and the watcher reconnects; once the server is back the
  banner goes and everything is refreshed, since changes made meanwhile were not heard.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from reader.library import Library, LibraryError
from reader.records import Changes
from reader.ui import operations
from reader.ui.change_bus import ChangeBus
from reader.ui.plain import plain_label

POLL_MS = 2000

# Everything a window shows, for a refresh after the connection came back.
EVERYTHING = Changes(article_list=True, tags=True, colours=True, views=True, feeds=True)


class _Relay(QObject):
    """Carries the watcher thread's news to the UI thread (queued signals). It has no
    parent (a window's deletion cannot delete it under the watcher thread): the watcher's
    callbacks keep it alive, and Qt drops a queued signal whose receiver is gone, so a
    late report after the window closed goes nowhere."""

    changed = Signal(object)  # Changes
    lost = Signal(str)  # the reason
    back = Signal()


class LibraryWatch(QObject):
    """Watches one library for the window; `banner` is the label to place above the panes."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QObject) -> None:
        super().__init__(parent)
        self._library, self._bus = library, bus
        self.banner = plain_label()  # it quotes SQLite and the path
        self.banner.setObjectName("libraryBanner")
        self.banner.setWordWrap(True)
        self.banner.setMargin(8)
        self.banner.hide()
        self.lost: str | None = None  # why the connection to the server is lost, while it is
        self._listener: Any = None
        self._timer = QTimer(self)
        if library.on_postgres:
            self._version = None
            self._listen()
        else:
            self._version = self._read_version()
            self._timer.setInterval(POLL_MS)
            self._timer.timeout.connect(self.poll)
            self._timer.start()
        self.update_banner()

    # --- a team library: the server's announcements -------------------------------------
    def _listen(self) -> None:
        relay = self._relay = _Relay()
        queued = Qt.ConnectionType.QueuedConnection
        relay.changed.connect(self._others_changed, queued)
        relay.lost.connect(self._connection_lost, queued)
        relay.back.connect(self._connection_back, queued)
        # The callbacks hold the relay: it lives as long as the watcher thread may call.
        self._listener = self._library.watch_changes(
            lambda changes: relay.changed.emit(changes), lambda reason: relay.lost.emit(reason),
            lambda: relay.back.emit())
        parent = self.parent()
        if isinstance(parent, QWidget):
            parent.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    @property
    def listening(self) -> bool:
        """Whether the server's announcements are being listened to (a team library whose
        window is open)."""
        return self._listener is not None and self._listener.running

    def stop(self) -> None:
        """Stop listening to the server (the window closed); safe to call twice."""
        if self._listener is not None:
            listener, self._listener = self._listener, None
            listener.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Close and watched is self.parent():
            QTimer.singleShot(0, self, self._stop_if_closed)  # once the close went through
        return False

    def _stop_if_closed(self) -> None:
        parent = self.parent()
        if isinstance(parent, QWidget) and not parent.isVisible():
            self.stop()

    def _others_changed(self, changes: Changes) -> None:
        if self._listener is not None:
            self._bus.announce(changes, self)

    def _connection_lost(self, reason: str) -> None:
        self.lost = reason
        self.update_banner()

    def _connection_back(self) -> None:
        self.lost = None
        self.update_banner()
        if self._listener is not None:
            shown = frozenset(self._shown())
            self._bus.announce(EVERYTHING | Changes(articles=shown, highlights=shown), self)

    def check_in_background(self) -> operations.QueryOp | None:
        """Start the whole-file check (not on a read-only library: nothing will write)."""
        if self._library.read_only is not None:
            return None
        return (operations.QueryOp(self, self._library, self._library.check)
                .success(lambda _problem: self.update_banner())
                .failure(lambda _error: self.update_banner())
                .run())

    def writable(self) -> bool:
        library = self._library
        return library.read_only is None and library.damaged is None and self.lost is None

    def update_banner(self) -> None:
        library = self._library
        if self.lost is not None:
            stop = "" if self.lost.endswith(("?", "!", ".")) else "."
            text = (f"Lost the connection to the team library at {library.url}: "
                    f"{self.lost}{stop} What is on screen stays readable; changes cannot be "
                    "saved until it is back. Reconnecting…")
        elif library.damaged is not None:
            text = (f"This library is damaged ({library.damaged}). Nothing will be written to "
                    f"it. You can still read and export; quit and start Marginalia again to "
                    f"restore the newest good backup.")
        elif library.read_only is not None:
            text = (f"This library is open read-only: {library.read_only}. You can read, "
                    f"search and export; nothing can be changed.")
        else:
            text = ""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def poll(self) -> None:
        """Refresh the views if another connection committed since the last poll."""
        self.update_banner()
        if any(isinstance(op, operations.LibraryOp) for op in operations.running()):
            return  # this window is writing (an import, say): it announces that itself
        version = self._read_version()
        if version is None or version == self._version:
            return
        self._version = version
        self._bus.announce(Changes(article_list=True, tags=True, colours=True, views=True,
                                   highlights=frozenset(self._shown())), self)

    def _shown(self) -> set[int]:
        current = getattr(self.parent(), "current_article_id", lambda: None)()
        return {current} if current is not None else set()

    def _read_version(self) -> int | None:
        try:
            return self._library.data_version()
        except LibraryError:
            return None
