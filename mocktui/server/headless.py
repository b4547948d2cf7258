"""Headless mode: serve, print a ready line to stderr and one JSON line per request to stdout."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import sys
from datetime import UTC, datetime
from typing import TextIO

from mocktui.engine.engine import MockEngine
from mocktui.engine.events import RequestEvent
from mocktui.server.app import create_app
from mocktui.server.serve import base_url, serve


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


async def _print_events(engine: MockEngine, out: TextIO) -> None:
    subscription = engine.bus.subscribe()
    try:
        while True:
            await subscription.wait()
            _write(subscription.drain(), subscription, out)
    finally:
        _write(subscription.drain(), subscription, out)
        subscription.close()


def _write(events: list[RequestEvent], subscription: object, out: TextIO) -> None:
    if not events:
        return
    with contextlib.suppress(BrokenPipeError, ValueError):  # a closed pipe must not stop serving
        out.write("".join(event_line(e) + "\n" for e in events))
        out.flush()


async def run_headless(
    engine: MockEngine,
    sock: socket.socket,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    logging.basicConfig(level=logging.WARNING, stream=err, format="mocktui: %(message)s")
    loop = asyncio.get_running_loop()
    shutdown = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, shutdown.set)
    printer = asyncio.create_task(_print_events(engine, out))
    server = asyncio.create_task(serve(create_app(engine=engine), sock, shutdown))
    await asyncio.sleep(0)  # let Hypercorn take the socket before we say we are ready
    err.write(
        f"mocktui listening on {base_url(sock)} "
        f"({len(engine.endpoints)} endpoints, {engine.example_count} examples)\n"
    )
    err.flush()
    try:
        await server
    finally:
        printer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await printer
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return 0
