"""The terminal the dashboard draws on, whatever was redirected.

Textual draws on stderr, reads stdin and asks stdout for the size. With ``> traffic.jsonl`` it
drew a frame of the wrong size and never followed a resize; with ``2> err.log`` the whole UI
went into the file. So when any of stdin, stdout and stderr is not a terminal, the dashboard
takes the controlling terminal (``/dev/tty``) and, for as long as it runs, puts it on all three
file descriptors (``dup2``): Textual draws on it, reads it, sizes from it and follows its
resizes (SIGWINCH), and ``$PAGER`` runs on it; what the descriptors were is kept and put back
afterwards, so messages after the dashboard still go where the user sent them. A stdout that
was not a terminal gets the headless JSON lines meanwhile, so ``mocktui api.json >
traffic.jsonl`` gives both. Without any terminal, ``NoTerminal`` says so (use ``--headless``).

Only ``os`` calls: no Textual internals.
"""

from __future__ import annotations

import contextlib
import os
import sys

STDIO = (0, 1, 2)


class NoTerminal(Exception):
    """Nothing to draw the dashboard on."""

    def __init__(self) -> None:
        super().__init__(
            "no terminal to draw the dashboard on (stdin, stdout and stderr are not terminals "
            "and there is no controlling terminal): use --headless"
        )


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def find_terminal() -> int | None:
    """None when stdin, stdout and stderr are all terminals (nothing to do); else a file
    descriptor open on the terminal to use (the caller owns it). Raises NoTerminal."""
    if all(_isatty(fd) for fd in STDIO):
        return None
    try:
        return os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        pass
    for fd in (2, 1, 0):  # no controlling terminal, but one of ours is a terminal
        if _isatty(fd):
            with contextlib.suppress(OSError):
                return os.dup(fd)
    raise NoTerminal()


class TerminalSwap:
    """The terminal on fds 0, 1 and 2 while the dashboard runs; ``restore()`` puts back what
    they were. ``stdout`` is a copy of the original stdout when that was not a terminal (for
    the JSON lines), else None."""

    def __init__(self, terminal: int) -> None:
        self.terminal = terminal
        self.saved: dict[int, int] = {}
        self.stdout: int | None = None
        _flush()
        redirected_stdout = not _isatty(1)
        for fd in STDIO:
            try:
                self.saved[fd] = os.dup(fd)
            except OSError:  # closed (mocktui >&-): nothing to put back
                self.saved[fd] = -1
        if redirected_stdout and self.saved[1] >= 0:
            self.stdout = os.dup(self.saved[1])
        for fd in STDIO:
            os.dup2(terminal, fd)

    def restore(self) -> None:
        _flush()
        for fd, copy in self.saved.items():
            with contextlib.suppress(OSError):
                if copy >= 0:
                    os.dup2(copy, fd)
                    os.close(copy)
        self.saved.clear()
        with contextlib.suppress(OSError):
            os.close(self.terminal)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
