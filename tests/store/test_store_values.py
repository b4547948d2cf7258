"""The store URL and worker count rules (rules.py), and MOCKTUI_STORE for the ASGI app."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mocktui.rules import parse_store, parse_workers, store_name
from mocktui.server.asgi import ConfigError, app_from_env
from tests.store.conftest import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("redis://localhost", "redis://localhost:6379/0"),
        ("redis://127.0.0.1:7000/3", "redis://127.0.0.1:7000/3"),
        ("  REDIS://h:1/  ", "redis://h:1/0"),
        ("redis://:secret@h:6380/1", "redis://:secret@h:6380/1"),
        ("rediss://user:pw@h", "rediss://user:pw@h:6379/0"),
        ("redis://[::1]:6379/2", "redis://[::1]:6379/2"),
    ],
)
def test_a_store_url_is_read_and_normalized(given: str, normalized: str) -> None:
    assert parse_store(given) == normalized


@pytest.mark.parametrize(
    "given",
    [
        "",
        "redis",
        "memcached://h",
        "redis://h:0",
        "redis://h:²",
        "redis://h/-1",
        "redis://h/1/2",
        "redis://a b",
        "redis://[::1/0",
        "redis://h#x",
    ],
)
def test_a_bad_store_url_is_refused(given: str) -> None:
    with pytest.raises(ValueError):
        parse_store(given)


def test_a_password_is_never_shown() -> None:
    assert store_name("redis://:secret@h:6379/0") == "redis://•••@h:6379/0"
    assert store_name("redis://me:secret@h:6379/0") == "redis://me:•••@h:6379/0"
    assert store_name("redis://h:6379/0") == "redis://h:6379/0"


@pytest.mark.parametrize(("given", "value"), [("1", 1), ("2", 2), ("64", 64)])
def test_workers(given: str, value: int) -> None:
    assert parse_workers(given) == value


@pytest.mark.parametrize("given", ["0", "65", "-1", "two", "²", "+2", ""])
def test_bad_workers(given: str) -> None:
    with pytest.raises(ValueError):
        parse_workers(given)


def test_mocktui_store_for_the_asgi_app_is_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        app_from_env({"MOCKTUI_STORE": "localhost:6379"})
    assert str(caught.value) == (
        "MOCKTUI_STORE='localhost:6379': expected redis://HOST:PORT/DB, got 'localhost:6379'"
    )


def test_hypercorn_workers_of_the_asgi_app_share_the_store(redis_server: RedisServer) -> None:
    """The README's one-box line: hypercorn -w 2 mocktui.server.asgi:app, MOCKTUI_STORE set."""
    port = free_port()
    env = {**os.environ, "MOCKTUI_STORE": redis_server.url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hypercorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "mocktui.server.asgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/__mocktui/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "hypercorn never answered"
            time.sleep(0.05)
        pinned = httpx.post(
            f"{url}/__mocktui/endpoints/0/Users/Get user/pin", json={"example": 2}, timeout=10
        )
        assert pinned.status_code == 200
        time.sleep(0.1)
        codes = [
            httpx.get(f"{url}/users/1", headers={"connection": "close"}, timeout=10).status_code
            for _ in range(50)
        ]
        assert codes == [404] * 50
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    errors = proc.stderr.read().decode(errors="replace")  # type: ignore[union-attr]
    assert not re.search(r"Traceback|Error", errors), errors
