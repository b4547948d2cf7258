"""One worker process of ``mocktui --headless --workers N``: Hypercorn loads ``app`` from here.

The parent (``mocktui.server.workers``) hands its settings over in the MOCKTUI_WORKER
environment variable. Each worker has its own engine, kept in step with the others through the
shared store, and writes the JSON lines of the requests it served to stdout (whole lines: a
batch is written in pieces of at most PIPE_BUF bytes, so the workers' lines never mix).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from mocktui.config import Settings, load_collections
from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.engine.state import StateFile
from mocktui.server import memory
from mocktui.server.app import MockASGI, create_app
from mocktui.server.headless import LineWriter, SafeFormatter
from mocktui.server.headless import _print_events as print_events
from mocktui.server.serve import _install_connection_class
from mocktui.store import open_store

ENV = "MOCKTUI_WORKER"
PIPE_BUF = 4096  # bytes a pipe writes whole (POSIX): the workers' lines never interleave


def worker_env(settings: Settings, store: str, ready: str) -> str:
    return json.dumps({"settings": dataclasses.asdict(settings), "store": store, "ready": ready})


def _settings(data: dict[str, Any]) -> Settings:
    engine = dict(data.pop("engine"))
    engine["match_headers"] = tuple(engine.get("match_headers") or ())
    data["collections"] = tuple(data.get("collections") or ())
    data["variables"] = tuple(tuple(v) for v in data.get("variables") or ())
    return Settings(**data, engine=EngineSettings(**engine))


class PipeLines:
    """stdout for a LineWriter: whole lines, in writes of at most PIPE_BUF bytes."""

    def __init__(self, fd: int = 1) -> None:
        self.fd = fd

    def write(self, text: str) -> int:
        piece: list[bytes] = []
        size = 0
        for line in text.encode("utf-8", "surrogateescape").splitlines(keepends=True):
            if piece and size + len(line) > PIPE_BUF:
                self._out(b"".join(piece))
                piece, size = [], 0
            piece.append(line)
            size += len(line)
        if piece:
            self._out(b"".join(piece))
        return len(text)

    def _out(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def flush(self) -> None:
        pass


def build_app(text: str) -> MockASGI:
    given = json.loads(text)
    settings = _settings(given["settings"])
    engine = MockEngine(
        load_collections(settings.collection_paths, settings.env_file, dict(settings.variables)),
        settings.engine,
    )
    state = None
    if settings.state_file:
        state = StateFile(settings.state_file, engine.store)
        state.load()  # checked by the parent already
    if settings.scenario is not None:
        engine.store.apply_scenario(settings.scenario, source="scenario")
    backend = open_store(engine, given["store"])
    app = create_app(engine=engine, max_body=settings.max_body)
    running: dict[str, Any] = {}

    @app.quart.before_serving  # type: ignore[attr-defined]
    async def started() -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(SafeFormatter("mocktui: %(message)s"))
        logging.basicConfig(level=logging.WARNING, handlers=[handler])
        await backend.start()
        writer = LineWriter(PipeLines())  # type: ignore[arg-type]
        running["writer"] = writer
        running["printer"] = asyncio.create_task(print_events(engine, writer))
        memory.settle(collect=False)  # the worker's load is in place (server/memory.py)
        engine.installed.append(memory.settle)
        Path(given["ready"], str(os.getpid())).touch()

    @app.quart.after_serving  # type: ignore[attr-defined]
    async def stopped() -> None:
        printer = running.get("printer")
        if printer is not None:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer
            running["writer"].close()
        await backend.stop()
        if state is not None:
            state.close()

    return app


_install_connection_class()  # Hypercorn's connections, with mocktui's limits (serve.py)
app = build_app(os.environ[ENV]) if ENV in os.environ else None
