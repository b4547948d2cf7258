"""Hostile collection text (folder, request and example names, paths) and a private mock's key:
shown literally, never interpreted, never leaked."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.engine.events import Body
from mocktui.postman.loader import load_collection
from mocktui.server.runtime import serving
from mocktui.server.serve import base_url, bind_socket
from mocktui.tui.app import MockTUI
from mocktui.tui.detail import body_view
from mocktui.tui.endpoints import EndpointsTable
from mocktui.tui.sample import TZ, URL
from mocktui.tui.traffic import TrafficView

from .conftest import plain, screen_text, wait_for

EVIL = "[red]E\x1b[2J[/]"
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def hostile_engine(tmp_path: Path, api_key: str | None = None) -> MockEngine:
    example = {
        "name": f"ex {EVIL}",
        "code": 200,
        "body": '{"ok": "\\u001b[31mred"}',
        "header": [{"key": "Content-Type", "value": "application/json"}],
        "originalRequest": {"method": "GET", "url": "http://x/evil/[b]"},
    }
    data = {
        "info": {"name": f"coll {EVIL}", "schema": SCHEMA},
        "item": [
            {
                "name": f"[bold]F {EVIL}",
                "item": [
                    {
                        "name": f"req {EVIL}",
                        "request": {"method": "GET", "url": "http://x/evil/[b]"},
                        "response": [example],
                    }
                ],
            }
        ],
    }
    path = tmp_path / "hostile.postman_collection.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return MockEngine([load_collection(path)], EngineSettings(api_key=api_key, seed=1))


async def test_collection_names_are_shown_literally(tmp_path: Path) -> None:
    engine = hostile_engine(tmp_path)
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=(120, 36)) as pilot:
        text = screen_text(app)
        assert "\x1b" not in text
        assert "[bold]F [red]E␛[2J[/]" in text  # folder in the tree
        assert "req [red]E␛[2J[/]" in text  # request in the tree
        # Narrowing to the folder puts its name in the endpoints title, still literal.
        await pilot.press("shift+tab", "down", "enter")
        assert "Endpoints · [bold]F [red]E␛[2J[/]" in screen_text(app)
        # Pinned, the example's name shows in the endpoints table.
        app.query_one(EndpointsTable).focus()
        await pilot.press("1")
        await pilot.pause()
        assert "#1 200 ex [red]E␛[2J" in screen_text(app)  # the row, cut at its width
        assert "pinned #1 200 ex [red]E␛[2J[/] on GET /evil/[b]" in screen_text(app)  # flash
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any("pin #1" in t and "E␛" in t for t in titles)
        await pilot.press("ctrl+p", *"pin")  # markup in titles must not break the palette
        await pilot.pause(0.3)
        assert "\x1b" not in screen_text(app)


async def test_private_mode_shows_mode_never_the_key(tmp_path: Path) -> None:
    engine = hostile_engine(tmp_path, api_key="s3cret-key")
    app = MockTUI(engine, url=URL, tz=TZ, poll_interval=1 / 50)
    sock = bind_socket("127.0.0.1", 0)
    async with (
        serving(engine, sock),
        httpx.AsyncClient(base_url=base_url(sock)) as client,
        app.run_test(size=(120, 36)) as pilot,
    ):
        assert "private: x-api-key required" in screen_text(app)
        assert (await client.get("/evil/[b]")).status_code == 401
        ok = await client.get("/evil/[b]", headers={"x-api-key": "s3cret-key"})
        assert ok.status_code == 200
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 2)
        await pilot.press("tab", "enter")
        text = screen_text(app)
        assert "x-api-key" in text
        assert "s3cret-key" not in text
        assert "\x1b" not in text
        body = plain(app.screen.query_one("#detail-resp-body").body)
        assert '"ok": "\\u001b[31mred"' in body  # pretty-printed; JSON keeps the escape escaped


def test_body_view_summaries() -> None:
    assert "(empty)" in plain(body_view(Body(b"", 0), ()))
    binary = plain(
        body_view(Body(b"\x89PNG\r\n\x1a\n\x00\x00" * 10, 2345), [("Content-Type", "image/png")])
    )
    assert "binary, 2,345 bytes, image/png" in binary
    truncated = plain(body_view(Body(b'{"a": [1, 2', 1_000_000), ()))
    assert "truncated: the first 11 of 1,000,000 bytes are kept" in truncated
    assert '{"a": [1, 2' in truncated  # not JSON any more: shown as text
    text = plain(body_view(Body(b"line1\r\nline2\x1b[2J\ttab", 20), ()))
    assert "truncated" not in text
    assert "line1\nline2␛[2J" in text
    assert "\t" not in text and "\x1b" not in text and "\r" not in text


async def test_skipped_examples_are_listed_in_the_dashboard(tmp_path: Path) -> None:
    data = {
        "info": {"name": "c", "schema": SCHEMA},
        "item": [
            {
                "name": f"R {EVIL}",
                "request": {"method": "GET", "url": "/r"},
                "response": [{"name": "no method", "originalRequest": {"url": "/r"}}],
            }
        ],
    }
    path = tmp_path / "skipped.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    engine = MockEngine([load_collection(path)])
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app._notifications)
        message = str(next(iter(app._notifications)).message)
        assert "R [red]E␛[2J[/]: example 'no method' left out: no method" in message
        assert "\x1b" not in message
        assert any("left out: no method" in line for _, line in app.log_handler.lines)
