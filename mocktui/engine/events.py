"""Request events and the bus that carries them to the dashboard and the headless printer.

Publishing is O(1): the event goes into a bounded ring buffer and each subscriber's wake-up flag
is set. Nothing a subscriber does can slow a response: subscribers pull from the ring at their
own pace, and events that fall out of the ring before a subscriber read them are counted as
dropped for that subscriber, never lost silently.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from mocktui.engine.explain import Explanation

BODY_LIMIT = 64 * 1024  # bytes of each body kept with an event


@dataclass(frozen=True, slots=True)
class Body:
    """A body as kept with an event: at most BODY_LIMIT bytes, with its real size."""

    data: bytes
    size: int

    @property
    def truncated(self) -> bool:
        return self.size > len(self.data)

    @classmethod
    def keep(cls, data: bytes) -> Body:
        return cls(data[:BODY_LIMIT], len(data))


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

    @property
    def matched(self) -> bool:
        return self.example_id is not None


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
    """A bounded ring buffer of RequestEvents with pull-based subscribers."""

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._ring: deque[RequestEvent] = deque(maxlen=capacity)
        self._subs: list[Subscription] = []
        self.next_id = 1
        self.published = 0

    def new_id(self) -> int:
        """Reserve the id of the next event (ids are dense and increasing)."""
        event_id = self.next_id
        self.next_id += 1
        return event_id

    def publish(self, event: RequestEvent) -> None:
        self._ring.append(event)
        self.published += 1
        for sub in self._subs:
            sub.wakeup.set()

    def subscribe(self, from_start: bool = False) -> Subscription:
        start = self._ring[0].id if (from_start and self._ring) else self.next_id
        sub = Subscription(self, start)
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    def since(self, cursor: int, limit: int | None = None) -> tuple[list[RequestEvent], int, int]:
        """Events with id >= cursor: (events, new cursor, how many were lost to the ring)."""
        if not self._ring or cursor >= self.next_id:
            return [], max(cursor, 0), 0
        first = self._ring[0].id
        lost = max(0, first - cursor)
        start = max(cursor, first)
        # Ids in the ring are consecutive except where an id was reserved and never published
        # (a request cancelled mid-way); find the start by scanning back from the end.
        ring = self._ring
        index = len(ring)
        while index > 0 and ring[index - 1].id >= start:
            index -= 1
        events = [ring[i] for i in range(index, len(ring))]
        if limit is not None and len(events) > limit:
            events = events[:limit]
            return events, events[-1].id + 1, lost
        return events, self.next_id, lost

    def get(self, event_id: int) -> RequestEvent | None:
        for event in reversed(self._ring):
            if event.id == event_id:
                return event
            if event.id < event_id:
                break
        return None

    def clear(self) -> None:
        self._ring.clear()

    def __len__(self) -> int:
        return len(self._ring)
