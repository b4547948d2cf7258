"""The HTTP face of the engine: an ASGI layer for mock traffic in front of a Quart app.

Mock requests never touch Quart's routing or request objects (they would double the cost of a
request): ``MockASGI`` reads the ASGI scope, hands a ``MockRequest`` to the engine and writes the
answer. Only paths under ``/__mocktui/`` (the control API) and lifespan events reach Quart, by
Quart's documented ``app.asgi_app`` wrapping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from quart import Quart

from mocktui.config import build_engine
from mocktui.engine.engine import MockEngine, MockRequest, MockResponse
from mocktui.server.control import control_blueprint

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTROL_PREFIX = "/__mocktui/"
DEFAULT_MAX_BODY = 10 * 1024 * 1024
log = logging.getLogger("mocktui.server")


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


def _decode_path(scope: Scope) -> str:
    """The percent-decoded path from the raw bytes (Quart's request.path would collapse "//")."""
    raw = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
    raw = raw.split(b"?", 1)[0]
    return unquote_to_bytes(raw).decode("utf-8", "replace") or "/"


def _header_value(value: str) -> bytes:
    # A value holding CR/LF would split the response; examples are user data, so fold them.
    return value.replace("\r", " ").replace("\n", " ").encode("utf-8")


class MockASGI:
    """ASGI app: mock traffic to the engine, everything under /__mocktui/ to ``inner``."""

    def __init__(self, engine: MockEngine, inner: ASGIApp, max_body: int = DEFAULT_MAX_BODY):
        self.engine = engine
        self.inner = inner
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(CONTROL_PREFIX):
            await self.inner(scope, receive, send)
            return
        started = time.perf_counter()
        request = MockRequest(
            method=scope["method"],
            path=_decode_path(scope),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            client=":".join(str(p) for p in scope["client"]) if scope.get("client") else "",
        )
        query_string = scope.get("query_string", b"").decode("latin-1")
        request.query_string = query_string
        request.query = parse_qsl(query_string, keep_blank_values=True)
        try:
            request.body = await self._read_body(receive, request)
            response = self.engine.handle(request)
        except _TooLarge:
            response = self.engine.reject(
                413,
                f"The request body is larger than this mock accepts ({self.max_body} bytes).",
                "413: request body too large",
            )
        except _Disconnected:
            return
        except Exception:  # never let one request take the server down
            log.exception("error answering %s %s", request.method, request.path)
            response = self.engine.reject(500, "mocktui failed to answer this request.", "500")
        if response.delay_ms:
            await asyncio.sleep(response.delay_ms / 1000)
        await self._send(send, response)
        self.engine.record(request, response, (time.perf_counter() - started) * 1000)

    async def _read_body(self, receive: Receive, request: MockRequest) -> bytes:
        declared = request.header("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    @staticmethod
    async def _send(send: Send, response: MockResponse) -> None:
        headers = [
            (k.lower().encode("latin-1", "replace"), _header_value(v)) for k, v in response.headers
        ]
        headers.append((b"content-length", str(len(response.body)).encode()))
        try:
            await send(
                {"type": "http.response.start", "status": response.status, "headers": headers}
            )
            await send({"type": "http.response.body", "body": response.body})
        except (OSError, RuntimeError):  # the client went away mid-answer
            pass


def create_app(
    *collections: str,
    engine: MockEngine | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    **settings: Any,
) -> MockASGI:
    """The ASGI app. Give an engine, or collection paths and engine settings.

    The second form is for ASGI servers: ``hypercorn "mocktui.server:create_app('api.json')"``.
    Keyword settings are those of ``mocktui.config.build`` (env, variables, api_key, delay_ms,
    match_body, match_headers, cors, seed).
    """
    if engine is None:
        engine = build_engine(list(collections), **settings)
    quart = Quart("mocktui")
    quart.config["MAX_CONTENT_LENGTH"] = max_body
    quart.register_blueprint(control_blueprint(engine), url_prefix=CONTROL_PREFIX.rstrip("/"))
    app = MockASGI(engine, quart.asgi_app, max_body)
    app.quart = quart  # type: ignore[attr-defined]
    return app
