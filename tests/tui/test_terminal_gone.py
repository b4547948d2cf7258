"""The terminal going away under a running dashboard (a tmux pane closed, an SSH drop): the
process exits 0 at once and frees its port, every time. A real pseudo-terminal, a real process:
the pty's master side is closed, as the terminal emulator or sshd does, and the kernel sends
SIGHUP to the dashboard."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import termios
import time

import httpx
import pytest

RUNS = 5  # hang-ups in the default run; `pytest -m long` repeats it 20 times
LONG_RUNS = 20
# Seconds from the hang-up to the process being gone: a hang guard, not a speed target (the exit
# guard fires at 0.8 s; a loaded CI machine can take a few seconds more).
EXIT_WITHIN = 8.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(port: int) -> tuple[subprocess.Popen[bytes], int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x24\x00\x78\x00\x00\x00\x00\x00")  # 36x120

    def controlling_terminal() -> None:  # in the child: the pty becomes its terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {**os.environ, "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mocktui", "--port", str(port)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=controlling_terminal,
        env=env,
    )
    os.close(slave)
    return proc, master


def drain(master: int) -> None:
    """Read what the dashboard drew so far (a terminal would), without blocking."""
    os.set_blocking(master, False)
    try:
        while os.read(master, 65536):
            pass
    except OSError:
        pass


def wait_until_serving(url: str, master: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        drain(master)
        assert proc.poll() is None, "the dashboard exited before serving"
        try:
            if httpx.get(f"{url}/users", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("the dashboard did not start serving")


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            return True
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="Linux pseudo-terminals")
def test_closing_the_terminal_ends_the_dashboard_every_time() -> None:
    hang_ups(RUNS)


@pytest.mark.long
@pytest.mark.skipif(sys.platform != "linux", reason="Linux pseudo-terminals")
def test_closing_the_terminal_ends_the_dashboard_20_times() -> None:
    hang_ups(LONG_RUNS)


def hang_ups(runs: int) -> None:
    slowest = 0.0
    for run in range(runs):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc, master = start_dashboard(port)
        try:
            wait_until_serving(url, master, proc)
            for n in (1, 2, 3):
                httpx.get(f"{url}/users/{n}", timeout=2)
            # The traffic list, a request's details, then End (as the user who found it did).
            for keys in (b"\t", b"\r", b"\x1b[F"):
                os.write(master, keys)
                time.sleep(0.15)
                drain(master)
            hung_up = time.monotonic()
            os.close(master)
            master = -1
            code = proc.wait(timeout=10)
            took = time.monotonic() - hung_up
            slowest = max(slowest, took)
            assert code == 0, f"run {run}: exit status {code}"
            assert took < EXIT_WITHIN, f"run {run}: exited {took:.2f} s after the hang-up"
            assert port_is_free(port), f"run {run}: port {port} still taken"
        finally:
            if master >= 0:
                os.close(master)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    print(f"{runs} hang-ups, slowest exit {slowest:.2f} s")


@pytest.mark.skipif(sys.platform != "linux", reason="Linux pseudo-terminals")
@pytest.mark.parametrize("how", ["q", "ctrl+c", "SIGTERM"])
def test_quitting_during_a_flood_exits_0_and_restores_the_terminal(how: str) -> None:
    import threading

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc, master = start_dashboard(port)
    stop = threading.Event()
    statuses: list[int] = []

    def flood() -> None:
        with httpx.Client(base_url=url, timeout=5) as client:
            while not stop.is_set():
                try:
                    statuses.append(client.get("/users").status_code)
                except httpx.HTTPError:
                    return  # the server has gone: the flood ends

    try:
        wait_until_serving(url, master, proc)
        thread = threading.Thread(target=flood)
        thread.start()
        time.sleep(0.8)
        drain(master)
        if how == "SIGTERM":
            proc.terminate()
        else:  # requests in the last minute: it asks once; y stops
            os.write(master, b"q" if how == "q" else b"\x03")
            time.sleep(0.4)
            assert proc.poll() is None, "quit without asking while the mock was in use"
            os.write(master, b"y")
        screen = b""
        deadline = time.monotonic() + 8
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                screen += os.read(master, 65536)
            except (BlockingIOError, OSError):
                time.sleep(0.02)
        stop.set()
        thread.join(10)
        assert proc.wait(timeout=2) == 0
        assert port_is_free(port)
        assert statuses and 500 not in statuses
        # The terminal is given back: the alternate screen is left and the cursor shown.
        assert b"\x1b[?1049l" in screen
        assert b"\x1b[?25h" in screen
    finally:
        stop.set()
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
