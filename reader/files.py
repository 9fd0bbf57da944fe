"""Writing files so that a crash leaves each either as it was or whole: the text goes to a
temporary file beside the target, is flushed to disk, and is renamed into place.

Used for settings.toml, the desktop entry and icons, and exported Markdown. An export
writes many files: `write_files` flushes them all with one sync instead of one fsync
each (which cost 3 ms a file here, 5 of the 8 seconds of a 1,700-file export).
A writer killed part-way leaves its hidden temporary behind: `remove_leftover_temporaries`
finds those by their name, and `exclusive_folder` keeps a second writer away meanwhile.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# How _write_temporary names a temporary: ".NAME.<8 hex digits>.tmp" beside NAME.
_TEMPORARY = re.compile(r"\.(?P<target>.+)\.[0-9a-f]{8}\.tmp")


def write_file(path: Path, data: bytes, mode: int | None = None,
               follow_symlinks: bool = True) -> None:
    """Write data to path atomically and durably.

    The new file's permissions are `mode` if given; otherwise those of the file it
    replaces, or for a new file the usual ones (0o666 less the umask). A symbolic link
    is written through (a settings file kept with one's dotfiles stays a link), unless
    follow_symlinks is False: then the link itself is replaced by the file (for a folder
    whose links cannot be trusted to stay inside it).
    Raises OSError; nothing is left behind but the old file.
    """
    target = path.resolve() if follow_symlinks and path.is_symlink() else path
    temporary = _write_temporary(target, data, mode, sync=True)
    _replace(temporary, target)
    sync_folder(target.parent)


def write_files(files: Sequence[tuple[Path, bytes]], mode: int | None = None) -> None:
    """Write several files atomically, flushed to disk with a single sync.

    Every file is written to its temporary first; if any of those fails, all of them are
    removed and no target changes. Then each is renamed into place. Raises OSError with
    the failing target's name in `filename`.
    """
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            try:
                written.append((_write_temporary(path, data, mode, sync=False), path))
            except OSError as exc:
                exc.filename = exc.filename or str(path)
                raise
        if written:
            _sync_all([temporary for temporary, _target in written])
        for temporary, target in written:
            _replace(temporary, target)
    except BaseException:
        for temporary, _target in written:
            _unlink(temporary)
        raise
    for folder in {target.parent for _temporary, target in written}:
        sync_folder(folder)


def _sync_all(paths: list[Path]) -> None:
    """Flush these files to disk: with one sync where the system has it (POSIX), else
    (Windows) each file on its own."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:
        with open(path, "rb+") as stream:
            os.fsync(stream.fileno())


def _write_temporary(target: Path, data: bytes, mode: int | None, sync: bool) -> Path:
    if mode is None:
        try:
            info = target.lstat()  # a link is replaced, not written through: not its target's
            mode = 0o666 if stat.S_ISLNK(info.st_mode) else info.st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666  # less the umask, applied by open()
    temporary = target.parent / f".{target.name}.{os.urandom(4).hex()}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        exc.filename = str(target)
        raise
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            if sync:
                os.fsync(stream.fileno())
        if mode & 0o7777 != 0o666:
            os.chmod(temporary, mode)  # exactly as asked, whatever the umask
    except BaseException as exc:
        _unlink(temporary)
        if isinstance(exc, OSError):
            exc.filename = str(target)
        raise
    return temporary


def _replace(temporary: Path, target: Path) -> None:
    try:
        os.replace(temporary, target)
    except OSError as exc:
        _unlink(temporary)
        exc.filename = str(target)
        raise


def remove_leftover_temporaries(folder: Path, wanted: Callable[[str], bool]) -> list[Path]:
    """Remove the temporaries a writer killed part-way left in folder, and return them.

    Only regular files named exactly as this module names its temporaries, and only
    those for a target name `wanted` accepts: never another program's files. Run it only
    while no other writer is at work in the folder (see `exclusive_folder`).
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        try:
            if match and wanted(match["target"]) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


class FolderBusy(Exception):
    """Another process (or thread) holds the folder: see `exclusive_folder`."""


@contextmanager
def exclusive_folder(folder: Path) -> Iterator[None]:
    """Hold an advisory lock on the folder itself while writing into it; FolderBusy if
    another holder has it. POSIX only (flock on the folder; a killed holder's lock goes
    with it); where folders cannot be locked so (Windows, some network file systems)
    this does nothing."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise FolderBusy(str(folder)) from exc
            # No locks on this file system: go on unlocked, as before locking existed.
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def sync_folder(folder: Path) -> None:
    """Make renames in the folder durable (POSIX; Windows cannot open a folder so)."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
