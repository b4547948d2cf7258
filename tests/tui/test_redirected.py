"""Redirected output (issue 10, #11): the dashboard draws on the controlling terminal whatever
is redirected, at that terminal's size (following resizes), and a stdout that is not the
terminal gets the headless JSON lines. A real process on a real pseudo-terminal."""

from __future__ import annotations

import fcntl
import json
import os
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from .test_terminal_gone import free_port

ALT_SCREEN = b"\x1b[?1049h"


def terminal_env() -> dict[str, str]:
    # COLUMNS and LINES would win over the terminal's size (shutil.get_terminal_size reads them
    # first); an interactive shell does not export them, a test runner may.
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return {**env, "TERM": "xterm-256color"}


class Pty:
    """The dashboard in a child process whose controlling terminal is a pty we read."""

    def __init__(self, port: int, rows: int, cols: int, **redirect: Path) -> None:
        self.master, slave = os.openpty()
        self.resize(rows, cols, master=False, fd=slave)
        files = {name: open(path, "wb") for name, path in redirect.items()}  # noqa: SIM115

        def controlling_terminal() -> None:  # in the child: the pty becomes its terminal
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mocktui", "--port", str(port), "--no-watch"],
            stdin=slave,
            stdout=files.get("stdout", slave),
            stderr=files.get("stderr", slave),
            start_new_session=True,
            preexec_fn=controlling_terminal,
            env=terminal_env(),
        )
        os.close(slave)
        for f in files.values():
            f.close()
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def resize(self, rows: int, cols: int, master: bool = True, fd: int | None = None) -> None:
        size = struct.pack("HHHH", rows, cols, 0, 0)
        fcntl.ioctl(self.master if master else fd, termios.TIOCSWINSZ, size)

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> int:
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait(30)
        os.close(self.master)
        return code


def wait(check: Callable[[], object], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def row(output: bytearray, n: int) -> bool:
    """Whether the cursor was moved to row ``n`` (``ESC [ n ; x H``): a frame that tall."""
    return re.search(rb"\x1b\[%d;\d+H" % n, bytes(output)) is not None


def serving(url: str) -> bool:
    try:
        return httpx.get(f"{url}/__mocktui/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def quit_dashboard(term: Pty) -> int:
    term.send(b"q")
    time.sleep(0.3)
    if term.proc.poll() is None:
        term.send(b"y")  # requests came in the last minute: it asks first
    return term.proc.wait(30)


def test_stdout_to_a_file_gets_json_lines_and_the_ui_is_on_the_terminal(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    traffic = tmp_path / "traffic.jsonl"
    term = Pty(port, 30, 100, stdout=traffic)
    try:
        wait(lambda: serving(url), "the server")
        wait(lambda: b"8 ep" in term.output or b"endpoints" in term.output, "the first frame")
        # Drawn at the terminal's size (30 rows): the last row is addressed, no row beyond.
        wait(lambda: row(term.output, 30), "a frame of 30 rows")
        assert not row(term.output, 31)
        assert httpx.get(f"{url}/users/1").status_code == 200
        httpx.get(f"{url}/nope")
        wait(lambda: traffic.read_text().count("\n") == 2, "two JSON lines on stdout")
        # A resize of the terminal is followed (SIGWINCH; the size is the terminal's).
        term.resize(40, 120)
        wait(lambda: row(term.output, 40), "a frame of 40 rows")
        assert quit_dashboard(term) == 0
    finally:
        term.close()
    lines = [json.loads(line) for line in traffic.read_text().splitlines()]
    assert [(e["method"], e["path"], e["status"]) for e in lines] == [
        ("GET", "/users/1", 200),
        ("GET", "/nope", 404),
    ]
    assert "\x1b" not in traffic.read_text()  # nothing of the UI in the file


def test_stderr_to_a_file_does_not_take_the_ui(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    errors = tmp_path / "err.log"
    term = Pty(port, 24, 80, stderr=errors)
    try:
        wait(lambda: serving(url), "the server")
        wait(lambda: ALT_SCREEN in term.output, "the dashboard on the terminal")
        wait(lambda: row(term.output, 24), "a frame of 24 rows")
        assert quit_dashboard(term) == 0
    finally:
        term.close()
    assert b"\x1b[" not in errors.read_bytes()  # the UI went to the terminal, not the file


def test_without_any_terminal_it_says_so() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mocktui", "--port", "0"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,  # no controlling terminal
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr == (
        b"mocktui: error: no terminal to draw the dashboard on (stdin, stdout and stderr are not "
        b"terminals and there is no controlling terminal): use --headless\n"
    )
