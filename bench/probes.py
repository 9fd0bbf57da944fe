"""Measurements that need a fresh process: `python -m bench.probes KIND ARGS_JSON`.

KIND is `bare` (a bare PySide6 window: the start-up floor), `startup` (Marginalia's own
`reader.ui.app.run`, stopped once the article list has painted rows) or `session`
(start-up, then every UI measurement of bench.session in the same process). Times are
taken from the moment the parent started the process: it passes its
`time.monotonic()` in BENCH_T0 (CLOCK_MONOTONIC is shared by every process).
Results go to the JSON file named by ARGS_JSON["out"].
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

T0 = float(os.environ.get("BENCH_T0", time.monotonic()))
STARTUP_WATCH_S = 0.3  # UI stalls are watched at least this long after the first paint


def since_start() -> float:
    """Seconds since the parent started this process."""
    return time.monotonic() - T0


def write(out: str, result: dict) -> None:
    Path(out).write_text(json.dumps(result, indent=1))


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _paint_watcher(target, on_painted, ready=lambda: True):
    """An event filter calling on_painted() once `target` has finished its first paint
    for which ready() holds. The filter sees the Paint event before the widget handles
    it, so the call is queued: it runs right after the paint (and the flush) is done."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.fired = False
            self.paint_started: float | None = None

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
            if not self.fired and obj is target and event.type() == QEvent.Type.Paint and ready():
                self.fired = True
                self.paint_started = since_start()
                QTimer.singleShot(0, lambda: on_painted(self))
            return False

    watcher = Watcher()
    target.installEventFilter(watcher)
    return watcher


# --- the floor: a bare window ---------------------------------------------------------
def bare(args: dict) -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    imported = since_start()
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setCentralWidget(QWidget())
    window.resize(1360, 820)

    def painted(watcher) -> None:
        write(args["out"], {"imported": imported, "paint_started": watcher.paint_started,
                            "painted": since_start(), "peak_rss_mb": peak_rss_mb()})
        app.quit()

    keep = _paint_watcher(window, painted)  # noqa: F841 - must outlive the event loop
    window.show()
    app.exec()


# --- Marginalia's start-up ------------------------------------------------------------
def _run_app(args: dict, after_first_paint) -> None:
    """Start Marginalia exactly as `marginalia` does (reader.ui.app.run), and call
    after_first_paint(window, phases) once the article list has painted its rows."""
    import reader.ui.app as app_module
    import reader.ui.main_window as main_window_module

    phases: dict[str, float] = {"imported_app_module": since_start()}
    original_create = app_module.create_application
    original_window = main_window_module.MainWindow

    def create_application(*a, **k):
        phases["create_application_called"] = since_start()
        app = original_create(*a, **k)
        phases["application_created"] = since_start()
        return app

    class ProbedWindow(original_window):
        """The real window; only watches when its article list first paints rows."""

        def __init__(self, *a, **k) -> None:
            phases["window_init_called"] = since_start()
            super().__init__(*a, **k)
            phases["window_built"] = since_start()
            self._bench_watcher = _paint_watcher(
                self.list_view.viewport(), self._bench_painted,
                ready=lambda: self.model.rowCount() > 0)

        def show(self) -> None:
            super().show()
            phases["window_show_returned"] = since_start()

        def _bench_painted(self, watcher) -> None:
            phases["list_paint_started"] = watcher.paint_started
            phases["list_painted"] = since_start()
            try:
                after_first_paint(self, phases)
            except BaseException as exc:  # noqa: BLE001 - the parent reads this, not a hang
                import traceback

                write(args["out"], {"error": f"{exc!r}", "traceback": traceback.format_exc(),
                                    "phases": phases})
                os._exit(3)

    def timed(name: str):
        # Start-up steps worth seeing on their own, wrapped only if this version has them.
        original = getattr(app_module, name, None)
        if original is None:
            return

        def wrapper(*a, **k):
            phases[f"{name}_called"] = since_start()
            try:
                return original(*a, **k)
            finally:
                phases[f"{name}_returned"] = since_start()

        setattr(app_module, name, wrapper)

    for name in ("check_and_repair", "daily_backup"):
        timed(name)
    app_module.create_application = create_application
    main_window_module.MainWindow = ProbedWindow
    app_module.run(Path(args["db"]), [sys.argv[0]])


def _leave() -> None:
    """End the event loop without closing the window (closing would save the reading
    position into the cached library); run() then ends its session cleanly, as after a
    normal quit, so the next start-up does not take this one for a crash."""
    from PySide6.QtWidgets import QApplication

    QApplication.instance().exit(0)


def startup(args: dict) -> None:
    def done(window, phases) -> None:
        model = window.model
        rows_at_paint = model.rowCount()
        # A long list shows its first rows, then reads the rest in the background: how
        # long until the whole list is there (the scroll bar's full length).
        # The window should answer meanwhile: the heartbeat times its longest stall from
        # the first paint until the list is complete, and for at least STARTUP_WATCH_S
        # (the rest of start-up's queued work).
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        from bench.heartbeat import Heartbeat, pump

        heartbeat = Heartbeat()
        with heartbeat.during("start-up"):
            watched = time.monotonic()
            # The article opens after the first paint: when it is there to read.
            def article_shown() -> bool:
                return getattr(window, "shown_article", 0) is not None

            while getattr(model, "loading", False) or not article_shown():
                QApplication.instance().processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
                if "article_shown" not in phases and article_shown():
                    phases["article_shown"] = since_start()
                if "list_complete" not in phases and not getattr(model, "loading", False):
                    phases["list_complete"] = since_start()
            now = since_start()
            phases.setdefault("article_shown", now)
            phases.setdefault("list_complete", now)
            pump(STARTUP_WATCH_S - (time.monotonic() - watched))
        write(args["out"], {"rows_at_paint": rows_at_paint,
            "phases": phases, "painted": phases["list_painted"], "rows": model.rowCount(),
            "rows_fetched": len(model._cache), "peak_rss_mb": peak_rss_mb(),
            "rss_mb": rss_mb(), "stall_ms": heartbeat.stalls_ms().get("start-up"),
        })
        _leave()

    _run_app(args, done)
    sys.stdout.flush()
    os._exit(0)  # skips tearing down Qt objects at interpreter exit


def session(args: dict) -> None:
    from bench.session import Session

    def done(window, phases) -> None:
        result = Session(window, args, phases).run()
        write(args["out"], result)
        _leave()

    _run_app(args, done)
    sys.stdout.flush()
    os._exit(0)


KINDS = {"bare": bare, "startup": startup, "session": session}

if __name__ == "__main__":
    KINDS[sys.argv[1]](json.loads(sys.argv[2]))
