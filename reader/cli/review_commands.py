"""`marginalia review`: what the daily review holds today, from the command line.

    marginalia review [--json] [--today DATE] [--scope QUERY]
    marginalia review --due [--json] [--today DATE] [--scope QUERY]

Without --due: today's count, the streak and the reviews of the last twelve weeks. With
--due: the cards of today's review, in the order the review shows them (due ones, most
overdue first, then new ones), within the day's limits of settings.toml. --today moves
the review's clock to that day (noon, local time), to see what will be due.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date

from reader.library import Library
from reader.review import ReviewOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("The daily review of highlights: today's count and your streak, "
                          "or (--due) the highlights due today.")
    parser.add_argument("--due", action="store_true",
                        help="list today's cards, in the order the review shows them")
    parser.add_argument("--json", action="store_true", help="one JSON document")
    parser.add_argument("--today", type=_day, metavar="DATE",
                        help="as if today were DATE (YYYY-MM-DD): what will be due then")
    parser.add_argument("--scope", metavar="QUERY",
                        help="only highlights the query finds (default: settings.toml's "
                             "review_scope; \"\" for the whole library)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date is written YYYY-MM-DD, not {text!r}") from None


def _options(scope: str | None) -> ReviewOptions:
    from reader.settings import Settings, default_path

    settings = Settings.load(default_path())
    for problem in settings.problems:
        print(f"marginalia: {problem}", file=sys.stderr)
    options = ReviewOptions.from_settings(settings.get)
    return options if scope is None else replace(options, scope=scope)


def review(library: Library, options: argparse.Namespace) -> int:
    chosen = _options(options.scope)
    manager = library.review
    if options.today is not None:
        manager.clock.set_day(options.today)
    queue = manager.today(chosen)
    for message in queue.messages:
        print(f"marginalia: the scope {chosen.scope!r}: {message}", file=sys.stderr)
    if options.due:
        return _list_due(library, queue, chosen, options.json)
    history = manager.history()
    tomorrow = manager.due_tomorrow(chosen.scope, chosen.skip_tag)
    summary = {"day": manager.clock.today().isoformat(), "scope": chosen.scope,
               "due": queue.due_count, "new": queue.new_count, "due_total": queue.due_total,
               "reviewed_today": history.today, "streak": history.streak,
               "reviews_12_weeks": history.total, "due_tomorrow": tomorrow,
               "limits": {"new": chosen.limits.new, "due": chosen.limits.due}}
    if options.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(f"{_today_line(queue)} (up to {chosen.limits.new} new and {chosen.limits.due} due "
          "a day).")
    print(f"Reviewed today: {history.today}; streak: {history.streak} "
          f"day{'s' * (history.streak != 1)}; {history.total} reviews in 12 weeks; "
          f"{tomorrow} due tomorrow.")
    return 0


def _today_line(queue) -> str:
    if not len(queue):
        return "Nothing to review today"
    return (f"{len(queue)} highlight{'s' * (len(queue) != 1)} to review today: "
            f"{queue.due_count} due, {queue.new_count} new")


def _list_due(library: Library, queue, chosen: ReviewOptions, as_json: bool) -> int:
    manager = library.review
    cards = []
    for item in queue.items:
        try:
            cards.append(manager.card(item.highlight_id))
        except Exception:  # noqa: BLE001 - deleted between the queue and now: left out
            continue
    due_dates = manager.due_dates([c.highlight_id for c in cards])
    if as_json:
        print(json.dumps([{
            "highlight_id": c.highlight_id, "article_id": c.article_id,
            "article_title": c.title, "quote": c.highlight.exact, "kind": c.kind,
            "question": c.question or None, "new": c.new,
            "due": due_dates.get(c.highlight_id), "last_review": c.state.last_review,
            "stability_days": c.state.stability, "reviews": c.reviews,
        } for c in cards], ensure_ascii=False, indent=2))
        return 0
    print(f"{_today_line(queue)}.")
    for c in cards:
        when = "new" if c.new else f"due {due_dates.get(c.highlight_id, '?')}"
        quote = " ".join(c.highlight.exact.split())
        if len(quote) > 80:
            quote = quote[:79] + "…"
        print(f"{c.highlight_id}\t{when}\t{c.kind}\t{c.title}\t{quote}")
    return 0
