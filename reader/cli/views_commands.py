"""`marginalia views`: list the saved views with their counts, add one, remove one."""

from __future__ import annotations

import argparse
import json
import sys

from reader.library import Library, LibraryError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia views",
        description="Saved views: named queries shown above the tags in the window, each "
                    "with the number of articles it finds and an optional key.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", help="each view: name, count, query and key, in the sidebar's order")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    add = actions.add_parser("add", help="a new view, last in the order")
    add.add_argument("name", metavar="NAME")
    add.add_argument("query", metavar="QUERY",
                     help="what it finds, in the query language (is:unread, tag:history, "
                          "added:<2w, OR, ...)")
    add.add_argument("--key", metavar="KEY",
                     help="a key sequence that shows it in the window, such as \"G, R\" "
                          "(G then R) or Ctrl+1; refused if the window uses it already")
    remove = actions.add_parser("remove", help="delete a view (its articles stay)")
    remove.add_argument("name", metavar="NAME")
    return parser


def run(library: Library, options: argparse.Namespace) -> int:
    views = library.views
    if options.action == "list":
        found = views.list()
        counts = views.counts(found)
        if options.json:
            print(json.dumps([{"id": v.id, "name": v.name, "count": counts.get(v.id),
                               "query": v.query, "key": v.key, "position": v.position}
                              for v in found], ensure_ascii=False, indent=1))
            return 0
        width = max((len(v.name) for v in found), default=0)
        digits = max((len(str(c)) for c in counts.values()), default=1)
        for v in found:
            count = "?" if counts.get(v.id) is None else str(counts[v.id])
            line = f"{v.name:<{width}}  {count:>{digits}}  {v.query}"
            print(line + (f"  [{v.key}]" if v.key else ""))
        return 0
    if options.action == "add":
        view = views.add(options.name, options.query, options.key, keymap=_keymap())
        for message in library.query.messages(view.query):
            print(f"marginalia: query: {message}", file=sys.stderr)
        count = views.count(view.query)
        key = f"; {view.key} shows it in the window" if view.key else ""
        print(f"Added the view “{view.name}”: {count} article{'s' * (count != 1)}{key}.")
        return 0
    if options.action == "remove":
        view = views.find(options.name)
        if view is None:
            names = ", ".join(v.name for v in views.list()) or "none"
            raise LibraryError(f"There is no saved view called “{options.name}” (the views: "
                               f"{names}).")
        views.remove(view.id)
        print(f"Removed the view “{view.name}”; its articles stay in the library.")
        return 0
    raise AssertionError(options.action)


def _keymap():
    """The window's keys as the user set them in settings.toml (a view's key must be
    free in it)."""
    from reader.settings import Settings, default_path

    return Settings.load(default_path()).keymap()
