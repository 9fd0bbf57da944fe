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
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from reader.library import Library, LibraryError
from reader.records import Changes
from reader.ui import operations
from reader.ui.change_bus import ChangeBus
from reader.ui.plain import plain_label

POLL_MS = 2000


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
        self._version = self._read_version()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()
        self.update_banner()

    def check_in_background(self) -> operations.QueryOp | None:
        """Start the whole-file check (not on a read-only library: nothing will write)."""
        if self._library.read_only is not None:
            return None
        return (operations.QueryOp(self, self._library, self._library.check)
                .success(lambda _problem: self.update_banner())
                .failure(lambda _error: self.update_banner())
                .run())

    def writable(self) -> bool:
        return self._library.read_only is None and self._library.damaged is None

    def update_banner(self) -> None:
        library = self._library
        if library.damaged is not None:
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
