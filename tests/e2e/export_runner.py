"""Fault-injection helper: runs one export into a folder, and can stop at a named stage.

    python tests/e2e/export_runner.py LIBRARY_PATH FOLDER CLOCK [--pause-at STAGE]

CLOCK is the export's time (the `exported` of every file it writes), fixed so that runs
can be compared byte for byte. With --pause-at the export prints `paused STAGE` when it
reaches that stage and waits there (reading standard input) for the test to kill it:

    manifest     the manifest's temporary is written, not yet renamed into place
                 (before the manifest is saved; no article's file written yet)
    temporaries  two articles' temporaries are written, the rest not yet
    renames      the first article's file is renamed into place, the others not

The stages are hooked here, by wrapping reader.files' two steps (write a temporary,
rename it); the code under test has no hook of its own. Prints `done WRITTEN` at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from a checkout: the code it tests is the one beside it.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reader import files  # noqa: E402
from reader.export import exporter  # noqa: E402
from reader.library import Library  # noqa: E402

STAGES = ("manifest", "temporaries", "renames")


def pause(stage: str) -> None:
    print(f"paused {stage}", flush=True)
    sys.stdin.readline()  # the test kills us here
    raise SystemExit(f"{stage}: resumed, never killed")


def hook(stage: str) -> None:
    write_temporary, replace = files._write_temporary, files._replace
    counts = {"temporaries": 0, "renames": 0}

    def is_article(target: Path) -> bool:
        return target.name.endswith(".md")

    def _write_temporary(target, data, mode, sync):
        temporary = write_temporary(target, data, mode, sync)
        if stage == "manifest" and target.name == exporter.MANIFEST:
            pause(stage)
        if is_article(target):
            counts["temporaries"] += 1
            if stage == "temporaries" and counts["temporaries"] == 2:
                pause(stage)
        return temporary

    def _replace(temporary, target):
        replace(temporary, target)
        if is_article(target):
            counts["renames"] += 1
            if stage == "renames" and counts["renames"] == 1:
                pause(stage)

    files._write_temporary, files._replace = _write_temporary, _replace


def main(argv: list[str]) -> int:
    library_path, folder, clock = Path(argv[1]), Path(argv[2]), argv[3]
    if argv[4:5] == ["--pause-at"]:
        assert argv[5] in STAGES, argv[5]
        hook(argv[5])
    exporter._now = lambda: clock
    with Library.open(library_path) as library:
        export = exporter.Exporter(library)
        report = export.to_folder(folder, export.select())
    print(f"done {len(report.written)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
