"""Proxy mode: a request no example answers (a miss, not a 401 or 413) goes to the real API.

``--upstream URL`` sends it to URL + the request's path and query; ``--upstream auto`` to the
base URL of the endpoint it belongs to (its resolved ``{{baseUrl}}``). Method, headers (less
the hop-by-hop ones; ``Host`` is the upstream's) and body go as they came; the answer comes
back as the upstream gave it (status, headers, the body's bytes, streamed as they arrive).
An upstream that cannot be reached gives 502, one that does not answer within
``--upstream-timeout`` 504, both with a JSON error naming the upstream.

With a ``Recorder`` (``--record``), each exchange is saved as an example (``server/record.py``).
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import httpx

from mocktui import rules
from mocktui.engine.engine import MockEngine, MockRequest, MockResponse
from mocktui.engine.events import BODY_LIMIT
from mocktui.postman.writer import Exchange

if TYPE_CHECKING:
    from mocktui.server.record import Recorder

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
RECORD_LIMIT = 10 * 1024 * 1024  # bytes of an answer kept whole to be recorded
CLIENT_GONE = 499
log = logging.getLogger("mocktui.server")


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decoded(body: bytes, encoding: str | None) -> bytes | None:
    """The body without its Content-Encoding (gzip, deflate; none: as it is), None when it
    cannot be decoded here (br, zstd, a broken stream)."""
    coding = (encoding or "").strip().lower()
    if coding in ("", "identity"):
        return body
    try:
        if coding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 31)
        if coding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -15)
    except zlib.error:
        return None
    return None


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.partition('/')[0]}"


class Upstream:
    """The real API behind the mock, and one pooled HTTP client to it."""

    def __init__(
        self,
        target: str,
        timeout: float = rules.DEFAULT_UPSTREAM_TIMEOUT,
        recorder: Recorder | None = None,
        record: bool = False,
    ) -> None:
        self.target = target  # a URL (no trailing slash), or rules.UPSTREAM_AUTO
        self.timeout = timeout
        self.recorder = recorder
        self.record = record and recorder is not None
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                follow_redirects=False,  # a redirect is the upstream's answer, passed on
                trust_env=False,  # the upstream is the one given, not a proxy from the environment
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- where to --------------------------------------------------------------------------------

    def base_for(self, engine: MockEngine, request: MockRequest) -> str | None:
        """The upstream base URL for this request; None when ``auto`` finds none."""
        if self.target != rules.UPSTREAM_AUTO:
            return self.target
        owner = engine.owner(request.method, request.path)
        candidates = [owner] if owner is not None else []
        candidates += engine.endpoints
        for endpoint in candidates:
            spec = endpoint.request
            if spec.host and "{{" not in spec.host:
                return f"{spec.scheme or 'http'}://{spec.host}"
        return None

    def url_for(self, engine: MockEngine, request: MockRequest) -> str | None:
        """The upstream URL this request goes to; None when ``auto`` finds no base URL."""
        base = self.base_for(engine, request)
        return None if base is None else base + self.target_of(request)

    @staticmethod
    def target_of(request: MockRequest) -> str:
        """The path and query to ask the upstream for, as the client sent them."""
        path = request.raw_path or request.path or "/"
        absolute = rules.absolute_target(path)
        if absolute is not None:
            path = absolute[1]
        return path + (f"?{request.query_string}" if request.query_string else "")

    @staticmethod
    def forwarded_headers(headers: Any) -> list[tuple[str, str]]:
        """The request's headers as they go on: no hop-by-hop ones (nor those Connection names),
        no Host (the upstream's is set from its URL), no Content-Length (set from the body)."""
        pairs = [(k, v) for k, v in headers]
        connection = next((v for k, v in pairs if k.lower() == "connection"), None)
        dropped = (
            rules.HOP_BY_HOP
            | rules.connection_tokens(connection)
            | {
                "host",
                "content-length",
            }
        )
        return [(k, v) for k, v in pairs if k.lower() not in dropped]

    # -- one request -----------------------------------------------------------------------------

    async def forward(
        self,
        engine: MockEngine,
        request: MockRequest,
        miss: MockResponse,
        send: Send,
        started: Callable[[], None],
    ) -> MockResponse:
        """Ask the upstream and stream its answer to the client; the answer as it went out
        (its body as kept for the event: at most BODY_LIMIT bytes, decoded). ``started`` is
        called once the answer's head was handed to the server."""
        url = self.url_for(engine, request)
        if url is None:
            return self._error(
                engine,
                miss,
                502,
                "auto",
                "no base URL: the collection gives no real host for "
                "this request (use --upstream URL)",
                None,
                0.0,
            )
        begun = time.perf_counter()
        try:
            upstream = await self.client.send(
                self.client.build_request(
                    request.method,
                    url,
                    headers=self.forwarded_headers(request.headers),
                    content=request.body,
                ),
                stream=True,
            )
        except httpx.TimeoutException:
            took = (time.perf_counter() - begun) * 1000
            return self._error(
                engine, miss, 504, url, f"did not answer within {self.timeout:g} s", None, took
            )
        except (httpx.HTTPError, OSError, ValueError) as exc:
            took = (time.perf_counter() - begun) * 1000
            return self._error(engine, miss, 502, url, _why(exc), None, took)
        try:
            return await self._relay(engine, request, miss, upstream, url, begun, send, started)
        finally:
            await upstream.aclose()

    async def _relay(
        self,
        engine: MockEngine,
        request: MockRequest,
        miss: MockResponse,
        upstream: httpx.Response,
        url: str,
        begun: float,
        send: Send,
        started: Callable[[], None],
    ) -> MockResponse:
        raw_headers = [(_text(k), _text(v)) for k, v in upstream.headers.raw]
        connection = next((v for k, v in raw_headers if k.lower() == "connection"), None)
        # Hypercorn dates every answer itself: the upstream's Date would make two.
        dropped = rules.HOP_BY_HOP | rules.connection_tokens(connection) | {"date"}
        headers = [
            (k, rules.header_value(v))
            for k, v in raw_headers
            if k.lower() not in dropped and rules.is_header_name(k)
        ]
        status = upstream.status_code
        head = request.method.upper() == "HEAD"
        keep = RECORD_LIMIT if self.record else BODY_LIMIT
        kept: list[bytes] = []
        kept_size = size = 0
        broken = False  # the upstream broke off: what came is not its answer, not recorded
        response = MockResponse(
            status,
            headers,
            b"",
            explanation=miss.explanation,
            miss_reason=miss.miss_reason,
            outcome="proxied",
            proxied=url,
            upstream_status=status,
            head=head,
        )
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(k.lower().encode("latin-1"), rules.utf8(v)) for k, v in headers],
                }
            )
            started()
            async for chunk in upstream.aiter_raw():
                if not chunk:
                    continue
                size += len(chunk)
                if kept_size < keep:
                    kept.append(chunk[: keep - kept_size])
                    kept_size += len(kept[-1])
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except httpx.HTTPError as exc:  # the upstream went away mid-answer
            broken = True
            response.miss_reason = f"the upstream {url} broke off its answer: {_why(exc)}"
            log.warning("%s", response.miss_reason)
        except (OSError, RuntimeError) as exc:  # the client went away
            response.status = CLIENT_GONE
            response.miss_reason = f"not sent: {exc}"
        response.upstream_ms = (time.perf_counter() - begun) * 1000
        raw = b"".join(kept)
        whole = size == len(raw) and response.status == status and not broken
        encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
        body = decoded(raw, encoding) if whole else None
        response.body = (body if body is not None else raw)[:BODY_LIMIT]
        response.head = False  # the body kept is what was sent (none for HEAD)
        if whole and self.record and self.recorder is not None and status != CLIENT_GONE:
            exchange = Exchange(
                method=request.method,
                raw_path=self.target_of(request).partition("?")[0],
                query=request.query_string,
                request_headers=tuple(request.headers),
                request_body=request.body,
                status=status,
                response_headers=tuple(headers),
                response_body=body,
                response_size=len(body) if body is not None else size,
                origin=origin_of(url),
            )
            response.recorded = self.recorder.record(exchange)
        return response

    def _error(
        self,
        engine: MockEngine,
        miss: MockResponse,
        status: int,
        url: str,
        why: str,
        upstream_status: int | None,
        took: float,
    ) -> MockResponse:
        name = "upstreamTimeoutError" if status == 504 else "upstreamError"
        header = "Gateway Timeout" if status == 504 else "Bad Gateway"
        message = f"The upstream {url} {why}." if url != "auto" else f"--upstream auto: {why}."
        body = json.dumps(
            {"error": {"name": name, "header": header, "message": message, "upstream": url}}
        ).encode()
        headers = [("Content-Type", "application/json")]
        if engine.settings.cors:
            headers.append(("Access-Control-Allow-Origin", "*"))
        return MockResponse(
            status,
            headers,
            body,
            explanation=miss.explanation,
            miss_reason=f"{status}: {message}",
            outcome="proxied",
            proxied=url,
            upstream_status=upstream_status,
            upstream_ms=took,
        )


def _why(exc: BaseException) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot be reached ({exc or 'connection refused'})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"closed the connection without a whole answer ({exc})"
    text = str(exc) or type(exc).__name__
    return f"failed: {text}"
