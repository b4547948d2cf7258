"""The HTTP face of the engine: an ASGI layer for mock traffic in front of a Quart app.

Mock requests never touch Quart's routing or request objects (they would double the cost of a
request): ``MockASGI`` reads the ASGI scope, hands a ``MockRequest`` to the engine and writes the
answer. Only paths under ``/__mocktui/`` (the control API) and lifespan events reach Quart, by
Quart's documented ``app.asgi_app`` wrapping.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from quart import Quart

from mocktui.config import DEFAULT_MAX_BODY, build_engine
from mocktui.engine.engine import MockEngine, MockRequest, MockResponse
from mocktui.engine.events import Body
from mocktui.server.control import control_blueprint

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTROL_PREFIX = "/__mocktui/"
CLIENT_GONE = 499  # as nginx logs it: the client closed the connection before the answer
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


def _raw_path(scope: Scope) -> str:
    """The path as sent (percent-encoding kept), for exports that must reproduce it."""
    raw = scope.get("raw_path")
    if raw is None:
        return scope.get("path", "/")
    return raw.split(b"?", 1)[0].decode("latin-1") or "/"


def _text(raw: bytes) -> str:
    """Header and query bytes: UTF-8 when they are (clients send it), else Latin-1 (HTTP's)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _header_value(value: str) -> bytes:
    # Example headers are user data and may echo the request ({{$body}}): a control character
    # (CR/LF would even split the response) becomes a space.
    return _CONTROL.sub(" ", value).encode("utf-8")


class MockASGI:
    """ASGI app: mock traffic to the engine, everything under /__mocktui/ to ``inner``."""

    def __init__(
        self,
        engine: MockEngine,
        inner: ASGIApp,
        max_body: int = DEFAULT_MAX_BODY,
        closing: asyncio.Event | None = None,
    ):
        self.engine = engine
        self.inner = inner
        self.max_body = max_body
        self.closing = closing or asyncio.Event()  # set on shutdown: delays and streams end

    def begin_shutdown(self) -> None:
        """Answer the requests that are waiting out a delay now, so that shutdown is quick."""
        self.closing.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        request = MockRequest(
            method=scope["method"],
            path=_decode_path(scope),
            headers=[(_text(k), _text(v)) for k, v in scope["headers"]],
            client=":".join(str(p) for p in scope["client"]) if scope.get("client") else "",
            raw_path=_raw_path(scope),
            scheme=scope.get("scheme", "http"),
            http_version=scope.get("http_version", "1.1"),
        )
        if scope.get("path", "").startswith(CONTROL_PREFIX):
            # Private mode covers the control API too: it can change every answer.
            if self.engine.authorized(request):
                await self.inner(scope, receive, send)
            else:
                await self._send(send, self.engine.unauthorized())
            return
        started = time.perf_counter()
        request.query_string = _text(scope.get("query_string", b""))
        request.query = parse_qsl(request.query_string, keep_blank_values=True)
        response: MockResponse | None = None
        kept_body: Body | None = None
        try:
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
                return  # gone before it finished sending: there is no one to answer
            except Exception:  # never let one request take the server down
                log.exception("error answering %s %s", request.method, request.path)
                response = self.engine.reject(500, "mocktui failed to answer this request.", "500")
            if response.delay_ms:
                kept_body = Body.keep(request.body)
                request.body = b""  # a large body need not live through the delay
                if not await self._wait(response.delay_ms, receive):
                    response = replace(
                        response,
                        status=CLIENT_GONE,
                        miss_reason="the client closed the connection during the delay",
                    )
                    return
            await self._send(send, response)
        finally:
            if response is not None:
                duration = (time.perf_counter() - started) * 1000
                self.engine.record(request, response, duration, kept_body)

    async def _wait(self, delay_ms: int, receive: Receive) -> bool:
        """Wait out a delay; False when the client went away first. Shutdown ends it early."""
        sleeper = asyncio.ensure_future(asyncio.sleep(delay_ms / 1000))
        closing = asyncio.ensure_future(self.closing.wait())
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.wait({sleeper, closing, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, closing, gone):
                task.cancel()
        return not (gone.done() and not gone.cancelled())

    async def _read_body(self, receive: Receive, request: MockRequest) -> bytes:
        declared = request.header("content-length")
        if declared and declared.isascii() and declared.isdigit() and int(declared) > self.max_body:
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
            (k.lower().encode("ascii"), _header_value(v))
            for k, v in response.headers
            if _TOKEN.match(k)
        ]
        headers.append((b"content-length", str(len(response.body)).encode()))
        try:
            await send(
                {"type": "http.response.start", "status": response.status, "headers": headers}
            )
            await send({"type": "http.response.body", "body": response.sent_body})
        except Exception:  # the client went away mid-answer, or the server refused it
            log.debug("could not send the answer", exc_info=True)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
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
    quart.config["RESPONSE_TIMEOUT"] = None  # the event stream runs for as long as it is read
    closing = asyncio.Event()
    quart.register_blueprint(
        control_blueprint(engine, closing), url_prefix=CONTROL_PREFIX.rstrip("/")
    )
    app = MockASGI(engine, quart.asgi_app, max_body, closing)
    app.quart = quart  # type: ignore[attr-defined]
    return app
