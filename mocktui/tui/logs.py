"""Python logging (Hypercorn's error log, ``mocktui.server``, warnings, asyncio) kept inside the
dashboard: nothing may write to the terminal while Textual owns it.

While ``capture_logging()`` is active, the root logger's handlers are replaced by one
``DashboardLog`` that keeps the last lines in memory; the app shows WARNING and above as
notifications and all of it in the server log (command palette: "Server log").
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Iterator

LOGGERS = ("mocktui", "hypercorn", "quart", "asyncio")


class DashboardLog(logging.Handler):
    """A logging handler that keeps records for the dashboard (thread-safe, never blocks)."""

    def __init__(self, keep: int = 500) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
        )
        self.lines: deque[tuple[str, str]] = deque(maxlen=keep)
        self._pending: deque[tuple[int, str]] = deque(maxlen=50)
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # a bad format string must not take the dashboard down
            line = f"{record.levelname} {record.name}: {record.msg!r}"
        with self._lock:
            self.lines.append((record.levelname, line))
            if record.levelno >= logging.WARNING:
                message = record.getMessage() if record.args else str(record.msg)
                self._pending.append((record.levelno, f"{record.name}: {message}"))

    def take_pending(self) -> list[tuple[int, str]]:
        """Records to show as notifications since the last call."""
        with self._lock:
            pending = list(self._pending)
            self._pending.clear()
        return pending


@contextlib.contextmanager
def capture_logging(handler: DashboardLog) -> Iterator[DashboardLog]:
    """Route all Python logging into ``handler`` for the duration (and restore it after)."""
    root = logging.getLogger()
    saved_handlers = root.handlers[:]
    saved_level = root.level
    saved_last_resort = logging.lastResort
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    for old in saved_handlers:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("mocktui").setLevel(logging.INFO)
    logging.lastResort = handler  # not the "last resort" handler, which writes to stderr
    logging.captureWarnings(True)
    try:
        yield handler
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        for old in saved_handlers:
            root.addHandler(old)
        root.setLevel(saved_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
        logging.lastResort = saved_last_resort
