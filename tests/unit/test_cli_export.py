"""`marginalia export` on the command line: output, counts, exit codes, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reader.library import Library

SOURCE = "# Rivers\n\nBy Ana Lopez\n\nThe river rose in the night. Nobody expected it.\n"


@pytest.fixture
def location(any_library_location):
    """Every test here runs on a SQLite file and on PostgreSQL (the --db it is given)."""
    return any_library_location


@pytest.fixture
def library_file(location, write_file):
    with Library.open(location) as library:
        (article_id,) = library.import_files([write_file("r.md", SOURCE)]).added
        hid = library.highlights.create(article_id, 0, 6).highlight_id
        library.highlights.set_note(hid, "note")
    return location, article_id


def _marginalia(*args: str, env_home: Path | None = None) -> subprocess.CompletedProcess:
    command = Path(sys.executable).parent / "marginalia"
    return subprocess.run([str(command), *args], capture_output=True, text=True, timeout=60)


def test_export_to_a_folder_reports_counts(library_file, tmp_path):
    path, _article_id = library_file
    out = tmp_path / "vault"
    first = _marginalia("--db", str(path), "export", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"Exported to {out}: 1 written, 0 unchanged, 0 skipped (no annotations)."
    again = _marginalia("--db", str(path), "export", "--out", str(out))
    assert "0 written, 1 unchanged" in again.stdout
    assert [p.name for p in out.glob("*.md")] == ["Rivers.md"]


def test_export_to_stdout(library_file):
    path, article_id = library_file
    result = _marginalia("--db", str(path), "export", "--stdout", "--article", str(article_id))
    assert result.returncode == 0
    assert result.stdout.startswith("---\ntitle: Rivers\n")
    assert "# Rivers" in result.stdout


def test_bad_article_and_unwritable_folder_are_errors(library_file, tmp_path):
    path, _article_id = library_file
    result = _marginalia("--db", str(path), "export", "--stdout", "--article", "999")
    assert result.returncode == 1
    assert result.stderr.strip() == "marginalia: There is no article with id 999."
    assert result.stdout == ""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _marginalia("--db", str(path), "export", "--out", str(blocker / "sub"))
    assert result.returncode == 1 and "cannot create the folder" in result.stderr
    assert not (blocker.parent / "sub").exists()


def test_usage_errors(library_file):
    path, _article_id = library_file
    result = _marginalia("--db", str(path), "export")
    assert result.returncode == 2 and "one of the arguments --out --stdout is required" in result.stderr
    result = _marginalia("--db", str(path), "export", "--stdout", "--article", "abc")
    assert result.returncode == 2 and "an id must be a number, not 'abc'" in result.stderr


def test_a_newer_library_is_an_error(tmp_path):
    import sqlite3

    newer = tmp_path / "newer.sqlite3"
    sqlite3.connect(newer).execute("PRAGMA user_version = 99").connection.close()
    result = _marginalia("--db", str(newer), "export", "--stdout")
    assert result.returncode == 1 and "newer version of Marginalia" in result.stderr


def test_a_tampered_manifest_entry_is_a_warning_and_the_export_goes_on(library_file, tmp_path):
    import json

    path, article_id = library_file
    out = tmp_path / "vault"
    out.mkdir()
    victim = tmp_path / "victim.md"
    victim.write_text("mine\n")
    (out / ".marginalia-export.json").write_text(json.dumps(
        {"format": 1, "articles": {str(article_id): {"file": "../victim.md", "exported": "x"}}}))
    result = _marginalia("--db", str(path), "export", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "mine\n"
    assert result.stderr == (
        f"marginalia: warning: {out / '.marginalia-export.json'}: the entry for article "
        f"{article_id}, '../victim.md', leads out of the folder: ignored; the article gets a "
        "new file name.\n")
    assert "1 written" in result.stdout
    assert [p.name for p in out.glob("*.md")] == ["Rivers.md"]


def test_a_deleted_file_stays_deleted_until_recreate(library_file, tmp_path):
    path, _article_id = library_file
    out = tmp_path / "vault"
    assert _marginalia("--db", str(path), "export", "--out", str(out)).returncode == 0
    (exported,) = out.glob("*.md")
    exported.write_text(exported.read_text() + "\nMy line.\n")
    again = _marginalia("--db", str(path), "export", "--out", str(out))
    assert again.stdout.strip() == (
        f"Exported to {out}: 0 written, 1 unchanged, 0 skipped (no annotations).")
    assert "My line." in exported.read_text()
    exported.unlink()
    kept = _marginalia("--db", str(path), "export", "--out", str(out))
    assert kept.returncode == 0 and not exported.exists()
    assert kept.stdout.strip() == (
        f"Exported to {out}: 0 written, 0 unchanged, 0 skipped (no annotations), 1 deleted "
        "from the folder and not written again (--recreate writes them).")
    recreated = _marginalia("--db", str(path), "export", "--out", str(out), "--recreate")
    assert "1 written" in recreated.stdout and exported.exists()


def test_a_file_whose_markers_were_broken_is_left_alone(library_file, tmp_path):
    path, article_id = library_file
    out = tmp_path / "vault"
    _marginalia("--db", str(path), "export", "--out", str(out))
    (exported,) = out.glob("*.md")
    broken = exported.read_text().replace("<!-- marginalia:end head -->\n", "")
    exported.write_text(broken)
    with Library.open(path) as library:
        (highlight,) = library.highlights.for_article(article_id)
        library.highlights.set_note(highlight.id, "changed")
    result = _marginalia("--db", str(path), "export", "--out", str(out))
    assert result.returncode == 0 and exported.read_text() == broken
    assert "1 left as they are (see the warnings)" in result.stdout
    line = broken.splitlines().index("<!-- marginalia:begin hl-1 -->") + 1
    assert result.stderr == (
        f"marginalia: warning: {exported}: its region markers do not pair up (line {line}: "
        "region hl-1 begins inside region head); the file is left as it is (fix it, or delete "
        "it and export again with --recreate).\n")
