"""What a hostile or careless client can do to the server: none of it crashes, hangs or leaks."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from mocktui.config import build_engine
from mocktui.server.app import CLIENT_GONE
from tests.server.live import running

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def collection(tmp_path: Path, *items: dict) -> str:
    path = tmp_path / "c.postman_collection.json"
    path.write_text(json.dumps({"info": {"name": "t", "schema": SCHEMA}, "item": list(items)}))
    return str(path)


def item(method: str, url: str, name: str, body: str = "", headers: dict | None = None) -> dict:
    request = {"method": method, "url": url}
    example = {
        "name": name,
        "code": 201 if method == "POST" else 200,
        "originalRequest": request,
        "header": [{"key": k, "value": v} for k, v in (headers or {}).items()],
        "body": body,
    }
    return {"name": name, "request": request, "response": [example]}


async def test_control_characters_from_the_request_cannot_split_headers(tmp_path: Path) -> None:
    echo = item("POST", "/users", "echo", '{"ok": true}', {"Location": "/users/{{$body 'name'}}"})
    engine = build_engine([collection(tmp_path, echo)])
    async with running(engine) as server:
        response = await server.client.post("/users", json={"name": "a\u0000b\r\nX-Evil: 1"})
    assert response.status_code == 201
    assert response.headers["location"] == "/users/a b  X-Evil: 1"
    assert "x-evil" not in response.headers
    assert [e.status for e in engine.bus.since(1)[0]] == [201]


async def test_utf8_request_headers_are_read_as_utf8(tmp_path: Path) -> None:
    echo = item("GET", "/hello", "Café", "{{$headers 'x-in'}}")
    engine = build_engine([collection(tmp_path, echo)])
    async with running(engine) as server:
        by_name = await server.client.get(
            "/hello", headers=[(b"x-mock-response-name", "Café".encode()), (b"x-in", "né".encode())]
        )
    assert by_name.status_code == 200
    assert by_name.content.decode() == "né"


async def test_client_leaving_during_a_delay_is_logged_at_once(demo) -> None:
    host, port = demo.url.removeprefix("http://").split(":")
    _reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /users HTTP/1.1\r\nHost: x\r\nx-mock-response-delay: 5000\r\n\r\n")
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    for _ in range(40):  # well before the 5 s delay is over
        await asyncio.sleep(0.05)
        events = demo.engine.bus.since(1)[0]
        if events:
            break
    assert [(e.status, e.example_name) for e in events] == [(CLIENT_GONE, "All users")]
    assert events[0].miss_reason == "the client closed the connection during the delay"
    assert events[0].duration_ms < 2000


async def test_shutdown_answers_delayed_requests_instead_of_waiting() -> None:
    engine = build_engine([])
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(timeout=10) as own:
        async with running(engine) as server:
            slow = asyncio.create_task(
                own.get(f"{server.url}/users", headers={"x-mock-response-delay": "60000"})
            )
            await asyncio.sleep(0.3)
            stopping_at = loop.time()
        # leaving `running` set the shutdown event and waited for the server to stop
        stopped_after = loop.time() - stopping_at
        response = await slow
    assert response.status_code == 200
    assert response.json()[0]["name"] == "Ada Lovelace"
    assert stopped_after < 3


async def test_private_mode_covers_the_control_api() -> None:
    engine = build_engine([], api_key="k")
    async with running(engine) as server:
        denied = await server.client.get("/__mocktui/endpoints")
        allowed = await server.client.get("/__mocktui/endpoints", headers={"x-api-key": "k"})
    assert denied.status_code == 401
    assert denied.json()["error"]["name"] == "unauthorizedError"
    assert allowed.status_code == 200
    assert len(allowed.json()) == 8


async def test_head_sends_the_get_body_length_and_no_body(demo) -> None:
    get = await demo.client.get("/users")
    host, port = demo.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"HEAD /users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert f"content-length: {len(get.content)}".encode() in head.lower()
    assert body == b""


async def test_global_delay_applies_to_misses_too() -> None:
    engine = build_engine([], delay_ms=300)
    async with running(engine) as server:
        loop = asyncio.get_running_loop()
        started = loop.time()
        miss = await server.client.get("/nothing-here")
        took = loop.time() - started
    assert miss.status_code == 404
    assert took >= 0.3


async def test_many_delayed_requests_do_not_block_each_other(demo) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with httpx.AsyncClient(base_url=demo.url, limits=httpx.Limits(max_connections=100)) as c:
        answers = await asyncio.gather(
            *(c.get("/health", headers={"x-mock-response-delay": "500"}) for _ in range(100))
        )
    assert [a.status_code for a in answers] == [200] * 100
    assert loop.time() - started < 25  # 100 x 0.5 s one after another would be 50 s
