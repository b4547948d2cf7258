"""The HTTP face of the engine: an ASGI layer for mock traffic in front of a Quart app.

Mock requests never touch Quart's routing or request objects (they would double the cost of a
request): ``MockASGI`` reads the ASGI scope, hands a ``MockRequest`` to the engine and writes the
answer. Only paths under ``/__mocktui/`` (the control API) and lifespan events reach Quart, by
Quart's documented ``app.asgi_app`` wrapping.

What a client can send does not get further than it must (README, Security):

- a request is refused on its head when it can be (an HTTP version other than 1.x, 2 or 3: 505;
  both Content-Length and Transfer-Encoding: 400), and in private mode a request without the
  key gets its 401 before its body is read; the body is then read and dropped (up to
  ``max_body`` bytes, within ``body_timeout``) so that the connection can serve the next
  request, or the connection is closed;
- a body larger than ``max_body`` gets 413, one slower than ``body_timeout`` gets 408;
- an answer goes out in pieces of SEND_CHUNK bytes, so a client that does not read holds
  one piece in the server's buffers, not the whole answer;
- what is sent is what is recorded: header values are made sendable once (``rules.
  header_value``), before they are sent and recorded, and a 1xx example code, which cannot end
  a request, is answered (and recorded) as 500.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_to_bytes

from quart import Quart

from mocktui import rules
from mocktui.config import DEFAULT_MAX_BODY, build_engine
from mocktui.engine.engine import MockEngine, MockRequest, MockResponse
from mocktui.engine.events import Body
from mocktui.server.control import control_blueprint
from mocktui.server.proxy import Upstream

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTROL_PREFIX = "/__mocktui/"
CLIENT_GONE = 499  # as nginx logs it: the client closed the connection before the answer
BODY_TIMEOUT = 60.0  # seconds a request body may take to arrive whole (408 after)
SEND_CHUNK = 64 * 1024  # bytes of an answer handed to the server at a time
NO_CONTENT = frozenset({204, 304})  # answers that carry no body (nor a Content-Length here)
log = logging.getLogger("mocktui.server")


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class _Disconnected(Exception):
    pass


def _text(raw: bytes) -> str:
    """Header and query bytes: UTF-8 when they are (clients send it), else Latin-1 (HTTP's)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _request(scope: Scope) -> tuple[Scope, MockRequest]:
    """The request as the engine sees it, and the scope for Quart (an absolute-form target
    ``http://host/path``, RFC 9112 section 3.2.2, is routed on its path)."""
    raw = scope.get("raw_path")
    if raw is None:
        raw = rules.utf8(scope.get("path", "/"))
    target = raw.split(b"?", 1)[0]
    as_sent = target.decode("latin-1")
    host = None
    absolute = rules.absolute_target(as_sent)
    if absolute is not None:
        host, origin = absolute
        target = origin.encode("latin-1")
        scope = {**scope, "raw_path": target, "path": unquote(origin)}
        as_sent = rules.mask_userinfo(as_sent)  # a password in the target is not recorded
    client = scope.get("client")
    request = MockRequest(
        method=scope["method"],
        # Percent-decoded from the raw bytes (Quart's request.path would collapse "//").
        path=unquote_to_bytes(target).decode("utf-8", "replace") or "/",
        headers=[(_text(k), _text(v)) for k, v in scope["headers"]],
        client=":".join(str(p) for p in client) if client else "",
        raw_path=as_sent or "/",
        scheme=scope.get("scheme", "http"),
        http_version=scope.get("http_version", "1.1"),
        host=host,
    )
    return scope, request


class _Exchange:
    """One request's receive channel and how far the request and its answer have got."""

    __slots__ = ("answered", "body_done", "gone", "receive", "started")

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.body_done = False  # the last piece of the request body has come
        self.gone = False  # http.disconnect has come
        self.started = False  # the answer's head was handed to the server
        self.answered = False  # ... and its whole body

    async def next(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.disconnect":
            self.gone = True
        elif not message.get("more_body", False):
            self.body_done = True
        return message


class MockASGI:
    """ASGI app: mock traffic to the engine, everything under /__mocktui/ to ``inner``."""

    def __init__(
        self,
        engine: MockEngine,
        inner: ASGIApp,
        max_body: int = DEFAULT_MAX_BODY,
        closing: asyncio.Event | None = None,
        body_timeout: float = BODY_TIMEOUT,
    ):
        self.engine = engine
        self.inner = inner
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.closing = closing or asyncio.Event()  # set on shutdown: delays and streams end
        self.upstream: Upstream | None = None  # proxy mode: misses go there (server/proxy.py)

    def begin_shutdown(self) -> None:
        """Answer the requests that are waiting out a delay now, so that shutdown is quick."""
        self.closing.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await _refuse_websocket(receive, send)
        else:  # lifespan
            await self.inner(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        scope, request = _request(scope)
        engine = self.engine
        exchange = _Exchange(receive)
        refusal = self._refusal(request)
        if refusal is None and scope.get("path", "").startswith(CONTROL_PREFIX):
            # Private mode covers the control API too: it can change every answer.
            if engine.authorized(request):
                await self.inner(scope, receive, send)
            else:
                await self._answer(send, exchange, engine.unauthorized(), request, drain=True)
            return
        request.query_string = _text(scope.get("query_string", b""))
        request.query = parse_qsl(request.query_string, keep_blank_values=True)
        response: MockResponse | None = None
        kept_body: Body | None = None
        waiting = 0  # the in-flight token while a delay is waited out
        drain = False  # answered before the body was read: read it and drop it, then go on
        try:
            try:
                if refusal is not None:
                    response = refusal
                elif not engine.authorized(request):
                    # Decided on the head alone: a browser's preflight (it carries no key) or
                    # 401. The body is never read into memory.
                    response = engine.handle(request)
                    drain = True
                else:
                    request.body = await self._read_body(exchange, request)
                    response = engine.handle(request)
            except _TooLarge:
                response = engine.reject(
                    413,
                    f"The request body is larger than this mock accepts ({self.max_body} bytes).",
                    "413: request body too large",
                )
            except _TooSlow:
                response = engine.reject(
                    408,
                    f"The request body did not arrive within {self.body_timeout:g} s.",
                    "408: request body too slow",
                )
            except _Disconnected:
                return  # gone before it finished sending: there is no one to answer
            except Exception:  # never let one request take the server down
                log.exception("error answering %s %s", request.method, request.path)
                response = engine.reject(500, "mocktui failed to answer this request.", "500")
            if response.outcome == "miss" and self.upstream is not None:
                response = await self._forward(send, exchange, response, request)
                return
            if response.delay_ms:
                kept_body = Body.keep(request.body, engine.settings.body_limit)
                request.body = b""  # a large body need not live through the delay
                waiting = engine.started(request, response)  # a pending row meanwhile
                if not await self._wait(response.delay_ms, exchange):
                    response = replace(
                        response,
                        status=CLIENT_GONE,
                        miss_reason="the client closed the connection during the delay",
                    )
                    return
            response = await self._answer(send, exchange, response, request, drain)
        except asyncio.CancelledError:
            # The connection went away (or the server stopped) before the answer was out.
            if response is not None and not exchange.answered:
                response = replace(
                    response,
                    status=CLIENT_GONE,
                    miss_reason="the connection closed before the answer was sent",
                )
            raise
        finally:
            if waiting:
                engine.finished(waiting)
            if response is not None:
                duration = (time.perf_counter() - started) * 1000
                engine.record(request, response, duration, kept_body)

    async def _forward(
        self, send: Send, exchange: _Exchange, miss: MockResponse, request: MockRequest
    ) -> MockResponse:
        """A miss in proxy mode: the upstream answers it (after the delay a miss would wait)."""
        assert self.upstream is not None
        # Marked before the wait: a request cancelled on the way is recorded as proxied too.
        miss.outcome, miss.proxied = "proxied", self.upstream.url_for(self.engine, request)
        if miss.delay_ms and not await self._wait(miss.delay_ms, exchange):
            return replace(miss, status=CLIENT_GONE, miss_reason="the client closed the connection")

        def started() -> None:
            exchange.started = True

        response = await self.upstream.forward(self.engine, request, miss, send, started)
        if not exchange.started:  # no answer from the upstream: its 502 or 504 goes out
            return await self._answer(send, exchange, response, request)
        exchange.answered = True
        return response

    def _refusal(self, request: MockRequest) -> MockResponse | None:
        """The answer to a request refused on its head alone, else None."""
        version = request.http_version
        if not (version.startswith("1.") or version in ("2", "3")):
            return self.engine.reject(
                505,
                f"HTTP/{version} is not supported: mocktui speaks HTTP/1.1 and HTTP/2.",
                "505: HTTP version not supported",
            )
        if request.header("transfer-encoding") is not None and (
            request.header("content-length") is not None
        ):
            return self.engine.reject(
                400,
                "A request with both Content-Length and Transfer-Encoding is refused "
                "(RFC 9112 section 6.3: it could smuggle a request past a proxy).",
                "400: both Content-Length and Transfer-Encoding",
            )
        return None

    async def _read_body(self, exchange: _Exchange, request: MockRequest) -> bytes:
        declared = request.header("content-length")
        if declared is not None:
            size = rules.small_int(declared.strip())
            if size is not None and size > self.max_body:
                raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        if declared is None and request.header("transfer-encoding") is None:
            # Without either header an HTTP/1.x request has no body (RFC 9112 section 6.3): one
            # message, read without setting up a time limit (an HTTP/2 body reads on below).
            message = await exchange.next()
            if exchange.gone:
                raise _Disconnected
            chunk = message.get("body", b"")
            if exchange.body_done:
                if len(chunk) > self.max_body:
                    raise _TooLarge
                return chunk
            size = len(chunk)
            chunks.append(chunk)
        try:
            async with asyncio.timeout(self.body_timeout):
                while not exchange.body_done:
                    message = await exchange.next()
                    if exchange.gone:
                        raise _Disconnected
                    chunk = message.get("body", b"")
                    if chunk:
                        size += len(chunk)
                        if size > self.max_body:
                            raise _TooLarge
                        chunks.append(chunk)
        except TimeoutError:
            raise _TooSlow from None
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _drop_body(self, exchange: _Exchange) -> bool:
        """Read the rest of the request body and drop it: True when it ended, within
        ``max_body`` bytes and ``body_timeout`` seconds."""
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout):
                while not (exchange.body_done or exchange.gone):
                    size += len((await exchange.next()).get("body", b""))
                    if size > self.max_body:
                        return False
        except TimeoutError:
            return False
        return exchange.body_done

    async def _wait(self, delay_ms: int, exchange: _Exchange) -> bool:
        """Wait out a delay; False when the client went away first. Shutdown ends it early."""
        sleeper = asyncio.ensure_future(asyncio.sleep(delay_ms / 1000))
        closing = asyncio.ensure_future(self.closing.wait())
        gone = asyncio.ensure_future(self._until_gone(exchange))
        try:
            await asyncio.wait({sleeper, closing, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, closing, gone):
                task.cancel()
        return not exchange.gone

    async def _until_gone(self, exchange: _Exchange) -> None:
        """Return when the client disconnects; a body still coming is dropped on the way (up
        to ``max_body`` bytes: past that, the wait is left to the other waiters)."""
        size = 0
        while not exchange.gone:
            if size > self.max_body:
                await asyncio.get_running_loop().create_future()  # until cancelled
            size += len((await exchange.next()).get("body", b""))

    def _sendable(self, response: MockResponse, request: MockRequest) -> MockResponse:
        """The answer as it can go out, to be sent and recorded alike (made in place: every
        MockResponse is made for one request)."""
        if response.status < 200:
            status = response.status
            rejected = self.engine.reject(
                500,
                f"The example's status {status} is informational: it cannot end a request.",
                f"500: the example's status {status} cannot be a final answer",
            )
            rejected.endpoint, rejected.example = response.endpoint, response.example
            rejected.explanation = response.explanation
            response = rejected
        header_value, is_header_name = rules.header_value, rules.is_header_name
        response.headers = [(k, header_value(v)) for k, v in response.headers if is_header_name(k)]
        if response.status in NO_CONTENT:
            response.body = b""
        response.head = request.method.upper() == "HEAD"
        return response

    async def _answer(
        self,
        send: Send,
        exchange: _Exchange,
        response: MockResponse,
        request: MockRequest,
        drain: bool = False,
    ) -> MockResponse:
        """Send the answer; return it as it went out (what the event records).

        Sent before the request body has been read (``drain``), the answer is held open while
        the body is read and dropped, then the connection serves the next request. An answer
        sent early without ``drain`` closes the connection."""
        response = self._sendable(response, request)
        headers = [(k.lower().encode("ascii"), rules.utf8(v)) for k, v in response.headers]
        if response.status not in NO_CONTENT:
            headers.append((b"content-length", str(len(response.body)).encode()))
        body_left = not exchange.body_done
        if body_left and not drain:
            headers.append((b"connection", b"close"))
        body = response.sent_body
        try:
            await send(
                {"type": "http.response.start", "status": response.status, "headers": headers}
            )
            exchange.started = True
            start = 0
            while len(body) - start > SEND_CHUNK:  # a large answer goes out piece by piece
                piece = body[start : start + SEND_CHUNK]
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                start += SEND_CHUNK
            tail = body[start:] if start else body
            await send({"type": "http.response.body", "body": tail, "more_body": body_left})
            exchange.answered = True
            if body_left:
                if drain:
                    await self._drop_body(exchange)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except (OSError, RuntimeError) as exc:  # the client went away mid-answer
            log.debug("could not send the answer", exc_info=True)
            if not exchange.answered:
                return replace(response, status=CLIENT_GONE, miss_reason=f"not sent: {exc}")
        except Exception as exc:  # the server refused it: it answers 500 itself, if it can
            log.debug("could not send the answer", exc_info=True)
            if not exchange.started:
                return replace(response, status=500, miss_reason=f"not sent: {exc}")
        return response


async def _refuse_websocket(receive: Receive, send: Send) -> None:
    """mocktui has no WebSocket routes: the handshake is refused (the server answers 403)."""
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


def create_app(
    *collections: str,
    engine: MockEngine | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    body_timeout: float = BODY_TIMEOUT,
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
    quart.config["BODY_TIMEOUT"] = body_timeout
    quart.config["RESPONSE_TIMEOUT"] = None  # the event stream runs for as long as it is read
    closing = asyncio.Event()
    quart.register_blueprint(
        control_blueprint(engine, closing), url_prefix=CONTROL_PREFIX.rstrip("/")
    )
    app = MockASGI(engine, quart.asgi_app, max_body, closing, body_timeout)
    app.quart = quart  # type: ignore[attr-defined]
    return app
