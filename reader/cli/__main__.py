"""`python -m reader.cli`: the same as the `marginalia` command."""

import sys

from reader.cli.main import main

sys.exit(main())
