"""Entry point: `.venv/bin/python -m bench [--articles N] [--out bench/results.json]`."""

from __future__ import annotations

from bench.run import main

raise SystemExit(main())
