"""MockEngine: one request in, one answer out, one event published.

Plain Python: no web framework and no UI. The server turns HTTP into a ``MockRequest``, calls
``handle()`` (match + render, synchronous and fast), waits ``response.delay_ms`` without blocking,
sends the answer, then calls ``record()`` to publish the event.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus

from mocktui.engine.dynamic import DynamicVariables
from mocktui.engine.events import EMPTY_BODY, Body, EventBus, InFlight, RequestEvent
from mocktui.engine.explain import Explanation
from mocktui.engine.matcher import (
    Entry,
    Index,
    Matcher,
    MatchRequest,
    MatchResult,
    MatchSettings,
    candidate_of,
)
from mocktui.engine.store import ControlStore, Steer
from mocktui.engine.template import RenderContext, Template, compile_template
from mocktui.postman.model import Collection, Endpoint, Example
from mocktui.rules import (
    DEFAULT_BODY_LIMIT,
    MASK,
    MAX_DELAY_MS,
    delay_header,
    is_secret_name,
    mask_query,
    utf8,
)

__all__ = ["MASK", "MAX_DELAY_MS", "EngineSettings", "MockEngine", "MockRequest", "MockResponse"]


@dataclass(frozen=True, slots=True)
class EngineSettings:
    api_key: str | None = None  # private mode: requests need x-api-key equal to this
    delay_ms: int = 0  # global delay before every answer
    match_body: bool = False
    match_headers: tuple[str, ...] = ()  # lower-case names, ("*",) for all
    cors: bool = True
    seed: int | None = None
    history: int = 10_000  # events kept in the ring buffer
    body_limit: int = DEFAULT_BODY_LIMIT  # bytes of each body kept with an event (--body-limit)


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
    raw_path: str = ""  # as sent, percent-encoding kept (exports reproduce it)
    scheme: str = "http"
    http_version: str = "1.1"
    host: str | None = None  # the host of an absolute-form target (then Host is ignored)
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
    # What happened, typed: hit, miss, unauthorized, rejected (413, 400, 500), preflight,
    # proxied (a miss answered by the upstream, or by a 502/504 about it).
    outcome: str = "hit"
    proxied: str | None = None  # the upstream URL the request went to
    upstream_status: int | None = None
    upstream_ms: float | None = None
    recorded: str | None = None  # the example it was saved as (record mode)

    @property
    def sent_body(self) -> bytes:
        return b"" if self.head else self.body


NO_SAVED_EXAMPLE = "this endpoint has no saved example (Postman cannot answer it either)"


def error_body(name: str, header: str, message: str) -> bytes:
    """A mock error shaped as Postman's: {"error": {"name", "header", "message"}}."""
    return json.dumps({"error": {"name": name, "header": header, "message": message}}).encode()


@dataclass(slots=True)
class _Compiled:
    body: Template
    headers: tuple[tuple[str, Template], ...]
    content_type: str | None
    # What an example without per-request parts answers, made once at load: its body's bytes
    # (one object for every answer and event), and its headers with the names they add to.
    static_body: bytes | None = None
    static_headers: tuple[tuple[str, str], ...] | None = None
    static_names: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.body.static is not None:
            self.static_body = utf8(self.body.static)
        if all(t.static is not None for _k, t in self.headers):
            self.static_headers = tuple((k, t.static or "") for k, t in self.headers)
            self.static_names = frozenset(k.lower() for k, _t in self.headers)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A load, built and not yet serving (``MockEngine.prepare`` / ``install``)."""

    collections: list[Collection]
    endpoints: list[Endpoint]
    index: Index
    matcher: Matcher
    compiled: dict[int, _Compiled]
    entries_of: dict[str, list[Entry]]
    reach: Matcher  # over the endpoints' own requests: which endpoints a request reaches


class _AllEnabled:
    """For the index of the endpoints' own requests: nothing there is ever disabled."""

    def endpoint_enabled(self, key: str, /) -> bool:
        return True

    def example_enabled(self, key: str, example_id: str, /) -> bool:
        return True


_ALL_ENABLED = _AllEnabled()


def requests_index(endpoints: Sequence[Endpoint]) -> Index:
    """An index of the endpoints' own requests (each as a stand-in example), so that the path
    steps can tell which endpoints a request reaches through them."""
    index = Index()
    for endpoint in endpoints:
        request = endpoint.request
        if request.problem or not request.method:
            continue
        stand_in = Example(
            id=f"{endpoint.key}#request",
            name=endpoint.name,
            code=200,
            status="",
            headers=(),
            body="",
            content_type=None,
            request=request,
            endpoint_key=endpoint.key,
            position=0,
        )
        index.add(Entry.build(stand_in, endpoint))
    return index


class MockEngine:
    """Collections, controls and the event bus behind every front end."""

    def __init__(
        self,
        collections: Sequence[Collection],
        settings: EngineSettings | None = None,
        store: ControlStore | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.settings = settings or EngineSettings()
        self.store = store or ControlStore(self.settings.seed)
        self.bus = bus or EventBus(self.settings.history)
        # What the dashboard and the control API show: this process's events, or every
        # replica's when a shared store (mocktui.store) replaces it with the shared stream.
        self.traffic: EventBus = self.bus
        self.dynamic = DynamicVariables(self.settings.seed)
        self.attach_report: list[str] = []  # controls re-attached or left over by the last load
        # Called after each install() (a reload swapped in): the process's memory policy.
        self.installed: list[Callable[[], None]] = []
        key = self.settings.api_key
        self._api_key = key.encode("utf-8", "surrogateescape") if key else None
        self.load(collections)

    # -- the collections -----------------------------------------------------------------------

    def load(self, collections: Sequence[Collection]) -> None:
        """Index the collections; controls and counters survive (a reload keeps them)."""
        self.install(self.prepare(collections))

    def prepare(self, collections: Sequence[Collection]) -> Prepared:
        """Everything a load builds (indexes, compiled templates), without touching what serves
        now: safe to run in another thread while requests are answered (a reload does)."""
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
        by_endpoint: dict[str, list[Entry]] = {}
        for entry in index.entries:
            by_endpoint.setdefault(entry.endpoint.key, []).append(entry)
        matcher = Matcher(
            index, self.store, MatchSettings(self.settings.match_body, self.settings.match_headers)
        )
        reach = Matcher(requests_index(endpoints), _ALL_ENABLED, MatchSettings())
        return Prepared(collections, endpoints, index, matcher, compiled, by_endpoint, reach)

    def install(self, prepared: Prepared) -> None:
        """Swap a prepared load in, all at once (call it where requests are answered: between
        two requests, a request sees either the old collections or the new ones)."""
        self.collections = prepared.collections
        self.endpoints = prepared.endpoints
        self.endpoint_by_key = {ep.key: ep for ep in prepared.endpoints}
        self.index = prepared.index
        self.matcher = prepared.matcher
        self._compiled = prepared.compiled
        self._entries_of = prepared.entries_of
        self._reach = prepared.reach
        self.attach_report = self.store.attach(prepared.endpoints)
        for listener in self.installed:
            listener()

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
        """The examples that can answer (those left out, listed at start, do not count)."""
        return len(self.index.entries)

    def answering(self, endpoint_key: str) -> Example | None:
        """The example an endpoint is pinned to, or None for other modes."""
        return self.store.pinned(endpoint_key)

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
        """True unless private mode is on and x-api-key is missing or wrong (constant time).

        Only the request head is read (the server calls it before reading any body): the
        header, by name in any case; a key in the query string, or under another name, does
        not count."""
        if self._api_key is None:
            return True
        given = (request.header("x-api-key") or "").encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self._api_key)

    def unauthorized(self) -> MockResponse:
        response = self._error(
            401,
            "unauthorizedError",
            "Unauthorized",
            "This mock server is private: send a valid key in the x-api-key header.",
            "401: missing or wrong x-api-key",
        )
        response.outcome = "unauthorized"
        return response

    def _answer(self, request: MockRequest) -> MockResponse:
        method = request.method.upper()
        if not self.authorized(request):
            return self.unauthorized()
        path = request.path or "/"
        match = self.matcher.match(
            MatchRequest(method, path, request.query, request.headers, request.body)
        )
        entry, explanation = match.entry, match.explanation
        store = self.store
        if store.steering and not match.explicit:
            steer = store.steer(self._reached(match, method, path), self._eligible(match, method))
            if steer is not None:
                entry, explanation = self._steered(match, steer)
        if entry is None:
            bare = None if match.not_found_header else self._without_examples(match, method, path)
            if bare is not None:
                return self._no_saved_example(bare, method, path, match)
            if match.not_found_header:
                message = (
                    f"Could not find a mocked response for {match.not_found_header}. "
                    "Check the example's ID or name, and the request's method."
                )
            else:
                message = (
                    f"Could not find a mocked request for {method} {path}. "
                    "Please check the method and path of your request."
                )
            response = self._error(
                404,
                "mockRequestNotFoundError",
                "No matching requests",
                message,
                match.miss_reason or "no match",
            )
            response.explanation = explanation
            response.outcome = "miss"
            return response
        captures = match.captures if entry is match.entry else self.matcher.captures(entry, path)
        response = self._render(entry, captures, request)
        response.explanation = explanation
        response.delay_ms = self._delay(entry, request, match)
        return response

    def _without_examples(self, match: MatchResult, method: str, path: str) -> Endpoint | None:
        """For a miss: the endpoint without any example that the request reaches through its
        own request (and no example's path reaches), else None. Only misses pay for this."""
        if match.reached:
            return None
        own = self._reach.match(MatchRequest(method, path))
        for entry in own.reached:
            if not entry.endpoint.examples:
                return entry.endpoint
        return None

    def _no_saved_example(
        self, endpoint: Endpoint, method: str, path: str, match: MatchResult
    ) -> MockResponse:
        """A request to an endpoint that has no saved example: Postman cannot answer it either,
        so say that, rather than "no example matches" with unrelated candidates."""
        reason = NO_SAVED_EXAMPLE
        note = (
            f"{method} {path} reaches {endpoint.name!r} ({endpoint.method} "
            f"{endpoint.display_path}), which has no saved example: Postman cannot answer it "
            "either. Save a response as an example in Postman, or add one to the collection."
        )
        response = self._error(
            404,
            "mockRequestNotFoundError",
            "No matching requests",
            f"Could not find a mocked request for {method} {path}. "
            "Please check the method and path of your request.",  # Postman's words for a miss
            reason,
        )
        response.explanation = Explanation("miss", (), (*match.explanation.notes, note))
        response.endpoint = endpoint
        response.outcome = "miss"
        return response

    def _reached(self, match: MatchResult, method: str, path: str) -> set[str]:
        """The endpoints this request reaches (spec section 7): those whose examples' saved
        requests or whose own request the method and path steps admit."""
        if match.head_as_get:
            method = "GET"
        keys = {e.endpoint.key for e in match.reached}
        own = self._reach.match(MatchRequest(method, path))
        keys.update(e.endpoint.key for e in own.reached)
        return keys

    def _eligible(self, match: MatchResult, method: str) -> Callable[[str], list[Example]]:
        """For a mode: an endpoint's examples that can answer this method, enabled ones only."""
        if match.head_as_get:
            method = "GET"
        store = self.store

        def eligible(key: str) -> list[Example]:
            return [
                e.example
                for e in self._entries_of.get(key, ())
                if e.method == method and store.example_enabled(key, e.example.id)
            ]

        return eligible

    def _steered(self, match: MatchResult, steer: Steer) -> tuple[Entry, Explanation]:
        entry = self.index.by_endpoint_id[steer.endpoint_key, steer.example_id]
        decided_by = "pin" if steer.mode == "pinned" else steer.mode
        explanation = match.explanation.steered(
            decided_by,
            candidate_of(entry, True, decided_by),
            steer.note,
            f"the {steer.mode} example answers instead",
        )
        return entry, explanation

    def _render(self, entry: Entry, captures: dict[str, str], request: MockRequest) -> MockResponse:
        example = entry.example
        compiled = self._compiled[id(example)]
        ctx: RenderContext | None = None

        def context() -> RenderContext:
            return RenderContext(
                captures=captures,
                body=request.body,
                headers=request.headers,
                query=request.query,
                path=request.path or "/",
                dynamic=self.dynamic,
            )

        names: frozenset[str] | set[str]
        if compiled.static_headers is not None:
            headers = list(compiled.static_headers)
            names = compiled.static_names
        else:
            ctx = context()
            headers = [(k, t.render(ctx)) for k, t in compiled.headers]
            names = {k.lower() for k, _ in headers}
        if compiled.content_type and "content-type" not in names:
            headers.append(("Content-Type", compiled.content_type))
        if self.settings.cors and "access-control-allow-origin" not in names:
            headers.append(("Access-Control-Allow-Origin", "*"))
        body = compiled.static_body
        if body is None:  # a lone surrogate ("\ud800" in JSON) becomes U+FFFD (rules.utf8)
            body = utf8(compiled.body.render(ctx or context()))
        return MockResponse(example.code, headers, body, endpoint=entry.endpoint, example=example)

    @staticmethod
    def _asked_delay(request: MockRequest) -> int | None:
        """``x-mock-response-delay``, clamped to 1..180000 ms; None when absent or not a number."""
        asked = request.header("x-mock-response-delay")
        return None if asked is None else delay_header(asked)  # a non-number is ignored

    def _delay(self, entry: Entry, request: MockRequest, match: MatchResult) -> int:
        """x-mock-response-delay, else --delay + the endpoint's delay + the example's own.

        The endpoint's delay is the largest of the endpoints the request reached (a control
        applies to every request that reaches its endpoint, spec section 7)."""
        asked = self._asked_delay(request)
        if asked is not None:
            return asked
        store = self.store
        endpoint_delay = 0
        if store.delayed:
            method = request.method.upper()
            keys = self._reached(match, method, request.path or "/") | {entry.endpoint.key}
            endpoint_delay = max(store.delay(k) for k in keys)
        total = self.settings.delay_ms + endpoint_delay + entry.example.delay_ms
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
            204,
            headers,
            b"",
            explanation=Explanation("cors preflight", (), (note,)),
            outcome="preflight",
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
        names = {
            400: "badRequestError",
            408: "requestTimeoutError",
            413: "payloadTooLargeError",
            505: "httpVersionNotSupportedError",
        }
        response = self._error(
            status, names.get(status, "mockServerError"), HTTPStatus(status).phrase, message, reason
        )
        response.outcome = "rejected"
        return response

    # -- while it waits ----------------------------------------------------------------------------

    def started(self, request: MockRequest, response: MockResponse) -> int:
        """A request about to wait out ``response.delay_ms``: listed as in flight (the
        dashboard's pending row) until ``finished(token)``. Only delayed requests come here."""
        bus = self.bus
        token = bus.new_token()
        bus.started(
            InFlight(
                token=token,
                time=request.received,
                method=request.method,
                path=request.path or "/",
                query=mask_query(request.query_string),
                delay_ms=response.delay_ms,
                endpoint_name=response.endpoint.name if response.endpoint else None,
                example_name=response.example.name if response.example else None,
            )
        )
        return token

    def finished(self, token: int) -> None:
        self.bus.finished(token)
    def owner(self, method: str, path: str) -> Endpoint | None:
        """The endpoint a request belongs to by the matcher's method and path steps (its own
        request, else its examples' saved requests), for requests no example answered; None
        when none does."""
        request = MatchRequest(method.upper(), path or "/")
        own = self._reach.match(request)
        if own.entry is not None:
            return own.entry.endpoint
        reached = own.reached or self.matcher.match(request).reached
        return reached[0].endpoint if reached else None

    def source_of(self, endpoint_key: str) -> str | None:
        """The file the endpoint was loaded from."""
        for collection in self.collections:
            if any(ep.key == endpoint_key for ep in collection.endpoints):
                return collection.source
        return None

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
        Keys are masked (``rules.is_secret_name``: ``x-api-key`` and ``api_key``-like headers
        and query parameters): no key reaches the event, so none reaches what is made of it
        (the dashboard, the event stream, the control API, HAR and curl).
        """
        endpoint, example = response.endpoint, response.example
        limit = self.settings.body_limit
        self.store.count(
            endpoint.key if endpoint and example else None, example.id if example else None
        )
        headers = tuple((k, MASK if is_secret_name(k) else v) for k, v in request.headers)
        event = RequestEvent(
            id=self.bus.new_id(),
            time=request.received,
            client=request.client,
            method=request.method,
            path=request.path or "/",
            query=mask_query(request.query_string),
            request_headers=headers,
            request_body=request_body
            or (Body.keep(request.body, limit) if request.body else EMPTY_BODY),
            status=response.status,
            response_headers=tuple(response.headers),
            response_body=(
                Body.keep(response.sent_body, limit) if response.sent_body else EMPTY_BODY
            ),
            duration_ms=duration_ms,
            endpoint_key=response.endpoint.key if response.endpoint else None,
            endpoint_name=response.endpoint.name if response.endpoint else None,
            example_id=response.example.id if response.example else None,
            example_name=response.example.name if response.example else None,
            miss_reason=response.miss_reason,
            explanation=response.explanation,
            raw_path=request.raw_path or request.path or "/",
            scheme=request.scheme,
            http_version=request.http_version,
            host=request.host or request.header("host") or "",
            decided_by=response.explanation.decided_by if response.explanation else "",
            example_code=response.example.code if response.example else None,
            proxied=response.proxied,
            upstream_status=response.upstream_status,
            upstream_ms=response.upstream_ms,
            recorded=response.recorded,
        )
        self.bus.publish(event)
        return event
