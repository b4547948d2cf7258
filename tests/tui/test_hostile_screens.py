"""Hostile text in every screen a user reaches: the examples view, notifications, the curl
view, the detail view, the traffic list. Real keys, the real server, real HTTP; the screen is
read back as text and must show the hostile parts literally (escaped), never interpret them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.postman.loader import load_collection
from mocktui.server.runtime import serving
from mocktui.server.serve import base_url, bind_socket
from mocktui.tui.app import MockTUI
from mocktui.tui.detail import DetailScreen
from mocktui.tui.dialogs import TextScreen
from mocktui.tui.examples import ExamplesScreen
from mocktui.tui.sample import TZ, URL

from .conftest import screen_text, wait_for

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
# ANSI (clear screen), OSC 52 (clipboard write), OSC 8 (link), Rich markup, bidi override, NUL
NASTY = (
    "\x1b[2J"
    "\x1b]52;c;cHduZWQ=\x07"
    "\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\"
    "[bold red]R[/][link=http://x]L[/link]"
    "\u202eRTL\x00"
)
RAW = ("\x1b", "\x07", "\u202e", "\x00")


def shows_no_raw_controls(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the screen"


def engine_with(tmp_path: Path) -> MockEngine:
    example = {
        "name": f"ex {NASTY}",
        "code": 200,
        "body": json.dumps({"x": NASTY, "long": "y" * 10_000}),
        "header": [{"key": "Content-Type", "value": "application/json"}],
        "originalRequest": {"method": "GET", "url": "/nasty"},
    }
    second = {**example, "name": "second", "code": 418}
    data = {
        "info": {"name": "nasty", "schema": SCHEMA},
        "item": [
            {
                "name": f"req {NASTY}",
                "id": "ep",
                "request": {"method": "GET", "url": "/nasty"},
                "response": [example, second],
            }
        ],
    }
    path = tmp_path / "nasty.postman_collection.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return MockEngine([load_collection(path)], EngineSettings(seed=1))


async def test_hostile_text_is_literal_in_every_screen(tmp_path: Path) -> None:
    engine = engine_with(tmp_path)
    app = MockTUI(engine, url=URL, tz=TZ, poll_interval=1 / 50)
    sock = bind_socket("127.0.0.1", 0)
    with sock:
        async with (
            serving(engine, sock),
            httpx.AsyncClient(base_url=base_url(sock), timeout=10) as http,
            app.run_test(size=(120, 36)) as pilot,
        ):
            hostile_path = "/nasty%1B%5B2J%E2%80%AE?q=%1B]52;c;eA==%07"
            await http.request(
                "GET",
                hostile_path,
                headers={"X-Evil": "a\x1b[2Jb[red]c[/]", "Cookie": "\u202e".encode()},
                content=b"\x00\x1b[2J binary \xff\xfe",
            )
            await http.get("/nasty")
            await wait_for(pilot, lambda: engine.store.requests == 2)
            await pilot.pause(0.1)

            main = screen_text(app)
            shows_no_raw_controls(main)
            assert "␛[2J" in main  # ESC as its stand-in in the traffic list

            # The examples view of the endpoint.
            await pilot.press("enter")
            assert isinstance(app.screen, ExamplesScreen)
            text = screen_text(app)
            shows_no_raw_controls(text)
            assert "ex ␛[2J" in text
            assert "[bold red]R[/]" in text  # markup shown, not applied

            # The flash line carrying the example's name (pinning from the examples view).
            await pilot.press("enter")
            await pilot.pause()
            text = screen_text(app)
            assert "pinned #1" in text.splitlines()[-1] and "ex ␛[2J" in text.splitlines()[-1]
            for note in [str(n.message) for n in app._notifications]:
                shows_no_raw_controls(note)
            shows_no_raw_controls(text)
            await pilot.press("escape")

            # The detail view of the hostile request, then its curl command.
            await pilot.press("tab", "home", "enter")
            assert isinstance(app.screen, DetailScreen)
            text = screen_text(app)
            shows_no_raw_controls(text)
            assert "a␛[2Jb[red]c[/]" in text  # the header value, literally
            await pilot.press("escape", "y")
            assert isinstance(app.screen, TextScreen)
            command = app.screen.text
            shows_no_raw_controls(command)
            assert "$'" in command  # control characters as ANSI-C escapes in the command
            shows_no_raw_controls(screen_text(app))
