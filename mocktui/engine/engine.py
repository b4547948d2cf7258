"""MockEngine: one request in, one answer out, one event published.

Plain Python: no web framework and no UI. The server turns HTTP into a ``MockRequest``, calls
``handle()`` (match + render, synchronous and fast), waits ``response.delay_ms`` without blocking,
sends the answer, then calls ``record()`` to publish the event.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus

from mocktui.engine.controls import Controls
from mocktui.engine.dynamic import DynamicVariables
from mocktui.engine.events import EMPTY_BODY, Body, EventBus, RequestEvent
from mocktui.engine.explain import Explanation
from mocktui.engine.matcher import Entry, Index, Matcher, MatchRequest, MatchSettings
from mocktui.engine.template import RenderContext, Template, compile_template
from mocktui.postman.model import Collection, Endpoint, Example

MAX_DELAY_MS = 180_000
MASK = "•••"


@dataclass(frozen=True, slots=True)
class EngineSettings:
    api_key: str | None = None  # private mode: requests need x-api-key equal to this
    delay_ms: int = 0  # global delay before every answer
    match_body: bool = False
    match_headers: tuple[str, ...] = ()  # lower-case names, ("*",) for all
    cors: bool = True
    seed: int | None = None
    history: int = 10_000  # events kept in the ring buffer


@dataclass(slots=True)
class MockRequest:
    """An HTTP request as the engine sees it. ``path`` is percent-decoded; "" means "/"."""

    method: str
    path: str
    query: Sequence[tuple[str, str]] = ()
    query_string: str = ""
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    client: str = ""
    received: float = field(default_factory=time.time)
    _lower: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        if self._lower is None:
            self._lower = {}
            for key, value in self.headers:
                self._lower.setdefault(key.lower(), value)
        return self._lower.get(name.lower())


@dataclass(slots=True)
class MockResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    delay_ms: int = 0
    endpoint: Endpoint | None = None
    example: Example | None = None
    miss_reason: str | None = None
    explanation: Explanation | None = None
    head: bool = False  # answer to HEAD: send the headers and the body's length, not the body

    @property
    def sent_body(self) -> bytes:
        return b"" if self.head else self.body


def error_body(name: str, header: str, message: str) -> bytes:
    """A mock error shaped as Postman's: {"error": {"name", "header", "message"}}."""
    return json.dumps({"error": {"name": name, "header": header, "message": message}}).encode()


@dataclass(slots=True)
class _Compiled:
    body: Template
    headers: tuple[tuple[str, Template], ...]
    content_type: str | None


class MockEngine:
    """Collections, controls and the event bus behind every front end."""

    def __init__(
        self,
        collections: Sequence[Collection],
        settings: EngineSettings | None = None,
        controls: Controls | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.settings = settings or EngineSettings()
        self.controls = controls or Controls()
        self.bus = bus or EventBus(self.settings.history)
        self.dynamic = DynamicVariables(self.settings.seed)
        self.hits: dict[str, int] = {}
        self.requests = 0
        self.misses = 0
        self._api_key = self.settings.api_key.encode() if self.settings.api_key else None
        self.load(collections)

    # -- the collections -----------------------------------------------------------------------

    def load(self, collections: Sequence[Collection]) -> None:
        """Index the collections; controls and counters survive (a reload keeps them).

        Everything is built first and swapped in at the end, so a request never sees half of
        an old collection and half of a new one.
        """
        collections = list(collections)
        endpoints = [ep for c in collections for ep in c.endpoints]
        index = Index.build(endpoints)
        names = self.dynamic.names
        compiled: dict[int, _Compiled] = {}
        for entry in index.entries:
            example = entry.example
            captures = frozenset(w for w in entry.wildcards if w)
            compiled[id(example)] = _Compiled(
                body=compile_template(example.body, captures, names),
                headers=tuple(
                    (k, compile_template(v, captures, names)) for k, v in example.headers
                ),
                content_type=example.content_type,
            )
        self.collections = collections
        self.endpoints = endpoints
        self.endpoint_by_key = {ep.key: ep for ep in endpoints}
        self.index = index
        self.matcher = Matcher(
            index,
            self.controls,
            MatchSettings(self.settings.match_body, self.settings.match_headers),
        )
        self._compiled = compiled

    def skipped_report(self) -> list[str]:
        """One line for each thing of the collections that mocktui leaves out, and why."""
        lines = []
        for collection in self.collections:
            for item in collection.skipped:
                endpoint = self.endpoint_by_key.get(item.endpoint_key)
                where = f"{collection.source}: {endpoint.name if endpoint else item.endpoint_key}"
                if item.example_id is None:
                    lines.append(f"{where}: the request itself cannot be matched: {item.reason}")
                else:
                    lines.append(f"{where}: example {item.name!r} left out: {item.reason}")
            for item in collection.skipped_headers:
                endpoint = self.endpoint_by_key.get(item.endpoint_key)
                where = f"{collection.source}: {endpoint.name if endpoint else item.endpoint_key}"
                lines.append(f"{where}: example {item.example_id}: {item.reason}")
            for warning in collection.warnings:
                endpoint = self.endpoint_by_key.get(warning.endpoint_key)
                name = endpoint.name if endpoint else warning.endpoint_key
                lines.append(f"{collection.source}: {name}: {warning.path}: {warning.message}")
        return lines

    @property
    def example_count(self) -> int:
        return sum(len(ep.examples) for ep in self.endpoints)

    def answering(self, endpoint_key: str) -> Example | None:
        """The example an endpoint is pinned to, or None for automatic matching."""
        pinned = self.controls.pins.get(endpoint_key)
        endpoint = self.endpoint_by_key.get(endpoint_key)
        if pinned is None or endpoint is None:
            return None
        return next((ex for ex in endpoint.examples if ex.id == pinned), None)

    # -- one request ----------------------------------------------------------------------------

    def handle(self, request: MockRequest) -> MockResponse:
        """Match and render. Never raises for anything a client can send."""
        # A browser's preflight never carries the key: it is answered without one. Anything
        # else, a preflight-shaped OPTIONS left unanswered included, needs the key.
        if self.settings.cors and self._is_preflight(request):
            preflight = self._preflight(request)
            if preflight is not None:
                return preflight
        response = self._answer(request)
        if response.delay_ms == 0 and response.example is None:
            # A slow backend is slow for its errors too: --delay (or x-mock-response-delay)
            # applies to misses and 401s as well.
            response.delay_ms = self._asked_delay(request) or self.settings.delay_ms
        response.head = request.method.upper() == "HEAD"
        return response

    def authorized(self, request: MockRequest) -> bool:
        """True unless private mode is on and x-api-key is missing or wrong (constant time)."""
        if self._api_key is None:
            return True
        given = (request.header("x-api-key") or "").encode()
        return hmac.compare_digest(given, self._api_key)

    def unauthorized(self) -> MockResponse:
        return self._error(
            401,
            "unauthorizedError",
            "Unauthorized",
            "This mock server is private: send a valid key in the x-api-key header.",
            "401: missing or wrong x-api-key",
        )

    def _answer(self, request: MockRequest) -> MockResponse:
        method = request.method.upper()
        if not self.authorized(request):
            return self.unauthorized()
        match = self.matcher.match(
            MatchRequest(method, request.path or "/", request.query, request.headers, request.body)
        )
        if match.entry is None:
            if match.not_found_header:
                message = (
                    f"Could not find a mocked response for {match.not_found_header}. "
                    "Check the example's ID or name, and the request's method."
                )
            else:
                message = (
                    f"Could not find a mocked request for {method} {request.path or '/'}. "
                    "Please check the method and path of your request."
                )
            response = self._error(
                404,
                "mockRequestNotFoundError",
                "No matching requests",
                message,
                match.miss_reason or "no match",
            )
            response.explanation = match.explanation
            return response
        entry = match.entry
        response = self._render(entry, match.captures, request)
        response.explanation = match.explanation
        response.delay_ms = self._delay(entry, request)
        return response

    def _render(self, entry: Entry, captures: dict[str, str], request: MockRequest) -> MockResponse:
        example = entry.example
        compiled = self._compiled[id(example)]
        ctx = RenderContext(
            captures=captures,
            body=request.body,
            headers=request.headers,
            query=request.query,
            path=request.path or "/",
            dynamic=self.dynamic,
        )
        headers = [(k, t.render(ctx)) for k, t in compiled.headers]
        names = {k.lower() for k, _ in headers}
        if compiled.content_type and "content-type" not in names:
            headers.append(("Content-Type", compiled.content_type))
        if self.settings.cors and "access-control-allow-origin" not in names:
            headers.append(("Access-Control-Allow-Origin", "*"))
        body = compiled.body.render(ctx).encode("utf-8")
        return MockResponse(example.code, headers, body, endpoint=entry.endpoint, example=example)

    @staticmethod
    def _asked_delay(request: MockRequest) -> int | None:
        """``x-mock-response-delay``, clamped to 1..180000 ms; None when absent or not a number."""
        asked = request.header("x-mock-response-delay")
        if asked is None:
            return None
        try:
            return max(1, min(MAX_DELAY_MS, int(asked.strip())))
        except ValueError:
            return None  # mocktui decision: a non-number is ignored

    def _delay(self, entry: Entry, request: MockRequest) -> int:
        asked = self._asked_delay(request)
        if asked is not None:
            return asked
        total = (
            self.settings.delay_ms
            + self.controls.delays.get(entry.endpoint.key, 0)
            + entry.example.delay_ms
        )
        return min(total, MAX_DELAY_MS)

    @staticmethod
    def _is_preflight(request: MockRequest) -> bool:
        return (
            request.method.upper() == "OPTIONS"
            and request.header("origin") is not None
            and request.header("access-control-request-method") is not None
        )

    def _preflight(self, request: MockRequest) -> MockResponse | None:
        """Answer a browser's CORS preflight for any path that has examples."""
        methods = sorted(
            m
            for m in self.index.methods
            if self.matcher.match(MatchRequest(m, request.path or "/")).entry is not None
        )
        if not methods:
            return None
        asked = request.header("access-control-request-headers")
        headers = [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", ", ".join(methods)),
            ("Access-Control-Max-Age", "600"),
        ]
        if asked:
            headers.append(("Access-Control-Allow-Headers", asked))
        note = f"CORS preflight answered: the path has examples for {', '.join(methods)}"
        return MockResponse(
            204, headers, b"", explanation=Explanation("cors preflight", (), (note,))
        )

    def _error(
        self, status: int, name: str, header: str, message: str, reason: str
    ) -> MockResponse:
        headers = [("Content-Type", "application/json")]
        if self.settings.cors:
            headers.append(("Access-Control-Allow-Origin", "*"))
        return MockResponse(status, headers, error_body(name, header, message), miss_reason=reason)

    def reject(self, status: int, message: str, reason: str) -> MockResponse:
        """An answer for a request the server refuses before matching (too large, malformed)."""
        names = {413: "payloadTooLargeError", 400: "badRequestError"}
        return self._error(
            status, names.get(status, "mockServerError"), HTTPStatus(status).phrase, message, reason
        )

    # -- after the answer -----------------------------------------------------------------------

    def record(
        self,
        request: MockRequest,
        response: MockResponse,
        duration_ms: float,
        request_body: Body | None = None,
    ) -> RequestEvent:
        """Count the request and publish its event (O(1); never waits on a reader).

        ``request_body`` is the body as kept already, when the caller let go of the full one.
        """
        self.requests += 1
        if response.example is None:
            self.misses += 1
        elif response.endpoint is not None:
            key = response.endpoint.key
            self.hits[key] = self.hits.get(key, 0) + 1
        headers = tuple((k, MASK if k.lower() == "x-api-key" else v) for k, v in request.headers)
        event = RequestEvent(
            id=self.bus.new_id(),
            time=request.received,
            client=request.client,
            method=request.method,
            path=request.path or "/",
            query=request.query_string,
            request_headers=headers,
            request_body=request_body or (Body.keep(request.body) if request.body else EMPTY_BODY),
            status=response.status,
            response_headers=tuple(response.headers),
            response_body=Body.keep(response.sent_body) if response.sent_body else EMPTY_BODY,
            duration_ms=duration_ms,
            endpoint_key=response.endpoint.key if response.endpoint else None,
            endpoint_name=response.endpoint.name if response.endpoint else None,
            example_id=response.example.id if response.example else None,
            example_name=response.example.name if response.example else None,
            miss_reason=response.miss_reason,
            explanation=response.explanation,
        )
        self.bus.publish(event)
        return event
