"""Headless mode: serve, print a ready line to stderr and one JSON line per request to stdout."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import socket
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from mocktui.config import Settings
from mocktui.engine.engine import MockEngine
from mocktui.engine.events import RequestEvent
from mocktui.engine.state import StateFile
from mocktui.rules import json_safe, terminal_safe
from mocktui.server.runtime import STOP_TIMEOUT, Runtime

_LINE = json.JSONEncoder(ensure_ascii=False)  # = json.dumps(..., ensure_ascii=False), made once


def event_line(event: RequestEvent) -> str:
    """One request as a JSON line (the headless log format; see README). Readable UTF-8, with
    every character unsafe on a terminal (controls, bidi, lone surrogates) as ``\\uXXXX``."""
    return json_safe(_LINE.encode(event.summary()))


class SafeFormatter(logging.Formatter):
    """Log lines with escape sequences and other unsafe characters written as escapes (a
    logged path comes from a client); line breaks of tracebacks are kept."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(terminal_safe(line) for line in super().format(record).split("\n"))


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


async def print_events(engine: MockEngine, writer: LineWriter) -> None:
    """The JSON lines to ``writer`` until cancelled (then the last ones): headless mode's, and
    the dashboard's when its stdout is not the terminal (``mocktui api.json > t.jsonl``)."""
    await _print_events(engine, writer)


def _write(events: list[RequestEvent], writer: LineWriter) -> None:
    if events:
        writer.put("".join(event_line(e) + "\n" for e in events))


async def run_headless(
    engine: MockEngine,
    sock: socket.socket,
    out: TextIO | None = None,
    err: TextIO | None = None,
    settings: Settings | None = None,
    state: StateFile | None = None,
    notes: Sequence[str] = (),
) -> int:
    """Serve until a signal; ``notes`` (about saved controls) follow the ready line."""
    out = out or sys.stdout
    err = err or sys.stderr

    def say(line: str) -> None:  # collection names and paths may hold escape sequences
        err.write(f"mocktui: {terminal_safe(line)}\n")
        err.flush()

    def report(ok: bool, message: str) -> None:  # a reload of the collection files
        say(message if ok else f"error: {message}")
        for line in engine.attach_report:
            say(f"warning: {line}")

    handler = logging.StreamHandler(err)
    handler.setFormatter(SafeFormatter("mocktui: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    runtime = Runtime(engine, sock, settings, state=state, report=report)
    writer = LineWriter(out)

    async def front() -> None:
        printer = asyncio.create_task(_print_events(engine, writer))
        await asyncio.sleep(0)  # let Hypercorn take the socket before we say we are ready
        err.write(
            f"mocktui listening on {runtime.url} "
            f"({len(engine.endpoints)} endpoints, {engine.example_count} examples)\n"
        )
        err.flush()
        for line in [*engine.skipped_report(), *notes]:  # after the ready line scripts wait for
            say(f"warning: {line}")
        try:
            await runtime.shutdown.wait()
            # Requests still in flight finish during the server's grace period: their lines
            # are printed too (the printer's last drain comes after the server stopped).
            if runtime.server is not None:
                await asyncio.wait({runtime.server}, timeout=STOP_TIMEOUT)
        finally:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer

    try:
        await runtime.run(front)
    finally:
        writer.close()
        if writer.dropped:
            say(f"{writer.dropped} request lines dropped: stdout was not read")
        if settings is not None:
            for line in runtime.write_outputs(settings.har, settings.coverage).lines:
                say(line)
    return 0
