"""Exporting annotations as Markdown files for a notes vault."""
