"""Feeds in the window: subscribing, refreshing (by hand, and by itself in the background),
unsubscribing, OPML in and out. Every network call runs in the operation runner; the
window never waits for a feed.

The background refresh: a few seconds after the window is first shown, and then once a
minute, the feeds that are due (each is checked `feed_interval_minutes` after its last
check, later while it keeps failing) are refreshed in a LibraryOp without a progress
dialog. Being offline is normal: a feed that fails gets a mark in the sidebar, never a
dialog. One refresh runs at a time.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from reader.library import Library, LibraryError
from reader.records import Changes, FeedRefreshReport, OpmlImportReport
from reader.settings import Settings, setting
from reader.ui.change_bus import ChangeBus
from reader.ui.operations import LibraryOp, Progress, QueryOp, report_error
from reader.ui.plain import isolate, message_box, plain_label

START_DELAY_MS = 4000  # after the window is first shown: never in the way of its first paint
CHECK_MS = 60_000  # how often the window looks for feeds that are due
STATUS_MS = 10000
MAX_OPML_BYTES = 5 * 1024 * 1024
_log = logging.getLogger(__name__)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


# --- questions, each behind a classmethod that tests replace ---------------------------------

class FeedAddress(QDialog):
    """Asks for the address of a feed, or of a page that names its feed."""

    def __init__(self, parent: QWidget | None, initial: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Subscribe to a feed")
        layout = QVBoxLayout(self)
        prompt = plain_label("Address of the feed, or of a page of the site:")
        layout.addWidget(prompt)
        self.address = QLineEdit(initial)
        self.address.setPlaceholderText("https://…")
        layout.addWidget(self.address)
        self.problem = plain_label(clipped=True)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Subscribe")
        buttons.accepted.connect(self._accept_if_given)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 140)

    def _accept_if_given(self) -> None:
        if not self.address.text().strip():
            self.problem.setText("Give the address of a feed or a web page (http or https).")
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, initial: str = "") -> str | None:
        """The address given, or None when cancelled."""
        dialog = cls(parent, initial)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.address.text().strip()


class ConfirmUnsubscribe:
    @classmethod
    def ask(cls, parent: QWidget | None, name: str, articles: int) -> bool:
        kept = (f"Its {_plural(articles, 'article')} stay in your library, with their "
                "highlights and notes." if articles else "It brought in no articles.")
        box = message_box(QMessageBox.Icon.Question, "Unsubscribe",  # a feed names itself
                          f"Unsubscribe from “{isolate(name)}”? {kept}", parent=parent)
        confirm = box.addButton("Unsubscribe", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is confirm


class OpmlFile:
    """Where to read or write a list of subscriptions."""

    FILTER = "OPML subscription lists (*.opml *.xml);;All files (*)"

    @classmethod
    def ask_open(cls, parent: QWidget | None) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Import subscriptions", "", cls.FILTER)
        return Path(name) if name else None

    @classmethod
    def ask_save(cls, parent: QWidget | None) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, "Export subscriptions",
                                              "marginalia-feeds.opml", cls.FILTER)
        return Path(name) if name else None


class FeedProblem:
    """Says what went wrong, in plain text (a server's words are strangers')."""

    @classmethod
    def show(cls, parent: QWidget, title: str, text: str, details: list[str] | None = None) -> None:
        message_box(QMessageBox.Icon.Warning, title, text, "\n".join(details or ()),
                    parent=parent).open()


# --- the controller ---------------------------------------------------------------------------

class FeedController(QObject):
    """The window's feed work. `refresh_due()` is what the timers call."""

    def __init__(self, window: QMainWindow, library: Library, bus: ChangeBus,
                 preferences: Settings | None = None) -> None:
        super().__init__(window)
        self._window, self._library, self._bus = window, library, bus
        self._preferences = preferences
        self._refresh_op: QueryOp | None = None
        self._ops: list[QueryOp] = []  # subscribing, unsubscribing, OPML
        self.check_timer = QTimer(self)
        self.check_timer.setInterval(CHECK_MS)
        self.check_timer.timeout.connect(self.refresh_due)
        self.start_timer = QTimer(self)
        self.start_timer.setSingleShot(True)
        self.start_timer.setInterval(START_DELAY_MS)
        self.start_timer.timeout.connect(self.refresh_due)
        window.installEventFilter(self)
        # The list's header names the chosen feed, as the feed names itself: plain text.
        window.list_header.setTextFormat(Qt.TextFormat.PlainText)
        feed_list = window.feed_sidebar.list
        feed_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        feed_list.customContextMenuRequested.connect(self._context_menu)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        """The timers run while the window is open: from its first showing to its close
        (after which no refresh may start: the library is about to close)."""
        if watched is self._window:
            if event.type() == QEvent.Type.Show and not self.check_timer.isActive():
                self.start_timer.start()
                self.check_timer.start()
            elif event.type() == QEvent.Type.Close:
                self.start_timer.stop()
                self.check_timer.stop()
        return False

    CONTEXT_COMMANDS = ("feeds.refresh", "feeds.remove", "feeds.subscribe")

    def context_menu(self) -> QMenu:
        """The feed list's menu: the Feeds menu's commands that concern a feed, enabled
        by their conditions now."""
        menu = QMenu(self._window.feed_sidebar.list)
        for text in self.CONTEXT_COMMANDS:
            self._window.actions.refresh(text)
            menu.addAction(self._window.actions.menu_actions[text])
        return menu

    def _context_menu(self, point) -> None:
        sidebar = self._window.feed_sidebar
        index = sidebar.list.indexAt(point)
        if index.isValid():
            sidebar.list.setCurrentIndex(index)  # the feed the menu is about is chosen
        menu = self.context_menu()
        menu.exec(sidebar.list.viewport().mapToGlobal(point))
        menu.deleteLater()

    def interval_minutes(self) -> int:
        if self._preferences is None:
            return int(setting("feed_interval_minutes").default)
        return int(self._preferences.get("feed_interval_minutes"))

    def is_refreshing(self) -> bool:
        return self._refresh_op is not None and self._refresh_op.running

    def is_busy(self) -> bool:
        return self.is_refreshing() or any(op.running for op in self._ops)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running work is over and delivered (for tests)."""
        for op in [self._refresh_op, *self._ops]:
            if op is not None:
                op.wait(timeout)

    def _status(self, message: str) -> None:
        self._window.statusBar().showMessage(message, STATUS_MS)

    def _writable(self) -> bool:
        return self._window.why_not("feeds.refresh") is None

    # --- refreshing -------------------------------------------------------------------
    def refresh_due(self) -> bool:
        """Refresh the feeds that are due, quietly (no dialog; the status bar says when
        articles came). False when none are due, one runs, or the library is read-only."""
        if self.is_refreshing() or not self._writable():
            return False
        try:
            due = self._library.feeds.due()
        except LibraryError as exc:
            _log.warning("The feeds due could not be read: %s", exc)
            return False
        return bool(due) and self._refresh(due, quiet=True)

    def refresh_all(self) -> bool:
        """Refresh every feed now, with a progress dialog whose Cancel stops it."""
        reason = self._window.why_not("feeds.refresh")
        if reason is not None:
            self._status(reason)
            return False
        if self.is_refreshing():
            self._status("The feeds are being refreshed already.")
            return False
        listed = self._window.feed_sidebar.model
        if not listed.loading and not listed.rowCount():
            self._status("You follow no feeds yet: Feeds › Subscribe to a feed…")
            return False
        return self._refresh(None, quiet=False)

    def _refresh(self, ids: list[int] | None, quiet: bool) -> bool:
        """Refresh these feeds (None: every feed, listed in the worker)."""
        library, interval = self._library, self.interval_minutes()

        def job(progress: Progress) -> FeedRefreshReport:
            def report(done: int, total: int) -> None:
                if not progress.cancelled():
                    progress(done, total)

            wanted = ids if ids is not None else [feed.id for feed in library.feeds.list()]
            return library.feeds.refresh(wanted, interval_minutes=interval,
                                         cancelled=progress.cancelled, progress=report)

        op = LibraryOp(self._window, library, job, self._bus,
                       changes=lambda report: report.changes() | Changes(feeds=True))
        op.success(lambda report: self._refreshed(report, quiet))
        op.failure(lambda error: self._refresh_failed(error, quiet))
        if quiet:
            op.on_progress(lambda _done, _total: None)  # cancellable when the window closes
        else:
            op.with_progress("Refreshing feeds…")
            self._status("Refreshing feeds…")
        self._refresh_op = op.run()
        return True

    def _refreshed(self, report: FeedRefreshReport, quiet: bool) -> None:
        added = len(report.added)
        if quiet:
            if added:
                self._status(f"{_plural(added, 'new article')} from feeds")
            return
        self._status(f"Feeds: {report.summary()}")

    def _refresh_failed(self, error: Exception, quiet: bool) -> None:
        if not isinstance(error, LibraryError):
            report_error(error)
            return
        _log.warning("Refreshing feeds failed: %s", error)
        if not quiet:
            self._status(f"The feeds could not be refreshed: {_one_line(error)}")

    # --- subscribing and unsubscribing -------------------------------------------------
    def subscribe(self, url: str) -> bool:
        """Subscribe (finding the feed a page names) and bring in its articles, in the
        background; then choose the feed in the sidebar. Errors: one plain line."""
        reason = self._window.why_not("feeds.subscribe")
        if reason is not None:
            self._status(reason)
            return False
        library, interval = self._library, self.interval_minutes()

        def job(progress: Progress) -> tuple[int, FeedRefreshReport]:
            feed_id = library.feeds.subscribe(url, cancelled=progress.cancelled)
            return feed_id, library.feeds.refresh([feed_id], interval_minutes=interval,
                                                  cancelled=progress.cancelled)

        self._status(f"Subscribing to {url}…")
        self._start(LibraryOp(
            self._window, library, job, self._bus,
            changes=lambda found: found[1].changes() | Changes(feeds=True),
        ).with_progress("Subscribing to the feed…").success(self._subscribed).failure(
            lambda error: self._failed("Subscribe to a feed", "Could not subscribe", error)
        ).on_cancel(lambda: self._bus.announce(Changes(feeds=True))))
        return True

    def _subscribed(self, found: tuple[int, FeedRefreshReport]) -> None:
        feed_id, report = found
        outcome = report.outcomes[0] if report.outcomes else None
        name = (outcome.title or outcome.url) if outcome is not None else "the feed"
        if report.failed:
            self._status(f"Subscribed to {name}, but it could not be read: "
                         f"{report.failed[0].error}")
        else:
            self._status(f"Subscribed to {name}: {_plural(len(report.added), 'new article')}.")
        self._window.feed_sidebar.select_feed(feed_id)  # once the sidebar has read it

    def remove(self, feed_id: int) -> bool:
        """Unsubscribe, once confirmed; the feed's articles stay."""
        reason = self._window.why_not("feeds.refresh")  # writable; the feed is given
        if reason is not None:
            self._status(reason)
            return False
        record = self._window.feed_sidebar.model.record(feed_id)
        if record is None:
            return False
        articles = len(self._library.feeds.article_ids(feed_id))
        if not ConfirmUnsubscribe.ask(self._window, record.name, articles):
            return False
        library = self._library
        self._start(LibraryOp(
            self._window, library, lambda: library.feeds.remove(feed_id), self._bus,
            changes=lambda changes: changes | Changes(feeds=True),
        ).success(lambda _changes: self._status(
            f"Unsubscribed from {record.name}."
            + (" Its articles stay in your library." if articles else "")
        )).failure(lambda error: self._failed("Unsubscribe", "Could not unsubscribe", error)))
        return True

    # --- OPML ---------------------------------------------------------------------------
    def import_opml(self, path: Path) -> bool:
        reason = self._window.why_not("feeds.import-opml")
        if reason is not None:
            self._status(reason)
            return False
        library = self._library

        def job() -> OpmlImportReport:
            with path.open("rb") as file:
                data = file.read(MAX_OPML_BYTES + 1)
            if len(data) > MAX_OPML_BYTES:
                raise LibraryError(f"{path.name} is over {MAX_OPML_BYTES // 2**20} MB: "
                                   "no list of subscriptions is that long.")
            return library.feeds.import_opml(data)

        self._start(LibraryOp(
            self._window, library, job, self._bus,
            changes=lambda report: Changes(feeds=bool(report.added)),
        ).success(self._imported).failure(
            lambda error: self._failed("Import subscriptions", f"Could not import {path.name}",
                                       error)))
        return True

    def _imported(self, report: OpmlImportReport) -> None:
        self._status(f"Subscriptions: {report.summary()}")
        if report.problems:
            FeedProblem.show(self._window, "Import subscriptions", report.summary(),
                             [str(problem) for problem in report.problems])
        if report.added:
            self.refresh_due()  # the new feeds are due; if a refresh runs, the next tick

    def export_opml(self, path: Path) -> bool:
        from reader.files import write_file

        library = self._library

        def job() -> int:
            write_file(path, library.feeds.export_opml())
            return len(library.feeds.list())

        self._start(QueryOp(self._window, library, job).success(
            lambda count: self._status(f"Exported {_plural(count, 'feed')} to {path}")
        ).failure(lambda error: self._failed("Export subscriptions",
                                             f"Could not write {path.name}", error)))
        return True

    # --- shared -------------------------------------------------------------------------
    def _start(self, op: QueryOp) -> None:
        self._ops = [o for o in self._ops if o.running]
        self._ops.append(op.run())

    def _failed(self, title: str, lead: str, error: Exception) -> None:
        if not isinstance(error, (LibraryError, OSError)):
            report_error(error)
            return
        line = f"{lead}: {_one_line(error)}"
        self._status(line)
        FeedProblem.show(self._window, title, line)


# --- the commands (a mixin of MainWindow, as WindowCommands is) --------------------------------

class FeedCommands:
    """The `feeds.*` handlers and the "feed" condition; `self` is the MainWindow."""

    def condition_holds(self, name: str) -> bool:
        if name == "feed":
            return self.feed_sidebar.current_feed() is not None
        return super().condition_holds(name)

    def cmd_feeds_subscribe(self) -> None:
        from reader.ui.saving import addresses_in

        found = addresses_in(QApplication.clipboard().text())
        url = FeedAddress.ask(self, found[0] if len(found) == 1 else "")
        if url:
            self.feeds.subscribe(url)

    def cmd_feeds_refresh(self) -> None:
        self.feeds.refresh_all()

    def cmd_feeds_remove(self) -> None:
        feed_id = self.feed_sidebar.current_feed()
        if feed_id is not None:
            self.feeds.remove(feed_id)

    def cmd_feeds_import_opml(self) -> None:
        path = OpmlFile.ask_open(self)
        if path is not None:
            self.feeds.import_opml(path)

    def cmd_feeds_export_opml(self) -> None:
        path = OpmlFile.ask_save(self)
        if path is not None:
            self.feeds.export_opml(path)

    def _filter_by_feed(self, feed_id: int | None) -> None:
        """A feed chosen in the sidebar: list its articles (no tag); None: every article."""
        if feed_id is None:
            self.tag_sidebar.select_tag(None, notify=False)
        else:
            self.tag_sidebar.clear_choice()
        left = self.leave_view() if feed_id is not None else {}  # a feed or a view, not both
        self._keep_current_after(lambda: self.model.set_filters(tag=None, feed=feed_id, **left))
