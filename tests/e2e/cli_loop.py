"""Runs `marginalia import` or `marginalia export` again and again until a deadline, for
the concurrent-writers test: each run is the real command line (a fresh process), and
each import brings a new article whose title is printed once the command said it was
imported ("ACK <title>").

    python cli_loop.py import LIBRARY WORKDIR SECONDS NAME
    python cli_loop.py export LIBRARY WORKDIR SECONDS NAME
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    action, library, workdir, seconds, name = sys.argv[1:6]
    deadline = time.monotonic() + float(seconds)
    workdir = Path(workdir)
    runs = 0
    while time.monotonic() < deadline:
        runs += 1
        if action == "import":
            title = f"{name} article {runs}"
            source = workdir / f"{name}-{runs}.md"
            source.write_text(f"# {title}\n\nWritten by {name}, run {runs}. " * 3,
                              encoding="utf-8")
            args = ["import", str(source)]
        else:
            args = ["export", "--out", str(workdir / f"{name}-vault")]
        done = subprocess.run([sys.executable, "-m", "reader.cli", "--db", library, *args],
                              capture_output=True, text=True)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            print(f"FAILED {args}: exit {done.returncode}", flush=True)
            return 1
        if action == "import":
            print(f"ACK {title}", flush=True)
    print(f"RUNS {runs}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
