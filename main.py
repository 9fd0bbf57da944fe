"""Starts Marginalia from a source checkout: `python main.py [--db PATH]`."""

import sys

from reader.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
