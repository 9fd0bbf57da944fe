"""`marginalia list`, `search` and `show` import only what each command uses: a fresh
process, so that what the tests themselves imported does not hide an import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.library import Library

ROOT = Path(__file__).resolve().parents[2]
# Modules the reading commands have no use for: Qt, the web, the importers, exporting,
# the review and the saved views.
NEVER = ("PySide6", "httpx", "trafilatura", "jinja2", "yaml", "reader.ui", "reader.web",
         "reader.other_tools", "reader.export", "reader.review", "reader.views", "difflib")
# The Markdown parser is for `show` (which renders the article), not for lists and searches.
PARSER = ("markdown_it", "reader.importing.sources", "reader.importing.parsing")

PROBE = """
import json, sys
from reader.cli.main import main
status = main(sys.argv[2:])
sys.stdout.flush()
with open(sys.argv[1], "w") as out:
    json.dump({"status": status, "modules": sorted(sys.modules)}, out)
"""


@pytest.fixture
def db(library_path, write_file):
    with Library.open(library_path) as library:
        (article_id,) = library.import_files(
            [write_file("a.md", "# A quixotic plan\n\nIt was a *quixotic* plan.\n")]).added
    return library_path, article_id


def _modules(tmp_path: Path, *argv: str) -> set[str]:
    out = tmp_path / "modules.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROBE, str(out), *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    result = json.loads(out.read_text())
    assert result["status"] == 0, done.stderr
    return set(result["modules"])


def _imported(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["search", "quixotic"],
                                     ["search", "quixotic", "--json"]])
def test_lists_and_searches_import_no_parser_and_nothing_unused(db, tmp_path, command):
    path, _ = db
    modules = _modules(tmp_path, "--db", str(path), *command)
    assert _imported(modules, NEVER + PARSER) == []


def test_show_imports_the_parser_and_nothing_unused(db, tmp_path):
    path, article_id = db
    modules = _modules(tmp_path, "--db", str(path), "show", str(article_id))
    assert _imported(modules, NEVER) == []
    assert "reader.importing.sources" in modules  # it renders what the reading pane shows
    # The lean read path: no peewee, no library facade, no query parser, no platformdirs.
    assert _imported(modules, ("peewee", "reader.library", "reader.storage.database", "lark",
                               "snowballstemmer", "platformdirs")) == []
    assert "reader.cli.lean" in modules


# The lean read path (reader.cli.lean) answers these on a read-only sqlite3 connection:
# no peewee, no library facade or managers, no query parser for plain words, no Qt, no
# stemmers but Porter's, no platformdirs (--db is given), no dataclasses.
LEAN_NEVER = ("peewee", "playhouse.sqlite_ext", "reader.library", "reader.storage.database",
              "reader.articles", "lark", "reader.query.syntax", "PySide6", "snowballstemmer",
              "platformdirs", "dataclasses", "typing")


@pytest.mark.parametrize("command", [["list"], ["list", "--json"],
                                     ["list", "--archived"], ["search", "quixotic"],
                                     ["search", "quixotic plan", "--json"]])
def test_the_lean_commands_import_no_peewee_library_lark_or_qt(db, tmp_path, command):
    path, _ = db
    modules = _modules(tmp_path, "--db", str(path), *command)
    assert _imported(modules, LEAN_NEVER + NEVER + PARSER) == []
    assert "reader.cli.lean" in modules and "sqlite3" in modules
    if command[0] == "search":  # the snippets' stemmer, alone
        assert "reader.search._porter.porter_stemmer" in modules
