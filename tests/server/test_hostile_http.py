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
from tests.server.wire import Answer, exchange, host_port, parse, req, request
from tests.server.wire import read_all as read_until_closed

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


# -- 3: lone surrogates in examples -----------------------------------------------------------


async def test_a_lone_surrogate_in_an_example_header_is_sent_as_u_fffd(pm) -> None:
    engine = users(pm, response_headers={"X-Odd": "a\ud800b", "X-Pad": "  v\t"})
    async with running(engine) as server:
        answer = await request(
            server.url, b"GET /users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
    assert answer.status == 200, "the client got an error for a header it could have had"
    assert answer.header("x-odd") == "a\ufffdb".encode().decode("latin-1")
    assert answer.body == b'["ada"]'
    (event,) = engine.bus.since(0)[0]
    # The event records what was sent: the same status and the same header values.
    assert event.status == 200
    assert ("X-Odd", "a\ufffdb") in event.response_headers
    assert ("X-Pad", "v") in event.response_headers


async def test_lone_surrogates_in_bodies_and_names_never_fail_a_request(pm) -> None:
    engine = pm.engine(
        pm.item(
            "Odd \udc00 name", "/odd", pm.example("odd \ud800", "/odd", body='{"a": "x\ud800y"}')
        )
    )
    async with running(engine) as server:
        answer = await server.client.get("/odd")
        assert answer.status_code == 200
        assert answer.content == '{"a": "x\ufffdy"}'.encode()
        for path in ("/endpoints", "/traffic", "/har", "/coverage"):
            control = await server.client.get("/__mocktui" + path)
            assert control.status_code == 200, path
    (event,) = engine.bus.since(0)[0]
    assert (event.status, event.response_body.data) == (200, answer.content)


@pytest.mark.parametrize(("code", "sent"), [(100, 500), (101, 500), (103, 500), (199, 500)])
async def test_an_informational_example_code_gets_an_answer(pm, code: int, sent: int) -> None:
    """A 1xx cannot be a final answer in HTTP/1.1: the client waited for ever, the log said 1xx."""
    engine = users(pm, code=code)
    async with running(engine) as server:
        answers = parse(
            await exchange(
                server.url, b"GET /users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
        )
    assert [a.status for a in answers] == [sent]
    (event,) = engine.bus.since(0)[0]
    assert event.status == sent
    assert str(code) in (event.miss_reason or "")


@pytest.mark.parametrize("code", [204, 304])
async def test_no_body_codes_send_no_body_and_204_no_length(pm, code: int) -> None:
    engine = users(pm, code=code)
    async with running(engine) as server:
        raw = await exchange(
            server.url,
            req(b"GET /users HTTP/1.1", b"Host: x")
            + req(b"GET /users HTTP/1.1", b"Host: x", CLOSE),
        )
    first, second = (a for a in _split_no_body(raw))
    assert first.status == second.status == code
    if code == 204:
        assert first.header("content-length") is None  # RFC 9110 8.6: a 204 has none
    assert all(e.response_body.size == 0 for e in engine.bus.since(0)[0])  # nothing was sent


def _split_no_body(raw: bytes) -> list[Answer]:
    heads = [h for h in raw.split(b"\r\n\r\n") if h]
    return [parse(h + b"\r\n\r\n", frozenset({0}))[0] for h in heads]


# -- 4: absolute-form request targets ---------------------------------------------------------


async def test_absolute_form_targets_match_on_their_path(pm) -> None:
    engine = users(pm)
    async with running(engine) as server:
        plain = await request(
            server.url,
            req(b"GET http://example.com:8080/users?x=1 HTTP/1.1", b"Host: other", CLOSE),
        )
        control = await request(
            server.url,
            req(b"GET HTTP://example.com/__mocktui/health HTTP/1.1", b"Host: x", CLOSE),
        )
        with_password = await request(
            server.url,
            req(b"GET http://bob:pa55w0rd@example.com/users HTTP/1.1", b"Host: x", CLOSE),
        )
    assert (plain.status, plain.body) == (200, b'["ada"]'), "a proxy client's request missed"
    assert control.status == 200
    assert json.loads(control.body)["status"] == "ok"
    event, second = engine.bus.since(0)[0]
    assert (with_password.status, second.host, second.raw_path) == (
        200,
        "example.com",
        "http://•••@example.com/users",
    )
    assert "pa55w0rd" not in _everything_recorded(engine, server.url)
    assert (event.path, event.query) == ("/users", "x=1")
    assert event.raw_path == "http://example.com:8080/users"  # as sent, for the exports
    assert event.host == "example.com:8080"  # RFC 9112 3.2.2: the target's host, not Host's
    har = har_document([event.to_dict()], creator_version="t")
    assert har["log"]["entries"][0]["request"]["url"] == "http://example.com:8080/users?x=1"


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


# -- 2 and 10: private mode decides on the request head ---------------------------------------


async def test_private_mode_answers_401_before_the_body_is_sent(pm) -> None:
    """The body was read first: 100 keyless 10 MiB uploads peaked at 675 MB (issue 11)."""
    engine = users(pm, EngineSettings(api_key=KEY))
    async with running(engine) as server:
        for path in (b"/users", b"/__mocktui/scenarios"):
            reader, writer = await asyncio.open_connection(*host_port(server.url))
            writer.write(
                b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                b"Content-Length: %d\r\n\r\n" % TEN_MIB
            )
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 3)  # no body sent yet
            assert head.startswith(b"HTTP/1.1 401 "), head
            # The client may then send its body anyway: it is read and dropped, and the
            # connection answers the next request.
            chunk = b"x" * 65536
            for _ in range(TEN_MIB // len(chunk)):
                writer.write(chunk)
                await writer.drain()
            writer.write(
                b"GET /users HTTP/1.1\r\nHost: x\r\nx-api-key: " + KEY.encode() + b"\r\n\r\n"
            )
            rest = await asyncio.wait_for(reader.readuntil(b'["ada"]'), 10)
            assert b"HTTP/1.1 200 " in rest
            writer.close()
    events = engine.bus.since(0)[0]
    # The control API's 401 is no traffic; the mock's is, without the body it never read.
    assert [(e.method, e.status) for e in events] == [("POST", 401), ("GET", 200), ("GET", 200)]
    assert events[0].request_body.size == 0


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no key"),
        ({"x-api-key": "wrong"}, "a wrong key"),
        ({"x-api-key": KEY[:-1]}, "a key of another length"),
        ({"x-api-key": KEY + KEY}, "a longer key"),
        ({"x-api-key": KEY.upper()}, "the key in another case"),
        ({"x-api-key": ""}, "an empty key"),
        ({"api_key": KEY}, "the key under another header name"),
        ({"authorization": f"Bearer {KEY}"}, "the key as a bearer token"),
    ],
)
async def test_private_mode_refuses_before_any_matching(
    pm, headers: dict[str, str], why: str
) -> None:
    engine = users(pm, EngineSettings(api_key=KEY))
    async with running(engine) as server:
        mock = await server.client.get("/users", headers={**headers, "x-mock-response-code": "200"})
        query = await server.client.get("/users", params={"x-api-key": KEY}, headers=headers)
        control = await server.client.get("/__mocktui/endpoints", headers=headers)
        control_q = await server.client.get(
            f"/__mocktui/endpoints?x-api-key={KEY}", headers=headers
        )
        stream = await server.client.get(f"/__mocktui/events?api_key={KEY}", headers=headers)
    for answer in (mock, query, control, control_q, stream):
        assert answer.status_code == 401, why
        assert answer.json()["error"]["name"] == "unauthorizedError"
    events = engine.bus.since(0)[0]
    assert [e.status for e in events] == [401, 401]  # the control API's refusals are no traffic
    for event in events:
        assert event.explanation is None, "matching ran for a request without the key"
        assert event.example_id is None
        assert event.miss_reason == "401: missing or wrong x-api-key"


async def test_the_key_header_name_is_case_insensitive(pm) -> None:
    engine = users(pm, EngineSettings(api_key=KEY))
    async with running(engine) as server:
        raw = await exchange(
            server.url,
            b"GET /users HTTP/1.1\r\nHost: x\r\nX-API-KEY: " + KEY.encode() + b"\r\n\r\n"
            b"GET /__mocktui/health HTTP/1.1\r\nHost: x\r\nx-Api-Key: " + KEY.encode() + b"\r\n"
            b"Connection: close\r\n\r\n",
        )
    assert [a.status for a in parse(raw)] == [200, 200]


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


# -- 7: odd requests over HTTP -----------------------------------------------------------------

# Refused by the HTTP parser (h11) before mocktui sees them: not traffic, no event.
BEFORE_THE_MOCK = {
    "garbage request line",
    "no space in the request line",
    "an empty request line",
    "invalid UTF-8 in the path",
    "invalid UTF-8 in the query",
    "a 64 KiB header value",
    "a NUL in a header",
    "a chunk size that is not hex",
    "a negative chunk size",
    "two Content-Lengths",
    "a Content-Length that is not a number",
    "HTTP/1.1 without Host",
    "a WebSocket upgrade",
}


H = b"Host: x"
GET_USERS = b"GET /users HTTP/1.1"
POST_USERS = b"POST /users HTTP/1.1"


@pytest.mark.parametrize(
    ("name", "data", "statuses"),
    [
        ("garbage request line", req(b"GARBAGE \x00\x01 NOT-HTTP"), [400]),
        ("no space in the request line", req(b"GET/users HTTP/1.1", H), [400]),
        ("an unknown HTTP version", req(b"GET /users HTTP/9.9", H), [505]),
        ("an empty request line", b"\r\n\r\n", [400]),
        ("LF line ends", b"GET /users HTTP/1.1\nHost: x\nConnection: close\n\n", [200]),
        ("invalid percent-encoding", req(b"GET /users/%zz%C3 HTTP/1.1", H, CLOSE), [404]),
        ("invalid UTF-8 in the path", req(b"GET /users/\xff\xfe HTTP/1.1", H, CLOSE), [400]),
        ("encoded invalid UTF-8 in the path", req(b"GET /users/%ff%fe HTTP/1.1", H, CLOSE), [404]),
        ("invalid UTF-8 in the query", req(b"GET /users?a=%ff&\xff=1 HTTP/1.1", H, CLOSE), [400]),
        (
            "encoded invalid UTF-8 in the query",
            req(b"GET /users?a=%ff%fe HTTP/1.1", H, CLOSE),
            [200],
        ),
        (
            "invalid UTF-8 in the body",
            req(POST_USERS, H, b"Content-Length: 4", CLOSE, body=b"\xff\xfe{}"),
            [201],
        ),
        ("an 8 KiB header value", req(GET_USERS, H, b"X-Big: " + b"a" * 8192, CLOSE), [200]),
        ("a 64 KiB header value", req(GET_USERS, H, b"X-Big: " + b"a" * 65536), [431]),
        ("a NUL in a header", req(GET_USERS, H, b"X-A: a\x00b"), [400]),
        (
            "a chunk size that is not hex",
            req(POST_USERS, H, CHUNKED, body=b"zz\r\nabc\r\n0\r\n\r\n"),
            [400],
        ),
        (
            "a negative chunk size",
            req(POST_USERS, H, CHUNKED, body=b"-5\r\nabc\r\n0\r\n\r\n"),
            [400],
        ),
        (
            "a chunk size past --max-body",
            req(POST_USERS, H, CHUNKED, body=b"ffffffffffffffffffff\r\n" + b"a" * 2048),
            [413],
        ),
        (
            "Content-Length and Transfer-Encoding both",
            req(POST_USERS, H, b"Content-Length: 3", CHUNKED, body=b"0\r\n\r\n"),
            [400],
        ),
        (
            "two Content-Lengths",
            req(POST_USERS, H, b"Content-Length: 3", b"Content-Length: 4", body=b"abcd"),
            [400],
        ),
        (
            "a Content-Length that is not a number",
            req(POST_USERS, H, b"Content-Length: abc"),
            [400],
        ),
        ("HTTP/1.0 without Host", req(b"GET /users HTTP/1.0"), [200]),
        ("HTTP/1.1 without Host", req(GET_USERS), [400]),
        (
            "pipelined requests",
            req(GET_USERS, H)
            + req(POST_USERS, H, b"Content-Length: 2", body=b"hi")
            + req(b"GET /nope HTTP/1.1", H)
            + req(GET_USERS, H, CLOSE),
            [200, 201, 404, 200],
        ),
        ("OPTIONS", req(b"OPTIONS /users HTTP/1.1", H, CLOSE), [404]),
        ("OPTIONS *", req(b"OPTIONS * HTTP/1.1", H, CLOSE), [404]),
        ("PURGE", req(b"PURGE /users HTTP/1.1", H, CLOSE), [404]),
        ("PROPFIND", req(b"PROPFIND /users HTTP/1.1", H, b"Depth: 1", CLOSE), [404]),
        (
            "CONNECT",
            req(b"CONNECT example.com:443 HTTP/1.1", b"Host: example.com:443", CLOSE),
            [404],
        ),
        (
            "a WebSocket upgrade",
            req(
                GET_USERS,
                H,
                b"Connection: Upgrade",
                b"Upgrade: websocket",
                b"Sec-WebSocket-Version: 13",
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            ),
            [403],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
async def test_odd_requests_get_a_proper_status(
    pm, caplog: pytest.LogCaptureFixture, name: str, data: bytes, statuses: list[int]
) -> None:
    engine = users(pm)
    async with running(engine, max_body=1024) as server:
        started = asyncio.get_running_loop().time()
        raw = await exchange(server.url, data, timeout=4)
        took = asyncio.get_running_loop().time() - started
        still_up = await server.client.get("/users")
    answers = parse(raw)
    assert [a.status for a in answers] == statuses, (name, raw[:300])
    assert took < 3, f"{name}: the connection was held {took:.1f} s"
    assert still_up.status_code == 200
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")], name
    recorded = [e.status for e in engine.bus.since(0)[0]][:-1]
    # What reached the mock is recorded with the status that was sent.
    assert recorded == ([] if name in BEFORE_THE_MOCK else statuses), name


async def test_head_answers_the_get_length_without_a_body(pm) -> None:
    engine = users(pm)
    async with running(engine) as server:
        raw = await exchange(
            server.url,
            req(b"HEAD /users HTTP/1.1", H) + req(GET_USERS, H, CLOSE),
        )
    head, get = parse(raw, head_only=frozenset({0}))
    assert (head.status, head.header("content-length"), head.body) == (200, "7", b"")
    assert (get.status, get.body) == (200, b'["ada"]')


async def test_an_h2c_upgrade_is_answered_over_http2(pm) -> None:
    engine = users(pm)
    async with running(engine) as server:
        raw = await exchange(
            server.url,
            req(
                b"GET /users HTTP/1.1",
                b"Host: x",
                b"Connection: Upgrade, HTTP2-Settings",
                b"Upgrade: h2c",
                b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
            ),
            timeout=1,
        )
    assert raw.startswith(b"HTTP/1.1 101 ")
    assert b'["ada"]' in raw  # the answer to the upgraded request, in an HTTP/2 DATA frame
    (event,) = engine.bus.since(0)[0]
    assert (event.status, event.http_version) == (200, "2")


async def test_the_body_must_arrive_in_time(pm) -> None:
    engine = users(pm)
    async with running(engine, body_timeout=0.5) as server:
        started = asyncio.get_running_loop().time()
        reader, writer = await asyncio.open_connection(*host_port(server.url))
        writer.write(b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        await writer.drain()
        raw = await read_until_closed(reader, 5)
        took = asyncio.get_running_loop().time() - started
        writer.close()
    (answer,) = parse(raw)
    assert answer.status == 408
    assert 0.5 <= took < 2
    assert [e.status for e in engine.bus.since(0)[0]] == [408]
