"""The query language: one way to say which articles or highlights, everywhere.

The search box, `marginalia list --query`, `marginalia search`, `marginalia export
--query` and saved views all take it. `syntax` reads any text into a tree (never an
error), `values` reads dates and numbers, `sql` compiles a tree to one SQL statement,
and `manager.QueryManager` (`library.query`) runs it.
"""
