"""Starts the application: the QApplication, the library and the main window."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget
from shiboken6 import isValid

from reader import APP_ID, APP_NAME
from reader.links import SaveLink, is_link, parse_link
from reader.paths import resources_dir, config_dir, seeds_dir
from reader.settings import Settings, default_path
from reader.ui import operations, theme
from reader.ui.errors import install_error_handler
from reader.ui.operations import QueryOp
from reader.ui.plain import critical, message_box, plain_label
from reader.ui.single_instance import Request, SingleInstance, bring_to_front, trace

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow


def window_settings() -> QSettings:
    """Window geometry and similar per-user state, in the user's config folder."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def create_application(argv: list[str], theme_name: str = theme.DEFAULT_THEME) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "marginalia.svg")))
    theme.apply(app, theme_name)
    return app


GC_FREEZE_AFTER_MS = 3000


def run(db_path: Path | str, argv: list[str] | None = None, target: str | None = None) -> int:
    """Open the library at db_path (seeding a new one) and run the window until it closes.

    `target` is a marginalia:// link to open at, or an article file to import and open.
    If a window is already open on this library, the target goes to it and this returns 0.

    A postgresql://… URL (a str; a file is a Path) opens a team library on that server.
    What guards a file is skipped there: one window per file (several readers, and
    several windows, share a server's library), the check after a crash, the upgrade
    notice, the session marker and the daily backup (the server's own backups keep it).
    """
    on_server = isinstance(db_path, str)
    # Before anything else (no QApplication, no library): a second launch only forwards.
    instance = SingleInstance("") if on_server else SingleInstance.for_library(db_path)
    if instance.try_hand_off(portable_target(target)):
        if not instance.acknowledged:
            print("marginalia: the open Marginalia window is busy; it will take the request "
                  "when it is free.", file=sys.stderr)
        return 0
    # Imported only now: a launch that just forwards its request skips the library and
    # the window's modules, most of a second of its start-up.
    from reader.library import Library, LibraryError
    from reader.ui.main_window import MainWindow

    preferences = Settings.load(default_path())
    app = create_application(argv if argv is not None else sys.argv[:1],
                             str(preferences.get("theme")))
    errors = install_error_handler(None)
    window: MainWindow | None = None
    early: list[Request] = []  # requests that came before the window did

    def on_request(request: Request) -> None:
        if window is None:
            early.append(request)
        else:
            handle_request(window, request)

    # Listen before opening the library, so a launch during a slow start-up waits for
    # this instance instead of starting another on the same library.
    instance.listen(on_request)
    try:
        # The whole-file check is slow on a large library (2 s at 100,000 articles), so it
        # runs before opening only after a session that did not end cleanly; otherwise
        # the daily backup checks its copy in the background.
        if not on_server and unclean_exit(db_path) and not check_and_repair(db_path):
            return 1
        notice = None if on_server else upgrade_notice(db_path)
        try:
            library = Library.open(db_path)
        except LibraryError as exc:
            print(f"marginalia: {exc}", file=sys.stderr)
            critical(None, APP_NAME, str(exc))
            return 1
        finally:
            if notice is not None:
                notice.close()
        with library:
            report = library.seed_if_new(seeds_dir())
            if not on_server:
                session_marker(db_path).touch()
            window = MainWindow(library, window_settings(), preferences, article_after_paint=True)
            errors.set_parent(window)
            window.show()
            for problem in window.setting_problems():
                print(f"marginalia: {problem}", file=sys.stderr)
            window.show_setting_problems()
            if target:
                open_target(window, target)
            if report and report.problems:
                for problem in report.problems:
                    print(f"marginalia: {problem}", file=sys.stderr)
                window.show_import_problems(report)
            backups = None if on_server else BackgroundBackup(db_path, window)
            if backups is not None:
                backups.start()
                # Damage is looked for before the user's first changes, not only after a
                # crash (the server checks its own pages).
                window.watch.check_in_background()
            for request in early:
                handle_request(window, request)
            trace("ready")
            # What start-up made (modules, the window's widgets and their wrappers) lives
            # as long as the app: kept out of the collector's full passes, which scanned it
            # all again each time, a pause of tens of milliseconds holding the GIL.
            QTimer.singleShot(GC_FREEZE_AFTER_MS, gc.freeze)
            status = app.exec()
            if backups is not None:
                backups.wait()
            operations.drain()  # no job may use the library once it is closed
            # A damaged library keeps it: the next start checks and offers a backup.
            if not on_server and library.damaged is None:
                session_marker(db_path).unlink(missing_ok=True)
            return status
    except Exception as exc:
        errors.log((type(exc), exc, exc.__traceback__))  # a failed start-up is logged too
        raise
    finally:
        instance.close()
        errors.uninstall()


def upgrade_notice(db_path: Path) -> QWidget | None:
    """A small window saying the library is being upgraded, shown (and painted) while a
    library written by an older version is migrated: rebuilding its search index takes
    minutes at 100,000 articles. None when there is nothing to upgrade."""
    from reader.library import Library

    if not Library.needs_upgrade(db_path):
        return None
    notice = plain_label(
        f"Upgrading your library for this version of {APP_NAME}…\n\n"
        "A backup is made first. A large library takes a few minutes, once.")
    notice.setObjectName("upgradeNotice")
    notice.setWindowTitle(APP_NAME)
    notice.setMargin(28)
    notice.show()
    notice.raise_()
    app = QApplication.instance()
    for _ in range(3):  # shown and painted before the upgrade holds this thread
        app.processEvents()
    return notice


def portable_target(target: str | None) -> Request:
    """The target as another process can use it: a file path made absolute."""
    if not target:
        return None
    if is_link(target):
        return target
    return str(Path(target).expanduser().absolute())


def handle_request(window: MainWindow, request: Request) -> None:
    """Another launch asked for this window: bring it to the front and open its target."""
    bring_to_front(window)

    def handled() -> None:
        trace("request", target=request, article=window.current_article_id())

    if request:
        open_target(window, request, handled)
    else:
        handled()


def open_target(window: MainWindow, target: str,
                then: Callable[[], None] | None = None) -> None:
    """Open a marginalia:// link, or import an article file and open it: the new
    article, the newer version of one the library had, or the one it had already.

    The import runs in the background like any other; `then()` once the target is open.
    """
    if is_link(target):
        try:
            link = parse_link(target)
        except ValueError as exc:
            window.statusBar().showMessage(str(exc), 10000)
            if then is not None:
                then()
            return
        if isinstance(link, SaveLink):  # from a browser's bookmarklet
            window.save_addresses([link.url], then=then)
            return
        window.open_link(link)
        if then is not None:
            then()
        return
    if not window.import_paths([Path(target)], open_unchanged=True, then=then,
                               wait_turn=True) and then:
        then()


class RestoreOffer:
    """Asks whether to restore a damaged library from a backup (replaceable in tests)."""

    @classmethod
    def ask(cls, library_path: Path, problem: str, backup: Path | None) -> bool:
        text = f"{library_path} is damaged ({problem}). Marginalia has not changed it."
        if backup is None:
            critical(None, APP_NAME, text + "\n\nThere is no good backup to restore.")
            return False
        box = message_box(
            QMessageBox.Icon.Critical, APP_NAME, text,
            f"Restore the newest good backup, {backup.name}? The damaged file is kept beside it, "
            "renamed, so nothing is lost.")
        restore_button = box.addButton("Restore backup", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is restore_button


def check_and_repair(library_path: Path) -> bool:
    """Check the library before opening it; a damaged file is never written to.

    Offers to restore the newest good backup; False when the app cannot go on.
    """
    from reader.library import Library, LibraryError

    problem = Library.check_file(library_path)
    if problem is None:
        return True
    good = Library.newest_good_backup(library_path)
    print(f"marginalia: {library_path} is damaged: {problem}", file=sys.stderr)
    if not RestoreOffer.ask(library_path, problem, good) or good is None:
        return False
    try:
        kept = Library.restore_backup(library_path, good)
    except LibraryError as exc:
        critical(None, APP_NAME, str(exc))
        return False
    print(f"marginalia: restored {good}; the damaged file is kept as {kept}", file=sys.stderr)
    return True


def session_marker(library_path: Path) -> Path:
    """A file that exists while Marginalia has the library open."""
    return library_path.with_name(library_path.name + ".open")


def unclean_exit(library_path: Path) -> bool:
    """Whether the last session on this library ended without closing it (a crash)."""
    return session_marker(library_path).exists()


class BackgroundBackup:
    """Makes today's backup (a full copy, checked) in a worker, off the UI thread, and
    shows a message in the window's status bar if it failed."""

    def __init__(self, library_path: Path, window: QMainWindow) -> None:
        self._path, self._window = library_path, window
        # Its own owner: closing the window cancels the window's jobs, never the backup.
        self._owner = QObject()
        self._op: QueryOp | None = None

    def start(self) -> None:
        self._op = QueryOp(self._owner, None, lambda: daily_backup(self._path)).success(
            self._done).run()

    @property
    def running(self) -> bool:
        return self._op is not None and self._op.running

    def wait(self) -> None:
        """Block until the backup is over: the app never closes during one."""
        if self._op is not None:
            self._op.wait()

    def _done(self, problem: str | None) -> None:
        if problem and isValid(self._window):
            self._window.statusBar().showMessage(problem, 15000)


def daily_backup(library_path: Path) -> str | None:
    """Make today's backup if it is due; a message for the user when it failed."""
    from reader.library import Library, LibraryError

    try:
        Library.backup_if_due(library_path)
    except LibraryError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return f"Today's backup failed: {exc}"
    return None
