"""``mocktui --headless --workers N --store redis://...`` as a user runs it, in a child process,
and the command line's errors for the store and the workers."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis

from mocktui.store.redis_store import K_EVENTS
from tests.store.conftest import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]
USER = "0/Users/Get user"
READY = re.compile(
    r"^mocktui listening on (http://127\.0\.0\.1:\d+) \(8 endpoints, 18 examples, 2 workers\)$"
)


def mocktui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mocktui", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


class Workers:
    def __init__(self, store: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mocktui",
                "--headless",
                "--port",
                "0",
                "--workers",
                "2",
                "--store",
                store,
                *args,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.ready = self.proc.stderr.readline().rstrip("\n")  # type: ignore[union-attr]
        found = READY.match(self.ready)
        if found is None:
            self.proc.kill()
            raise AssertionError(f"no ready line: {self.ready!r}: {self.proc.stderr.read()}")  # type: ignore[union-attr]
        self.url = found[1]
        self.lines: list[dict[str, object]] = []
        self.err: list[str] = []
        threading.Thread(target=self._out, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _out(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.append(json.loads(line))

    def _err(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.err.append(line)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


def fresh_get(url: str) -> httpx.Response:
    # One connection per request: the kernel hands each to whichever worker accepts it.
    return httpx.get(url, headers={"connection": "close"}, timeout=10)


def test_a_pin_through_the_control_api_changes_every_workers_answers(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    report = tmp_path / "coverage.json"
    workers = Workers(redis_server.url, "--coverage", str(report))
    origins: set[str] = set()
    sent = 0
    try:
        pinned = httpx.post(
            f"{workers.url}/__mocktui/endpoints/{USER}/pin", json={"example": 2}, timeout=10
        )
        assert pinned.status_code == 200
        time.sleep(0.1)  # the 100 ms a change may take to reach every worker
        r = redis.Redis.from_url(redis_server.url, decode_responses=True)
        with ThreadPoolExecutor(8) as pool:
            for _batch in range(20):  # until both workers have answered some
                answers = list(pool.map(fresh_get, [f"{workers.url}/users/1"] * 50))
                sent += 50
                assert [a.status_code for a in answers] == [404] * 50
                deadline = time.monotonic() + 10
                while len(r.xrange(K_EVENTS)) < sent and time.monotonic() < deadline:
                    time.sleep(0.02)
                origins = {fields["o"] for _id, fields in r.xrange(K_EVENTS)}
                if len(origins) == 2:
                    break
        assert len(origins) == 2, "one worker answered everything"
        # Coverage counts add up across the workers (the control API of either one).
        deadline = time.monotonic() + 10
        total = 0
        while total != sent and time.monotonic() < deadline:
            total = httpx.get(f"{workers.url}/__mocktui/coverage").json()["summary"]["requests"]
            time.sleep(0.02)
        assert total == sent
        r.close()
    finally:
        code = workers.stop()
    assert code == 0
    # Each worker's JSON lines on stdout: one per request served, all workers together.
    served = [line for line in workers.lines if line["path"] == "/users/1"]
    assert len(served) == sent
    assert {line["example"] for line in served} == {"User not found"}
    data = json.loads(report.read_text())
    assert data["summary"]["requests"] == sent
    assert any(line.startswith("mocktui: coverage written to") for line in workers.err)


def test_more_than_one_worker_needs_a_store() -> None:
    result = mocktui("--headless", "--port", "0", "--workers", "2")
    assert result.returncode == 2
    assert result.stderr == (
        "mocktui: error: --workers 2: the workers must share one control store: add --store "
        "redis://HOST:PORT/DB (else a pin would apply to one worker in 2)\n"
    )


def test_workers_serve_headless_only(redis_server: RedisServer) -> None:
    result = mocktui("--port", "0", "--workers", "2", "--store", redis_server.url)
    assert result.returncode == 2
    assert result.stderr == (
        "mocktui: error: --workers: several worker processes serve headless only: add --headless\n"
    )


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("localhost:6379", "expected redis://HOST:PORT/DB, got 'localhost:6379'"),
        ("http://localhost/0", "expected redis://HOST:PORT/DB, got 'http://localhost/0'"),
        ("redis://", "expected redis://HOST:PORT/DB with a host, got 'redis://'"),
        ("redis://h:99999/0", "the port must be from 1 to 65535, got '99999'"),
        ("redis://h:6379/x", "the DB must be a number (0, 1, ...), got 'x'"),
        (
            "redis://h:6379/0?x=1",
            "expected redis://HOST:PORT/DB without a query, got 'redis://h:6379/0?x=1'",
        ),
    ],
)
def test_a_bad_store_url_gets_one_line(given: str, problem: str) -> None:
    result = mocktui("--headless", "--store", given)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"mocktui: error: argument --store: {problem}"


def test_a_store_that_does_not_answer_is_an_error_before_serving() -> None:
    port = free_port()
    result = mocktui("--headless", "--port", "0", "--store", f"redis://127.0.0.1:{port}/0")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"mocktui: error: --store redis://127.0.0.1:{port}/0: cannot connect: "
    )
    assert len(result.stderr.splitlines()) == 1
    assert "listening" not in result.stderr
