"""A real mocktui server on 127.0.0.1 (ephemeral port) inside the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from mocktui.engine.engine import MockEngine
from mocktui.server.app import create_app
from mocktui.server.serve import base_url, bind_socket, serve


@dataclass
class LiveServer:
    engine: MockEngine
    url: str
    client: httpx.AsyncClient


@contextlib.asynccontextmanager
async def running(engine: MockEngine, **app_options: object) -> AsyncIterator[LiveServer]:
    sock = bind_socket("127.0.0.1", 0)
    url = base_url(sock)
    shutdown = asyncio.Event()
    task = asyncio.create_task(serve(create_app(engine=engine, **app_options), sock, shutdown))
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            yield LiveServer(engine, url, client)
    finally:
        shutdown.set()
        await asyncio.wait_for(task, 10)
        sock.close()
