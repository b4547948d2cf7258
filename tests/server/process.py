"""mocktui as a user runs it, ``python -m mocktui --headless``, in a child process: its ready
line, its JSON lines counted, its memory read from /proc (Linux)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def collection(folder: Path, **bodies: str) -> Path:
    """A collection with one GET example per keyword (``big="x" * 200_000`` serves /big)."""
    items = [
        {
            "name": name,
            "request": {"method": "GET", "url": f"/{name}"},
            "response": [
                {
                    "name": name,
                    "code": 200,
                    "originalRequest": {"method": "GET", "url": f"/{name}"},
                    "body": body,
                }
            ],
        }
        for name, body in bodies.items()
    ]
    path = folder / "served.postman_collection.json"
    path.write_text(json.dumps({"info": {"name": "served", "schema": SCHEMA}, "item": items}))
    return path


class Mocktui:
    """``mocktui --headless --port 0 FILE``: started, ready, read; stopped with SIGTERM."""

    def __init__(self, *args: str) -> None:
        if not Path("/proc/self/status").exists():
            pytest.skip("reads memory from /proc (Linux)")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mocktui", "--headless", "--no-watch", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        ready = self.proc.stderr.readline().decode()  # type: ignore[union-attr]
        found = re.search(r"listening on (http://\S+)", ready)
        if found is None:
            self.proc.kill()
            raise AssertionError(f"no ready line: {ready!r}")
        self.url = found[1]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.lines = 0  # JSON lines read from stdout
        self.errors: list[str] = []
        self._threads = [
            threading.Thread(target=self._count, daemon=True),
            threading.Thread(target=self._errors, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _count(self) -> None:
        for _line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines += 1

    def _errors(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.errors.append(line.decode(errors="replace"))

    def memory(self, field: str = "VmRSS") -> float:
        """MB of the process: VmRSS now, VmHWM the peak."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        raise AssertionError(f"no {field}")

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, then the exit status once stdout and stderr are read to the end."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        for thread in self._threads:
            thread.join(timeout)
        return code

    def dropped(self) -> int:
        """Request lines the server said it dropped (stdout not read fast enough)."""
        found = [re.search(r"(\d+) request lines dropped", e) for e in self.errors]
        return sum(int(f[1]) for f in found if f)

    def settle(self, check: float = 0.3, timeout: float = 10) -> int:
        """Wait until the printed line count stops moving; return it."""
        deadline = time.monotonic() + timeout
        last = -1
        while time.monotonic() < deadline and last != self.lines:
            last = self.lines
            time.sleep(check)
        return self.lines

    def __enter__(self) -> Mocktui:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
