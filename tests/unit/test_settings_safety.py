"""A settings file that is hostile or absurd: each is one problem, the defaults apply, and
start-up never hangs or fails on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.commands import DEFAULT_KEYMAP
from reader.settings import Settings, SettingsError
from reader.settings_file import MAX_BYTES

from tests.unit.test_import_safety import posix_only, within


@pytest.fixture
def settings_file(tmp_path) -> Path:
    path = tmp_path / "config" / "settings.toml"
    path.parent.mkdir()
    return path


def loaded_with_one_problem(path: Path) -> str:
    with within(10):
        settings = Settings.load(path)
    assert len(settings.problems) == 1, settings.problems
    assert settings.get("theme") == "light" and settings.get("font_size") == 13.0
    assert settings.keymap() == DEFAULT_KEYMAP
    with within(10), pytest.raises(SettingsError):  # never written over
        settings.set("theme", "dark")
    return settings.problems[0]


@posix_only
def test_a_fifo_is_refused_without_waiting_for_a_writer(settings_file):
    os.mkfifo(settings_file)
    problem = loaded_with_one_problem(settings_file)
    assert problem.startswith(f"{settings_file} is not a regular file (a FIFO); "
                              "every setting has its default value")


@posix_only
def test_a_link_to_a_device_is_refused(settings_file):
    settings_file.symlink_to("/dev/zero")
    problem = loaded_with_one_problem(settings_file)
    assert problem.startswith(f"{settings_file} is not a regular file (a device); "
                              "every setting has its default value")


@posix_only
def test_a_link_to_a_fifo_is_refused(settings_file, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    settings_file.symlink_to(fifo)
    problem = loaded_with_one_problem(settings_file)
    assert problem.startswith(f"{settings_file} is not a regular file (a FIFO)")


def test_a_huge_file_is_refused_before_it_is_read(settings_file, monkeypatch):
    with settings_file.open("wb") as stream:
        stream.write(b'theme = "dark"\n')
        stream.truncate(60 * 1024 * 1024)
    real_open = os.open

    def never(name, *args, **kwargs):
        assert Path(name) != settings_file, "the file was opened"
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", never)
    problem = loaded_with_one_problem(settings_file)
    assert problem.startswith(f"{settings_file} is too large (60.0 MB; the limit is 1 MB); "
                              "every setting has its default value")


def test_a_file_that_grows_past_the_limit_is_not_read_beyond_it(settings_file, monkeypatch):
    settings_file.write_text('theme = "dark"\n')
    real_fstat = os.fstat

    def grown(descriptor):
        info = real_fstat(descriptor)
        with settings_file.open("a") as stream:  # it grows after it was checked
            stream.write("# more\n" * (MAX_BYTES // 7 + 1))
        return info

    monkeypatch.setattr(os, "fstat", grown)
    settings = Settings.load(settings_file)
    assert settings.problems == [
        f"{settings_file} is too large (more than the limit of 1 MB); every setting has its "
        "default value, and Marginalia will not change the file until it is fixed."]


@pytest.mark.parametrize("nesting", [
    "a = " + "[" * 20_000 + "]" * 20_000 + "\n",
    "a = " + "{ b = " * 20_000 + "1" + " }" * 20_000 + "\n",
], ids=["lists", "tables"])
def test_nesting_too_deep_for_the_parser_is_a_problem_not_a_crash(settings_file, nesting):
    settings_file.write_text(nesting)
    problem = loaded_with_one_problem(settings_file)
    assert problem.startswith(f"{settings_file} is nested too deeply to read")
    assert "every setting has its default value" in problem


def test_a_settings_file_of_normal_size_is_still_read(settings_file):
    settings_file.write_text('theme = "dark"\n' + "# a long comment\n" * 10_000)
    settings = Settings.load(settings_file)
    assert settings.problems == [] and settings.get("theme") == "dark"
