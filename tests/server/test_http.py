"""The server over real HTTP: answers, headers, errors, controls, hostile input."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from mocktui.config import build_engine
from tests.server.live import LiveServer, running

NOT_FOUND = "mockRequestNotFoundError"


async def test_roxyapi_card_404_by_header_and_200_without(shared_collection) -> None:
    engine = build_engine([shared_collection("roxyapi-tarot")])
    async with running(engine) as server:
        path = "/api/v2/tarot/cards/fool"
        plain = await server.client.get(path, params={"lang": "en"})
        assert plain.status_code == 200
        assert plain.json()["name"] == "The Fool"
        forced = await server.client.get(path, headers={"x-mock-response-code": "404"})
        assert forced.status_code == 404
        assert forced.json() == {"error": "Resource not found", "code": "not_found"}
        assert forced.headers["content-type"] == "application/json"
        assert [e.example_name for e in engine.bus.since(1)[0]] == [
            "Card details",
            "Card not found",
        ]


async def test_paypal_v2_0_collection_answers_over_http(shared_collection) -> None:
    engine = build_engine([shared_collection("paypal-partner-apis")])
    async with running(engine) as server:
        response = await server.client.post("/v1/oauth2/token")
        assert response.status_code == 200
        assert "access_token" in response.text


async def test_wildcard_capture_echoed_and_dynamic_values(demo: LiveServer) -> None:
    first = await demo.client.get("/users/carol")
    second = await demo.client.get("/users/carol")
    assert first.status_code == 200
    assert first.json()["id"] == "carol"
    assert first.json()["email"] != "{{$randomExampleEmail}}"
    assert first.json()["createdAt"] != second.json()["createdAt"] or first.json() != second.json()
    assert (await demo.client.get("/users/a/b")).status_code == 404


async def test_query_variants_pick_their_example(demo: LiveServer) -> None:
    books = await demo.client.get("/products", params={"category": "books"})
    games = await demo.client.get("/products", params={"category": "games"})
    everything = await demo.client.get("/products")
    assert [p["sku"] for p in books.json()] == ["BK-1"]
    assert [p["sku"] for p in games.json()] == ["GM-7"]
    assert len(everything.json()) == 2


async def test_miss_is_postman_shaped_404(demo: LiveServer) -> None:
    response = await demo.client.delete("/products")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["name"] == NOT_FOUND
    assert error["header"] == "No matching requests"
    assert error["message"] == (
        "Could not find a mocked request for DELETE /products. "
        "Please check the method and path of your request."
    )


async def test_response_id_and_name_headers(demo: LiveServer) -> None:
    by_id = await demo.client.get("/users", headers={"x-mock-response-id": "demo-03"})
    assert by_id.status_code == 500
    by_name = await demo.client.get("/users", headers={"x-mock-response-name": "Empty list"})
    assert by_name.json() == []
    unknown = await demo.client.get("/users", headers={"x-mock-response-id": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["name"] == NOT_FOUND
    assert "x-mock-response-id: nope" in unknown.json()["error"]["message"]


async def test_cors_preflight_and_header(demo: LiveServer) -> None:
    preflight = await demo.client.options(
        "/users",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-methods"] == "GET, POST"
    assert preflight.headers["access-control-allow-headers"] == "content-type"
    plain = await demo.client.get("/health")
    assert plain.headers["access-control-allow-origin"] == "*"


async def test_no_cors() -> None:
    async with running(build_engine([], cors=False)) as server:
        response = await server.client.get("/health")
        assert "access-control-allow-origin" not in response.headers
        preflight = await server.client.options(
            "/users", headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 404


async def test_private_mode_needs_x_api_key() -> None:
    engine = build_engine([], api_key="s3cret")
    async with running(engine) as server:
        missing = await server.client.get("/health")
        wrong = await server.client.get("/health", headers={"x-api-key": "nope"})
        right = await server.client.get("/health", headers={"x-api-key": "s3cret"})
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json()["error"]["name"] == "unauthorizedError"
    assert right.status_code == 200
    events = engine.bus.since(1)[0]
    assert [e.status for e in events] == [401, 401, 200]
    assert ("x-api-key", "s3cret") not in events[2].request_headers
    assert dict(events[2].request_headers)["x-api-key"] == "•••"


async def test_delay_does_not_block_other_requests() -> None:
    engine = build_engine([], delay_ms=0)
    async with running(engine) as server:
        started = time.perf_counter()
        slow = asyncio.create_task(
            server.client.get("/health", headers={"x-mock-response-delay": "800"})
        )
        await asyncio.sleep(0.05)
        fast_started = time.perf_counter()
        fast = await server.client.get("/users")
        fast_took = time.perf_counter() - fast_started
        slow_still_held = not slow.done()
        slow_response = await slow
        slow_took = time.perf_counter() - started
    assert fast.status_code == 200
    # The fast request's own time, not an order (awaited first, it always finished first): had
    # it waited for the slow one's delay it would have taken ~0.75 s.
    assert fast_took < 0.4
    assert slow_still_held
    assert slow_response.status_code == 200
    assert slow_took >= 0.8


async def test_head_falls_back_to_get_without_body(demo: LiveServer) -> None:
    response = await demo.client.head("/users")
    get = await demo.client.get("/users")
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(get.content))
    assert response.headers["content-type"] == "application/json"
    assert demo.engine.bus.since(1)[0][0].response_body.size == 0  # nothing was sent


async def test_body_too_large_is_413() -> None:
    async with running(build_engine([]), max_body=1024) as server:
        response = await server.client.post("/users", content=b"x" * 5000)
        assert response.status_code == 413
        assert response.json()["error"]["name"] == "payloadTooLargeError"
        assert server.engine.bus.since(1)[0][-1].status == 413


async def test_raw_path_is_matched_percent_decoded(demo: LiveServer) -> None:
    response = await demo.client.get("/users/caf%C3%A9")
    assert response.json()["id"] == "café"
    double = await demo.client.get("//users")
    assert double.status_code == 404  # "//users" is not "/users": raw paths are not collapsed


async def test_hostile_input_gets_4xx_not_a_crash(demo: LiveServer) -> None:
    host, port = demo.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GARBAGE \x00\x01 NOT-HTTP\r\n\r\n")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 400")
    still_up = await demo.client.get("/health")
    assert still_up.status_code == 200


async def test_control_api_pins_and_disables(demo: LiveServer) -> None:
    endpoints = (await demo.client.get("/__mocktui/endpoints")).json()
    report = next(e for e in endpoints if e["name"] == "Daily report")
    key = report["key"]
    pinned = await demo.client.post(f"/__mocktui/endpoints/{key}/pin", json={"example": 3})
    assert pinned.json()["pinned"] == report["examples"][2]["id"]
    assert (await demo.client.get("/reports/daily")).status_code == 503
    await demo.client.post(f"/__mocktui/endpoints/{key}/pin", json={"example": None})
    assert (await demo.client.get("/reports/daily")).status_code == 200
    await demo.client.post(f"/__mocktui/endpoints/{key}/disable")
    disabled = await demo.client.get("/reports/daily")
    assert disabled.status_code == 404
    assert disabled.json()["error"]["name"] == NOT_FOUND
    await demo.client.post(f"/__mocktui/endpoints/{key}/enable")
    assert (await demo.client.get("/reports/daily")).status_code == 200
    bad = await demo.client.post(f"/__mocktui/endpoints/{key}/delay", json={"ms": -1})
    assert bad.status_code == 400
    assert "ms" in bad.json()["error"]["message"]
    missing = await demo.client.post("/__mocktui/endpoints/nope/pin", json={"example": 1})
    assert missing.status_code == 404


async def test_every_request_is_one_event(demo: LiveServer) -> None:
    await demo.client.get("/users")
    await demo.client.get("/nope", params={"q": "1"})
    await demo.client.post("/users", json={"name": "Zed"})
    events = demo.engine.bus.since(1)[0]
    assert [(e.method, e.path, e.status) for e in events] == [
        ("GET", "/users", 200),
        ("GET", "/nope", 404),
        ("POST", "/users", 201),
    ]
    miss = events[1]
    assert miss.query == "q=1"
    assert miss.example_name is None
    assert miss.miss_reason == "no example matches this method and path"
    assert miss.explanation is not None and miss.explanation.decided_by == "miss"
    created = events[2]
    assert json.loads(created.request_body.data) == {"name": "Zed"}
    assert json.loads(created.response_body.data)["name"] == "Zed"
    assert created.duration_ms > 0
    assert created.client.startswith("127.0.0.1:")


async def test_many_concurrent_requests_all_answered(demo: LiveServer) -> None:
    results = await asyncio.gather(*(demo.client.get(f"/users/{i}") for i in range(1, 201)))
    assert all(r.status_code == 200 for r in results)
    assert sorted(int(r.json()["id"]) for r in results) == list(range(1, 201))  # /users/0: 404
    assert demo.engine.store.requests == 200


async def test_keep_alive_connection_answers_every_request(demo: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=demo.url, limits=httpx.Limits(max_connections=1)) as c:
        statuses = [(await c.get("/health")).status_code for _ in range(6)]
    assert statuses == [200] * 6


async def test_a_delayed_request_is_in_flight_until_it_is_answered(demo: LiveServer) -> None:
    # The dashboard's pending rows: a request waiting out a delay is listed at once.
    bus = demo.engine.bus
    slow = asyncio.ensure_future(
        demo.client.get("/users?page=2", headers={"x-mock-response-delay": "1500"})
    )
    for _ in range(1000):  # until the server has it (at most 10 s)
        if bus.in_flight:
            break
        await asyncio.sleep(0.01)
    (pending,) = bus.in_flight.values()
    assert (pending.method, pending.path, pending.query) == ("GET", "/users", "page=2")
    assert (pending.delay_ms, pending.endpoint_name, pending.example_name) == (
        1500,
        "List users",
        "All users",
    )
    assert bus.published == 0
    response = await slow
    assert response.status_code == 200
    assert bus.in_flight == {}
    assert bus.published == 1
    # Answered at once: never listed.
    await demo.client.get("/users")
    assert bus.in_flight == {} and bus.published == 2


async def _get_health(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    await reader.readexactly(length)


async def _idle_client(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw keep-alive connection that has had one answer and now sends nothing."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    await _get_health(reader, writer)
    return reader, writer


async def test_an_idle_keep_alive_connection_is_closed_after_the_keep_alive_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mocktui.server import serve

    monkeypatch.setattr(serve, "KEEP_ALIVE_TIMEOUT", 0.5)
    async with running(build_engine([], seed=7)) as server:
        reader, writer = await _idle_client(server.url)
        # Busy connections are not cut: requests 0.3 s apart keep it open past 0.5 s.
        for _ in range(3):
            await asyncio.sleep(0.3)
            await _get_health(reader, writer)
        began = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 10) == b""  # closed by the server
        idle = time.monotonic() - began
        writer.close()
    assert 0.4 < idle < 8  # its keep-alive time (0.5 s), with room for a loaded machine


async def test_stopping_the_server_closes_idle_keep_alive_connections_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mocktui.server import serve

    # A grace period (in which the server waits for what is still open, then cancels it) far
    # longer than any stop: an idle connection that waited it out would show.
    monkeypatch.setattr(serve, "SHUTDOWN_GRACE", 30.0)
    async with running(build_engine([], seed=7)) as server:
        reader, writer = await _idle_client(server.url)
        began = time.monotonic()
    took = time.monotonic() - began
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
    assert took < 15  # not the 30 s grace; live.running itself gives up after 10 s


async def test_every_answer_has_the_date_of_its_second(demo: LiveServer) -> None:
    # serve._Config makes the Date header once a second instead of for every answer.
    from email.utils import parsedate_to_datetime

    dates = []
    for _ in range(2):
        answer = await demo.client.get("/health")
        sent = parsedate_to_datetime(answer.headers["date"]).timestamp()
        dates.append(sent)
        assert abs(sent - time.time()) < 2
        await asyncio.sleep(1.1)
    assert dates[1] > dates[0]
    assert [k for k, _ in answer.headers.raw].count(b"date") == 1
