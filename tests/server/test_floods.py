"""Floods, clients that leave, slow and stuck clients, against ``mocktui --headless`` in a child
process, its memory read from /proc; and the connection limits in-process (issue 11).

Each test says what it measured, and the figures on the code before the fix are in the
docstrings. The longer flood is marked ``slow``: ``pytest -m slow`` runs it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import statistics
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from mocktui.engine.engine import MockEngine
from mocktui.engine.events import MAX_BYTES
from mocktui.server.app import CLIENT_GONE, create_app
from mocktui.server.serve import Limits, base_url, bind_socket, serve
from tests.server.process import Mocktui, collection
from tests.server.wire import host_port, parse, read_all, req

BIG = 200_000  # bytes of the example the leaving clients ask for (issue 11's figure)
MB = 1024 * 1024


def health(url: str, key: str = "") -> dict:
    asked = urllib.request.Request(url + "/__mocktui/health", headers={"x-api-key": key})
    with urllib.request.urlopen(asked, timeout=10) as answer:
        return json.load(answer)


# -- 1: clients that pipeline, never read, and leave -----------------------------------------


def test_clients_that_pipeline_and_leave_leave_nothing_behind(tmp_path: Path) -> None:
    """20 clients pipeline 200 requests each for a 200 KB example, never read, close; 10 times.

    Before: the server went on answering the pipelined requests of clients that had gone, and
    kept every answer it tried to send (in the traceback of the one ConnectionResetError that
    asyncio re-raises on each write): 51 -> 726 MB in 4 rounds, still answering after they
    left. After: the work stops when a client goes; what stays is the event ring's own bound
    (128 MiB of kept bodies): 51 -> ~200 MB after 10 rounds, flat from round 7."""
    served = collection(tmp_path, big="x" * BIG, small="ok")
    pipelined = req(b"GET /big HTTP/1.1", b"Host: x") * 200
    with Mocktui(str(served)) as server:
        assert _get(server.url, "/big")[0] == 200
        before = server.memory()
        rounds = []
        for _ in range(10):
            clients = []
            for _ in range(20):
                client = socket.socket()
                client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # reads nothing
                client.connect(("127.0.0.1", server.port))
                client.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    client.send(pipelined)
                clients.append(client)
            time.sleep(0.3)
            for client in clients:
                client.close()
            time.sleep(0.2)
            rounds.append(round(server.memory()))
        settled = health(server.url)["requests"]
        time.sleep(1.0)
        later = health(server.url)["requests"]
        after = server.memory()
        assert _get(server.url, "/small") == (200, b"ok")
        assert server.stop() == 0
    growth = after - before
    print(f"\nRSS {before:.0f} -> {after:.0f} MB over 10 rounds: {rounds}")
    assert later - settled <= 1, f"still answering clients that left: {settled} -> {later}"
    bound = MAX_BYTES / MB + 64
    assert growth < bound, f"RSS grew {growth:.0f} MB (bound {bound:.0f}): {rounds}"


def _settled(count: Callable[[], int], wanted: int, timeout: float = 10) -> int:
    """``count()`` once it is ``wanted`` (or after ``timeout`` seconds: what it is then)."""
    deadline = time.monotonic() + timeout
    while (now := count()) != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
    return now


def _get(url: str, path: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url + path, timeout=10) as answer:
        return answer.status, answer.read()


# -- 2: keyless uploads in private mode ------------------------------------------------------


def test_keyless_uploads_in_private_mode_are_not_read_into_memory(tmp_path: Path) -> None:
    """100 uploads of 10 MiB without the key, 10 at a time, each sent whole.

    Before: each body was read into memory before the key was checked (issue 11: a peak of
    675 MB). After: 401 on the head, the body read and dropped piece by piece."""
    served = collection(tmp_path, small="ok")
    body = b"x" * (10 * MB)
    head = req(b"POST /small HTTP/1.1", b"Host: x", b"Content-Length: %d" % len(body))
    statuses: list[bytes] = []

    def upload(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(head)
            client.sendall(body)
            statuses.append(client.recv(12))

    with Mocktui("--api-key", "k", str(served)) as server:
        before = server.memory("VmHWM")
        for _ in range(10):
            threads = [threading.Thread(target=upload, args=(server.port,)) for _ in range(10)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        peak = server.memory("VmHWM")
        counted = _settled(lambda: health(server.url, "k")["requests"], 100)
        server.settle()
        assert server.stop() == 0
        lines = server.lines
    print(f"\npeak RSS {before:.0f} -> {peak:.0f} MB for 100 keyless 10 MiB uploads")
    assert statuses == [b"HTTP/1.1 401"] * 100
    assert (counted, lines) == (100, 100)
    assert peak - before < 64, f"peak RSS grew {peak - before:.0f} MB"


# -- 9: floods -------------------------------------------------------------------------------

FLOOD_REQUESTS = [
    req(b"GET /small HTTP/1.1", b"Host: x"),
    req(b"GET /small?x=1 HTTP/1.1", b"Host: x", b"x-mock-response-code: 200"),
    req(b"GET /nothing-here HTTP/1.1", b"Host: x"),
    req(b"POST /small HTTP/1.1", b"Host: x", b"Content-Length: 5", body=b"hello"),
    req(b"HEAD /small HTTP/1.1", b"Host: x"),
    req(b"PURGE /small HTTP/1.1", b"Host: x"),
    req(b"GET http://example.com/small HTTP/1.1", b"Host: x"),
    req(b"GET /small HTTP/1.1", b"Host: x", b"x-mock-response-delay: 1"),
]


async def flood(url: str, total: int, connections: int = 20) -> list[int]:
    """``total`` requests over keep-alive connections, each waiting for its answer (a new
    connection when the server closes one: it does after Limits.max_requests); the statuses."""
    statuses: list[int] = []
    each = total // connections

    async def one(n: int) -> None:
        reader, writer = await asyncio.open_connection(*host_port(url))
        try:
            for i in range(each):
                data = FLOOD_REQUESTS[(n + i) % len(FLOOD_REQUESTS)]
                writer.write(data)
                head = (await reader.readuntil(b"\r\n\r\n")).lower()
                statuses.append(int(head.split(b" ", 2)[1]))
                length = 0
                for line in head.split(b"\r\n"):
                    if line.startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if not data.startswith(b"HEAD") and length:
                    await reader.readexactly(length)
                if b"\r\nconnection: close" in head:
                    writer.close()
                    reader, writer = await asyncio.open_connection(*host_port(url))
        finally:
            writer.close()

    await asyncio.gather(*(one(n) for n in range(connections)))
    return statuses


def _flood_check(tmp_path: Path, total: int) -> None:
    served = collection(tmp_path, small="ok")
    with Mocktui(str(served)) as server:
        before = server.memory()
        started = time.perf_counter()
        statuses = asyncio.run(flood(server.url, total))
        took = time.perf_counter() - started
        after = server.memory()
        counted = health(server.url)["requests"]
        assert server.stop() == 0
        lines, dropped = server.lines, server.dropped()
    sent = len(statuses)
    print(
        f"\n{sent} requests in {took:.1f} s ({sent / took:.0f}/s): {lines} lines + {dropped} "
        f"dropped; RSS {before:.0f} -> {after:.0f} MB"
    )
    assert sent == total
    assert not [s for s in statuses if s >= 500], "5xx in a flood"
    assert counted == sent  # the engine counted every request
    assert lines + dropped == sent  # requests sent = events printed + events reported dropped
    assert after < before * 2 + 32, f"RSS {before:.0f} -> {after:.0f} MB"


def test_a_flood_of_10000_requests_is_counted_exactly(tmp_path: Path) -> None:
    _flood_check(tmp_path, 10_000)


@pytest.mark.long
def test_a_flood_of_100000_requests_is_counted_exactly(tmp_path: Path) -> None:
    _flood_check(tmp_path, 100_000)


# -- 8: slow and stuck clients ---------------------------------------------------------------


def test_slow_and_stuck_clients_do_not_slow_normal_requests(tmp_path: Path) -> None:
    """200 clients send a request a byte a second, 20 more pipeline requests for a 200 KB
    answer and never read; normal requests are answered all the while, as fast as without."""
    served = collection(tmp_path, big="x" * BIG, small="ok")
    stop = threading.Event()

    def slow_clients(port: int) -> None:
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
        text = req(b"GET /small HTTP/1.1", b"Host: x")
        i = 0
        while not stop.wait(1.0):
            for client in clients:
                with contextlib.suppress(OSError):
                    client.send(text[i % len(text) : i % len(text) + 1])
            i += 1
        for client in clients:
            client.close()

    with Mocktui(str(served)) as server:
        quiet = _latencies(server.url, 50)
        slow = threading.Thread(target=slow_clients, args=(server.port,))
        slow.start()
        stuck = []
        for _ in range(20):
            client = socket.socket()
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.connect(("127.0.0.1", server.port))
            client.sendall(req(b"GET /big HTTP/1.1", b"Host: x") * 50)
            stuck.append(client)
        time.sleep(1.5)
        try:
            busy = _latencies(server.url, 200)
        finally:
            stop.set()
            slow.join(10)
            for client in stuck:
                client.close()
        assert server.stop() == 0
    message = (
        f"normal requests: median {statistics.median(busy) * 1000:.1f} ms, slowest "
        f"{max(busy) * 1000:.1f} ms with 200 slow and 20 stuck clients (alone: median "
        f"{statistics.median(quiet) * 1000:.1f} ms)"
    )
    print("\n" + message)
    # Relative to the same machine a moment before, and loose: slow clients must not hold
    # normal ones up (they would wait seconds each), whatever else the machine is doing.
    assert statistics.median(busy) < max(0.05, 10 * statistics.median(quiet)), message
    assert max(busy) < 5.0, message


def _latencies(url: str, count: int) -> list[float]:
    took = []
    for _ in range(count):
        started = time.perf_counter()
        assert _get(url, "/small") == (200, b"ok")
        took.append(time.perf_counter() - started)
    return took


@contextlib.asynccontextmanager
async def limited(engine: MockEngine, limits: Limits) -> AsyncIterator[str]:
    sock = bind_socket("127.0.0.1", 0)
    shutdown = asyncio.Event()
    task = asyncio.create_task(serve(create_app(engine=engine), sock, shutdown, limits=limits))
    try:
        yield base_url(sock)
    finally:
        shutdown.set()
        await asyncio.wait_for(task, 10)
        sock.close()


def _big(pm) -> MockEngine:
    return pm.engine(
        pm.item("Big", "/big", pm.example("big", "/big", body="x" * (8 * MB))),
        pm.item("Small", "/small", pm.example("small", "/small", body="ok")),
    )


async def test_a_request_head_must_arrive_in_time(pm) -> None:
    async with limited(_big(pm), Limits(head_timeout=0.5)) as url:
        loop = asyncio.get_running_loop()
        reader, writer = await asyncio.open_connection(*host_port(url))
        started = loop.time()
        with contextlib.suppress(ConnectionError):
            for byte in req(b"GET /small HTTP/1.1", b"Host: x"):
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.1)
                if reader.at_eof():
                    break
        cut = await read_all(reader, 2)
        took = loop.time() - started
        writer.close()
        in_time = await _fetch(url, req(b"GET /small HTTP/1.1", b"Host: x", b"Connection: close"))
    assert cut == b""  # closed, not answered
    assert 0.5 <= took < 1.5, f"a slow head held its connection {took:.1f} s"
    assert [a.status for a in parse(in_time)] == [200]


async def test_an_answer_no_one_reads_is_let_go(pm) -> None:
    engine = _big(pm)
    async with limited(engine, Limits(send_timeout=0.5)) as url:
        loop = asyncio.get_running_loop()
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(host_port(url))
        client.sendall(req(b"GET /big HTTP/1.1", b"Host: x"))
        started = loop.time()
        while not engine.bus.since(0)[0] and loop.time() - started < 5:
            await asyncio.sleep(0.05)
        took = loop.time() - started
        client.close()
    (event,) = engine.bus.since(0)[0]
    assert event.status == CLIENT_GONE
    assert 0.5 <= took < 2.5, f"an unread answer held its connection {took:.1f} s"


async def test_connections_past_the_limit_get_503(pm) -> None:
    async with limited(_big(pm), Limits(max_connections=5)) as url:
        idle = [await asyncio.open_connection(*host_port(url)) for _ in range(5)]
        await asyncio.sleep(0.1)
        refused = await _fetch(url, req(b"GET /small HTTP/1.1", b"Host: x"))
        for _reader, writer in idle:
            writer.close()
        await asyncio.sleep(0.1)
        served = await _fetch(url, req(b"GET /small HTTP/1.1", b"Host: x", b"Connection: close"))
    assert [a.status for a in parse(refused)] == [503]
    assert [a.status for a in parse(served)] == [200]


async def _fetch(url: str, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(*host_port(url))
    writer.write(data)
    await writer.drain()
    out = await read_all(reader, 2)
    writer.close()
    return out
