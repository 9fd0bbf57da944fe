"""Atomic, durable file writing (settings, desktop entries, exports)."""

from __future__ import annotations

import os
import stat

import pytest

from reader import files


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_follows_the_umask_and_an_old_one_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        files.write_file(tmp_path / "new.md", b"new")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.md") == 0o640
    kept = tmp_path / "kept.md"
    kept.write_bytes(b"old")
    kept.chmod(0o604)
    files.write_file(kept, b"newer")
    assert (kept.read_bytes(), _mode(kept)) == (b"newer", 0o604)
    files.write_file(kept, b"private", mode=0o600)
    assert _mode(kept) == 0o600


def test_a_symbolic_link_is_written_through(tmp_path):
    real = tmp_path / "dotfiles" / "settings.toml"
    real.parent.mkdir()
    real.write_text("a = 1\n")
    link = tmp_path / "settings.toml"
    link.symlink_to(real)
    files.write_file(link, b"a = 2\n")
    assert link.is_symlink() and real.read_text() == "a = 2\n"


def test_many_files_are_written_with_one_sync(tmp_path, monkeypatch):
    syncs = []
    monkeypatch.setattr(files.os, "sync", lambda: syncs.append(1))
    monkeypatch.setattr(files.os, "fsync", lambda fd: syncs.append("fsync"))
    wanted = {tmp_path / f"{n}.md": f"file {n}".encode() for n in range(20)}
    files.write_files(list(wanted.items()))
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == wanted
    assert syncs.count(1) == 1
    assert syncs.count("fsync") == 1  # the folder, for the renames


def test_a_failure_changes_no_target_and_leaves_no_temporary(tmp_path, monkeypatch):
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_bytes(b"old first")
    original = files._write_temporary

    def fail_second(target, data, mode, sync):
        if target == second:
            raise OSError(28, "No space left on device")
        return original(target, data, mode, sync)

    monkeypatch.setattr(files, "_write_temporary", fail_second)
    with pytest.raises(OSError, match="No space left"):
        files.write_files([(first, b"new first"), (second, b"new second")])
    assert first.read_bytes() == b"old first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.md"]


def test_an_error_names_the_target(tmp_path):
    with pytest.raises(OSError) as raised:
        files.write_file(tmp_path / "missing-folder" / "x.md", b"x")
    assert raised.value.filename == str(tmp_path / "missing-folder" / "x.md")


def test_without_a_system_wide_sync_each_file_is_flushed(tmp_path, monkeypatch):
    """Windows has no os.sync: every temporary is fsynced instead, before the renames."""
    synced = []
    monkeypatch.delattr(files.os, "sync")
    original = files.os.fsync
    monkeypatch.setattr(files.os, "fsync", lambda fd: synced.append(fd) or original(fd))
    wanted = {tmp_path / f"{n}.md": f"file {n}".encode() for n in range(3)}
    files.write_files(list(wanted.items()))
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == wanted
    assert len(synced) == 3 + 1  # each file, then the folder


def test_a_symbolic_link_can_be_replaced_instead_of_written_through(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    outside.chmod(0o755)
    link = tmp_path / "folder" / "manifest.json"
    link.parent.mkdir()
    link.symlink_to(outside)
    old = os.umask(0o022)
    try:
        files.write_file(link, b"{}", follow_symlinks=False)
    finally:
        os.umask(old)
    assert outside.read_bytes() == b"keep"
    assert not link.is_symlink() and link.read_bytes() == b"{}"
    assert _mode(link) == 0o644  # a new file's mode, not the link target's


def test_only_this_modules_leftover_temporaries_are_removed(tmp_path):
    ours = [".a.md.0123abcd.tmp", "..marginalia-export.json.89abcdef.tmp",
            ".name with spaces.md.00000000.tmp"]
    others = ["a.md", ".a.md.0123ABCD.tmp", ".a.md.0123abc.tmp", "a.md.0123abcd.tmp",
              ".a.txt.0123abcd.tmp", ".a.md.0123abcd.tmp.bak", ".settings.toml.0123abcd.tmp",
              "notes.md.tmp"]
    for name in ours + others:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".folder.md.0123abcd.tmp").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.md"
    outside.write_bytes(b"keep")
    (tmp_path / ".link.md.0123abcd.tmp").symlink_to(outside)
    removed = files.remove_leftover_temporaries(
        tmp_path, lambda name: name.endswith(".md") or name == ".marginalia-export.json")
    assert sorted(p.name for p in removed) == sorted(ours)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        others + [".folder.md.0123abcd.tmp", ".link.md.0123abcd.tmp"])
    assert outside.read_bytes() == b"keep"


def test_a_folder_is_held_by_one_writer_at_a_time(tmp_path):
    with files.exclusive_folder(tmp_path):
        with pytest.raises(files.FolderBusy):
            with files.exclusive_folder(tmp_path):
                pass
    with files.exclusive_folder(tmp_path):  # released
        pass
