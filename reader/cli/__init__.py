"""The `marginalia` command line: starts the window, or runs a subcommand on the library."""
