"""What a hostile or broken client (or collection) can send over HTTP: every request gets a proper
status or a closed connection, what is recorded is what was sent, keys are never recorded, and
private mode answers 401 from the request head alone (issue 11)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.formats.curl import curl_command
from mocktui.formats.har import har_document
from mocktui.server.asgi import ConfigError, app_from_env
from tests.server.live import running

KEY = "s3cret-key"
TEN_MIB = 10 * 1024 * 1024
CLOSE = b"Connection: close"
CHUNKED = b"Transfer-Encoding: chunked"


def users(pm: Any, settings: EngineSettings | None = None, **example: Any) -> MockEngine:
    return pm.engine(
        pm.item("Users", "/users", pm.example("All users", "/users", body='["ada"]', **example)),
        pm.item(
            "Create",
            "/users",
            pm.example("Created", "/users", method="POST", code=201, body="made"),
            method="POST",
        ),
        settings=settings,
    )


# -- 5: keys are never recorded ---------------------------------------------------------------


def _everything_recorded(engine: MockEngine, url: str) -> str:
    events = [e.to_dict() for e in engine.bus.since(0)[0]]
    curls = [curl_command(e, url) for e in events]
    har = har_document(events, creator_version="t")
    return json.dumps([events, curls, har], ensure_ascii=False)


@pytest.mark.parametrize("private", [False, True])
async def test_a_key_in_the_query_string_is_masked_everywhere(pm, private: bool) -> None:
    engine = users(pm, EngineSettings(api_key=KEY if private else None))
    auth = {"x-api-key": KEY} if private else {}
    async with running(engine) as server:
        stream = asyncio.create_task(_read_stream(server.url, auth))
        await asyncio.sleep(0.2)
        for query in (
            f"api_key={KEY}",
            f"x-api-key={KEY}&a=1",
            f"APIKEY={KEY}",
            f"api%5Fkey={KEY}",
        ):
            await server.client.get(f"/users?{query}", headers={"x-api-key": KEY})
        await server.client.get(f"/users?apikey={KEY}")  # the key only in the query: 401 if private
        traffic = (await server.client.get("/__mocktui/traffic", headers=auth)).text
        har = (await server.client.get("/__mocktui/har", headers=auth)).text
        streamed = await asyncio.wait_for(stream, 5)
    events = engine.bus.since(0)[0]
    assert [e.query for e in events] == [
        "api_key=•••",
        "x-api-key=•••&a=1",
        "APIKEY=•••",
        "api%5Fkey=•••",
        "apikey=•••",
    ]
    assert [e.status for e in events] == [200, 200, 200, 200, 401 if private else 200]
    assert all(dict(e.request_headers).get("x-api-key") in (None, "•••") for e in events)
    for where, text in [
        ("events, curl and HAR", _everything_recorded(engine, "http://127.0.0.1:1")),
        ("the control API's traffic", traffic),
        ("the control API's HAR", har),
        ("the event stream", streamed),
    ]:
        assert KEY not in text, where
        assert "%E2%80%A2" in text or "•••" in text or "\\u2022" in text, where


async def _read_stream(url: str, headers: dict[str, str]) -> str:
    out = []
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("GET", url + "/__mocktui/events", headers=headers) as response,
    ):
        async for line in response.aiter_lines():
            out.append(line)
            if sum(line.startswith("event: request") for line in out) == 5:
                break
    return "\n".join(out)


# -- 6: --max-body / MOCKTUI_MAX_BODY ----------------------------------------------------------


async def test_max_body_from_the_environment_sets_the_413_limit() -> None:
    app = app_from_env({"MOCKTUI_MAX_BODY": "100"})
    assert app.max_body == 100
    assert app_from_env({}).max_body == TEN_MIB
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        fits = await client.post("/users", content=b"x" * 100)
        too_big = await client.post("/users", content=b"x" * 101)
    assert fits.status_code == 201
    assert too_big.status_code == 413
    assert too_big.json()["error"]["name"] == "payloadTooLargeError"
    for value, message in [
        ("10M", "MOCKTUI_MAX_BODY='10M': expected a number of bytes, got '10M'"),
        ("-1", "MOCKTUI_MAX_BODY='-1': expected a number of bytes, got '-1'"),
        ("9" * 20, f"MOCKTUI_MAX_BODY='{'9' * 20}': must be from 0 to 1073741824 bytes (1 GiB)"),
    ]:
        with pytest.raises(ConfigError) as caught:
            app_from_env({"MOCKTUI_MAX_BODY": value})
        assert str(caught.value) == message


