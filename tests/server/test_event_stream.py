"""GET /__mocktui/events over real HTTP: what the stream carries, in order; a reader that stops
reading never slows the mock and is told what it missed; private mode; shutdown ends it."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import socket
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from mocktui.engine.engine import EngineSettings, MockEngine
from tests.server.live import LiveServer, running

EVENTS = "/__mocktui/events"
HELLO = ": mocktui event stream"


def small(pm, settings: EngineSettings | None = None) -> MockEngine:
    return pm.engine(
        pm.item(
            "A",
            "/a",
            pm.example("one", "/a", code=200, id="a1", body="one"),
            pm.example("two", "/a", code=201, id="a2", body="two"),
            id="ep-a",
        ),
        pm.item(
            "B", "/b", pm.example("bee", "/b", id="b1", method="POST", body="bee"), method="POST"
        ),
        settings=settings,
    )


async def sse_items(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """SSE lines to items: {"comment": text} for a comment line, else the fields of one event
    ({"event", "id", "data"}; data lines joined with newlines, as the spec says)."""
    fields: dict[str, Any] = {}
    async for line in lines:
        if line == "":
            if fields:
                yield fields
                fields = {}
            continue
        if line.startswith(":"):
            yield {"comment": line}
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data" and "data" in fields:
            fields["data"] += "\n" + value
        else:
            fields[name] = value
    if fields:
        yield fields


class Reader:
    """Reads an event stream in a task; ``next()`` gives its items one by one."""

    def __init__(self, client: httpx.AsyncClient, url: str, **kwargs: Any) -> None:
        self.items: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.status: int | None = None
        self.content_type: str | None = None
        self.task = asyncio.create_task(self._run(client, url, kwargs))

    async def _run(self, client: httpx.AsyncClient, url: str, kwargs: dict[str, Any]) -> str:
        async with client.stream("GET", url, **kwargs) as response:
            self.status = response.status_code
            self.content_type = response.headers.get("content-type")
            async for item in sse_items(response.aiter_lines()):
                if "data" in item:
                    item["data"] = json.loads(item["data"])
                await self.items.put(item)
        return "ended"

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        """The next event (keep-alive comments skipped)."""
        while True:
            item = await asyncio.wait_for(self.items.get(), timeout)
            if item.get("comment") != ": keep-alive":
                return item

    async def started(self) -> None:
        """Once the stream's first comment is here, it is subscribed: nothing is missed."""
        assert await self.next() == {"comment": HELLO}

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def check_request(item: dict[str, Any], engine: MockEngine, **wanted: Any) -> dict[str, Any]:
    assert item["event"] == "request", item
    data = item["data"]
    assert item["id"] == str(data["id"])
    # The codec's form of the event, exactly (JSON round trip of to_dict).
    (event,) = [e for e in engine.bus.since(data["id"])[0] if e.id == data["id"]]
    assert data == json.loads(json.dumps(event.to_dict()))
    for key, value in wanted.items():
        assert data[key] == value, (key, data[key])
    return data


async def test_stream_carries_requests_and_controls_in_order(pm) -> None:
    engine = small(pm)
    async with running(engine) as server, httpx.AsyncClient(timeout=10) as own:
        reader = Reader(own, server.url + EVENTS)
        try:
            await reader.started()
            assert reader.status == 200
            assert reader.content_type is not None
            assert reader.content_type.startswith("text/event-stream")
            client = server.client

            async def generation() -> int:
                return (await client.get("/__mocktui/health")).json()["generation"]

            await client.get("/a")
            check_request(
                await reader.next(),
                engine,
                id=1,
                method="GET",
                raw_path="/a",
                status=200,
                example={"id": "a1", "name": "one", "code": 200},
                endpoint={"key": "ep-a", "name": "A"},
                decided_by="score",
            )

            await client.post("/__mocktui/endpoints/ep-a/pin", json={"example": 2})
            control = await reader.next()
            assert control["event"] == "control"
            assert "id" not in control
            assert control["data"] == {
                "kind": "mode",
                "endpoint": "ep-a",
                "source": "api",
                "generation": await generation(),
                "mode": "pinned",
                "pinned": "a2",
            }

            await client.get("/a%2Fb//x", params={"q": "1"})  # a miss, with its raw path
            check_request(
                await reader.next(),
                engine,
                id=2,
                method="GET",
                raw_path="/a%2Fb//x",
                path="/a/b//x",
                query="q=1",
                status=404,
                example=None,
                endpoint=None,
            )

            await client.get("/a")
            check_request(
                await reader.next(),
                engine,
                id=3,
                status=201,
                example={"id": "a2", "name": "two", "code": 201},
                decided_by="pin",
            )

            await client.post("/__mocktui/endpoints/ep-a/delay", json={"ms": 5})
            control = await reader.next()
            assert control["data"] == {
                "kind": "delay",
                "endpoint": "ep-a",
                "source": "api",
                "generation": await generation(),
                "delay_ms": 5,
            }
            await client.post("/__mocktui/endpoints/ep-a/examples/1/disable")
            control = await reader.next()
            assert control["data"] == {
                "kind": "example",
                "endpoint": "ep-a",
                "source": "api",
                "generation": await generation(),
                "example": "a1",
                "enabled": False,
            }
            await client.post("/__mocktui/reset")
            control = await reader.next()
            assert control["data"] == {
                "kind": "reset",
                "endpoint": None,
                "source": "api",
                "generation": await generation(),
            }

            await client.post("/b", content=b"hello")
            data = check_request(await reader.next(), engine, id=4, method="POST", status=200)
            assert data["request"]["body"] == {
                "size": 5,
                "truncated": False,
                "text": "hello",
                "base64": None,
            }
            assert data["response"]["body"]["text"] == "bee"

            # A burst without waiting: every one arrives, once, oldest first; controls made in
            # the middle of it arrive too, in their own order.
            burst = [client.get("/a", params={"n": str(n)}) for n in range(40)]

            async def changes() -> None:  # one after another: their order is what is tested
                for mode in ("sequential", "random", "auto"):
                    await client.post("/__mocktui/endpoints/ep-a/mode", json={"mode": mode})

            await asyncio.gather(*burst[:20], changes(), *burst[20:])
            requests, controls = [], []
            while len(requests) < 40 or len(controls) < 3:
                item = await reader.next()
                (requests if item["event"] == "request" else controls).append(item["data"])
            assert [r["id"] for r in requests] == list(range(5, 45))
            assert sorted(r["query"] for r in requests) == sorted(f"n={n}" for n in range(40))
            assert [c["mode"] for c in controls] == ["sequential", "random", "auto"]
            generations = [c["generation"] for c in controls]
            assert generations == sorted(generations)
            assert reader.items.empty()
        finally:
            await reader.close()


async def burst(server: LiveServer, count: int, workers: int = 6) -> tuple[float, list[int]]:
    """``count`` GET /big requests from ``workers`` concurrent connections: (seconds, statuses)."""
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as client:

        async def work(n: int) -> None:
            for _ in range(n):
                response = await client.get("/big")
                assert len(response.content) == BIG_SIZE
                statuses.append(response.status_code)

        started = time.perf_counter()
        shares = [count // workers + (i < count % workers) for i in range(workers)]
        await asyncio.gather(*(work(n) for n in shares))
        return time.perf_counter() - started, statuses


BIG_SIZE = 30 * 1024
REQUESTS = 3000


async def test_a_reader_that_stops_reading_never_slows_the_mock(pm, monkeypatch) -> None:
    # httpcore tries ``import sniffio`` on every request; it is not installed here, and a
    # failed import is not cached (each one searches sys.path again): half of httpx's time per
    # request. None in sys.modules makes that import fail at once, the same ImportError.
    if importlib.util.find_spec("sniffio") is None:
        monkeypatch.setitem(sys.modules, "sniffio", None)
    engine = pm.engine(
        pm.item("Big", "/big", pm.example("big", "/big", body="x" * BIG_SIZE)),
        settings=EngineSettings(history=200),
    )
    async with running(engine) as server:
        alone, statuses = await burst(server, REQUESTS)
        assert statuses == [200] * REQUESTS

        host, port = server.url.removeprefix("http://").split(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
        stuck, writer = await asyncio.open_connection(sock=sock, limit=4096)
        try:
            writer.write(f"GET {EVENTS} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await writer.drain()
            seen = bytearray()
            while HELLO.encode() not in seen:  # read up to the hello, then stop reading
                seen += await asyncio.wait_for(stuck.read(4096), 5)
            first_id = engine.bus.next_id

            with_stuck, statuses = await burst(server, REQUESTS)
            timings = (
                f"{REQUESTS} requests took {alone:.2f} s without the stuck reader, "
                f"{with_stuck:.2f} s with it"
            )
            assert statuses == [200] * REQUESTS, timings
            assert with_stuck < 5 * alone, timings
            # The mock still answers at once while the reader is stuck.
            started = time.perf_counter()
            assert (await server.client.get("/big")).status_code == 200
            assert time.perf_counter() - started < 5, timings  # a hang guard, not a speed target
            last_id = engine.bus.next_id - 1
            assert last_id - first_id + 1 == REQUESTS + 1

            # Now read: the reader is told how many it missed, then gets the rest.
            end = f"id: {last_id}\nevent: request\n".encode()
            chunk = bytes(seen)
            deadline = time.perf_counter() + 15
            while end not in seen[-len(end) - len(chunk) :]:
                assert time.perf_counter() < deadline, "the stream never caught up"
                chunk = await asyncio.wait_for(stuck.read(1 << 20), 5)
                assert chunk, "the stream ended"
                seen += chunk
        finally:
            writer.close()
    dropped = [json.loads(d) for d in re.findall(rb"event: dropped\ndata: ([^\n]*)\n", seen)]
    ids = [int(i) for i in re.findall(rb"id: (\d+)\nevent: request\n", seen)]
    assert dropped, f"no dropped event ({len(ids)} request events read)"
    assert ids == sorted(set(ids))
    assert first_id <= ids[0] and ids[-1] == last_id
    last = dropped[-1]
    assert last["controls"] == 0
    assert last["dropped"] == last["requests"]
    assert [d["dropped"] for d in dropped] == sorted({d["dropped"] for d in dropped})
    # Every request is either read or counted as dropped, never both, never neither.
    assert len(ids) + last["requests"] == last_id - first_id + 1
    # What it read: the events that went out before it stalled, then the ring (history=200),
    # all of it, after the dropped event that said how many it missed.
    newest = list(range(last_id - 199, last_id + 1))
    assert ids[-200:] == newest
    assert len(ids) < REQUESTS // 2
    assert seen.rindex(b"event: dropped\n") < seen.index(f"id: {newest[0]}\n".encode())
    print(f"\n{timings}; the stuck reader got {len(ids)} events, dropped {last['requests']}")


async def test_private_mode_stream_needs_the_key(pm) -> None:
    engine = small(pm, EngineSettings(api_key="k"))
    async with running(engine) as server:
        for headers in ({}, {"x-api-key": "wrong"}):
            refused = await server.client.get(EVENTS, headers=headers)
            assert refused.status_code == 401
            assert refused.json()["error"]["name"] == "unauthorizedError"
        async with httpx.AsyncClient(timeout=10) as own:
            reader = Reader(own, server.url + EVENTS, headers={"x-api-key": "k"})
            try:
                await reader.started()
                assert reader.status == 200
                await server.client.get("/a", headers={"x-api-key": "k", "x-other": "v"})
                data = check_request(await reader.next(), engine, status=200)
                headers = dict(data["request"]["headers"])
                assert headers["x-api-key"] == "•••"  # the key never goes out on the stream
                assert headers["x-other"] == "v"
                await server.client.get("/a")  # without the key: a 401, on the stream too
                check_request(await reader.next(), engine, status=401, example=None)
            finally:
                await reader.close()
    assert engine.store.requests == 2


async def test_shutdown_ends_a_connected_stream(pm) -> None:
    engine = small(pm)
    async with httpx.AsyncClient(timeout=10) as own:
        async with running(engine) as server:
            reader = Reader(own, server.url + EVENTS)
            await reader.started()
            await server.client.get("/a")
            assert (await reader.next())["event"] == "request"
            started = time.perf_counter()
        stopped = time.perf_counter() - started
        # The stream ends cleanly (a complete chunked body), it is not cut off at the grace
        # period's end.
        assert await asyncio.wait_for(reader.task, 5) == "ended"
        assert stopped < 1.0, f"the server took {stopped:.2f} s to stop with a stream open"
