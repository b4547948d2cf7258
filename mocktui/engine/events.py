"""Request events and the bus that carries them to the dashboard and the headless printer.

Publishing is O(1) (amortized): the event goes into a ring buffer and each subscriber's wake-up
flag is set. The ring is bounded twice: by a number of events and by the bytes of the bodies they
keep (64 KiB each way at most), the oldest leaving first, the newest always kept. Nothing a
subscriber does can slow a response: subscribers pull from the ring at their own pace, and events
that fall out of the ring before a subscriber read them are counted as dropped for that
subscriber, never lost silently.
"""

from __future__ import annotations

import asyncio
import base64
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mocktui.engine.explain import Explanation
from mocktui.rules import DEFAULT_BODY_LIMIT

BODY_LIMIT = DEFAULT_BODY_LIMIT  # bytes of each body kept with an event (--body-limit)
MAX_BYTES = 128 * 1024 * 1024  # body bytes the ring keeps in all (1,024 events at full size)
HOLES_KEPT = 10_000  # runs of never-published ids remembered, for exact drop counts


@dataclass(frozen=True, slots=True)
class Body:
    """A body as kept with an event: at most BODY_LIMIT bytes, with its real size."""

    data: bytes
    size: int

    @property
    def truncated(self) -> bool:
        return self.size > len(self.data)

    @classmethod
    def keep(cls, data: bytes, limit: int = BODY_LIMIT) -> Body:
        return cls(data[:limit], len(data))

    def to_dict(self) -> dict[str, Any]:
        """``text`` when the kept bytes are UTF-8, else ``base64``; the other one is None."""
        try:
            text: str | None = self.data.decode("utf-8")
            encoded = None
        except UnicodeDecodeError:
            text, encoded = None, base64.b64encode(self.data).decode("ascii")
        return {"size": self.size, "truncated": self.truncated, "text": text, "base64": encoded}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Body:
        if not data:
            return EMPTY_BODY
        if data.get("text") is not None:
            raw = str(data["text"]).encode("utf-8", "surrogatepass")
        else:
            raw = base64.b64decode(data.get("base64") or "")
        return cls(raw, int(data.get("size", len(raw))))


EMPTY_BODY = Body(b"", 0)


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """Everything about one request and its answer (hits, misses and 401s alike)."""

    id: int
    time: float  # Unix time the request arrived
    client: str
    method: str
    path: str
    query: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: Body
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: Body
    duration_ms: float
    endpoint_key: str | None = None
    endpoint_name: str | None = None
    example_id: str | None = None
    example_name: str | None = None
    miss_reason: str | None = None  # why no example answered (404 no match, 401, 413 ...)
    explanation: Explanation | None = None
    raw_path: str = ""  # the path as sent on the request line, percent-encoding kept
    scheme: str = "http"
    http_version: str = "1.1"
    host: str = ""  # the Host header (or :authority) as sent
    decided_by: str = ""  # score, pin, sequential, random, x-mock-response-id, miss ...
    example_code: int | None = None
    proxied: str | None = None  # the upstream URL, for proxied requests
    upstream_status: int | None = None  # what the upstream answered (None: no answer)
    upstream_ms: float | None = None  # how long the upstream took, to the end of its answer
    recorded: str | None = None  # the name of the example the exchange was saved as

    @property
    def matched(self) -> bool:
        return self.example_id is not None

    @property
    def target(self) -> str:
        """The path and query as sent (for display and exports)."""
        path = self.raw_path or self.path
        return f"{path}?{self.query}" if self.query else path

    # -- the codec: one plain-data form for every consumer (event stream, HAR, curl, remote
    # dashboards). Headless lines are a summary of it (``summary()``).

    def to_dict(self, explanation: bool = True) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": self.time,
            "client": self.client,
            "scheme": self.scheme,
            "http_version": self.http_version,
            "method": self.method,
            "host": self.host,
            "raw_path": self.raw_path or self.path,
            "path": self.path,
            "query": self.query,
            "request": {
                "headers": [list(h) for h in self.request_headers],
                "body": self.request_body.to_dict(),
            },
            "status": self.status,
            "response": {
                "headers": [list(h) for h in self.response_headers],
                "body": self.response_body.to_dict(),
            },
            "duration_ms": round(self.duration_ms, 3),
            "endpoint": (
                {"key": self.endpoint_key, "name": self.endpoint_name}
                if self.endpoint_key is not None
                else None
            ),
            "example": (
                {"id": self.example_id, "name": self.example_name, "code": self.example_code}
                if self.example_id is not None
                else None
            ),
            "miss": self.miss_reason if not self.matched else None,
            "decided_by": self.decided_by,
            "proxied": self.proxied,
            "upstream_status": self.upstream_status,
            "upstream_ms": None if self.upstream_ms is None else round(self.upstream_ms, 3),
            "recorded": self.recorded,
            "explanation": (
                self.explanation.to_dict() if explanation and self.explanation else None
            ),
        }

    def summary(self) -> dict[str, Any]:
        """The headless JSON line (README's format): a few fields of ``to_dict``."""
        return {
            "time": datetime.fromtimestamp(self.time, UTC).isoformat(timespec="milliseconds"),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "example": self.example_name,
            "endpoint": self.endpoint_name,
            "miss": self.miss_reason if not self.matched else None,
            "duration_ms": round(self.duration_ms, 3),
            "proxied": self.proxied is not None,
            "recorded": self.recorded,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RequestEvent:
        endpoint = data.get("endpoint") or {}
        example = data.get("example") or {}
        request = data.get("request") or {}
        response = data.get("response") or {}
        explained = data.get("explanation")
        return cls(
            id=int(data["id"]),
            time=float(data["time"]),
            client=str(data.get("client", "")),
            method=str(data["method"]),
            path=str(data["path"]),
            query=str(data.get("query", "")),
            request_headers=tuple((str(k), str(v)) for k, v in request.get("headers", ())),
            request_body=Body.from_dict(request.get("body")),
            status=int(data["status"]),
            response_headers=tuple((str(k), str(v)) for k, v in response.get("headers", ())),
            response_body=Body.from_dict(response.get("body")),
            duration_ms=float(data.get("duration_ms", 0.0)),
            endpoint_key=endpoint.get("key"),
            endpoint_name=endpoint.get("name"),
            example_id=example.get("id"),
            example_name=example.get("name"),
            example_code=example.get("code"),
            miss_reason=data.get("miss"),
            explanation=Explanation.from_dict(explained) if explained else None,
            raw_path=str(data.get("raw_path", "")),
            scheme=str(data.get("scheme", "http")),
            http_version=str(data.get("http_version", "1.1")),
            host=str(data.get("host", "")),
            decided_by=str(data.get("decided_by", "")),
            proxied=data.get("proxied"),
            upstream_status=data.get("upstream_status"),
            upstream_ms=data.get("upstream_ms"),
            recorded=data.get("recorded"),
        )


@dataclass(frozen=True, slots=True)
class InFlight:
    """A request that has arrived and is not answered yet (it waits out a delay): the dashboard
    shows it at once as a pending row, until its event is published."""

    token: int
    time: float  # Unix time it arrived
    method: str
    path: str
    query: str
    delay_ms: int
    endpoint_name: str | None = None
    example_name: str | None = None  # what will answer it (None: a miss)

    def to_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "delay_ms": self.delay_ms,
            "endpoint": self.endpoint_name,
            "example": self.example_name,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InFlight:
        return cls(
            token=int(data["token"]),
            time=float(data["time"]),
            method=str(data["method"]),
            path=str(data["path"]),
            query=str(data.get("query", "")),
            delay_ms=int(data.get("delay_ms", 0)),
            endpoint_name=data.get("endpoint"),
            example_name=data.get("example"),
        )


@dataclass(slots=True)
class Subscription:
    """A reader's cursor into the bus. ``drain()`` returns what arrived since the last call."""

    bus: EventBus
    cursor: int  # id of the next event this reader wants
    dropped: int = 0
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def drain(self, limit: int | None = None) -> list[RequestEvent]:
        events, self.cursor, lost = self.bus.since(self.cursor, limit)
        self.dropped += lost
        if self.cursor >= self.bus.next_id:
            self.wakeup.clear()
        return events

    async def wait(self) -> None:
        await self.wakeup.wait()

    def close(self) -> None:
        self.bus.unsubscribe(self)


class EventBus:
    """A bounded ring buffer of RequestEvents with pull-based subscribers.

    Ids are reserved with ``new_id()`` and published in increasing order; an id reserved and
    never published (a request cancelled mid-way) is a hole, never counted as dropped.
    """

    def __init__(self, capacity: int = 10_000, max_bytes: int = MAX_BYTES) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.bytes = 0  # body bytes of the events in the ring
        self._ring: deque[RequestEvent] = deque()
        self._sizes: deque[int] = deque()  # body bytes of each event in the ring
        self._holes: deque[tuple[int, int]] = deque(maxlen=HOLES_KEPT)  # [start, end) ids
        self._last_id = 0  # the newest published id
        self._subs: list[Subscription] = []
        self.next_id = 1
        self.published = 0
        # Requests that wait out a delay, by token: registered only for those (a request
        # answered at once never touches this), dropped when they are answered or gone.
        self.in_flight: dict[int, InFlight] = {}
        self._tokens = 0

    def new_id(self) -> int:
        """Reserve the id of the next event (ids are dense and increasing)."""
        event_id = self.next_id
        self.next_id += 1
        return event_id

    def publish(self, event: RequestEvent) -> None:
        if event.id > self._last_id + 1:
            self._holes.append((self._last_id + 1, event.id))
        self._last_id = max(self._last_id, event.id)
        size = len(event.request_body.data) + len(event.response_body.data)
        ring, sizes = self._ring, self._sizes
        ring.append(event)
        sizes.append(size)
        self.bytes += size
        # The oldest leave while either bound is passed; the newest always stays.
        while len(ring) > self.capacity or (self.bytes > self.max_bytes and len(ring) > 1):
            ring.popleft()
            self.bytes -= sizes.popleft()
        self.published += 1
        for sub in self._subs:
            sub.wakeup.set()

    def started(self, pending: InFlight) -> None:
        self.in_flight[pending.token] = pending
        for sub in self._subs:
            sub.wakeup.set()

    def new_token(self) -> int:
        self._tokens += 1
        return self._tokens

    def finished(self, token: int) -> None:
        self.in_flight.pop(token, None)

    def subscribe(self, from_start: bool = False) -> Subscription:
        start = self._ring[0].id if (from_start and self._ring) else self.next_id
        sub = Subscription(self, start)
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    def since(self, cursor: int, limit: int | None = None) -> tuple[list[RequestEvent], int, int]:
        """Events with id >= cursor: (events, new cursor, how many were lost to the ring).

        Lost are the events published with an id from ``cursor`` on that left the ring (to
        either bound) before this call; holes in the ids are not counted.
        """
        cursor = max(cursor, 1)
        if not self._ring or cursor >= self.next_id:
            return [], cursor, 0
        ring = self._ring
        first = ring[0].id
        lost = 0
        if cursor < first:
            lost = first - cursor - self._holes_between(cursor, first)
        start = max(cursor, first)
        # Ids in the ring increase, with holes: find the start by scanning back from the end.
        index = len(ring)
        while index > 0 and ring[index - 1].id >= start:
            index -= 1
        events = [ring[i] for i in range(index, len(ring))]
        if limit is not None and len(events) > limit:
            events = events[:limit]
            return events, events[-1].id + 1, lost
        return events, self.next_id, lost

    def clear(self) -> None:
        """Forget every kept event. Readers do not count them as dropped: the ids from the
        oldest kept on are remembered as never published."""
        if self._ring:
            self._holes.append((self._ring[0].id, self._last_id + 1))
        self._ring.clear()
        self._sizes.clear()
        self.bytes = 0

    def _holes_between(self, low: int, high: int) -> int:
        """How many ids in [low, high) were never published."""
        count = 0
        for start, end in reversed(self._holes):
            if end <= low:
                break
            count += max(0, min(end, high) - max(start, low))
        return count

    def __len__(self) -> int:
        return len(self._ring)
