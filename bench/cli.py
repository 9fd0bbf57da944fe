"""The command line as whole processes: `marginalia search`, `list` and `show`, each beside
`rg -l -i` over the same articles as Markdown files and a bare `python -c "import sqlite3"`.

    python -m bench.cli --db LIBRARY [--runs 9]

The Markdown folder is written once beside the library (`<library>.markdown/`, one
`ID.md` a article: its title and its source text) and reused while the library is the
same. Runs are interleaved (marginalia, rg, bare python, marginalia, ...) so that drift
in the machine's load hits all three alike; each figure is a median.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RG = shutil.which("rg")


def markdown_folder(library: Path) -> Path:
    """The library's articles as Markdown files, written once and kept beside it."""
    folder = library.with_name(library.stem + ".markdown")
    stamp = folder / ".stamp"
    expected = f"{library.stat().st_size} {library.stat().st_mtime_ns}"
    # The library's own file changes when the app writes to it (reading positions):
    # the articles' texts do not, so a folder made from the same article count is kept.
    connection = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    try:
        count = connection.execute("SELECT count(*), max(id) FROM article").fetchone()
        if stamp.exists() and stamp.read_text().split("\n")[0] == repr(count):
            return folder
        if folder.exists():
            shutil.rmtree(folder)
        partial = folder.with_name(folder.name + ".partial")
        if partial.exists():
            shutil.rmtree(partial)
        partial.mkdir(parents=True)
        for article_id, title, source in connection.execute(
                "SELECT id, title, source_text FROM article"):
            (partial / f"{article_id}.md").write_text(f"# {title}\n\n{source}\n", encoding="utf-8")
        (partial / ".stamp").write_text(f"{count!r}\n{expected}\n")
        partial.rename(folder)
        return folder
    finally:
        connection.close()


def first_article_id(library: Path, word: str) -> int:
    """An article holding `word` (what `show` prints)."""
    connection = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT rowid FROM article_fts WHERE article_fts MATCH ? "
                                 "LIMIT 1", (word,)).fetchone()
        return row[0] if row else connection.execute("SELECT min(id) FROM article").fetchone()[0]
    finally:
        connection.close()


# Runs a marginalia command as the timed process does, output discarded, and prints why
# the lean read path (reader.cli.lean) left it to the whole library ("" when it did not).
_WHO_ANSWERED = """
import os, sys
sys.stdout = open(os.devnull, "w")
from reader.cli import lean
from reader.cli.main import main
main(sys.argv[1:])
sys.stderr.write("\\n" + (lean.last_fallback or ""))
"""


def whole_library_because(command: list[str], env: dict) -> str | None:
    """Why the whole library answered this marginalia command (None: the lean path did)."""
    done = subprocess.run([sys.executable, "-c", _WHO_ANSWERED, *command[3:]], env=env,
                          cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stderr.rsplit("\n", 1)[-1] or None


def _time(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    # rg exits 1 when nothing matched: not a failure here.
    if done.returncode not in (0, 1) or (done.returncode == 1 and command[0] != RG):
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed * 1000


def measure(library: Path, terms: dict[str, str], runs: int = 9, log=print) -> dict:
    """Medians (ms) of whole processes: each command, rg beside the searches, bare python."""
    with tempfile.TemporaryDirectory(prefix="marginalia-cli-") as home:
        # The library itself (a copy would be gigabytes at 100,000 articles): these
        # commands only read; bench.run restores the library after them all the same.
        db = library
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        for name in ("CONFIG", "DATA", "STATE", "CACHE"):
            env[f"XDG_{name}_HOME"] = str(Path(home) / name.lower())
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        marginalia = [sys.executable, "-m", "reader.cli", "--db", str(db)]
        folder = markdown_folder(library) if RG else None
        show_id = first_article_id(db, terms["rare"])
        commands = {f"search {kind} ({word})": marginalia + ["search", word, "--json"]
                    for kind, word in terms.items()}
        commands["list"] = marginalia + ["list", "--json"]
        commands[f"show {show_id}"] = marginalia + ["show", str(show_id)]
        floors = {"bare python": [sys.executable, "-c", "import sqlite3"]}
        if folder is not None:
            for kind, word in terms.items():
                floors[f"rg {kind} ({word})"] = [RG, "-l", "-i", word, str(folder)]
        everything = {**commands, **floors}
        for command in everything.values():  # warm the page cache and byte-code
            _time(command, env)
        times: dict[str, list[float]] = {name: [] for name in everything}
        for _ in range(runs):
            for name, command in everything.items():
                times[name].append(_time(command, env))
        medians = {name: statistics.median(values) for name, values in times.items()}
        if folder is None:
            log("ripgrep (rg) is not installed: the command line's rows beside it are skipped.")
        rows = []
        for name in commands:
            # A search beside rg looking for the same word; list and show beside rg
            # looking for the rare word (every file read, few printed).
            kind = next((k for k in terms if name.startswith(f"search {k} ")), "rare")
            rows.append({"command": name, "ms": medians[name], "ms_all": times[name],
                         "whole_library": whole_library_because(commands[name], env),
                         "rg_ms": medians.get(f"rg {kind} ({terms[kind]})"),
                         "rg_command": f"rg -l -i {terms[kind]}" if folder else None,
                         "bare_ms": medians["bare python"]})
        return {"rows": rows, "runs": runs, "rg": RG, "terms": terms,
                "markdown_files": sum(1 for _ in folder.glob("*.md")) if folder else None}


def main(argv: list[str] | None = None) -> int:
    from bench import corpus

    parser = argparse.ArgumentParser(prog="python -m bench.cli", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    result = measure(args.db, {"rare": corpus.RARE_TERM, "common": corpus.COMMON_TERM}, args.runs)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
