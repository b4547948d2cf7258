"""``mocktui --headless --workers N``: N Hypercorn worker processes on one port, sharing one
control store (``--store``).

Hypercorn's own multi-process mode runs them (``hypercorn.run``: it starts, watches and stops
the workers; SIGINT and SIGTERM stop them gracefully). Each worker loads
``mocktui.server.worker:app``. The ready line, on stderr, comes once every worker serves and
is in step with the store, and counts them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from socket import socket
from typing import TextIO

from mocktui.config import Settings
from mocktui.engine.coverage import coverage, summary_line
from mocktui.engine.engine import MockEngine
from mocktui.engine.exports import json_bytes
from mocktui.files import write_atomically
from mocktui.rules import store_name, terminal_safe
from mocktui.server.serve import base_url, hypercorn_config
from mocktui.server.worker import ENV, worker_env

READY_TIMEOUT = 60.0  # seconds the workers get to start before the parent says so


def run_workers(
    settings: Settings,
    store: str,
    workers: int,
    sock: socket,
    notes: Sequence[str] = (),
    engine: MockEngine | None = None,
    err: TextIO | None = None,
) -> int:
    """Serve with ``workers`` processes until a signal; the exit status."""
    from hypercorn.run import run

    err = err or sys.stderr
    url = base_url(sock)
    ready = tempfile.mkdtemp(prefix="mocktui-workers-")
    os.environ[ENV] = worker_env(settings, store, ready)
    config = hypercorn_config(os.dup(sock.fileno()))
    config.workers = workers
    config.application_path = "mocktui.server.worker:app"
    stop = threading.Event()

    def say(line: str) -> None:
        err.write(f"mocktui: {terminal_safe(line)}\n")
        err.flush()

    def announce() -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not stop.is_set():
            if len(os.listdir(ready)) >= workers:
                counts = (
                    f"{len(engine.endpoints)} endpoints, {engine.example_count} examples, "
                    if engine is not None
                    else ""
                )
                err.write(f"mocktui listening on {url} ({counts}{workers} workers)\n")
                err.flush()
                say(f"workers share {store_name(store)}")
                for line in notes:
                    say(f"warning: {line}")
                return
            if time.monotonic() > deadline:
                say(f"warning: not every worker started within {READY_TIMEOUT:g} s")
                deadline = float("inf")
            stop.wait(0.02)

    announcer = threading.Thread(target=announce, name="mocktui ready line", daemon=True)
    announcer.start()
    try:
        code = run(config)
    finally:
        stop.set()
        announcer.join(1)
        shutil.rmtree(ready, ignore_errors=True)
        os.environ.pop(ENV, None)
    if settings.coverage and engine is not None:
        say(_write_coverage(engine, store, settings.coverage))
        say(summary_line(coverage(engine)))
    return 0 if code == 0 else 1


def _write_coverage(engine: MockEngine, store: str, path: str) -> str:
    """The coverage file of all the workers: the shared counts, read from the store."""
    from mocktui.store.redis_store import RedisBackend

    backend = RedisBackend(engine, store)

    async def read() -> None:
        try:
            await backend.refresh()
        finally:
            if backend._redis is not None:
                await backend._redis.aclose()

    try:
        asyncio.run(read())
    except Exception as exc:
        return f"error: cannot read the counts from {store_name(store)}: {exc}"
    try:
        write_atomically(path, json_bytes(coverage(engine)))
    except OSError as exc:
        return f"error: cannot write the coverage file {path}: {exc.strerror or exc}"
    return f"coverage written to {path}"
