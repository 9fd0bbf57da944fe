"""Throttled progress reports."""

from __future__ import annotations

from reader.progress import throttled


def test_reports_the_first_and_last_step_and_one_per_interval():
    now = [0.0]
    seen = []
    report = throttled(lambda done, total: seen.append(done), interval=0.1, clock=lambda: now[0])
    for step in range(1, 1001):
        now[0] = step * 0.001  # a step each millisecond: one second in all
        report(step, 1000)
    assert seen[0] == 1 and seen[-1] == 1000
    assert 10 <= len(seen) <= 12
    assert all(b - a >= 99 for a, b in zip(seen, seen[1:-1]))
