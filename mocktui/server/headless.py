"""Headless mode: serve, print a ready line to stderr and one JSON line per request to stdout."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import signal
import socket
import sys
import threading
from datetime import UTC, datetime
from typing import TextIO

from mocktui.config import Settings
from mocktui.engine.engine import MockEngine
from mocktui.engine.events import RequestEvent
from mocktui.server.app import create_app
from mocktui.server.serve import base_url, serve
from mocktui.watch import start_watching, stop_watching


def event_line(event: RequestEvent) -> str:
    """One request as a JSON line (the headless log format; see README)."""
    return json.dumps(
        {
            "time": datetime.fromtimestamp(event.time, UTC).isoformat(timespec="milliseconds"),
            "method": event.method,
            "path": event.path,
            "query": event.query,
            "status": event.status,
            "example": event.example_name,
            "endpoint": event.endpoint_name,
            "miss": event.miss_reason if not event.matched else None,
            "duration_ms": round(event.duration_ms, 3),
        },
        ensure_ascii=False,
    )


class LineWriter:
    """Writes lines to a stream from a thread, so a reader that stops reading (a full pipe)
    never blocks the event loop: past ``limit`` waiting batches, new lines are dropped and
    counted."""

    def __init__(self, out: TextIO, limit: int = 10_000) -> None:
        self.out = out
        self.dropped = 0
        self._lines: queue.Queue[str | None] = queue.Queue(maxsize=limit)
        self._thread = threading.Thread(target=self._run, name="mocktui stdout", daemon=True)
        self._thread.start()

    def put(self, text: str) -> None:
        try:
            self._lines.put_nowait(text)
        except queue.Full:
            self.dropped += text.count("\n")

    def _run(self) -> None:
        while (text := self._lines.get()) is not None:
            try:
                self.out.write(text)
                self.out.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass  # a closed pipe must not stop serving; the lines are lost

    def close(self, timeout: float = 2.0) -> None:
        """Let the thread write what is waiting (for at most ``timeout`` seconds)."""
        with contextlib.suppress(queue.Full):
            self._lines.put(None, timeout=timeout)
        self._thread.join(timeout)


async def _print_events(engine: MockEngine, writer: LineWriter) -> None:
    subscription = engine.bus.subscribe()
    try:
        while True:
            await subscription.wait()
            _write(subscription.drain(), writer)
    finally:
        _write(subscription.drain(), writer)
        subscription.close()


def _write(events: list[RequestEvent], writer: LineWriter) -> None:
    if events:
        writer.put("".join(event_line(e) + "\n" for e in events))


async def run_headless(
    engine: MockEngine,
    sock: socket.socket,
    out: TextIO | None = None,
    err: TextIO | None = None,
    settings: Settings | None = None,
) -> int:
    out = out or sys.stdout
    stream = err = err or sys.stderr

    def report(ok: bool, message: str) -> None:  # a reload of the collection files
        stream.write(f"mocktui: {message}\n" if ok else f"mocktui: error: {message}\n")
        stream.flush()

    logging.basicConfig(level=logging.WARNING, stream=err, format="mocktui: %(message)s")
    loop = asyncio.get_running_loop()
    shutdown = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, shutdown.set)
    writer = LineWriter(out)
    printer = asyncio.create_task(_print_events(engine, writer))
    server = asyncio.create_task(serve(create_app(engine=engine), sock, shutdown))
    await asyncio.sleep(0)  # let Hypercorn take the socket before we say we are ready
    err.write(
        f"mocktui listening on {base_url(sock)} "
        f"({len(engine.endpoints)} endpoints, {engine.example_count} examples)\n"
    )
    for line in engine.skipped_report():  # after the ready line, which scripts wait for
        err.write(f"mocktui: warning: {line}\n")
    err.flush()
    watcher = None
    if settings is not None and settings.watched:
        watcher = start_watching(
            engine, settings.collection_paths, settings.env_file, dict(settings.variables), report
        )
    try:
        await server
    finally:
        if watcher is not None:
            await stop_watching(*watcher)
        printer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await printer
        writer.close()
        if writer.dropped:
            err.write(f"mocktui: {writer.dropped} request lines dropped: stdout was not read\n")
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return 0
