"""Dashboard test helpers: a seeded demo engine, the real server on a free port, and a way to
read what the screen shows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from rich.console import Console, RenderableType
from textual.app import App
from textual.pilot import Pilot

from mocktui.config import build_engine
from mocktui.engine.engine import MockEngine
from mocktui.server.runtime import serving
from mocktui.server.serve import base_url, bind_socket
from mocktui.tui.app import MockTUI
from mocktui.tui.sample import TZ, URL

FAST_POLL = 1 / 50  # tests drain the bus faster than the dashboard's ~12 Hz


@pytest.fixture
def engine() -> MockEngine:
    return build_engine([], seed=1)


@pytest.fixture
def make_app(engine: MockEngine) -> Callable[..., MockTUI]:
    def make(**kwargs: object) -> MockTUI:
        options: dict[str, object] = {"url": URL, "tz": TZ, "poll_interval": FAST_POLL}
        options.update(kwargs)
        return MockTUI(engine, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def client(engine: MockEngine) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the real server (Hypercorn on 127.0.0.1, a free port) in this loop."""
    sock = bind_socket("127.0.0.1", 0)
    with sock:
        async with (
            serving(engine, sock),
            httpx.AsyncClient(base_url=base_url(sock), timeout=10) as http,
        ):
            yield http


async def wait_for(pilot: Pilot[object], check: Callable[[], object], timeout: float = 3.0) -> None:
    """Let the app run until ``check()`` is true (the bus is drained on a timer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {check}")
        await pilot.pause(0.02)


def plain(renderable: RenderableType, width: int = 100) -> str:
    """A Rich renderable as plain text."""
    console = Console(width=width, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def screen_text(app: App[object]) -> str:
    """The whole screen as plain text, as the terminal would show it."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)
