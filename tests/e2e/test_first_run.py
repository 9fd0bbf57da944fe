"""First run, end to end: `run()` on an empty data folder seeds the library and shows it."""

from __future__ import annotations

from reader.library import Library
from reader.paths import default_library_path
from reader.ui import app as app_module
from tests.window_probe import close_when_shown


def test_first_run_seeds_the_default_library_and_opens_the_window(qapp, isolated_user_folders):
    library_path = default_library_path()
    assert str(library_path).startswith(str(isolated_user_folders))
    assert not library_path.exists()
    seen = {}
    close_when_shown(seen)
    assert app_module.run(library_path) == 0
    assert "Marginalia" in seen["title"]
    assert seen["rows"] == ["Ukraine continues offensive inside Russia",
                            "Ukrainian military launches incursion of Russia"]
    assert seen["text"].startswith(seen["rows"][0] + "\nClara Weiss · 18 August 2024\n") or \
        seen["text"].startswith(seen["rows"][1] + "\nClara Weiss · 7 August 2024\n")
    with Library.open(library_path) as library:
        assert library.articles.count() == 2


def test_a_newer_library_is_refused_with_a_message(qapp, tmp_path, monkeypatch, capsys):
    import sqlite3

    path = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    shown = []
    monkeypatch.setattr(app_module, "critical", lambda *args: shown.append(args[2]))
    assert app_module.run(path) == 1
    assert "newer version of Marginalia" in shown[0]
    assert str(path) in capsys.readouterr().err


def _run_and_close(path):
    seen = {}
    close_when_shown(seen)
    return app_module.run(path), seen


def test_a_daily_backup_is_made_on_start(qapp, tmp_path):
    path = tmp_path / "library.sqlite3"
    status, seen = _run_and_close(path)
    assert status == 0 and len(seen["rows"]) == 2
    (backup,) = (tmp_path / "backups").iterdir()
    assert backup.name.startswith("library-") and backup.suffix == ".sqlite3"
    assert not app_module.session_marker(path).exists()  # a clean end


def test_a_damaged_library_is_not_touched_and_can_be_restored(qapp, tmp_path, monkeypatch):
    import hashlib

    path = tmp_path / "library.sqlite3"
    assert _run_and_close(path)[0] == 0  # a library and today's backup
    data = bytearray(path.read_bytes())
    data[len(data) // 2:len(data) // 2 + 2048] = b"\xff" * 2048
    data[100:4096] = b"\x00" * 3996
    path.write_bytes(bytes(data))
    damaged = hashlib.sha256(path.read_bytes()).hexdigest()
    # The check before opening runs after a session that did not end cleanly (a crash).
    app_module.session_marker(path).touch()
    asked = []
    monkeypatch.setattr(app_module.RestoreOffer, "ask",
                        classmethod(lambda cls, p, problem, backup: asked.append(backup) or False))
    assert app_module.run(path) == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == damaged  # never written to
    assert asked and asked[0] is not None
    monkeypatch.setattr(app_module.RestoreOffer, "ask", classmethod(lambda cls, *args: True))
    status, seen = _run_and_close(path)
    assert status == 0 and len(seen["rows"]) == 2
    kept = [p for p in tmp_path.iterdir() if ".replaced-" in p.name and p.name.endswith(tuple("0123456789Z"))]
    assert any(hashlib.sha256(p.read_bytes()).hexdigest() == damaged for p in kept)


def test_a_team_library_that_cannot_be_reached_is_named_without_its_password(
        qapp, tmp_path, monkeypatch, capsys):
    from reader.cli.main import main

    shown = []
    monkeypatch.setattr(app_module, "critical", lambda *args: shown.append(args[2]))
    monkeypatch.chdir(tmp_path)
    url = "postgresql://ann:s3cret@127.0.0.1:1/team"
    assert main(["--db", url]) == 1
    monkeypatch.setenv("MARGINALIA_DB", url)
    assert main([]) == 1
    err = capsys.readouterr().err
    assert len(shown) == 2 and all("postgresql://ann:***@127.0.0.1:1/team" in s for s in shown)
    assert "s3cret" not in err + "".join(shown)
    assert list(tmp_path.iterdir()) == []  # no file named after it: no marker, no backups
