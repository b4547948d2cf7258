"""A real upstream API for the proxy tests: a small ASGI app under Hypercorn in a thread of
its own (its own event loop), on 127.0.0.1 with an ephemeral port, plus a port whose server
closes every connection without answering.

Routes: ``/echo/...`` (JSON: what it received), ``/text``, ``/binary``, ``/gzip`` (a gzip-
encoded JSON body), ``/chunked`` (no Content-Length, several pieces), ``/big`` (1 MiB in
pieces), ``/cut`` (breaks off mid-body), ``/slow`` (answers after 5 s), ``/status/NNN``;
anything else: 404 JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config

BINARY = bytes(range(256)) * 4
BIG = b"0123456789abcdef" * (64 * 1024)  # 1 MiB
GZIPPED = {"compressed": True, "items": list(range(50))}


async def upstream_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["raw_path"].decode("latin-1")

    async def answer(status: int, headers: list[tuple[bytes, bytes]], *pieces: bytes) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for piece in pieces:
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    if path.startswith("/echo"):
        seen = {
            "method": scope["method"],
            "path": path,
            "query": scope["query_string"].decode("latin-1"),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
            "body": body.decode("utf-8", "replace"),
        }
        data = json.dumps(seen).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
            (b"x-upstream", b"yes"),
            (b"date", b"Tue, 01 Dec 2026 10:00:00 GMT"),
        ]
        if b"cookie=1" in scope["query_string"]:
            headers.append((b"set-cookie", b"session=abc; Path=/"))
        await answer(201 if scope["method"] == "POST" else 200, headers, data)
    elif path == "/text":
        data = "plain text, ünïcode\n".encode()
        await answer(200, [(b"content-type", b"text/plain; charset=utf-8")], data)
    elif path == "/binary":
        await answer(200, [(b"content-type", b"application/octet-stream")], BINARY)
    elif path == "/gzip":
        data = gzip.compress(json.dumps(GZIPPED).encode())
        await answer(
            200,
            [
                (b"content-type", b"application/json"),
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(data)).encode()),
            ],
            data,
        )
    elif path == "/chunked":
        await answer(200, [(b"content-type", b"text/plain")], b"one,", b"two,", b"three")
    elif path == "/big":
        pieces = [BIG[i : i + 65536] for i in range(0, len(BIG), 65536)]
        await answer(200, [(b"content-type", b"text/plain")], *pieces)
    elif path == "/cut":  # promises 100 bytes, sends 10, then fails: the connection closes
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"100")],
            }
        )
        await send({"type": "http.response.body", "body": b"0123456789", "more_body": True})
        raise RuntimeError("the upstream gives up mid-answer")
    elif path == "/slow":
        await asyncio.sleep(5)
        await answer(200, [(b"content-type", b"text/plain")], b"late")
    elif path.startswith("/status/"):
        code = int(path.rsplit("/", 1)[1])
        await answer(code, [(b"content-type", b"application/json")], b'{"status": %d}' % code)
    else:
        await answer(404, [(b"content-type", b"application/json")], b'{"upstream": "not found"}')


@dataclass
class Upstream:
    url: str
    closing_url: str  # a server that closes each connection without a word
    refused_url: str  # a port nobody listens on
    requests: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def upstream_server() -> Iterator[Upstream]:
    """The upstream running in a thread for the duration of the block."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(100)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    closer = socket.socket()
    closer.bind(("127.0.0.1", 0))
    closer.listen(100)
    closer.setblocking(False)
    closer_port = closer.getsockname()[1]
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()

    async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read(65536)
        writer.close()

    async def main() -> None:
        config = Config()
        config.bind = [f"fd://{os.dup(sock.fileno())}"]  # Hypercorn closes the one it is given
        config.accesslog = None
        config.errorlog = None
        config.graceful_timeout = 0.5
        closing = await asyncio.start_server(close_at_once, sock=closer)
        ready.set()
        try:
            await serve(upstream_app, config, shutdown_trigger=stop.wait)
        finally:
            closing.close()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield Upstream(
            f"http://127.0.0.1:{port}",
            f"http://127.0.0.1:{closer_port}",
            f"http://127.0.0.1:{_free_port()}",
        )
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
        sock.close()
        closer.close()
