"""The `Library` facade: the one way into a library file for the window and the command line."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.annotations.colours import ColourManager
from reader.annotations.highlights import HighlightManager
from reader.annotations.tags import TagManager
from reader.annotations.undo import UndoStack
from reader.articles import ArticleManager
from reader.query.manager import QueryManager
from reader.records import Changes, ImportProblem, ImportReport
from reader.search.fulltext import SearchManager
from reader.search.postgres import PostgresSearchManager
from reader.storage.database import (
    SCHEMA_VERSION,
    LibraryClosedError,
    LibraryConnectionError,
    LibraryDamagedError,
    LibraryError,
    LibraryReadOnlyError,
    Storage,
    is_damage,
    read_schema_version,
    utc_now,
)

if TYPE_CHECKING:
    from reader.importing.sources import ParsedArticle

__all__ = ["Library", "LibraryClosedError", "LibraryConnectionError", "LibraryDamagedError",
           "LibraryError", "LibraryReadOnlyError", "is_damage"]


class Library:
    """An open library file. Create with `Library.open(path)`; close when done."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage  # the library's own database; the core's managers share it
        self.path = storage.path  # None for a library on PostgreSQL (see `url`)
        self.undo_stack = UndoStack(storage)
        self.tags = TagManager(storage)
        self.colours = ColourManager(storage)
        self.highlights = HighlightManager(storage, self.tags, self.undo_stack)
        # Full-text search is FTS5's on SQLite, the tsvector columns' on PostgreSQL.
        self.search: Any = PostgresSearchManager(storage) if self.on_postgres \
            else SearchManager(storage)
        self.query = QueryManager(storage, self.colours)
        self.articles = ArticleManager(storage, self.tags, self.highlights, self.search,
                                       self.undo_stack, self.query)
        self._feeds: Any = None
        self._watchers: list[Any] = []  # live-update listeners, stopped at close

    @property
    def on_postgres(self) -> bool:
        """Whether the library is on a PostgreSQL server (not a SQLite file)."""
        return getattr(self.storage, "engine", "sqlite") == "postgresql"

    @property
    def url(self) -> str | None:
        """A PostgreSQL library's URL, without its password (None for a file)."""
        return getattr(self.storage, "url", None)

    def require_file(self, feature: str) -> None:
        """Raise LibraryError naming `feature`, a feature of library files (SQLite's
        file check, backups), when the library is on PostgreSQL."""
        if self.on_postgres:
            raise self.storage.not_available(feature)

    # Made on first use, as the feeds are: a command that reads articles (`marginalia
    # list`, `search`, `show`) imports neither the saved views' nor the review's modules.
    @cached_property
    def views(self) -> Any:
        """The saved views (a reader.views.ViewManager)."""
        from reader.views import ViewManager

        return ViewManager(self.storage, self.query, self.undo_stack)

    @cached_property
    def review(self) -> Any:
        """The daily review of highlights (a reader.review.manager.ReviewManager)."""
        from reader.review.manager import ReviewManager

        return ReviewManager(self.storage, self.query, self.highlights)

    @property
    def feeds(self) -> Any:
        """The feeds the library follows (a reader.web.feeds.FeedManager), made on first
        use: it brings the HTTP client, which a start-up that reads no feed can skip."""
        if self._feeds is None:
            from reader.web.feeds import FeedManager  # reader.web imports this module

            self._feeds = FeedManager(self)
        return self._feeds

    @classmethod
    def open(cls, path: Path | str) -> Library:
        """Open (creating or upgrading) the library at path; raises LibraryError.

        Before an existing library's schema is upgraded, a copy is kept in `backups/`.
        A postgresql://… URL opens a library on that server (reading, annotating,
        exporting, feeds, saving pages and imports from other tools work there so far;
        other features raise LibraryError saying so).
        """
        if _is_url(path):
            from reader.storage.postgres import PostgresStorage

            return cls(PostgresStorage.open(path))  # type: ignore[arg-type]
        from reader.storage.backup import backup_before_migration

        path = Path(path).expanduser()
        return cls(Storage.open(path, before_migration=backup_before_migration))

    @staticmethod
    def needs_upgrade(path: Path | str) -> bool:
        """Whether opening the library at path will upgrade its schema first (slow for a
        large library); False for a new file or one that cannot be read."""
        try:
            version = read_schema_version(Path(path).expanduser())
        except (LibraryError, OSError):
            return False  # `open` says what is wrong with it
        return 0 < version < SCHEMA_VERSION

    # --- the file's safety: a check before opening, backups, restore ----------------------
    # Static: they work on the file, before (or without) opening it. Failures raise
    # BackupError, a LibraryError whose message names the file and the reason.
    @staticmethod
    def check_file(path: Path) -> str | None:
        """What is wrong with the library file (None when it is sound); never writes."""
        from reader.storage import backup

        _refuse_url(path, "Checking the library file")
        return backup.check_library(Path(path))

    @staticmethod
    def newest_good_backup(path: Path) -> Path | None:
        from reader.storage import backup

        _refuse_url(path, "Backups")
        return backup.newest_good_backup(Path(path))

    @staticmethod
    def restore_backup(path: Path, backup_file: Path) -> Path | None:
        """Put a backup in the library's place; returns where the replaced file was kept."""
        from reader.storage import backup

        _refuse_url(path, "Backups")
        return backup.restore(Path(path), Path(backup_file))

    @staticmethod
    def backup_if_due(path: Path) -> Path | None:
        """Make today's backup of the library file if none exists yet (a checked copy)."""
        from reader.storage import backup

        _refuse_url(path, "Backups")
        return backup.backup_if_due(Path(path))

    @property
    def read_only(self) -> str | None:
        """Why the library cannot be written (it was opened read-only), or None."""
        return self.storage.read_only

    @property
    def damaged(self) -> str | None:
        """SQLite's words for the damage found in the file, once any was found."""
        return self.storage.damaged

    def check(self) -> str | None:
        """Check the whole file (SQLite's quick_check: seconds at 100,000 articles, so
        off the UI thread); damage found puts the library in the damaged state, where it
        is never written to. None when the file is sound."""
        self.require_file("Checking the library file")
        problem = self.storage.check()
        return problem

    def data_version(self) -> int:
        """A number that changes when another connection (another process, or a worker
        of this one) commits to the library; a point read."""
        self.require_file("Watching for other processes' changes")
        return self.storage.rows("PRAGMA data_version")[0][0]

    def watch_changes(self, on_changes: Callable[[Changes], None],
                      on_lost: Callable[[str], None] | None = None,
                      on_back: Callable[[], None] | None = None) -> Any:
        """Hear what other readers commit to a library on PostgreSQL, as it happens:
        `on_changes(changes)` for each burst of their changes (never this process's own),
        `on_lost(reason)` when the connection to the server is lost and `on_back()` once
        it is back (changes made meanwhile were not heard: refresh everything). The
        callbacks run on the watcher's own thread. Returns the started watcher; call its
        `stop()` when done (closing the library stops it too). A SQLite file is watched through `data_version` instead."""
        if not self.on_postgres:
            raise LibraryError(f"{self.path}: live updates come from a server; a library "
                               "file is watched through its data_version.")
        from reader.live_updates import ChangeListener

        watcher = ChangeListener(self.storage, on_changes, on_lost, on_back)
        self._watchers.append(watcher)
        return watcher.start()

    def release_thread(self) -> None:
        """Close the calling worker thread's connection to the library, if it opened one
        (workers call this when their job is done; safe after `close`)."""
        self.storage.release_thread()

    def undo(self) -> Changes | None:
        """Undo the last annotation action (None when there is none). Refused with
        UndoConflictError, a LibraryError, when another reader has changed what it
        touched since (see reader.annotations.undo)."""
        return self.undo_stack.undo()

    def redo(self) -> Changes | None:
        return self.undo_stack.redo()

    def close(self) -> None:
        for watcher in self._watchers:
            watcher.stop()
        self._watchers.clear()
        self.storage.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def import_files(self, paths: Iterable[Path],
                     progress: Callable[[int, int], None] | None = None) -> ImportReport:
        """Import article files (folders are searched); each file is stored whole or not at all.

        `progress(done, total)` is called after each file. Files are read and parsed
        outside any transaction, then stored IMPORT_BATCH at a time (or after
        IMPORT_BATCH_SECONDS) in one transaction, each article a savepoint of its own:
        a commit is a sync to disk, which cost more than parsing a saved page (4 ms of
        the 17 ms a page took). A crash loses at most the batch being parsed, never part
        of an article.
        """
        from reader.importing.sources import SourceError, read_article

        outcome = _ImportOutcome()
        pending: list[ParsedArticle] = []
        started = time.monotonic()
        files = _expand(paths)
        for done, path in enumerate(files, start=1):
            if progress:
                progress(done, len(files))
            try:
                pending.append(read_article(path))
            except SourceError as exc:
                outcome.problems.append(ImportProblem(str(path), str(exc)))
            if len(pending) >= IMPORT_BATCH or (
                    pending and time.monotonic() - started >= IMPORT_BATCH_SECONDS):
                self._store_imported(pending, outcome)
                pending.clear()
                started = time.monotonic()
        if pending:
            self._store_imported(pending, outcome)
        return outcome.report()

    def _store_imported(self, parsed_articles: list[ParsedArticle],
                        outcome: _ImportOutcome) -> None:
        """Store parsed files in one transaction: each added, updated (same URL, new
        content) or recognised as unchanged (same content), in order, so that a file
        repeated in one batch is unchanged the second time."""
        with self.storage.write():
            for parsed in parsed_articles:
                # `add` and `replace_source` are savepoints of this transaction: each
                # article whole or not at all.
                existing = self.articles.find_by_hash(parsed.content_hash)
                same_url = self.articles.find_by_url(parsed.url) if parsed.url else None
                if existing is not None:
                    outcome.unchanged.append(existing)
                elif same_url is not None:
                    # A newer version of an article we have: update it in place.
                    outcome.orphaned += self.articles.replace_source(same_url, parsed)
                    outcome.updated.append(same_url)
                else:
                    outcome.added.append(self.articles.add(parsed))

    def seed_if_new(self, seeds: Path) -> ImportReport | None:
        """Import the sample articles into a library that has never been seeded and is empty.

        The library is marked as seeded first, in a transaction of its own, and only the
        one that marked it seeds: of two readers opening a new team library at once, one
        imports the samples, not both."""
        if self.read_only is not None:
            return None
        with self.storage.write():
            claimed = self.storage.run(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('seeded', ?)",
                (utc_now(),)).rowcount == 1
        if not claimed or self.articles.count() or not seeds.is_dir():
            return None
        return self.import_files(sorted(p for p in seeds.iterdir() if p.is_file()))


def _is_url(path: object) -> bool:
    """Whether `path` is a postgresql://… URL (told apart without importing psycopg)."""
    return isinstance(path, str) and "://" in path \
        and path.split(":", 1)[0].lower() in ("postgresql", "postgres")


def _refuse_url(path: object, feature: str) -> None:
    """LibraryError naming `feature` for a PostgreSQL URL given where a file is needed."""
    if _is_url(path):
        from reader.storage.postgres import file_only

        raise file_only(feature, str(path))


# How many parsed files one import transaction stores, and how long parsed files wait.
IMPORT_BATCH = 50
IMPORT_BATCH_SECONDS = 2.0


@dataclass
class _ImportOutcome:
    added: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    orphaned: list[int] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def report(self) -> ImportReport:
        return ImportReport(tuple(self.added), tuple(self.unchanged), tuple(self.problems),
                            tuple(self.updated), tuple(self.orphaned))


def _expand(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            from reader.importing.sources import supported

            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and supported(p)))
        else:
            found.append(path)
    return found
